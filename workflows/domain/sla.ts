// What the clocks do as time passes: remind at WARN_AT of the target, escalate at breach.
import type { BriefState, BriefView, ClockName, TimelineEvent } from './brief';
import { CLOCKS } from './brief';
import { breachInstant, nextDeadline, viewClock, warnInstant, WARN_AT } from './clock';
import { emit } from './transitions';

/** Earliest instant at which any clock needs attention. */
export function nextClockDeadline(state: BriefState): number | undefined {
  const deadlines = CLOCKS.map((name) => nextDeadline(state.clocks[name])).filter((t): t is number => t !== undefined);
  return deadlines.length ? Math.min(...deadlines) : undefined;
}

/**
 * Fires every warning and breach that is due at `now`. A breach raises an escalation at
 * level 1 whose id comes from `newEscalationId` (the workflow's replay-safe uuid).
 */
export function fireDueClocks(state: BriefState, now: number, newEscalationId: () => string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const name of CLOCKS) {
    const clock = state.clocks[name];
    const warnAt = warnInstant(clock);
    if (warnAt !== undefined && warnAt <= now) {
      clock.warnedAt = new Date(now).toISOString();
      events.push(emit(state, 'sla_warning', null, now, { clock: name, share: WARN_AT, dueAt: clock.dueAt, round: clock.round }));
    }
    const breachAt = breachInstant(clock);
    if (breachAt !== undefined && breachAt <= now) {
      clock.breachedAt = new Date(now).toISOString();
      events.push(emit(state, 'sla_breached', null, now, { clock: name, dueAt: clock.dueAt, round: clock.round }));
      events.push(
        emit(state, 'escalation_raised', null, now, { escalationId: newEscalationId(), clock: name, level: 1, round: clock.round }),
      );
    }
  }
  return events;
}

export function isOverdue(state: BriefState): boolean {
  return CLOCKS.some((name: ClockName) => {
    const clock = state.clocks[name];
    return clock.breachedAt !== null && (clock.phase === 'running' || clock.phase === 'paused');
  });
}

export function viewBrief(state: BriefState, now: number): BriefView {
  const { brief } = state;
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
    sla: {
      acknowledge: viewClock(state.clocks.acknowledge, now),
      deliver: viewClock(state.clocks.deliver, now),
      review: viewClock(state.clocks.review, now),
    },
    timeline: state.timeline,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
