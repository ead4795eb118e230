// The brief's live state and the view the API renders of it. Pure data, shared by the workflow,
// the activities (which persist it) and the API. Its vocabulary is in vocabulary.ts, its events
// in events.ts.
import type { TimelineEvent } from './events';
import type { BriefSla } from './policy';
import type { ReviewPlan, ReviewState, ReviewView } from './review';
import type { BriefStatus, ClockName, Priority } from './vocabulary';

export type TargetsMs = Record<ClockName, number>;

/** What the brief was created with. */
export interface BriefInput {
  id: string;
  title: string;
  description: string;
  partyId: string;
  managerId: string;
  reviewerId: string | null;
  priority: Priority;
  dueAt: string | null;
  deliverables: string[];
  /** Target of each clock in milliseconds; deliver is used when the brief has no dueAt and for revisions. */
  targetsMs: TargetsMs;
  /**
   * The SLA targets the creator set for this brief (ISO 8601 durations), as opposed to the defaults
   * of its priority. A change of priority moves only the other clocks to the new priority's
   * defaults. Briefs created before this field existed lack it: none of their clocks count as
   * overridden.
   */
  targetOverrides?: Partial<Record<ClockName, string>>;
  /**
   * The SLA policy and calendar the brief runs under, fixed when it is created (an admin may
   * apply a changed policy explicitly). Briefs created before policies existed lack it: their
   * clocks count wall-clock time and escalate once at the breach.
   */
  sla?: BriefSla;
  /**
   * The stages of review a delivery passes through (set at creation, or by an edit before the
   * first delivery). Absent: one stage, the brief's reviewer else its manager, rule any.
   */
  reviewPlan?: ReviewPlan;
  /** The program the brief belongs to, with what the briefs it depends on delivered. */
  program?: ProgramContext;
}

/** A brief's place in a program: the program, its key there, and its dependencies' last deliveries. */
export interface ProgramContext {
  id: string;
  name: string;
  key: string;
  inputs: { key: string; briefId: string; title: string; delivery: DeliveryVersion | null }[];
}

export type ClockPhase = 'pending' | 'running' | 'paused' | 'done' | 'stopped';
export type ClockState = 'pending' | 'running' | 'paused' | 'met' | 'breached' | 'stopped';

export interface Clock {
  phase: ClockPhase;
  targetMs: number;
  /** How often this clock has been started: the review clock restarts with every delivery. */
  round: number;
  startedAt: string | null;
  /** Time counted before the current running stretch. */
  accumulatedMs: number;
  runningSince: string | null;
  dueAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  completedAt: string | null;
  // The fields below belong to clocks under an SLA policy (briefs created before policies lack them).
  /** The ISO target this round counts to; null when it follows the brief's dueAt. */
  target?: string | null;
  /** Business time counted when the warning is due. */
  warnMs?: number;
  /** The escalation chain after the breach: offsets of counted business time past the target. */
  steps?: EscalationStep[];
  /** Index into steps of the next escalation to raise. */
  nextStep?: number;
  /** Escalations raised in this round. */
  raised?: RaisedEscalation[];
  /** Set when an escalation of this round was acknowledged: the chain stops until it re-escalates. */
  ack?: EscalationAck | null;
  /** The closed running stretches of this round [from, to), so its time can be recounted under another calendar. */
  stretches?: [string, string][];
  /** Why the clock is paused: an open clarification, the brief on hold. */
  pausedFor?: ('clarification' | 'hold')[];
}

export interface EscalationStep {
  level: number;
  /** 0 for a level of the chain, n for the n-th repeat of the last level. */
  repeat: number;
  /** Business time past the target at which this step is raised. */
  ms: number;
}

export interface RaisedEscalation {
  escalationId: string;
  level: number;
  repeat: number;
  /** The step of the chain it was raised for. */
  index: number;
  at: string;
}

export interface EscalationAck {
  escalationId: string;
  memberId: string;
  at: string;
  /** Business time the clock had counted when the escalation was acknowledged. */
  elapsedMs: number;
  /** The chain step of the acknowledged escalation. */
  index: number;
}

export interface Hold {
  since: string;
  by: string;
  reason: string | null;
}

export interface DeliveryVersion {
  version: number;
  summary: string;
  links: string[];
  submittedBy: string;
  submittedAt: string;
}

export interface Clarification {
  question: string;
  askedBy: string;
  askedAt: string;
  returnTo: BriefStatus;
}

export interface BriefState {
  brief: BriefInput;
  status: BriefStatus;
  revision: number;
  deliveries: DeliveryVersion[];
  clocks: Record<ClockName, Clock>;
  openClarification: Clarification | null;
  /** Set while a manager has put the brief on hold: its clocks stand still. */
  hold?: Hold | null;
  /**
   * The events not yet recorded into the read model, which keeps the whole timeline: the
   * workflow empties it once a batch is recorded, so a long brief's state stays small. (Older
   * runs carried the whole timeline; pure functions and tests may still keep it whole.)
   */
  timeline: TimelineEvent[];
  /**
   * Every escalation the brief raised, by id: true once acknowledged. Absent in states of older
   * runs, whose timeline was whole: derived from it then (see escalationsOf).
   */
  escalations?: Record<string, boolean>;
  /** The review of the current (or last) delivery under the brief's review plan; absent without a plan. */
  review?: ReviewState | null;
  seq: number;
  createdAt: string;
  updatedAt: string;
}

/** The brief as the API shows it. */
export interface BriefView {
  id: string;
  title: string;
  description: string;
  partyId: string;
  managerId: string;
  reviewerId: string | null;
  priority: Priority;
  status: BriefStatus;
  revision: number;
  dueAt: string | null;
  deliverables: string[];
  deliveries: DeliveryVersion[];
  clarification: Clarification | null;
  hold: Hold | null;
  /** The policy and calendar the clocks run under; null for briefs created before policies. */
  slaPolicy: SlaPolicyRef | null;
  sla: Record<ClockName, ClockView>;
  /** The brief's review plan; null for a brief reviewed by its reviewer (else its manager) alone. */
  reviewPlan: ReviewPlan | null;
  /** The review of the current or last delivery, stage by stage; null before a delivery or without a plan. */
  review: ReviewView | null;
  /** The program the brief belongs to, with its dependencies' deliveries; null outside a program. */
  program: ProgramContext | null;
  timeline: TimelineEvent[];
  createdAt: string;
  updatedAt: string;
}

export interface ClockView {
  state: ClockState;
  dueAt: string | null;
  targetMs: number;
  elapsedMs: number;
  remainingMs: number;
  startedAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  completedAt: string | null;
  /** Why the clock is not counting now: clarification, hold, outside_working_hours. */
  pausedFor: string[];
  /** When the warning is due while the clock runs on; null once warned or while paused. */
  warnsAt: string | null;
  /** The highest escalation level raised in this round; 0 when none. */
  escalationLevel: number;
  escalationAcknowledged: boolean;
  /** When the next escalation of the chain is raised while the clock runs on; while an acknowledged chain waits, when it re-escalates. */
  nextEscalationAt: string | null;
}

export interface SlaPolicyRef {
  id: string;
  name: string;
  version: number;
  calendarId: string | null;
  calendarName: string;
  timezone: string;
  agreement: 'internal' | 'external';
}
