// Holiday dates from an iCalendar (RFC 5545) file, such as a public-holiday feed.
//
// Supported, per VEVENT (STATUS:CANCELLED events are skipped):
// - DTSTART;VALUE=DATE:YYYYMMDD, with an optional DTEND;VALUE=DATE that is exclusive
//   (DTEND 20261227 after DTSTART 20261224 gives the 24th, 25th and 26th); DURATION:P<n>D too.
// - DTSTART as a date-time (YYYYMMDDTHHMMSS, with or without Z or TZID): its date as written,
//   without zone conversion; a date-time DTEND on a later date adds the dates up to it
//   (excluding an end at exactly midnight).
// - RRULE:FREQ=YEARLY (optionally INTERVAL, COUNT, UNTIL, and BYMONTH/BYMONTHDAY equal to the
//   start date) for fixed-date holidays, expanded up to `untilYear`; EXDATE dates are removed.
// Other recurrences (BYDAY such as "4th Thursday", MONTHLY, ...) are not supported: those
// events are reported in `unsupported` (parseIcsHolidays throws on them).
// Folded lines (CRLF or LF followed by a space or tab) are unfolded first.
//
// Feeds come from outside, so the reader has limits (ICS_LIMITS), checked while it reads and
// before it expands anything: the text's length before any parsing, the number of events as they
// begin, each event's span and the dates a recurrence would add before they are added. A file
// over a limit is refused as a whole with an IcsLimitError naming the limit.
import { DAY_MS, formatLocalDate, parseLocalDate } from './zone';

export const ICS_LIMITS = {
  /** Characters of the whole file. */
  maxChars: 1_000_000,
  /** VEVENTs in the file. */
  maxEvents: 5_000,
  /** Days one occurrence of an event may cover. */
  maxSpanDays: 366,
  /** Dates all events together may add, recurrences expanded. */
  maxExpandedDates: 200_000,
} as const;

/** A file over one of ICS_LIMITS: refused as a whole, before the work it would cause. */
export class IcsLimitError extends Error {
  override name = 'IcsLimitError';
  constructor(
    readonly limit: keyof typeof ICS_LIMITS,
    message: string,
  ) {
    super(message);
  }
}

export interface IcsHolidayOptions {
  /** Last year to expand yearly recurrences into (inclusive). Default: the DTSTART year + 10. */
  untilYear?: number;
}

export interface IcsHolidayResult {
  /** Sorted, distinct YYYY-MM-DD dates. */
  holidays: string[];
  /** Events that could not be read, described by SUMMARY/UID and the reason. */
  unsupported: string[];
}

/**
 * A content line: its name and value. Parameters (VALUE=DATE, TZID=...) are not needed: a value's
 * form says whether it is a date or a date-time, and date-times are read as written.
 */
interface Property {
  name: string;
  value: string;
}

function unfold(text: string): string[] {
  return text.replace(/\r\n|\r/g, '\n').replace(/\n[ \t]/g, '').split('\n');
}

function parseLine(line: string): Property | undefined {
  // NAME;PARAM=VALUE;PARAM="VALUE":value  (a colon inside quotes belongs to the parameter)
  let i = 0;
  let quoted = false;
  for (; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) break;
  }
  if (i >= line.length) return undefined;
  const [name] = line.slice(0, i).split(';');
  return { name: name.toUpperCase(), value: line.slice(i + 1) };
}

interface IcsDate {
  day: number;
  /** Seconds after midnight, or undefined for a DATE value. */
  seconds?: number;
}

function parseIcsDate(value: string): IcsDate | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value.trim());
  if (!m) return undefined;
  const day = parseLocalDate(`${m[1]}-${m[2]}-${m[3]}`);
  if (day === undefined) return undefined;
  return m[4] === undefined ? { day } : { day, seconds: Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) };
}

function dateOf(day: number): { year: number; month: number; date: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate() };
}

/** Holiday dates and the events that could not be read. */
export function readIcsHolidays(text: string, options: IcsHolidayOptions = {}): IcsHolidayResult {
  if (text.length > ICS_LIMITS.maxChars) {
    throw new IcsLimitError('maxChars', `the iCalendar file has ${text.length} characters, more than ${ICS_LIMITS.maxChars}`);
  }
  const days = new Set<number>();
  const unsupported: string[] = [];
  const budget = { expandedDates: 0 };
  let events = 0;
  let event: Property[] | undefined;
  // Expanded only once the whole file is read and within every limit.
  const expansions: (() => void)[] = [];
  for (const line of unfold(text)) {
    const prop = parseLine(line.trimEnd());
    if (!prop) continue;
    if (prop.name === 'BEGIN' && prop.value.toUpperCase() === 'VEVENT') {
      events += 1;
      if (events > ICS_LIMITS.maxEvents) throw new IcsLimitError('maxEvents', `the iCalendar file has more than ${ICS_LIMITS.maxEvents} events`);
      event = [];
    } else if (prop.name === 'END' && prop.value.toUpperCase() === 'VEVENT' && event) {
      const reading = readEvent(event, options, days, budget);
      if ('problem' in reading) unsupported.push(`${eventLabel(event)}: ${reading.problem}`);
      else expansions.push(reading.expand);
      event = undefined;
    } else if (event) event.push(prop);
  }
  for (const expand of expansions) expand();
  return { holidays: [...days].sort((a, b) => a - b).map(formatLocalDate), unsupported };
}

