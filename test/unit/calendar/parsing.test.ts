// What the calendar and duration parsers accept and what they make of it: local dates, clock
// times and zoned instants (seconds, milliseconds, DST gaps and folds), ISO durations with
// fractions, business durations, and the guards against values that are not instants.
import { addBusinessDuration, addBusinessTime, businessTimeBetween, CALENDAR_24X7, isWorkingInstant, nextWorkingInstant, parseBusinessDuration, validateCalendar, type Calendar } from '../../../workflows/domain/calendar';
import { formatZoned, fromNaive, isValidTimeZone, offsetAt, parseClockTime, parseLocalDate, toNaive, zonedInstant, DAY_MS, HOUR_MS, MINUTE_MS } from '../../../workflows/domain/calendar/zone';
import { formatDuration, isSlaTarget, parseDuration, SLA_TARGET_RULE } from '../../../workflows/domain/duration';

const BERLIN = 'Europe/Berlin';
const weekdays: Calendar = {
  name: 'Berlin office',
  timezone: BERLIN,
  workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])) as Calendar['workingHours'],
  holidays: [],
};

describe('local dates', () => {
  test('are YYYY-MM-DD exactly, and real days of the calendar', () => {
    expect(parseLocalDate('2026-11-28')).toBe(Date.UTC(2026, 10, 28) / DAY_MS);
    for (const bad of ['x2026-11-28', '2026-11-28x', '2026-11-28T10:00', '26-11-28', '2026-2-03', '']) expect(parseLocalDate(bad)).toBeUndefined();
    // Days that roll over into the next month or year are not dates.
    for (const bad of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-12-32']) expect(parseLocalDate(bad)).toBeUndefined();
    expect(parseLocalDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29) / DAY_MS);
  });
});

describe('clock times', () => {
  test('are HH:MM from 00:00 to 23:59, and 24:00 only where allowed', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('09:30')).toBe(570);
    expect(parseClockTime('23:59')).toBe(23 * 60 + 59);
    for (const bad of ['24:00', '9:00', '09:60', '25:00', 'x09:00', '09:00x', '09:00:00', '']) expect(parseClockTime(bad)).toBeUndefined();
    expect(parseClockTime('24:00', true)).toBe(24 * 60);
  });
});

describe('zoned instants', () => {
  test('take HH:MM or HH:MM:SS, and refuse anything else', () => {
    expect(zonedInstant(BERLIN, '2026-11-28', '10:00')).toBe(Date.UTC(2026, 10, 28, 9, 0));
    expect(zonedInstant(BERLIN, '2026-11-28', '10:00:30')).toBe(Date.UTC(2026, 10, 28, 9, 0, 30));
    expect(zonedInstant(BERLIN, '2026-11-28')).toBe(Date.UTC(2026, 10, 27, 23, 0));
    for (const time of ['10', '10:00:3', '10:00:30x', 'x10:00', '10:00:ab']) expect(() => zonedInstant(BERLIN, '2026-11-28', time)).toThrow(`Not a local date and time: 2026-11-28 ${time}`);
    expect(() => zonedInstant(BERLIN, '2026-02-30', '10:00')).toThrow(/Not a local date and time/);
  });

  test('keep the milliseconds of an instant when read as local time', () => {
    const instant = Date.UTC(2026, 10, 28, 9, 0, 5, 250);
    expect(toNaive(BERLIN, instant)).toBe(Date.UTC(2026, 10, 28, 10, 0, 5, 250));
    expect(offsetAt(BERLIN, instant)).toBe(HOUR_MS);
    expect(formatZoned(BERLIN, instant)).toBe('2026-11-28 10:00:05');
    // Before 1970 too (a negative instant with milliseconds).
    expect(toNaive('UTC', -1500)).toBe(-1500);
  });

  test('in the spring gap land on the first instant after it; in the autumn fold on the first occurrence', () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST in Berlin.
    expect(zonedInstant(BERLIN, '2026-03-29', '02:30')).toBe(Date.UTC(2026, 2, 29, 1, 0));
    expect(zonedInstant(BERLIN, '2026-03-29', '01:59')).toBe(Date.UTC(2026, 2, 29, 0, 59));
    expect(zonedInstant(BERLIN, '2026-03-29', '03:00')).toBe(Date.UTC(2026, 2, 29, 1, 0));
    // 2026-10-25 03:00 CEST falls back to 02:00 CET: 02:30 happens twice.
    expect(zonedInstant(BERLIN, '2026-10-25', '02:30')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(fromNaive(BERLIN, Date.UTC(2026, 9, 25, 3, 0))).toBe(Date.UTC(2026, 9, 25, 2, 0));
    // New York's gap: 2026-03-08 02:00 EST -> 03:00 EDT.
    expect(zonedInstant('America/New_York', '2026-03-08', '02:15')).toBe(Date.UTC(2026, 2, 8, 7, 0));
  });

  test('know IANA zone names only', () => {
    expect(isValidTimeZone(BERLIN)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone(undefined as unknown as string)).toBe(false);
    expect(isValidTimeZone(42 as unknown as string)).toBe(false);
  });
});

