// The escalations raised by breached SLA clocks: the list, their acknowledgement, and a live
// Server-Sent Events stream of escalations as they are raised and acknowledged.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../../workflows/domain/vocabulary';
import type { ApiDeps } from '../context';
import type { Logger } from '../../lib/logger';
import { StreamLeases } from '../../lib/stream-leases';
import { fieldError, rateLimited } from '../errors';
import type { EscalationFeed, FeedEvent, FeedFilter } from '../escalation-feed';
import { idempotentUpdateId } from '../idempotency';
import type { RouteCatalog } from '../openapi/route';
import { pageSchema } from '../pagination';
import { escalationService, streamFilter } from '../services/escalations';
import { EscalationSchema, escalationJson, FEED_ID, IdParams, ListEscalationsQuery, StreamEscalationsQuery, StreamHeaders } from './escalations.schemas';

export const HEARTBEAT_MS = 15_000;
/** A stream's lease outlives a missed heartbeat or two; a process that died frees its places after this. */
export const STREAM_LEASE_MS = 3 * HEARTBEAT_MS;
const RECONNECT_MS = 1_000;

/** EventSource and other SSE clients say so; a plain GET (curl, fetch) without it would wait forever. */
function acceptsEventStream(req: Request): boolean {
  return /(^|,)\s*text\/event-stream\s*(;(?!\s*q=0(\.0*)?\s*(,|;|$))[^,]*)?(,|$)/i.test(req.get('accept') ?? '');
}

function sseEvent(event: FeedEvent): string {
  return `id: ${event.id}\nevent: escalation.${event.kind}\ndata: ${JSON.stringify(escalationJson(event.escalation))}\n\n`;
}

export function escalationsRouter(deps: ApiDeps, catalog: RouteCatalog, feed: EscalationFeed): Router {
  const escalations = escalationService(deps);
  const router = Router();
  const leases = new StreamLeases(deps.db.prisma, STREAM_LEASE_MS);
  const { maxPerMember, maxBufferedBytes } = deps.config.streams;

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/escalations',
      operationId: 'listEscalations',
      summary: 'List escalations',
      description: 'Newest first, filtered by every parameter given. Watchers of scope `party` see their own party only.',
      tag: 'Escalations',
      roles: ['manager', 'watcher', 'admin'],
      query: ListEscalationsQuery,
      responses: { 200: { description: 'A page of escalations', schema: pageSchema(EscalationSchema, 'EscalationPage') } },
    },
    async ({ query, caller }, _req, res) => {
      const page = await escalations.list(caller, query);
      res.json({ items: page.items.map(escalationJson), nextCursor: page.nextCursor });
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/escalations/:id/acknowledge',
      operationId: 'acknowledgeEscalation',
      summary: 'Acknowledge an escalation',
      description:
        "Stops the chain of the escalation's clock; if the step is still not done a full target later, it re-escalates. Answered once the brief has recorded it: the brief shows `escalationAcknowledged` at once. 409 if already acknowledged. Admins, managers, watchers of scope `all` and the members the escalation's level names by id acknowledge; the breaching party's own watchers and members get 403: a party does not silence its own escalation chain.",
      tag: 'Escalations',
      roles: ROLES,
      params: IdParams,
      // Another party's escalation does not exist for the caller; the escalation decides who acknowledges it.
      resource: ({ id }, caller) => escalations.acknowledgeable(caller, id),
      idempotent: true,
      errors: [409],
      responses: { 200: { description: 'The acknowledged escalation', schema: EscalationSchema } },
    },
    async ({ caller, resource: escalation }, _req, res) => {
      res.json(escalationJson(await escalations.acknowledge(caller, escalation, idempotentUpdateId(res))));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/escalations/stream',
      operationId: 'streamEscalations',
      summary: 'Stream escalations as they are raised and acknowledged (Server-Sent Events)',
      description: [
        'A `text/event-stream` for clients that send `Accept: text/event-stream` (EventSource does; other requests get 400).',
        'Each event has `id:` (its position in the feed), `event: escalation.raised` or `escalation.acknowledged`, and `data:` the Escalation as GET /v1/escalations shows it now.',
        'The stream starts with `retry: 1000` and sends a `: heartbeat` comment every 15 s.',
        'Reconnecting with `Last-Event-ID` (or `?lastEventId=`) first replays every matching event after that id, then continues live, without loss or repeats.',
        'An id newer than the newest event (from another installation) is answered with the comment `: unknown Last-Event-ID <id>; streaming from now` and the events from then on.',
        'Without it the stream starts now; `since` replays the events from that instant.',
        'Filters as for GET /v1/escalations; watchers of scope `party` see their own party only.',
        `A member may hold ${maxPerMember} streams open at once over every API replica (HANDOFF_MAX_STREAMS_PER_MEMBER); the next one answers 429 until one closes.`,
        'A client that does not read its stream has it closed once HANDOFF_STREAM_BUFFER_LIMIT bytes wait unsent.',
      ].join(' '),
      tag: 'Escalations',
      roles: ['manager', 'watcher', 'admin'],
      query: StreamEscalationsQuery,
      headers: StreamHeaders,
      responses: {
        200: {
          description: 'Server-Sent Events, one per raised or acknowledged escalation, until the client disconnects',
          contentType: 'text/event-stream',
          schema: z.string().meta({
            example: 'retry: 1000\n\nid: 42\nevent: escalation.raised\ndata: {"id":"b57f59f6-907f-4dc0-b3c1-e431ab3efe42","state":"open",...}\n\n',
          }),
        },
      },
    },
    async ({ query, caller }, req, res) => {
      const header = req.get('last-event-id');
      if (header !== undefined && !FEED_ID.test(header.trim())) throw fieldError('headers.last-event-id', 'not an event id from this stream');
      if (!acceptsEventStream(req)) throw fieldError('headers.accept', 'this is a Server-Sent Events stream: send Accept: text/event-stream');
      // The header is what EventSource sends on reconnection, so it is newer than a lastEventId in the URL.
      const lastEventId = header?.trim() || query.lastEventId;
      const filter = streamFilter(caller, query);
      const afterId = lastEventId !== undefined ? BigInt(lastEventId) : query.since ? 0n : undefined;
      const lease = await leases.acquire(caller.memberId, maxPerMember);
      if (lease === undefined) {
        throw rateLimited(`${maxPerMember} escalation streams are open for this member already (HANDOFF_MAX_STREAMS_PER_MEMBER): close one first`, HEARTBEAT_MS / 1000);
      }
      stream(req, res, feed, afterId, filter, { leases, lease, maxBufferedBytes, logger: deps.logger });
    },
  );

  return router;
}

