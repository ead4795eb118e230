// What every message and page Handoff writes for people shares: the two languages, instants in
// the reader's time zone, spans of time, HTML escaping and which links may become links. Used by
// the notification templates and by the pages behind the links in emails.
import type { BriefStatus } from '../workflows/domain/vocabulary';

export type Locale = 'de' | 'en';

/** A member's stored locale as one Handoff writes in. */
export const localeOf = (value: string | null | undefined): Locale => (value === 'de' ? 'de' : 'en');

const INTL_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-GB' };
const GMT_OFFSET = /^(GMT|UTC)[+-−]/;

function zoneOrUtc(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function zoneName(date: Date, locale: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(date);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/**
 * The zone as people there name it: the locale's abbreviation (MEZ, CET); where the locale only
 * knows an offset, the US abbreviation (EST); where none exists, the offset with the zone's name.
 */
function zoneLabel(date: Date, locale: string, timeZone: string): string {
  const own = zoneName(date, locale, timeZone);
  if (!GMT_OFFSET.test(own)) return own;
  const us = zoneName(date, 'en-US', timeZone);
  if (!GMT_OFFSET.test(us)) return us;
  return `${own} (${timeZone})`;
}

/** An instant as the reader reads it, e.g. "Mo., 30. Nov. 2026, 11:00 MEZ" or "Mon, 30 Nov 2026, 11:00 CET". */
export function formatInstant(iso: string, locale: Locale, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = zoneOrUtc(timeZone);
  const intlLocale = INTL_LOCALE[locale];
  const local = new Intl.DateTimeFormat(intlLocale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${local} ${zoneLabel(date, intlLocale, zone)}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNITS: Record<Locale, [string, string, string]> = { en: ['d', 'h', 'min'], de: ['Tg.', 'Std.', 'Min.'] };

/**
 * A span of time in its two largest units, whole minutes down: "2 h 15 min" / "2 Std. 15 Min.",
 * "3 d 4 h" / "3 Tg. 4 Std.". Spans under a minute read as one minute.
 */
export function formatSpan(ms: number, locale: Locale): string {
  const minutes = Math.max(1, Math.floor(ms / MINUTE));
  const amounts = [Math.floor(minutes / (DAY / MINUTE)), Math.floor((minutes % (DAY / MINUTE)) / 60), minutes % 60];
  const first = amounts.findIndex((n) => n > 0);
  const shown = [first, first + 1].filter((i) => i < amounts.length && amounts[i] > 0);
  return shown.map((i) => `${amounts[i]} ${UNITS[locale][i]}`).join(' ');
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Only web links become links; anything else (javascript:, data:) is shown, not followed. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A brief's status in a few words. */
export const STATUS_LABEL: Record<Locale, Record<BriefStatus, string>> = {
  en: {
    awaiting_ack: 'awaiting acknowledgement',
    in_progress: 'in progress',
    clarification_requested: 'question open',
    in_review: 'in review',
    changes_requested: 'changes requested',
    approved: 'approved',
    declined: 'declined',
    cancelled: 'cancelled',
  },
  de: {
    awaiting_ack: 'wartet auf Bestätigung',
    in_progress: 'in Arbeit',
    clarification_requested: 'Rückfrage offen',
    in_review: 'in Prüfung',
    changes_requested: 'Änderungen angefordert',
    approved: 'freigegeben',
    declined: 'abgelehnt',
    cancelled: 'storniert',
  },
};
