// Twelve weeks of scorecard history written straight into the database: N briefs in the read
// model (`briefs`) with their scorecard rows (`scorecard_briefs`, `scorecard_steps`) and the
// escalations of a few of them, in a handful of set-based statements (INSERT ... SELECT over
// generate_series), never a round trip per row. No workflow stands behind these briefs: they are
// what the reports read, nothing more.
//
// Every attribute of brief i is drawn from a hash of (i, attribute), so two runs of the same N
// write the same history (relative to the time they run) and their figures compare. The shape:
// parties of very different sizes and speeds, mostly P3, most briefs approved on the first or
// second delivery, young ones still open, one in four with a question, a few held; business times
// spread log-normally around each step's median, late when past the priority's target; about one
// brief in twenty escalated.
import type { SqlExecutor } from '../prisma/migrate';
import { briefWorkflowId } from '../workflows/domain/ids';
import { FACTS_VERSION } from '../services/scorecards/facts';

export interface ScorecardDataSpec {
  briefs: number;
  /** The parties the briefs go to, busiest first, with the agreement most of their briefs run under. */
  parties: { id: string; agreement: 'external' | 'internal' }[];
  /** The manager the briefs were created by. */
  managerId: string;
}

export interface ScorecardDataResult {
  /** Rows written per table. */
  rows: { briefs: number; scorecardBriefs: number; scorecardSteps: number; escalations: number };
  /** Milliseconds per phase: drawing the briefs and steps, each table's insert, ANALYZE. */
  phasesMs: Record<string, number>;
  totalMs: number;
}

const HOUR_MS = 3_600_000;

/** Per priority: the acknowledge, deliver and review targets in business hours. */
const TARGET_HOURS = {
  P1: { acknowledge: 1, deliver: 8, review: 4 },
  P2: { acknowledge: 4, deliver: 24, review: 8 },
  P3: { acknowledge: 8, deliver: 40, review: 8 },
  P4: { acknowledge: 16, deliver: 80, review: 16 },
} as const;

const TITLES = [
  'Autumn collection product data',
  'Landing page hero banner',
  'Newsletter teaser images',
  'Marketplace listing update',
  'Size charts for outdoor jackets',
  'Checkout shipping banner',
  'Category page SEO copy',
  'Returns label template',
];

/** `pg_temp.bench_uniform(i, salt)`: a number in [0, 1) that depends only on (i, salt). */
const UNIFORM = `
  CREATE FUNCTION pg_temp.bench_uniform(i bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT (hashint8(i * 1009 + salt)::bigint + 2147483648)::float8 / 4294967296 $$;
  -- A log-normal business time: the median times exp(sigma * z), z standard normal (Box-Muller).
  CREATE FUNCTION pg_temp.bench_duration(i bigint, salt int, median_ms float8, sigma float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT median_ms * exp(sigma * sqrt(-2 * ln(1 - pg_temp.bench_uniform(i, salt))) * cos(2 * pi() * pg_temp.bench_uniform(i, salt + 500))) $$;`;

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function targetCase(step: 'acknowledge' | 'deliver' | 'review', priority: string): string {
  const arms = Object.entries(TARGET_HOURS).map(([p, t]) => `WHEN '${p}' THEN ${t[step] * HOUR_MS}`);
  return `(CASE ${priority} ${arms.join(' ')} END)::float8`;
}

/**
 * The statements, in order. bench_brief holds each brief's draw; bench_step every step of every
 * brief (step code 1 acknowledge, 2 deliver, 3 review, 4 answer).
 */
