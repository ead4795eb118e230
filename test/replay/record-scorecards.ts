// Records the histories that test/replay/scorecards.test.ts replays against the current monthly
// scorecard workflow:
//
//   HISTORY_SET=v2-my-change npm run record:scorecards
//
// It starts a Temporal dev server (in memory), runs each scenario against monthlyScorecardsWorkflow
// with stub activities, and writes every run's history to test/replay/scorecards/<set>/<scenario>.json.
// The rules of record.ts hold here too: record only to ADD histories (a new scenario, a new path, a
// new workflow version in a new set), never to make a failing replay pass.
import { ApplicationFailure } from '@temporalio/activity';
import type { BriefActivities, ScorecardEmailActivities } from '../../activities/types';
import type { MonthlyScorecardsInput } from '../../workflows/scorecards/definitions';
import type { monthlyScorecardsWorkflow } from '../../workflows/scorecards/workflow';
import { replayScorecardsWorkflowId, SCORECARD_SCENARIOS, type ScorecardScenario } from './scorecards-scenarios';
import { historySetFolder, recordHistories, runRecording } from './run-histories';

const TASK_QUEUE = 'replay-recording-scorecards';

const rowsOf = (month: string, members: string[]) => members.map((m) => ({ id: `scorecard_${month}_${m}_email`, notBefore: null }));

/** The rows each month plans: three recipients, one of two undeliverable, none (sent before), one. */
const PLANNED: Record<string, { id: string; notBefore: null }[]> = {
  '2026-10': rowsOf('2026-10', ['greta', 'mara', 'paula']),
  '2026-08': rowsOf('2026-08', ['mara', 'undeliverable']),
  '2026-09': [],
};

// The activities only answer (a history holds their results, not their effects).
const activities: ScorecardEmailActivities & Pick<BriefActivities, 'deliverNotification' | 'notificationFailed'> = {
  async planScorecardEmails({ month }) {
    return PLANNED[month] ?? rowsOf(month, ['mara']);
  },
  async deliverNotification({ id }) {
    if (id.includes('undeliverable')) throw ApplicationFailure.create({ type: 'TransientDeliveryFailure', message: 'connection refused', nonRetryable: true });
  },
  async notificationFailed() {},
};

const scenarios: Record<ScorecardScenario, MonthlyScorecardsInput> = {
  'three-recipients': { month: '2026-10' },
  'delivery-given-up': { month: '2026-08' },
  // A rerun of a month that went out: nothing planned, nothing sent.
  'month-already-sent': { month: '2026-09' },
  // As the schedule starts it: the month follows from the run's start.
  'month-from-start': {},
};

runRecording(() =>
  recordHistories({
    folder: historySetFolder('scorecards'),
    taskQueue: TASK_QUEUE,
    activities,
    scenarios: SCORECARD_SCENARIOS,
    record: (client, scenario) =>
      client.workflow.start<typeof monthlyScorecardsWorkflow>('monthlyScorecardsWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: replayScorecardsWorkflowId(scenario),
        args: [scenarios[scenario]],
      }),
  }),
);
