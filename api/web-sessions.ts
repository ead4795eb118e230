// Web app sessions: the browser holds a random token in the httpOnly `handoff_session` cookie, the
// database only its SHA-256 hash (like API keys). A session ends on sign-out, after
// HANDOFF_SESSION_IDLE without a request, HANDOFF_SESSION_MAX after sign-in, when its member is
// deactivated, and (signed in by API key) when that key is revoked or expires; all of it is
// checked on every request. Requests that change something and come with the cookie must come
// from the app's own origin (Origin, else Referer) and carry the session's CSRF token in
// X-CSRF-Token; requests with a bearer key are never checked (no browser sends those by itself).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { PrismaClient } from '../lib/db/database';
import { hashApiKey, sameHash } from '../lib/keys';
import { ApiError } from './errors';

export const SESSION_COOKIE = 'handoff_session';
export const CSRF_HEADER = 'X-CSRF-Token';
/** lastSeenAt is written at most this often (and at least four times per idle limit). */
const TOUCH_GRANULARITY_MS = 60_000;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface SessionRules {
  idleMs: number;
  maxMs: number;
  publicUrl: string;
}

/** The session a cookie request came with (res.locals.webSession). */
export interface ActiveSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export type EndReason = 'signed_out' | 'idle' | 'max_age' | 'member_deactivated' | 'key_revoked' | 'key_expired';

const ENDED: Record<Exclude<EndReason, 'signed_out'>, string> = {
  idle: 'the session ended after a time without use: sign in again',
  max_age: 'the session reached its longest lifetime: sign in again',
  member_deactivated: 'the member is deactivated',
  key_revoked: 'the API key you signed in with is revoked: sign in again',
  key_expired: 'the API key you signed in with has expired: sign in again',
};

/** 32 random bytes, base64url: session tokens, CSRF tokens and sign-in link tokens. */
export const newToken = () => randomBytes(32).toString('base64url');
/** Tokens are kept as their SHA-256 hash, as API keys are. */
export const hashToken = (token: string) => hashApiKey(token);

/** One cookie's value from a Cookie header (the first of that name), undefined when absent or empty. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    return value || undefined;
  }
  return undefined;
}

/** The cookie's attributes: Secure when the request came over HTTPS or the public URL is https. */
export function sessionCookieOptions(req: Request, rules: Pick<SessionRules, 'publicUrl'>): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure || new URL(rules.publicUrl).protocol === 'https:' };
}

export function setSessionCookie(req: Request, res: Response, rules: SessionRules, token: string): void {
  res.cookie(SESSION_COOKIE, token, { ...sessionCookieOptions(req, rules), maxAge: rules.maxMs });
}

export function clearSessionCookie(req: Request, res: Response, rules: Pick<SessionRules, 'publicUrl'>): void {
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req, rules));
}

interface SessionRow {
  createdAt: Date;
  lastSeenAt: Date;
  apiKeyId: string | null;
  member: { deactivatedAt: Date | null };
  apiKey: { revokedAt: Date | null; expiresAt: Date | null } | null;
}

/** When the session ends if it is not used again. */
export function sessionExpiresAt(row: Pick<SessionRow, 'createdAt' | 'lastSeenAt' | 'apiKey'>, rules: Pick<SessionRules, 'idleMs' | 'maxMs'>): Date {
  const ends = [row.lastSeenAt.getTime() + rules.idleMs, row.createdAt.getTime() + rules.maxMs];
  if (row.apiKey?.expiresAt) ends.push(row.apiKey.expiresAt.getTime());
  return new Date(Math.min(...ends));
}

/** Why a session that has not been ended is over by now, if it is. */
export function endReasonOf(row: SessionRow, now: number, rules: Pick<SessionRules, 'idleMs' | 'maxMs'>): Exclude<EndReason, 'signed_out'> | undefined {
  if (row.member.deactivatedAt) return 'member_deactivated';
  if (row.apiKeyId !== null) {
    if (!row.apiKey || row.apiKey.revokedAt) return 'key_revoked';
    if (row.apiKey.expiresAt && row.apiKey.expiresAt.getTime() <= now) return 'key_expired';
  }
  if (now - row.createdAt.getTime() >= rules.maxMs) return 'max_age';
  if (now - row.lastSeenAt.getTime() >= rules.idleMs) return 'idle';
  return undefined;
}

const originOf = (url: string): string | undefined => {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
};

