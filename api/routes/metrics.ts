// GET /metrics: Prometheus text exposition of escalations, SLA breaches and warnings, and briefs
// by status, counted from the database at scrape time, so every API replica answers the same
// global numbers. It sits outside /v1 (where Prometheus expects it, with its own rate limit)
// but authenticates with the same API keys.
import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../lib/db/database';
import { STATUSES } from '../../workflows/domain/vocabulary';
import { authenticate, seesAllParties } from '../auth';
import type { ApiDeps } from '../context';
import { forbidden } from '../errors';
import type { RouteCatalog } from '../openapi/route';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels: Labels; value: number }[];
}

/** Label values escape backslash, double quote and line feed; HELP text backslash and line feed. */
const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function exposition(families: Family[]): string {
  return families
    .map((f) => {
      const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
      for (const { labels, value } of f.samples) {
        const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
        lines.push(`${f.name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

async function collect(prisma: PrismaClient): Promise<Family[]> {
  const [open, breaches, warnings, briefs, parties, repairs, programs, programBriefs, programEscalations] = await Promise.all([
    prisma.escalation.groupBy({ by: ['level', 'partyId'], where: { state: 'open' }, _count: { _all: true }, orderBy: [{ level: 'asc' }, { partyId: 'asc' }] }),
    slaEvents(prisma, 'sla_breached'),
    slaEvents(prisma, 'sla_warning'),
    prisma.brief.groupBy({ by: ['status'], _count: { _all: true } }),
    prisma.party.findMany({ select: { id: true, name: true } }),
    reconcilerRepairs(prisma),
    prisma.program.groupBy({ by: ['status'], _count: { _all: true } }),
    runningProgramBriefs(prisma),
    prisma.escalation.groupBy({ by: ['programId'], where: { state: 'open', programId: { not: null } }, _count: { _all: true } }),
  ]);
  // The id identifies the series (names change); the name beside it is for people reading dashboards.
  const names = new Map(parties.map((p) => [p.id, p.name]));
  const party = (id: string): Labels => ({ party: id, party_name: names.get(id) ?? '' });
  const byStatus = new Map(briefs.map((b) => [b.status, b._count._all]));
  const statuses = [...new Set<string>([...STATUSES, ...byStatus.keys()])];
  const programsByStatus = new Map(programs.map((p) => [p.status, p._count._all]));
  // Program series exist while a program runs, so that ended programs leave the dashboards.
  const running = new Map<string, string>(programBriefs.map((r) => [r.id, r.name]));
  const program = (id: string): Labels => ({ program: id, program_name: running.get(id) ?? '' });
  const openByProgram = new Map(programEscalations.map((e) => [e.programId ?? '', e._count._all]));
  return [
    {
      name: 'handoff_escalations_open',
      help: 'Escalations not yet acknowledged, by level and party.',
      type: 'gauge',
      samples: open.map((e) => ({ labels: { level: String(e.level), ...party(e.partyId) }, value: e._count._all })),
    },
    {
      name: 'handoff_sla_breaches_total',
      help: 'SLA clocks that ran past their target, by clock and party.',
      type: 'counter',
      samples: breaches.map((b) => ({ labels: { clock: b.clock, ...party(b.party) }, value: b.value })),
    },
    {
      name: 'handoff_sla_warnings_total',
      help: 'SLA warnings sent before a target, by clock and party.',
      type: 'counter',
      samples: warnings.map((w) => ({ labels: { clock: w.clock, ...party(w.party) }, value: w.value })),
    },
    {
      name: 'handoff_briefs',
      help: 'Briefs by status.',
      type: 'gauge',
      samples: statuses.map((status) => ({ labels: { status }, value: byStatus.get(status) ?? 0 })),
    },
    {
      name: 'handoff_programs',
      help: 'Programs of dependent briefs by status.',
      type: 'gauge',
      samples: PROGRAM_STATUSES.map((status) => ({ labels: { status }, value: programsByStatus.get(status) ?? 0 })),
    },
    {
      name: 'handoff_program_briefs',
      help: "The briefs of each running program by their state in it: waiting (for their dependencies), running, approved, failed (declined or cancelled: holding their dependents), dropped, cancelled.",
      type: 'gauge',
      samples: programBriefs.map((r) => ({ labels: { ...program(r.id), state: r.state }, value: r.count })),
    },
    {
      name: 'handoff_program_escalations_open',
      help: "Escalations not yet acknowledged of each running program's briefs.",
      type: 'gauge',
      samples: [...running.keys()].map((id) => ({ labels: program(id), value: openByProgram.get(id) ?? 0 })),
    },
    {
      name: 'handoff_reconciler_repairs_total',
      help: 'Briefs the reconciler repaired, by repair: resumed (workflow terminated or gone), ended (workflow completed), refreshed (read model drifted).',
      type: 'counter',
      samples: REPAIRS.map((repair) => ({ labels: { repair }, value: repairs.get(repair) ?? 0 })),
    },
  ];
}

const REPAIRS = ['resumed', 'ended', 'refreshed'] as const;
const PROGRAM_STATUSES = ['running', 'completed', 'cancelled'] as const;

/** The briefs of every running program by state, from the program's recorded state. */
async function runningProgramBriefs(prisma: PrismaClient) {
  const rows = await prisma.$queryRaw<{ id: string; name: string; state: string; count: bigint | number }[]>`
    SELECT p.id, p.name, n->>'state' AS state, count(*) AS count
    FROM programs p CROSS JOIN LATERAL jsonb_array_elements(p.snapshot->'state'->'nodes') n
    WHERE p.status = 'running'
    GROUP BY 1, 2, 3
    ORDER BY 1, 3`;
  return rows.map((r) => ({ id: r.id, name: r.name, state: r.state, count: Number(r.count) }));
}

/** The reconciler's repairs, from its entries in the audit log. */
async function reconcilerRepairs(prisma: PrismaClient): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<{ repair: string | null; count: bigint | number }[]>`
    SELECT "after"->>'repair' AS repair, count(*) AS count FROM audit_events WHERE action = 'brief.reconciled' GROUP BY 1`;
  return new Map(rows.map((r) => [r.repair ?? '', Number(r.count)]));
}

async function slaEvents(prisma: PrismaClient, type: 'sla_breached' | 'sla_warning') {
  const rows = await prisma.$queryRaw<{ clock: string | null; party: string; count: bigint | number }[]>`
    SELECT e.data->>'clock' AS clock, b.party_id AS party, count(*) AS count
    FROM brief_events e JOIN briefs b ON b.id = e.brief_id
    WHERE e.type = ${type}
    GROUP BY 1, 2
    ORDER BY 1, 2`;
  return rows.map((r) => ({ clock: r.clock ?? '', party: r.party, value: Number(r.count) }));
}

export function metricsRouter({ db }: ApiDeps, catalog: RouteCatalog): Router {
  const router = Router();
  catalog.route(
    router,
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description:
        'Prometheus text format, computed from the database at scrape time (the same on every replica): handoff_escalations_open{level,party,party_name}, handoff_sla_breaches_total{clock,party,party_name}, handoff_sla_warnings_total{clock,party,party_name}, handoff_briefs{status}, handoff_programs{status}, handoff_program_briefs{program,program_name,state} and handoff_program_escalations_open{program,program_name} (running programs only), handoff_reconciler_repairs_total{repair}. party is the id of the party, party_name its name (escaped as the text format requires). Watchers only of scope `all`. Limited per client address (HANDOFF_RATE_LIMIT_METRICS requests a minute, shared by every replica).',
      tag: 'Operations',
      roles: ['admin', 'manager', 'watcher'],
      // Outside the /v1 chain, so the route checks the key itself, before anything else.
      authenticate: authenticate(db.prisma),
      responses: {
        200: {
          description: 'The metrics in the Prometheus text exposition format 0.0.4',
          contentType: 'text/plain',
          schema: z.string().meta({ example: '# TYPE handoff_briefs gauge\nhandoff_briefs{status="awaiting_ack"} 3\n' }),
        },
      },
    },
    async ({ caller }, _req, res) => {
      // The numbers span every party: watchers only where they see every party (scope `all`).
      if (!seesAllParties(caller)) throw forbidden('the metrics span every party: only admins, managers and watchers of scope all may read them');
      const text = exposition(await collect(db.prisma));
      res.status(200).set({ 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' }).end(text);
    },
  );
  return router;
}
