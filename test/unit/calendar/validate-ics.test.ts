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

  it('reads a colon inside a quoted parameter as part of it, and skips lines without a value', () => {
    const text = ics('BEGIN:VEVENT\nDTSTART;X-NOTE="a:b":20260704\nSUMMARY\nDESCRIPTION;X="unterminated:20260705\nEND:VEVENT\n');
    expect(readIcsHolidays(text)).toEqual({ holidays: ['2026-07-04'], unsupported: [] });
    // Whitespace before a line's end is not part of its value; a line's start is.
    expect(parseIcsHolidays(ics('BEGIN:VEVENT\nDTSTART:20260706   \nEND:VEVENT\n'))).toEqual(['2026-07-06']);
    expect(readIcsHolidays(ics('BEGIN:VEVENT\n DTSTART:20260707\nEND:VEVENT\n')).holidays).toEqual([]);
  });

  it('reads date-time ends: a later date adds its dates, an end at midnight does not, one on the same day adds nothing', () => {
    const event = (start: string, end: string) => ics(`BEGIN:VEVENT\nDTSTART:${start}\nDTEND:${end}\nEND:VEVENT\n`);
    expect(parseIcsHolidays(event('20260301T120000', '20260303T000000'))).toEqual(['2026-03-01', '2026-03-02']);
    expect(parseIcsHolidays(event('20260301T120000', '20260303T000001'))).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(parseIcsHolidays(event('20260301T080000Z', '20260301T170000Z'))).toEqual(['2026-03-01']);
    // A DATE start with a date-time end counts whole dates up to it.
    expect(parseIcsHolidays(event('20260310', '20260312T100000'))).toEqual(['2026-03-10', '2026-03-11']);
    // An end before the start still gives the start date.
    expect(parseIcsHolidays(event('20260320', '20260318'))).toEqual(['2026-03-20']);
  });

  it('reads whole-day and whole-week durations of all-day events, and refuses others', () => {
    const event = (duration: string, start = '20260401') => ics(`BEGIN:VEVENT\nSUMMARY:Break\nDTSTART:${start}\nDURATION:${duration}\nEND:VEVENT\n`);
    expect(parseIcsHolidays(event('P1W'))).toEqual(['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07']);
    expect(parseIcsHolidays(event('P10D'))).toHaveLength(10);
    expect(parseIcsHolidays(event('P0D'))).toEqual(['2026-04-01']);
    for (const bad of ['PT12H', 'P1DT2H', 'xP1D', 'P1Dx', 'P2Wx']) expect(readIcsHolidays(event(bad)).unsupported).toEqual([`Break: DURATION "${bad}" is not whole days`]);
    // A timed event's duration is not read: it covers its start date.
    expect(parseIcsHolidays(event('PT2H', '20260401T100000'))).toEqual(['2026-04-01']);
  });

  it('names the event it cannot read by SUMMARY, else UID, else as an event, and says why', () => {
    const unsupported = (body: string) => readIcsHolidays(ics(`BEGIN:VEVENT\n${body}END:VEVENT\n`)).unsupported;
    expect(unsupported('SUMMARY:Fest\nUID:u-1\nDTSTART:2026-04-01\n')).toEqual(['Fest: DTSTART "2026-04-01" is missing or not a date']);
    expect(unsupported('UID:u-2\nDTSTART:20260230\n')).toEqual(['u-2: DTSTART "20260230" is missing or not a date']);
    expect(unsupported('DTEND:20260402\n')).toEqual(['an event: DTSTART "" is missing or not a date']);
    expect(unsupported('UID:u-3\nDTSTART:20260401\nDTEND:tomorrow\n')).toEqual(['u-3: DTEND "tomorrow" is not a date']);
    expect(unsupported('UID:u-4\nDTSTART:20260401T25\n')).toEqual(['u-4: DTSTART "20260401T25" is missing or not a date']);
    expect(unsupported('UID:u-5\nDTSTART:x20260401\n')).toEqual(['u-5: DTSTART "x20260401" is missing or not a date']);
    expect(unsupported('UID:u-6\nDTSTART:20260401x\n')).toEqual(['u-6: DTSTART "20260401x" is missing or not a date']);
    expect(unsupported('UID:u-7\nDTSTART:20260401\nRRULE:FREQ=YEARLY;BYMONTH=5\n')).toEqual(['u-7: RRULE "FREQ=YEARLY;BYMONTH=5" is not supported (BYMONTH/BYMONTHDAY must match DTSTART)']);
    expect(unsupported('UID:u-8\nDTSTART:20260401\nRRULE:FREQ=YEARLY;BYMONTHDAY=2\n')).toEqual(['u-8: RRULE "FREQ=YEARLY;BYMONTHDAY=2" is not supported (BYMONTH/BYMONTHDAY must match DTSTART)']);
    expect(unsupported('UID:u-9\nDTSTART:20260401\nRRULE:FREQ=YEARLY;INTERVAL=0\n')).toEqual(['u-9: RRULE "FREQ=YEARLY;INTERVAL=0" has a bad INTERVAL, COUNT or UNTIL']);
    expect(unsupported('UID:u-10\nDTSTART:20260401\nRRULE:FREQ=YEARLY;COUNT=0\n')).toEqual(['u-10: RRULE "FREQ=YEARLY;COUNT=0" has a bad INTERVAL, COUNT or UNTIL']);
    expect(unsupported('UID:u-11\nDTSTART:20260401\nRRULE:FREQ=YEARLY;UNTIL=soon\n')).toEqual(['u-11: RRULE "FREQ=YEARLY;UNTIL=soon" has a bad INTERVAL, COUNT or UNTIL']);
    expect(unsupported('UID:u-12\nDTSTART:20260401\nRRULE:FREQ=MONTHLY\n')).toEqual(['u-12: RRULE "FREQ=MONTHLY" is not supported (only FREQ=YEARLY on a fixed date)']);
    expect(() => parseIcsHolidays(ics('BEGIN:VEVENT\nUID:u-13\nDTSTART:nope\nEND:VEVENT\n'))).toThrow('Unsupported iCalendar events: u-13: DTSTART "nope" is missing or not a date');
  });

  it('expands a yearly rule ten years past its start by default, every INTERVAL years, and reads only what lies inside an event', () => {
    const yearly = parseIcsHolidays(ics('BEGIN:VEVENT\nDTSTART:20200101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n'));
    expect(yearly[0]).toBe('2020-01-01');
    expect(yearly[yearly.length - 1]).toBe('2030-01-01');
    expect(yearly).toHaveLength(11);
    expect(parseIcsHolidays(ics('BEGIN:VEVENT\nDTSTART:20200101\nRRULE:FREQ=YEARLY;INTERVAL=4\nEND:VEVENT\n'), { untilYear: 2030 })).toEqual(['2020-01-01', '2024-01-01', '2028-01-01']);
    // Properties outside BEGIN:VEVENT ... END:VEVENT are not events; BEGIN and END of other components are not either.
    expect(parseIcsHolidays(ics('DTSTART:20260101\nBEGIN:VTIMEZONE\nDTSTART:20260102\nEND:VTIMEZONE\nBEGIN:VEVENT\nDTSTART:20260103\nEND:VTODO\nEND:VEVENT\n'))).toEqual(['2026-01-03']);
    expect(parseIcsHolidays(ics('begin:vevent\ndtstart:20260104\nend:vevent\n'))).toEqual(['2026-01-04']);
  });
});
