// The escalations raised by breached SLA clocks: the list, their acknowledgement, and a live
// Server-Sent Events stream of escalations as they are raised and acknowledged.
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { appendEscalationFeed } from '../../activities/record-events';
import type { Prisma } from '../../lib/db/generated/client';
import { acknowledgeEscalationUpdate } from '../../workflows/brief/definitions';
import { CLOCKS } from '../../workflows/domain/brief';
import { AGREEMENTS } from '../../workflows/domain/policy';
import { callerOf, canSeeParty, requireRole, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, notFound } from '../errors';
import type { EscalationFeed, FeedEvent, FeedFilter } from '../escalation-feed';
import { idString, parse } from '../validate';
import type { RouteCatalog } from '../openapi/route';
import { translateWorkflowError } from '../workflow-errors';
import { after, decodeCursor, page, PageQuery, pageSchema } from '../pagination';

const Id = idString().meta({ example: 'b57f59f6-907f-4dc0-b3c1-e431ab3efe42' });
const IdParams = z.object({ id: Id });

/** The filters the list and the stream share. */
const EscalationFilters = z.object({
  state: z.enum(['open', 'acknowledged']).optional(),
  briefId: idString().optional(),
  partyId: idString().optional().meta({ description: "Only this party's escalations; callers who see their own party only get nothing for another." }),
  clock: z.enum(CLOCKS).optional(),
  level: z.coerce.number().int().min(1).max(1000).optional().meta({ example: 1 }),
  since: z.iso.datetime({ offset: true }).optional().meta({ description: 'An ISO 8601 instant.', example: '2026-11-27T09:00:00Z' }),
});

export const ListEscalationsQuery = PageQuery.extend(EscalationFilters.shape).extend({
  since: EscalationFilters.shape.since.meta({ description: 'Only escalations raised at or after this instant (ISO 8601).', example: '2026-11-27T09:00:00Z' }),
});

/** Feed ids: positive integers that fit PostgreSQL's bigint. */
const FEED_ID = /^\d{1,18}$/;
const FeedId = z.string().regex(FEED_ID, 'not an event id from this stream');

export const StreamEscalationsQuery = EscalationFilters.extend({
  state: EscalationFilters.shape.state.meta({ description: 'open: only escalation.raised events; acknowledged: only escalation.acknowledged events.' }),
  since: EscalationFilters.shape.since.meta({
    description: 'Only events that happened at or after this instant (ISO 8601); without Last-Event-ID the stream first replays them.',
    example: '2026-11-27T09:00:00Z',
  }),
  lastEventId: FeedId.optional().meta({ description: 'Resume after this event id, for clients that cannot send the Last-Event-ID header.', example: '42' }),
});

const StreamHeaders = z.object({
  'last-event-id': FeedId.optional().meta({ description: 'The id of the last event received: the stream resumes after it, without loss or repeats.', example: '42' }),
});

export const EscalationSchema = z
  .object({
    id: Id,
    briefId: Id,
    partyId: Id,
    clock: z.enum(CLOCKS),
    level: z.number().int().min(1),
    state: z.enum(['open', 'acknowledged']),
    raisedAt: z.iso.datetime(),
    acknowledgedAt: z.iso.datetime().nullable(),
    acknowledgedBy: Id.nullable(),
    agreement: z.enum(AGREEMENTS as ['internal', 'external']).meta({ description: 'internal (an OLA with an internal team) or external (an SLA with an agency or supplier).' }),
    round: z.number().int().min(1).meta({ description: 'The round of the clock that breached (the review clock restarts with every delivery).' }),
    repeat: z.number().int().min(0).meta({ description: '0 for a level of the chain, n for the n-th repeat of its last level.' }),
    reescalation: z.boolean().meta({
      description: 'Raised again because the step was still not done a full target after an acknowledgement: the acknowledgement worked, the step is still late.',
    }),
    follows: Id.nullable().meta({ description: 'For a re-escalation, the id of the acknowledged escalation it follows up on; otherwise null.' }),
  })
  .meta({ id: 'Escalation' });

