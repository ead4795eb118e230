// IANA time zone arithmetic on top of Intl.DateTimeFormat only (no library): deterministic in
// Temporal's workflow sandbox, which provides Intl and a replay-safe Date.
//
// A "naive" value is a local wall-clock date-time written as if it were UTC epoch milliseconds
// (Date.UTC(y, m - 1, d, h, mi)). Local dates are day numbers: Math.floor(naive / DAY).

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(timezone: string): boolean {
  if (typeof timezone !== 'string' || timezone === '') return false;
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of an instant, as a naive value (whole seconds; ms carried over). */
export function toNaive(timezone: string, instant: number): number {
  const ms = ((instant % 1000) + 1000) % 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(instant - ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + ms;
}

/** UTC offset in ms in effect at an instant (local = instant + offset). */
export function offsetAt(timezone: string, instant: number): number {
  return toNaive(timezone, instant) - instant;
}

/**
 * The instant at which the local wall clock shows `naive`. Rules at DST changes, chosen so the
 * mapping never goes backwards (a later wall-clock time never gives an earlier instant):
 * - a wall-clock time that occurs twice (autumn fold) gives the earlier occurrence;
 * - a wall-clock time that does not exist (spring gap) gives the instant of the transition,
 *   i.e. the first instant after the gap (02:30 on 2026-03-29 in Berlin -> 03:00 CEST).
 */
export function fromNaive(timezone: string, naive: number): number {
  const before = offsetAt(timezone, naive - DAY_MS);
  const after = offsetAt(timezone, naive + DAY_MS);
  const valid = [before, after].map((o) => naive - o).filter((t) => offsetAt(timezone, t) === naive - t);
  if (valid.length) return Math.min(...valid);
  if (after > before) {
    // Gap: the transition lies in (naive - after, naive - before]; find it to the second.
    let lo = Math.floor((naive - after) / 1000); // offset `before` here
    let hi = Math.ceil((naive - before) / 1000); // offset `after` here
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(timezone, mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    return hi * 1000;
  }
  // Several transitions within two days (not seen in current tzdata): best effort.
  return naive - offsetAt(timezone, naive - offsetAt(timezone, naive));
}

/** Day number (days since 1970-01-01) of a YYYY-MM-DD local date, or undefined if invalid. */
export function parseLocalDate(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / DAY_MS;
}

export function formatLocalDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Minutes after midnight of "HH:MM" (00:00..23:59, plus 24:00 when allowed), or undefined. */
export function parseClockTime(text: string, allow24 = false): number | undefined {
  if (allow24 && text === '24:00') return 24 * 60;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** The instant of a local date and "HH:MM" (or "HH:MM:SS") in a zone, using fromNaive's rules. */
export function zonedInstant(timezone: string, date: string, time = '00:00'): number {
  const day = parseLocalDate(date);
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (day === undefined || !m) throw new Error(`Not a local date and time: ${date} ${time}`);
  return fromNaive(timezone, day * DAY_MS + (Number(m[1]) * 60 + Number(m[2])) * MINUTE_MS + Number(m[3] ?? 0) * 1000);
}

/** "YYYY-MM-DD HH:MM:SS" local rendering of an instant (handy in messages and tests). */
export function formatZoned(timezone: string, instant: number): string {
  return new Date(toNaive(timezone, instant)).toISOString().slice(0, 19).replace('T', ' ');
}
