// Records the histories that test/replay/reconciler.test.ts replays against the current
// reconciler workflow:
//
//   HISTORY_SET=v2-my-change npm run record:reconciler
//
// It starts a Temporal dev server (in memory), runs each scenario against reconcilerWorkflow with
// a stub reconcilePage, and writes every run's history to test/replay/reconciler/<set>/<scenario>.json
// (<scenario>.run-<n>.json per run when it continues as new). The workflow continues as new only
// when the server suggests it: the continue-as-new scenario runs on a server that suggests it after
// a few events. The rules of record.ts hold here too: record only to ADD histories (a new scenario,
// a new path, a new workflow version in a new set), never to make a failing replay pass.
import type { ReconcilerActivities, ReconcilerRepair } from '../../activities/types';
import type { ReconcilerInput } from '../../workflows/reconciler/definitions';
import type { reconcilerWorkflow } from '../../workflows/reconciler/workflow';
import { RECONCILER_SCENARIOS, replayReconcilerWorkflowId, type ReconcilerScenario } from './reconciler-scenarios';
import { historySetFolder, recordHistories, runRecording } from './run-histories';

const TASK_QUEUE = 'replay-recording-reconciler';

/** Three open briefs, in id order, each needing one kind of repair. */
const REPAIRS: ReconcilerRepair[] = [
  { briefId: 'brief-a', repair: 'resumed', found: 'the workflow was TERMINATED while the brief was in_progress at event 4' },
  { briefId: 'brief-b', repair: 'ended', found: 'the workflow completed as approved while the read model showed delivered' },
  { briefId: 'brief-c', repair: 'refreshed', found: 'the read model is at event 3, the workflow at event 5' },
];

// The activity only answers (a history holds its results, not its effects), the way the real
// page does: a full page points at the next one, a short one ends the round.
const activities: ReconcilerActivities = {
  async reconcilePage({ after, limit }) {
    const start = after ? REPAIRS.findIndex((r) => r.briefId === after) + 1 : 0;
    const page = REPAIRS.slice(start, start + limit);
    return { checked: page.length, repairs: page, next: page.length === limit ? page[page.length - 1].briefId : null };
  },
};

const scenarios: Record<ReconcilerScenario, { input: ReconcilerInput; dynamicConfig?: Record<string, unknown> }> = {
  // Two pages (two briefs, then one), every kind of repair once.
  'two-pages': { input: { pageSize: 2 } },
  // A brief per page on a server that suggests continuing as new once a run has a page behind it:
  // four runs, the last one reading an empty page, carrying the cursor and the totals.
  'continue-as-new': { input: { pageSize: 1 }, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 5 } },
};

runRecording(() =>
  recordHistories({
    folder: historySetFolder('reconciler'),
    taskQueue: TASK_QUEUE,
    activities,
    scenarios: RECONCILER_SCENARIOS,
    dynamicConfig: (scenario) => scenarios[scenario].dynamicConfig,
    record: (client, scenario) =>
      client.workflow.start<typeof reconcilerWorkflow>('reconcilerWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: replayReconcilerWorkflowId(scenario),
        args: [scenarios[scenario].input],
      }),
  }),
);
