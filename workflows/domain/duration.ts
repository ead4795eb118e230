// ISO 8601 durations for SLA targets ("PT4H", "P2D", "PT30S"). Calendar units of variable
// length (years, months) are rejected: an SLA target must be an exact amount of time.

const PATTERN = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Milliseconds in an ISO 8601 duration, or undefined when it is not one we accept. */
export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * WEEK +
    Number(days ?? 0) * DAY +
    Number(hours ?? 0) * HOUR +
    Number(minutes ?? 0) * MINUTE +
    Number(seconds ?? 0) * SECOND;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** The shortest ISO 8601 rendering of a number of milliseconds ("PT1H30M", "P2D"). */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const seconds = rest / SECOND;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** SLA targets: from one second up to ten years. */
export const MIN_SLA_TARGET_MS = 1000;
export const MAX_SLA_TARGET_MS = 3650 * DAY;
export const SLA_TARGET_RULE = 'an ISO 8601 duration from PT1S to P3650D, such as PT4H or P2D';

export function isSlaTarget(text: string): boolean {
  const ms = parseDuration(text);
  return ms !== undefined && ms >= MIN_SLA_TARGET_MS && ms <= MAX_SLA_TARGET_MS;
}
