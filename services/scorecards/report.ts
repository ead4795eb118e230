// The scorecard reports: figures per party and agreement over the briefs created in a period,
// and per ISO week of creation, added up from the cells of the period's scorecard spans (see
// ./spans.ts; each a week or a day of scorecard_briefs and scorecard_steps, aggregated in SQL)
// and the escalations; and the briefs behind each figure. The API and the monthly email read them.
//
// A step counts when it is done, or when its clock breached while it was still open (or before
// the brief was declined or cancelled): a breach is not on time whether or not the step ended.
// Times are business time of the brief's calendar, medians and 90th percentiles interpolated
// (as percentile_cont does) over the steps done: exact, since the cells keep every done step's time.
import type { PrismaClient } from '../../lib/db/database';
import { Prisma } from '../../lib/db/generated/client';
import type { Agreement } from '../../workflows/domain/policy';
import type { Priority } from '../../workflows/domain/vocabulary';
import type { Outcome } from './facts';
import { decodeTimes, freshSpans, isoWeekLabel, planSpans, readCells, type BriefCell, type StepCell } from './spans';

export interface ReportQuery {
  /** First and last day (YYYY-MM-DD, inclusive) of the briefs' creation, in `timezone`. */
  from: string;
  to: string;
  timezone: string;
  /** Only these parties' scorecards (the caller's visibility, a filter); all parties when unset. */
  partyIds?: readonly string[];
  agreement?: Agreement;
  priority?: Priority;
  /** Only the briefs of this program: read from the scorecard rows themselves, not the spans (a program has few briefs). */
  programId?: string;
}

export interface StepFigures {
  side: 'party' | 'ecommerce';
  counted: number;
  onTime: number;
  onTimePercent: number | null;
  done: number;
  medianMs: number | null;
  p90Ms: number | null;
  histogram: { upToMs: number | null; count: number }[];
}

export interface Figures {
  briefs: { received: number; open: number; approved: number; declined: number; cancelled: number };
  acknowledge: StepFigures;
  deliver: StepFigures;
  review: StepFigures;
  rounds: { approvedBriefs: number; mean: number | null; distribution: { rounds: number; briefs: number }[] };
  clarifications: { count: number; perBrief: number | null; answered: number; answerMedianMs: number | null };
  escalations: { total: number; acknowledged: number; byLevel: { level: number; count: number; acknowledged: number }[] };
  held: { briefs: number; totalMs: number };
}

export interface Scorecard {
  partyId: string;
  partyName: string;
  partyKind: string;
  agreement: Agreement;
  figures: Figures;
  weeks: { week: string; start: string; figures: Figures }[];
}

