// Replays the recorded histories of test/replay/program against the current programWorkflow: a
// change that would break programs in flight fails here. See record-program.ts for when (and when
// not) to record histories, and replay-sets.ts for the tests.
import path from 'node:path';
import { PROGRAM_SCENARIOS, replayProgramWorkflowId } from './program-scenarios';
import { declareReplaySets } from './replay-sets';

declareReplaySets({
  workflowType: 'programWorkflow',
  label: 'program',
  folder: path.join(__dirname, 'program'),
  scenarios: PROGRAM_SCENARIOS,
  workflowId: replayProgramWorkflowId,
  divergentWorkflowsPath: require.resolve('./fixtures/divergent-program'),
});
