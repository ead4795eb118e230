// Idempotency-Key on POSTs: the first request with a key runs and its answer is kept; repeats
// of the same request (same caller, key, path and body) get that answer again, a different
// request under the same key gets 422. A repeat that arrives while the first still runs waits
// for it. Answers are kept for at least RETENTION_MS. Secrets in answers (new API keys) are
// never stored: a replay shows them as null. A first request whose API process died before it
// answered leaves its record in progress: a repeat takes it over once it is older than any request
// runs (ABANDONED_AFTER_MS), and runs the request again (creates and actions reach the same brief
// and the same workflow update then, so nothing happens twice).
import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { PrismaClient } from '../lib/db/database';
import { Prisma } from '../lib/db/generated/client';
import { newId } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { callerOf } from './auth';
import { ApiError, fieldError } from './errors';

export const RETENTION_MS = 48 * 3600_000;
/**
 * A record in progress for longer than this was left by an API process that died mid-request: a
 * request runs for at most its Temporal deadline (30 s for a workflow update, or for a start with
 * its first update) and a few database round trips.
 */
export const ABANDONED_AFTER_MS = 40_000;
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

/**
 * The id of the workflow update a request under an Idempotency-Key makes (undefined without a key):
 * the same for every repeat of the request, so a repeat that runs again (its first attempt's API
 * process died before answering) reaches the update the first one made and gets its outcome
 * instead of acting twice.
 */
export function idempotentUpdateId(res: Response): string | undefined {
  const { idempotencyKey: key, idempotencyRequestHash: hash } = res.locals;
  if (typeof key !== 'string' || typeof hash !== 'string') return undefined;
  return `idempotent-${idempotentId(callerOf(res).memberId, `${key}\n${hash}`)}`;
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

    /** Runs the request under the record, which keeps its answer (or is freed on a failure that may pass). */
    const run = (recordId: string) => {
      res.locals.idempotencyKey = key;
      res.locals.idempotencyRequestHash = hash;
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
              where: { id: recordId },
              data: { state: 'completed', status: res.statusCode, body: (body ?? null) as Prisma.InputJsonValue, headers, completedAt: new Date() },
            })
          : // A failure that may pass on retry frees the key for the retry.
            prisma.idempotencyRecord.delete({ where: { id: recordId } });
        done.catch((err: unknown) => logger.error({ err: String(err) }, 'could not store the idempotent answer'));
      });
      return next();
    };

    try {
      const record = await prisma.idempotencyRecord.create({
        data: { id: newId(), callerId: caller.memberId, key, method: req.method, path, requestHash: hash, state: 'in_progress' },
      });
      return run(record.id);
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    }

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
      const abandonedAt = existing.createdAt.getTime() + ABANDONED_AFTER_MS;
      if (Date.now() > abandonedAt) {
        // Taken over by one repeat only: the one whose update still finds the record as it read it.
        const { count } = await prisma.idempotencyRecord.updateMany({
          where: { id: existing.id, state: 'in_progress', createdAt: existing.createdAt },
          data: { createdAt: new Date() },
        });
        if (count === 1) return run(existing.id);
        continue;
      }
      // A repeat waits for the first to answer, or to be found abandoned.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
}
