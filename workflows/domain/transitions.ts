// The brief's state machine: who may do what from which status, and what each action does to
// the state and its clocks. Pure and synchronous, so workflow update validators can call
// `checkAction` before anything enters history.
import type { BriefState } from './brief';
import type { EventData, EventOf, TimelineEvent } from './events';
import type { Actor, BriefEventType, BriefStatus, ClockName, Role } from './vocabulary';
import { CLOCKS, isTerminal } from './vocabulary';
import { businessTimeBetween } from './calendar';
import { businessTarget, finishClock, pendingClock, setPauseReasons, startClock, type PauseReason } from './clock';
import { slaOf } from './policy';

export type ActionName =
  | 'acknowledge'
  | 'decline'
  | 'askClarification'
  | 'answerClarification'
  | 'deliver'
  | 'approve'
  | 'requestChanges'
  | 'cancel'
  | 'comment'
  | 'hold'
  | 'resume';

export interface ActionPayloads {
  acknowledge: { note?: string };
  decline: { reason: string };
  askClarification: { question: string };
  answerClarification: { answer: string };
  deliver: { summary: string; links?: string[] };
  approve: { note?: string };
  requestChanges: { reason: string };
  cancel: { reason: string };
  comment: { body: string };
  hold: { reason?: string };
  resume: { note?: string };
}

interface Rule {
  roles: readonly Role[];
  /** Statuses the action is legal in; undefined means any status that is not terminal. */
  from?: readonly BriefStatus[];
}

export const RULES: Record<ActionName, Rule> = {
  acknowledge: { roles: ['member'], from: ['awaiting_ack'] },
  decline: { roles: ['member'], from: ['awaiting_ack', 'in_progress'] },
  askClarification: { roles: ['member'], from: ['awaiting_ack', 'in_progress'] },
  answerClarification: { roles: ['manager'], from: ['clarification_requested'] },
  deliver: { roles: ['member'], from: ['in_progress', 'changes_requested'] },
  approve: { roles: ['manager'], from: ['in_review'] },
  requestChanges: { roles: ['manager'], from: ['in_review'] },
  cancel: { roles: ['manager'] },
  comment: { roles: ['manager', 'member'] },
  hold: { roles: ['manager'] },
  resume: { roles: ['manager'] },
};

/**
 * Why the state machine refuses: the actor's role or party (Forbidden), the brief's status
 * (IllegalTransition), an edit based on a version of the brief that is no longer current
 * (PreconditionFailed), an edit no brief can take (InvalidInput), or something the brief does not
 * know of, such as an escalation it never raised (NotFound).
 */
export type RejectionKind = 'Forbidden' | 'IllegalTransition' | 'PreconditionFailed' | 'InvalidInput' | 'NotFound';

export class ActionRejected extends Error {
  constructor(
    readonly kind: RejectionKind,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRejected';
  }
}

/** Throws ActionRejected when the actor may not take this action on the brief now. */
export function checkAction(state: BriefState, action: ActionName, actor: Actor): void {
  const rule = RULES[action];
  if (!rule.roles.includes(actor.role)) {
    throw new ActionRejected('Forbidden', `role ${actor.role} may not ${action}`);
  }
  if (actor.role === 'member' && actor.partyId !== state.brief.partyId) {
    throw new ActionRejected('Forbidden', `${action} is for the brief's own party`);
  }
  const legal = rule.from ? rule.from.includes(state.status) : !isTerminal(state.status);
  if (!legal) {
    throw new ActionRejected('IllegalTransition', `cannot ${action} a brief that is ${state.status}`);
  }
  if (action === 'hold' && state.hold) throw new ActionRejected('IllegalTransition', 'the brief is already on hold');
  if (action === 'resume' && !state.hold) throw new ActionRejected('IllegalTransition', 'the brief is not on hold');
}

export function initialState(brief: BriefState['brief'], now: number): BriefState {
  const at = new Date(now).toISOString();
  const state: BriefState = {
    brief,
    status: 'awaiting_ack',
    revision: 0,
    deliveries: [],
    clocks: {
      acknowledge: pendingClock(brief.targetsMs.acknowledge),
      deliver: pendingClock(brief.targetsMs.deliver),
      review: pendingClock(brief.targetsMs.review),
    },
    openClarification: null,
    timeline: [],
    seq: 0,
    createdAt: at,
    updatedAt: at,
  };
  startStep(state, 'acknowledge', now, false);
  emit(state, 'brief_created', brief.managerId, now, { title: brief.title, partyId: brief.partyId, priority: brief.priority });
  return state;
}

/** Appends an event to the timeline and returns it. */
export function emit<T extends BriefEventType>(state: BriefState, type: T, actor: string | null, now: number, data: EventData[T]): EventOf<T> {
  state.seq += 1;
  // The union cannot be built from a type parameter without this one assertion: `data` matches `type` by the signature.
  const event = { seq: state.seq, type, actor, at: new Date(now).toISOString(), data } as EventOf<T>;
  state.timeline.push(event);
  state.updatedAt = event.at;
  return event;
}

/**
 * The ISO target of a clock under the brief's policy: the brief's own override, else the policy's
 * target for the brief's priority. Undefined for briefs without a policy.
 */
export function policyTarget(state: BriefState, name: ClockName): string | undefined {
  const { brief } = state;
  if (!brief.sla) return undefined;
  return brief.targetOverrides?.[name] ?? brief.sla.policyTargets[name]?.[brief.priority];
}

/**
 * A clock's target from now, in business time, and the ISO duration it came from. The first
 * round of the deliver clock counts to the brief's dueAt when it has one (the working time until
 * then; null as its ISO target); every other round counts the policy's target.
 */
