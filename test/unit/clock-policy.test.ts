// Clocks under an SLA policy on the Berlin office calendar (Monday to Friday 09:00-17:00): the
// escalation chain with repeats, the running stretches a clock records, why it is paused, new
// targets and policies applied to it, and clocks of briefs created before policies existed.
import type { Clock } from '../../workflows/domain/brief';
import {
  breachInstant,
  elapsedMs,
  escalationOffsets,
  finishClock,
  pausedFor,
  pauseClock,
  pendingClock,
  reapplyClock,
  resumeClock,
  retargetClock,
  setPauseReasons,
  startClock,
} from '../../workflows/domain/clock';
import { CALENDAR_24X7 } from '../../workflows/domain/calendar';
import { MONDAY, OFFICE, policy, TUESDAY } from './policy-fixtures';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A clock of the policy started at `start` with a 4-hour target. */
function policyClock(start: number, sla = policy()): Clock {
  const clock = pendingClock(4 * HOUR);
  startClock(clock, 4 * HOUR, start, sla, 'PT4H');
  return clock;
}

/** A clock as briefs created before policies kept it: no target, stretches, pauses or chain. */
function legacyClock(start: number): Clock {
  const clock = pendingClock(4 * HOUR);
  startClock(clock, 4 * HOUR, start);
  delete clock.nextStep;
  delete clock.raised;
  delete clock.ack;
  return clock;
}

describe('the escalation chain', () => {
  test('repeats its last level every repeatEvery of business time, up to maxRepeats', () => {
    const sla = policy({ escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }, { after: 'PT1H', notify: ['watchers'] }], repeatEvery: 'PT2H', maxRepeats: 3 } });
    expect(escalationOffsets(sla, MONDAY('13:00'))).toEqual([
      { level: 1, repeat: 0, ms: 0 },
      { level: 2, repeat: 0, ms: HOUR },
      { level: 2, repeat: 1, ms: 3 * HOUR },
      // Monday ends at 17:00: the next two hours are Tuesday 09:00-11:00.
      { level: 2, repeat: 2, ms: 5 * HOUR },
      { level: 2, repeat: 3, ms: 7 * HOUR },
    ]);
  });

  test('has no repeats without levels, and stops repeating when a repeat would not move', () => {
    expect(escalationOffsets(policy({ escalation: { levels: [], repeatEvery: 'PT1H', maxRepeats: 3 } }), MONDAY('10:00'))).toEqual([]);
    const stuck = policy({ escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }], repeatEvery: 'PT0S', maxRepeats: 5 } });
    expect(escalationOffsets(stuck, MONDAY('10:00'))).toEqual([{ level: 1, repeat: 0, ms: 0 }]);
  });
});

describe('running stretches and pauses', () => {
  test('a policy clock records each stretch it ran, but not an empty one', () => {
    const clock = policyClock(MONDAY('09:00'));
    pauseClock(clock, MONDAY('10:00'), policy());
    resumeClock(clock, MONDAY('11:00'), policy());
    pauseClock(clock, MONDAY('11:00'), policy());
    expect(clock.stretches).toEqual([[new Date(MONDAY('09:00')).toISOString(), new Date(MONDAY('10:00')).toISOString()]]);
    expect(clock.accumulatedMs).toBe(HOUR);
  });

  test('pause reasons are kept on policy clocks, and a clock without them (a legacy one) gets none', () => {
    const clock = policyClock(MONDAY('09:00'));
    setPauseReasons(clock, ['hold'], MONDAY('10:00'), policy());
    expect({ phase: clock.phase, pausedFor: clock.pausedFor }).toEqual({ phase: 'paused', pausedFor: ['hold'] });
    expect(pausedFor(clock, MONDAY('10:30'), policy())).toEqual(['hold']);
    setPauseReasons(clock, [], MONDAY('11:00'), policy());
    expect({ phase: clock.phase, pausedFor: clock.pausedFor }).toEqual({ phase: 'running', pausedFor: [] });

    const legacy = legacyClock(MONDAY('09:00'));
    setPauseReasons(legacy, [], MONDAY('10:00'));
    expect(legacy.pausedFor).toBeUndefined();
    expect(legacy.phase).toBe('running');
    setPauseReasons(legacy, ['clarification'], MONDAY('10:00'));
    expect(legacy.pausedFor).toEqual(['clarification']);
    // A pending clock is left alone.
    const pending = pendingClock(HOUR);
    setPauseReasons(pending, ['hold'], MONDAY('10:00'));
    expect(pending).toEqual(pendingClock(HOUR));
  });

  test('a paused clock says why (a clarification when it does not know); a running one outside working hours says so', () => {
    const legacy = legacyClock(MONDAY('09:00'));
    pauseClock(legacy, MONDAY('10:00'));
    expect(pausedFor(legacy, MONDAY('10:30'))).toEqual(['clarification']);
    const running = policyClock(MONDAY('09:00'));
    expect(pausedFor(running, MONDAY('12:00'), policy())).toEqual([]);
    expect(pausedFor(running, MONDAY('18:00'), policy())).toEqual(['outside_working_hours']);
    // On 24x7 (legacy) there are no hours outside.
    expect(pausedFor(legacyClock(MONDAY('09:00')), MONDAY('23:00'))).toEqual([]);
    expect(pausedFor(pendingClock(HOUR), MONDAY('18:00'), policy())).toEqual([]);
  });

  test('a finished policy clock keeps no pause reasons; a legacy one still has none', () => {
    const clock = policyClock(MONDAY('09:00'));
    setPauseReasons(clock, ['clarification'], MONDAY('10:00'), policy());
    finishClock(clock, MONDAY('11:00'), 'stopped', policy());
    expect({ phase: clock.phase, pausedFor: clock.pausedFor, accumulatedMs: clock.accumulatedMs }).toEqual({ phase: 'stopped', pausedFor: [], accumulatedMs: HOUR });
    const legacy = legacyClock(MONDAY('09:00'));
    finishClock(legacy, MONDAY('10:00'), 'done');
    expect(legacy.pausedFor).toBeUndefined();
  });

  test('counts nothing for an instant before it started running', () => {
    const clock = policyClock(MONDAY('10:00'));
    expect(elapsedMs(clock, MONDAY('09:00'), policy())).toBe(0);
    expect(elapsedMs(clock, MONDAY('10:00'), policy())).toBe(0);
    expect(elapsedMs(clock, MONDAY('10:01'), policy())).toBe(MINUTE);
  });
});

