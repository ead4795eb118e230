// Scorecard spans: the scorecard rows of the briefs created in one ISO week or one day of a time
// zone, aggregated per (party, agreement, priority, step) into cells (scorecard_span_briefs,
// scorecard_span_steps). A report reads the cells of its period's spans instead of every step
// of the period: whole weeks where the period holds them, days at its edges.
//
// Spans are made when a report first needs them and refreshed when dirty: statement triggers on
// scorecard_briefs and scorecard_steps mark every span holding a changed brief's creation
// instant (migration 20261128600000_scorecard_spans). A refresh first waits for the writers in
// flight (they hold an advisory lock shared, it takes it exclusively) and marks its spans clean,
// then recomputes their cells in a new transaction: whatever is written after the mark marks
// the span dirty again, so a cell is never left older than the rows it sums.
import type { PrismaClient } from '../../lib/db/database';
import { Prisma } from '../../lib/db/generated/client';

export type SpanKind = 'week' | 'day';

export interface Span {
  span: SpanKind;
  /** The span's first day (YYYY-MM-DD) in the zone. */
  start: string;
  /** The Monday (YYYY-MM-DD) of the ISO week the span lies in. */
  week: string;
}

/** The lock the triggers take shared and a refresh exclusively (see the migration). */
const WRITERS_LOCK = 7245117;
const DAY_MS = 86_400_000;
/** Spans nobody read for this long are dropped (with their cells), at most once an hour per process. */
const UNREAD_TTL = '30 days';
const PRUNE_EVERY_MS = 3_600_000;

const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The Monday (YYYY-MM-DD) of the ISO week `day` falls in. */
export function mondayOf(day: string): string {
  const ms = dayMs(day);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  return toDay(ms - weekday * DAY_MS);
}

