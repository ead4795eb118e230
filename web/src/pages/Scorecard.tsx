// One party's scorecard: its figures for the briefs created in the period, the on-time trend by
// week, the time-to-acknowledge distribution and the rounds per approved brief; below, the briefs
// behind a figure. A click on a figure, a week of the trend or a bar of the rounds traces it to
// its briefs (the API's `trace` and `week`), each linking to the brief's page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { ApiProblem } from '../api/client';
import { Chart } from '../components/charts';
import { AGREEMENT_TEXT, ReportFilterForm } from '../components/ReportFilters';
import {
  bucketLabel,
  csvHref,
  filtersOf,
  formatDay,
  formatHours,
  formatNumber,
  formatPercent,
  loadDetail,
  queryString,
  seesAllParties,
  shortWeek,
  STEPS,
  type ReportFilters,
  type Scorecard as ScorecardData,
  type ScorecardBriefRow,
  type ScorecardDetail,
  type StepName,
  type StepSummary,
} from '../components/scorecards';
import { formatInstant, useCommon, useText } from '../i18n';
import { APP_PATHS, briefPath, scorecardPath } from '../paths';
import { session } from '../session';
import { NotFound } from './NotFound';
import { ErrorNote } from '../components/error-note';

const TEXT = {
  en: {
    all: 'All scorecards',
    period: (from: string, to: string, zone: string) => `Briefs created ${from} – ${to} (${zone})`,
    figures: 'Figures',
    received: 'Briefs received',
    onTimeTitle: { acknowledge: 'Acknowledged on time', deliver: 'Delivered on time', review: 'Reviewed on time (e-commerce team)' },
    medianTitle: { acknowledge: 'Time to acknowledge', deliver: 'Time to deliver', review: 'Time to review (e-commerce team)' },
    steps: { acknowledge: 'acknowledge', deliver: 'deliver', review: 'review' },
    stepColumn: { acknowledge: 'Acknowledge', deliver: 'Deliver', review: 'Review' },
    ofCounted: (onTime: number, counted: number) => `${onTime} of ${counted}`,
    onTime: (n: number) => `${n} on time`,
    late: (n: number) => `${n} late`,
    median: 'median',
    p90: (value: string) => `90 % within ${value}`,
    outcomes: { approved: 'Approved', declined: 'Declined', cancelled: 'Cancelled', open: 'Still open' },
    rounds: 'Rounds per approved brief',
    approvedBriefs: (n: number) => `${n} approved`,
    clarifications: 'Questions per brief',
    questions: (n: number, answer: string) => (n === 0 ? '0 asked' : `${n} asked · answered in ${answer} (median)`),
    escalations: 'Escalations',
    escalationsDetail: (acknowledged: number, levels: string) => `${acknowledged} acknowledged${levels ? ` · ${levels}` : ''}`,
    level: (level: number, count: number) => `level ${level}: ${count}`,
    held: 'Briefs held',
    heldFor: (time: string) => `held ${time} in all`,
    charts: 'Charts',
    trend: 'On time by week of creation',
    trendSummary: (weeks: number, first: string, last: string, latest: string) =>
      weeks === 0
        ? 'On time by week of creation: no briefs in this period.'
        : weeks === 1
          ? `On-time share of acknowledgements, deliveries and reviews in week ${first}: ${latest}.`
          : `On-time share of acknowledgements, deliveries and reviews for ${weeks} weeks, ${first} to ${last}. Week ${last}: ${latest}.`,
    histogram: 'Time to acknowledge (business hours)',
    histogramSummary: (done: number, median: string, p90: string, top: string) =>
      done === 0 ? 'Time to acknowledge: no brief acknowledged in this period.' : `Time to acknowledge for ${done} acknowledged brief${done === 1 ? '' : 's'}: median ${median}, 90 % within ${p90}. Most often ${top}.`,
    roundsChart: 'Delivery rounds per approved brief',
    roundsSummary: (approved: number, mean: string, parts: string) =>
      approved === 0 ? 'Delivery rounds per approved brief: no approved brief in this period.' : `Delivery rounds of ${approved} approved brief${approved === 1 ? '' : 's'}, ${mean} on average: ${parts}.`,
    roundsPart: (rounds: number, briefs: number) => `${rounds} round${rounds === 1 ? '' : 's'}: ${briefs} brief${briefs === 1 ? '' : 's'}`,
    week: 'Week',
    bucket: 'Time to acknowledge',
    count: 'Briefs',
    roundsColumn: 'Rounds',
    showWeek: (week: string) => `Show the briefs of ${week}`,
    showRounds: (rounds: number) => `Show the briefs approved after ${rounds} round${rounds === 1 ? '' : 's'}`,
    noData: 'Nothing to draw yet.',
    briefs: 'Briefs',
    allBriefs: 'All briefs of the period',
    traced: { 'acknowledge.onTime': 'acknowledged on time', 'acknowledge.late': 'acknowledged late', 'deliver.onTime': 'delivered on time', 'deliver.late': 'delivered late', 'review.onTime': 'reviewed on time', 'review.late': 'reviewed late', approved: 'approved', declined: 'declined', cancelled: 'cancelled', open: 'still open', clarified: 'with questions', escalated: 'escalated', held: 'held' } as Record<string, string>,
    tracedRounds: (n: string) => `approved after ${n} round${n === '1' ? '' : 's'}`,
    inWeek: (week: string) => `created in week ${week}`,
    showAll: 'Show all briefs',
    title: 'Brief',
    created: 'Created',
    status: 'Status',
    priority: 'Priority',
    questionsColumn: 'Questions',
    noBriefs: 'No briefs match.',
    more: 'More briefs',
    stepOpen: 'open',
    stepOnTime: 'on time',
    stepLate: (n: number) => (n === 1 ? 'late' : `${n} late`),
    times: (n: number) => `${n}×`,
    empty: 'No briefs were created for this party in the period.',
    csv: 'Download the briefs as CSV',
    print: 'Print',
  },
  de: {
    all: 'Alle Kennzahlen',
    period: (from: string, to: string, zone: string) => `Briefings erstellt ${from} – ${to} (${zone})`,
    figures: 'Zahlen',
    received: 'Erhaltene Briefings',
    onTimeTitle: { acknowledge: 'Pünktlich bestätigt', deliver: 'Pünktlich geliefert', review: 'Pünktlich geprüft (E-Commerce-Team)' },
    medianTitle: { acknowledge: 'Zeit bis zur Bestätigung', deliver: 'Zeit bis zur Lieferung', review: 'Zeit bis zur Prüfung (E-Commerce-Team)' },
    steps: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' },
    stepColumn: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' },
    ofCounted: (onTime: number, counted: number) => `${onTime} von ${counted}`,
    onTime: (n: number) => `${n} pünktlich`,
    late: (n: number) => `${n} verspätet`,
    median: 'Median',
    p90: (value: string) => `90 % in ${value}`,
    outcomes: { approved: 'Freigegeben', declined: 'Abgelehnt', cancelled: 'Storniert', open: 'Noch offen' },
    rounds: 'Runden je freigegebenem Briefing',
    approvedBriefs: (n: number) => `${n} freigegeben`,
    clarifications: 'Rückfragen je Briefing',
    questions: (n: number, answer: string) => (n === 0 ? '0 gestellt' : `${n} gestellt · beantwortet in ${answer} (Median)`),
    escalations: 'Eskalationen',
    escalationsDetail: (acknowledged: number, levels: string) => `${acknowledged} bestätigt${levels ? ` · ${levels}` : ''}`,
    level: (level: number, count: number) => `Stufe ${level}: ${count}`,
    held: 'Pausierte Briefings',
    heldFor: (time: string) => `insgesamt ${time} pausiert`,
    charts: 'Diagramme',
    trend: 'Pünktlich nach Erstellungswoche',
    trendSummary: (weeks: number, first: string, last: string, latest: string) =>
      weeks === 0
        ? 'Pünktlich nach Erstellungswoche: keine Briefings im Zeitraum.'
        : weeks === 1
          ? `Anteil pünktlicher Bestätigungen, Lieferungen und Prüfungen in Woche ${first}: ${latest}.`
          : `Anteil pünktlicher Bestätigungen, Lieferungen und Prüfungen in ${weeks} Wochen, ${first} bis ${last}. Woche ${last}: ${latest}.`,
    histogram: 'Zeit bis zur Bestätigung (Arbeitsstunden)',
    histogramSummary: (done: number, median: string, p90: string, top: string) =>
      done === 0 ? 'Zeit bis zur Bestätigung: im Zeitraum kein Briefing bestätigt.' : `Zeit bis zur Bestätigung für ${done} bestätigte Briefing${done === 1 ? '' : 's'}: Median ${median}, 90 % in ${p90}. Am häufigsten ${top}.`,
    roundsChart: 'Lieferrunden je freigegebenem Briefing',
    roundsSummary: (approved: number, mean: string, parts: string) =>
      approved === 0 ? 'Lieferrunden je freigegebenem Briefing: im Zeitraum kein Briefing freigegeben.' : `Lieferrunden von ${approved} freigegebenen Briefing${approved === 1 ? '' : 's'}, im Mittel ${mean}: ${parts}.`,
    roundsPart: (rounds: number, briefs: number) => `${rounds} Runde${rounds === 1 ? '' : 'n'}: ${briefs} Briefing${briefs === 1 ? '' : 's'}`,
    week: 'Woche',
    bucket: 'Zeit bis zur Bestätigung',
    count: 'Briefings',
    roundsColumn: 'Runden',
    showWeek: (week: string) => `Briefings der ${week} zeigen`,
    showRounds: (rounds: number) => `Nach ${rounds} Runde${rounds === 1 ? '' : 'n'} freigegebene Briefings zeigen`,
    noData: 'Noch nichts darzustellen.',
    briefs: 'Briefings',
    allBriefs: 'Alle Briefings des Zeitraums',
    traced: { 'acknowledge.onTime': 'pünktlich bestätigt', 'acknowledge.late': 'verspätet bestätigt', 'deliver.onTime': 'pünktlich geliefert', 'deliver.late': 'verspätet geliefert', 'review.onTime': 'pünktlich geprüft', 'review.late': 'verspätet geprüft', approved: 'freigegeben', declined: 'abgelehnt', cancelled: 'storniert', open: 'noch offen', clarified: 'mit Rückfragen', escalated: 'eskaliert', held: 'pausiert' } as Record<string, string>,
    tracedRounds: (n: string) => `nach ${n} Runde${n === '1' ? '' : 'n'} freigegeben`,
    inWeek: (week: string) => `erstellt in Woche ${week}`,
    showAll: 'Alle Briefings zeigen',
    title: 'Briefing',
    created: 'Erstellt',
    status: 'Status',
    priority: 'Priorität',
    questionsColumn: 'Rückfragen',
    noBriefs: 'Keine Briefings.',
    more: 'Weitere Briefings',
    stepOpen: 'offen',
    stepOnTime: 'pünktlich',
    stepLate: (n: number) => (n === 1 ? 'verspätet' : `${n} verspätet`),
    times: (n: number) => `${n}×`,
    empty: 'Für diesen Partner wurden im Zeitraum keine Briefings erstellt.',
    csv: 'Briefings als CSV herunterladen',
    print: 'Drucken',
  },
};

