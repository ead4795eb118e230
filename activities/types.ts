// The activity contracts the workflows call: a leaf that imports nothing from the activities
// themselves. Workflows import its types and its failure type names.
import type { ProgramHeldNoticeInput, ProgramRecord } from '../workflows/program/definitions';
import type { Audience } from '../workflows/domain/audience';
import type { BriefState, BriefView } from '../workflows/domain/brief';
import type { TimelineEvent } from '../workflows/domain/events';

/**
 * The type of the non-retryable failure of an activity whose write the database refused for good
 * (activities/permanent-failures.ts); the workflow carries on without that write.
 */
export const PERMANENT_DATABASE_ERROR = 'PermanentDatabaseError';

export interface RecordEventsInput {
  workflowId: string;
  events: TimelineEvent[];
  /**
   * The brief's live state after these events, which the API renders with live clocks; without
   * its timeline (empty), which the read model keeps event by event. (Briefs on older workers
   * send it whole; it is stored as it comes and read from the events all the same.)
   */
  state: BriefState;
  overdue: boolean;
  nextDueAt: string | null;
  /**
   * The branch of history the events belong to after an operator reset the workflow (the Run Id
   * of the reset run, carried by continue-as-new); unset before any reset. The first batch of a
   * new branch replaces the events the reset undid, from its first sequence number on; a batch of
   * the branch a reset abandoned is stale and ignored.
   */
  branch?: string;
  /**
   * Records the state even without events and whatever the read model holds (the reconciler asked
   * the workflow to, having found the read model drifted).
   */
  refresh?: boolean;
}

export interface NotifyInput {
  workflowId: string;
  event: TimelineEvent;
  audience: Audience[];
  brief: Pick<BriefView, 'id' | 'title' | 'partyId' | 'managerId' | 'reviewerId' | 'priority' | 'status' | 'dueAt'>;
  /** The attempt after which a failing delivery is recorded as failed instead of retried. */
  maxAttempts: number;
}

/** An event to plan into outbox rows, for the audience its type calls for. */
export interface PlanInput {
  workflowId: string;
  event: TimelineEvent;
  audience: Audience[];
  brief: Pick<BriefView, 'id' | 'title' | 'partyId' | 'managerId' | 'reviewerId' | 'priority' | 'status' | 'dueAt'>;
  /** The branch of history after a reset (see RecordEventsInput.branch). */
  branch?: string;
}

export interface PlannedDelivery {
  id: string;
  /** Held until then (the recipient's working hours); null to send at once. */
  notBefore: string | null;
}

export interface BriefActivities {
  recordEvents(input: RecordEventsInput): Promise<void>;
  /** Briefs started before the outbox notify through this one activity per event. */
  notify(input: NotifyInput): Promise<void>;
  /** The outbox rows of an event: one per recipient and chosen channel, held in quiet hours. */
  planNotifications(input: PlanInput): Promise<PlannedDelivery[]>;
  /** Sends one outbox row; throws (to be retried) on a transient failure. */
  deliverNotification(input: { id: string }): Promise<void>;
  /** Records that an outbox row's delivery was given up on. */
  notificationFailed(input: { id: string; error: string }): Promise<void>;
}

export interface ProgramActivities {
  /** Writes the program (its briefs' keys, states and ids) into the read model; only ever forward. */
  recordProgram(record: ProgramRecord): Promise<void>;
  /** Cancels a running brief of a cancelled program through its workflow (once, by update id); a brief that has ended is left as it is. */
  cancelProgramBrief(input: { workflowId: string; actorId: string; reason: string }): Promise<void>;
  /**
   * The outbox row of the notice to the program's owner that a declined or cancelled brief holds
   * others (email, if the owner takes that brief outcome's notifications by email), keyed by the
   * program's workflow id and the ended brief's id: the row still to send, none once it went out.
   * deliverNotification sends it.
   */
  planProgramHeldNotice(input: ProgramHeldNoticeInput): Promise<PlannedDelivery[]>;
}

export interface ScorecardEmailActivities {
  /**
   * The outbox rows of a month's scorecard emails, one per recipient who opted in (party leads and
   * managers), keyed by month and member: the rows still to send (none once the month went out).
   */
  planScorecardEmails(input: { month: string }): Promise<PlannedDelivery[]>;
}

/** Where paging through the briefs of a policy application has got to: the last brief read, in (createdAt, id) order. */
export interface BriefCursor {
  createdAt: string;
  id: string;
}

export interface PolicyApplicationPageInput {
  applicationId: string;
  /** Read after this brief; null for the first page. */
  after: BriefCursor | null;
  limit: number;
}

export interface PolicyApplicationBrief {
  briefId: string;
  workflowId: string;
  createdAt: string;
}

export interface ApplyPolicyToBriefInput {
  applicationId: string;
  briefId: string;
  workflowId: string;
}

/** What an application did to a brief: `skipped` when its workflow had ended, `failed` when the workflow refused or did not answer in time. */
export type PolicyApplicationOutcome = 'applied' | 'skipped' | 'failed';

export interface PolicyApplicationCounts {
  done: number;
  applied: number;
  skipped: number;
  failed: number;
}

export interface PolicyApplicationActivities {
  /** The next page of briefs under the application's policy that had not ended when it started. */
  readPolicyApplicationPage(input: PolicyApplicationPageInput): Promise<PolicyApplicationBrief[]>;
  /** Applies the policy to one brief through its workflow (once, under an update id of the application and brief) and records the outcome. */
  applyPolicyToBrief(input: ApplyPolicyToBriefInput): Promise<PolicyApplicationOutcome>;
  /** Writes the application's progress from the outcomes recorded so far. */
  recordPolicyApplicationProgress(input: { applicationId: string }): Promise<PolicyApplicationCounts>;
  /** Ends the application: completed, or failed with `error`; audited once. */
  finishPolicyApplication(input: { applicationId: string; error?: string }): Promise<PolicyApplicationCounts>;
}

/** What the reconciler found wrong with one brief and did about it. */
export interface ReconcilerRepair {
  briefId: string;
  /**
   * `resumed`: its workflow was terminated, failed, timed out or gone, and a new run carries on
   * from the last recorded state; `ended`: its workflow had completed while the read model still
   * showed it open; `refreshed`: the read model had drifted from the running workflow (a lost or
   * refused write, a reset that undid events) and the workflow recorded its state again.
   */
  repair: 'resumed' | 'ended' | 'refreshed';
  /** What differed, in words. */
  found: string;
}

export interface ReconcilePageInput {
  /** The id of the last brief of the previous page; null for the first. */
  after: string | null;
  limit: number;
  /** Identifies the reconciler run, so that a retried page asks each workflow for the same refresh. */
  round: string;
}

export interface ReconcilePage {
  checked: number;
  repairs: ReconcilerRepair[];
  /** Where the next page starts; null after the last one. */
  next: string | null;
}

export interface ReconcilerActivities {
  /** Compares a page of the briefs the read model shows open with their workflows and repairs what differs. */
  reconcilePage(input: ReconcilePageInput): Promise<ReconcilePage>;
}
