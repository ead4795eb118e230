// The brief's state machine: who may do what from which status, and what each action does to
// the state and its clocks. Pure and synchronous, so workflow update validators can call
// `checkAction` before anything enters history.
import type { BriefState } from './brief';
import type { TimelineEvent } from './events';
import { ActionRejected, emit, startStep } from './steps';

export { ActionRejected, emit, policyTarget, stepTarget, type RejectionKind } from './steps';
import type { Actor, BriefStatus, Role } from './vocabulary';
import { CLOCKS, isTerminal } from './vocabulary';
import { finishClock, pendingClock, setPauseReasons, type PauseReason } from './clock';
import { slaOf } from './policy';
import { checkHandOver, checkReview, decide, handOver, planOf, startReview, type HandOverPayload, type ReviewPayload } from './review-flow';

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
  | 'resume'
  | 'review'
  | 'handOverReview';

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
  review: ReviewPayload;
  handOverReview: HandOverPayload;
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
  // Reviewers see every brief: managers and admins (the plan's stages name who, see review-flow.ts).
  review: { roles: ['manager', 'admin'], from: ['in_review'] },
  handOverReview: { roles: ['manager', 'admin'], from: ['in_review'] },
};

/**
 * Throws ActionRejected when the actor may not take this action on the brief now. Under a review
 * plan, a decision (and approve or requestChanges, a decision of the caller) is checked against
 * the open stage with its payload (checkActionRequest).
 */
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

/** checkAction, and for the decisions of a review plan the reviewer, the delegation and the payload at `now`. */
export function checkActionRequest<A extends ActionName>(state: BriefState, action: A, payload: ActionPayloads[A], actor: Actor, now: number): void {
  const call = { action, payload } as ActionCall;
  if (planOf(state) && (call.action === 'approve' || call.action === 'requestChanges')) {
    // The caller's decision in the open stage: a reviewer may be an admin too.
    checkAction(state, 'review', actor);
    checkReview(state, actor, asDecision(call), now);
    return;
  }
  checkAction(state, action, actor);
  if (call.action === 'review') {
    // Without a plan, the decision is the approve or requestChanges it stands for, with their rules.
    if (planOf(state)) checkReview(state, actor, call.payload, now);
    else checkAction(state, asLegacyAction(call.payload).action, actor);
  } else if (call.action === 'handOverReview') {
    checkHandOver(state, actor, call.payload);
  }
}

/** approve and requestChanges as a decision of the caller in the open stage. */
function asDecision(call: Extract<ActionCall, { action: 'approve' | 'requestChanges' }>): ReviewPayload {
  if (call.action === 'approve') return { decision: 'approve', ...(call.payload.note !== undefined ? { note: call.payload.note } : {}) };
  return { decision: 'request_changes', note: call.payload.reason };
}

/**
 * A decision on a brief without a review plan: its one reviewer approves (with changes: the note
 * says which) or requests changes, as approve and requestChanges do.
 */
function asLegacyAction(p: ReviewPayload): ActionCall {
  switch (p.decision) {
    case 'approve':
    case 'approve_with_changes':
      return { action: 'approve', payload: p.note !== undefined ? { note: p.note } : {} };
    case 'request_changes':
      if (!p.note?.trim()) throw new ActionRejected('InvalidInput', 'a request for changes needs a reason (note)');
      return { action: 'requestChanges', payload: { reason: p.note } };
    default:
      throw new ActionRejected('IllegalTransition', `a brief without a review plan has one reviewer, who cannot decide ${p.decision}`);
  }
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
  checkActionRequest(state, action, payload, actor, now);
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
      state.status = 'in_review';
      if (planOf(state)) {
        const delivered = emit(state, 'delivered', who, now, { ...delivery });
        return [delivered, ...startReview(state, now)];
      }
      startStep(state, 'review', now, false);
      return [emit(state, 'delivered', who, now, { ...delivery })];
    }
    case 'review':
      if (planOf(state)) return decide(state, actor, p, now);
      return act(state, asLegacyAction(p), actor, now);
    case 'handOverReview':
      return handOver(state, actor, p, now);
    case 'approve': {
      if (planOf(state)) return decide(state, actor, asDecision({ action, payload: p }), now);
      finishClock(clocks.review, now, 'done', sla);
      state.status = 'approved';
      return [emit(state, 'approved', who, now, { ...(p.note === undefined ? {} : { note: p.note }), revision: state.revision })];
    }
    case 'requestChanges': {
      if (planOf(state)) return decide(state, actor, asDecision({ action, payload: p }), now);
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
