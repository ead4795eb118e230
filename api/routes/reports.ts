// The scorecard reports: each party's reliability and the e-commerce team's own speed, per
// agreement and ISO week, and the briefs behind each figure; as JSON, or as CSV with the `.csv`
// suffix or `Accept: text/csv`. Callers who see every party see every scorecard; everyone else
// their own party's, and another party's is 404.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { localeOf, type Locale } from '../../lib/i18n';
import { scorecardBriefs, scorecardReport, type ReportQuery } from '../../services/scorecards/report';
import { ROLES } from '../../workflows/domain/vocabulary';
import { canSeeParty, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { fieldError, notFound } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { decodeCursor, encodeCursor } from '../pagination';
import { visibleProgram } from '../services/programs';
import { scorecardBriefsCsv, scorecardReportCsv } from '../services/scorecards-csv';
import {
  DEFAULT_REPORT_DAYS,
  MAX_REPORT_SPAN_DAYS,
  PartyParams,
  ScorecardBriefsCsvQuery,
  ScorecardBriefsQuery,
  ScorecardDetailSchema,
  ScorecardReportQuery,
  ScorecardReportSchema,
  type ScorecardDetailBody,
} from './reports.schemas';
import type { Trace } from '../../services/scorecards/report';

const DAY_MS = 86_400_000;

type PeriodQuery = Pick<ReportQuery, 'agreement' | 'priority' | 'programId'> & { from?: string; to?: string; timezone?: string };

/** Today's date (YYYY-MM-DD) in a time zone. */
function today(timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

const CSV_NAME = /[^A-Za-z0-9_.-]/g;

function wantsCsv(req: Request): boolean {
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

function sendCsv(res: Response, fileName: string, body: string): void {
  res
    .status(200)
    .set({ 'Content-Type': 'text/csv; charset=utf-8; header=present', 'Content-Disposition': `attachment; filename="${fileName.replace(CSV_NAME, '-')}"` })
    .send(body);
}

const CSV_NOTE = 'As CSV with `Accept: text/csv` (or the `.csv` route): headers in the caller\'s language, `,` and `.` decimals in English, `;` and `,` decimals in German, durations in business hours.';

export function reportsRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = deps.db;
  const router = Router();

  /** The period, time zone and language a caller's report is read in. */
  async function periodOf(caller: Caller, query: PeriodQuery): Promise<Omit<ReportQuery, 'partyIds'> & { locale: Locale }> {
    const member = await prisma.member.findUnique({ where: { id: caller.memberId }, select: { locale: true, timezone: true } });
    const timezone = query.timezone ?? member?.timezone ?? 'UTC';
    const to = query.to ?? today(timezone);
    const from = query.from ?? addDays(to, -DEFAULT_REPORT_DAYS);
    if (from > to) throw fieldError('query.from', `must not be after to (${to})`);
    if (daysBetween(from, to) > MAX_REPORT_SPAN_DAYS) throw fieldError('query.from', `the period may span at most ${MAX_REPORT_SPAN_DAYS} days`);
    if (query.programId !== undefined) await visibleProgram(prisma, caller, query.programId);
    return { from, to, timezone, agreement: query.agreement, priority: query.priority, programId: query.programId, locale: localeOf(member?.locale) };
  }

  /** The party a caller asks for: 404 when it does not exist or is not theirs to see. */
  async function visibleParty(caller: Caller, partyId: string) {
    const party = canSeeParty(caller, partyId) ? await prisma.party.findUnique({ where: { id: partyId }, select: { id: true, name: true, kind: true } }) : null;
    if (!party) throw notFound('party');
    return party;
  }

  async function report(caller: Caller, query: z.output<typeof ScorecardReportQuery>) {
    const period = await periodOf(caller, query);
    if (query.partyId !== undefined) await visibleParty(caller, query.partyId);
    const parties = query.partyId !== undefined ? [query.partyId] : seesAllParties(caller) ? undefined : [caller.partyId];
    const { locale, ...rest } = period;
    return { locale, report: await scorecardReport(prisma, { ...rest, partyIds: parties }) };
  }

  async function detail(caller: Caller, party: { id: string; name: string; kind: string }, query: z.output<typeof ScorecardBriefsCsvQuery> & { limit?: number; cursor?: string }) {
    const { locale, ...period } = await periodOf(caller, query);
    const after = decodeCursor(query.cursor);
    const [card, briefs] = await Promise.all([
      scorecardReport(prisma, { ...period, partyIds: [party.id] }),
      scorecardBriefs(prisma, { ...period, partyId: party.id, trace: query.trace as Trace | undefined, week: query.week, limit: query.limit, after }),
    ]);
    const last = briefs.items[briefs.items.length - 1];
    const body: ScorecardDetailBody = {
      from: period.from,
      to: period.to,
      timezone: period.timezone,
      party,
      scorecards: card.scorecards,
      briefs: { items: briefs.items, nextCursor: briefs.more && last ? encodeCursor({ at: new Date(last.createdAt), id: last.briefId }) : null },
    };
    return { locale, body };
  }

  const reportDoc = {
    tag: 'Reports',
    roles: ROLES,
    query: ScorecardReportQuery,
    errors: [404],
  };
  const reportDescription =
    'Per party and agreement (external SLA, internal OLA), for the briefs created from `from` to `to` (in `timezone`), and per ISO week of their creation: briefs received and how they ended; acknowledge, deliver and review on time, with median, p90 and a histogram of the business time they took; rounds per approved brief; clarifications and how fast the e-commerce team answered; escalations by level; time held. `programId` keeps the briefs of one program (404 for a program the caller does not see). Admins, managers and watchers of scope `all` see every party; everyone else their own party only (another `partyId` is 404). 400 names the field: a bad date, `from` after `to`, a period over 731 days, an unknown agreement, priority or time zone.';

  const detailDoc = {
    tag: 'Reports',
    roles: ROLES,
    params: PartyParams,
    resource: ({ partyId }: z.output<typeof PartyParams>, caller: Caller) => visibleParty(caller, partyId),
  };
  const detailDescription =
    "The party's scorecards (one per agreement) over the period and the briefs behind them, newest first, paged; `trace` keeps the briefs behind one figure, `week` those created in one ISO week. 404 for a party the caller may not see.";

  // The .csv routes first: `/:partyId` would otherwise take `<id>.csv` for a party id.
  catalog.route(
    router,
    {
      ...reportDoc,
      method: 'get',
      path: '/v1/reports/scorecards.csv',
      operationId: 'scorecardReportCsv',
      summary: 'The scorecards as CSV',
      description: `One row per scorecard for the whole period (week empty), each followed by its weekly rows. ${CSV_NOTE}`,
      responses: { 200: { description: 'A CSV file (UTF-8 with BOM, CRLF)', contentType: 'text/csv', schema: z.string() } },
    },
    async ({ caller, query }, _req, res) => {
      const { locale, report: body } = await report(caller, query);
      sendCsv(res, `scorecards-${body.from}-${body.to}.csv`, scorecardReportCsv(body, locale));
    },
  );

  catalog.route(
    router,
    {
      ...reportDoc,
      method: 'get',
      path: '/v1/reports/scorecards',
      operationId: 'scorecardReport',
      summary: 'Scorecards of every party the caller sees',
      description: `${reportDescription} ${CSV_NOTE}`,
      responses: { 200: { description: 'The scorecards', schema: ScorecardReportSchema } },
    },
    async ({ caller, query }, req, res) => {
      const { locale, report: body } = await report(caller, query);
      if (wantsCsv(req)) return sendCsv(res, `scorecards-${body.from}-${body.to}.csv`, scorecardReportCsv(body, locale));
      res.json(body);
    },
  );

  catalog.route(
    router,
    {
      ...detailDoc,
      method: 'get',
      path: '/v1/reports/scorecards/:partyId.csv',
      operationId: 'scorecardDetailCsv',
      summary: "A party's scorecard briefs as CSV",
      description: `One row per brief that matches (every one, not paged). ${CSV_NOTE}`,
      query: ScorecardBriefsCsvQuery,
      responses: { 200: { description: 'A CSV file (UTF-8 with BOM, CRLF)', contentType: 'text/csv', schema: z.string() } },
    },
    async ({ caller, query, resource: party }, _req, res) => {
      const { locale, body } = await detail(caller, party, query);
      sendCsv(res, `scorecard-${party.id}-${body.from}-${body.to}.csv`, scorecardBriefsCsv(body.briefs.items, locale));
    },
  );

  catalog.route(
    router,
    {
      ...detailDoc,
      method: 'get',
      path: '/v1/reports/scorecards/:partyId',
      operationId: 'scorecardDetail',
      summary: "A party's scorecard and the briefs behind each figure",
      description: `${detailDescription} ${CSV_NOTE} (The CSV lists every brief that matches, not a page.)`,
      query: ScorecardBriefsQuery,
      responses: { 200: { description: "The party's scorecards and a page of its briefs", schema: ScorecardDetailSchema } },
    },
    async ({ caller, query, resource: party }, req, res) => {
      if (wantsCsv(req)) {
        const { locale, body } = await detail(caller, party, { ...query, limit: undefined, cursor: undefined });
        return sendCsv(res, `scorecard-${party.id}-${body.from}-${body.to}.csv`, scorecardBriefsCsv(body.briefs.items, locale));
      }
      res.json((await detail(caller, party, query)).body);
    },
  );

  return router;
}