/** Holiday dates (sorted YYYY-MM-DD) of an .ics text; throws if an event cannot be read. */
export function parseIcsHolidays(text: string, options: IcsHolidayOptions = {}): string[] {
  const { holidays, unsupported } = readIcsHolidays(text, options);
  if (unsupported.length) throw new Error(`Unsupported iCalendar events: ${unsupported.join('; ')}`);
  return holidays;
}

/** The event's name in messages: its SUMMARY, else its UID. */
function eventLabel(props: Property[]): string {
  return props.find((p) => p.name === 'SUMMARY')?.value.slice(0, 100) ?? props.find((p) => p.name === 'UID')?.value.slice(0, 100) ?? 'an event';
}

/** An event read: how to add its dates to the holidays (counted already), or why it is not supported. */
type EventReading = { expand: () => void } | { problem: string };
const nothing: EventReading = { expand: () => undefined };
const unsupportedBecause = (problem: string): EventReading => ({ problem });

/**
 * Reads an event and counts the dates it adds against the file's budget, without adding them.
 * Throws an IcsLimitError for an event spanning too long, or dates beyond the budget.
 */
function readEvent(props: Property[], options: IcsHolidayOptions, days: Set<number>, budget: { expandedDates: number }): EventReading {
  const get = (name: string) => props.find((p) => p.name === name);
  if (get('STATUS')?.value.toUpperCase() === 'CANCELLED') return nothing;
  const dtstart = get('DTSTART');
  const start = dtstart && parseIcsDate(dtstart.value);
  if (!start) return unsupportedBecause(`DTSTART "${dtstart?.value ?? ''}" is missing or not a date`);

  // The dates one occurrence covers, as offsets from its start date.
  let length = 1;
  const dtend = get('DTEND');
  const duration = get('DURATION');
  if (dtend) {
    const end = parseIcsDate(dtend.value);
    if (!end) return unsupportedBecause(`DTEND "${dtend.value}" is not a date`);
    length = end.seconds === undefined || start.seconds === undefined ? end.day - start.day : end.day - start.day + (end.seconds > 0 ? 1 : 0);
    length = Math.max(1, length);
  } else if (duration && start.seconds === undefined) {
    const m = /^P(\d+)D$/.exec(duration.value) ?? /^P(\d+)W$/.exec(duration.value);
    if (!m) return unsupportedBecause(`DURATION "${duration.value}" is not whole days`);
    length = Math.max(1, Number(m[1]) * (duration.value.endsWith('W') ? 7 : 1));
  }
  if (length > ICS_LIMITS.maxSpanDays) {
    throw new IcsLimitError('maxSpanDays', `the event "${eventLabel(props)}" spans ${length} days, more than ${ICS_LIMITS.maxSpanDays}`);
  }
  /** Counts `occurrences` occurrences against the file's budget before any is added. */
  const spend = (occurrences: number) => {
    budget.expandedDates += occurrences * length;
    if (budget.expandedDates > ICS_LIMITS.maxExpandedDates) {
      throw new IcsLimitError('maxExpandedDates', `the iCalendar file's events and recurrences add more than ${ICS_LIMITS.maxExpandedDates} dates`);
    }
  };
  const occurrence = (first: number) => {
    for (let i = 0; i < length; i++) days.add(first + i);
  };

  const rrule = get('RRULE');
  if (!rrule) {
    spend(1);
    return { expand: () => occurrence(start.day) };
  }
  const rule: Record<string, string> = {};
  for (const part of rrule.value.split(';')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined) rule[k.toUpperCase()] = v.toUpperCase();
  }
  const s = dateOf(start.day);
  const known = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYMONTH', 'BYMONTHDAY', 'WKST']);
  const extra = Object.keys(rule).filter((k) => !known.has(k));
  if (rule.FREQ !== 'YEARLY' || extra.length) return unsupportedBecause(`RRULE "${rrule.value}" is not supported (only FREQ=YEARLY on a fixed date)`);
  if ((rule.BYMONTH && Number(rule.BYMONTH) !== s.month) || (rule.BYMONTHDAY && Number(rule.BYMONTHDAY) !== s.date)) {
    return unsupportedBecause(`RRULE "${rrule.value}" is not supported (BYMONTH/BYMONTHDAY must match DTSTART)`);
  }
  const interval = rule.INTERVAL ? Number(rule.INTERVAL) : 1;
  const count = rule.COUNT ? Number(rule.COUNT) : Infinity;
  const until = rule.UNTIL ? parseIcsDate(rule.UNTIL)?.day : Infinity;
  if (!(interval >= 1) || !(count >= 1) || until === undefined) return unsupportedBecause(`RRULE "${rrule.value}" has a bad INTERVAL, COUNT or UNTIL`);
  const excluded = new Set<number>();
  for (const ex of props.filter((p) => p.name === 'EXDATE')) {
    for (const v of ex.value.split(',')) {
      const d = parseIcsDate(v);
      if (d) excluded.add(d.day);
    }
  }
  const lastYear = options.untilYear ?? s.year + 10;
  // At most this many occurrences: counted against the budget before the first is added.
  spend(Math.min(count, lastYear < s.year ? 0 : Math.floor((lastYear - s.year) / interval) + 1));
  const expand = () => {
    let n = 0;
    for (let year = s.year; year <= lastYear && n < count; year += interval) {
      const day = Date.UTC(year, s.month - 1, s.date) / DAY_MS;
      // 29 February in a common year: no occurrence (RFC 5545).
      if (dateOf(day).date !== s.date) continue;
      if (day > until) break;
      n++;
      if (!excluded.has(day)) occurrence(day);
    }
  };
  return { expand };
}
