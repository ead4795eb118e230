// Authentication by bearer API key or by the web app's session cookie (web-sessions.ts), and who
// sees which party's records (routes declare their roles).
import type { RequestHandler, Response } from 'express';
import type { PrismaClient } from '../lib/db/database';
import { hashApiKey, sameHash } from '../lib/keys';
import type { Role } from '../workflows/domain/vocabulary';
import { ApiError } from './errors';
import { cookieValue, SESSION_COOKIE, sessionOf, type SessionRules } from './web-sessions';

export interface Caller {
  memberId: string;
  role: Role;
  partyId: string;
  partyKind: string;
  /** A watcher's scope: `all` sees every party; everyone else's is `party`. */
  scope: 'all' | 'party';
  name: string;
  /** The API key's id; `session:<id>` for a web session. */
  keyId: string;
}

const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * The bearer key when the request has an Authorization header; else, with `sessions`, the session
 * cookie (the CSRF rules apply to it); else 401.
 */
export function authenticate(prisma: PrismaClient, sessions?: SessionRules): RequestHandler {
  return async (req, res, next) => {
    const sessionToken = sessions && req.get('authorization') === undefined ? cookieValue(req.get('cookie'), SESSION_COOKIE) : undefined;
    if (sessions && sessionToken !== undefined) {
      const { row, session } = await sessionOf(prisma, sessions, req, sessionToken);
      const caller: Caller = {
        memberId: row.member.id,
        role: row.member.role,
        partyId: row.member.partyId,
        partyKind: row.member.party.kind,
        scope: row.member.scope,
        name: row.member.name,
        keyId: `session:${row.id}`,
      };
      res.locals.caller = caller;
      res.locals.webSession = session;
      return next();
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError('unauthenticated', 'send Authorization: Bearer <key>');
    const presented = hashApiKey(match[1]);
    const key = await prisma.apiKey.findUnique({
      where: { hash: presented },
      include: { member: { include: { party: true } } },
    });
    if (!key || !sameHash(key.hash, presented) || key.revokedAt) throw new ApiError('unauthenticated', 'the API key is not valid');
    const now = Date.now();
    if (key.expiresAt && key.expiresAt.getTime() <= now) throw new ApiError('unauthenticated', 'the API key has expired');
    if (key.member.deactivatedAt) throw new ApiError('unauthenticated', 'the member is deactivated');
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
      await prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
    }
    const caller: Caller = {
      memberId: key.member.id,
      role: key.member.role,
      partyId: key.member.partyId,
      partyKind: key.member.party.kind,
      scope: key.member.scope,
      name: key.member.name,
      keyId: key.id,
    };
    res.locals.caller = caller;
    next();
  };
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new ApiError('unauthenticated', 'send Authorization: Bearer <key>');
  return caller;
}

/**
 * Admins and managers see every party's briefs, and so do watchers of scope `all` (the e-commerce
 * team's by default, an IT team lead wherever they sit); everyone else sees only their own party's.
 */
export function seesAllParties(caller: Pick<Caller, 'role' | 'scope'>): boolean {
  return caller.role === 'admin' || caller.role === 'manager' || (caller.role === 'watcher' && caller.scope === 'all');
}

export function canSeeParty(caller: Pick<Caller, 'role' | 'scope' | 'partyId'>, partyId: string): boolean {
  return seesAllParties(caller) || caller.partyId === partyId;
}
