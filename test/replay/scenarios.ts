// The scenarios whose histories test/replay/record.ts records and replay.test.ts replays.
import { briefWorkflowId } from '../../workflows/domain/ids';

export const REPLAY_SCENARIOS = ['happy-path', 'acknowledge-breach-cancel', 'decline', 'review-breach-revision', 'continue-as-new', 'edit-brief', 'sla-policy', 'refused-writes', 'review-plan'] as const;
export type ReplayScenario = (typeof REPLAY_SCENARIOS)[number];

/**
 * The history set (test/replay/histories/<set>) each scenario was first recorded in. A set holds
 * the scenarios of its workflow version: sets recorded before a scenario existed lack it, every
 * later set has it.
 */
export const RECORDED_SINCE: Record<ReplayScenario, string> = {
  'happy-path': 'v1-initial',
  'acknowledge-breach-cancel': 'v1-initial',
  decline: 'v1-initial',
  'review-breach-revision': 'v1-initial',
  'continue-as-new': 'v1-initial',
  'edit-brief': 'v3-brief-edit',
  'sla-policy': 'v4-sla-policy',
  'refused-writes': 'v9-refused-writes',
  'review-plan': 'v11-review-plans',
};

/** History sets in recording order: v1-…, v2-…, …, v10-… (numbers compare as numbers). */
export const bySetOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Recorded briefs have fixed ids, so a history's workflow id follows from its scenario. */
export const replayBriefId = (scenario: ReplayScenario) => `replay-${scenario}`;
export const replayWorkflowId = (scenario: ReplayScenario) => briefWorkflowId(replayBriefId(scenario));