type Text = (typeof TEXT)['en'];
type TraceQuery = { trace?: string; week?: string };

/** The step's figures of one brief: "2× · 5.5 h · 1 late", "open". */
function stepCell(step: StepSummary | null, text: Text): string {
  if (!step) return '–';
  const parts: string[] = [];
  if (step.steps > 1) parts.push(text.times(step.steps));
  if (step.done > 0) parts.push(formatHours(step.businessMs));
  if (step.open) parts.push(text.stepOpen);
  parts.push(step.late > 0 ? text.stepLate(step.late) : step.done > 0 ? text.stepOnTime : '');
  return parts.filter(Boolean).join(' · ') || '–';
}

/** A figure's link to its briefs; its name starts with the figure's label (`context`), read before the visible text. */
function FigureButton({ context, trace, current, onTrace, children }: { context?: string; trace: string; current: string | undefined; onTrace: (trace: string) => void; children: preact.ComponentChildren }) {
  return (
    <button type="button" class="link trace" aria-pressed={current === trace} onClick={() => onTrace(trace)}>
      {context && <span class="visually-hidden">{context}: </span>}
      {children}
    </button>
  );
}

function Figures({ scorecard, trace, onTrace, text }: { scorecard: ScorecardData; trace: string | undefined; onTrace: (trace: string) => void; text: Text }) {
  const f = scorecard.figures;
  const levels = f.escalations.byLevel.map((l) => text.level(l.level, l.count)).join(', ');
  return (
    <ul class="figures scorecard-figures">
      <li>
        <span class="figure-label">{text.received}</span>
        <span class="figure">{f.briefs.received}</span>
        {(['approved', 'declined', 'cancelled', 'open'] as const).map((outcome) => (
          <span key={outcome} class="figure-detail">
            <FigureButton trace={outcome} current={trace} onTrace={onTrace}>
              {text.outcomes[outcome]} {f.briefs[outcome]}
            </FigureButton>
          </span>
        ))}
      </li>
      {STEPS.map((step) => (
        <li key={step} data-figure={`${step}.onTime`}>
          <span class="figure-label">{text.onTimeTitle[step]}</span>
          <span class="figure">{formatPercent(f[step].onTimePercent)}</span>
          <span class="figure-detail muted">{text.ofCounted(f[step].onTime, f[step].counted)}</span>
          <span class="figure-detail">
            <FigureButton context={text.onTimeTitle[step]} trace={`${step}.onTime`} current={trace} onTrace={onTrace}>
              {text.onTime(f[step].onTime)}
            </FigureButton>
            {' · '}
            <FigureButton context={text.onTimeTitle[step]} trace={`${step}.late`} current={trace} onTrace={onTrace}>
              {text.late(f[step].counted - f[step].onTime)}
            </FigureButton>
          </span>
        </li>
      ))}
      {STEPS.map((step) => (
        <li key={`${step}-median`}>
          <span class="figure-label">
            {text.medianTitle[step]} ({text.median})
          </span>
          <span class="figure">{formatHours(f[step].medianMs)}</span>
          <span class="figure-detail muted">{text.p90(formatHours(f[step].p90Ms))}</span>
        </li>
      ))}
      <li>
        <span class="figure-label">{text.rounds}</span>
        <span class="figure">{formatNumber(f.rounds.mean)}</span>
        <span class="figure-detail">
          <FigureButton context={text.rounds} trace="approved" current={trace} onTrace={onTrace}>
            {text.approvedBriefs(f.rounds.approvedBriefs)}
          </FigureButton>
        </span>
      </li>
      <li>
        <span class="figure-label">{text.clarifications}</span>
        <span class="figure">{formatNumber(f.clarifications.perBrief, 2)}</span>
        <span class="figure-detail">
          <FigureButton context={text.clarifications} trace="clarified" current={trace} onTrace={onTrace}>
            {text.questions(f.clarifications.count, formatHours(f.clarifications.answerMedianMs))}
          </FigureButton>
        </span>
      </li>
      <li class={f.escalations.total > 0 ? 'high' : undefined}>
        <span class="figure-label">{text.escalations}</span>
        <span class="figure">{f.escalations.total}</span>
        <span class="figure-detail">
          <FigureButton context={text.escalations} trace="escalated" current={trace} onTrace={onTrace}>
            {text.escalationsDetail(f.escalations.acknowledged, levels)}
          </FigureButton>
        </span>
      </li>
      <li>
        <span class="figure-label">{text.held}</span>
        <span class="figure">{f.held.briefs}</span>
        <span class="figure-detail">
          <FigureButton context={text.held} trace="held" current={trace} onTrace={onTrace}>
            {text.heldFor(formatHours(f.held.totalMs))}
          </FigureButton>
        </span>
      </li>
    </ul>
  );
}

