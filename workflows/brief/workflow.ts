// One workflow per brief. Participant actions arrive as updates whose validators consult the
// pure state machine, so illegal actions never enter history. A main loop fires SLA clocks at
// their exact instants and records every event into the read model; a second loop sends the
// notifications, so a slow mail server never holds up the brief.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { BriefActivities } from '../../activities/types';
import { audienceFor } from '../domain/audience';
import type { BriefState, TimelineEvent } from '../domain/brief';
import { isTerminal } from '../domain/brief';
import { acknowledgeEscalation, checkEscalationAcknowledgement, escalationsOf, fireDueClocks, isOverdue, nextClockDeadline, viewBrief } from '../domain/sla';
import { applyEdit, applyPolicy, checkApplyPolicy, checkChanges, checkEdit, checkExpectedSeq } from '../domain/edit';
import { ActionRejected, applyAction, checkAction, emit, initialState } from '../domain/transitions';
import type { ActionName } from '../domain/transitions';
import {
  acknowledgeEscalationUpdate,
  actionUpdates,
  applySlaUpdate,
  briefQuery,
  editUpdate,
  escalationAcknowledgedSignal,
  syncUpdate,
  type ActionRequest,
  type ApplySlaRequest,
  type BriefWorkflowInput,
  type DeliveryRetry,
  type EditRequest,
  type EscalationAcknowledgement,
  type PendingNotification,
} from './definitions';

const NOTIFY_MAX_ATTEMPTS = 8;

const { recordEvents } = proxyActivities<BriefActivities>({
  startToCloseTimeout: '30 seconds',
  // The read model must catch up eventually: keep retrying while the database is away.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

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

function deliveryActivity(retry: DeliveryRetry) {
  return proxyActivities<BriefActivities>({
    startToCloseTimeout: retry.attemptTimeoutMs ?? 60_000,
    scheduleToCloseTimeout: retry.deadlineMs,
    retry: { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs },
  }).deliverNotification;
}

/** Rejections of the state machine leave the workflow as failures the API can read. */
function asFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ActionRejected) throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true });
    throw err;
  }
}

