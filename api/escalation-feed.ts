// The live escalation feed: one hub per API process reads new rows of escalation_feed while
// anyone listens and fans them out to the open streams. Reading the table (rather than an
// in-process event) makes every replica see what any replica or worker wrote, and works the same
// on PostgreSQL and PGlite. Feed ids become visible in id order (see appendEscalationFeed), so
// "id > last seen" never skips a row.
import type { PrismaClient } from '../lib/db/database';
import type { Escalation, Prisma } from '../lib/db/generated/client';
import type { Logger } from '../lib/logger';

export type FeedKind = 'raised' | 'acknowledged';

/** One feed row with the escalation as it is now. */
export interface FeedEvent {
  id: bigint;
  kind: FeedKind;
  at: Date;
  escalation: Escalation;
}

/** What a stream asks for; the caller's visibility is folded into partyIds. */
export interface FeedFilter {
  kinds?: FeedKind[];
  briefId?: string;
  programId?: string;
  /** Every condition must hold: the caller's own party and a requested one may both be given. */
  partyIds?: string[];
  clock?: string;
  level?: number;
  since?: Date;
}

export interface FeedStreamOptions {
  /** Deliver every matching event with an id above this one first; undefined starts at the newest. */
  afterId?: bigint;
  /**
   * Called before any event when `afterId` is newer than the newest event in the feed (an id from
   * another installation, or from a database that was reset): the stream then starts now.
   */
  onUnknownAfterId?(): void;
  filter: FeedFilter;
  send(event: FeedEvent): void;
  /** Called once when the hub closes the stream (server shutdown). */
  onClose(): void;
}

export interface FeedStream {
  close(): void;
}

interface Subscriber {
  deliver(events: FeedEvent[]): void;
  onClose(): void;
}

export const POLL_INTERVAL_MS = 200;
const PAGE_SIZE = 500;

