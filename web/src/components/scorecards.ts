// What the scorecard pages share: the report's types, who sees every party, the filters carried
// in the page's address, the CSV links, and numbers as a person reads them (on-time percentages,
// business hours, the histogram's buckets).
import { api, ok, type Schemas } from '../api/client';
import { locale } from '../i18n';
import type { Session } from '../session';

export type ScorecardReport = Schemas['ScorecardReport'];
export type Scorecard = Schemas['Scorecard'];
export type Figures = Schemas['ScorecardFigures'];
export type StepFigures = Schemas['ScorecardStepFigures'];
export type ScorecardDetail = Schemas['ScorecardDetail'];
export type ScorecardBriefRow = Schemas['ScorecardBriefRow'];
export type StepSummary = NonNullable<Schemas['ScorecardStepSummary']>;
export type Agreement = Scorecard['agreement'];

export const STEPS = ['acknowledge', 'deliver', 'review'] as const;
export type StepName = (typeof STEPS)[number];
export const AGREEMENTS: readonly Agreement[] = ['external', 'internal'];

/** Admins, managers and watchers of scope `all` see every party's scorecard; everyone else their own party's. */
export const seesAllParties = (current: Session) => {
  const { role, scope } = current.member;
  return role === 'admin' || role === 'manager' || (role === 'watcher' && scope === 'all');
};

/** The report's filters, as the page's address carries them (empty: the API's default). */
export interface ReportFilters {
  from: string;
  to: string;
  agreement: string;
  priority: string;
  /** Only the briefs of this program. */
  programId: string;
}

export const filtersOf = (query: Record<string, string | undefined>): ReportFilters => ({
  from: query.from ?? '',
  to: query.to ?? '',
  agreement: query.agreement ?? '',
  priority: query.priority ?? '',
  programId: query.programId ?? '',
});

/** `?from=…&to=…` of the non-empty values, or '' when there are none. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.size ? `?${params}` : '';
}

type Priority = NonNullable<ScorecardBriefRow['priority']>;
const apiFilters = (filters: ReportFilters) => ({
  ...(filters.from ? { from: filters.from } : {}),
  ...(filters.to ? { to: filters.to } : {}),
  ...(filters.agreement ? { agreement: filters.agreement as Agreement } : {}),
  ...(filters.priority ? { priority: filters.priority as Priority } : {}),
  ...(filters.programId ? { programId: filters.programId } : {}),
});

export const loadReport = (filters: ReportFilters) => ok(api.GET('/v1/reports/scorecards', { params: { query: apiFilters(filters) } }));

/** One party's scorecards and a page of the briefs behind a figure (`trace`) or a week. */
export const loadDetail = (partyId: string, filters: ReportFilters, trace: { trace?: string; week?: string }, cursor?: string) =>
  ok(
    api.GET('/v1/reports/scorecards/{partyId}', {
      params: {
        path: { partyId },
        query: { ...apiFilters(filters), ...(trace.trace ? { trace: trace.trace } : {}), ...(trace.week ? { week: trace.week } : {}), ...(cursor ? { cursor } : {}), limit: 25 },
      },
    }),
  );

/** The CSV download of the list (partyId absent) or of one party's briefs. */
export const csvHref = (filters: ReportFilters, partyId?: string, trace: { trace?: string; week?: string } = {}) =>
  `/v1/reports/scorecards${partyId ? `/${encodeURIComponent(partyId)}` : ''}.csv${queryString({ ...filters, ...trace })}`;

const numberFormat = (digits: number) => new Intl.NumberFormat(locale.value === 'de' ? 'de-DE' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "83.3 %" / "83,3 %", or "–" when nothing was counted. */
export const formatPercent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${numberFormat(1).format(value)} %`);

/** Business time in hours with one decimal, "2.5 h" / "2,5 h"; under an hour in minutes, "12 min". */
export function formatHours(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 60_000) return ms > 0 ? '< 1 min' : '0 min';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${numberFormat(1).format(ms / 3_600_000)} h`;
}

/** A plain number with the given decimals ("1.4" / "1,4"). */
export const formatNumber = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '–' : numberFormat(digits).format(value));

/** A date of the report ('YYYY-MM-DD') as people write it: "1 Sep 2026" / "1. Sept. 2026". */
export const formatDay = (day: string) =>
  new Intl.DateTimeFormat(locale.value === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));

const span = (ms: number, compact: boolean) => (ms < 3_600_000 ? `${ms / 60_000}${compact ? 'm' : ' min'}` : `${ms / 3_600_000}${compact ? 'h' : ' h'}`);

/** A histogram bucket's label by its upper edge: "≤ 15 min", "≤ 2 h", "> 40 h" (after the last edge); compact for an axis: "15m", "2h", ">40h". */
export function bucketLabel(upToMs: number | null, previousUpToMs: number | null | undefined, compact = false): string {
  if (upToMs === null) return previousUpToMs ? `>${compact ? '' : ' '}${span(previousUpToMs, compact)}` : '–';
  return compact ? span(upToMs, true) : `≤ ${span(upToMs, false)}`;
}

/** "2026-W47" as "W47" on a chart's axis. */
export const shortWeek = (week: string) => week.replace(/^\d{4}-/, '');
