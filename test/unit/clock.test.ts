import fc from 'fast-check';
import type { Clock } from '../../workflows/domain/brief';
import {
  breachInstant,
  clockState,
  elapsedMs,
  finishClock,
  nextDeadline,
  pauseClock,
  pendingClock,
  resumeClock,
  startClock,
  viewClock,
  WARN_AT,
  warnInstant,
} from '../../workflows/domain/clock';
import { HOUR, isoAt, MINUTE, T0 } from './fixtures';

const TARGET = 4 * HOUR;

function runningClock(targetMs = TARGET, now = T0): Clock {
  const clock = pendingClock(targetMs);
  startClock(clock, targetMs, now);
  return clock;
}

describe('pendingClock', () => {
  it('starts pending, round 0, with nothing counted and no deadlines', () => {
    const clock = pendingClock(TARGET);
    expect(clock).toMatchObject({ phase: 'pending', targetMs: TARGET, round: 0, accumulatedMs: 0, startedAt: null, dueAt: null });
    expect(elapsedMs(clock, T0 + HOUR)).toBe(0);
    expect(warnInstant(clock)).toBeUndefined();
    expect(breachInstant(clock)).toBeUndefined();
    expect(nextDeadline(clock)).toBeUndefined();
    expect(clockState(clock)).toBe('pending');
  });
});

describe('startClock', () => {
  it('runs from now with dueAt = now + target and counts the round', () => {
    const clock = runningClock();
    expect(clock).toMatchObject({ phase: 'running', round: 1, startedAt: isoAt(T0), runningSince: isoAt(T0), dueAt: isoAt(T0 + TARGET) });
    expect(elapsedMs(clock, T0 + 90 * MINUTE)).toBe(90 * MINUTE);
  });

  it('restarts from zero with the new target, clearing warning, breach and completion', () => {
    const clock = runningClock();
    clock.warnedAt = isoAt(T0 + 3 * HOUR);
    clock.breachedAt = isoAt(T0 + 4 * HOUR);
    finishClock(clock, T0 + 5 * HOUR, 'done');
    startClock(clock, 2 * HOUR, T0 + 6 * HOUR);
    expect(clock).toMatchObject({
      phase: 'running',
      round: 2,
      targetMs: 2 * HOUR,
      accumulatedMs: 0,
      warnedAt: null,
      breachedAt: null,
      completedAt: null,
      dueAt: isoAt(T0 + 8 * HOUR),
    });
    expect(elapsedMs(clock, T0 + 7 * HOUR)).toBe(HOUR);
  });
});

describe('pause and resume', () => {
  it('elapsed time excludes the paused stretch', () => {
    const clock = runningClock();
    pauseClock(clock, T0 + HOUR);
    expect(elapsedMs(clock, T0 + 10 * HOUR)).toBe(HOUR);
    resumeClock(clock, T0 + 10 * HOUR);
    expect(elapsedMs(clock, T0 + 10 * HOUR + 30 * MINUTE)).toBe(HOUR + 30 * MINUTE);
  });

  it('a paused clock has no dueAt and no deadlines', () => {
    const clock = runningClock();
    pauseClock(clock, T0 + HOUR);
    expect(clock.phase).toBe('paused');
    expect(clock.dueAt).toBeNull();
    expect(warnInstant(clock)).toBeUndefined();
    expect(breachInstant(clock)).toBeUndefined();
    expect(nextDeadline(clock)).toBeUndefined();
    expect(clockState(clock)).toBe('paused');
  });

  it('after resume the due instant is the resume instant plus the remaining time', () => {
    const clock = runningClock();
    pauseClock(clock, T0 + HOUR);
    const resumeAt = T0 + 10 * HOUR;
    resumeClock(clock, resumeAt);
    const remaining = TARGET - HOUR;
    expect(clock.dueAt).toBe(isoAt(resumeAt + remaining));
    expect(breachInstant(clock)).toBe(resumeAt + remaining);
    expect(warnInstant(clock)).toBe(resumeAt + WARN_AT * TARGET - HOUR);
  });

  it('pausing a clock that is not running and resuming one that is not paused do nothing', () => {
    const pending = pendingClock(TARGET);
    pauseClock(pending, T0);
    expect(pending.phase).toBe('pending');

    const running = runningClock();
    const before = { ...running };
    resumeClock(running, T0 + HOUR);
    expect(running).toEqual(before);

    pauseClock(running, T0 + HOUR);
    const paused = { ...running };
    pauseClock(running, T0 + 2 * HOUR);
    expect(running).toEqual(paused);
  });
});

describe('warning and breach instants', () => {
  it('warns at 75% of the target and breaches at the target', () => {
    const clock = runningClock();
    expect(WARN_AT).toBe(0.75);
    expect(warnInstant(clock)).toBe(T0 + 3 * HOUR);
    expect(breachInstant(clock)).toBe(T0 + TARGET);
    expect(nextDeadline(clock)).toBe(T0 + 3 * HOUR);
  });

  it('once warned, the next deadline is the breach; once breached, there is none', () => {
    const clock = runningClock();
    clock.warnedAt = isoAt(T0 + 3 * HOUR);
    expect(warnInstant(clock)).toBeUndefined();
    expect(nextDeadline(clock)).toBe(T0 + TARGET);
    clock.breachedAt = isoAt(T0 + TARGET);
    expect(breachInstant(clock)).toBeUndefined();
    // The escalation raised with the breach was the clock's last step.
    expect(nextDeadline(clock)).toBe(T0 + TARGET);
    clock.nextStep = 1;
    expect(nextDeadline(clock)).toBeUndefined();
  });
});

