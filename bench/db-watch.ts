// When the bench can read the database itself (external mode), it notes when each escalation's
// feed row becomes visible: the instant it reached the database, without the API in between.
import pg from 'pg';
import { sleep } from './pool';

const POLL_MS = 50;

export interface FeedWatch {
  /** Brief id -> when its first matching `raised` row was seen (epoch ms). */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

export async function watchEscalationFeed(databaseUrl: string, filter: { partyId: string; clock: string; level: number }): Promise<FeedWatch> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const seen = new Map<string, number>();
  // Feed ids become visible in id order (the product appends under a lock), so "id > last" misses nothing.
  let last = (await client.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM escalation_feed')).rows[0].id;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ id: string; kind: string; brief_id: string; party_id: string; clock: string; level: number }>(
        'SELECT id::text AS id, kind, brief_id, party_id, clock, level FROM escalation_feed WHERE id > $1::bigint ORDER BY id',
        [last],
      );
      const now = Date.now();
      for (const row of rows) {
        last = row.id;
        if (row.kind === 'raised' && row.party_id === filter.partyId && row.clock === filter.clock && row.level === filter.level && !seen.has(row.brief_id)) {
          seen.set(row.brief_id, now);
        }
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    seen,
    async stop() {
      stopped = true;
      await loop;
      await client.end();
    },
  };
}
