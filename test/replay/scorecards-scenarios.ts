// The scenarios whose histories record-scorecards.ts records and scorecards.test.ts replays.
import { SCORECARD_SCHEDULE_ID } from '../../workflows/scorecards/definitions';

export const SCORECARD_SCENARIOS = ['three-recipients', 'delivery-given-up', 'month-already-sent', 'month-from-start'] as const;
export type ScorecardScenario = (typeof SCORECARD_SCENARIOS)[number];

/** Recorded runs have fixed ids (like the schedule's runs), so a history's workflow id follows from its scenario. */
export const replayScorecardsWorkflowId = (scenario: ScorecardScenario) => `${SCORECARD_SCHEDULE_ID}-replay-${scenario}`;
