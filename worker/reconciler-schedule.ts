// Keeps the Temporal Schedule (one per task queue) that runs the reconciler (workflows/reconciler) every
// HANDOFF_RECONCILE_INTERVAL: created by the first worker to start, brought to the configured
// interval by every later one, paused when the interval is 0. Missed runs are not caught up and
// runs never overlap: the next round checks everything anyway.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import { RECONCILER_SCHEDULE_ID } from '../workflows/reconciler/definitions';

/** One schedule per task queue, so that deployments sharing a namespace each reconcile their own briefs. */
export const reconcilerScheduleId = (taskQueue: string): string => `${RECONCILER_SCHEDULE_ID}-${taskQueue}`;

export async function keepReconcilerSchedule(client: Client, { taskQueue, intervalMs }: { taskQueue: string; intervalMs: number }, logger: Logger): Promise<void> {
  const scheduleId = reconcilerScheduleId(taskQueue);
  const handle = client.schedule.getHandle(scheduleId);
  if (intervalMs === 0) {
    try {
      await handle.pause('HANDOFF_RECONCILE_INTERVAL is 0');
      logger.info('the reconciler schedule is paused (HANDOFF_RECONCILE_INTERVAL is 0)');
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  const every = Math.max(1000, intervalMs);
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every }] },
    action: { type: 'startWorkflow', workflowType: 'reconcilerWorkflow', workflowId: scheduleId, taskQueue, args: [{}] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: every },
    state: { note: 'Compares the briefs open in the read model with their workflows and repairs what differs.' },
  };
  try {
    await client.schedule.create(options);
    logger.info({ everyMs: every }, 'reconciler scheduled');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies, state: { ...previous.state, paused: false } }));
    await handle.unpause('HANDOFF_RECONCILE_INTERVAL is set').catch(() => undefined);
  }
}
