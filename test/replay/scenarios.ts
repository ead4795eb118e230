// The scenarios whose histories test/replay/record.ts records and replay.test.ts replays.
import { briefWorkflowId } from '../../workflows/domain/ids';

export const REPLAY_SCENARIOS = ['happy-path', 'acknowledge-breach-cancel', 'decline', 'review-breach-revision', 'continue-as-new'] as const;
export type ReplayScenario = (typeof REPLAY_SCENARIOS)[number];

/** Recorded briefs have fixed ids, so a history's workflow id follows from its scenario. */
export const replayBriefId = (scenario: ReplayScenario) => `replay-${scenario}`;
export const replayWorkflowId = (scenario: ReplayScenario) => briefWorkflowId(replayBriefId(scenario));