export function stepTarget(state: BriefState, name: ClockName, now: number, followDueAt: boolean): { targetMs: number; target: string | null } {
  const { brief } = state;
  const sla = slaOf(state);
  if (followDueAt && brief.dueAt) {
    const until = Date.parse(brief.dueAt);
    return { targetMs: brief.sla ? businessTimeBetween(sla.calendar, now, until) : Math.max(0, until - now), target: null };
  }
  const iso = policyTarget(state, name);
  if (iso === undefined) return { targetMs: brief.targetsMs[name], target: null };
  return { targetMs: businessTarget(sla, now, iso), target: iso };
}

/** Starts (a new round of) a clock with its target from now. */
function startStep(state: BriefState, name: ClockName, now: number, followDueAt: boolean): void {
  const { targetMs, target } = stepTarget(state, name, now, followDueAt);
  startClock(state.clocks[name], targetMs, now, slaOf(state), target);
}

/**
 * Pauses the clocks that must stand still and resumes the others: every clock while the brief is
 * on hold, the acknowledge and deliver clocks while a clarification is open.
 */
export function syncPauses(state: BriefState, now: number): void {
  const sla = slaOf(state);
  for (const name of CLOCKS) {
    const reasons: PauseReason[] = [];
    if (state.openClarification && name !== 'review') reasons.push('clarification');
    if (state.hold) reasons.push('hold');
    setPauseReasons(state.clocks[name], reasons, now, sla);
  }
}

/** The brief ends early: running clocks stop and an open question is closed unanswered. */
function stopRunningClocks(state: BriefState, now: number): void {
  state.openClarification = null;
  for (const name of CLOCKS) finishClock(state.clocks[name], now, 'stopped', slaOf(state));
}

/** Applies a checked action. Returns the events it emitted. */
export function applyAction<A extends ActionName>(
  state: BriefState,
  action: A,
  payload: ActionPayloads[A],
  actor: Actor,
  now: number,
): TimelineEvent[] {
  checkAction(state, action, actor);
  // A type parameter does not narrow its payload: the union of (action, payload) pairs does.
  const events = act(state, { action, payload } as ActionCall, actor, now);
  syncPauses(state, now);
  return events;
}

/** An action with its own payload: switching on `action` narrows `payload`. */
type ActionCall = { [A in ActionName]: { action: A; payload: ActionPayloads[A] } }[ActionName];

function act(state: BriefState, { action, payload: p }: ActionCall, actor: Actor, now: number): TimelineEvent[] {
  const who = actor.memberId;
  const { clocks } = state;
  const sla = slaOf(state);
  switch (action) {
    case 'acknowledge': {
      finishClock(clocks.acknowledge, now, 'done', sla);
      startStep(state, 'deliver', now, true);
      state.status = 'in_progress';
      return [emit(state, 'acknowledged', who, now, p.note === undefined ? {} : { note: p.note })];
    }
    case 'decline': {
      stopRunningClocks(state, now);
      state.status = 'declined';
      return [emit(state, 'declined', who, now, p.reason === undefined ? {} : { reason: p.reason })];
    }
    case 'askClarification': {
      const question = String(p.question);
      state.openClarification = { question, askedBy: who, askedAt: new Date(now).toISOString(), returnTo: state.status };
      state.status = 'clarification_requested';
      return [emit(state, 'clarification_requested', who, now, { question })];
    }
    case 'answerClarification': {
      const open = state.openClarification;
      state.status = open?.returnTo ?? 'in_progress';
      state.openClarification = null;
      return [emit(state, 'clarification_answered', who, now, { answer: p.answer, question: open?.question })];
    }
    case 'deliver': {
      const version = state.deliveries.length + 1;
      const delivery = {
        version,
        summary: String(p.summary),
        links: Array.isArray(p.links) ? p.links.map(String) : [],
        submittedBy: who,
        submittedAt: new Date(now).toISOString(),
      };
      state.deliveries.push(delivery);
      state.revision = version;
      finishClock(clocks.deliver, now, 'done', sla);
      startStep(state, 'review', now, false);
      state.status = 'in_review';
      return [emit(state, 'delivered', who, now, { ...delivery })];
    }
    case 'approve': {
      finishClock(clocks.review, now, 'done', sla);
      state.status = 'approved';
      return [emit(state, 'approved', who, now, { ...(p.note === undefined ? {} : { note: p.note }), revision: state.revision })];
    }
    case 'requestChanges': {
      finishClock(clocks.review, now, 'done', sla);
      startStep(state, 'deliver', now, false);
      state.status = 'changes_requested';
      return [emit(state, 'changes_requested', who, now, { ...(p.reason === undefined ? {} : { reason: p.reason }), revision: state.revision })];
    }
    case 'cancel': {
      stopRunningClocks(state, now);
      state.status = 'cancelled';
      return [emit(state, 'cancelled', who, now, p.reason === undefined ? {} : { reason: p.reason })];
    }
    case 'comment':
      return [emit(state, 'comment_added', who, now, { body: p.body, role: actor.role })];
    case 'hold': {
      const reason = typeof p.reason === 'string' ? p.reason : null;
      state.hold = { since: new Date(now).toISOString(), by: who, reason };
      return [emit(state, 'brief_held', who, now, reason === null ? {} : { reason })];
    }
    case 'resume': {
      const since = state.hold?.since;
      state.hold = null;
      return [emit(state, 'brief_resumed', who, now, { ...(p.note === undefined ? {} : { note: p.note }), heldSince: since })];
    }
    default:
      throw new ActionRejected('IllegalTransition', `unknown action ${String(action)}`);
  }
}
