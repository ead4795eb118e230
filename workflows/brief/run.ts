// What one run of a brief's workflow shares between its parts (the handlers, the read-model
// writer, the notification pump and the main loop in workflow.ts): the brief's state, the events
// waiting to be recorded and notified, and the patches the run was started under.
import { patched, workflowInfo } from '@temporalio/workflow';
import type { BriefState } from '../domain/brief';
import type { TimelineEvent } from '../domain/events';
import { escalationsOf } from '../domain/sla';
import { initialState } from '../domain/transitions';
import type { BriefWorkflowInput, PendingNotification } from './definitions';

export interface BriefRun {
  input: BriefWorkflowInput;
  state: BriefState;
  /** Events not yet recorded into the read model. */
  toRecord: TimelineEvent[];
  /** Recorded events to notify about, with the brief's status when they happened. */
  toNotify: PendingNotification[];
  patches: {
    /** Briefs started before it drain every notification before continuing as new. */
    carryNotifications: boolean;
    /** Briefs started before the outbox notify through one activity per event (activities/legacy). */
    outbox: boolean;
    /** Briefs started before it re-raise an acknowledged step without moving the step itself. */
    shiftReraisedStep: boolean;
  };
  /** The branch of history after an operator reset the workflow (see BriefWorkflowInput.branch). */
  branch: string | undefined;
  /** The brief has ended: the notification pump sends what is left and stops. */
  finished: boolean;
  /** Continuing as new: the notification pump hands its queue to the next run. */
  handingOver: boolean;
}

export function startRun(input: BriefWorkflowInput): BriefRun {
  const state: BriefState = input.state ?? initialState(input.brief, Date.now());
  // A state carried over from an older run has its whole timeline: its escalations are noted
  // before the timeline is emptied.
  escalationsOf(state);
  // The patches, in the order the first runs recorded their markers.
  const carryNotifications = patched('continue-as-new-carries-notifications');
  const outbox = patched('notification-outbox');
  const shiftReraisedStep = patched('reraised-step-moves');
  // A reset run keeps the Run Id of the run it was reset from as its original one: from here on
  // its events replace those the reset undid (see RecordEventsInput.branch). Only activity inputs
  // depend on it, so replaying a history is unaffected.
  const info = workflowInfo();
  return {
    input,
    state,
    toRecord: input.state ? [] : [...state.timeline],
    toNotify: [...(input.pendingNotifications ?? [])],
    patches: { carryNotifications, outbox, shiftReraisedStep },
    branch: info.runId !== info.originalExecutionRunId ? info.runId : input.branch,
    finished: false,
    handingOver: false,
  };
}

/** The branch to name in activity inputs: nothing before a reset, so inputs stay as they were. */
export const onBranch = (run: BriefRun): { branch?: string } => (run.branch ? { branch: run.branch } : {});