/** The ISO week label (YYYY-Www) of the week starting on `monday`. */
export function isoWeekLabel(monday: string): string {
  const thursday = new Date(dayMs(monday) + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The spans covering the days `from` to `to` (inclusive): each ISO week the period holds whole
 * as one week span, the days of a week it holds in part as day spans. `openEnd`: the period
 * ends after now, so no brief exists yet after its last day and its last week may be read whole.
 */
export function planSpans(from: string, to: string, openEnd: boolean): Span[] {
  const spans: Span[] = [];
  const last = dayMs(to);
  for (let monday = dayMs(mondayOf(from)); monday <= last; monday += 7 * DAY_MS) {
    const week = toDay(monday);
    const first = Math.max(monday, dayMs(from));
    const sunday = monday + 6 * DAY_MS;
    if (first === monday && (sunday <= last || openEnd)) {
      spans.push({ span: 'week', start: week, week });
      continue;
    }
    for (let day = first; day <= Math.min(sunday, last); day += DAY_MS) spans.push({ span: 'day', start: toDay(day), week });
  }
  return spans;
}

/** `(span, start) IN (...)` over `spans`, for a table aliased `alias`. */
function spansIn(alias: string, spans: readonly Pick<Span, 'span' | 'start'>[]) {
  const rows = spans.map((s) => Prisma.sql`(${s.span}, ${s.start}::date)`);
  return Prisma.sql`(${Prisma.raw(`${alias}.span`)}, ${Prisma.raw(`${alias}.start`)}) IN (${Prisma.join(rows)})`;
}

let lastPrune = 0;

/** Makes the spans that do not exist yet and refreshes those that are dirty. */
export async function freshSpans(prisma: PrismaClient, zone: string, spans: readonly Span[]): Promise<void> {
  if (spans.length === 0) return;
  if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
    lastPrune = Date.now();
    await prisma.$executeRaw`DELETE FROM scorecard_spans WHERE read_at < now() - ${UNREAD_TTL}::interval`;
  }
  await prisma.$executeRaw`
    INSERT INTO scorecard_spans (zone, span, start, start_at, end_at)
    SELECT ${zone}, s.span, s.start,
      (s.start::timestamp AT TIME ZONE ${zone}),
      ((s.start + CASE WHEN s.span = 'week' THEN 7 ELSE 1 END)::timestamp AT TIME ZONE ${zone})
    FROM unnest(${spans.map((s) => s.span)}::text[], ${spans.map((s) => s.start)}::date[]) AS s(span, start)
    ON CONFLICT (zone, span, start) DO UPDATE SET read_at = now()
      WHERE scorecard_spans.read_at < now() - interval '1 day'`;
  const dirty = await prisma.$queryRaw<{ span: SpanKind; start: string }[]>`
    SELECT p.span, to_char(p.start, 'YYYY-MM-DD') AS start FROM scorecard_spans p
    WHERE p.zone = ${zone} AND p.dirty AND ${spansIn('p', spans)}`;
  if (dirty.length === 0) return;
  // Every writer in flight has committed once the lock is ours: the recompute below sees its rows.
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITERS_LOCK}::bigint)`;
    await tx.$executeRaw`UPDATE scorecard_spans p SET dirty = false, refreshed_at = now() WHERE p.zone = ${zone} AND ${spansIn('p', dirty)}`;
  });
  await prisma.$transaction(
    async (tx) => {
      // One refresh per zone at a time; a second one recomputes after the first, from newer rows.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`scorecard spans ${zone}`})::bigint)`;
      await tx.$executeRaw`DELETE FROM scorecard_span_briefs p WHERE p.zone = ${zone} AND ${spansIn('p', dirty)}`;
      await tx.$executeRaw`DELETE FROM scorecard_span_steps p WHERE p.zone = ${zone} AND ${spansIn('p', dirty)}`;
      await tx.$executeRaw`
        WITH b AS (
          SELECT p.span, p.start, s.party_id, s.agreement, s.priority, s.outcome, s.rounds, s.clarifications, s.held_ms
          FROM scorecard_spans p JOIN scorecard_briefs s ON s.created_at >= p.start_at AND s.created_at < p.end_at
          WHERE p.zone = ${zone} AND ${spansIn('p', dirty)}
        ), r AS (
          SELECT span, start, party_id, agreement, priority, jsonb_object_agg(rounds::text, n) AS approved_rounds
          FROM (SELECT span, start, party_id, agreement, priority, rounds, count(*)::int AS n FROM b WHERE outcome = 'approved' GROUP BY 1, 2, 3, 4, 5, 6) counted
          GROUP BY 1, 2, 3, 4, 5
        )
        INSERT INTO scorecard_span_briefs (zone, span, start, party_id, agreement, priority, received, open, approved, declined, cancelled, clarifications, held_briefs, held_ms, approved_rounds)
        SELECT ${zone}, g.span, g.start, g.party_id, g.agreement, g.priority, g.received, g.open, g.approved, g.declined, g.cancelled, g.clarifications, g.held_briefs, g.held_ms,
          coalesce(r.approved_rounds, '{}'::jsonb)
        FROM (
          SELECT span, start, party_id, agreement, priority,
            count(*)::int AS received,
            count(*) FILTER (WHERE outcome = 'open')::int AS open,
            count(*) FILTER (WHERE outcome = 'approved')::int AS approved,
            count(*) FILTER (WHERE outcome = 'declined')::int AS declined,
            count(*) FILTER (WHERE outcome = 'cancelled')::int AS cancelled,
            coalesce(sum(clarifications), 0)::int AS clarifications,
            count(*) FILTER (WHERE held_ms > 0)::int AS held_briefs,
            coalesce(sum(held_ms), 0)::float8 AS held_ms
          FROM b GROUP BY 1, 2, 3, 4, 5
        ) g LEFT JOIN r USING (span, start, party_id, agreement, priority)`;
      await tx.$executeRaw`
        INSERT INTO scorecard_span_steps (zone, span, start, party_id, agreement, priority, step, counted, on_time, done_ms)
        SELECT ${zone}, p.span, p.start, t.party_id, t.agreement, t.priority, t.step,
          count(*) FILTER (WHERE t.state = 'done' OR t.late)::int,
          count(*) FILTER (WHERE t.state = 'done' AND NOT t.late)::int,
          coalesce(string_agg(float8send(t.business_ms), ''::bytea ORDER BY t.business_ms) FILTER (WHERE t.state = 'done' AND t.business_ms IS NOT NULL), ''::bytea)
        FROM scorecard_spans p JOIN scorecard_steps t ON t.brief_created_at >= p.start_at AND t.brief_created_at < p.end_at
        WHERE p.zone = ${zone} AND ${spansIn('p', dirty)}
        GROUP BY p.span, p.start, t.party_id, t.agreement, t.priority, t.step`;
    },
    { timeout: 300_000, maxWait: 60_000 },
  );
}

