// One workflow per brief, a short orchestration over named parts: the handlers (handlers.ts)
// turn participant actions into events; the main loop fires SLA clocks at their exact instants
// and has the read-model writer (read-model.ts) record every event; the notification pump
// (notification-pump.ts) sends the notifications beside it, so a slow mail server never holds up
// the brief; a long brief continues as new with its state and what is still to be sent.
import { allHandlersFinished, condition, continueAsNew, patched, uuid4, workflowInfo } from '@temporalio/workflow';
import type { BriefView } from '../domain/brief';
import { isTerminal } from '../domain/vocabulary';
import { fireDueClocks, nextClockDeadline, viewBrief } from '../domain/sla';
import type { BriefWorkflowInput } from './definitions';
import { registerHandlers } from './handlers';
import { startNotificationPump, type NotificationPump } from './notification-pump';
import { readModelWriter } from './read-model';
import { onBranch, startRun, type BriefRun } from './run';

export { DEFAULT_DELIVERY_RETRY } from './notification-pump';

export async function briefWorkflow(input: BriefWorkflowInput): Promise<BriefView> {
  const run = startRun(input);
  const { state, toRecord } = run;
  const readModel = readModelWriter(run);
  registerHandlers(run, readModel);
  const notifications = startNotificationPump(run);

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && info.historyLength >= input.continueAsNewAfterEvents);
  };
  const idle = () => toRecord.length === 0 && allHandlersFinished() && notificationsSettled(run, notifications);

  for (;;) {
    toRecord.push(...fireDueClocks(state, Date.now(), uuid4, { shiftReraisedStep: run.patches.shiftReraisedStep }));

    if (readModel.due) {
      await readModel.flush();
      continue;
    }

    if (isTerminal(state.status) && allHandlersFinished()) break;

    if (shouldContinueAsNew() && idle()) {
      if (run.patches.carryNotifications) run.handingOver = true;
      else run.finished = true;
      await notifications.done;
      // Runs started before the outbox wait here for their last notify activity, and updates
      // accepted meanwhile would be carried unrecorded: record them first (their notifications
      // then go to the next run with the rest), and let every handler answer in this run.
      if (patched('record-before-handover')) {
        while (toRecord.length > 0 || !allHandlersFinished()) {
          if (readModel.due) await readModel.flush();
          else await condition(() => readModel.due || allHandlersFinished());
        }
      }
      await continueAsNew<typeof briefWorkflow>({
        ...input,
        brief: state.brief,
        state,
        pendingNotifications: run.toNotify,
        ...onBranch(run),
        ...(run.patches.outbox ? { pendingDeliveries: notifications.held() } : {}),
      });
    }

    const deadline = nextClockDeadline(state);
    const wake = () => readModel.due || (isTerminal(state.status) && allHandlersFinished()) || (shouldContinueAsNew() && idle());
    if (deadline === undefined) await condition(wake);
    else await condition(wake, Math.max(1, deadline - Date.now()));
  }

  // The brief has ended. Late signals (an escalation acknowledged while the last notifications
  // go out) are still recorded.
  run.finished = true;
  let notified = false;
  const lastNotifications = notifications.done.then(() => {
    notified = true;
  });
  for (;;) {
    await condition(() => readModel.due || notified);
    if (!readModel.due) break;
    await readModel.flush();
  }
  await lastNotifications;
  return viewBrief(state, Date.now());
}

/**
 * Whether the notifications let the run continue as new: on the outbox, no event being planned
 * and no delivery in flight (a delivery finishes in the run that started it, so that no two runs
 * ever send the same row at once); before it, nothing being notified, and before continue-as-new
 * carried notifications, nothing left to notify either.
 */
function notificationsSettled(run: BriefRun, notifications: NotificationPump): boolean {
  if (run.patches.outbox) return !notifications.busy;
  if (run.patches.carryNotifications) return true;
  return run.toNotify.length === 0 && !notifications.notifying;
}
