// What the scorecard pages share: the report's types, who sees every party, the filters carried
// in the page's address, the CSV links, and numbers as a person reads them (on-time percentages,
// business hours, the histogram's buckets).
import { ApiProblem } from '../api/client';
import { locale } from '../i18n';
import type { Session } from '../session';

// The report's shapes as the API documents them (GET /v1/reports/scorecards and /:partyId).
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
export type Agreement = 'external' | 'internal';
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
export interface StepSummary {
  steps: number;
  done: number;
  late: number;
  businessMs: number;
  open: boolean;
}
export interface ScorecardBriefRow {
  briefId: string;
  title: string;
  status: string;
  priority: string;
  agreement: Agreement;
  createdAt: string;
  outcome: 'open' | 'approved' | 'declined' | 'cancelled';
  rounds: number;
  clarifications: number;
  heldMs: number;
  acknowledge: StepSummary | null;
  deliver: StepSummary | null;
  review: StepSummary | null;
  answerMedianMs: number | null;
  escalations: { level: number; count: number }[];
}
export interface ScorecardDetail {
  from: string;
  to: string;
  timezone: string;
  party: { id: string; name: string; kind: string };
  scorecards: Scorecard[];
  briefs: { items: ScorecardBriefRow[]; nextCursor: string | null };
}

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
}

export const filtersOf = (query: Record<string, string | undefined>): ReportFilters => ({
  from: query.from ?? '',
  to: query.to ?? '',
  agreement: query.agreement ?? '',
  priority: query.priority ?? '',
});

/** `?from=…&to=…` of the non-empty values, or '' when there are none. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.size ? `?${params}` : '';
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) throw new ApiProblem({ ...(body && typeof body === 'object' ? body : {}), status: res.status });
  return body as T;
}

export const loadReport = (filters: ReportFilters) => getJson<ScorecardReport>(`/v1/reports/scorecards${queryString({ ...filters })}`);

/** One party's scorecards and a page of the briefs behind a figure (`trace`) or a week. */
export const loadDetail = (partyId: string, filters: ReportFilters, trace: { trace?: string; week?: string }, cursor?: string) =>
  getJson<ScorecardDetail>(`/v1/reports/scorecards/${encodeURIComponent(partyId)}${queryString({ ...filters, ...trace, cursor, limit: '25' })}`);

/** The CSV download of the list (partyId absent) or of one party's briefs. */
export const csvHref = (filters: ReportFilters, partyId?: string, trace: { trace?: string; week?: string } = {}) =>
  `/v1/reports/scorecards${partyId ? `/${encodeURIComponent(partyId)}` : ''}.csv${queryString({ ...filters, ...trace })}`;

const numberFormat = (digits: number) => new Intl.NumberFormat(locale.value === 'de' ? 'de-DE' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "83.3 %" / "83,3 %", or "–" when nothing was counted. */
export const formatPercent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${numberFormat(1).format(value)} %`);

/** Business time in hours with one decimal: "2.5 h" / "2,5 h". */
export const formatHours = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${numberFormat(1).format(ms / 3_600_000)} h`);

/** A plain number with the given decimals ("1.4" / "1,4"). */
export const formatNumber = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '–' : numberFormat(digits).format(value));

/** A date of the report ('YYYY-MM-DD') as people write it: "1 Sep 2026" / "1. Sept. 2026". */
export const formatDay = (day: string) =>
  new Intl.DateTimeFormat(locale.value === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));

/** A histogram bucket's label by its upper edge: "≤ 15 min", "≤ 2 h", "> 40 h" (after the last edge). */
export function bucketLabel(upToMs: number | null, previousUpToMs: number | null | undefined): string {
  const span = (ms: number) => (ms < 3_600_000 ? `${ms / 60_000} min` : `${ms / 3_600_000} h`);
  if (upToMs === null) return previousUpToMs ? `> ${span(previousUpToMs)}` : '–';
  return `≤ ${span(upToMs)}`;
}

/** "2026-W47" as "W47" on a chart's axis. */
export const shortWeek = (week: string) => week.replace(/^\d{4}-/, '');