export interface CellFilter {
  partyIds?: readonly string[];
  agreement?: string;
  priority?: string;
}

function cellConditions(filter: CellFilter) {
  const parties = filter.partyIds;
  return Prisma.join(
    [
      ...(parties ? [parties.length ? Prisma.sql`c.party_id IN (${Prisma.join(parties)})` : Prisma.sql`false`] : []),
      ...(filter.agreement ? [Prisma.sql`c.agreement = ${filter.agreement}`] : []),
      ...(filter.priority ? [Prisma.sql`c.priority = ${filter.priority}`] : []),
      Prisma.sql`true`,
    ],
    ' AND ',
  );
}

/** A week's briefs of one party and agreement, as its spans' cells add up. */
export interface BriefCell {
  /** The Monday (YYYY-MM-DD) of the week. */
  week: string;
  party_id: string;
  agreement: string;
  received: number;
  open: number;
  approved: number;
  declined: number;
  cancelled: number;
  clarifications: number;
  held_briefs: number;
  held_ms: number;
  /** Each cell's approved briefs per number of rounds. */
  approved_rounds: Record<string, number>[];
}

/** A week's steps of one party, agreement and step, as its spans' cells add up. */
export interface StepCell {
  week: string;
  party_id: string;
  agreement: string;
  step: string;
  counted: number;
  on_time: number;
  /** The done steps' business times, each cell's ascending, as base64 of big-endian float8s. */
  done_ms: string;
}

/**
 * The cells of `spans` (fresh ones: see freshSpans) that pass `filter`, added up per week of
 * the period: a few thousand rows for a year of a busy shop, the business times as base64
 * (PGlite hands text over much faster than bytea).
 */
export async function readCells(prisma: PrismaClient, zone: string, spans: readonly Span[], filter: CellFilter) {
  if (spans.length === 0) return { briefs: [] as BriefCell[], steps: [] as StepCell[] };
  const [briefs, steps] = await Promise.all([
    prisma.$queryRaw<BriefCell[]>`
      SELECT to_char(date_trunc('week', c.start), 'YYYY-MM-DD') AS week, c.party_id, c.agreement,
        sum(c.received)::int AS received, sum(c.open)::int AS open, sum(c.approved)::int AS approved, sum(c.declined)::int AS declined,
        sum(c.cancelled)::int AS cancelled, sum(c.clarifications)::int AS clarifications, sum(c.held_briefs)::int AS held_briefs,
        sum(c.held_ms)::float8 AS held_ms, jsonb_agg(c.approved_rounds) AS approved_rounds
      FROM scorecard_span_briefs c WHERE c.zone = ${zone} AND ${spansIn('c', spans)} AND ${cellConditions(filter)}
      GROUP BY 1, 2, 3`,
    prisma.$queryRaw<StepCell[]>`
      SELECT to_char(date_trunc('week', c.start), 'YYYY-MM-DD') AS week, c.party_id, c.agreement, c.step,
        sum(c.counted)::int AS counted, sum(c.on_time)::int AS on_time, encode(string_agg(c.done_ms, ''::bytea), 'base64') AS done_ms
      FROM scorecard_span_steps c WHERE c.zone = ${zone} AND ${spansIn('c', spans)} AND ${cellConditions(filter)}
      GROUP BY 1, 2, 3, 4`,
  ]);
  return { briefs, steps };
}

/** The business times of a step cell (`done_ms`), in the cells' order. */
export function decodeTimes(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  const times = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < times.length; i++) times[i] = bytes.readDoubleBE(i * 8);
  return times;
}
