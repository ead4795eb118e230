// A store for express-rate-limit kept in the database the stack already has (PostgreSQL, or
// PGlite embedded), so every API replica counts against the same limits. One row per key holds
// the current window, which starts at the key's first request and lasts the limiter's windowMs,
// timed by the database's clock (replicas' clocks do not matter). A request counts with one
// atomic upsert; rows of ended windows are deleted now and then.
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { PrismaClient } from './db/database';

interface CounterRow {
  hits: number;
  ms_left: number;
}

export class DatabaseRateLimitStore implements Store {
  /** Keys are counted in the database, so every process shares them. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private lastSweep = 0;

  /**
   * @param prefix separates the limiters' keys (an address limit and a link limit may count the
   * same address separately).
   */
  constructor(
    private readonly prisma: PrismaClient,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    this.sweep();
    const rows = await this.prisma.$queryRaw<CounterRow[]>`
      INSERT INTO rate_limit_counters AS c (key, window_start, hits, expires_at)
      VALUES (${this.prefix + key}, now(), 1, now() + ${this.windowMs}::int * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN c.expires_at <= now() THEN 1 ELSE c.hits + 1 END,
        window_start = CASE WHEN c.expires_at <= now() THEN now() ELSE c.window_start END,
        expires_at = CASE WHEN c.expires_at <= now() THEN EXCLUDED.expires_at ELSE c.expires_at END
      RETURNING hits, (extract(epoch FROM (expires_at - now())) * 1000)::float8 AS ms_left`;
    return toResponse(rows[0]);
  }

  async get(key: string): Promise<IncrementResponse | undefined> {
    const rows = await this.prisma.$queryRaw<CounterRow[]>`
      SELECT hits, (extract(epoch FROM (expires_at - now())) * 1000)::float8 AS ms_left
      FROM rate_limit_counters WHERE key = ${this.prefix + key} AND expires_at > now()`;
    return rows[0] ? toResponse(rows[0]) : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE rate_limit_counters SET hits = GREATEST(hits - 1, 0) WHERE key = ${this.prefix + key} AND expires_at > now()`;
  }

  async resetKey(key: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM rate_limit_counters WHERE key = ${this.prefix + key}`;
  }

  /** Deletes ended windows, at most once per window per store, without holding up the request. */
  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    this.prisma.$executeRaw`DELETE FROM rate_limit_counters WHERE expires_at < now() - interval '1 minute'`.catch(() => {
      // The next sweep tries again; a counter left behind is only a row.
    });
  }
}

function toResponse(row: CounterRow): IncrementResponse {
  return { totalHits: Number(row.hits), resetTime: new Date(Date.now() + Math.max(0, Number(row.ms_left))) };
}
