// Sends the notifications of the brief's recorded events, beside the main loop, so that a slow
// mail server never holds up the brief. Briefs on the outbox plan each event into outbox rows and
// deliver each row (held ones at their instant) on the delivery task queue; briefs started
// before the outbox notify through one activity per event (activities/legacy).
import { condition, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BriefActivities, PlannedDelivery } from '../../activities/types';
import { audienceFor } from '../domain/audience';
import type { DeliveryRetry } from './definitions';
import { refusedForGood } from './read-model';
import { onBranch, type BriefRun } from './run';

const NOTIFY_MAX_ATTEMPTS = 8;

const { notify } = proxyActivities<BriefActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: NOTIFY_MAX_ATTEMPTS },
});

// The outbox's bookkeeping must catch up eventually, like the read model.
const { planNotifications, notificationFailed } = proxyActivities<BriefActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How deliveries are retried: exponential backoff for up to a day, unless the input says otherwise (tests). */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { initialIntervalMs: 10_000, maximumIntervalMs: 3_600_000, deadlineMs: 24 * 3_600_000 };

/** deliverNotification on the delivery queue, retried as `retry` says (briefs and programs send through it). */
export function deliveryActivity(retry: DeliveryRetry, taskQueue: string | undefined) {
  return proxyActivities<BriefActivities>({
    ...(taskQueue ? { taskQueue } : {}),
    startToCloseTimeout: retry.attemptTimeoutMs ?? 60_000,
    scheduleToCloseTimeout: retry.deadlineMs,
    retry: { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs },
  }).deliverNotification;
}

export interface NotificationPump {
  /** Ends once everything is sent after the brief finished, or at once when handing over. */
  done: Promise<void>;
  /** An event being planned or notified, or a delivery in flight. */
  readonly busy: boolean;
  /** Nothing being notified (the legacy path before continue-as-new carried notifications). */
  readonly notifying: boolean;
  /** The outbox rows still held, for the next run. */
  held(): { id: string; notBefore: string | null }[];
}

export function startNotificationPump(run: BriefRun): NotificationPump {
  const { input, toNotify } = run;
  const deliverNotification = deliveryActivity(input.deliveryRetry ?? DEFAULT_DELIVERY_RETRY, input.deliveryTaskQueue);
  /** Outbox rows held until their recipients' working hours: id -> instant. */
  const held = new Map<string, number>((input.pendingDeliveries ?? []).map((d) => [d.id, d.notBefore ? Date.parse(d.notBefore) : 0]));
  /** Outbox rows being delivered (with the activity's retries). */
  const delivering = new Set<string>();
  let notifying = false;

  /** Delivers one outbox row; a delivery given up on is recorded as failed. A brief never fails over a notification. */
  const deliver = (id: string) => {
    delivering.add(id);
    void (async () => {
      try {
        await deliverNotification({ id });
      } catch (err) {
        log.warn('notification given up', { id, error: String(err) });
        try {
          await notificationFailed({ id, error: String((err as { cause?: unknown }).cause ?? err) });
        } catch (failed) {
          if (!refusedForGood(failed)) throw failed;
          log.error('the outbox refused to record a failed delivery', { id, error: String(failed) });
        }
      } finally {
        delivering.delete(id);
      }
    })();
  };

  /** Sends what is due: events are planned into outbox rows, held rows are released at their instant. */
  const outboxLoop = async () => {
    for (;;) {
      // Once the brief has ended, what is held is still released at its instant.
      const ready = () => toNotify.length > 0 || run.handingOver || (run.finished && held.size === 0);
      const nextRelease = held.size ? Math.min(...held.values()) : undefined;
      if (nextRelease === undefined) await condition(ready);
      else if (nextRelease > Date.now()) await condition(ready, Math.max(1, nextRelease - Date.now()));
      if (run.handingOver) return;
      for (const [id, at] of [...held]) {
        if (at <= Date.now()) {
          held.delete(id);
          deliver(id);
        }
      }
      const next = toNotify.shift();
      if (!next) {
        if (run.finished && held.size === 0) break;
        continue;
      }
      const audience = audienceFor(next.event, { reviewPlan: run.state.brief.reviewPlan !== undefined });
      if (audience.length === 0) continue;
      notifying = true;
      try {
        const { id, title, partyId, managerId, reviewerId, priority, dueAt } = run.state.brief;
        let planned: PlannedDelivery[] = [];
        try {
          planned = await planNotifications({
            workflowId: workflowInfo().workflowId,
            event: next.event,
            audience,
            brief: { id, title, partyId, managerId, reviewerId, priority, status: next.status, dueAt },
            ...onBranch(run),
          });
        } catch (err) {
          if (!refusedForGood(err)) throw err;
          log.error('the outbox refused the notifications of an event', { seq: next.event.seq, type: next.event.type, error: String(err) });
        }
        for (const delivery of planned) {
          const at = delivery.notBefore ? Date.parse(delivery.notBefore) : 0;
          if (at > Date.now()) held.set(delivery.id, at);
          else deliver(delivery.id);
        }
      } finally {
        notifying = false;
      }
    }
    await condition(() => delivering.size === 0);
  };

  /** Briefs started before the outbox: one notify activity per event, one at a time. */
  const legacyLoop = async () => {
    for (;;) {
      await condition(() => toNotify.length > 0 || run.finished || run.handingOver);
      if (run.handingOver) return;
      const next = toNotify.shift();
      if (!next) return;
      const { event, status } = next;
      const audience = audienceFor(event);
      if (audience.length === 0) continue;
      notifying = true;
      try {
        const { id, title, partyId, managerId, reviewerId, priority, dueAt } = run.state.brief;
        await notify({
          workflowId: workflowInfo().workflowId,
          event,
          audience,
          brief: { id, title, partyId, managerId, reviewerId, priority, status, dueAt },
          maxAttempts: NOTIFY_MAX_ATTEMPTS,
        });
      } catch (err) {
        // The activity records a final failure itself; a brief never fails over a notification.
        log.warn('notification gave up', { seq: event.seq, type: event.type, error: String(err) });
      } finally {
        notifying = false;
      }
    }
  };

  return {
    done: run.patches.outbox ? outboxLoop() : legacyLoop(),
    get busy() {
      return notifying || delivering.size > 0;
    },
    get notifying() {
      return notifying;
    },
    held: () => [...held].map(([id, at]) => ({ id, notBefore: at ? new Date(at).toISOString() : null })),
  };
}
