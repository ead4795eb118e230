// reports: twelve weeks of scorecard history for N briefs (--report-briefs), spread over about
// twenty parties, written straight into the database (see ../scorecard-data.ts; no workflows),
// then a manager asks for the scorecards through the API, one request at a time after a warm-up:
// the list of every party's scorecards over the default period (the last 12 weeks), one party's
// scorecard with its first page of briefs, and the list as CSV.
//
// The generated briefs have no workflows, so the reconciler (which would resume open briefs whose
// workflow is gone) is paused first; the embedded stack restarts on its folder with it kept paused.
import { ScheduleNotFoundError } from '@temporalio/client';
import { reconcilerScheduleId } from '../../worker/reconciler-schedule';
import { agreementFor } from '../../workflows/domain/policy';
import { apiClient } from '../api-client';
import type { BenchContext, ScenarioResult } from '../context';
import { note, Progress } from '../progress';
import { generateScorecardHistory } from '../scorecard-data';
import { latencySummary, percentile, round } from '../stats';

export interface ReportsFigures {
  /** The first list request: every span of the period built from the generated rows. */
  scorecardFirstMs: number;
  /** The list after one brief of the current week changed (its week and day spans refreshed). */
  scorecardAfterChangeMs: number;
  scorecardP50Ms: number;
  scorecardP95Ms: number;
  detailP50Ms: number;
  csvP50Ms: number;
}

/** Timed requests per kind, after WARM_UP untimed ones. */
const REQUESTS = 20;
const WARM_UP = 2;

/** The parties added to the directory's four, so that the briefs go to twenty. */
const MORE_PARTIES: { name: string; kind: string }[] = [
  { name: 'Atelier Nord', kind: 'agency' },
  { name: 'Bildwerk Studio', kind: 'agency' },
  { name: 'Copy & Claim', kind: 'agency' },
  { name: 'Datenfeld GmbH', kind: 'agency' },
  { name: 'Elbe Media', kind: 'agency' },
  { name: 'Fotostudio Licht', kind: 'agency' },
  { name: 'Grünwald Textil', kind: 'supplier' },
  { name: 'Hafen Möbel', kind: 'supplier' },
  { name: 'Isar Schuhe', kind: 'supplier' },
  { name: 'Marketplace One', kind: 'marketplace' },
  { name: 'Marketplace Two', kind: 'marketplace' },
  { name: 'Brand Marketing', kind: 'marketing' },
  { name: 'Customer Service', kind: 'customer_service' },
  { name: 'Warehouse South', kind: 'logistics' },
  { name: 'Web Platform', kind: 'it' },
  { name: 'Translation Pool', kind: 'agency' },
];

interface ReportBody {
  from: string;
  to: string;
  scorecards: { partyId: string; agreement: string; weeks: unknown[]; figures: { briefs: { received: number } } }[];
}

