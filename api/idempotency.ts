// Idempotency-Key on POSTs: the first request with a key runs and its answer is kept; repeats
// of the same request (same caller, key, path and body) get that answer again, a different
// request under the same key gets 422. A repeat that arrives while the first still runs waits
// for it. Answers are kept for at least RETENTION_MS. Secrets in answers (new API keys) are
// never stored: a replay shows them as null.
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { PrismaClient } from '../lib/db/database';
import { Prisma } from '../lib/db/generated/client';
import { newId } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { callerOf } from './auth';
import { ApiError, conflict, fieldError } from './errors';

export const RETENTION_MS = 48 * 3600_000;
const WAIT_FOR_FIRST_MS = 30_000;
const POLL_MS = 50;
const PRUNE_EVERY_MS = 10 * 60_000;
const KEPT_HEADERS = ['location', 'etag'];

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Answers that carry a secret (a new API key) are kept, and replayed, without it. */
function withoutSecrets(payload: unknown, fields: string[] | undefined): unknown {
  if (!fields?.length || !payload || typeof payload !== 'object') return payload;
  return { ...(payload as Record<string, unknown>), ...Object.fromEntries(fields.map((f) => [f, null])) };
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonical(body)}`).digest('hex');
}

/** A stable id for what a caller creates under an Idempotency-Key (UUID-shaped). */
export function idempotentId(callerId: string, key: string): string {
  const h = createHash('sha256').update(`${callerId}\n${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function idempotency(prisma: PrismaClient, logger: Logger): RequestHandler {
  let lastPrune = 0;
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) throw fieldError('headers.idempotency-key', 'must be 1 to 255 characters');
    const caller = callerOf(res);
    const path = req.originalUrl.split('?')[0];
    const hash = requestHash(req.method, path, req.body);

    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      await prisma.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - RETENTION_MS) } } });
    }

    try {
      const record = await prisma.idempotencyRecord.create({
        data: { id: newId(), callerId: caller.memberId, key, method: req.method, path, requestHash: hash, state: 'in_progress' },
      });
      res.locals.idempotencyKey = key;
      let body: unknown;
      const json = res.json.bind(res);
      res.json = (payload: unknown) => {
        body = withoutSecrets(payload, res.locals.secretFields as string[] | undefined);
        return json(payload);
      };
      res.on('finish', () => {
        const keep = res.statusCode < 500 && res.statusCode !== 429 && res.statusCode !== 401;
        const headers = Object.fromEntries(KEPT_HEADERS.map((h) => [h, res.getHeader(h)]).filter(([, v]) => v !== undefined));
        const done = keep
          ? prisma.idempotencyRecord.update({
              where: { id: record.id },
              data: { state: 'completed', status: res.statusCode, body: (body ?? null) as Prisma.InputJsonValue, headers, completedAt: new Date() },
            })
          : // A failure that may pass on retry frees the key for the retry.
            prisma.idempotencyRecord.delete({ where: { id: record.id } });
        done.catch((err: unknown) => logger.error({ err: String(err) }, 'could not store the idempotent answer'));
      });
      return next();
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    }

    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const existing = await prisma.idempotencyRecord.findUnique({ where: { callerId_key: { callerId: caller.memberId, key } } });
      if (!existing) return next(); // the first attempt failed and freed the key
      if (existing.requestHash !== hash) {
        throw new ApiError('idempotency-mismatch', 'this Idempotency-Key was used for a different request');
      }
      if (existing.state === 'completed') {
        for (const [name, value] of Object.entries((existing.headers ?? {}) as Record<string, string>)) res.setHeader(name, value);
        res.setHeader('Idempotent-Replayed', 'true');
        const contentType = (existing.status ?? 200) >= 400 ? 'application/problem+json' : 'application/json';
        res.status(existing.status ?? 200).type(contentType).send(JSON.stringify(existing.body));
        return;
      }
      if (Date.now() > deadline) throw conflict('a request with this Idempotency-Key is still in progress');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
}