function statements(spec: ScorecardDataSpec): [phase: string, sql: string][] {
  const u = (salt: number | string) => `pg_temp.bench_uniform(g.i, ${salt})`;
  const parties = spec.parties.map((p, index) => `(${index}, ${quote(p.id)}, ${quote(p.agreement)})`).join(', ');
  const titles = `ARRAY[${TITLES.map(quote).join(', ')}]`;
  return [
    ['functions', UNIFORM],
    [
      'draw briefs',
      `CREATE TEMP TABLE bench_party (idx int PRIMARY KEY, id text NOT NULL, agreement text NOT NULL);
       INSERT INTO bench_party VALUES ${parties};
       CREATE TEMP TABLE bench_brief AS
       WITH g AS (
         SELECT i,
           -- Busy parties first: the first party takes about a fifth of the briefs, the last a few dozen in 100,000.
           floor(power(${u(1)}, 2.2) * ${spec.parties.length})::int AS party_idx,
           ${u(2)} * 82 AS age_days,
           ${u(3)} AS u_priority, ${u(4)} AS u_outcome, ${u(5)} AS u_rounds, ${u(6)} AS u_questions,
           ${u(7)} AS u_held, ${u(8)} AS u_agreement, ${u(9)} AS u_stage
         FROM generate_series(1, ${spec.briefs}) AS g(i)
       ), drawn AS (
         SELECT g.*, p.id AS party_id,
           CASE WHEN u_agreement < 0.04 THEN (CASE p.agreement WHEN 'external' THEN 'internal' ELSE 'external' END) ELSE p.agreement END AS agreement,
           -- Slow and fast parties: their steps take 0.6 to 1.8 times the median.
           0.6 + (party_idx % 5) * 0.3 AS pace,
           CASE WHEN u_priority < 0.05 THEN 'P1' WHEN u_priority < 0.35 THEN 'P2' WHEN u_priority < 0.85 THEN 'P3' ELSE 'P4' END AS priority,
           CASE
             WHEN u_outcome < (CASE WHEN age_days < 3 THEN 0.6 WHEN age_days < 14 THEN 0.2 ELSE 0.03 END) THEN 'open'
             WHEN u_outcome >= 0.95 THEN 'cancelled'
             WHEN u_outcome >= 0.91 THEN 'declined'
             ELSE 'approved'
           END AS outcome
         FROM g JOIN bench_party p ON p.idx = g.party_idx
       ), staged AS (
         SELECT drawn.*,
           CASE WHEN outcome <> 'open' THEN outcome WHEN u_stage < 0.3 THEN 'awaiting_ack' WHEN u_stage < 0.65 THEN 'in_progress' ELSE 'in_review' END AS stage
         FROM drawn
       )
       SELECT i, md5('bench-brief-' || i)::uuid::text AS id, party_id, agreement, pace, priority, outcome, stage,
         now() - interval '10 minutes' - age_days * interval '1 day' AS created_at,
         CASE stage
           WHEN 'approved' THEN 1 + (u_rounds >= 0.6)::int + (u_rounds >= 0.85)::int + (u_rounds >= 0.95)::int + (u_rounds >= 0.99)::int
           WHEN 'cancelled' THEN (u_rounds >= 0.5)::int
           WHEN 'in_progress' THEN (u_rounds >= 0.7)::int
           WHEN 'in_review' THEN 1 + (u_rounds >= 0.75)::int
           ELSE 0
         END AS rounds,
         CASE WHEN stage IN ('declined', 'awaiting_ack') THEN 0 ELSE (u_questions >= 0.75)::int + (u_questions >= 0.93)::int + (u_questions >= 0.98)::int END AS questions,
         CASE WHEN u_held < 0.03 THEN round(pg_temp.bench_duration(i, 10, ${4 * HOUR_MS}, 0.8)) ELSE 0 END AS held_ms
       FROM staged;
       ALTER TABLE bench_brief ADD PRIMARY KEY (i);`,
    ],
    [
      'draw steps',
      // Step (code, round): acknowledge (1, 1) for every brief; deliver (2, k) for each delivery
      // made, and one more running (in progress) or stopped (cancelled); review (3, k) for each
      // delivery, the last one open while in review; answer (4, k) for each question, the last one
      // open on one open brief in two.
      `CREATE TEMP TABLE bench_step AS
       WITH s AS (
         SELECT b.*, 1 AS code, 1 AS round,
           CASE stage WHEN 'awaiting_ack' THEN 'open' WHEN 'declined' THEN 'stopped' ELSE 'done' END AS state
         FROM bench_brief b
         UNION ALL
         SELECT b.*, 2, k, CASE WHEN k <= b.rounds THEN 'done' WHEN stage = 'cancelled' THEN 'stopped' ELSE 'open' END
         FROM bench_brief b, generate_series(1, b.rounds + (b.stage IN ('in_progress', 'cancelled'))::int) AS k
         UNION ALL
         SELECT b.*, 3, k, CASE WHEN stage = 'in_review' AND k = b.rounds THEN 'open' ELSE 'done' END
         FROM bench_brief b, generate_series(1, b.rounds) AS k
         UNION ALL
         SELECT b.*, 4, k, CASE WHEN stage IN ('in_progress', 'in_review') AND k = b.questions AND b.i % 2 = 0 THEN 'open' ELSE 'done' END
         FROM bench_brief b, generate_series(1, b.questions) AS k
       ), timed AS (
         SELECT s.*,
           (ARRAY['acknowledge', 'deliver', 'review', 'answer'])[code] AS step,
           CASE code
             WHEN 1 THEN pg_temp.bench_duration(i, 100 + round, ${1.5 * HOUR_MS} * pace, 1.1)
             WHEN 2 THEN pg_temp.bench_duration(i, 200 + round, ${10 * HOUR_MS} * pace, 0.9)
             WHEN 3 THEN pg_temp.bench_duration(i, 300 + round, ${3 * HOUR_MS}, 1.0)
             ELSE pg_temp.bench_duration(i, 400 + round, ${HOUR_MS}, 1.0)
           END AS drawn_ms,
           CASE code WHEN 1 THEN ${targetCase('acknowledge', 'priority')} WHEN 2 THEN ${targetCase('deliver', 'priority')} WHEN 3 THEN ${targetCase('review', 'priority')} END AS target_ms,
           -- Wall-clock start: the steps of a brief follow each other about a working day apart.
           least(created_at + ((code - 1) + (round - 1) * 3) * interval '20 hours', now() - interval '5 minutes') AS started_at
         FROM s
       )
       SELECT i, id, party_id, agreement, priority, created_at, step, round, state, started_at, target_ms,
         CASE WHEN state = 'done' THEN round(drawn_ms) END AS business_ms,
         CASE WHEN state = 'done' THEN least(started_at + drawn_ms * 2.5 * interval '1 millisecond', now()) END AS ended_at,
         -- Done or stopped: its draw past the target. Open: running for more than its target in
         -- business time (a third of the wall-clock time, about eight working hours a day).
         CASE
           WHEN target_ms IS NULL THEN false
           WHEN state = 'open' THEN extract(epoch FROM now() - started_at) * 1000 / 3 > target_ms
           ELSE drawn_ms > target_ms
         END AS late
       FROM timed;
       -- What the briefs' rows need of their steps, in one pass.
       CREATE TEMP TABLE bench_summary AS
       SELECT i, max(ended_at) AS ended_at, bool_or(late) AS late, bool_or(step = 'answer' AND state = 'open') AS asking
       FROM bench_step GROUP BY i;
       ALTER TABLE bench_summary ADD PRIMARY KEY (i);`,
    ],
    [
      'insert briefs',
      `INSERT INTO briefs (id, workflow_id, title, party_id, manager_id, priority, status, revision, sla_breached, last_seq, sla_policy_id, agreement, snapshot, created_at, updated_at)
       SELECT b.id, ${quote(briefWorkflowId(''))} || b.id, (${titles})[1 + b.i % ${TITLES.length}] || ' #' || b.i, b.party_id, ${quote(spec.managerId)}, b.priority,
         CASE b.stage WHEN 'in_progress' THEN (CASE WHEN m.asking THEN 'clarification_requested' WHEN b.rounds > 0 THEN 'changes_requested' ELSE 'in_progress' END) ELSE b.stage END,
         b.rounds, m.late, 2 + 2 * b.rounds + 2 * b.questions, 'default', b.agreement,
         jsonb_build_object('generated', 'bench'), b.created_at, coalesce(m.ended_at, b.created_at)
       FROM bench_brief b JOIN bench_summary m USING (i)`,
    ],
    [
      'insert scorecard_briefs',
      `INSERT INTO scorecard_briefs (brief_id, party_id, agreement, priority, created_at, outcome, ended_at, rounds, clarifications, held_ms, facts_version)
       SELECT b.id, b.party_id, b.agreement, b.priority, b.created_at, b.outcome,
         CASE WHEN b.outcome <> 'open' THEN m.ended_at END,
         b.rounds, b.questions, b.held_ms, ${FACTS_VERSION}
       FROM bench_brief b JOIN bench_summary m USING (i)`,
    ],
    [
      'insert scorecard_steps',
      `INSERT INTO scorecard_steps (brief_id, step, round, party_id, agreement, priority, brief_created_at, started_at, ended_at, state, business_ms, late)
       SELECT id, step, round, party_id, agreement, priority, created_at, started_at, ended_at, state, business_ms, late FROM bench_step`,
    ],
    [
      'insert escalations',
      // About one late acknowledge or deliver step in seven escalated to level 1, one in ten of those to level 2 as well.
      `INSERT INTO escalations (id, brief_id, party_id, clock, level, state, raised_at, acknowledged_at, agreement, round)
       SELECT md5('bench-escalation-' || t.i || '-' || t.step || '-' || t.round || '-' || level)::uuid::text, t.id, t.party_id, t.step, level,
         CASE WHEN pg_temp.bench_uniform(t.i, 700 + level) < 0.7 THEN 'acknowledged' ELSE 'open' END,
         t.started_at + (1 + level) * t.target_ms * interval '1 millisecond',
         CASE WHEN pg_temp.bench_uniform(t.i, 700 + level) < 0.7 THEN t.started_at + (2 + level) * t.target_ms * interval '1 millisecond' END,
         t.agreement, t.round
       FROM bench_step t, generate_series(1, 1 + (pg_temp.bench_uniform(t.i, 610 + t.round) < 0.1)::int) AS level
       WHERE t.late AND t.step IN ('acknowledge', 'deliver') AND pg_temp.bench_uniform(t.i, 600 + t.round) < 0.15`,
    ],
    // A server's autovacuum would have analyzed tables that grew this much; PGlite has none.
    ['analyze', 'ANALYZE briefs; ANALYZE scorecard_briefs; ANALYZE scorecard_steps; ANALYZE escalations'],
    ['clean up', 'DROP TABLE bench_summary; DROP TABLE bench_step; DROP TABLE bench_brief; DROP TABLE bench_party; DROP FUNCTION pg_temp.bench_duration; DROP FUNCTION pg_temp.bench_uniform'],
  ];
}