describe('new targets', () => {
  test('a policy clock takes the new ISO target and warning; a legacy clock gets neither field', () => {
    const clock = policyClock(MONDAY('09:00'));
    retargetClock(clock, 2 * HOUR, policy(), 'PT2H');
    expect({ target: clock.target, warnMs: clock.warnMs, dueAt: clock.dueAt }).toEqual({ target: 'PT2H', warnMs: 1.5 * HOUR, dueAt: new Date(MONDAY('11:00')).toISOString() });
    retargetClock(clock, 3 * HOUR, policy());
    expect(clock.target).toBe('PT2H');

    const legacy = legacyClock(MONDAY('09:00'));
    retargetClock(legacy, 2 * HOUR, undefined, 'PT2H');
    expect(legacy.target).toBeUndefined();
    expect(legacy.warnMs).toBeUndefined();
    expect(legacy.targetMs).toBe(2 * HOUR);
  });

  test('a target below what the clock has counted is due at once, even outside working hours', () => {
    const clock = policyClock(MONDAY('09:00'));
    pauseClock(clock, MONDAY('13:00'), policy());
    // Resumed on Saturday, when the office is closed, with exactly the target counted.
    const saturday = MONDAY('10:00') + 5 * 24 * HOUR;
    resumeClock(clock, saturday, policy());
    retargetClock(clock, 4 * HOUR, policy());
    expect(breachInstant(clock, policy())).toBe(saturday);
    retargetClock(clock, 3 * HOUR, policy());
    expect(breachInstant(clock, policy())).toBe(saturday - HOUR);
  });
});

describe('a changed policy applied to a running clock', () => {
  test('recounts its stretches under the new calendar and keeps its chain position', () => {
    const clock = policyClock(MONDAY('09:00'));
    pauseClock(clock, MONDAY('20:00'), policy());
    expect(clock.accumulatedMs).toBe(8 * HOUR);
    resumeClock(clock, TUESDAY('09:00'), policy());
    const allDay = policy({ calendar: CALENDAR_24X7 });
    reapplyClock(clock, allDay, 4 * HOUR, TUESDAY('09:00'), 'PT4H');
    expect(clock.accumulatedMs).toBe(11 * HOUR);
    expect(clock.target).toBe('PT4H');
    expect(clock.nextStep).toBe(0);
    // Already past the target: due at once.
    expect(clock.dueAt).toBe(new Date(TUESDAY('09:00') - 7 * HOUR).toISOString());
  });

  test('gives a legacy clock the policy fields, with its breach counted as the first step taken', () => {
    const clock = legacyClock(MONDAY('09:00'));
    clock.breachedAt = new Date(MONDAY('13:00')).toISOString();
    reapplyClock(clock, policy(), 4 * HOUR, MONDAY('14:00'), undefined);
    expect(clock).toMatchObject({ stretches: [], pausedFor: [], raised: [], ack: null, nextStep: 1, steps: [{ level: 1, repeat: 0, ms: 0 }] });
    expect(clock.target).toBeUndefined();
    // Counted so far stays: five hours on 24x7 before the policy came.
    expect(elapsedMs(clock, MONDAY('14:00'), policy())).toBe(5 * HOUR);

    const fresh = legacyClock(MONDAY('09:00'));
    reapplyClock(fresh, policy(), 4 * HOUR, MONDAY('10:00'), 'PT4H');
    expect(fresh).toMatchObject({ nextStep: 0, target: 'PT4H', warnMs: 3 * HOUR });
  });

  test('keeps what a clock already has, and leaves pending and finished clocks alone', () => {
    const clock = policyClock(MONDAY('09:00'));
    clock.raised = [{ escalationId: 'esc-1', level: 1, repeat: 0, index: 0, at: new Date(MONDAY('13:00')).toISOString() }];
    clock.ack = { escalationId: 'esc-1', memberId: 'm', at: new Date(MONDAY('13:30')).toISOString(), elapsedMs: 4.5 * HOUR, index: 0 };
    clock.nextStep = 5;
    reapplyClock(clock, policy(), 4 * HOUR, MONDAY('14:00'), 'PT4H');
    expect(clock.raised).toHaveLength(1);
    expect(clock.ack).toMatchObject({ escalationId: 'esc-1' });
    // A chain position past the new chain's end is its end.
    expect(clock.nextStep).toBe(1);

    const pending = pendingClock(HOUR);
    reapplyClock(pending, policy(), 2 * HOUR, MONDAY('10:00'), 'PT2H');
    expect(pending).toEqual(pendingClock(HOUR));
    const done = policyClock(MONDAY('09:00'));
    finishClock(done, MONDAY('10:00'), 'done', policy());
    const before = structuredClone(done);
    reapplyClock(done, policy({ calendar: CALENDAR_24X7 }), 2 * HOUR, MONDAY('11:00'), 'PT2H');
    expect(done).toEqual(before);
  });
});

test('the office calendar of these tests is Monday to Friday 09:00-17:00', () => {
  expect(OFFICE.workingHours.mon).toEqual([['09:00', '17:00']]);
});
