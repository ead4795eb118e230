// The scenarios whose histories record-program.ts records and program.test.ts replays.
import { programWorkflowId } from '../../workflows/program/definitions';

export const PROGRAM_SCENARIOS = ['launch'] as const;
export type ProgramScenario = (typeof PROGRAM_SCENARIOS)[number];

/** Recorded programs have fixed ids, so a history's workflow id follows from its scenario. */
export const replayProgramId = (scenario: ProgramScenario) => `replay-${scenario}`;
export const replayProgramWorkflowId = (scenario: ProgramScenario) => programWorkflowId(replayProgramId(scenario));