export async function briefWorkflow(input: BriefWorkflowInput): Promise<ReturnType<typeof viewBrief>> {
  const state: BriefState = input.state ?? initialState(input.brief, Date.now());
  // A state carried over from an older run has its whole timeline: its escalations are noted
  // before the timeline is emptied.
  escalationsOf(state);
  const toRecord: TimelineEvent[] = input.state ? [] : [...state.timeline];
  /** Events to notify about, with the brief's status when they happened. */
  const toNotify: PendingNotification[] = [...(input.pendingNotifications ?? [])];
  let recordedSeq = input.state ? state.seq : 0;
  let notifying = false;
  let finished = false;
  /** Set while continuing as new: the notification loop hands its queue to the next run. */
  let handingOver = false;
  // Briefs started before this patch drain every notification before continuing as new.
  const carryNotifications = patched('continue-as-new-carries-notifications');
  // Briefs started before the outbox notify through one activity per event (see notify).
  const outbox = patched('notification-outbox');
  // Briefs started before this patch re-raise an acknowledged step without moving the step itself.
  const shiftReraisedStep = patched('reraised-step-moves');
  const deliverNotification = deliveryActivity(input.deliveryRetry ?? DEFAULT_DELIVERY_RETRY);
  /** Outbox rows held until their recipients' working hours: id -> instant. */
  const held = new Map<string, number>((input.pendingDeliveries ?? []).map((d) => [d.id, d.notBefore ? Date.parse(d.notBefore) : 0]));
  /** Outbox rows being delivered (with the activity's retries). */
  const delivering = new Set<string>();

  const waitUntilRecorded = async (seq: number) => {
    await condition(() => recordedSeq >= seq);
    return viewBrief(state, Date.now());
  };

  for (const name of Object.keys(actionUpdates) as ActionName[]) {
    setHandler(
      actionUpdates[name],
      async (request: ActionRequest) => {
        const events = asFailure(() => applyAction(state, name, request.payload, request.actor, Date.now()));
        toRecord.push(...events);
        return waitUntilRecorded(state.seq);
      },
      { validator: (request: ActionRequest) => asFailure(() => checkAction(state, name, request.actor)) },
    );
  }
  // Edits are checked against the version the editor saw (expectedSeq), so a stale edit is
  // refused before it enters history. (A new handler adds no commands: replay-safe.)
  setHandler(
    editUpdate,
    async (request: EditRequest) => {
      const events = asFailure(() => applyEdit(state, request.changes, request.actor, Date.now()));
      toRecord.push(...events);
      return waitUntilRecorded(state.seq);
    },
    {
      validator: (request: EditRequest) =>
        asFailure(() => {
          checkEdit(state, request.actor);
          checkChanges(request.changes);
          checkExpectedSeq(state, request.expectedSeq);
        }),
    },
  );
  setHandler(
    applySlaUpdate,
    async (request: ApplySlaRequest) => {
      toRecord.push(...asFailure(() => applyPolicy(state, request.sla, request.actor, Date.now())));
      return waitUntilRecorded(state.seq);
    },
    { validator: (request: ApplySlaRequest) => asFailure(() => checkApplyPolicy(state, request.actor)) },
  );
  setHandler(syncUpdate, () => waitUntilRecorded(state.seq));
  setHandler(briefQuery, () => viewBrief(state, Date.now()));
  // The acknowledgement stops the escalation chain of its clock (until it re-escalates).
  const recordAcknowledgement = ({ escalationId, memberId }: EscalationAcknowledgement) => {
    const now = Date.now();
    const clock = acknowledgeEscalation(state, escalationId, memberId, now);
    toRecord.push(emit(state, 'escalation_acknowledged', memberId, now, { escalationId, ...(clock ? { clock } : {}) }));
  };
  setHandler(
    acknowledgeEscalationUpdate,
    async (ack: EscalationAcknowledgement) => {
      recordAcknowledgement(ack);
      return waitUntilRecorded(state.seq);
    },
    { validator: (ack: EscalationAcknowledgement) => asFailure(() => checkEscalationAcknowledgement(state, ack.escalationId)) },
  );
  setHandler(escalationAcknowledgedSignal, recordAcknowledgement);

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (input.continueAsNewAfterEvents !== undefined && info.historyLength >= input.continueAsNewAfterEvents)
    );
  };
  const idle = () =>
    toRecord.length === 0 &&
    allHandlersFinished() &&
    // A delivery in flight finishes in this run, so that no two runs ever send the same row at once.
    (outbox ? !notifying && delivering.size === 0 : carryNotifications ? true : toNotify.length === 0 && !notifying);

  /** Delivers one outbox row; a delivery given up on is recorded as failed. A brief never fails over a notification. */
  const deliver = (id: string) => {
    delivering.add(id);
    void (async () => {
      try {
        await deliverNotification({ id });
      } catch (err) {
        log.warn('notification given up', { id, error: String(err) });
        await notificationFailed({ id, error: String((err as { cause?: unknown }).cause ?? err) });
      } finally {
        delivering.delete(id);
      }
    })();
  };

  /** Sends what is due: events are planned into outbox rows, held rows are released at their instant. */
  const outboxLoop = async () => {
    for (;;) {
      // Once the brief has ended, what is held is still released at its instant.
      const ready = () => toNotify.length > 0 || handingOver || (finished && held.size === 0);
      const nextRelease = held.size ? Math.min(...held.values()) : undefined;
      if (nextRelease === undefined) await condition(ready);
      else if (nextRelease > Date.now()) await condition(ready, Math.max(1, nextRelease - Date.now()));
      if (handingOver) return;
      for (const [id, at] of [...held]) {
        if (at <= Date.now()) {
          held.delete(id);
          deliver(id);
        }
      }
      const next = toNotify.shift();
      if (!next) {
        if (finished && held.size === 0) break;
        continue;
      }
      const audience = audienceFor(next.event);
      if (audience.length === 0) continue;
      notifying = true;
      try {
        const { id, title, partyId, managerId, reviewerId, priority, dueAt } = state.brief;
        const planned = await planNotifications({
          workflowId: workflowInfo().workflowId,
          event: next.event,
          audience,
          brief: { id, title, partyId, managerId, reviewerId, priority, status: next.status, dueAt },
        });
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

  const notificationLoop = async () => {
    if (outbox) return outboxLoop();
    for (;;) {
      await condition(() => toNotify.length > 0 || finished || handingOver);
      if (handingOver) return;
      const next = toNotify.shift();
      if (!next) return;
      const { event, status } = next;
      const audience = audienceFor(event);
      if (audience.length === 0) continue;
      notifying = true;
      try {
        const { id, title, partyId, managerId, reviewerId, priority, dueAt } = state.brief;
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
  const notifications = notificationLoop();

  const flush = async () => {
    const batch = toRecord.splice(0, toRecord.length);
    const nextDue = nextClockDeadline(state);
    await recordEvents({
      workflowId: workflowInfo().workflowId,
      events: batch,
      // The timeline travels once, event by event: the read model keeps it. (A whole timeline in
      // every flush made a brief's history grow with the square of its length.)
      state: { ...state, timeline: [] },
      overdue: isOverdue(state),
      nextDueAt: nextDue === undefined || isTerminal(state.status) ? null : new Date(nextDue).toISOString(),
    });
    recordedSeq = batch[batch.length - 1].seq;
    // The read model keeps the timeline: the state holds only what is not recorded yet, so update
    // results and the continue-as-new input stay small however long the brief runs.
    state.timeline = state.timeline.filter((e) => e.seq > recordedSeq);
    toNotify.push(...batch.map((event) => ({ event, status: state.status })));
  };

  for (;;) {
    toRecord.push(...fireDueClocks(state, Date.now(), uuid4, { shiftReraisedStep }));

    if (toRecord.length > 0) {
      await flush();
      continue;
    }

    if (isTerminal(state.status) && allHandlersFinished()) break;

    if (shouldContinueAsNew() && idle()) {
      if (carryNotifications) handingOver = true;
      else finished = true;
      await notifications;
      await continueAsNew<typeof briefWorkflow>({
        ...input,
        brief: state.brief,
        state,
        pendingNotifications: toNotify,
        ...(outbox ? { pendingDeliveries: [...held].map(([id, at]) => ({ id, notBefore: at ? new Date(at).toISOString() : null })) } : {}),
      });
    }

    const deadline = nextClockDeadline(state);
    const wake = () => toRecord.length > 0 || (isTerminal(state.status) && allHandlersFinished()) || (shouldContinueAsNew() && idle());
    if (deadline === undefined) await condition(wake);
    else await condition(wake, Math.max(1, deadline - Date.now()));
  }

  // The brief has ended. Late signals (an escalation acknowledged while the last notifications
  // go out) are still recorded.
  finished = true;
  let notified = false;
  const lastNotifications = notifications.then(() => {
    notified = true;
  });
  for (;;) {
    await condition(() => toRecord.length > 0 || notified);
    if (toRecord.length === 0) break;
    await flush();
  }
  await lastNotifications;
  return viewBrief(state, Date.now());
}