function Charts({ scorecard, traced, onTrace, text }: { scorecard: ScorecardData; traced: TraceQuery; onTrace: (next: TraceQuery) => void; text: Text }) {
  const common = useCommon();
  const id = (name: string) => `${name}-${scorecard.agreement}`;
  const weeks = scorecard.weeks;
  const stepNames = STEPS.map((step) => common.clock[step]);
  const latest = weeks.at(-1);
  const trendSummary = text.trendSummary(
    weeks.length,
    weeks[0]?.week ?? '',
    latest?.week ?? '',
    latest ? STEPS.map((step, i) => `${stepNames[i]} ${formatPercent(latest.figures[step].onTimePercent)}`).join(', ') : '',
  );

  const ack = scorecard.figures.acknowledge;
  const buckets = ack.histogram.map((b, i) => bucketLabel(b.upToMs, ack.histogram[i - 1]?.upToMs));
  const topIndex = ack.histogram.reduce((best, b, i) => (b.count > (ack.histogram[best]?.count ?? -1) ? i : best), 0);
  const histogramSummary = text.histogramSummary(ack.done, formatHours(ack.medianMs), formatHours(ack.p90Ms), `${buckets[topIndex] ?? ''} (${ack.histogram[topIndex]?.count ?? 0})`);

  const rounds = scorecard.figures.rounds;
  const maxRounds = Math.max(0, ...rounds.distribution.map((d) => d.rounds));
  const roundRows = Array.from({ length: maxRounds }, (_, i) => ({ rounds: i + 1, briefs: rounds.distribution.find((d) => d.rounds === i + 1)?.briefs ?? 0 }));
  const roundsSummary = text.roundsSummary(rounds.approvedBriefs, formatNumber(rounds.mean), roundRows.map((r) => text.roundsPart(r.rounds, r.briefs)).join('; '));
  const tracedRounds = traced.trace?.startsWith('rounds.') ? Number(traced.trace.slice('rounds.'.length)) : null;

  return (
    <div class="charts">
      <Chart
        id={id('trend')}
        kind="line"
        title={text.trend}
        summary={trendSummary}
        labels={weeks.map((w) => shortWeek(w.week))}
        series={STEPS.map((step, i) => ({ name: stepNames[i], values: weeks.map((w) => w.figures[step].onTimePercent) }))}
        high={100}
        formatValue={(v) => `${v} %`}
        selected={traced.week ? weeks.findIndex((w) => w.week === traced.week) : null}
        onSelect={(index) => weeks[index] && onTrace({ week: weeks[index].week })}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">{text.week}</th>
                {stepNames.map((name) => (
                  <th key={name} scope="col" class="number">
                    {name}
                  </th>
                ))}
                <th scope="col" class="number">
                  {text.count}
                </th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w.week}>
                  <th scope="row">
                    <button type="button" class="link" aria-label={text.showWeek(w.week)} onClick={() => onTrace({ week: w.week })}>
                      {w.week}
                    </button>
                  </th>
                  {STEPS.map((step) => (
                    <td key={step} class="number">
                      {formatPercent(w.figures[step].onTimePercent)}
                    </td>
                  ))}
                  <td class="number">{w.figures.briefs.received}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <Chart
        id={id('acknowledge-times')}
        kind="bar"
        title={text.histogram}
        summary={histogramSummary}
        labels={ack.histogram.map((b, i) => bucketLabel(b.upToMs, ack.histogram[i - 1]?.upToMs, true))}
        series={[{ name: text.count, values: ack.histogram.map((b) => b.count) }]}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">{text.bucket}</th>
                <th scope="col" class="number">
                  {text.count}
                </th>
              </tr>
            </thead>
            <tbody>
              {ack.histogram.map((b, i) => (
                <tr key={buckets[i]}>
                  <th scope="row">{buckets[i]}</th>
                  <td class="number">{b.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <Chart
        id={id('rounds')}
        kind="bar"
        title={text.roundsChart}
        summary={roundsSummary}
        labels={roundRows.map((r) => String(r.rounds))}
        series={[{ name: text.count, values: roundRows.map((r) => r.briefs) }]}
        selected={tracedRounds ? tracedRounds - 1 : null}
        onSelect={(index) => onTrace({ trace: `rounds.${index + 1}` })}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">{text.roundsColumn}</th>
                <th scope="col" class="number">
                  {text.count}
                </th>
              </tr>
            </thead>
            <tbody>
              {roundRows.map((r) => (
                <tr key={r.rounds}>
                  <th scope="row">
                    <button type="button" class="link" aria-label={text.showRounds(r.rounds)} onClick={() => onTrace({ trace: `rounds.${r.rounds}` })}>
                      {r.rounds}
                    </button>
                  </th>
                  <td class="number">{r.briefs}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
    </div>
  );
}

function BriefRows({ items, text }: { items: ScorecardBriefRow[]; text: Text }) {
  const common = useCommon();
  return (
    <table class="cards scorecard-briefs">
      <thead>
        <tr>
          <th scope="col">{text.title}</th>
          <th scope="col">{text.created}</th>
          <th scope="col">{text.status}</th>
          <th scope="col">{text.priority}</th>
          {STEPS.map((step) => (
            <th key={step} scope="col">
              {text.stepColumn[step]}
            </th>
          ))}
          <th scope="col">{text.questionsColumn}</th>
          <th scope="col">{text.escalations}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((brief) => (
          <tr key={brief.briefId} data-brief={brief.briefId}>
            <th scope="row">
              <a href={briefPath(brief.briefId)}>{brief.title}</a>
            </th>
            <td data-label={text.created}>
              <time dateTime={brief.createdAt}>{formatInstant(brief.createdAt, true)}</time>
            </td>
            <td data-label={text.status}>{common.status[brief.status] ?? brief.status}</td>
            <td data-label={text.priority}>{brief.priority}</td>
            {STEPS.map((step: StepName) => (
              <td key={step} data-label={text.stepColumn[step]}>
                {stepCell(brief[step], text)}
              </td>
            ))}
            <td data-label={text.questionsColumn}>{brief.clarifications}</td>
            <td data-label={text.escalations}>{brief.escalations.reduce((sum, e) => sum + e.count, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Scorecard() {
  const text = useText(TEXT);
  const common = useCommon();
  const agreements = useText(AGREEMENT_TEXT);
  const { params } = useRoute();
  const { query, route } = useLocation();
  const partyId = params.partyId ?? '';
  const filters = filtersOf(query);
  const traced: TraceQuery = { trace: query.trace || undefined, week: query.week || undefined };
  const [detail, setDetail] = useState<ScorecardDetail>();
  const [briefs, setBriefs] = useState<ScorecardBriefRow[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const briefsHeading = useRef<HTMLHeadingElement>(null);
  const focusBriefs = useRef(false);
  const key = `${partyId}${queryString({ ...filters, ...traced })}`;
  // The query whose briefs are shown: the list says whether it is the one asked for yet.
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const current = session.value;

  useEffect(() => {
    let live = true;
    setError(null);
    loadDetail(partyId, filters, traced).then(
      (next) => {
        if (!live) return;
        setDetail(next);
        setBriefs(next.briefs.items);
        setNextCursor(next.briefs.nextCursor);
        setLoadedKey(key);
        setMissing(false);
        if (focusBriefs.current) {
          focusBriefs.current = false;
          briefsHeading.current?.focus();
          briefsHeading.current?.scrollIntoView({ block: 'start' });
        }
      },
      (err: unknown) => {
        if (!live) return;
        if (err instanceof ApiProblem && err.problem.status === 404) setMissing(true);
        else setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [key]);

  if (missing) return <NotFound />;
  if (!current) return null;
  const go = (next: Partial<ReportFilters> & TraceQuery, replace: boolean) => route(`${scorecardPath(partyId)}${queryString({ ...filters, ...traced, ...next })}`, replace);
  const update = (next: Partial<ReportFilters>) => go(next, true);
  const trace = (next: TraceQuery) => {
    focusBriefs.current = true;
    go({ trace: next.trace ?? '', week: next.week ?? '' }, false);
  };
  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await loadDetail(partyId, filters, traced, nextCursor);
      setBriefs((before) => [...before, ...page.briefs.items]);
      setNextCursor(page.briefs.nextCursor);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoadingMore(false);
    }
  };
  const partyName = detail ? (detail.party.kind === 'ecommerce' ? common.ecommerceTeam : detail.party.name) : '';
  const tracedLabel = [
    traced.trace ? (traced.trace.startsWith('rounds.') ? text.tracedRounds(traced.trace.slice('rounds.'.length)) : (text.traced[traced.trace] ?? traced.trace)) : '',
    traced.week ? text.inWeek(traced.week) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const periodFilters = detail ? { ...filters, from: filters.from || detail.from, to: filters.to || detail.to } : filters;

  return (
    <section class="scorecard">
      {seesAllParties(current) && (
        <p class="no-print">
          <a href={`${APP_PATHS.reports}${queryString({ ...filters })}`}>← {text.all}</a>
        </p>
      )}
      <div class="row page-head">
        <h1>{detail ? partyName : common.loading}</h1>
        <p class="actions no-print">
          <a href={csvHref(periodFilters, partyId, traced)} download>
            {text.csv}
          </a>
          <button type="button" class="secondary" onClick={() => window.print()}>
            {text.print}
          </button>
        </p>
      </div>
      <ReportFilterForm filters={filters} period={detail} onChange={update} />
      <ErrorNote message={error} />
      {!detail && !error && <p class="loading">{common.loading}</p>}
      {detail && (
        <p class="period" role="status">
          {text.period(formatDay(detail.from), formatDay(detail.to), detail.timezone)}
        </p>
      )}
      {detail && detail.scorecards.length === 0 && <p class="muted">{text.empty}</p>}
      {detail?.scorecards.map((scorecard) => (
        <section key={scorecard.agreement} class="agreement" aria-labelledby={`agreement-${scorecard.agreement}`}>
          <h2 id={`agreement-${scorecard.agreement}`}>{agreements[scorecard.agreement]}</h2>
          <h3 class="visually-hidden">{text.figures}</h3>
          <Figures scorecard={scorecard} trace={traced.trace} onTrace={(t) => trace({ trace: t, week: traced.week })} text={text} />
          <h3 class="visually-hidden">{text.charts}</h3>
          <Charts scorecard={scorecard} traced={traced} onTrace={trace} text={text} />
        </section>
      ))}
      {detail && (
        <section class="traced-briefs" aria-labelledby="traced-briefs" aria-busy={loadedKey !== key} data-loaded={loadedKey === key ? 'true' : 'false'}>
          <div class="row page-head">
            <h2 id="traced-briefs" tabIndex={-1} ref={briefsHeading}>
              {text.briefs}: {tracedLabel || text.allBriefs}
            </h2>
            {tracedLabel && (
              <p class="actions no-print">
                <button type="button" class="secondary" onClick={() => trace({})}>
                  {text.showAll}
                </button>
              </p>
            )}
          </div>
          {briefs.length === 0 ? <p class="muted">{text.noBriefs}</p> : <BriefRows items={briefs} text={text} />}
          {nextCursor && (
            <p class="no-print">
              <button type="button" class="secondary" disabled={loadingMore} onClick={() => void loadMore()}>
                {loadingMore ? common.loading : text.more}
              </button>
            </p>
          )}
        </section>
      )}
    </section>
  );
}
