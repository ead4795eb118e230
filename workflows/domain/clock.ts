// SLA clock arithmetic in wall-clock time. Pure: every function takes "now" explicitly so
// the workflow (with its replay-safe time) and tests can drive it.
import type { Clock, ClockState, ClockView } from './brief';

/** Share of the target after which the owner of the step is reminded. */
export const WARN_AT = 0.75;

export function pendingClock(targetMs: number): Clock {
  return {
    phase: 'pending',
    targetMs,
    round: 0,
    startedAt: null,
    accumulatedMs: 0,
    runningSince: null,
    dueAt: null,
    warnedAt: null,
    breachedAt: null,
    completedAt: null,
  };
}

const ms = (iso: string) => Date.parse(iso);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** (Re)starts a clock from zero with a target. */
export function startClock(clock: Clock, targetMs: number, now: number): void {
  Object.assign(clock, pendingClock(targetMs), {
    phase: 'running',
    round: clock.round + 1,
    startedAt: iso(now),
    runningSince: iso(now),
    dueAt: iso(now + targetMs),
  });
}

export function pauseClock(clock: Clock, now: number): void {
  if (clock.phase !== 'running') return;
  clock.accumulatedMs = elapsedMs(clock, now);
  clock.phase = 'paused';
  clock.runningSince = null;
  clock.dueAt = null;
}

export function resumeClock(clock: Clock, now: number): void {
  if (clock.phase !== 'paused') return;
  clock.phase = 'running';
  clock.runningSince = iso(now);
  clock.dueAt = iso(now + clock.targetMs - clock.accumulatedMs);
}

/** Ends a clock because its step is done ("done") or because the brief ended ("stopped"). */
export function finishClock(clock: Clock, now: number, phase: 'done' | 'stopped'): void {
  if (clock.phase !== 'running' && clock.phase !== 'paused') return;
  clock.accumulatedMs = elapsedMs(clock, now);
  clock.phase = phase;
  clock.runningSince = null;
  clock.completedAt = iso(now);
}

/**
 * Gives a clock a new target and keeps the time it has counted: a running clock becomes due at
 * runningSince + target - accumulated, a paused one stays without dueAt until it resumes, and a
 * pending one starts with the target later. Clocks that ended keep theirs. warnedAt and
 * breachedAt stay as they are: a reminder or breach that happened is history, so a clock never
 * warns or breaches twice in one round, whichever way its target moves.
 */
export function retargetClock(clock: Clock, targetMs: number): void {
  if (clock.phase === 'done' || clock.phase === 'stopped') return;
  clock.targetMs = targetMs;
  if (clock.phase === 'running' && clock.runningSince) clock.dueAt = iso(ms(clock.runningSince) + targetMs - clock.accumulatedMs);
}

export function elapsedMs(clock: Clock, now: number): number {
  if (clock.phase === 'running' && clock.runningSince) return clock.accumulatedMs + (now - ms(clock.runningSince));
  return clock.accumulatedMs;
}

/** The instant at which the running clock crosses a share of its target. */
function instantAt(clock: Clock, share: number): number | undefined {
  if (clock.phase !== 'running' || !clock.runningSince) return undefined;
  return ms(clock.runningSince) + share * clock.targetMs - clock.accumulatedMs;
}

export function warnInstant(clock: Clock): number | undefined {
  return clock.warnedAt ? undefined : instantAt(clock, WARN_AT);
}

export function breachInstant(clock: Clock): number | undefined {
  return clock.breachedAt ? undefined : instantAt(clock, 1);
}

/** The next instant at which this clock needs attention, if any. */
export function nextDeadline(clock: Clock): number | undefined {
  const candidates = [warnInstant(clock), breachInstant(clock)].filter((t): t is number => t !== undefined);
  return candidates.length ? Math.min(...candidates) : undefined;
}

export function clockState(clock: Clock): ClockState {
  if (clock.breachedAt) return 'breached';
  switch (clock.phase) {
    case 'done':
      return 'met';
    default:
      return clock.phase;
  }
}

export function viewClock(clock: Clock, now: number): ClockView {
  const elapsed = elapsedMs(clock, now);
  return {
    state: clockState(clock),
    dueAt: clock.dueAt,
    targetMs: clock.targetMs,
    elapsedMs: elapsed,
    remainingMs: clock.targetMs - elapsed,
    startedAt: clock.startedAt,
    warnedAt: clock.warnedAt,
    breachedAt: clock.breachedAt,
    completedAt: clock.completedAt,
  };
}