export class EscalationFeed {
  private readonly subscribers = new Set<Subscriber>();
  /** The id of the newest row handed out; undefined while the hub is idle. */
  private lastId: bigint | undefined;
  /** Bumped whenever polling stops, so a read still in flight from before does not carry on. */
  private generation = 0;
  private priming: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: { prisma: PrismaClient; logger: Logger; pollIntervalMs?: number }) {}

  /**
   * Opens a stream: events with ids above `afterId` first, then live ones, each id once and in
   * order. The subscription starts before the backfill and buffers, so a row committed while the
   * backfill runs arrives either in it or live; duplicates are dropped by id.
   */
  async open(options: FeedStreamOptions): Promise<FeedStream> {
    const { filter, send } = options;
    let sentUpTo = options.afterId;
    let live = false;
    const buffered: FeedEvent[] = [];
    const emit = (events: FeedEvent[]) => {
      for (const event of events) {
        if (sentUpTo !== undefined && event.id <= sentUpTo) continue;
        sentUpTo = event.id;
        if (matches(event, filter)) send(event);
      }
    };
    const subscriber: Subscriber = {
      deliver: (events) => (live ? emit(events) : buffered.push(...events)),
      onClose: options.onClose,
    };
    const stream: FeedStream = { close: () => this.unsubscribe(subscriber) };
    if (this.closed) {
      options.onClose();
      return stream;
    }
    this.subscribers.add(subscriber);
    try {
      await this.prime();
      const newest = sentUpTo === undefined ? undefined : await this.newestBefore(sentUpTo);
      if (newest !== undefined) {
        // Now, exactly: after the newest row committed (the hub may not have read it yet).
        options.onUnknownAfterId?.();
        sentUpTo = newest;
      }
      // Without a starting point the stream begins now: after the newest row committed (the hub,
      // polling every 200 ms, may not have read it yet, and must not hand it out as live).
      sentUpTo ??= await this.newestId();
      for (;;) {
        const page = await this.read(sentUpTo, filter);
        emit(page.events);
        // Advanced past rows the filter left out too, so the next page starts after them.
        if (page.lastId !== undefined && (sentUpTo === undefined || page.lastId > sentUpTo)) sentUpTo = page.lastId;
        if (!page.more) break;
      }
      live = true;
      emit(buffered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
      buffered.length = 0;
    } catch (err) {
      this.unsubscribe(subscriber);
      throw err;
    }
    return stream;
  }

  /** Ends every stream and stops reading; for server shutdown. */
  close(): void {
    this.closed = true;
    this.stopPolling();
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) subscriber.onClose();
  }

  /** How many streams are open (for tests and logs). */
  get size(): number {
    return this.subscribers.size;
  }

  private unsubscribe(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stopPolling();
  }

  /** The newest row's id when `id` is beyond it (an id the feed never had); undefined when the feed has reached `id`. */
  private async newestBefore(id: bigint): Promise<bigint | undefined> {
    if (this.lastId !== undefined && id <= this.lastId) return undefined;
    const newest = await this.newestId();
    return id > newest ? newest : undefined;
  }

  /** The id of the newest row committed, 0 for an empty feed. */
  private async newestId(): Promise<bigint> {
    return (await this.deps.prisma.escalationFeedEntry.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;
  }

  /** Starts polling from the newest row, once, when the first subscriber arrives. */
  private prime(): Promise<void> {
    if (this.lastId !== undefined) return Promise.resolve();
    this.priming ??= (async () => {
      try {
        const newest = await this.deps.prisma.escalationFeedEntry.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
        if (this.subscribers.size === 0 || this.closed) return;
        this.lastId = newest?.id ?? 0n;
        this.schedule(this.generation);
      } finally {
        this.priming = undefined;
      }
    })();
    return this.priming;
  }

  private schedule(generation: number): void {
    this.timer = setTimeout(() => void this.poll(generation), this.deps.pollIntervalMs ?? POLL_INTERVAL_MS);
  }

  private stopPolling(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastId = undefined;
    this.generation += 1;
  }

  private async poll(generation: number): Promise<void> {
    try {
      for (;;) {
        const page = await this.read(this.lastId, {});
        // Stopped (no subscribers, shutdown) while reading: a later start primes afresh.
        if (generation !== this.generation) return;
        if (page.lastId !== undefined) this.lastId = page.lastId;
        if (page.events.length) for (const subscriber of this.subscribers) subscriber.deliver(page.events);
        if (!page.more) break;
      }
    } catch (err) {
      // The database may be briefly away; the next poll starts where this one failed.
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reading the escalation feed failed');
    }
    if (generation === this.generation) this.schedule(generation);
  }

  /** One page of feed rows after `afterId` in id order, with their escalations, and the last id it read. */
  private async read(afterId: bigint | undefined, filter: FeedFilter): Promise<{ events: FeedEvent[]; lastId: bigint | undefined; more: boolean }> {
    const where: Prisma.EscalationFeedEntryWhereInput = {
      ...(afterId !== undefined ? { id: { gt: afterId } } : {}),
      ...(filter.kinds ? { kind: { in: filter.kinds } } : {}),
      ...(filter.briefId ? { briefId: filter.briefId } : {}),
      ...(filter.programId ? { programId: filter.programId } : {}),
      ...(filter.partyIds ? { AND: filter.partyIds.map((partyId) => ({ partyId })) } : {}),
      ...(filter.clock ? { clock: filter.clock } : {}),
      ...(filter.level !== undefined ? { level: filter.level } : {}),
      ...(filter.since ? { at: { gte: filter.since } } : {}),
    };
    const rows = await this.deps.prisma.escalationFeedEntry.findMany({ where, orderBy: { id: 'asc' }, take: PAGE_SIZE });
    if (rows.length === 0) return { events: [], lastId: undefined, more: false };
    const escalations = await this.deps.prisma.escalation.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.escalationId))] } } });
    const byId = new Map(escalations.map((e) => [e.id, e]));
    const events = rows.flatMap((row) => {
      const escalation = byId.get(row.escalationId);
      return escalation ? [{ id: row.id, kind: row.kind as FeedKind, at: row.at, escalation }] : [];
    });
    return { events, lastId: rows[rows.length - 1].id, more: rows.length === PAGE_SIZE };
  }
}

function matches(event: FeedEvent, filter: FeedFilter): boolean {
  const e = event.escalation;
  return (
    (!filter.kinds || filter.kinds.includes(event.kind)) &&
    (!filter.briefId || e.briefId === filter.briefId) &&
    (!filter.programId || e.programId === filter.programId) &&
    (!filter.partyIds || filter.partyIds.every((partyId) => e.partyId === partyId)) &&
    (!filter.clock || e.clock === filter.clock) &&
    (filter.level === undefined || e.level === filter.level) &&
    (!filter.since || event.at >= filter.since)
  );
}
