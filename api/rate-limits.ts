// The API's rate limits, counted in the database (lib/rate-limit-store.ts) so every replica
// enforces the same numbers: per client address before authentication, per API key and per
// member after it, and on /metrics. A limited request answers 429 problem+json with Retry-After
// and the IETF draft-8 RateLimit headers (one entry per limit the request passed through).
// When the database cannot count, requests pass (logged): they need the database anyway and
// answer 503 themselves, while /healthz and /readyz keep answering for the orchestrator.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options, type RateLimitRequestHandler } from 'express-rate-limit';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import { withoutLinkTokens } from '../lib/logger';
import { DatabaseRateLimitStore } from '../lib/rate-limit-store';
import { callerOf } from './auth';
import { sendProblem } from './errors';

export const RATE_LIMIT_WINDOW_MS = 60_000;

export interface LimiterOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Names the limit in the RateLimit headers and separates its counters from the others'. */
  name: string;
  limit: number;
  /** The window the limit counts in; a minute by default. */
  windowMs?: number;
  /** Undefined: the client address (IPv6 by its /56). */
  keyGenerator?: (req: Request, res: Response) => string;
  /** Answers a limited request; by default problem+json naming `what` was counted. */
  handler?: Options['handler'];
  what?: string;
}

/** A limiter of `limit` requests a minute (or per `windowMs`) per key, counted in the database. */
export function databaseLimiter(options: LimiterOptions): RateLimitRequestHandler {
  const { logger, limit, name } = options;
  return rateLimit({
    windowMs: options.windowMs ?? RATE_LIMIT_WINDOW_MS,
    limit,
    identifier: name,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new DatabaseRateLimitStore(options.prisma, `${name}:`),
    ...(options.keyGenerator ? { keyGenerator: options.keyGenerator } : {}),
    passOnStoreError: true,
    // A store error is logged by the library with "allowing request without rate-limiting".
    logger: {
      error: (err, message) => logger.warn({ err: err instanceof Error ? err.message : String(err), limit: name }, message ?? 'rate limit'),
      warn: (err, message) => logger.warn({ err: err instanceof Error ? err.message : String(err), limit: name }, message ?? 'rate limit'),
    },
    // HANDOFF_TRUST_PROXY decides whose address counts; the library's advice on it is not needed.
    validate: { trustProxy: false, xForwardedForHeader: false },
    handler:
      options.handler ??
      ((req, res) => {
        res.setHeader('Retry-After', String(retryAfterSeconds(req)));
        sendProblem(res, withoutLinkTokens(req.originalUrl), 'rate-limited', `more than ${limit} requests a minute ${options.what ?? `(${name})`}`);
      }),
  });
}

/** Seconds until the limited window ends, at least 1. */
export function retryAfterSeconds(req: Request): number {
  const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  return resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : RATE_LIMIT_WINDOW_MS / 1000;
}

/** The layers after authentication: per API key, then per member over all of the member's keys. */
export function callerLimiter(prisma: PrismaClient, logger: Logger, limits: { perKey: number; perMember: number }): RequestHandler {
  const perKey = databaseLimiter({ prisma, logger, name: 'api-key', limit: limits.perKey, keyGenerator: (_req, res) => callerOf(res).keyId, what: 'with this API key' });
  const perMember = databaseLimiter({ prisma, logger, name: 'member', limit: limits.perMember, keyGenerator: (_req, res) => callerOf(res).memberId, what: "with this member's API keys" });
  return (req, res, next) => perKey(req, res, (err?: unknown) => (err ? next(err) : perMember(req, res, next)));
}

/** A limiter for one path only, mounted without a path (so the app's route walk sees no extra mount). */
export function onPath(path: string, limiter: RequestHandler): RequestHandler {
  return (req, res, next) => (req.path === path ? limiter(req, res, next) : next());
}
