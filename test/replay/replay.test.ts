// Replays the recorded histories of test/replay/histories against the current briefWorkflow: a
// change that would break briefs already in flight fails here. See record.ts for when (and when
// not) to record histories, and replay-sets.ts for the tests.
import path from 'node:path';
import { declareReplaySets, type HistoryEvents } from './replay-sets';
import { bySetOrder, RECORDED_SINCE, REPLAY_SCENARIOS, replayWorkflowId } from './scenarios';

/** How many updates of this name a history accepted. */
const updatesNamed = (events: HistoryEvents, name: string) =>
  events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name).length;

declareReplaySets({
  workflowType: 'briefWorkflow',
  // One folder per recording: every version of the workflow that briefs may still be running on.
  folder: path.join(__dirname, 'histories'),
  scenarios: REPLAY_SCENARIOS,
  workflowId: replayWorkflowId,
  divergentWorkflowsPath: require.resolve('./fixtures/divergent-workflows'),
  // Sets recorded before a scenario existed lack it, every later set has it.
  recordedSince: RECORDED_SINCE,
  continuingAsNew: ['continue-as-new'],
  checkSet: ({ name: set, filesOf, events }) => {
    // The edit-brief scenario holds accepted edits (updates named edit).
    for (const file of filesOf('edit-brief')) expect({ file, edits: updatesNamed(events(file), 'edit') }).toEqual({ file, edits: 3 });
    // From v6 on, escalations are acknowledged through the acknowledgeEscalation update (before, the signal).
    if (bySetOrder(set, 'v6-escalation-update') >= 0) {
      for (const file of [...filesOf('acknowledge-breach-cancel'), ...filesOf('sla-policy')]) {
        expect({ file, acks: updatesNamed(events(file), 'acknowledgeEscalation') }).toEqual({ file, acks: 1 });
      }
    }
  },
});