type EscalationRow = {
  id: string;
  briefId: string;
  partyId: string;
  clock: string;
  level: number;
  state: string;
  raisedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  agreement: string;
  round: number;
  repeat: number;
  reescalation: boolean;
  follows: string | null;
};
export const escalationJson = (e: EscalationRow) => ({
  id: e.id,
  briefId: e.briefId,
  partyId: e.partyId,
  clock: e.clock,
  level: e.level,
  state: e.state,
  raisedAt: e.raisedAt.toISOString(),
  acknowledgedAt: e.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: e.acknowledgedBy,
  agreement: e.agreement,
  round: e.round,
  repeat: e.repeat,
  reescalation: e.reescalation,
  follows: e.follows,
});

/** The parties a caller asks for and may see: both must hold (an empty result when they differ). */
function partyScope(caller: Caller, requested: string | undefined): string[] | undefined {
  const scope = [...(requested ? [requested] : []), ...(seesAllParties(caller) ? [] : [caller.partyId])];
  return scope.length ? scope : undefined;
}

export const HEARTBEAT_MS = 15_000;
/** How long an acknowledgement waits for the brief's workflow to record it. */
const UPDATE_DEADLINE_MS = 30_000;
const RECONNECT_MS = 1_000;

/** EventSource and other SSE clients say so; a plain GET (curl, fetch) without it would wait forever. */
function acceptsEventStream(req: Request): boolean {
  return /(^|,)\s*text\/event-stream\s*(;(?!\s*q=0(\.0*)?\s*(,|;|$))[^,]*)?(,|$)/i.test(req.get('accept') ?? '');
}

function sseEvent(event: FeedEvent): string {
  return `id: ${event.id}\nevent: escalation.${event.kind}\ndata: ${JSON.stringify(escalationJson(event.escalation))}\n\n`;
}

