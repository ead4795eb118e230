// Business calendars and business-time arithmetic. Pure and deterministic (Intl + Date only), so
// it can run inside Temporal workflows. All instants are epoch milliseconds.
//
// Working time is the union of half-open instant intervals [start, end): for every local date
// that is not a holiday, each working-hours interval of its weekday, converted to instants in the
// calendar's zone (see zone.ts fromNaive for DST rules: a wall-clock time in a spring gap maps to
// the transition, a repeated one to its first occurrence). So a 00:00-24:00 day lasts 23 h on a
// spring-forward day and 25 h on a fall-back day, and 24 business hours across the spring-forward
// night of a 24x7 calendar are 24 real hours.
//
// Calendars are read as immutable: a compiled form is cached per calendar object.
import { DAY_MS, HOUR_MS, MINUTE_MS, formatLocalDate, fromNaive, isValidTimeZone, parseClockTime, parseLocalDate, toNaive } from './zone';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']; // index = JS getUTCDay()

export interface Calendar {
  name: string;
  /** IANA zone, e.g. "Europe/Berlin". */
  timezone: string;
  /** Per weekday, ordered non-overlapping local ["HH:MM", "HH:MM"] intervals; "24:00" allowed as an end. */
  workingHours: Partial<Record<Weekday, [string, string][]>>;
  /** Local dates (YYYY-MM-DD) without working time. */
  holidays: string[];
}

const ALL_DAY: [string, string][] = [['00:00', '24:00']];

/** Built-in round-the-clock calendar (UTC, no holidays): business time equals real time. */
export const CALENDAR_24X7: Calendar = Object.freeze({
  name: '24x7',
  timezone: 'UTC',
  workingHours: Object.freeze({ mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY }),
  holidays: Object.freeze([]) as unknown as string[],
}) as Calendar;

/** Problems with a calendar, in words; empty when it is usable. */
export function validateCalendar(c: Calendar): string[] {
  const problems: string[] = [];
  if (!c || typeof c !== 'object') return ['calendar must be an object'];
  if (typeof c.name !== 'string' || c.name.trim() === '') problems.push('name must be a non-empty string');
  if (!isValidTimeZone(c.timezone)) problems.push(`timezone "${String(c.timezone)}" is not a known IANA time zone`);
  let totalMinutes = 0;
  const hours = c.workingHours;
  if (!hours || typeof hours !== 'object') {
    problems.push('workingHours must be an object keyed by weekday (mon..sun)');
  } else {
    for (const [day, intervals] of Object.entries(hours)) {
      if (!(WEEKDAYS as readonly string[]).includes(day)) {
        problems.push(`workingHours has an unknown weekday "${day}" (use mon, tue, wed, thu, fri, sat, sun)`);
        continue;
      }
      if (!Array.isArray(intervals)) {
        problems.push(`workingHours.${day} must be a list of ["HH:MM", "HH:MM"] intervals`);
        continue;
      }
      let previousEnd = -1;
      intervals.forEach((interval, i) => {
        const where = `workingHours.${day}[${i}]`;
        if (!Array.isArray(interval) || interval.length !== 2) {
          problems.push(`${where} must be a pair ["HH:MM", "HH:MM"]`);
          return;
        }
        const [from, to] = interval;
        const start = parseClockTime(String(from));
        const end = parseClockTime(String(to), true);
        if (start === undefined) problems.push(`${where} start "${String(from)}" is not a time HH:MM from 00:00 to 23:59`);
        if (end === undefined) problems.push(`${where} end "${String(to)}" is not a time HH:MM from 00:01 to 24:00`);
        if (start === undefined || end === undefined) return;
        if (end <= start) problems.push(`${where} ends (${to}) before or when it starts (${from})`);
        else if (start < previousEnd) problems.push(`${where} starts (${from}) before the previous interval ends: intervals must be ordered and not overlap`);
        else totalMinutes += end - start;
        previousEnd = Math.max(previousEnd, end);
      });
    }
  }
  if (!Array.isArray(c.holidays)) problems.push('holidays must be a list of YYYY-MM-DD dates');
  else
    c.holidays.forEach((h, i) => {
      if (typeof h !== 'string' || parseLocalDate(h) === undefined) problems.push(`holidays[${i}] "${String(h)}" is not a date YYYY-MM-DD`);
    });
  if (problems.length === 0 && totalMinutes === 0) problems.push('calendar has no working time: give at least one weekday a working-hours interval');
  return problems;
}

type Span = [start: number, end: number];

interface Compiled {
  timezone: string;
  /** Per JS weekday (0 = Sunday): [startMinute, endMinute] pairs. */
  week: Span[][];
  holidays: Set<number>;
  /** Longest possible run of consecutive days without working time; scanning further means "none". */
  maxIdleDays: number;
  days: Map<number, Span[]>;
}

