// The messages a brief workflow accepts and answers, defined beside it and shared with the API.
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BriefInput, BriefState, BriefView } from '../domain/brief';
import type { TimelineEvent } from '../domain/events';
import type { Actor, BriefStatus } from '../domain/vocabulary';
import type { BriefChanges } from '../domain/edit';
import type { BriefSla } from '../domain/policy';
import type { ActionName, ActionPayloads } from '../domain/transitions';

export interface ActionRequest<A extends ActionName = ActionName> {
  actor: Actor;
  payload: ActionPayloads[A];
}

/**
 * Every update (and the query) answers the brief's view. Its `timeline` holds only the events the
 * read model has not recorded yet, empty once an update has been recorded: the read model keeps
 * the whole timeline, and a long brief's answers stay small.
 */
export const actionUpdates: Record<ActionName, UpdateDefinition<BriefView, [ActionRequest]>> = {
  acknowledge: defineUpdate('acknowledge'),
  decline: defineUpdate('decline'),
  askClarification: defineUpdate('askClarification'),
  answerClarification: defineUpdate('answerClarification'),
  deliver: defineUpdate('deliver'),
  approve: defineUpdate('approve'),
  requestChanges: defineUpdate('requestChanges'),
  cancel: defineUpdate('cancel'),
  comment: defineUpdate('comment'),
  hold: defineUpdate('hold'),
  resume: defineUpdate('resume'),
  review: defineUpdate('review'),
  handOverReview: defineUpdate('handOverReview'),
};

export interface EditRequest {
  actor: Actor;
  /**
   * The sequence number of the brief's last event when the editor read it (what its ETag
   * stands for). The update is rejected as PreconditionFailed, before it enters history, when
   * the brief has moved on since.
   */
  expectedSeq: number;
  changes: BriefChanges;
}

/** A manager edits the brief's editable fields; answers the brief once the edit is recorded. */
export const editUpdate = defineUpdate<BriefView, [EditRequest]>('edit');

/** Waits until everything the brief has done so far is recorded, then returns the brief. */
export const syncUpdate = defineUpdate<BriefView>('sync');

export interface ApplySlaRequest {
  actor: Actor;
  /** The policy (and calendar) as they are now; the brief's clocks are recomputed under it. */
  sla: BriefSla;
}

/**
 * An admin applies a changed policy or calendar to a running brief: its clocks are recomputed
 * from the time they have run (never reset). Answers the brief once the change is recorded.
 */
export const applySlaUpdate = defineUpdate<BriefView, [ApplySlaRequest]>('applySla');

export const briefQuery = defineQuery<BriefView>('brief');

/** Where the brief stands against the read model: what the reconciler compares. */
export interface RecordedState {
  status: BriefStatus;
  /** The sequence number of the brief's last event. */
  seq: number;
  /** The last one recorded into the read model. */
  recordedSeq: number;
  /** The branch of history after a reset (see BriefWorkflowInput.branch); null before. */
  branch: string | null;
}

export const recordedQuery = defineQuery<RecordedState>('recorded');

/**
 * Records the brief's state into the read model again, as the workflow knows it (the reconciler's
 * repair of a read model that drifted: a write lost, a reset that undid events); answers where the
 * brief stands once it is recorded.
 */
export const refreshReadModelUpdate = defineUpdate<RecordedState>('refreshReadModel');

export interface EscalationAcknowledgement {
  escalationId: string;
  memberId: string;
}

/**
 * A watcher or manager acknowledges an escalation the brief raised: the chain of its clock stops
 * (until it re-escalates). Refused before it enters history when the brief never raised it
 * (NotFound) or it is already acknowledged (IllegalTransition). Answers the brief once the
 * acknowledgement is recorded, escalation row and feed entry included.
 */
export const acknowledgeEscalationUpdate = defineUpdate<BriefView, [EscalationAcknowledgement]>('acknowledgeEscalation');

/**
 * How acknowledgements arrived before acknowledgeEscalationUpdate: the API wrote the escalation
 * row, then signalled. Kept handled for running briefs and recorded histories that hold it.
 */
export const escalationAcknowledgedSignal = defineSignal<[EscalationAcknowledgement]>('escalationAcknowledged');

export interface BriefWorkflowInput {
  brief: BriefInput;
  /** Carried over by continue-as-new. */
  state?: BriefState;
  /** Notifications not yet sent when the previous run continued as new. */
  pendingNotifications?: PendingNotification[];
  /** Continue as new once history holds this many events, besides whenever the server suggests it. */
  continueAsNewAfterEvents?: number;
  /** Outbox rows still held when the previous run continued as new. */
  pendingDeliveries?: { id: string; notBefore: string | null }[];
  /** How deliveries are retried; the defaults (10 s doubling up to 1 h, for a day) unless set. */
  deliveryRetry?: DeliveryRetry;
  /**
   * The task queue notification deliveries run on, apart from the brief's own, so that a flood of
   * them never holds up the read model and participants' actions. Unset (briefs started before
   * it): the brief's own queue.
   */
  deliveryTaskQueue?: string;
  /**
   * Set the search attributes of the brief (search-attributes.ts): the starter found them
   * registered in the namespace. Unset (briefs started before them, or a namespace without them):
   * the workflow sets none, since an unregistered attribute would fail its workflow tasks.
   */
  searchAttributes?: boolean;
  /**
   * The run that began this brief's branch of history when an operator reset its workflow, carried
   * by continue-as-new: the events of a branch take the place of those the reset undid, in the
   * read model and the outbox. Unset until a reset.
   */
  branch?: string;
}

export interface DeliveryRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** Attempts stop this long after the first one; the notification is then recorded as failed. */
  deadlineMs: number;
  /** One attempt may take this long before it counts as lost (a worker that died mid-send); 1 minute by default. */
  attemptTimeoutMs?: number;
}

export interface PendingNotification {
  event: TimelineEvent;
  /** The brief's status right after the event, which the notification reports. */
  status: BriefStatus;
}