export function escalationsRouter({ db, temporal, logger }: ApiDeps, catalog: RouteCatalog, feed: EscalationFeed): Router {
  const { prisma } = db;
  const router = Router();

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/escalations',
      operationId: 'listEscalations',
      summary: 'List escalations',
      description: 'Newest first, filtered by every parameter given. Watchers of other parties than the e-commerce team see their own party only.',
      tag: 'Escalations',
      roles: ['manager', 'watcher', 'admin'],
      query: ListEscalationsQuery,
      responses: { 200: { description: 'A page of escalations', schema: pageSchema(EscalationSchema, 'EscalationPage') } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'manager', 'watcher', 'admin');
      const query = parse(ListEscalationsQuery, req.query, 'query');
      const parties = partyScope(caller, query.partyId);
      const where: Prisma.EscalationWhereInput = {
        ...(query.state ? { state: query.state } : {}),
        ...(query.briefId ? { briefId: query.briefId } : {}),
        ...(parties ? { AND: parties.map((partyId) => ({ partyId })) } : {}),
        ...(query.clock ? { clock: query.clock } : {}),
        ...(query.level !== undefined ? { level: query.level } : {}),
        ...(query.since ? { raisedAt: { gte: new Date(query.since) } } : {}),
        ...after(decodeCursor(query.cursor), 'raisedAt', 'desc'),
      };
      const rows = await prisma.escalation.findMany({ where, orderBy: [{ raisedAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      const { items, nextCursor } = page(rows, query.limit, (e) => e.raisedAt);
      res.json({ items: items.map(escalationJson), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/escalations/:id/acknowledge',
      operationId: 'acknowledgeEscalation',
      summary: 'Acknowledge an escalation',
      description:
        "Stops the chain of the escalation's clock; if the step is still not done a full target later, it re-escalates. Answered once the brief has recorded it: the brief shows `escalationAcknowledged` at once. 409 if already acknowledged.",
      tag: 'Escalations',
      roles: ['manager', 'watcher'],
      params: IdParams,
      idempotent: true,
      errors: [409],
      responses: { 200: { description: 'The acknowledged escalation', schema: EscalationSchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const escalation = await prisma.escalation.findUnique({ where: { id }, include: { brief: { select: { workflowId: true } } } });
      // Another party's escalation does not exist for the caller; only then does the role matter.
      if (!escalation || !canSeeParty(caller, escalation.partyId)) throw notFound('escalation');
      requireRole(res, 'manager', 'watcher');
      if (escalation.state !== 'open') throw conflict('the escalation is already acknowledged');
      const acknowledgement = { escalationId: id, memberId: caller.memberId };
      try {
        // The workflow answers once it has recorded the acknowledgement, escalation row and feed
        // entry included: the brief and the list show it as soon as this request is answered.
        const handle = temporal.workflow.getHandle(escalation.brief.workflowId);
        await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(acknowledgeEscalationUpdate, { args: [acknowledgement] }));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw translateWorkflowError(err);
        // A brief whose workflow has ended has nothing left to escalate; the acknowledgement stands.
        logger.debug({ escalationId: id }, 'escalation acknowledged after its brief ended');
        const updated = await acknowledgeRow(id, caller.memberId);
        if (!updated) throw conflict('the escalation is already acknowledged');
        return void res.json(escalationJson(updated));
      }
      res.json(escalationJson(await prisma.escalation.findUniqueOrThrow({ where: { id } })));
    },
  );

  /** Acknowledges an escalation of a brief whose workflow has ended; undefined when it is not open. */
  function acknowledgeRow(id: string, memberId: string) {
    // The feed entry commits with the state change, so the stream never shows one without the other.
    return prisma.$transaction(async (tx) => {
      const { count } = await tx.escalation.updateMany({ where: { id, state: 'open' }, data: { state: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: memberId } });
      if (count === 0) return undefined;
      const row = await tx.escalation.findUniqueOrThrow({ where: { id } });
      await appendEscalationFeed(tx, [
        { escalationId: id, kind: 'acknowledged', at: row.acknowledgedAt ?? new Date(), briefId: row.briefId, partyId: row.partyId, clock: row.clock, level: row.level },
      ]);
      return row;
    });
  }

  catalog.mount(
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
        'Filters as for GET /v1/escalations; watchers of other parties than the e-commerce team see their own party only.',
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
    async (req, res) => {
      const caller = requireRole(res, 'manager', 'watcher', 'admin');
      const query = parse(StreamEscalationsQuery, req.query, 'query');
      const header = req.get('last-event-id');
      if (header !== undefined && !FEED_ID.test(header.trim())) throw fieldError('headers.last-event-id', 'not an event id from this stream');
      if (!acceptsEventStream(req)) throw fieldError('headers.accept', 'this is a Server-Sent Events stream: send Accept: text/event-stream');
      // The header is what EventSource sends on reconnection, so it is newer than a lastEventId in the URL.
      const lastEventId = header?.trim() || query.lastEventId;
      const filter: FeedFilter = {
        ...(query.state ? { kinds: [query.state === 'open' ? 'raised' : 'acknowledged'] } : {}),
        ...(query.briefId ? { briefId: query.briefId } : {}),
        ...(partyScope(caller, query.partyId) ? { partyIds: partyScope(caller, query.partyId) } : {}),
        ...(query.clock ? { clock: query.clock } : {}),
        ...(query.level !== undefined ? { level: query.level } : {}),
        ...(query.since ? { since: new Date(query.since) } : {}),
      };
      const afterId = lastEventId !== undefined ? BigInt(lastEventId) : query.since ? 0n : undefined;
      stream(req, res, feed, afterId, filter);
    },
  );

  return router;
}

/** Holds the response open and writes the feed's events to it until either side ends it. */
function stream(req: Request, res: Response, feed: EscalationFeed, afterId: bigint | undefined, filter: FeedFilter): void {
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
    if (!ended) res.write(text);
  };
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    subscription?.close();
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  res.on('close', end);
  feed
    .open({
      afterId,
      filter,
      // Silence would look like "nothing happened since"; the client learns its id means nothing here.
      onUnknownAfterId: () => write(`: unknown Last-Event-ID ${afterId}; streaming from now\n\n`),
      send: (event) => write(sseEvent(event)),
      onClose: end,
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
