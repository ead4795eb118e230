// The brief's state machine: who may do what from which status, and what each action does to
// the state and its clocks. Pure and synchronous, so workflow update validators can call
// `checkAction` before anything enters history.
import type { Actor, BriefEventType, BriefState, BriefStatus, ClockName, Role, TimelineEvent } from './brief';
import { isTerminal } from './brief';
import { finishClock, pauseClock, pendingClock, resumeClock, startClock } from './clock';

export type ActionName =
  | 'acknowledge'
  | 'decline'
  | 'askClarification'
  | 'answerClarification'
  | 'deliver'
  | 'approve'
  | 'requestChanges'
  | 'cancel'
  | 'comment';

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
};

/**
 * Why the state machine refuses: the actor's role or party (Forbidden), the brief's status
 * (IllegalTransition), an edit based on a version of the brief that is no longer current
 * (PreconditionFailed), or an edit no brief can take (InvalidInput).
 */
export type RejectionKind = 'Forbidden' | 'IllegalTransition' | 'PreconditionFailed' | 'InvalidInput';

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
  startClock(state.clocks.acknowledge, brief.targetsMs.acknowledge, now);
  emit(state, 'brief_created', brief.managerId, now, { title: brief.title, partyId: brief.partyId, priority: brief.priority });
  return state;
}

/** Appends an event to the timeline and returns it. */
export function emit(
  state: BriefState,
  type: BriefEventType,
  actor: string | null,
  now: number,
  data: Record<string, unknown> = {},
): TimelineEvent {
  state.seq += 1;
  const event: TimelineEvent = { seq: state.seq, type, actor, at: new Date(now).toISOString(), data };
  state.timeline.push(event);
  state.updatedAt = event.at;
  return event;
}

/** The deliver target from now: up to the brief's dueAt if it has one, else the configured target. */
function deliverTarget(state: BriefState, now: number, firstRound: boolean): number {
  if (firstRound && state.brief.dueAt) return Math.max(0, Date.parse(state.brief.dueAt) - now);
  return state.brief.targetsMs.deliver;
}

/** The brief ends early: running clocks stop and an open question is closed unanswered. */
function stopRunningClocks(state: BriefState, now: number): void {
  state.openClarification = null;
  for (const name of Object.keys(state.clocks) as ClockName[]) finishClock(state.clocks[name], now, 'stopped');
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
  const who = actor.memberId;
  const { clocks } = state;
  const p = payload as ActionPayloads[ActionName] & Record<string, unknown>;
  switch (action) {
    case 'acknowledge': {
      finishClock(clocks.acknowledge, now, 'done');
      startClock(clocks.deliver, deliverTarget(state, now, true), now);
      state.status = 'in_progress';
      return [emit(state, 'acknowledged', who, now, pick(p, 'note'))];
    }
    case 'decline': {
      stopRunningClocks(state, now);
      state.status = 'declined';
      return [emit(state, 'declined', who, now, pick(p, 'reason'))];
    }
    case 'askClarification': {
      const question = String(p.question);
      state.openClarification = { question, askedBy: who, askedAt: new Date(now).toISOString(), returnTo: state.status };
      pauseClock(clocks.acknowledge, now);
      pauseClock(clocks.deliver, now);
      state.status = 'clarification_requested';
      return [emit(state, 'clarification_requested', who, now, { question })];
    }
    case 'answerClarification': {
      const open = state.openClarification;
      state.status = open?.returnTo ?? 'in_progress';
      state.openClarification = null;
      resumeClock(clocks.acknowledge, now);
      resumeClock(clocks.deliver, now);
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
      finishClock(clocks.deliver, now, 'done');
      startClock(clocks.review, state.brief.targetsMs.review, now);
      state.status = 'in_review';
      return [emit(state, 'delivered', who, now, { ...delivery })];
    }
    case 'approve': {
      finishClock(clocks.review, now, 'done');
      state.status = 'approved';
      return [emit(state, 'approved', who, now, { ...pick(p, 'note'), revision: state.revision })];
    }
    case 'requestChanges': {
      finishClock(clocks.review, now, 'done');
      startClock(clocks.deliver, deliverTarget(state, now, false), now);
      state.status = 'changes_requested';
      return [emit(state, 'changes_requested', who, now, { ...pick(p, 'reason'), revision: state.revision })];
    }
    case 'cancel': {
      stopRunningClocks(state, now);
      state.status = 'cancelled';
      return [emit(state, 'cancelled', who, now, pick(p, 'reason'))];
    }
    case 'comment':
      return [emit(state, 'comment_added', who, now, { body: p.body, role: actor.role })];
    default:
      throw new ActionRejected('IllegalTransition', `unknown action ${String(action)}`);
  }
}

function pick(payload: Record<string, unknown>, key: string): Record<string, unknown> {
  return payload[key] === undefined ? {} : { [key]: payload[key] };
}
