// iCalendar feeds built to cost a reader as much as possible within about 1 MB, one per limit of
// ICS_LIMITS; the unit and API tests and the ics-limits bench read the same files.

const calendar = (body: string) => `BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//hostile//EN\n${body}END:VCALENDAR\n`;

/** One event: an all-day date, optional extra lines. */
export const icsEvent = (start: string, ...lines: string[]) => `BEGIN:VEVENT\nDTSTART;VALUE=DATE:${start}\n${lines.map((l) => `${l}\n`).join('')}END:VEVENT\n`;

export const icsCalendar = (events: string[]) => calendar(events.join(''));

/** A valid calendar padded with an X- property to exactly `chars` characters. */
export function paddedIcs(chars: number): string {
  const base = calendar(`${icsEvent('20261225')}X-PAD:\n`);
  return base.replace('X-PAD:', `X-PAD:${'x'.repeat(chars - base.length)}`);
}

export const HOSTILE_ICS = {
  /** Just over the character limit, still under the API's 1 MB body limit. */
  oversized: () => paddedIcs(1_000_001),
  /** As many empty events as fit in 1 MB (over 40,000). */
  manyEvents: () => calendar('BEGIN:VEVENT\nEND:VEVENT\n'.repeat(Math.floor(1_000_000 / 24) - 10)),
  /** One event from year 1000 to year 9999: millions of dates. */
  longSpan: () => icsCalendar([icsEvent('10000101', 'DTEND;VALUE=DATE:99991231', 'SUMMARY:Forever')]),
  /** Yearly events from 1900 on, each expanded to 2200 (301 dates each; 4,900 events). */
  manyRecurrences: () => icsCalendar(Array.from({ length: 4_900 }, (_, i) => icsEvent(`1900${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`, 'RRULE:FREQ=YEARLY'))),
  /** An endless secondly recurrence. */
  secondly: () => icsCalendar([`BEGIN:VEVENT\nDTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY\nSUMMARY:Every second\nEND:VEVENT\n`]),
};
