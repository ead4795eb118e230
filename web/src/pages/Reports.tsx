// The scorecards side by side: one row per party and agreement for the briefs created in the
// period, sortable by any column, printable as a clean table, each row leading to the party's
// scorecard page. A member who sees only their own party goes straight to its page.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { AGREEMENT_TEXT, ReportFilterForm } from '../components/ReportFilters';
import { csvHref, filtersOf, formatDay, formatHours, formatNumber, formatPercent, loadReport, queryString, seesAllParties, type ReportFilters, type Scorecard, type ScorecardReport } from '../components/scorecards';
import { locale, useCommon, useText } from '../i18n';
import { APP_PATHS, scorecardPath } from '../paths';
import { session } from '../session';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    title: 'Scorecards',
    intro: 'How reliably each agency and team acknowledges and delivers, and how fast the e-commerce team reviews, for the briefs created in the period. Times are working time on each brief’s calendar.',
    period: (from: string, to: string, zone: string) => `Briefs created ${from} – ${to} (${zone})`,
    table: 'Scorecards of all parties',
    sortedBy: (column: string, direction: string) => `, sorted by ${column} ${direction}`,
    ascending: 'ascending',
    descending: 'descending',
    party: 'Party',
    agreement: 'Agreement',
    received: 'Briefs received',
    onTime: (step: string) => `${step} on time`,
    median: (step: string) => `Median time to ${step.toLowerCase()}`,
    onTimeGroup: 'On time',
    medianGroup: 'Median (working time)',
    steps: { acknowledge: 'Acknowledge', deliver: 'Deliver', review: 'Review' },
    medianSteps: { acknowledge: 'acknowledge', deliver: 'deliver', review: 'review' },
    rounds: 'Rounds per approved brief',
    clarifications: 'Questions per brief',
    escalations: 'Escalations',
    empty: 'No briefs were created in this period.',
    csv: 'Download as CSV',
    print: 'Print',
  },
  de: {
    title: 'Kennzahlen',
    intro: 'Wie verlässlich jede Agentur und jedes Team bestätigt und liefert und wie schnell das E-Commerce-Team prüft, für die im Zeitraum erstellten Briefings. Zeiten in Arbeitsstunden des Kalenders jedes Briefings.',
    period: (from: string, to: string, zone: string) => `Briefings erstellt ${from} – ${to} (${zone})`,
    table: 'Kennzahlen aller Partner',
    sortedBy: (column: string, direction: string) => `, sortiert nach ${column} ${direction}`,
    ascending: 'aufsteigend',
    descending: 'absteigend',
    party: 'Partner',
    agreement: 'Vereinbarung',
    received: 'Erhaltene Briefings',
    onTime: (step: string) => `${step} pünktlich`,
    median: (step: string) => `Median bis zur ${step}`,
    onTimeGroup: 'Pünktlich',
    medianGroup: 'Median (Arbeitszeit)',
    steps: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' },
    medianSteps: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' },
    rounds: 'Runden je freigegebenem Briefing',
    clarifications: 'Rückfragen je Briefing',
    escalations: 'Eskalationen',
    empty: 'Im Zeitraum wurden keine Briefings erstellt.',
    csv: 'Als CSV herunterladen',
    print: 'Drucken',
  },
};

type Text = (typeof TEXT)['en'];

interface Column {
  key: string;
  label: (text: Text) => string;
  /** Under a group's header: the short label shown (the full one is what assistive technology reads). */
  group?: 'onTimeGroup' | 'medianGroup';
  short?: (text: Text) => string;
  value: (s: Scorecard) => number | string | null;
  show: (s: Scorecard) => string;
}

const STEP_KEYS = ['acknowledge', 'deliver', 'review'] as const;

const COLUMNS: Column[] = [
  { key: 'received', label: (t) => t.received, value: (s) => s.figures.briefs.received, show: (s) => String(s.figures.briefs.received) },
  ...STEP_KEYS.map(
    (step): Column => ({
      key: `${step}OnTime`,
      label: (t) => t.onTime(t.steps[step]),
      group: 'onTimeGroup',
      short: (t) => t.steps[step],
      value: (s) => s.figures[step].onTimePercent,
      show: (s) => formatPercent(s.figures[step].onTimePercent),
    }),
  ),
  ...STEP_KEYS.map(
    (step): Column => ({
      key: `${step}Median`,
      label: (t) => t.median(t.medianSteps[step]),
      group: 'medianGroup',
      short: (t) => t.steps[step],
      value: (s) => s.figures[step].medianMs,
      show: (s) => formatHours(s.figures[step].medianMs),
    }),
  ),
  { key: 'rounds', label: (t) => t.rounds, value: (s) => s.figures.rounds.mean, show: (s) => formatNumber(s.figures.rounds.mean) },
  { key: 'clarifications', label: (t) => t.clarifications, value: (s) => s.figures.clarifications.perBrief, show: (s) => formatNumber(s.figures.clarifications.perBrief, 2) },
  { key: 'escalations', label: (t) => t.escalations, value: (s) => s.figures.escalations.total, show: (s) => String(s.figures.escalations.total) },
];

type Sort = { key: string; direction: 'ascending' | 'descending' };

