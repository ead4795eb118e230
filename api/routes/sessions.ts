// Signing in to the web app. A member asks for a sign-in link by email (always 202, whether the
// address is a member's or not) and opens it once; or signs in with an API key. Either way the
// answer sets the handoff_session cookie and names the member and the session's CSRF token.
// GET /v1/session tells the app who is signed in; DELETE /v1/session signs out.
import path from 'node:path';
import type { Request, RequestHandler, Response, Router as ExpressRouter } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { createMailer, type Mailer } from '../../activities/notifications/mailer';
import type { Member, Party } from '../../lib/db/generated/client';
import { formatInstant, localeOf, escapeHtml, type Locale } from '../../lib/i18n';
import { newId } from '../../lib/ids';
import { sameHash } from '../../lib/keys';
import { ROLES } from '../../workflows/domain/vocabulary';
import type { ApiDeps } from '../context';
import { ApiError, rateLimited, validationError } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { databaseLimiter, retryAfterSeconds } from '../rate-limits';
import {
  activeSessionOf,
  clearSessionCookie,
  endSession,
  hashToken,
  newToken,
  openSession,
  requireOwnOriginIfPresent,
  sessionExpiresAt,
  setSessionCookie,
  type SessionRules,
} from '../web-sessions';

/** Sign-in links per email address, and per client address, in SIGN_IN_LINK_WINDOW_MS. */
export const SIGN_IN_LINKS_PER_EMAIL = 5;
export const SIGN_IN_LINKS_PER_ADDRESS = 30;
export const SIGN_IN_LINK_WINDOW_MS = 15 * 60_000;

const SignInLinkBody = z
  .object({
    email: z.email().max(320).meta({ example: 'paula@pixelwerk.example' }),
    locale: z.enum(['de', 'en']).optional().meta({ description: 'The language of the page that asks; the email is written in the member\'s own language.' }),
  })
  .meta({ id: 'SignInLinkRequest' });

const CreateSessionBody = z
  .union([
    z.strictObject({ token: z.string().min(1).max(200).meta({ description: 'The token of an emailed sign-in link (/signin/<token>).' }) }),
    z.strictObject({ apiKey: z.string().min(1).max(200).meta({ description: 'An API key of the member; the session ends when the key is revoked or expires.', example: 'hk_1a2b3c4d_...' }) }),
  ])
  .meta({ id: 'CreateSession', description: 'Either the token of a sign-in link or an API key.', example: { token: 'q3Jx0n9cT6u2bWfXH4yRkA1sLmPz8vEoGdNiYcUaB5w' } });

const SessionMemberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    partyId: z.string(),
    partyName: z.string(),
    partyKind: z.string(),
    scope: z.enum(['all', 'party']),
    locale: z.string().meta({ example: 'de' }),
    timezone: z.string().nullable().meta({ example: 'Europe/Berlin' }),
  })
  .meta({ id: 'SessionMember' });

const SessionSchema = z
  .object({
    member: SessionMemberSchema,
    csrfToken: z.string().nullable().meta({ description: 'Send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE made with the session cookie; null for callers with an API key.' }),
    expiresAt: z.iso.datetime().nullable().meta({ description: 'When the session ends unless it is used again (for an API key: when the key expires, null if never).' }),
  })
  .meta({ id: 'Session' });

const SentSchema = z.object({ sent: z.literal(true) }).meta({ id: 'SignInLinkSent' });

const TEXT: Record<Locale, { subject: string; body: (name: string, link: string, until: string) => string[] }> = {
  en: {
    subject: 'Sign in to Handoff',
    body: (name, link, until) => [
      `Hello ${name},`,
      'open this link to sign in to Handoff:',
      link,
      `The link works once, until ${until}. If you did not ask to sign in, ignore this email: without the link nobody can sign in as you.`,
    ],
  },
  de: {
    subject: 'Bei Handoff anmelden',
    body: (name, link, until) => [
      `Hallo ${name},`,
      'mit diesem Link melden Sie sich bei Handoff an:',
      link,
      `Der Link funktioniert einmal, bis ${until}. Wenn Sie keine Anmeldung angefordert haben, ignorieren Sie diese E-Mail: ohne den Link kann sich niemand als Sie anmelden.`,
    ],
  },
};

type MemberWithParty = Member & { party: Party };

function memberJson(member: MemberWithParty) {
  return {
    id: member.id,
    name: member.name,
    email: member.email,
    role: member.role,
    partyId: member.partyId,
    partyName: member.party.name,
    partyKind: member.party.kind,
    scope: member.scope,
    locale: member.locale,
    timezone: member.timezone,
  };
}

function parsedBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const result = schema.safeParse(req.body ?? {});
  if (!result.success) throw validationError(result.error, 'body');
  return result.data;
}

/** Runs a rate limiter inside a handler: resolves when it lets the request pass, rejects with its 429. */
function passes(limiter: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    Promise.resolve(limiter(req, res, (err?: unknown) => (err ? reject(err) : resolve()))).catch(reject);
  });
}

export function sessionRouters({ db: { prisma }, config, logger }: ApiDeps, catalog: RouteCatalog): { signIn: ExpressRouter; session: ExpressRouter } {
  const rules: SessionRules = { ...config.sessions, publicUrl: config.publicUrl };
  const publicBase = config.publicUrl.replace(/\/+$/, '');
  let mailer: Mailer | undefined;
  const mailerOf = () =>
    (mailer ??= createMailer({ smtpUrl: config.smtp.url, from: config.smtp.from, outboxDir: path.join(config.dataDir, 'outbox'), messageIdHost: new URL(config.publicUrl).hostname }));

  const limited = (what: string) => (req: Request, _res: Response, next: (err?: unknown) => void) =>
    next(rateLimited(`more than the allowed sign-in links in ${SIGN_IN_LINK_WINDOW_MS / 60_000} minutes ${what}; try again later`, retryAfterSeconds(req)));
  const perAddress = databaseLimiter({ prisma, logger, name: 'sign-in-address', limit: SIGN_IN_LINKS_PER_ADDRESS, windowMs: SIGN_IN_LINK_WINDOW_MS, handler: limited('from this address') });
  const perEmail = databaseLimiter({
    prisma,
    logger,
    name: 'sign-in-email',
    limit: SIGN_IN_LINKS_PER_EMAIL,
    windowMs: SIGN_IN_LINK_WINDOW_MS,
    keyGenerator: (req) => hashToken(String((req.body as { email?: unknown }).email).trim().toLowerCase()),
    handler: limited('for this email address'),
  });

  /** Writes and sends one member's sign-in link; failures are logged (the request was answered already). */
  async function sendLink(member: MemberWithParty, requestedFrom: string | undefined): Promise<void> {
    const token = newToken();
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + config.actionLinks.ttlMs);
    const link = await prisma.signInLink.create({ data: { id: newId(), tokenHash: hashToken(token), memberId: member.id, createdAt, expiresAt, requestedFrom: requestedFrom ?? null } });
    const locale = localeOf(member.locale);
    const url = `${publicBase}/signin/${token}`;
    const lines = TEXT[locale].body(member.name, url, formatInstant(expiresAt.toISOString(), locale, member.timezone ?? 'UTC'));
    const html = lines.map((line) => (line === url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : `<p>${escapeHtml(line)}</p>`)).join('\n');
    await mailerOf().send({ to: member.email, subject: TEXT[locale].subject, text: `${lines.join('\n\n')}\n`, html, idempotencyKey: `signin-${link.id}` });
    logger.info({ memberId: member.id, linkId: link.id }, 'sign-in link sent');
  }

  const signIn = Router();
  catalog.mount(
    signIn,
    {
      method: 'post',
      path: '/v1/session/sign-in-link',
      operationId: 'requestSignInLink',
      summary: 'Email a sign-in link',
      description:
        `Emails the active member with this address a link to sign in to the web app (/signin/<token>), valid once until HANDOFF_ACTION_LINK_TTL has passed. ` +
        `The answer is the same whether or not the address is a member's. At most ${SIGN_IN_LINKS_PER_EMAIL} requests per email address and ${SIGN_IN_LINKS_PER_ADDRESS} per client address in ${SIGN_IN_LINK_WINDOW_MS / 60_000} minutes. ` +
        'A browser request (with an Origin header) must come from the app\'s own origin.',
      tag: 'Sessions',
      roles: 'public',
      body: SignInLinkBody,
      responses: { 202: { description: 'Accepted: a link is on its way if the address is an active member\'s', schema: SentSchema } },
      errors: [403, 429],
    },
    async (req, res) => {
      requireOwnOriginIfPresent(req, config.publicUrl);
      const { email } = parsedBody(SignInLinkBody, req);
      await passes(perAddress, req, res);
      await passes(perEmail, req, res);
      const members = await prisma.member.findMany({ where: { email: { equals: email.trim(), mode: 'insensitive' }, deactivatedAt: null }, include: { party: true } });
      // Sent after the answer: how long it takes says nothing about whether the address is known.
      for (const member of members) {
        sendLink(member, req.ip).catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err), memberId: member.id }, 'could not send a sign-in link'));
      }
      res.status(202).json({ sent: true });
    },
  );

  catalog.mount(
    signIn,
    {
      method: 'post',
      path: '/v1/session',
      operationId: 'createSession',
      summary: 'Sign in to the web app',
      description:
        'With the token of a sign-in link (once; 410 when used or expired, 401 when unknown) or with an API key (401 when unknown, revoked or expired). ' +
        'Sets the httpOnly handoff_session cookie and answers the member and the session\'s CSRF token. A browser request (with an Origin header) must come from the app\'s own origin.',
      tag: 'Sessions',
      roles: 'public',
      body: CreateSessionBody,
      responses: { 201: { description: 'Signed in: the cookie is set', schema: SessionSchema } },
      errors: [401, 403, 410],
    },
    async (req, res) => {
      requireOwnOriginIfPresent(req, config.publicUrl);
      const body = parsedBody(CreateSessionBody, req);
      const opened =
        'token' in body
          ? await prisma.$transaction(async (tx) => {
              const presented = hashToken(body.token);
              const link = await tx.signInLink.findUnique({ where: { tokenHash: presented }, include: { member: true } });
              if (!link || !sameHash(link.tokenHash, presented)) throw new ApiError('unauthenticated', 'the sign-in link is not valid; ask for a new one');
              const now = new Date();
              if (link.usedAt) throw new ApiError('gone', 'the sign-in link was already used; ask for a new one');
              // A shorter HANDOFF_ACTION_LINK_TTL also shortens links already sent.
              const endsAt = Math.min(link.expiresAt.getTime(), link.createdAt.getTime() + config.actionLinks.ttlMs);
              if (endsAt <= now.getTime()) throw new ApiError('gone', 'the sign-in link has expired; ask for a new one');
              if (link.member.deactivatedAt) throw new ApiError('unauthenticated', 'the member is deactivated');
              // Single use, even for two clicks at once: only one of them finds it unused.
              const claimed = await tx.signInLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
              if (claimed.count !== 1) throw new ApiError('gone', 'the sign-in link was already used; ask for a new one');
              return openSession(tx, newId(), link.memberId, null);
            })
          : await (async () => {
              const presented = hashToken(body.apiKey);
              const key = await prisma.apiKey.findUnique({ where: { hash: presented }, include: { member: true } });
              if (!key || !sameHash(key.hash, presented) || key.revokedAt) throw new ApiError('unauthenticated', 'the API key is not valid');
              if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw new ApiError('unauthenticated', 'the API key has expired');
              if (key.member.deactivatedAt) throw new ApiError('unauthenticated', 'the member is deactivated');
              return openSession(prisma, newId(), key.memberId, key.id);
            })();
      const row = await prisma.webSession.findUniqueOrThrow({ where: { id: opened.row.id }, include: { member: { include: { party: true } }, apiKey: true } });
      setSessionCookie(req, res, rules, opened.token);
      logger.info({ memberId: row.memberId, sessionId: row.id, via: row.apiKeyId ? 'api_key' : 'link' }, 'signed in to the web app');
      res.status(201).json({ member: memberJson(row.member), csrfToken: row.csrfToken, expiresAt: sessionExpiresAt(row, rules).toISOString() });
    },
  );

  const session = Router();
  catalog.route(
    session,
    {
      method: 'get',
      path: '/v1/session',
      operationId: 'getSession',
      summary: 'Who is signed in',
      description: 'The member of the session cookie (or of the API key) and the session\'s CSRF token (null for an API key).',
      tag: 'Sessions',
      roles: ROLES,
      responses: { 200: { description: 'The signed-in member', schema: SessionSchema } },
    },
    async ({ caller }, _req, res) => {
      const member = await prisma.member.findUniqueOrThrow({ where: { id: caller.memberId }, include: { party: true } });
      const current = activeSessionOf(res);
      const expiresAt = current
        ? current.expiresAt
        : ((await prisma.apiKey.findUnique({ where: { id: caller.keyId }, select: { expiresAt: true } }))?.expiresAt ?? null);
      res.json({ member: memberJson(member), csrfToken: current?.csrfToken ?? null, expiresAt: expiresAt?.toISOString() ?? null });
    },
  );

  catalog.route(
    session,
    {
      method: 'delete',
      path: '/v1/session',
      operationId: 'deleteSession',
      summary: 'Sign out',
      description: 'Ends the session of the cookie and clears the cookie (with the CSRF token, as every cookie request that changes something). With an API key there is no session: nothing ends.',
      tag: 'Sessions',
      roles: ROLES,
      responses: { 204: { description: 'Signed out' } },
    },
    async (_input, req, res) => {
      const current = activeSessionOf(res);
      if (current) await endSession(prisma, current.id, 'signed_out');
      clearSessionCookie(req, res, rules);
      res.status(204).end();
    },
  );

  return { signIn, session };
}
