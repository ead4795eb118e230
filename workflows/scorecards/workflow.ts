// Sends the monthly scorecard emails of one month: plans one outbox row per recipient who opted in
// (idempotent per month and member, so a rerun of a month sends nothing twice), then delivers each
// row through the outbox's delivery activity with the retries brief notifications get. Started by
// a Temporal Schedule (SCORECARD_SCHEDULE_ID) at the start of each month, the month it reports
// coming from the run's scheduled start (not a worker's clock); an explicit month for manual runs.
// The payloads hold row ids only: the activity renders the figures from the database at delivery.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BriefActivities, ScorecardEmailActivities } from '../../activities/types';
import { DEFAULT_DELIVERY_RETRY } from '../brief/notification-pump';
import { isMonth, monthBefore, type MonthlyScorecardsInput, type MonthlyScorecardsSummary } from './definitions';

/** Set by the server on runs a schedule starts: the instant the run was scheduled for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const { planScorecardEmails, notificationFailed } = proxyActivities<ScorecardEmailActivities & BriefActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The month a run reports: the input's, else the one before the run's scheduled (or, started by hand, actual) start. */
function reportedMonth(input: MonthlyScorecardsInput): string {
  if (input.month !== undefined) {
    if (!isMonth(input.month)) throw ApplicationFailure.create({ type: 'InvalidMonth', message: `not a month (YYYY-MM): ${input.month}`, nonRetryable: true });
    return input.month;
  }
  const info = workflowInfo();
  return monthBefore(info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime);
}

export async function monthlyScorecardsWorkflow(input: MonthlyScorecardsInput = {}): Promise<MonthlyScorecardsSummary> {
  const month = reportedMonth(input);
  const retry = input.deliveryRetry ?? DEFAULT_DELIVERY_RETRY;
  const { deliverNotification } = proxyActivities<BriefActivities>({
    ...(input.deliveryTaskQueue ? { taskQueue: input.deliveryTaskQueue } : {}),
    startToCloseTimeout: retry.attemptTimeoutMs ?? 60_000,
    scheduleToCloseTimeout: retry.deadlineMs,
    retry: { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs },
  });
  const planned = await planScorecardEmails({ month });
  let failed = 0;
  await Promise.all(
    planned.map(async ({ id }) => {
      try {
        await deliverNotification({ id });
      } catch (err) {
        failed += 1;
        log.warn('scorecard email given up', { id, error: String(err) });
        await notificationFailed({ id, error: String((err as { cause?: unknown }).cause ?? err) });
      }
    }),
  );
  return { month, planned: planned.length, failed };
}
