// Replays the recorded histories of test/replay/reconciler against the current reconcilerWorkflow:
// a change that would break reconciler rounds in flight fails here. See record-reconciler.ts for
// when (and when not) to record histories, and replay-sets.ts for the tests.
import path from 'node:path';
import type { ReconcilerSummary } from '../../workflows/reconciler/definitions';
import { RECONCILER_SCENARIOS, replayReconcilerWorkflowId } from './reconciler-scenarios';
import { declareReplaySets, type HistoryEvents } from './replay-sets';

/** The summary a finished round answered (its last event's result). */
function summaryOf(events: HistoryEvents): ReconcilerSummary | undefined {
  const data = events[events.length - 1]?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as ReconcilerSummary) : undefined;
}

declareReplaySets({
  workflowType: 'reconcilerWorkflow',
  label: 'reconciler',
  folder: path.join(__dirname, 'reconciler'),
  scenarios: RECONCILER_SCENARIOS,
  workflowId: replayReconcilerWorkflowId,
  divergentWorkflowsPath: require.resolve('./fixtures/divergent-reconciler'),
  continuingAsNew: ['continue-as-new'],
  checkSet: ({ filesOf, events }) => {
    // Both rounds went over three briefs, one repair of each kind among them (the continue-as-new
    // round carrying its totals from run to run).
    for (const scenario of RECONCILER_SCENARIOS) {
      const runs = filesOf(scenario);
      const summary = runs.length > 0 ? summaryOf(events(runs[runs.length - 1])) : undefined;
      expect({ scenario, checked: summary?.checked, byRepair: summary?.byRepair }).toEqual({ scenario, checked: 3, byRepair: { resumed: 1, ended: 1, refreshed: 1 } });
    }
    // The workflow continues as new only when the server suggests it: each run that did was told to.
    const runs = filesOf('continue-as-new');
    for (const file of runs.slice(0, -1)) {
      const suggested = events(file).some((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew === true);
      expect({ file, suggested }).toEqual({ file, suggested: true });
    }
  },
});