describe('finishClock', () => {
  it.each(['done', 'stopped'] as const)('a clock finished as %s keeps its elapsed time and has no deadlines', (phase) => {
    const clock = runningClock();
    finishClock(clock, T0 + 2 * HOUR, phase);
    expect(clock.phase).toBe(phase);
    expect(clock.completedAt).toBe(isoAt(T0 + 2 * HOUR));
    expect(clock.runningSince).toBeNull();
    expect(elapsedMs(clock, T0 + 50 * HOUR)).toBe(2 * HOUR);
    expect(warnInstant(clock)).toBeUndefined();
    expect(breachInstant(clock)).toBeUndefined();
    expect(nextDeadline(clock)).toBeUndefined();
  });

  it('finishing a paused clock counts only the time before the pause', () => {
    const clock = runningClock();
    pauseClock(clock, T0 + HOUR);
    finishClock(clock, T0 + 5 * HOUR, 'stopped');
    expect(clock.accumulatedMs).toBe(HOUR);
    expect(clock.phase).toBe('stopped');
  });

  it('does nothing to a pending or already finished clock', () => {
    const pending = pendingClock(TARGET);
    finishClock(pending, T0, 'stopped');
    expect(pending.phase).toBe('pending');
    expect(pending.completedAt).toBeNull();

    const done = runningClock();
    finishClock(done, T0 + HOUR, 'done');
    finishClock(done, T0 + 2 * HOUR, 'stopped');
    expect(done.phase).toBe('done');
    expect(done.completedAt).toBe(isoAt(T0 + HOUR));
  });
});

describe('clockState', () => {
  it.each([
    ['pending', null, 'pending'],
    ['running', null, 'running'],
    ['paused', null, 'paused'],
    ['done', null, 'met'],
    ['stopped', null, 'stopped'],
    ['running', 'breached', 'breached'],
    ['paused', 'breached', 'breached'],
    ['done', 'breached', 'breached'],
    ['stopped', 'breached', 'breached'],
  ] as const)('phase %s with breach %s shows as %s', (phase, breached, expected) => {
    const clock: Clock = { ...pendingClock(TARGET), phase, breachedAt: breached ? isoAt(T0) : null };
    expect(clockState(clock)).toBe(expected);
  });
});

describe('viewClock', () => {
  it('reports elapsed and remaining time, negative remaining past the target', () => {
    const clock = runningClock();
    expect(viewClock(clock, T0 + HOUR)).toMatchObject({ state: 'running', targetMs: TARGET, elapsedMs: HOUR, remainingMs: 3 * HOUR, dueAt: isoAt(T0 + TARGET) });
    expect(viewClock(clock, T0 + 5 * HOUR).remainingMs).toBe(-HOUR);
  });
});

describe('clock properties', () => {
  /** Gaps between successive pause/resume toggles, starting from a running clock. */
  const gaps = fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { maxLength: 20 });
  const target = fc.integer({ min: 1, max: 30 * 24 * HOUR });

  it('elapsed time never decreases and equals the sum of running stretches', () => {
    fc.assert(
      fc.property(target, gaps, fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { minLength: 1, maxLength: 10 }), (targetMs, toggles, probes) => {
        const clock = runningClock(targetMs);
        let now = T0;
        let running = true;
        let expected = 0;
        let previous = 0;
        const check = (at: number) => {
          const elapsed = elapsedMs(clock, at);
          const expectedAt = expected + (running ? at - now : 0);
          expect(elapsed).toBe(expectedAt);
          expect(elapsed).toBeGreaterThanOrEqual(previous);
          previous = elapsed;
        };
        for (const gap of toggles) {
          // Probe inside the stretch, then toggle at its end.
          check(now + Math.floor(gap / 2));
          const at = now + gap;
          check(at);
          if (running) {
            expected += gap;
            pauseClock(clock, at);
          } else {
            resumeClock(clock, at);
          }
          running = !running;
          now = at;
          check(now);
        }
        // Probes at increasing instants after the last toggle.
        let probeAt = now;
        for (const step of probes) {
          probeAt += step;
          check(probeAt);
        }
        expect(clock.phase).toBe(running ? 'running' : 'paused');
      }),
    );
  });

  it('when running, breachInstant - warnInstant is a quarter of the target, however many pauses came before', () => {
    fc.assert(
      fc.property(target, gaps, (targetMs, toggles) => {
        const clock = runningClock(targetMs);
        let now = T0;
        for (const gap of toggles) {
          now += gap;
          if (clock.phase === 'running') pauseClock(clock, now);
          else resumeClock(clock, now);
        }
        resumeClock(clock, now + 1);
        const warn = warnInstant(clock) as number;
        const breach = breachInstant(clock) as number;
        expect(breach - warn).toBe(0.25 * targetMs);
        expect(breach).toBe(Date.parse(clock.dueAt as string));
        // Business time never runs backwards: a threshold already passed is due when the clock resumed.
        const since = Date.parse(clock.runningSince as string);
        expect(elapsedMs(clock, Math.max(breach, since))).toBe(Math.max(targetMs, clock.accumulatedMs));
        expect(elapsedMs(clock, Math.max(warn, since))).toBe(Math.max(WARN_AT * targetMs, clock.accumulatedMs));
      }),
    );
  });
});
