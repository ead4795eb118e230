// Replays the recorded histories of test/replay/policy-application against the current
// policyApplicationWorkflow: a change that would break applications in flight fails here. See
// record-policy-application.ts for when (and when not) to record histories, and replay-sets.ts for
// the tests.
import path from 'node:path';
import { POLICY_APPLICATION_SCENARIOS, replayPolicyApplicationWorkflowId } from './policy-application-scenarios';
import { declareReplaySets } from './replay-sets';

declareReplaySets({
  workflowType: 'policyApplicationWorkflow',
  label: 'policy application',
  folder: path.join(__dirname, 'policy-application'),
  scenarios: POLICY_APPLICATION_SCENARIOS,
  workflowId: replayPolicyApplicationWorkflowId,
  divergentWorkflowsPath: require.resolve('./fixtures/divergent-policy-application'),
  continuingAsNew: ['continue-as-new'],
});
