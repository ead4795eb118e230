// The events of a brief's timeline, one data shape per type. Events are facts: the read model
// keeps them as they were recorded, and recorded workflow histories carry them in every shape
// they ever had. A field added to an event after briefs were already running is optional here,
// since events of those briefs lack it.
import type { Agreement } from './policy';
import type { Delegation, ReviewDecision, ReviewPlan, StageOutcome } from './review';
import type { BriefEventType, ClockName, Priority, Role } from './vocabulary';

/** The fields a brief_edited event names: the changed ones, with their new values or their old ones. */
export type EditedFields = {
  title?: string;
  description?: string;
  dueAt?: string | null;
  reviewerId?: string | null;
  /** A new manager (reassignment); only in edits made since managers could be reassigned. */
  managerId?: string;
  priority?: Priority;
  targetsMs?: Record<ClockName, number>;
  /** A review plan set or removed before the first delivery. */
  reviewPlan?: ReviewPlan | null;
};

/** A reviewer's reason or note, as the outcome of a review carries them. */
export type ReviewNote = { reviewerId: string; note: string; stage: string };

/** The policy and calendar versions a brief runs under, as sla_policy_applied names them. */
export type AppliedPolicy = {
  policyId: string;
  policyVersion: number;
  calendarId: string | null;
  calendarVersion: number;
};

// Type aliases rather than interfaces: a reader that treats every type alike (a message listing
// whatever details an event has) can read any of them as a Record<string, unknown>.
export type EventData = {
  brief_created: { title: string; partyId: string; priority: Priority };
  acknowledged: { note?: string };
  declined: { reason?: string };
  clarification_requested: { question: string };
  /** question: absent when no question was open. */
  clarification_answered: { answer: string; question?: string };
  delivered: { version: number; summary: string; links: string[]; submittedBy: string; submittedAt: string };
  /** reasons, stage: under a review plan, every reason of the stage that failed. */
  changes_requested: { reason?: string; revision: number; reasons?: ReviewNote[]; stage?: string };
  /** changes: under a review plan, the notes of approvals with changes, to apply without another round. */
  approved: { note?: string; revision: number; changes?: ReviewNote[]; automatic?: boolean };
  cancelled: { reason?: string };
  comment_added: { body: string; role: Role };
  /** share: of the target at which the warning came. */
  sla_warning: { clock: ClockName; share: number; dueAt: string | null; round: number; reviewers?: string[] };
  sla_breached: { clock: ClockName; dueAt: string | null; round: number };
  escalation_raised: {
    escalationId: string;
    clock: ClockName;
    level: number;
    round: number;
    /** When the escalated step was due. Absent in events of briefs from before it was recorded. */
    dueAt?: string | null;
    // Under an SLA policy only: briefs created before policies escalate once, to fixed roles.
    repeat?: number;
    agreement?: Agreement;
    /** Whom the level notifies: policy roles and member ids. */
    notify?: string[];
    /** Set on the re-escalation of an acknowledged escalation that `follows` names (absent in older events). */
    reescalation?: boolean;
    follows?: string;
  };
  /** clock: absent in events of briefs from before it was recorded, and for an escalation of an earlier round. */
  escalation_acknowledged: { escalationId: string; clock?: ClockName };
  brief_edited: { changes: EditedFields; before: EditedFields };
  brief_held: { reason?: string };
  /** heldSince: absent when the brief was not on hold. */
  brief_resumed: { note?: string; heldSince?: string };
  /** before: null for a brief that ran without a policy. */
  sla_policy_applied: AppliedPolicy & { before: AppliedPolicy | null };
  /** A stage of the review plan opens for its reviewers. */
  review_stage_opened: { stage: number; name: string; reviewers: string[]; revision: number; dueAt: string | null };
  /** A reviewer's decision; `by` acted on their behalf when delegated, nobody when automatic. */
  review_decided: {
    stage: number;
    name: string;
    reviewerId: string;
    decision: ReviewDecision;
    note?: string;
    revision: number;
    delegation?: Delegation;
    automatic?: boolean;
  };
  /** A reviewer hands their review of the open stage to a colleague. */
  review_handed_over: { stage: number; name: string; reviewerId: string; to: string; revision: number };
  review_stage_closed: { stage: number; name: string; outcome: StageOutcome; revision: number; timedOut?: boolean };
};

/** An event of a brief's timeline: narrowing on `type` gives its data's shape. */
export type TimelineEvent = {
  [T in BriefEventType]: {
    seq: number;
    type: T;
    /** Member id of whoever acted, or null for the system (clocks). */
    actor: string | null;
    at: string;
    data: EventData[T];
  };
}[BriefEventType];

/** An event of the given type (or types): `EventOf<'delivered'>`. */
export type EventOf<T extends BriefEventType> = Extract<TimelineEvent, { type: T }>;

/** A filter for events of one type: `events.filter(isEvent('delivered'))`. */
export function isEvent<T extends BriefEventType>(type: T): (event: TimelineEvent) => event is EventOf<T> {
  return (event): event is EventOf<T> => event.type === type;
}