export interface ScorecardReport {
  from: string;
  to: string;
  timezone: string;
  scorecards: Scorecard[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Upper edges (inclusive) of the histogram's buckets; the last bucket (null) holds the longer steps. */
export const HISTOGRAM_EDGES_MS = [15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 24 * HOUR, 40 * HOUR] as const;

const TIMED_STEPS = ['acknowledge', 'deliver', 'review'] as const;
type TimedStep = (typeof TIMED_STEPS)[number];
const SIDE: Record<TimedStep, StepFigures['side']> = { acknowledge: 'party', deliver: 'party', review: 'ecommerce' };

/** The instants the period starts and ends (exclusive) at, as SQL expressions. */
function periodBounds(query: Pick<ReportQuery, 'from' | 'to' | 'timezone'>) {
  return {
    start: Prisma.sql`(${query.from}::date::timestamp AT TIME ZONE ${query.timezone})`,
    end: Prisma.sql`((${query.to}::date + 1)::timestamp AT TIME ZONE ${query.timezone})`,
  };
}

/** The conditions on a table with party_id, agreement, priority and the brief's creation instant in `createdAt`. */
function briefConditions(query: ReportQuery, table: string, createdAt: string) {
  const column = (name: string) => Prisma.raw(`${table}.${name}`);
  const { start, end } = periodBounds(query);
  const parties = query.partyIds;
  return Prisma.join(
    [
      Prisma.sql`${column(createdAt)} >= ${start}`,
      Prisma.sql`${column(createdAt)} < ${end}`,
      ...(parties ? [parties.length ? Prisma.sql`${column('party_id')} IN (${Prisma.join(parties)})` : Prisma.sql`false`] : []),
      ...(query.agreement ? [Prisma.sql`${column('agreement')} = ${query.agreement}`] : []),
      ...(query.priority ? [Prisma.sql`${column('priority')} = ${query.priority}`] : []),
      ...(query.programId ? [Prisma.sql`${column('program_id')} = ${query.programId}`] : []),
    ],
    ' AND ',
  );
}

/**
 * The week of the period a brief was created in, as the number of the period's week (1: the ISO
 * week `from` falls in). Bucketed by the instants the weeks start at in the report's time zone,
 * so no row has to be converted to local time.
 */
function weekNumber(query: Pick<ReportQuery, 'from' | 'to' | 'timezone'>, column: string) {
  const mondays = Prisma.sql`(SELECT array_agg(d AT TIME ZONE ${query.timezone} ORDER BY d)
    FROM generate_series(date_trunc('week', ${query.from}::date::timestamp), ${query.to}::date::timestamp, interval '1 week') d)`;
  return Prisma.sql`width_bucket(${Prisma.raw(column)}, ${mondays})`;
}

/** The Monday (YYYY-MM-DD) and ISO week (YYYY-Www) of the period's week number `column`. */
function weekLabels(query: Pick<ReportQuery, 'from'>, column: string) {
  const monday = Prisma.sql`(date_trunc('week', ${query.from}::date::timestamp) + (${Prisma.raw(column)} - 1) * interval '1 week')`;
  return Prisma.sql`to_char(${monday}, 'YYYY-MM-DD') AS week_start, to_char(${monday}, 'IYYY-"W"IW') AS week`;
}

interface EscalationGroupRow {
  party_id: string;
  agreement: Agreement;
  level: number;
  week_start: string | null;
  count: number;
  acknowledged: number;
}

function escalationGroups(prisma: PrismaClient, query: ReportQuery) {
  return prisma.$queryRaw<EscalationGroupRow[]>`
    WITH e AS (
      SELECT s.party_id, s.agreement, x.level, x.state, ${weekNumber(query, 's.created_at')} AS week_number
      FROM escalations x JOIN scorecard_briefs s ON s.brief_id = x.brief_id
      WHERE ${briefConditions(query, 's', 'created_at')}
    )
    SELECT party_id, agreement, level, ${weekLabels(query, 'week_number')},
      count(*)::int AS count,
      count(*) FILTER (WHERE state = 'acknowledged')::int AS acknowledged
    FROM e
    GROUP BY GROUPING SETS ((party_id, agreement, level), (party_id, agreement, level, week_number))`;
}

function emptySteps(side: StepFigures['side']): StepFigures {
  return {
    side,
    counted: 0,
    onTime: 0,
    onTimePercent: null,
    done: 0,
    medianMs: null,
    p90Ms: null,
    histogram: [...HISTOGRAM_EDGES_MS, null].map((upToMs) => ({ upToMs, count: 0 })),
  };
}

/** 100 × part / whole to one decimal; null for an empty whole. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((1000 * part) / whole) / 10;
}

/**
 * The `q` quantile of ascending `sorted`, interpolated between the two nearest ranks as
 * PostgreSQL's percentile_cont does (same arithmetic, same result).
 */
export function percentileCont(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const position = q * (sorted.length - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  if (second === first) return sorted[first];
  return sorted[first] + (sorted[second] - sorted[first]) * (position - first);
}

/** The histogram of ascending business times: each bucket up to its edge (inclusive). */
function histogramOf(sorted: Float64Array): StepFigures['histogram'] {
  const counts = new Array<number>(HISTOGRAM_EDGES_MS.length + 1).fill(0);
  let bucket = 0;
  for (const ms of sorted) {
    while (bucket < HISTOGRAM_EDGES_MS.length && ms > HISTOGRAM_EDGES_MS[bucket]) bucket++;
    counts[bucket]++;
  }
  return [...HISTOGRAM_EDGES_MS, null].map((upToMs, i) => ({ upToMs, count: counts[i] }));
}

/** What the cells of one group and step add up to, before the figures are worked out. */
class StepTotals {
  counted = 0;
  onTime = 0;
  private parts: Float64Array[] = [];

  add(cell: StepCell, times: Float64Array) {
    this.counted += cell.counted;
    this.onTime += cell.on_time;
    if (times.length) this.parts.push(times);
  }

  /** Every done step's business time, ascending. */
  sorted(): Float64Array {
    const all = new Float64Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of this.parts) {
      all.set(part, at);
      at += part.length;
    }
    return all.sort();
  }
}

/** One group's (a party and agreement, over the period or one week) totals, as the cells add up. */
class GroupTotals {
  briefs = { received: 0, open: 0, approved: 0, declined: 0, cancelled: 0 };
  clarifications = 0;
  held = { briefs: 0, totalMs: 0 };
  roundsSum = 0;
  rounds = new Map<number, number>();
  steps = new Map<string, StepTotals>();

  addBriefs(cell: BriefCell) {
    for (const key of ['received', 'open', 'approved', 'declined', 'cancelled'] as const) this.briefs[key] += cell[key];
    this.clarifications += cell.clarifications;
    this.held.briefs += cell.held_briefs;
    this.held.totalMs += cell.held_ms;
    for (const [rounds, count] of cell.approved_rounds.flatMap((counts) => Object.entries(counts))) {
      this.rounds.set(Number(rounds), (this.rounds.get(Number(rounds)) ?? 0) + count);
      this.roundsSum += Number(rounds) * count;
    }
  }

  addSteps(cell: StepCell, times: Float64Array) {
    let totals = this.steps.get(cell.step);
    if (!totals) this.steps.set(cell.step, (totals = new StepTotals()));
    totals.add(cell, times);
  }

  figures(): Figures {
    const { received } = this.briefs;
    const figures: Figures = {
      briefs: { ...this.briefs },
      acknowledge: emptySteps('party'),
      deliver: emptySteps('party'),
      review: emptySteps('ecommerce'),
      rounds: {
        approvedBriefs: this.briefs.approved,
        mean: this.briefs.approved ? this.roundsSum / this.briefs.approved : null,
        distribution: [...this.rounds].map(([rounds, briefs]) => ({ rounds, briefs })).sort((a, b) => a.rounds - b.rounds),
      },
      clarifications: { count: this.clarifications, perBrief: received ? this.clarifications / received : null, answered: 0, answerMedianMs: null },
      escalations: { total: 0, acknowledged: 0, byLevel: [] },
      held: { ...this.held },
    };
    for (const [step, totals] of this.steps) {
      const sorted = totals.sorted();
      if (step === 'answer') {
        figures.clarifications.answered = sorted.length;
        figures.clarifications.answerMedianMs = percentileCont(sorted, 0.5);
      } else if ((TIMED_STEPS as readonly string[]).includes(step)) {
        const timed = step as TimedStep;
        figures[timed] = {
          side: SIDE[timed],
          counted: totals.counted,
          onTime: totals.onTime,
          onTimePercent: percent(totals.onTime, totals.counted),
          done: sorted.length,
          medianMs: percentileCont(sorted, 0.5),
          p90Ms: percentileCont(sorted, 0.9),
          histogram: histogramOf(sorted),
        };
      }
    }
    return figures;
  }
}

/** Today (YYYY-MM-DD) in `timezone`. */
function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const groupKey = (partyId: string, agreement: string, weekStart: string | null) => `${partyId}\u0000${agreement}\u0000${weekStart ?? ''}`;

/**
 * The cells of one program's briefs created in the period, per week, party and agreement, summed
 * from the scorecard rows as a span's cells are (see freshSpans): a program's few hundred briefs
 * at most need no spans.
 */
async function programCells(prisma: PrismaClient, query: ReportQuery): Promise<{ briefs: BriefCell[]; steps: StepCell[] }> {
  const weekOf = (column: string) => Prisma.sql`to_char(date_trunc('week', ${Prisma.raw(column)} AT TIME ZONE ${query.timezone}), 'YYYY-MM-DD')`;
  const [briefs, steps] = await Promise.all([
    prisma.$queryRaw<BriefCell[]>`
      SELECT ${weekOf('s.created_at')} AS week, s.party_id, s.agreement,
        count(*)::int AS received,
        count(*) FILTER (WHERE s.outcome = 'open')::int AS open,
        count(*) FILTER (WHERE s.outcome = 'approved')::int AS approved,
        count(*) FILTER (WHERE s.outcome = 'declined')::int AS declined,
        count(*) FILTER (WHERE s.outcome = 'cancelled')::int AS cancelled,
        coalesce(sum(s.clarifications), 0)::int AS clarifications,
        count(*) FILTER (WHERE s.held_ms > 0)::int AS held_briefs,
        coalesce(sum(s.held_ms), 0)::float8 AS held_ms,
        coalesce(jsonb_agg(jsonb_build_object(s.rounds::text, 1)) FILTER (WHERE s.outcome = 'approved'), '[]'::jsonb) AS approved_rounds
      FROM scorecard_briefs s WHERE ${briefConditions(query, 's', 'created_at')}
      GROUP BY 1, 2, 3`,
    prisma.$queryRaw<StepCell[]>`
      SELECT ${weekOf('s.created_at')} AS week, t.party_id, t.agreement, t.step,
        count(*) FILTER (WHERE t.state = 'done' OR t.late)::int AS counted,
        count(*) FILTER (WHERE t.state = 'done' AND NOT t.late)::int AS on_time,
        encode(coalesce(string_agg(float8send(t.business_ms), ''::bytea ORDER BY t.business_ms) FILTER (WHERE t.state = 'done' AND t.business_ms IS NOT NULL), ''::bytea), 'base64') AS done_ms
      FROM scorecard_steps t JOIN scorecard_briefs s ON s.brief_id = t.brief_id
      WHERE ${briefConditions(query, 's', 'created_at')}
      GROUP BY 1, 2, 3, 4`,
  ]);
  return { briefs, steps };
}

/**
 * The scorecards of the briefs created in the period: the cells of the period's spans (made or
 * refreshed first where needed) added up per party and agreement and per week, with the
 * escalations counted from their table.
 */
export async function scorecardReport(prisma: PrismaClient, query: ReportQuery): Promise<ScorecardReport> {
  const cellsOf = async () => {
    if (query.programId !== undefined) return programCells(prisma, query);
    const spans = planSpans(query.from, query.to, query.to >= todayIn(query.timezone));
    await freshSpans(prisma, query.timezone, spans);
    return readCells(prisma, query.timezone, spans, query);
  };
  const [cells, escalationRows, parties] = await Promise.all([
    cellsOf(),
    escalationGroups(prisma, query),
    prisma.party.findMany({ select: { id: true, name: true, kind: true } }),
  ]);
  const groups = new Map<string, GroupTotals>();
  const cardKeys = new Map<string, { partyId: string; agreement: Agreement; weeks: Set<string> }>();
  const totalsOf = (partyId: string, agreement: string, week: string | null) => {
    const key = groupKey(partyId, agreement, week);
    let totals = groups.get(key);
    if (!totals) groups.set(key, (totals = new GroupTotals()));
    return totals;
  };
  for (const cell of cells.briefs) {
    const { week } = cell;
    totalsOf(cell.party_id, cell.agreement, null).addBriefs(cell);
    totalsOf(cell.party_id, cell.agreement, week).addBriefs(cell);
    const cardKey = groupKey(cell.party_id, cell.agreement, null);
    const card = cardKeys.get(cardKey) ?? { partyId: cell.party_id, agreement: cell.agreement as Agreement, weeks: new Set<string>() };
    card.weeks.add(week);
    cardKeys.set(cardKey, card);
  }
  for (const cell of cells.steps) {
    const { week } = cell;
    const times = decodeTimes(cell.done_ms);
    groups.get(groupKey(cell.party_id, cell.agreement, null))?.addSteps(cell, times);
    groups.get(groupKey(cell.party_id, cell.agreement, week))?.addSteps(cell, times);
  }

  const names = new Map(parties.map((p) => [p.id, p]));
  const figures = new Map<string, Figures>();
  const scorecards: Scorecard[] = [...cardKeys.values()].map(({ partyId, agreement, weeks }) => {
    const party = names.get(partyId);
    const overall = (groups.get(groupKey(partyId, agreement, null)) as GroupTotals).figures();
    figures.set(groupKey(partyId, agreement, null), overall);
    return {
      partyId,
      partyName: party?.name ?? partyId,
      partyKind: party?.kind ?? 'agency',
      agreement,
      figures: overall,
      weeks: [...weeks].sort().map((start) => {
        const shaped = (groups.get(groupKey(partyId, agreement, start)) as GroupTotals).figures();
        figures.set(groupKey(partyId, agreement, start), shaped);
        return { week: isoWeekLabel(start), start, figures: shaped };
      }),
    };
  });
  for (const row of escalationRows) {
    const target = figures.get(groupKey(row.party_id, row.agreement, row.week_start));
    if (!target) continue;
    target.escalations.total += row.count;
    target.escalations.acknowledged += row.acknowledged;
    target.escalations.byLevel.push({ level: row.level, count: row.count, acknowledged: row.acknowledged });
  }
  scorecards.sort(
    (a, b) => a.partyName.localeCompare(b.partyName, 'en') || a.partyId.localeCompare(b.partyId) || (a.agreement === b.agreement ? 0 : a.agreement === 'external' ? -1 : 1),
  );
  for (const card of scorecards) for (const shaped of [card.figures, ...card.weeks.map((w) => w.figures)]) shaped.escalations.byLevel.sort((a, b) => a.level - b.level);
  return { from: query.from, to: query.to, timezone: query.timezone, scorecards };
}

// ---------------------------------------------------------------------------------------------
// The briefs behind the figures.

/** Figures a brief can be traced to (see the report's TRACE_PATTERN). */
export type Trace = `${TimedStep}.${'onTime' | 'late'}` | Outcome | 'clarified' | 'escalated' | 'held' | `rounds.${number}`;

export interface BriefsQuery extends Omit<ReportQuery, 'partyIds'> {
  partyId: string;
  trace?: Trace;
  /** An ISO week (YYYY-Www) of creation, in `timezone`. */
  week?: string;
  /** Page size; every brief when unset. */
  limit?: number;
  /** The position (creation instant, brief id) the page starts after, newest first. */
  after?: { at: Date; id: string };
}

export interface StepSummary {
  steps: number;
  done: number;
  late: number;
  /** Business time of the done steps, summed. */
  businessMs: number;
  open: boolean;
}

export interface ScorecardBriefRow {
  briefId: string;
  title: string;
  status: string;
  priority: Priority;
  agreement: Agreement;
  createdAt: string;
  outcome: Outcome;
  rounds: number;
  clarifications: number;
  heldMs: number;
  acknowledge: StepSummary | null;
  deliver: StepSummary | null;
  review: StepSummary | null;
  answerMedianMs: number | null;
  escalations: { level: number; count: number }[];
  programId: string | null;
}

/** The Monday (YYYY-MM-DD) ISO week `YYYY-Www` starts on; undefined for a week the year does not have (W53). */
export function isoWeekStart(week: string): string | undefined {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) return undefined;
  const year = Number(match[1]);
  const number = Number(match[2]);
  // 4 January is always in week 1.
  const january4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(january4).getUTCDay() + 6) % 7;
  const monday = new Date(january4 - weekday * 86_400_000 + (number - 1) * 7 * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  if (number < 1 || thursday.getUTCFullYear() !== year) return undefined;
  return monday.toISOString().slice(0, 10);
}

function traceCondition(trace: Trace | undefined) {
  if (trace === undefined) return Prisma.empty;
  const stepTrace = /^(acknowledge|deliver|review)\.(onTime|late)$/.exec(trace);
  if (stepTrace) {
    const which = stepTrace[2] === 'onTime' ? Prisma.sql`t.state = 'done' AND NOT t.late` : Prisma.sql`t.late`;
    return Prisma.sql`AND EXISTS (SELECT 1 FROM scorecard_steps t WHERE t.brief_id = s.brief_id AND t.step = ${stepTrace[1]} AND ${which})`;
  }
  const rounds = /^rounds\.(\d+)$/.exec(trace);
  if (rounds) return Prisma.sql`AND s.outcome = 'approved' AND s.rounds = ${Number(rounds[1])}`;
  switch (trace) {
    case 'clarified':
      return Prisma.sql`AND s.clarifications > 0`;
    case 'escalated':
      return Prisma.sql`AND EXISTS (SELECT 1 FROM escalations x WHERE x.brief_id = s.brief_id)`;
    case 'held':
      return Prisma.sql`AND s.held_ms > 0`;
    default:
      return Prisma.sql`AND s.outcome = ${trace}`;
  }
}

interface BriefRow {
  brief_id: string;
  title: string;
  status: string;
  priority: Priority;
  agreement: Agreement;
  created_at: Date;
  outcome: Outcome;
  rounds: number;
  clarifications: number;
  held_ms: number;
  program_id: string | null;
  steps: { step: string; steps: number; done: number; late: number; business_ms: number; open: boolean; median_ms: number | null }[] | null;
  escalations: { level: number; count: number }[] | null;
}

/**
 * The party's briefs created in the period (and `week`) behind `trace`, newest first: a page of
 * `limit` and whether more follow, in one query.
 */
export async function scorecardBriefs(prisma: PrismaClient, query: BriefsQuery): Promise<{ items: ScorecardBriefRow[]; more: boolean }> {
  const weekStart = query.week === undefined ? undefined : isoWeekStart(query.week);
  if (query.week !== undefined && weekStart === undefined) return { items: [], more: false };
  const week = weekStart
    ? Prisma.sql`AND s.created_at >= (${weekStart}::date::timestamp AT TIME ZONE ${query.timezone}) AND s.created_at < ((${weekStart}::date + 7)::timestamp AT TIME ZONE ${query.timezone})`
    : Prisma.empty;
  const after = query.after
    ? Prisma.sql`AND (s.created_at, s.brief_id) < (${query.after.at.toISOString()}::timestamptz, ${query.after.id})`
    : Prisma.empty;
  const limit = query.limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${query.limit + 1}`;
  const rows = await prisma.$queryRaw<BriefRow[]>`
    WITH page AS (
      SELECT s.brief_id, b.title, b.status, s.priority, s.agreement, s.created_at, s.outcome, s.rounds, s.clarifications, s.held_ms, s.program_id
      FROM scorecard_briefs s JOIN briefs b ON b.id = s.brief_id
      WHERE ${briefConditions({ ...query, partyIds: [query.partyId] }, 's', 'created_at')} ${week} ${traceCondition(query.trace)} ${after}
      ORDER BY s.created_at DESC, s.brief_id DESC
      ${limit}
    )
    SELECT page.*,
      (SELECT json_agg(json_build_object('step', step, 'steps', steps, 'done', done, 'late', late, 'business_ms', business_ms, 'open', open, 'median_ms', median_ms))
        FROM (
          SELECT t.step, count(*)::int AS steps,
            count(*) FILTER (WHERE t.state = 'done')::int AS done,
            count(*) FILTER (WHERE t.late)::int AS late,
            coalesce(sum(t.business_ms) FILTER (WHERE t.state = 'done'), 0)::float8 AS business_ms,
            bool_or(t.state = 'open') AS open,
            (percentile_cont(0.5) WITHIN GROUP (ORDER BY t.business_ms) FILTER (WHERE t.state = 'done'))::float8 AS median_ms
          FROM scorecard_steps t WHERE t.brief_id = page.brief_id
          GROUP BY t.step
        ) steps) AS steps,
      (SELECT json_agg(json_build_object('level', level, 'count', count) ORDER BY level)
        FROM (SELECT x.level, count(*)::int AS count FROM escalations x WHERE x.brief_id = page.brief_id GROUP BY x.level) levels) AS escalations
    FROM page
    ORDER BY page.created_at DESC, page.brief_id DESC`;
  const more = query.limit !== undefined && rows.length > query.limit;
  const items = (more ? rows.slice(0, query.limit) : rows).map((row): ScorecardBriefRow => {
    const summary = (step: string): StepSummary | null => {
      const found = row.steps?.find((s) => s.step === step);
      return found ? { steps: found.steps, done: found.done, late: found.late, businessMs: found.business_ms, open: found.open } : null;
    };
    return {
      briefId: row.brief_id,
      title: row.title,
      status: row.status,
      priority: row.priority,
      agreement: row.agreement,
      createdAt: new Date(row.created_at).toISOString(),
      outcome: row.outcome,
      rounds: row.rounds,
      clarifications: row.clarifications,
      heldMs: row.held_ms,
      acknowledge: summary('acknowledge'),
      deliver: summary('deliver'),
      review: summary('review'),
      answerMedianMs: row.steps?.find((s) => s.step === 'answer')?.median_ms ?? null,
      escalations: row.escalations ?? [],
      programId: row.program_id,
    };
  });
  return { items, more };
}