function SortButton({ column, sort, text, onSort }: { column: Column; sort: Sort; text: Text; onSort: (key: string) => void }) {
  return (
    <button type="button" class="sort" onClick={() => onSort(column.key)}>
      {column.short ? (
        <>
          <span aria-hidden="true">{column.short(text)}</span>
          <span class="visually-hidden">{column.label(text)}</span>
        </>
      ) : (
        column.label(text)
      )}
      <span class="sort-mark" aria-hidden="true">
        {sort.key === column.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
      </span>
    </button>
  );
}

export function Reports() {
  const text = useText(TEXT);
  const common = useCommon();
  const agreements = useText(AGREEMENT_TEXT);
  const { query, route } = useLocation();
  const current = session.value;
  const filters = filtersOf(query);
  const allParties = !!current && seesAllParties(current);
  const [report, setReport] = useState<ScorecardReport>();
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<Sort>({ key: 'party', direction: 'ascending' });
  const filterKey = queryString({ ...filters });

  useEffect(() => {
    // A party's own members have one scorecard: its page.
    if (current && !allParties) route(`${scorecardPath(current.member.partyId)}${filterKey}`, true);
  }, [allParties]);

  useEffect(() => {
    if (!allParties) return;
    let live = true;
    setError(null);
    loadReport(filters).then(
      (next) => live && setReport(next),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [filterKey, allParties]);

  if (!current || !allParties) return null;
  const update = (next: Partial<ReportFilters>) => route(`${APP_PATHS.reports}${queryString({ ...filters, ...next })}`, true);
  const partyName = (s: Scorecard) => (s.partyKind === 'ecommerce' ? common.ecommerceTeam : s.partyName);
  const columns: Column[] = [
    { key: 'party', label: (t) => t.party, value: (s) => partyName(s).toLocaleLowerCase(), show: partyName },
    { key: 'agreement', label: (t) => t.agreement, value: (s) => agreements[s.agreement], show: (s) => agreements[s.agreement] },
    ...COLUMNS,
  ];
  const sortColumn = columns.find((c) => c.key === sort.key) ?? columns[0];
  const rows = [...(report?.scorecards ?? [])].sort((a, b) => {
    const [x, y] = [sortColumn.value(a), sortColumn.value(b)];
    // Rows without the figure (nothing counted) stay at the bottom either way.
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), locale.value);
    return (sort.direction === 'ascending' ? order : -order) || partyName(a).localeCompare(partyName(b), locale.value);
  });
  const sortBy = (key: string) =>
    setSort((before) => ({ key, direction: before.key === key && before.direction === 'ascending' ? 'descending' : 'ascending' }));
  const periodFilters = { ...filters, from: filters.from || report?.from || '', to: filters.to || report?.to || '' };

  return (
    <section class="reports">
      <div class="row page-head">
        <h1>{text.title}</h1>
        <p class="actions no-print">
          <a href={csvHref(periodFilters)} download>
            {text.csv}
          </a>
          <button type="button" class="secondary" onClick={() => window.print()}>
            {text.print}
          </button>
        </p>
      </div>
      <p class="muted no-print">{text.intro}</p>
      <ReportFilterForm filters={filters} period={report} onChange={update} />
      <ErrorNote message={error} />
      {!report && !error && <p class="loading">{common.loading}</p>}
      {report && (
        <p class="period" role="status">
          {text.period(formatDay(report.from), formatDay(report.to), report.timezone)}
        </p>
      )}
      {report && rows.length === 0 && <p class="muted">{text.empty}</p>}
      {report && rows.length > 0 && (
        <div class="table-wrap" role="region" aria-label={text.table} tabIndex={0}>
          <table class="report-table">
            <caption class="visually-hidden">
              {text.table}
              {text.sortedBy(sortColumn.label(text), text[sort.direction])}
            </caption>
            <thead>
              <tr>
                {columns.map((column, index) => {
                  if (column.group) {
                    // A group's header spans its columns, once.
                    if (columns[index - 1]?.group === column.group) return null;
                    return (
                      <th key={column.group} scope="colgroup" colSpan={columns.filter((c) => c.group === column.group).length} class="group">
                        {text[column.group]}
                      </th>
                    );
                  }
                  return (
                    <th key={column.key} scope="col" rowSpan={2} aria-sort={sort.key === column.key ? sort.direction : undefined} class={column.key === 'party' || column.key === 'agreement' ? undefined : 'number'}>
                      <SortButton column={column} sort={sort} text={text} onSort={sortBy} />
                    </th>
                  );
                })}
              </tr>
              <tr>
                {columns
                  .filter((column) => column.group)
                  .map((column) => (
                    <th key={column.key} scope="col" aria-sort={sort.key === column.key ? sort.direction : undefined} class="number">
                      <SortButton column={column} sort={sort} text={text} onSort={sortBy} />
                    </th>
                  ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={`${s.partyId}/${s.agreement}`} data-party={s.partyId}>
                  <th scope="row">
                    <a href={`${scorecardPath(s.partyId)}${queryString({ ...filters, agreement: s.agreement })}`}>{partyName(s)}</a>
                  </th>
                  <td>{agreements[s.agreement]}</td>
                  {COLUMNS.map((column) => (
                    <td key={column.key} class="number" data-column={column.key}>
                      {column.show(s)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
