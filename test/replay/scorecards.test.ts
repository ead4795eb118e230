// Replays the recorded histories of test/replay/scorecards against the current
// monthlyScorecardsWorkflow: a change that would break monthly runs in flight fails here. See
// record-scorecards.ts for when (and when not) to record histories, and replay-sets.ts for the tests.
import path from 'node:path';
import type { MonthlyScorecardsSummary } from '../../workflows/scorecards/definitions';
import { replayScorecardsWorkflowId, SCORECARD_SCENARIOS, type ScorecardScenario } from './scorecards-scenarios';
import { declareReplaySets, type HistoryEvents } from './replay-sets';

/** The summary a finished run answered (its last event's result). */
function summaryOf(events: HistoryEvents): MonthlyScorecardsSummary | undefined {
  const data = events[events.length - 1]?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as MonthlyScorecardsSummary) : undefined;
}

const EXPECTED: Record<ScorecardScenario, Omit<MonthlyScorecardsSummary, 'month'>> = {
  'three-recipients': { planned: 3, failed: 0 },
  'delivery-given-up': { planned: 2, failed: 1 },
  'month-already-sent': { planned: 0, failed: 0 },
  'month-from-start': { planned: 3, failed: 0 },
};

declareReplaySets({
  workflowType: 'monthlyScorecardsWorkflow',
  label: 'scorecard',
  folder: path.join(__dirname, 'scorecards'),
  scenarios: SCORECARD_SCENARIOS,
  workflowId: replayScorecardsWorkflowId,
  divergentWorkflowsPath: require.resolve('./fixtures/divergent-scorecards'),
  checkSet: ({ filesOf, events }) => {
    for (const scenario of SCORECARD_SCENARIOS) {
      const [file] = filesOf(scenario);
      const summary = file ? summaryOf(events(file)) : undefined;
      expect({ scenario, planned: summary?.planned, failed: summary?.failed }).toEqual({ scenario, ...EXPECTED[scenario] });
    }
    // Each planned row is delivered through the outbox's delivery activity; the one given up on is recorded as failed.
    const activityTypes = (file: string) => events(file).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    expect(activityTypes(filesOf('delivery-given-up')[0])).toEqual(['planScorecardEmails', 'deliverNotification', 'deliverNotification', 'notificationFailed']);
  },
});
