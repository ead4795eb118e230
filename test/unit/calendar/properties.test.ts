// Invariants of business-time arithmetic on random calendars, zones, starts and durations.
import fc from 'fast-check';
import {
  WEEKDAYS,
  addBusinessDuration,
  addBusinessTime,
  businessTimeBetween,
  isWorkingInstant,
  nextWorkingInstant,
  type Calendar,
  type Weekday,
} from '../../../workflows/domain/calendar';
import { fromNaive } from '../../../workflows/domain/calendar/zone';
import { HOUR } from './helpers';

const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** A day's intervals: an even number of distinct sorted boundaries (minutes 0..1440) paired up. */
const dayHours = fc.uniqueArray(fc.integer({ min: 0, max: 24 * 4 }), { maxLength: 6 }).map((quarters) => {
  const b = [...quarters].sort((x, y) => x - y).map((q) => q * 15);
  if (b.length % 2) b.pop();
  const out: [string, string][] = [];
  for (let i = 0; i < b.length; i += 2) out.push([hhmm(b[i]), hhmm(b[i + 1])]);
  return out;
});

const calendarArb: fc.Arbitrary<Calendar> = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    days: fc.array(dayHours, { minLength: 7, maxLength: 7 }),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 3 * 365 }), { maxLength: 30 }),
  })
  .filter(({ days }) => days.some((d) => d.length > 0))
  .map(({ timezone, days, holidays }) => {
    const workingHours: Partial<Record<Weekday, [string, string][]>> = {};
    WEEKDAYS.forEach((d, i) => {
      if (days[i].length) workingHours[d] = days[i];
    });
    const base = Date.UTC(2025, 11, 1);
    return {
      name: 'random',
      timezone,
      workingHours,
      holidays: holidays.map((n) => new Date(base + n * 86_400_000).toISOString().slice(0, 10)),
    };
  });

const START_MIN = Date.UTC(2025, 11, 1);
const START_MAX = Date.UTC(2028, 11, 1);
const instant = fc.integer({ min: START_MIN, max: START_MAX });
const duration = fc.oneof(fc.integer({ min: 0, max: 200 * HOUR }), fc.integer({ min: 0, max: 10 * HOUR }), fc.constant(0));
const params = { numRuns: 150 };

describe('business-time invariants', () => {
  it('measuring what was added returns the duration', () => {
    fc.assert(
      fc.property(calendarArb, instant, duration, (cal, start, d) => {
        expect(businessTimeBetween(cal, start, addBusinessTime(cal, start, d))).toBe(d);
      }),
      params,
    );
  });

  it('results fall in working time: d = 0 gives a working instant, d > 0 an instant just after working time', () => {
    fc.assert(
      fc.property(calendarArb, instant, duration, (cal, start, d) => {
        const r = addBusinessTime(cal, start, d);
        expect(r).toBeGreaterThanOrEqual(start);
        if (d === 0) expect(isWorkingInstant(cal, r)).toBe(true);
        else expect(isWorkingInstant(cal, r - 1)).toBe(true); // r lies in (s, e] of a working interval
      }),
      params,
    );
  });

  it('is monotonic in the duration and in the start', () => {
    fc.assert(
      fc.property(calendarArb, instant, instant, duration, duration, (cal, s1, s2, d1, d2) => {
        const [a, b] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const [x, y] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(addBusinessTime(cal, a, x)).toBeLessThanOrEqual(addBusinessTime(cal, a, y));
        expect(addBusinessTime(cal, a, x)).toBeLessThanOrEqual(addBusinessTime(cal, b, x));
      }),
      params,
    );
  });

  it('elapsed time is additive over a split point', () => {
    fc.assert(
      fc.property(calendarArb, fc.array(fc.integer({ min: START_MIN, max: START_MIN + 60 * 86_400_000 }), { minLength: 3, maxLength: 3 }), (cal, points) => {
        const [a, m, b] = [...points].sort((x, y) => x - y);
        expect(businessTimeBetween(cal, a, b)).toBe(businessTimeBetween(cal, a, m) + businessTimeBetween(cal, m, b));
        expect(businessTimeBetween(cal, a, b)).toBeLessThanOrEqual(b - a);
      }),
      params,
    );
  });

  it('nothing is working between an instant and the next working instant', () => {
    fc.assert(
      fc.property(calendarArb, instant, (cal, t) => {
        const next = nextWorkingInstant(cal, t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(businessTimeBetween(cal, t, next)).toBe(0);
        expect(isWorkingInstant(cal, next)).toBe(true);
      }),
      params,
    );
  });

  it('P<n>D lands in working time (or at an interval end) and grows with n', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 1, max: 30 }), (cal, start, n) => {
        const r = addBusinessDuration(cal, start, `P${n}D`);
        const r2 = addBusinessDuration(cal, start, `P${n + 1}D`);
        expect(r).toBeGreaterThan(start);
        expect(isWorkingInstant(cal, r) || isWorkingInstant(cal, r - 1)).toBe(true);
        expect(r2).toBeGreaterThanOrEqual(r);
      }),
      { numRuns: 80 },
    );
  });

  it('holds near DST changes (starts within two days of a transition)', () => {
    const transitions = ['2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-11-01T06:00:00Z'].map(Date.parse);
    const nearChange = fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 })).map(([t, dt]) => t + dt);
    fc.assert(
      fc.property(calendarArb, nearChange, fc.integer({ min: 0, max: 30 * HOUR }), (cal, start, d) => {
        const r = addBusinessTime(cal, start, d);
        expect(businessTimeBetween(cal, start, r)).toBe(d);
        if (d > 0) expect(isWorkingInstant(cal, r - 1)).toBe(true);
      }),
      params,
    );
  });

  it('local wall-clock time maps to instants without going backwards', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: START_MIN, max: START_MAX }), fc.integer({ min: 0, max: 3 * HOUR }), (zone, naive, step) => {
        expect(fromNaive(zone, naive)).toBeLessThanOrEqual(fromNaive(zone, naive + step));
      }),
      { numRuns: 300 },
    );
  });
});