describe('ISO durations (SLA targets)', () => {
  test('take fractions of every unit', () => {
    expect(parseDuration('P1.5W')).toBe(10.5 * DAY_MS);
    expect(parseDuration('P0.5D')).toBe(12 * HOUR_MS);
    expect(parseDuration('PT1.25H')).toBe(75 * MINUTE_MS);
    expect(parseDuration('PT2.5M')).toBe(150_000);
    expect(parseDuration('PT0.25S')).toBe(250);
    expect(parseDuration('P12W')).toBe(84 * DAY_MS);
    expect(parseDuration('P10D')).toBe(10 * DAY_MS);
    expect(parseDuration('PT12H')).toBe(12 * HOUR_MS);
    expect(parseDuration('PT90M')).toBe(90 * MINUTE_MS);
    expect(parseDuration('PT45S')).toBe(45_000);
    for (const bad of ['P1.W', 'P.5D', 'PT1.H', 'PT1,5H', 'P1Y', 'P1M', 'xPT1H', 'PT1Hx', 'P', 'PT', 'P1DT']) expect(parseDuration(bad)).toBeUndefined();
  });

  test('as SLA targets run from a second to ten years, and the rule says so', () => {
    expect(isSlaTarget('PT1S')).toBe(true);
    expect(isSlaTarget('P3650D')).toBe(true);
    expect(isSlaTarget('PT0.5S')).toBe(false);
    expect(isSlaTarget('P3651D')).toBe(false);
    expect(SLA_TARGET_RULE).toBe('an ISO 8601 duration from PT1S to P3650D, such as PT4H or P2D');
    expect(formatDuration(90 * MINUTE_MS)).toBe('PT1H30M');
  });
});

describe('business durations', () => {
  test('are whole days and working time with fractions of hours, minutes and seconds', () => {
    expect(parseBusinessDuration('P2D')).toEqual({ days: 2, timeMs: 0 });
    expect(parseBusinessDuration('PT1.5H')).toEqual({ days: 0, timeMs: 90 * MINUTE_MS });
    expect(parseBusinessDuration('PT2.5M')).toEqual({ days: 0, timeMs: 150_000 });
    expect(parseBusinessDuration('PT1.5S')).toEqual({ days: 0, timeMs: 1500 });
    expect(parseBusinessDuration('P1DT2H30M15S')).toEqual({ days: 1, timeMs: 2 * HOUR_MS + 30 * MINUTE_MS + 15_000 });
    for (const bad of ['P1.5D', 'P1W', 'PT1.H', 'PT1.5', 'xP1D', 'P1Dx', 'P', 'PT', 'P1DT', 'P99999999999999999D']) expect(parseBusinessDuration(bad)).toBeUndefined();
  });

  test('P0D adds nothing; P1D from a working instant is the same time on the next working day', () => {
    const friday15 = zonedInstant(BERLIN, '2026-11-27', '15:00');
    expect(addBusinessDuration(weekdays, friday15, 'P0D')).toBe(friday15);
    expect(formatZoned(BERLIN, addBusinessDuration(weekdays, friday15, 'P1D'))).toBe('2026-11-30 15:00:00');
    expect(() => addBusinessDuration(weekdays, friday15, 'P1W')).toThrow(/"P1W" is not a business duration: use P<n>D/);
    expect(() => addBusinessDuration(weekdays, Number.NaN, 'P1D')).toThrow('start must be a finite epoch-milliseconds number, got NaN');
  });
});

