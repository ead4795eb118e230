// The app's two languages and its formatting: every instant in the member's time zone, business-
// time countdowns from the clocks' remaining working time. Each page keeps its own texts in both
// languages (a `TEXT = { en, de }` beside its markup, read with `useText(TEXT)`); the words every
// page shares are here.
import { signal } from '@preact/signals';

export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];

const stored = (() => {
  try {
    return localStorage.getItem('handoff.locale');
  } catch {
    return null;
  }
})();

/** The language shown: the member's, switchable; before sign-in the browser's. */
export const locale = signal<Locale>(stored === 'de' || stored === 'en' ? stored : navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en');
/** The member's time zone (IANA); before sign-in the browser's. */
export const timeZone = signal<string>(Intl.DateTimeFormat().resolvedOptions().timeZone);

export function setLocale(next: Locale, remember = true) {
  locale.value = next;
  document.documentElement.lang = next;
  if (remember) {
    try {
      localStorage.setItem('handoff.locale', next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }
}

export function useText<T>(text: Record<Locale, T>): T {
  return text[locale.value];
}

const COMMON = {
  en: {
    status: {
      awaiting_ack: 'Awaiting acknowledgement',
      in_progress: 'In progress',
      clarification_requested: 'Question open',
      in_review: 'In review',
      changes_requested: 'Changes requested',
      approved: 'Approved',
      declined: 'Declined',
      cancelled: 'Cancelled',
    } as Record<string, string>,
    clock: { acknowledge: 'Acknowledge', deliver: 'Deliver', review: 'Review' } as Record<string, string>,
    role: { admin: 'Admin', manager: 'Manager', member: 'Member', watcher: 'Watcher' } as Record<string, string>,
    overdue: 'overdue',
    dueSoon: 'due soon',
    onHold: 'on hold',
    loading: 'Loading…',
    retry: 'Try again',
    save: 'Save',
    cancel: 'Cancel',
    close: 'Close',
    none: 'none',
    someone: 'someone no longer in Handoff',
    ecommerceTeam: 'the e-commerce team',
    offline: 'Connection lost: retrying…',
  },
  de: {
    status: {
      awaiting_ack: 'Wartet auf Bestätigung',
      in_progress: 'In Arbeit',
      clarification_requested: 'Rückfrage offen',
      in_review: 'In Prüfung',
      changes_requested: 'Änderungen angefordert',
      approved: 'Freigegeben',
      declined: 'Abgelehnt',
      cancelled: 'Storniert',
    } as Record<string, string>,
    clock: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' } as Record<string, string>,
    role: { admin: 'Admin', manager: 'Manager', member: 'Mitglied', watcher: 'Beobachter' } as Record<string, string>,
    overdue: 'überfällig',
    dueSoon: 'bald fällig',
    onHold: 'pausiert',
    loading: 'Wird geladen…',
    retry: 'Erneut versuchen',
    save: 'Speichern',
    cancel: 'Abbrechen',
    close: 'Schließen',
    none: 'keine',
    someone: 'jemand, der nicht mehr in Handoff ist',
    ecommerceTeam: 'das E-Commerce-Team',
    offline: 'Verbindung unterbrochen: neuer Versuch…',
  },
};

export const useCommon = () => useText(COMMON);

/** An instant in the member's time zone and language, e.g. "Mon 30 Nov, 14:05". */
export function formatInstant(iso: string | null | undefined, withYear = false): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale.value === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: timeZone.value,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(withYear ? { year: 'numeric' } : {}),
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/**
 * A business-time span in words: "3 working hours", "45 working minutes" ("hours" on a 24x7
 * calendar), rounded to what a person plans with.
 */
export function formatWorkingTime(ms: number, working = true): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  const de = locale.value === 'de';
  if (minutes < 1) {
    const seconds = Math.max(0, Math.round(Math.abs(ms) / 1000));
    return de ? `${seconds} ${working ? 'Arbeitssekunden' : 'Sekunden'}` : `${seconds} ${working ? 'working ' : ''}second${seconds === 1 ? '' : 's'}`;
  }
  if (minutes < 90) return de ? `${minutes} ${working ? 'Arbeitsminuten' : 'Minuten'}` : `${minutes} ${working ? 'working ' : ''}minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (!working && hours > 48) {
    const days = Math.round(hours / 24);
    return de ? `${days} Tagen` : `${days} days`;
  }
  return de ? `${hours} ${working ? 'Arbeitsstunden' : 'Stunden'}` : `${hours} ${working ? 'working ' : ''}hour${hours === 1 ? '' : 's'}`;
}

/** "due in 3 working hours" / "overdue by 2 working hours" from a clock's remaining working time. */
export function formatDueIn(remainingMs: number, working = true): string {
  const span = formatWorkingTime(remainingMs, working);
  if (locale.value === 'de') return remainingMs >= 0 ? `fällig in ${span}` : `seit ${span} überfällig`;
  return remainingMs >= 0 ? `due in ${span}` : `overdue by ${span}`;
}
