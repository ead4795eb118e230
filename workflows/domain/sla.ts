// What the clocks do as time passes: remind at warnAt of the target, breach at the target, then
// raise the escalation chain of the brief's policy, and re-escalate an acknowledged chain when the
// step is still not done a full target later.
import type { BriefState, BriefView, EscalationAck } from './brief';
import type { EventData, TimelineEvent } from './events';
import type { ClockName } from './vocabulary';
import { CLOCKS } from './vocabulary';
import { breachInstant, elapsedMs, nextDeadline, nextEscalation, reescalationInstant, viewClock, warnInstant } from './clock';
import { slaOf } from './policy';
import { fireReviewDeadline, reviewersToRemind, viewReview } from './review-flow';
import { ActionRejected, emit } from './transitions';

/** Earliest instant at which any clock needs attention. */
export function nextClockDeadline(state: BriefState): number | undefined {
  const sla = slaOf(state);
  const deadlines = CLOCKS.map((name) => nextDeadline(state.clocks[name], sla)).filter((t): t is number => t !== undefined);
  return deadlines.length ? Math.min(...deadlines) : undefined;
}

/**
 * Fires every warning, breach and escalation that is due at `now`. Escalation ids come from
 * `newEscalationId` (the workflow's replay-safe uuid). `shiftReraisedStep: false` keeps the
 * offsets of briefs whose runs began before a re-raised step moved with the rest of its chain.
 */
export function fireDueClocks(
  state: BriefState,
  now: number,
  newEscalationId: () => string,
  { shiftReraisedStep = true }: { shiftReraisedStep?: boolean } = {},
): TimelineEvent[] {
  const sla = slaOf(state);
  const legacy = !state.brief.sla;
  const events: TimelineEvent[] = [];
  for (const name of CLOCKS) {
    const clock = state.clocks[name];
    const warnAt = warnInstant(clock, sla);
    if (warnAt !== undefined && warnAt <= now) {
      clock.warnedAt = new Date(now).toISOString();
      const reviewers = name === 'review' ? reviewersToRemind(state) : undefined;
      events.push(emit(state, 'sla_warning', null, now, { clock: name, share: sla.warnAt, dueAt: clock.dueAt, round: clock.round, ...(reviewers ? { reviewers } : {}) }));
    }
    const breachAt = breachInstant(clock, sla);
    if (breachAt !== undefined && breachAt <= now) {
      // Clocks without a chain record count their first step as raised once breached: record it.
      clock.nextStep ??= 0;
      clock.breachedAt = new Date(now).toISOString();
      events.push(emit(state, 'sla_breached', null, now, { clock: name, dueAt: clock.dueAt, round: clock.round }));
    }
    /**
     * Records one escalation. `follows` is the acknowledged escalation a re-escalation follows up
     * on. The event names when the step was due (dueAt), so its notice can say how late it is.
     */
    const raise = (level: number, repeat: number, index: number, follows: string | undefined) => {
      const escalationId = newEscalationId();
      escalationsOf(state)[escalationId] = false;
      const notify = sla.escalation.levels[level - 1]?.notify ?? [];
      clock.raised = [...(clock.raised ?? []), { escalationId, level, repeat, index, at: new Date(now).toISOString() }];
      const dueAt = clock.dueAt ?? clock.breachedAt;
      const data: EventData['escalation_raised'] = legacy
        ? { escalationId, clock: name, level, round: clock.round, dueAt }
        : {
            escalationId,
            clock: name,
            level,
            round: clock.round,
            repeat,
            agreement: sla.agreement,
            notify,
            dueAt,
            ...(follows ? { reescalation: true, follows } : {}),
          };
      events.push(emit(state, 'escalation_raised', null, now, data));
    };
    // Every step that is due, in order (a clock that catches up after a long pause raises them all).
    for (let next = nextEscalation(clock, sla); next && next.at <= now; next = nextEscalation(clock, sla)) {
      clock.nextStep = next.index + 1;
      raise(next.step.level, next.step.repeat, next.index, undefined);
    }
    const reescalateAt = reescalationInstant(clock, sla);
    if (clock.ack && reescalateAt !== undefined && reescalateAt <= now) {
      const { index, escalationId: follows } = clock.ack;
      const step = clock.steps?.[index] ?? { level: 1, repeat: 0, ms: 0 };
      // The chain continues after the re-raised step, its offsets now counted from here. The step
      // itself moves too, so that re-raising it once more shifts the rest by only the time since.
      const shift = elapsedMs(clock, now, sla) - (clock.targetMs + step.ms);
      const from = shiftReraisedStep ? index : index + 1;
      if (clock.steps) clock.steps = clock.steps.map((s, i) => (i >= from ? { ...s, ms: s.ms + shift } : s));
      clock.ack = null;
      clock.nextStep = index + 1;
      raise(step.level, step.repeat, index, follows);
    }
  }
  // A review stage that approves at its deadline does so once its clock has breached.
  events.push(...fireReviewDeadline(state, now));
  return events;
}

