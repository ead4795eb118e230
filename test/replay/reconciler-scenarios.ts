// The scenarios whose histories record-reconciler.ts records and reconciler.test.ts replays.
import { RECONCILER_SCHEDULE_ID } from '../../workflows/reconciler/definitions';

export const RECONCILER_SCENARIOS = ['two-pages', 'continue-as-new'] as const;
export type ReconcilerScenario = (typeof RECONCILER_SCENARIOS)[number];

/** Recorded rounds have fixed ids (like those of the schedule and of POST /v1/admin/reconcile), so a history's workflow id follows from its scenario. */
export const replayReconcilerWorkflowId = (scenario: ReconcilerScenario) => `${RECONCILER_SCHEDULE_ID}-replay-${scenario}`;
