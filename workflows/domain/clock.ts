// SLA clocks in business time. A clock counts the working time of its calendar while its step is
// open: it stands still outside working hours (implicitly) and while it is paused (explicitly: an
// open clarification, the brief on hold). Every deadline of a clock is a threshold of counted
// business time: the warning at warnAt of the target, the breach at the target, each escalation
// step at the target plus its offset. The instant a threshold is reached follows from the
// calendar: addBusinessTime(calendar, runningSince, threshold - counted so far). Pauses and nights
// therefore move every deadline by exactly the business time they took.
//
// Pure: every function takes "now" explicitly, so the workflow (with its replay-safe time) and
// tests can drive it. The rules (calendar, warnAt, escalation) come from the brief's policy; the
// defaults are the wall-clock rules of briefs created before policies existed.
import type { Clock, ClockState, ClockView, EscalationStep } from './brief';
import type { Calendar } from './calendar';
import { addBusinessDuration, addBusinessTime, businessTimeBetween, isWorkingInstant } from './calendar';
import type { BriefSla } from './policy';
import { DEFAULT_MAX_REPEATS, DEFAULT_WARN_AT, LEGACY_SLA, toBusinessDuration } from './policy';

/** Share of the target after which the owner of the step is reminded, unless the policy says otherwise. */
export const WARN_AT = DEFAULT_WARN_AT;

export type PauseReason = 'clarification' | 'hold';

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
const calendarOf = (sla: BriefSla): Calendar => sla.calendar;

/**
 * The escalation steps after a breach, as offsets of counted business time past the target, for
 * a clock whose target is reached at `dueAt` when it runs without pause: each level `after` the
 * breach in business time (never before the previous level), then the last level repeated every
 * `repeatEvery` up to maxRepeats times.
 */
export function escalationOffsets(sla: BriefSla, dueAt: number): EscalationStep[] {
  const cal = calendarOf(sla);
  const { levels, repeatEvery, maxRepeats } = sla.escalation;
  const steps: EscalationStep[] = [];
  let previous = dueAt;
  levels.forEach((level, i) => {
    previous = Math.max(previous, addBusinessDuration(cal, dueAt, toBusinessDuration(level.after)));
    steps.push({ level: i + 1, repeat: 0, ms: businessTimeBetween(cal, dueAt, previous) });
  });
  if (repeatEvery && levels.length > 0) {
    const repeats = maxRepeats ?? DEFAULT_MAX_REPEATS;
    for (let k = 1; k <= repeats; k++) {
      const next = addBusinessDuration(cal, previous, toBusinessDuration(repeatEvery));
      if (next <= previous) break;
      previous = next;
      steps.push({ level: levels.length, repeat: k, ms: businessTimeBetween(cal, dueAt, previous) });
    }
  }
  return steps;
}

/** Business time from `start` to the end of an ISO business duration counted from it. */
export function businessTarget(sla: BriefSla, start: number, target: string): number {
  const cal = calendarOf(sla);
  return businessTimeBetween(cal, start, addBusinessDuration(cal, start, toBusinessDuration(target)));
}

/**
 * Sets a clock's thresholds for a target of business time: the warning at warnAt of it and the
 * escalation steps after it (computed as if the clock ran from `start` without pause).
 */
function setThresholds(clock: Clock, sla: BriefSla, targetMs: number, start: number): void {
  clock.targetMs = targetMs;
  clock.warnMs = Math.round(sla.warnAt * targetMs);
  clock.steps = escalationOffsets(sla, addBusinessTime(calendarOf(sla), start, targetMs));
}

/**
 * (Re)starts a clock from zero with a target of business time. `target` is the ISO duration the
 * target came from (null when it follows the brief's dueAt), kept so that a changed policy can be
 * applied to the clock later.
 */
export function startClock(clock: Clock, targetMs: number, now: number, sla: BriefSla = LEGACY_SLA, target: string | null = null): void {
  Object.assign(clock, pendingClock(targetMs), {
    phase: 'running',
    round: clock.round + 1,
    startedAt: iso(now),
    runningSince: iso(now),
    nextStep: 0,
    raised: [],
    ack: null,
  });
  if (sla !== LEGACY_SLA) {
    clock.target = target;
    clock.stretches = [];
    clock.pausedFor = [];
    setThresholds(clock, sla, targetMs, now);
  }
  clock.dueAt = iso(instantAt(clock, targetMs, sla) as number);
}

/** Closes the running stretch: what it counted joins accumulatedMs, the stretch the record. */
function closeStretch(clock: Clock, now: number, sla: BriefSla): void {
  if (clock.phase !== 'running' || !clock.runningSince) return;
  clock.accumulatedMs = elapsedMs(clock, now, sla);
  if (clock.stretches && now > ms(clock.runningSince)) clock.stretches.push([clock.runningSince, iso(now)]);
}