export async function reports(ctx: BenchContext): Promise<ScenarioResult<ReportsFigures>> {
  const { stack } = ctx;
  const admin = apiClient(stack.url, stack.directory.keys.admin);
  const managerId = (await apiClient(stack.url, stack.directory.keys.manager).get<{ id: string }>('/v1/me')).id;

  // The directory's parties receiving briefs, then more: agencies first, as the busiest.
  const parties: { id: string; agreement: 'external' | 'internal' }[] = [];
  const known = await admin.get<{ items: { id: string; kind: string }[] }>('/v1/parties?limit=100');
  for (const id of stack.directory.partyIds) {
    const kind = known.items.find((p) => p.id === id)?.kind ?? 'agency';
    parties.push({ id, agreement: agreementFor(kind) });
  }
  for (const spec of MORE_PARTIES) {
    const created = await admin.post<{ id: string }>('/v1/parties', spec);
    parties.push({ id: created.id, agreement: agreementFor(spec.kind) });
  }

  try {
    await ctx.temporal.schedule.getHandle(reconcilerScheduleId(stack.taskQueue)).pause('the bench writes briefs without workflows');
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }

  const briefs = ctx.options.reportBriefs;
  note(`reports: writing ${briefs} briefs of scorecard history into the database`);
  const began = Date.now();
  const generated = await stack.withDatabase(
    (db) => generateScorecardHistory(db, { briefs, parties, managerId }, (phase, ms) => note(`reports: ${phase} ${(ms / 1000).toFixed(1)} s`)),
    { HANDOFF_RECONCILE_INTERVAL: 'PT0S' },
  );
  const restartMs = Date.now() - began - generated.totalMs;
  note(`reports: ${briefs} briefs written in ${(generated.totalMs / 1000).toFixed(1)} s (${JSON.stringify(generated.rows)})${stack.mode === 'embedded' ? `; Handoff stopped and started again in ${(restartMs / 1000).toFixed(1)} s` : ''}`);

  // The client again: the embedded stack may listen elsewhere after its restart.
  const manager = apiClient(stack.url, stack.directory.keys.manager);
  const busiest = parties[0].id;
  const kinds: [name: string, call: () => Promise<{ ms: number; body: unknown }>][] = [
    ['list', () => manager.call<ReportBody>('GET', '/v1/reports/scorecards')],
    ['detail', () => manager.call('GET', `/v1/reports/scorecards/${busiest}`)],
    ['csv', () => manager.call<string>('GET', '/v1/reports/scorecards.csv')],
  ];
  const timings: Record<string, number[]> = { list: [], detail: [], csv: [] };
  const sizes: Record<string, number> = {};
  let report: ReportBody | undefined;
  const progress = new Progress('reports: timing requests', kinds.length * REQUESTS, 'requests');
  const firstMs = (await kinds[0][1]()).ms;
  note(`reports: the first list, with its spans built, took ${Math.round(firstMs)} ms`);
  for (const [name, call] of kinds) {
    for (let i = 0; i < WARM_UP; i++) await call();
    for (let i = 0; i < REQUESTS; i++) {
      const { ms, body } = await call();
      timings[name].push(ms);
      sizes[name] = (typeof body === 'string' ? body : JSON.stringify(body)).length;
      if (name === 'list') report = body as ReportBody;
      progress.tick();
    }
  }
  // One brief of the current week changes, as a delivery would change it: the spans holding it are
  // marked dirty by the triggers, and the next list refreshes them (embedded: after a restart).
  await stack.withDatabase((db) =>
    db.exec(`UPDATE scorecard_briefs SET updated_at = now() WHERE brief_id = (SELECT brief_id FROM scorecard_briefs ORDER BY created_at DESC LIMIT 1)`),
    { HANDOFF_RECONCILE_INTERVAL: 'PT0S' },
  );
  const afterRestart = apiClient(stack.url, stack.directory.keys.manager);
  await afterRestart.get('/v1/me');
  const afterChangeMs = (await afterRestart.call('GET', '/v1/reports/scorecards')).ms;
  note(`reports: the list after a change took ${Math.round(afterChangeMs)} ms`);
  const received = report?.scorecards.reduce((sum, card) => sum + card.figures.briefs.received, 0) ?? 0;
  return {
    figures: {
      scorecardFirstMs: round(firstMs),
      scorecardAfterChangeMs: round(afterChangeMs),
      scorecardP50Ms: round(percentile(timings.list, 50)),
      scorecardP95Ms: round(percentile(timings.list, 95)),
      detailP50Ms: round(percentile(timings.detail, 50)),
      csvP50Ms: round(percentile(timings.csv, 50)),
    },
    detail: {
      briefs,
      parties: parties.length,
      generateSec: round(generated.totalMs / 1000),
      generatePhasesMs: generated.phasesMs,
      rows: generated.rows,
      restartSec: stack.mode === 'embedded' ? round(restartMs / 1000) : undefined,
      period: report ? { from: report.from, to: report.to } : undefined,
      scorecards: report?.scorecards.length,
      weeks: report?.scorecards.reduce((sum, card) => sum + card.weeks.length, 0),
      // Every generated brief falls in the default period: the list counts them all (and the other scenarios' briefs).
      receivedInReport: received,
      responseChars: sizes,
      listMs: latencySummary(timings.list),
      detailMs: latencySummary(timings.detail),
      csvMs: latencySummary(timings.csv),
    },
  };
}
