// The scenarios whose histories record-policy-application.ts records and
// policy-application.test.ts replays.
import { policyApplicationWorkflowId } from '../../workflows/domain/ids';

export const POLICY_APPLICATION_SCENARIOS = ['three-briefs', 'continue-as-new'] as const;
export type PolicyApplicationScenario = (typeof POLICY_APPLICATION_SCENARIOS)[number];

/** Recorded applications have fixed ids, so a history's workflow id follows from its scenario. */
export const replayApplicationId = (scenario: PolicyApplicationScenario) => `replay-${scenario}`;
export const replayPolicyApplicationWorkflowId = (scenario: PolicyApplicationScenario) => policyApplicationWorkflowId(replayApplicationId(scenario));
