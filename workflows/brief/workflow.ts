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
import { acknowledgeEscalation, fireDueClocks, isOverdue, nextClockDeadline, viewBrief } from '../domain/sla';
import { applyEdit, applyPolicy, checkApplyPolicy, checkChanges, checkEdit, checkExpectedSeq } from '../domain/edit';
import { ActionRejected, applyAction, checkAction, emit, initialState } from '../domain/transitions';
import type { ActionName } from '../domain/transitions';
import {
  actionUpdates,
  applySlaUpdate,
  briefQuery,
  editUpdate,
  escalationAcknowledgedSignal,
  syncUpdate,
  type ActionRequest,
  type ApplySlaRequest,
  type BriefWorkflowInput,
  type EditRequest,
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
  setHandler(escalationAcknowledgedSignal, ({ escalationId, memberId }) => {
    const now = Date.now();
    const clock = acknowledgeEscalation(state, escalationId, memberId, now);
    toRecord.push(emit(state, 'escalation_acknowledged', memberId, now, { escalationId, ...(clock ? { clock } : {}) }));
  });

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (input.continueAsNewAfterEvents !== undefined && info.historyLength >= input.continueAsNewAfterEvents)
    );
  };
  const idle = () =>
    toRecord.length === 0 && allHandlersFinished() && (carryNotifications ? true : toNotify.length === 0 && !notifying);

  const notificationLoop = async () => {
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
      state,
      overdue: isOverdue(state),
      nextDueAt: nextDue === undefined || isTerminal(state.status) ? null : new Date(nextDue).toISOString(),
    });
    recordedSeq = batch[batch.length - 1].seq;
    toNotify.push(...batch.map((event) => ({ event, status: state.status })));
  };

  for (;;) {
    toRecord.push(...fireDueClocks(state, Date.now(), uuid4));

    if (toRecord.length > 0) {
      await flush();
      continue;
    }

    if (isTerminal(state.status) && allHandlersFinished()) break;

    if (shouldContinueAsNew() && idle()) {
      if (carryNotifications) handingOver = true;
      else finished = true;
      await notifications;
      await continueAsNew<typeof briefWorkflow>({ ...input, brief: state.brief, state, pendingNotifications: toNotify });
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