const compiledCache = new WeakMap<Calendar, Compiled>();
const DAY_CACHE_LIMIT = 4096;

function compile(c: Calendar): Compiled {
  const cached = compiledCache.get(c);
  if (cached) return cached;
  const problems = validateCalendar(c);
  if (problems.length) throw new Error(`Invalid calendar "${String(c?.name)}": ${problems.join('; ')}`);
  const week = WEEKDAYS.map((d) =>
    (c.workingHours[d] ?? []).map(([from, to]): Span => [parseClockTime(from)!, parseClockTime(to, true)!]),
  );
  const holidays = new Set(c.holidays.map((h) => parseLocalDate(h)!));
  const compiled: Compiled = { timezone: c.timezone, week, holidays, maxIdleDays: 7 * (holidays.size + 2), days: new Map() };
  compiledCache.set(c, compiled);
  return compiled;
}

/** Working intervals (instants) of one local day, ordered, non-empty ones only. */
function dayIntervals(cc: Compiled, day: number): Span[] {
  const cached = cc.days.get(day);
  if (cached) return cached;
  const spans: Span[] = [];
  if (!cc.holidays.has(day)) {
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    for (const [from, to] of cc.week[weekday]) {
      const start = fromNaive(cc.timezone, day * DAY_MS + from * MINUTE_MS);
      const end = fromNaive(cc.timezone, day * DAY_MS + to * MINUTE_MS);
      if (end > start) spans.push([start, end]);
    }
  }
  if (cc.days.size >= DAY_CACHE_LIMIT) cc.days.clear();
  cc.days.set(day, spans);
  return spans;
}

const localDay = (cc: Compiled, t: number) => Math.floor(toNaive(cc.timezone, t) / DAY_MS);

function noWorkingTime(name: string, t: number): Error {
  return new Error(`Calendar "${name}" has no working time after ${new Date(t).toISOString()}`);
}

/**
 * Working intervals that end after t, in order, each clipped to start no earlier than t. Throws
 * when too many consecutive days have no working time (a calendar that never works again).
 */
function* intervalsAfter(cal: Calendar, cc: Compiled, t: number): Generator<Span, never> {
  let day = localDay(cc, t) - 1; // a day's intervals may reach into the next local date at DST edges
  let idle = 0;
  for (;;) {
    const spans = dayIntervals(cc, day);
    let yielded = false;
    for (const [s, e] of spans) {
      if (e > t) {
        yielded = true;
        yield [Math.max(s, t), e];
      }
    }
    idle = yielded ? 0 : idle + 1;
    if (idle > cc.maxIdleDays) throw noWorkingTime(cal.name, t);
    day++;
  }
}

/** True when t lies within working time (intervals are half-open: an interval's end is not working). */
export function isWorkingInstant(cal: Calendar, t: number): boolean {
  return nextWorkingInstant(cal, t) === t;
}

/** t itself when it is working time, otherwise the start of the next working interval. */
export function nextWorkingInstant(cal: Calendar, t: number): number {
  assertInstant(t, 'instant');
  const cc = compile(cal);
  return intervalsAfter(cal, cc, t).next().value[0];
}

/**
 * The earliest instant at which `durationMs` of working time has passed, counting from `start`
 * (or from the next working instant when start is outside working time).
 * - durationMs = 0 returns nextWorkingInstant(start).
 * - durationMs > 0 returns an instant r with working time just before it: r lies in (s, e] of a
 *   working interval [s, e). A deadline that uses up an interval exactly is that interval's end
 *   (Friday 17:00), not the start of the next one (Monday 09:00).
 */
export function addBusinessTime(cal: Calendar, start: number, durationMs: number): number {
  assertInstant(start, 'start');
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`durationMs must be a finite number >= 0, got ${durationMs}`);
  const cc = compile(cal);
  let remaining = durationMs;
  for (const [s, e] of intervalsAfter(cal, cc, start)) {
    if (remaining <= e - s) return s + remaining;
    remaining -= e - s;
  }
  throw noWorkingTime(cal.name, start); // unreachable: the generator never ends
}

/** Milliseconds of working time in [from, to); 0 when to <= from. */
export function businessTimeBetween(cal: Calendar, from: number, to: number): number {
  assertInstant(from, 'from');
  assertInstant(to, 'to');
  if (to <= from) return 0;
  const cc = compile(cal);
  let total = 0;
  for (const [s, e] of intervalsAfter(cal, cc, from)) {
    if (s >= to) break;
    total += Math.min(e, to) - s;
  }
  return total;
}