describe('business time guards', () => {
  test('refuse instants and durations that are not numbers of milliseconds', () => {
    expect(() => isWorkingInstant(weekdays, Number.NaN)).toThrow('instant must be a finite epoch-milliseconds number, got NaN');
    expect(() => nextWorkingInstant(weekdays, Number.POSITIVE_INFINITY)).toThrow('instant must be a finite epoch-milliseconds number, got Infinity');
    expect(() => addBusinessTime(weekdays, Number.NaN, 1000)).toThrow('start must be a finite epoch-milliseconds number, got NaN');
    expect(() => addBusinessTime(weekdays, 0, -1)).toThrow(/durationMs must be a finite number >= 0/);
    expect(() => addBusinessTime(weekdays, 0, Number.NaN)).toThrow(/durationMs must be a finite number >= 0/);
    expect(() => businessTimeBetween(weekdays, Number.NaN, 0)).toThrow('from must be a finite epoch-milliseconds number, got NaN');
    expect(() => businessTimeBetween(weekdays, 0, Number.NaN)).toThrow('to must be a finite epoch-milliseconds number, got NaN');
  });

  test('count no time backwards or in an empty stretch, and exactly the stretch on 24x7', () => {
    const monday10 = zonedInstant(BERLIN, '2026-11-30', '10:00');
    expect(businessTimeBetween(weekdays, monday10, monday10)).toBe(0);
    expect(businessTimeBetween(weekdays, monday10, monday10 - HOUR_MS)).toBe(0);
    expect(businessTimeBetween(weekdays, monday10, monday10 + 1)).toBe(1);
    // From Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    expect(businessTimeBetween(weekdays, zonedInstant(BERLIN, '2026-11-27', '16:00'), monday10)).toBe(2 * HOUR_MS);
    expect(businessTimeBetween(CALENDAR_24X7, 0, DAY_MS)).toBe(DAY_MS);
  });
});

describe('calendar validation and compilation', () => {
  test('names every problem, and only a calendar without problems can lack working time', () => {
    expect(validateCalendar(weekdays)).toEqual([]);
    expect(validateCalendar({ ...weekdays, holidays: 'none' as unknown as string[] })).toEqual(['holidays must be a list of YYYY-MM-DD dates']);
    expect(validateCalendar({ ...weekdays, holidays: [20261224 as unknown as string, '2026-12-25'] })).toEqual(['holidays[0] "20261224" is not a date YYYY-MM-DD']);
    expect(validateCalendar({ ...weekdays, workingHours: {} })).toEqual(['calendar has no working time: give at least one weekday a working-hours interval']);
    // With another problem, the missing working time is not mentioned on top.
    expect(validateCalendar({ ...weekdays, name: '', workingHours: {} })).toEqual(['name must be a non-empty string']);
    expect(validateCalendar({ ...weekdays, workingHours: { mon: '09-17' as unknown as [string, string][] } })).toEqual(['workingHours.mon must be a list of ["HH:MM", "HH:MM"] intervals']);
    expect(validateCalendar({ ...weekdays, workingHours: { mon: [['09:00'] as unknown as [string, string]] } })).toEqual(['workingHours.mon[0] must be a pair ["HH:MM", "HH:MM"]']);
    expect(validateCalendar(null as unknown as Calendar)).toEqual(['calendar must be an object']);
    expect(() => addBusinessTime(null as unknown as Calendar, 0, 1)).toThrow('Invalid calendar "undefined": calendar must be an object');
    expect(() => addBusinessTime({ ...weekdays, workingHours: {} }, 0, 1)).toThrow('Invalid calendar "Berlin office": calendar has no working time');
  });

  test('working hours that fall into a DST gap are no working time that day', () => {
    // Sundays 02:00-03:00 in Berlin: on 29 March 2026 that hour does not exist.
    const nights: Calendar = { ...weekdays, workingHours: { ...weekdays.workingHours, sun: [['02:00', '03:00']] } };
    expect(formatZoned(BERLIN, nextWorkingInstant(nights, zonedInstant(BERLIN, '2026-03-29', '00:00')))).toBe('2026-03-30 09:00:00');
    expect(formatZoned(BERLIN, nextWorkingInstant(nights, zonedInstant(BERLIN, '2026-03-22', '00:00')))).toBe('2026-03-22 02:00:00');
  });

  test('skips holidays however many follow each other', () => {
    const mondays: Calendar = { ...weekdays, workingHours: { mon: [['09:00', '17:00']] }, holidays: ['2026-11-30', '2026-12-07', '2026-12-14'] };
    expect(formatZoned(BERLIN, nextWorkingInstant(mondays, zonedInstant(BERLIN, '2026-11-28', '10:00')))).toBe('2026-12-21 09:00:00');
  });
});