export function pauseClock(clock: Clock, now: number, sla: BriefSla = LEGACY_SLA): void {
  if (clock.phase !== 'running') return;
  closeStretch(clock, now, sla);
  clock.phase = 'paused';
  clock.runningSince = null;
  clock.dueAt = null;
}

export function resumeClock(clock: Clock, now: number, sla: BriefSla = LEGACY_SLA): void {
  if (clock.phase !== 'paused') return;
  clock.phase = 'running';
  clock.runningSince = iso(now);
  clock.dueAt = iso(instantAt(clock, clock.targetMs, sla) as number);
}

/**
 * Pauses a running clock for the given reasons, or resumes a paused one when none is left.
 * Clocks that are pending or ended are left alone.
 */
export function setPauseReasons(clock: Clock, reasons: PauseReason[], now: number, sla: BriefSla = LEGACY_SLA): void {
  if (clock.phase !== 'running' && clock.phase !== 'paused') return;
  if (clock.pausedFor !== undefined || reasons.length > 0) clock.pausedFor = reasons;
  if (reasons.length > 0) pauseClock(clock, now, sla);
  else resumeClock(clock, now, sla);
}

/** Ends a clock because its step is done ("done") or because the brief ended ("stopped"). */
export function finishClock(clock: Clock, now: number, phase: 'done' | 'stopped', sla: BriefSla = LEGACY_SLA): void {
  if (clock.phase !== 'running' && clock.phase !== 'paused') return;
  closeStretch(clock, now, sla);
  clock.phase = phase;
  clock.runningSince = null;
  if (clock.pausedFor) clock.pausedFor = [];
  clock.completedAt = iso(now);
}

/**
 * Gives a clock a new target and keeps the time it has counted: a running clock becomes due when
 * it has counted the new target, a paused one stays without dueAt until it resumes, and a pending
 * one starts with the target later. Clocks that ended keep theirs. warnedAt and breachedAt stay as
 * they are: a reminder or breach that happened is history, so a clock never warns or breaches
 * twice in one round, whichever way its target moves. Escalation steps keep their offsets past
 * the target.
 */
export function retargetClock(clock: Clock, targetMs: number, sla: BriefSla = LEGACY_SLA, target?: string | null): void {
  if (clock.phase === 'done' || clock.phase === 'stopped') return;
  clock.targetMs = targetMs;
  if (target !== undefined && clock.target !== undefined) clock.target = target;
  if (clock.warnMs !== undefined) clock.warnMs = Math.round(sla.warnAt * targetMs);
  if (clock.phase === 'running') clock.dueAt = iso(instantAt(clock, targetMs, sla) as number);
}

/**
 * Recomputes a clock under a changed policy or calendar from what it recorded: the business time
 * of its running stretches under the new calendar, the new target of its step (`targetMs`, already
 * computed under the new policy) and the new escalation steps. Nothing is reset: warnings,
 * breaches and escalations that happened stay, and the chain continues where it was.
 */
export function reapplyClock(clock: Clock, sla: BriefSla, targetMs: number, now: number, target: string | null | undefined): void {
  if (clock.phase !== 'running' && clock.phase !== 'paused') return;
  const cal = calendarOf(sla);
  if (clock.stretches) {
    clock.accumulatedMs = clock.stretches.reduce((sum, [from, to]) => sum + businessTimeBetween(cal, ms(from), ms(to)), 0);
  }
  if (target !== undefined) clock.target = target;
  clock.stretches ??= [];
  clock.pausedFor ??= [];
  clock.raised ??= [];
  clock.ack ??= null;
  clock.nextStep ??= clock.breachedAt ? 1 : 0;
  // The steps follow the new policy as if this round had run from its start without pause.
  setThresholds(clock, sla, targetMs, clock.startedAt ? ms(clock.startedAt) : now);
  clock.nextStep = Math.min(clock.nextStep, clock.steps?.length ?? 0);
  clock.dueAt = clock.phase === 'running' ? iso(instantAt(clock, targetMs, sla) as number) : null;
}

export function elapsedMs(clock: Clock, now: number, sla: BriefSla = LEGACY_SLA): number {
  if (clock.phase === 'running' && clock.runningSince) {
    const since = ms(clock.runningSince);
    return clock.accumulatedMs + (now > since ? businessTimeBetween(calendarOf(sla), since, now) : 0);
  }
  return clock.accumulatedMs;
}

