// Who is signed in: the session the server keeps in an httpOnly cookie, read from
// GET /v1/session; its CSRF token goes with every state-changing request.
import { signal } from '@preact/signals';
import { setCsrfToken } from './api/client';
import { setLocale, timeZone, type Locale } from './i18n';

export interface SessionMember {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'manager' | 'member' | 'watcher';
  partyId: string;
  partyName: string;
  partyKind: string;
  scope: 'all' | 'party';
  locale: string;
  timezone: string | null;
}

export interface Session {
  member: SessionMember;
  csrfToken: string | null;
  expiresAt: string | null;
}

/** undefined while loading, null when nobody is signed in. */
export const session = signal<Session | null | undefined>(undefined);

export function adopt(next: Session) {
  setCsrfToken(next.csrfToken);
  if (next.member.timezone) timeZone.value = next.member.timezone;
  let remembered: string | null = null;
  try {
    remembered = localStorage.getItem('handoff.locale');
  } catch {
    // no storage: the member's locale
  }
  if (!remembered && (next.member.locale === 'de' || next.member.locale === 'en')) setLocale(next.member.locale as Locale, false);
  session.value = next;
}

export async function loadSession(): Promise<void> {
  const res = await fetch('/v1/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (res.status === 401) {
    session.value = null;
    return;
  }
  if (!res.ok) throw new Error(`session: HTTP ${res.status}`);
  adopt((await res.json()) as Session);
}

async function problemOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
  return body.detail ?? body.title ?? `HTTP ${res.status}`;
}

export async function signInWith(body: { token: string } | { apiKey: string }): Promise<void> {
  const res = await fetch('/v1/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw Object.assign(new Error(await problemOf(res)), { status: res.status });
  adopt((await res.json()) as Session);
}

export async function requestSignInLink(email: string, locale: Locale): Promise<void> {
  const res = await fetch('/v1/session/sign-in-link', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, locale }),
  });
  if (!res.ok) throw Object.assign(new Error(await problemOf(res)), { status: res.status });
}

export async function signOut(): Promise<void> {
  const current = session.value;
  await fetch('/v1/session', { method: 'DELETE', credentials: 'same-origin', headers: current?.csrfToken ? { 'X-CSRF-Token': current.csrfToken } : {} });
  setCsrfToken(null);
  session.value = null;
}

export const isManager = (s: Session | null | undefined) => s?.member.role === 'manager' || s?.member.role === 'admin';