/**
 * Throws ActionRejected unless the escalation can be acknowledged now: the brief raised it
 * (NotFound otherwise) and nobody has acknowledged it yet (IllegalTransition). Looks at the whole
 * timeline, so escalations of earlier rounds and of a brief that has ended count too.
 */
export function checkEscalationAcknowledgement(state: BriefState, escalationId: string): void {
  const acknowledged = escalationsOf(state)[escalationId];
  if (acknowledged === undefined) throw new ActionRejected('NotFound', `the brief raised no escalation ${escalationId}`);
  if (acknowledged) throw new ActionRejected('IllegalTransition', 'the escalation is already acknowledged');
}

/**
 * The brief's escalations by id (true once acknowledged), kept in its state so that the workflow
 * needs no timeline to check an acknowledgement. States of older runs lack the record: it is
 * derived once from their timeline, which was whole then.
 */
export function escalationsOf(state: BriefState): Record<string, boolean> {
  if (!state.escalations) {
    const record: Record<string, boolean> = {};
    for (const e of state.timeline) {
      if (e.type === 'escalation_raised') record[e.data.escalationId] ??= false;
      if (e.type === 'escalation_acknowledged' && e.data.escalationId in record) record[e.data.escalationId] = true;
    }
    state.escalations = record;
  }
  return state.escalations;
}

/**
 * Records an escalation's acknowledgement on its clock: the chain stops there. Returns the clock
 * it belonged to, or undefined when it is not one of the current rounds' (an earlier round's, or
 * unknown).
 */
export function acknowledgeEscalation(state: BriefState, escalationId: string, memberId: string, now: number): ClockName | undefined {
  const sla = slaOf(state);
  const escalations = escalationsOf(state);
  if (escalationId in escalations) escalations[escalationId] = true;
  for (const name of CLOCKS) {
    const clock = state.clocks[name];
    const raised = clock.raised?.find((r) => r.escalationId === escalationId);
    if (!raised) continue;
    if (clock.phase === 'running' || clock.phase === 'paused') {
      const ack: EscalationAck = { escalationId, memberId, at: new Date(now).toISOString(), elapsedMs: elapsedMs(clock, now, sla), index: raised.index };
      clock.ack = ack;
    }
    return name;
  }
  return undefined;
}

export function isOverdue(state: BriefState): boolean {
  return CLOCKS.some((name: ClockName) => {
    const clock = state.clocks[name];
    return clock.breachedAt !== null && (clock.phase === 'running' || clock.phase === 'paused');
  });
}

export function viewBrief(state: BriefState, now: number): BriefView {
  const { brief } = state;
  const sla = slaOf(state);
  return {
    id: brief.id,
    title: brief.title,
    description: brief.description,
    partyId: brief.partyId,
    managerId: brief.managerId,
    reviewerId: brief.reviewerId,
    priority: brief.priority,
    status: state.status,
    revision: state.revision,
    dueAt: brief.dueAt,
    deliverables: brief.deliverables,
    deliveries: state.deliveries,
    clarification: state.openClarification,
    hold: state.hold ?? null,
    slaPolicy: brief.sla
      ? {
          id: brief.sla.policyId,
          name: brief.sla.policyName,
          version: brief.sla.policyVersion,
          calendarId: brief.sla.calendarId,
          calendarName: brief.sla.calendar.name,
          timezone: brief.sla.calendar.timezone,
          agreement: brief.sla.agreement,
        }
      : null,
    sla: {
      acknowledge: viewClock(state.clocks.acknowledge, now, sla),
      deliver: viewClock(state.clocks.deliver, now, sla),
      review: viewClock(state.clocks.review, now, sla),
    },
    reviewPlan: brief.reviewPlan ?? null,
    review: viewReview(state),
    program: brief.program ?? null,
    timeline: state.timeline,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