const BUSINESS_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses "P<n>DT<h>H<m>M<s>S" into whole working days and working-time ms; undefined otherwise. */
export function parseBusinessDuration(iso: string): { days: number; timeMs: number } | undefined {
  const m = BUSINESS_DURATION.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return undefined;
  const timeMs = Math.round(Number(m[2] ?? 0) * HOUR_MS + Number(m[3] ?? 0) * MINUTE_MS + Number(m[4] ?? 0) * 1000);
  const days = Number(m[1] ?? 0);
  if (!Number.isSafeInteger(days) || !Number.isFinite(timeMs)) return undefined;
  return { days, timeMs };
}

/**
 * Adds an ISO 8601 business duration: whole working days first, then working time.
 *
 * Days rule (P<n>D, n >= 1), "same time on the n-th working day":
 * 1. Anchor: start itself when it lies in a working interval or exactly at an interval's end
 *    (Fri 17:00); otherwise the next working instant (Sat 10:00 -> Mon 09:00).
 * 2. Take the anchor's local wall-clock time on the n-th working day (a local date with working
 *    time) after the anchor's working day. P1D from Fri 15:00 on Mon-Fri 09-17 is Mon 15:00;
 *    from Fri 17:00 it is Mon 17:00; from Sat 10:00 it is Tue 09:00.
 * 3. Clamp into that day's working time: before its first interval -> that interval's start;
 *    in a break -> the end of the interval before the break; after its last interval -> its end.
 * On a 24x7-like calendar P1D is therefore one calendar day (23 or 25 h across DST changes).
 *
 * The time part is then added with addBusinessTime. Without days ("PT4H", "P0DT4H") it is just
 * addBusinessTime(start, ms). Weeks, months and years and fractional days are rejected: a
 * "business week" means different things on different calendars.
 */
export function addBusinessDuration(cal: Calendar, start: number, iso: string): number {
  const parsed = parseBusinessDuration(iso);
  if (!parsed) throw new RangeError(`"${iso}" is not a business duration: use P<n>D, PT<h>H<m>M<s>S or P<n>DT... (whole days; no W, M or Y)`);
  assertInstant(start, 'start');
  const cc = compile(cal);
  let t = start;
  if (parsed.days > 0) t = addWorkingDays(cal, cc, start, parsed.days);
  return parsed.timeMs > 0 || parsed.days === 0 ? addBusinessTime(cal, t, parsed.timeMs) : t;
}

function addWorkingDays(cal: Calendar, cc: Compiled, start: number, n: number): number {
  // Anchor and its working day: an interval of some day with s <= start <= e, else the next one.
  let anchor = start;
  let anchorDay: number | undefined;
  const first = localDay(cc, start) - 1;
  for (let day = first; day <= first + 2 && anchorDay === undefined; day++) {
    if (dayIntervals(cc, day).some(([s, e]) => s <= start && start <= e)) anchorDay = day;
  }
  if (anchorDay === undefined) {
    anchor = nextWorkingInstant(cal, start);
    anchorDay = localDay(cc, anchor);
    // A spring-gap interval start could sit on the next local date; use the day that owns it.
    if (!dayIntervals(cc, anchorDay).some(([s]) => s === anchor)) anchorDay--;
  }
  const timeOfDay = toNaive(cc.timezone, anchor) - anchorDay * DAY_MS; // up to 24 h (an end at 24:00)
  let day = anchorDay;
  let idle = 0;
  for (let found = 0; found < n; ) {
    day++;
    if (dayIntervals(cc, day).length) {
      found++;
      idle = 0;
    } else if (++idle > cc.maxIdleDays) throw noWorkingTime(cal.name, start);
  }
  const spans = dayIntervals(cc, day);
  const x = fromNaive(cc.timezone, day * DAY_MS + timeOfDay);
  if (x <= spans[0][0]) return spans[0][0];
  let result = spans[0][0];
  for (const [s, e] of spans) {
    if (s > x) break;
    result = Math.min(x, e);
  }
  return result;
}

function assertInstant(t: number, what: string): void {
  if (!Number.isFinite(t)) throw new RangeError(`${what} must be a finite epoch-milliseconds number, got ${t}`);
}

/** Local dates with working time from `from` (inclusive), for display; at most `count`. */
export function workingDates(cal: Calendar, from: string, count: number): string[] {
  const cc = compile(cal);
  const start = parseLocalDate(from);
  if (start === undefined) throw new RangeError(`Not a date YYYY-MM-DD: ${from}`);
  const out: string[] = [];
  for (let day = start, idle = 0; out.length < count; day++) {
    if (dayIntervals(cc, day).length) {
      out.push(formatLocalDate(day));
      idle = 0;
    } else if (++idle > cc.maxIdleDays) throw noWorkingTime(cal.name, day * DAY_MS);
  }
  return out;
}
