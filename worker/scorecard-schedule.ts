// Keeps the Temporal Schedule (one per task queue) that sends the monthly scorecard emails
// (workflows/scorecards) by HANDOFF_SCORECARD_EMAIL_SCHEDULE, a cron expression in UTC (the 1st
// of each month at 06:00 by default): created by the first worker to start, brought to the
// configured spec by every later one, paused when it is off. Runs never overlap; a run missed
// while the cluster was down is caught up within a day (the outbox keys make a second run of a
// month send nothing twice).
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import type { DeliveryRetry } from '../workflows/brief/definitions';
import { SCORECARD_SCHEDULE_ID, type MonthlyScorecardsInput } from '../workflows/scorecards/definitions';

/** One schedule per task queue, so that deployments sharing a namespace each send their own. */
export const scorecardScheduleId = (taskQueue: string): string => `${SCORECARD_SCHEDULE_ID}-${taskQueue}`;

export interface ScorecardScheduleOptions {
  taskQueue: string;
  deliveryTaskQueue: string;
  deliveryRetry?: DeliveryRetry;
  /** A cron expression in UTC; null pauses the schedule. */
  cron: string | null;
}

export async function keepScorecardSchedule(client: Client, { taskQueue, deliveryTaskQueue, deliveryRetry, cron }: ScorecardScheduleOptions, logger: Logger): Promise<void> {
  const scheduleId = scorecardScheduleId(taskQueue);
  const handle = client.schedule.getHandle(scheduleId);
  if (cron === null) {
    try {
      await handle.pause('HANDOFF_SCORECARD_EMAIL_SCHEDULE is off');
      logger.info('the monthly scorecard emails are paused (HANDOFF_SCORECARD_EMAIL_SCHEDULE is off)');
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  // The month each run reports comes from its scheduled start, not from its arguments.
  const input: MonthlyScorecardsInput = { deliveryTaskQueue, ...(deliveryRetry ? { deliveryRetry } : {}) };
  const options: ScheduleOptions = {
    scheduleId,
    spec: { cronExpressions: [cron] },
    action: { type: 'startWorkflow', workflowType: 'monthlyScorecardsWorkflow', workflowId: scheduleId, taskQueue, args: [input] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: 'Sends the monthly scorecard email to the party leads and managers who opted in.' },
  };
  try {
    await client.schedule.create(options);
    logger.info({ cron }, 'monthly scorecard emails scheduled');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies, state: { ...previous.state, paused: false } }));
    await handle.unpause('HANDOFF_SCORECARD_EMAIL_SCHEDULE is set').catch(() => undefined);
  }
}
