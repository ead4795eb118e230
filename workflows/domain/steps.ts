// The pieces every change of a brief is made of: the refusal the state machine throws, the event
// it appends to the timeline, and a clock's target from now under the brief's policy. Shared by
// the state machine (transitions.ts), its review stages (review-flow.ts) and edits (edit.ts).
import type { BriefState } from './brief';
import type { EventData, EventOf } from './events';
import type { BriefEventType, ClockName } from './vocabulary';
import { businessTimeBetween } from './calendar';
import { businessTarget, startClock } from './clock';
import { slaOf } from './policy';

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
export function startStep(state: BriefState, name: ClockName, now: number, followDueAt: boolean): void {
  const { targetMs, target } = stepTarget(state, name, now, followDueAt);
  startClock(state.clocks[name], targetMs, now, slaOf(state), target);
}