/** Writes the history; `onPhase` hears of each phase as it ends. */
export async function generateScorecardHistory(
  db: SqlExecutor,
  spec: ScorecardDataSpec,
  onPhase: (phase: string, ms: number) => void = () => undefined,
): Promise<ScorecardDataResult> {
  if (!Number.isInteger(spec.briefs) || spec.briefs < 1) throw new Error(`briefs must be a positive integer, not ${spec.briefs}`);
  if (spec.parties.length === 0) throw new Error('the briefs need at least one party');
  const phasesMs: Record<string, number> = {};
  const began = performance.now();
  for (const [phase, sql] of statements(spec)) {
    const started = performance.now();
    await db.exec(sql);
    phasesMs[phase] = Math.round(performance.now() - started);
    onPhase(phase, phasesMs[phase]);
  }
  const totalMs = Math.round(performance.now() - began);
  const [counts] = await db.query<{ briefs: number; scorecard_briefs: number; scorecard_steps: number; escalations: number }>(
    `SELECT (SELECT count(*) FROM briefs)::int AS briefs, (SELECT count(*) FROM scorecard_briefs)::int AS scorecard_briefs,
       (SELECT count(*) FROM scorecard_steps)::int AS scorecard_steps, (SELECT count(*) FROM escalations)::int AS escalations`,
  );
  return {
    rows: { briefs: counts.briefs, scorecardBriefs: counts.scorecard_briefs, scorecardSteps: counts.scorecard_steps, escalations: counts.escalations },
    phasesMs,
    totalMs,
  };
}
