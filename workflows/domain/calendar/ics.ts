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
import { DAY_MS, formatLocalDate, parseLocalDate } from './zone';

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

interface Property {
  name: string;
  params: Record<string, string>;
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
  const [name, ...rawParams] = line.slice(0, i).split(';');
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
  }
  return { name: name.toUpperCase(), params, value: line.slice(i + 1) };
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
  const days = new Set<number>();
  const unsupported: string[] = [];
  let event: Property[] | undefined;
  for (const line of unfold(text)) {
    const prop = parseLine(line.trimEnd());
    if (!prop) continue;
    if (prop.name === 'BEGIN' && prop.value.toUpperCase() === 'VEVENT') event = [];
    else if (prop.name === 'END' && prop.value.toUpperCase() === 'VEVENT' && event) {
      const problem = readEvent(event, options, days);
      if (problem) {
        const label = event.find((p) => p.name === 'SUMMARY')?.value ?? event.find((p) => p.name === 'UID')?.value ?? 'an event';
        unsupported.push(`${label}: ${problem}`);
      }
      event = undefined;
    } else if (event) event.push(prop);
  }
  return { holidays: [...days].sort((a, b) => a - b).map(formatLocalDate), unsupported };
}

/** Holiday dates (sorted YYYY-MM-DD) of an .ics text; throws if an event cannot be read. */
export function parseIcsHolidays(text: string, options: IcsHolidayOptions = {}): string[] {
  const { holidays, unsupported } = readIcsHolidays(text, options);
  if (unsupported.length) throw new Error(`Unsupported iCalendar events: ${unsupported.join('; ')}`);
  return holidays;
}

/** Adds the event's dates to `days`; returns a reason when the event is not supported. */
function readEvent(props: Property[], options: IcsHolidayOptions, days: Set<number>): string | undefined {
  const get = (name: string) => props.find((p) => p.name === name);
  if (get('STATUS')?.value.toUpperCase() === 'CANCELLED') return undefined;
  const dtstart = get('DTSTART');
  const start = dtstart && parseIcsDate(dtstart.value);
  if (!start) return `DTSTART "${dtstart?.value ?? ''}" is missing or not a date`;

  // The dates one occurrence covers, as offsets from its start date.
  let length = 1;
  const dtend = get('DTEND');
  const duration = get('DURATION');
  if (dtend) {
    const end = parseIcsDate(dtend.value);
    if (!end) return `DTEND "${dtend.value}" is not a date`;
    length = end.seconds === undefined || start.seconds === undefined ? end.day - start.day : end.day - start.day + (end.seconds > 0 ? 1 : 0);
    length = Math.max(1, length);
  } else if (duration && start.seconds === undefined) {
    const m = /^P(\d+)D$/.exec(duration.value) ?? /^P(\d+)W$/.exec(duration.value);
    if (!m) return `DURATION "${duration.value}" is not whole days`;
    length = Math.max(1, Number(m[1]) * (duration.value.endsWith('W') ? 7 : 1));
  }
  const occurrence = (first: number) => {
    for (let i = 0; i < length; i++) days.add(first + i);
  };

  const rrule = get('RRULE');
  if (!rrule) {
    occurrence(start.day);
    return undefined;
  }
  const rule: Record<string, string> = {};
  for (const part of rrule.value.split(';')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined) rule[k.toUpperCase()] = v.toUpperCase();
  }
  const s = dateOf(start.day);
  const known = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYMONTH', 'BYMONTHDAY', 'WKST']);
  const extra = Object.keys(rule).filter((k) => !known.has(k));
  if (rule.FREQ !== 'YEARLY' || extra.length) return `RRULE "${rrule.value}" is not supported (only FREQ=YEARLY on a fixed date)`;
  if ((rule.BYMONTH && Number(rule.BYMONTH) !== s.month) || (rule.BYMONTHDAY && Number(rule.BYMONTHDAY) !== s.date)) {
    return `RRULE "${rrule.value}" is not supported (BYMONTH/BYMONTHDAY must match DTSTART)`;
  }
  const interval = rule.INTERVAL ? Number(rule.INTERVAL) : 1;
  const count = rule.COUNT ? Number(rule.COUNT) : Infinity;
  const until = rule.UNTIL ? parseIcsDate(rule.UNTIL)?.day : Infinity;
  if (!(interval >= 1) || !(count >= 1) || until === undefined) return `RRULE "${rrule.value}" has a bad INTERVAL, COUNT or UNTIL`;
  const excluded = new Set<number>();
  for (const ex of props.filter((p) => p.name === 'EXDATE')) {
    for (const v of ex.value.split(',')) {
      const d = parseIcsDate(v);
      if (d) excluded.add(d.day);
    }
  }
  const lastYear = options.untilYear ?? s.year + 10;
  let n = 0;
  for (let year = s.year; year <= lastYear && n < count; year += interval) {
    const mm = String(s.month).padStart(2, '0');
    const dd = String(s.date).padStart(2, '0');
    const day = parseLocalDate(`${String(year).padStart(4, '0')}-${mm}-${dd}`);
    if (day === undefined) continue; // 29 February in a common year: no occurrence (RFC 5545)
    if (day > until) break;
    n++;
    if (!excluded.has(day)) occurrence(day);
  }
  return undefined;
}
