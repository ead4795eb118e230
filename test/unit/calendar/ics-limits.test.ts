// The iCalendar reader's limits: each holds at its value and refuses one past it, as an
// IcsLimitError naming the limit, for the whole file.
import { ICS_LIMITS, IcsLimitError, readIcsHolidays } from '../../../workflows/domain/calendar';
import { HOSTILE_ICS, icsCalendar, icsEvent, paddedIcs } from '../../support/hostile-ics';

function refusal(text: string, untilYear?: number): IcsLimitError {
  try {
    readIcsHolidays(text, { untilYear });
  } catch (err) {
    if (err instanceof IcsLimitError) return err;
    throw err;
  }
  throw new Error('the file was read');
}

describe('iCalendar limits', () => {
  it(`reads a file of ${ICS_LIMITS.maxChars} characters and refuses one more, before parsing`, () => {
    expect(readIcsHolidays(paddedIcs(ICS_LIMITS.maxChars)).holidays).toEqual(['2026-12-25']);
    const err = refusal(paddedIcs(ICS_LIMITS.maxChars + 1));
    expect(err.limit).toBe('maxChars');
    expect(err.message).toBe('the iCalendar file has 1000001 characters, more than 1000000');
    // Refused by its length alone: not even a calendar.
    expect(refusal('x'.repeat(ICS_LIMITS.maxChars + 1)).limit).toBe('maxChars');
  });

  it(`reads ${ICS_LIMITS.maxEvents} events and refuses a file with one more`, () => {
    const events = Array.from({ length: ICS_LIMITS.maxEvents }, () => icsEvent('20261225'));
    expect(readIcsHolidays(icsCalendar(events)).holidays).toEqual(['2026-12-25']);
    const err = refusal(icsCalendar([...events, icsEvent('20261226')]));
    expect(err.limit).toBe('maxEvents');
    expect(err.message).toMatch(/more than 5000 events/);
    expect(refusal(HOSTILE_ICS.manyEvents()).limit).toBe('maxEvents');
  });

  it(`reads an event spanning ${ICS_LIMITS.maxSpanDays} days and refuses one spanning a day more, by DTEND or DURATION`, () => {
    expect(readIcsHolidays(icsCalendar([icsEvent('20260101', 'DTEND;VALUE=DATE:20270102')])).holidays).toHaveLength(366);
    const err = refusal(icsCalendar([icsEvent('20260101', 'DTEND;VALUE=DATE:20270103', 'SUMMARY:Long holiday')]));
    expect(err.limit).toBe('maxSpanDays');
    expect(err.message).toBe('the event "Long holiday" spans 367 days, more than 366');
    expect(refusal(icsCalendar([icsEvent('20260101', 'DURATION:P53W')])).limit).toBe('maxSpanDays');
    expect(refusal(icsCalendar([`BEGIN:VEVENT\nDTSTART:20260101T090000Z\nDTEND:20280101T090000Z\nEND:VEVENT\n`])).limit).toBe('maxSpanDays');
    expect(refusal(HOSTILE_ICS.longSpan()).limit).toBe('maxSpanDays');
  });

  it(`expands recurrences up to ${ICS_LIMITS.maxExpandedDates} dates in all and refuses a file that would add more, before expanding`, () => {
    // 1,000 yearly events from 1901 to 2100: 200 dates each, 200,000 in all (on 84 dates of the year).
    const yearly = (count: number) => Array.from({ length: count }, (_, i) => icsEvent(`1901${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`, 'RRULE:FREQ=YEARLY'));
    expect(readIcsHolidays(icsCalendar(yearly(1_000)), { untilYear: 2100 }).holidays).toHaveLength(84 * 200);
    const err = refusal(icsCalendar(yearly(1_001)), 2100);
    expect(err.limit).toBe('maxExpandedDates');
    expect(err.message).toMatch(/more than 200000 dates/);
    // Multi-day occurrences count each day.
    expect(refusal(icsCalendar([icsEvent('19000101', 'DURATION:P300D', 'RRULE:FREQ=YEARLY'), ...yearly(400)]), 2200).limit).toBe('maxExpandedDates');
    expect(refusal(HOSTILE_ICS.manyRecurrences(), 2200).limit).toBe('maxExpandedDates');
  });

  it('reports an endless secondly recurrence as unsupported without expanding it', () => {
    const read = readIcsHolidays(HOSTILE_ICS.secondly());
    expect(read.holidays).toEqual([]);
    expect(read.unsupported).toEqual([expect.stringContaining('not supported')]);
  });
});