/** The instant at which the running clock has counted `threshold` of business time. */
function instantAt(clock: Clock, threshold: number, sla: BriefSla): number | undefined {
  if (clock.phase !== 'running' || !clock.runningSince) return undefined;
  const since = ms(clock.runningSince);
  const rest = threshold - clock.accumulatedMs;
  // A threshold already passed (a target lowered below what was counted) is due at once.
  if (rest <= 0) return since + rest;
  return addBusinessTime(calendarOf(sla), since, rest);
}

const warnThreshold = (clock: Clock, sla: BriefSla) => clock.warnMs ?? sla.warnAt * clock.targetMs;
const steps = (clock: Clock): EscalationStep[] => clock.steps ?? [{ level: 1, repeat: 0, ms: 0 }];
/** Which step fires next: briefs without a chain record had their one step with the breach. */
const nextStepIndex = (clock: Clock) => clock.nextStep ?? (clock.breachedAt ? 1 : 0);

export function warnInstant(clock: Clock, sla: BriefSla = LEGACY_SLA): number | undefined {
  return clock.warnedAt ? undefined : instantAt(clock, warnThreshold(clock, sla), sla);
}

export function breachInstant(clock: Clock, sla: BriefSla = LEGACY_SLA): number | undefined {
  return clock.breachedAt ? undefined : instantAt(clock, clock.targetMs, sla);
}

/** The next escalation step and when it is due, unless the chain is done or acknowledged. */
export function nextEscalation(clock: Clock, sla: BriefSla = LEGACY_SLA): { step: EscalationStep; index: number; at: number } | undefined {
  if (clock.ack) return undefined;
  const index = nextStepIndex(clock);
  const step = steps(clock)[index];
  if (!step) return undefined;
  const at = instantAt(clock, clock.targetMs + step.ms, sla);
  return at === undefined ? undefined : { step, index, at };
}

/**
 * When an acknowledged chain re-escalates: a full target of business time after the
 * acknowledgement, if the step is still not done (PagerDuty's acknowledgement timeout).
 */
export function reescalationInstant(clock: Clock, sla: BriefSla = LEGACY_SLA): number | undefined {
  if (!clock.ack || !sla.reescalate) return undefined;
  return instantAt(clock, clock.ack.elapsedMs + clock.targetMs, sla);
}

/** The next instant at which this clock needs attention, if any. */
export function nextDeadline(clock: Clock, sla: BriefSla = LEGACY_SLA): number | undefined {
  const candidates = [warnInstant(clock, sla), breachInstant(clock, sla), nextEscalation(clock, sla)?.at, reescalationInstant(clock, sla)];
  const due = candidates.filter((t): t is number => t !== undefined);
  return due.length ? Math.min(...due) : undefined;
}

/** The highest escalation level raised in this round, 0 when none. */
export function escalationLevel(clock: Clock): number {
  if (clock.raised) return clock.raised.reduce((max, r) => Math.max(max, r.level), 0);
  return clock.breachedAt ? 1 : 0;
}

export function clockState(clock: Clock, now?: number, sla: BriefSla = LEGACY_SLA): ClockState {
  if (clock.breachedAt) return 'breached';
  switch (clock.phase) {
    case 'done':
      return 'met';
    case 'running':
      return now !== undefined && !isWorkingInstant(calendarOf(sla), now) ? 'paused' : 'running';
    default:
      return clock.phase;
  }
}

/** Why a clock is not counting now: explicit pauses, and the calendar outside working hours. */
export function pausedFor(clock: Clock, now: number, sla: BriefSla = LEGACY_SLA): string[] {
  if (clock.phase === 'paused') return clock.pausedFor?.length ? [...clock.pausedFor] : ['clarification'];
  if (clock.phase === 'running' && !isWorkingInstant(calendarOf(sla), now)) return ['outside_working_hours'];
  return [];
}

export function viewClock(clock: Clock, now: number, sla: BriefSla = LEGACY_SLA): ClockView {
  const elapsed = elapsedMs(clock, now, sla);
  // An acknowledged chain escalates next when it re-escalates.
  const nextAt = nextEscalation(clock, sla)?.at ?? reescalationInstant(clock, sla);
  const warnAt = clock.warnedAt ? undefined : warnInstant(clock, sla);
  return {
    state: clockState(clock, now, sla),
    dueAt: clock.dueAt,
    targetMs: clock.targetMs,
    elapsedMs: elapsed,
    remainingMs: clock.targetMs - elapsed,
    startedAt: clock.startedAt,
    warnedAt: clock.warnedAt,
    breachedAt: clock.breachedAt,
    completedAt: clock.completedAt,
    pausedFor: pausedFor(clock, now, sla),
    warnsAt: warnAt === undefined ? null : iso(warnAt),
    escalationLevel: escalationLevel(clock),
    escalationAcknowledged: !!clock.ack,
    nextEscalationAt: nextAt === undefined ? null : iso(nextAt),
  };
}