/** The origins a browser request may come from: the public URL's and the one the request was sent to. */
export function ownOrigins(req: Request, publicUrl: string): string[] {
  return [originOf(publicUrl), originOf(`${req.protocol}://${req.get('host') ?? ''}`)].filter((o): o is string => o !== undefined);
}

/**
 * The sign-in routes have no session yet, so no CSRF token: a request a browser marks with an
 * Origin header must still come from the app's own origin (a sign-in forced on a visitor by
 * another site would sign them in as someone else). Clients that send no Origin pass.
 */
export function requireOwnOriginIfPresent(req: Request, publicUrl: string): void {
  const origin = req.get('origin');
  if (origin === undefined) return;
  if (!ownOrigins(req, publicUrl).includes(origin)) throw new ApiError('csrf', `the request comes from another origin (${origin.slice(0, 200)}); sign in from the app itself`);
}

/** The CSRF rules for a request that came with the session cookie. */
export function requireCsrfSafe(req: Request, publicUrl: string, csrfToken: string): void {
  if (!STATE_CHANGING.has(req.method)) return;
  const origin = req.get('origin');
  const referer = req.get('referer');
  if (origin === undefined && !referer) throw new ApiError('csrf', 'a request that changes something with the session cookie needs an Origin (or Referer) header');
  const claimed = origin ?? originOf(referer as string);
  if (claimed === undefined || !ownOrigins(req, publicUrl).includes(claimed)) {
    throw new ApiError('csrf', `the request comes from another origin (${origin !== undefined ? 'Origin' : 'Referer'} does not match the app's)`);
  }
  const presented = req.get(CSRF_HEADER);
  if (!presented) throw new ApiError('csrf', `a request that changes something with the session cookie needs the session's CSRF token in ${CSRF_HEADER}`);
  const left = Buffer.from(presented, 'utf8');
  const right = Buffer.from(csrfToken, 'utf8');
  if (left.length !== right.length || !timingSafeEqual(left, right)) throw new ApiError('csrf', `${CSRF_HEADER} does not match the session's CSRF token`);
}

/**
 * The member behind a session cookie, after every rule above: a session that is over is marked
 * ended (with why) and answers 401; a cookie request that changes something without the CSRF
 * proofs answers 403 `csrf`.
 */
export async function sessionOf(prisma: PrismaClient, rules: SessionRules, req: Request, token: string) {
  const presented = hashToken(token);
  const row = await prisma.webSession.findUnique({ where: { tokenHash: presented }, include: { member: { include: { party: true } }, apiKey: true } });
  if (!row || !sameHash(row.tokenHash, presented) || row.endedAt) throw new ApiError('unauthenticated', 'the session has ended or is unknown: sign in again');
  const now = Date.now();
  const reason = endReasonOf(row, now, rules);
  if (reason) {
    await prisma.webSession.updateMany({ where: { id: row.id, endedAt: null }, data: { endedAt: new Date(now), endReason: reason } });
    throw new ApiError('unauthenticated', ENDED[reason]);
  }
  requireCsrfSafe(req, rules.publicUrl, row.csrfToken);
  let lastSeenAt = row.lastSeenAt;
  if (now - row.lastSeenAt.getTime() >= Math.min(TOUCH_GRANULARITY_MS, rules.idleMs / 4)) {
    lastSeenAt = new Date(now);
    await prisma.webSession.update({ where: { id: row.id }, data: { lastSeenAt } });
  }
  const session: ActiveSession = { id: row.id, csrfToken: row.csrfToken, expiresAt: sessionExpiresAt({ ...row, lastSeenAt }, rules) };
  return { row, session };
}

/** Ends a session (sign-out); one already ended keeps its first reason. */
export async function endSession(prisma: PrismaClient, id: string, reason: EndReason): Promise<void> {
  await prisma.webSession.updateMany({ where: { id, endedAt: null }, data: { endedAt: new Date(), endReason: reason } });
}

/** A new session of the member (from a sign-in link, or from an API key it then depends on). */
export async function openSession(prisma: Pick<PrismaClient, 'webSession'>, id: string, memberId: string, apiKeyId: string | null) {
  const token = newToken();
  const now = new Date();
  const row = await prisma.webSession.create({
    data: { id, tokenHash: hashToken(token), memberId, apiKeyId, csrfToken: newToken(), createdAt: now, lastSeenAt: now },
  });
  return { token, row };
}

export function activeSessionOf(res: Response): ActiveSession | undefined {
  return res.locals.webSession as ActiveSession | undefined;
}