interface StreamLimits {
  leases: StreamLeases;
  /** The stream's place among its member's open streams; refreshed by the heartbeat, released at the end. */
  lease: string;
  /** Bytes that may wait unsent for a client that does not read before its stream is closed. */
  maxBufferedBytes: number;
  logger: Logger;
}

/** Holds the response open and writes the feed's events to it until either side ends it. */
function stream(req: Request, res: Response, feed: EscalationFeed, afterId: bigint | undefined, filter: FeedFilter, limits: StreamLimits): void {
  const { leases, lease, maxBufferedBytes, logger } = limits;
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    // Proxies such as nginx would otherwise hold events back in their buffers.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  res.write(`retry: ${RECONNECT_MS}\n\n`);
  let ended = false;
  let subscription: { close(): void } | undefined;
  // Nothing is written once either side has ended the stream: a write after the end is an error.
  const write = (text: string) => {
    if (ended) return;
    res.write(text);
    // A client that does not read: what waits unsent stays bounded, and the stream ends (the
    // client may reconnect with its Last-Event-ID once it reads again).
    if (res.writableLength > maxBufferedBytes) {
      req.log?.warn({ buffered: res.writableLength, limit: maxBufferedBytes }, 'escalation stream closed: the client does not read');
      end(true);
    }
  };
  const heartbeat = setInterval(() => {
    write(': heartbeat\n\n');
    if (!ended) leases.refresh(lease).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'escalation stream lease not refreshed'));
  }, HEARTBEAT_MS);
  const end = (destroy = false) => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    subscription?.close();
    leases.release(lease).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'escalation stream lease not released; it expires'));
    if (destroy) res.destroy();
    else if (!res.writableEnded && !res.destroyed) res.end();
  };
  res.on('close', () => end());
  // The client may have gone while the lease was taken: 'close' has been and gone.
  if (res.closed || res.destroyed) end();
  feed
    .open({
      afterId,
      filter,
      // Silence would look like "nothing happened since"; the client learns its id means nothing here.
      onUnknownAfterId: () => write(`: unknown Last-Event-ID ${afterId}; streaming from now\n\n`),
      send: (event) => write(sseEvent(event)),
      onClose: () => end(),
    })
    .then(
      (opened) => {
        subscription = opened;
        if (ended) opened.close();
      },
      (err: unknown) => {
        // Headers are out: the client sees the stream end and reconnects with its Last-Event-ID.
        req.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'escalation stream could not start');
        end();
      },
    );
}
