import { CALENDAR_24X7, addBusinessTime, parseIcsHolidays, readIcsHolidays, validateCalendar, type Calendar } from '../../../workflows/domain/calendar';
import { BERLIN_OFFICE, BERLIN_SPLIT, HOUR } from './helpers';

const cal = (patch: Partial<Calendar>): Calendar => ({ ...BERLIN_OFFICE, ...patch });

describe('validateCalendar', () => {
  it.each([
    ['24x7', CALENDAR_24X7],
    ['office', BERLIN_OFFICE],
    ['split day', BERLIN_SPLIT],
    ['adjacent intervals', cal({ workingHours: { mon: [['08:00', '12:00'], ['12:00', '24:00']] } })],
  ])('accepts %s', (_name, c) => {
    expect(validateCalendar(c)).toEqual([]);
  });

  it.each<[string, Calendar, RegExp]>([
    ['an unknown zone', cal({ timezone: 'Europe/Atlantis' }), /timezone/],
    ['a bad time', cal({ workingHours: { mon: [['9:00', '17:00']] } }), /start "9:00"/],
    ['minutes out of range', cal({ workingHours: { mon: [['09:60', '17:00']] } }), /09:60/],
    ['24:00 as a start', cal({ workingHours: { mon: [['24:00', '24:00']] } }), /start "24:00"/],
    ['an end after 24:00', cal({ workingHours: { mon: [['09:00', '24:30']] } }), /end "24:30"/],
    ['an empty interval', cal({ workingHours: { mon: [['09:00', '09:00']] } }), /before or when it starts/],
    ['an inverted interval', cal({ workingHours: { mon: [['17:00', '09:00']] } }), /before or when it starts/],
    ['overlapping intervals', cal({ workingHours: { mon: [['09:00', '13:00'], ['12:00', '17:00']] } }), /overlap/],
    ['unordered intervals', cal({ workingHours: { mon: [['13:00', '17:00'], ['08:00', '12:00']] } }), /overlap/],
    ['an unknown weekday', cal({ workingHours: { monday: [['09:00', '17:00']] } as Calendar['workingHours'] }), /unknown weekday/],
    ['a bad holiday', cal({ holidays: ['2026-02-30'] }), /holidays\[0\]/],
    ['a holiday in another format', cal({ holidays: ['24.12.2026'] }), /holidays\[0\]/],
    ['no working time', cal({ workingHours: { mon: [], sat: [] } }), /no working time/],
    ['an empty name', cal({ name: '' }), /name/],
  ])('reports %s', (_name, c, problem) => {
    const problems = validateCalendar(c);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('arithmetic refuses an invalid calendar with the problems', () => {
    expect(() => addBusinessTime(cal({ timezone: 'Nowhere/Else' }), 0, HOUR)).toThrow(/Invalid calendar "berlin-office": timezone/);
  });
});

const ics = (events: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${events}END:VCALENDAR\r\n`;

describe('parseIcsHolidays', () => {
  it('reads all-day events, exclusive multi-day DTEND, date-times and folded lines', () => {
    const text = ics(
      [
        'BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Weihnachten\r\nEND:VEVENT\r\n',
        'BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261003\r\nSUMMARY:Tag der Deutschen\r\n  Einheit\r\nEND:VEVENT\r\n',
        'BEGIN:VEVENT\r\nUID:3\r\nDTSTART;TZID="Europe/Berlin":20260501T000000\r\nDTEND;TZID=Europe/Berlin:20260502T000000\r\nEND:VEVENT\r\n',
        'BEGIN:VEVENT\r\nUID:4\r\nDTST\r\n ART:20260601T090000Z\r\nEND:VEVENT\r\n',
        'BEGIN:VEVENT\r\nUID:5\r\nSTATUS:CANCELLED\r\nDTSTART;VALUE=DATE:20260701\r\nEND:VEVENT\r\n',
        'BEGIN:VEVENT\r\nUID:6\r\nDTSTART;VALUE=DATE:20260801\r\nDURATION:P2D\r\nEND:VEVENT\r\n',
      ].join(''),
    );
    expect(parseIcsHolidays(text)).toEqual(['2026-05-01', '2026-06-01', '2026-08-01', '2026-08-02', '2026-10-03', '2026-12-24', '2026-12-25', '2026-12-26']);
  });

  it('expands fixed-date yearly rules up to untilYear, honouring COUNT, UNTIL, EXDATE and 29 February', () => {
    const text = ics(
      [
        'BEGIN:VEVENT\nDTSTART;VALUE=DATE:20250101\nRRULE:FREQ=YEARLY\nEXDATE;VALUE=DATE:20270101\nSUMMARY:Neujahr\nEND:VEVENT\n',
        'BEGIN:VEVENT\nDTSTART;VALUE=DATE:20250501\nRRULE:FREQ=YEARLY;COUNT=2\nEND:VEVENT\n',
        'BEGIN:VEVENT\nDTSTART;VALUE=DATE:20241003\nRRULE:FREQ=YEARLY;UNTIL=20251231\nEND:VEVENT\n',
        'BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\nEND:VEVENT\n',
      ].join(''),
    );
    expect(parseIcsHolidays(text, { untilYear: 2028 })).toEqual([
      '2024-02-29',
      '2024-10-03',
      '2025-01-01',
      '2025-05-01',
      '2025-10-03',
      '2026-01-01',
      '2026-05-01',
      '2028-01-01',
      '2028-02-29',
    ]);
  });

  it('reports recurrences it cannot expand instead of guessing', () => {
    const text = ics('BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\nSUMMARY:Thanksgiving\nEND:VEVENT\n');
    expect(readIcsHolidays(text).unsupported).toEqual([expect.stringMatching(/^Thanksgiving: RRULE/)]);
    expect(() => parseIcsHolidays(text)).toThrow(/Thanksgiving/);
  });

  it('feeds a calendar', () => {
    const holidays = parseIcsHolidays(ics('BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261130\nEND:VEVENT\n'));
    const c = { ...BERLIN_OFFICE, holidays };
    expect(validateCalendar(c)).toEqual([]);
    expect(new Date(addBusinessTime(c, Date.parse('2026-11-27T15:00:00Z'), 2 * HOUR)).toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});
