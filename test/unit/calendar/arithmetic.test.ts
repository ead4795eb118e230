// Hand-checked cases. Expected instants are written in UTC (CET = UTC+1, CEST = UTC+2,
// EST = UTC-5, EDT = UTC-4) so they do not depend on the code under test.
import {
  CALENDAR_24X7,
  addBusinessDuration,
  addBusinessTime,
  businessTimeBetween,
  isWorkingInstant,
  nextWorkingInstant,
  workingDates,
  zonedInstant,
  type Calendar,
} from '../../../workflows/domain/calendar';
import { BERLIN_24X7, BERLIN_OFFICE, BERLIN_SPLIT, HOUR, MINUTE, NEW_YORK_24X7, utc } from './helpers';

const iso = (t: number) => new Date(t).toISOString();

describe('addBusinessTime', () => {
  it.each<[string, Calendar, string, number, string]>([
    ['4 h from Friday 15:00 reaches Monday 11:00', BERLIN_OFFICE, '2026-11-27T14:00:00Z', 4 * HOUR, '2026-11-30T10:00:00.000Z'],
    ['from exactly 17:00 (an end) counting starts Monday 09:00', BERLIN_OFFICE, '2026-11-27T16:00:00Z', 1 * HOUR, '2026-11-30T09:00:00.000Z'],
    ['0 from exactly 17:00 is the next working instant', BERLIN_OFFICE, '2026-11-27T16:00:00Z', 0, '2026-11-30T08:00:00.000Z'],
    ['from exactly 09:00 (a start)', BERLIN_OFFICE, '2026-11-30T08:00:00Z', 8 * HOUR, '2026-11-30T16:00:00.000Z'],
    ['0 from a working instant is that instant', BERLIN_OFFICE, '2026-11-30T08:00:00Z', 0, '2026-11-30T08:00:00.000Z'],
    ['using up a day exactly ends at 17:00, not the next 09:00', BERLIN_OFFICE, '2026-11-30T12:00:00Z', 4 * HOUR, '2026-11-30T16:00:00.000Z'],
    ['from a Saturday', BERLIN_OFFICE, '2026-11-28T09:00:00Z', 30 * MINUTE, '2026-11-30T08:30:00.000Z'],
    ['from before office hours', BERLIN_OFFICE, '2026-11-30T05:00:00Z', 1 * HOUR, '2026-11-30T09:00:00.000Z'],
    ['holidays 24-26 December are skipped', BERLIN_OFFICE, '2026-12-23T15:00:00Z', 2 * HOUR, '2026-12-28T09:00:00.000Z'],
    ['start on a holiday', BERLIN_OFFICE, '2026-12-24T09:00:00Z', 1 * HOUR, '2026-12-28T09:00:00.000Z'],
    ['several weeks: 100 h from Monday 09:00', BERLIN_OFFICE, '2026-11-30T08:00:00Z', 100 * HOUR, '2026-12-16T12:00:00.000Z'],
    ['several weeks across holidays and the new year', BERLIN_OFFICE, '2026-12-21T08:00:00Z', 80 * HOUR, '2027-01-05T16:00:00.000Z'],
    ['office hours across the spring change (CET -> CEST)', BERLIN_OFFICE, '2026-03-27T14:00:00Z', 4 * HOUR, '2026-03-30T09:00:00.000Z'],
    ['office hours across the autumn change (CEST -> CET)', BERLIN_OFFICE, '2026-10-23T13:00:00Z', 4 * HOUR, '2026-10-26T10:00:00.000Z'],
    ['split day: across lunch', BERLIN_SPLIT, '2026-11-30T10:00:00Z', 2 * HOUR, '2026-11-30T13:00:00.000Z'],
    ['split day: start in the lunch break', BERLIN_SPLIT, '2026-11-30T11:30:00Z', 1 * HOUR, '2026-11-30T13:00:00.000Z'],
    ['split day: ending exactly at 12:00', BERLIN_SPLIT, '2026-11-30T10:00:00Z', 1 * HOUR, '2026-11-30T11:00:00.000Z'],
    ['24x7 Berlin: 24 h across the spring-forward night are 24 real hours', BERLIN_24X7, '2026-03-28T11:00:00Z', 24 * HOUR, '2026-03-29T11:00:00.000Z'],
    ['24x7 Berlin: 24 h across the fall-back night are 24 real hours', BERLIN_24X7, '2026-10-24T10:00:00Z', 24 * HOUR, '2026-10-25T10:00:00.000Z'],
    ['24x7 New York: 24 h across the spring-forward night', NEW_YORK_24X7, '2026-03-07T17:00:00Z', 24 * HOUR, '2026-03-08T17:00:00.000Z'],
    ['24x7 New York: 24 h across the fall-back night', NEW_YORK_24X7, '2026-10-31T16:00:00Z', 24 * HOUR, '2026-11-01T16:00:00.000Z'],
    ['built-in 24x7 is real time', CALENDAR_24X7, '2026-03-29T00:30:00Z', 1000 * HOUR + 1, '2026-05-09T16:30:00.001Z'],
  ])('%s', (_name, cal, start, duration, expected) => {
    expect(iso(addBusinessTime(cal, utc(start), duration))).toBe(expected);
  });

  it('rejects negative or non-finite durations', () => {
    expect(() => addBusinessTime(BERLIN_OFFICE, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessTime(BERLIN_OFFICE, 0, Number.NaN)).toThrow(RangeError);
    expect(() => addBusinessTime(BERLIN_OFFICE, Number.POSITIVE_INFINITY, 1)).toThrow(RangeError);
  });
});

describe('days that contain a DST change', () => {
  const wholeDay = (cal: Calendar, date: string, next: string) =>
    businessTimeBetween(cal, zonedInstant(cal.timezone, date), zonedInstant(cal.timezone, next));

  it.each<[string, Calendar, string, string, number]>([
    ['Berlin spring', BERLIN_24X7, '2026-03-29', '2026-03-30', 23],
    ['Berlin autumn', BERLIN_24X7, '2026-10-25', '2026-10-26', 25],
    ['New York spring', NEW_YORK_24X7, '2026-03-08', '2026-03-09', 23],
    ['New York autumn', NEW_YORK_24X7, '2026-11-01', '2026-11-02', 25],
    ['an ordinary day', BERLIN_24X7, '2026-03-30', '2026-03-31', 24],
  ])('%s: a 00:00-24:00 working day counts its real hours', (_name, cal, date, next, hours) => {
    expect(wholeDay(cal, date, next)).toBe(hours * HOUR);
  });

  it('a day with only 00:00-24:00 on the change day ends at its real end', () => {
    const sundays: Calendar = { name: 'sundays', timezone: 'Europe/Berlin', workingHours: { sun: [['00:00', '24:00']] }, holidays: [] };
    const start = utc('2026-03-28T23:00:00Z'); // Sunday 29 March 00:00 CET
    expect(iso(addBusinessTime(sundays, start, 23 * HOUR))).toBe('2026-03-29T22:00:00.000Z'); // Monday 00:00 CEST
    expect(iso(addBusinessTime(sundays, start, 23 * HOUR + 1))).toBe('2026-04-04T22:00:00.001Z'); // next Sunday
  });

  it.each<[string, string, string, number]>([
    ['01:00-04:00 across the spring gap lasts 2 h', '2026-03-29', '01:00', 2],
    ['01:00-04:00 across the autumn fold lasts 4 h', '2026-10-25', '01:00', 4],
  ])('%s', (_name, date, from, hours) => {
    const cal: Calendar = { name: 'night', timezone: 'Europe/Berlin', workingHours: { sun: [[from, '04:00']] }, holidays: [] };
    const dayStart = zonedInstant('Europe/Berlin', date);
    expect(businessTimeBetween(cal, dayStart, dayStart + 30 * HOUR)).toBe(hours * HOUR);
  });

  it('an interval starting inside the spring gap starts at the transition', () => {
    const cal: Calendar = { name: 'gap', timezone: 'Europe/Berlin', workingHours: { sun: [['02:30', '05:00']] }, holidays: [] };
    expect(iso(nextWorkingInstant(cal, utc('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(businessTimeBetween(cal, utc('2026-03-28T12:00:00Z'), utc('2026-03-30T00:00:00Z'))).toBe(2 * HOUR);
  });
});

describe('businessTimeBetween', () => {
  it.each<[string, Calendar, string, string, number]>([
    ['a working week', BERLIN_OFFICE, '2026-11-30T00:00:00Z', '2026-12-07T00:00:00Z', 40 * HOUR],
    ['Christmas week has 3 working days', BERLIN_OFFICE, '2026-12-21T00:00:00Z', '2026-12-28T00:00:00Z', 24 * HOUR],
    ['a weekend has none', BERLIN_OFFICE, '2026-11-28T00:00:00Z', '2026-11-30T00:00:00Z', 0],
    ['Friday 15:00 to Monday 11:00', BERLIN_OFFICE, '2026-11-27T14:00:00Z', '2026-11-30T10:00:00Z', 4 * HOUR],
    ['a split day has 8 h', BERLIN_SPLIT, '2026-11-30T07:00:00Z', '2026-11-30T16:00:00Z', 8 * HOUR],
    ['lunch break only', BERLIN_SPLIT, '2026-11-30T11:00:00Z', '2026-11-30T12:00:00Z', 0],
    ['backwards is 0', BERLIN_OFFICE, '2026-11-30T12:00:00Z', '2026-11-30T10:00:00Z', 0],
  ])('%s', (_name, cal, from, to, expected) => {
    expect(businessTimeBetween(cal, utc(from), utc(to))).toBe(expected);
  });
});

describe('isWorkingInstant and nextWorkingInstant', () => {
  it.each<[string, string, boolean, string]>([
    ['Monday 09:00 (a start) is working', '2026-11-30T08:00:00Z', true, '2026-11-30T08:00:00.000Z'],
    ['Friday 16:59:59.999 is working', '2026-11-27T15:59:59.999Z', true, '2026-11-27T15:59:59.999Z'],
    ['Friday 17:00 (an end) is not', '2026-11-27T16:00:00Z', false, '2026-11-30T08:00:00.000Z'],
    ['midnight is not', '2026-11-30T23:00:00Z', false, '2026-12-01T08:00:00.000Z'],
    ['a holiday is not', '2026-12-25T10:00:00Z', false, '2026-12-28T08:00:00.000Z'],
  ])('%s', (_name, at, working, next) => {
    expect(isWorkingInstant(BERLIN_OFFICE, utc(at))).toBe(working);
    expect(iso(nextWorkingInstant(BERLIN_OFFICE, utc(at)))).toBe(next);
  });
});

describe('addBusinessDuration', () => {
  const shortTuesday: Calendar = {
    name: 'short-tuesday',
    timezone: 'Europe/Berlin',
    workingHours: {
      mon: [['09:00', '17:00']],
      tue: [['10:00', '14:00']],
      wed: [
        ['08:00', '12:00'],
        ['13:30', '17:00'],
      ],
    },
    holidays: [],
  };

  it.each<[string, Calendar, string, string, string]>([
    ['P1D from Friday 15:00 is Monday 15:00', BERLIN_OFFICE, '2026-11-27T14:00:00Z', 'P1D', '2026-11-30T14:00:00.000Z'],
    ['P1D from Friday 17:00 is Monday 17:00', BERLIN_OFFICE, '2026-11-27T16:00:00Z', 'P1D', '2026-11-30T16:00:00.000Z'],
    ['P1D from Monday 09:00 is Tuesday 09:00', BERLIN_OFFICE, '2026-11-30T08:00:00Z', 'P1D', '2026-12-01T08:00:00.000Z'],
    ['P1D from Saturday 10:00 is Tuesday 09:00', BERLIN_OFFICE, '2026-11-28T09:00:00Z', 'P1D', '2026-12-01T08:00:00.000Z'],
    ['P2D from 23 December skips the holidays', BERLIN_OFFICE, '2026-12-23T09:00:00Z', 'P2D', '2026-12-29T09:00:00.000Z'],
    ['P5D is a working week', BERLIN_OFFICE, '2026-11-30T10:00:00Z', 'P5D', '2026-12-07T10:00:00.000Z'],
    ['P1D across the spring change keeps the wall-clock time', BERLIN_OFFICE, '2026-03-27T14:00:00Z', 'P1D', '2026-03-30T13:00:00.000Z'],
    ['P1D on a 24x7 calendar is one calendar day (23 h here)', BERLIN_24X7, '2026-03-28T11:00:00Z', 'P1D', '2026-03-29T10:00:00.000Z'],
    ['P1DT2H: days first, then working time', BERLIN_OFFICE, '2026-11-27T15:00:00Z', 'P1DT2H', '2026-12-01T09:00:00.000Z'],
    ['PT4H is working time', BERLIN_OFFICE, '2026-11-27T14:00:00Z', 'PT4H', '2026-11-30T10:00:00.000Z'],
    ['PT1H30M', BERLIN_OFFICE, '2026-11-27T15:00:00Z', 'PT1H30M', '2026-11-30T08:30:00.000Z'],
    ['PT0S from an end is the next working instant', BERLIN_OFFICE, '2026-11-27T16:00:00Z', 'PT0S', '2026-11-30T08:00:00.000Z'],
    ['clamp: before the shorter day starts -> its start', shortTuesday, '2026-11-30T08:30:00Z', 'P1D', '2026-12-01T09:00:00.000Z'],
    ['clamp: after the shorter day ends -> its end', shortTuesday, '2026-11-30T15:00:00Z', 'P1D', '2026-12-01T13:00:00.000Z'],
    ['clamp: in a break -> end of the interval before it', shortTuesday, '2026-12-01T12:00:00Z', 'P1D', '2026-12-02T11:00:00.000Z'],
    ['split day: from the end of the morning', BERLIN_SPLIT, '2026-11-30T11:00:00Z', 'P1D', '2026-12-01T11:00:00.000Z'],
    ['split day: from the lunch break', BERLIN_SPLIT, '2026-11-30T11:30:00Z', 'P1D', '2026-12-01T12:00:00.000Z'],
  ])('%s', (_name, cal, start, duration, expected) => {
    expect(iso(addBusinessDuration(cal, utc(start), duration))).toBe(expected);
  });

  it.each(['P1W', 'P1M', 'P1Y', 'P1.5D', 'PT', 'P', '1D', 'pt4h'])('rejects %s', (text) => {
    expect(() => addBusinessDuration(BERLIN_OFFICE, 0, text)).toThrow(RangeError);
  });
});

describe('calendars without working time', () => {
  it('throws a clear error instead of looping', () => {
    const never: Calendar = { name: 'never', timezone: 'UTC', workingHours: {}, holidays: [] };
    expect(() => addBusinessTime(never, 0, HOUR)).toThrow(/no working time/);
    expect(() => nextWorkingInstant(never, 0)).toThrow(/no working time/);
  });

  it('skips long runs of holidays', () => {
    const mondays: Calendar = {
      name: 'mondays',
      timezone: 'UTC',
      workingHours: { mon: [['09:00', '10:00']] },
      holidays: ['2026-11-30', '2026-12-07', '2026-12-14'],
    };
    expect(iso(nextWorkingInstant(mondays, utc('2026-11-28T00:00:00Z')))).toBe('2026-12-21T09:00:00.000Z');
    expect(workingDates(BERLIN_OFFICE, '2026-12-23', 3)).toEqual(['2026-12-23', '2026-12-28', '2026-12-29']);
  });
});
