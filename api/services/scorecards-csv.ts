// The scorecards as CSV for spreadsheets, headed in the caller's language: English with ',' and
// '.' decimals, German with ';' and ',' decimals (what German spreadsheet programs expect).
// UTF-8 with a byte order mark, CRLF line ends, RFC 4180 quoting; a cell that a spreadsheet would
// read as a formula (titles come from outside parties) starts with an apostrophe.
import type { Locale } from '../../lib/i18n';
import type { Figures, ScorecardBriefRow, ScorecardReport, StepFigures, StepSummary } from '../../services/scorecards/report';

type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const HOUR_MS = 3_600_000;

/** One CSV cell: formula-looking text defused, quoted when it holds the separator, a quote or a line break. */
export function csvCell(value: string, separator: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: byte order mark, header row, rows, every line ended by CRLF. */
export function csvDocument(locale: Locale, header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const separator = locale === 'de' ? ';' : ',';
  const line = (cells: readonly Cell[]) => cells.map((cell) => csvCell(cell === null ? '' : typeof cell === 'number' ? formatNumber(cell, locale) : cell, separator)).join(separator);
  return `\uFEFF${[header, ...rows].map((cells) => `${line(cells)}\r\n`).join('')}`;
}

function formatNumber(value: number, locale: Locale): string {
  const text = String(value);
  return locale === 'de' ? text.replace('.', ',') : text;
}

/** A number with exactly `digits` decimals, still a number for the separator rule (kept as text to keep its zeros). */
const fixed = (value: number | null, digits: number, locale: Locale): string | null => {
  if (value === null) return null;
  const text = value.toFixed(digits);
  return locale === 'de' ? text.replace('.', ',') : text;
};
const hours = (ms: number | null, locale: Locale) => fixed(ms === null ? null : ms / HOUR_MS, 2, locale);

const STEP_LABEL = {
  en: { acknowledge: 'Acknowledge', deliver: 'Deliver', review: 'Review' },
  de: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Abnahme' },
} as const;

const STEP_COLUMNS = {
  en: (step: string) => [`${step} counted`, `${step} on time`, `${step} on time %`, `${step} median (business hours)`, `${step} p90 (business hours)`],
  de: (step: string) => [`${step} gezählt`, `${step} pünktlich`, `${step} pünktlich %`, `${step} Median (Arbeitsstunden)`, `${step} p90 (Arbeitsstunden)`],
};

const REPORT_HEADER: Record<Locale, string[]> = {
  en: [
    'Party',
    'Party kind',
    'Agreement',
    'Week',
    'Week start',
    'Briefs received',
    'Open',
    'Approved',
    'Declined',
    'Cancelled',
    ...STEP_COLUMNS.en(STEP_LABEL.en.acknowledge),
    ...STEP_COLUMNS.en(STEP_LABEL.en.deliver),
    ...STEP_COLUMNS.en(STEP_LABEL.en.review),
    'Mean rounds per approved brief',
    'Clarifications',
    'Clarifications per brief',
    'Answer median (business hours)',
    'Escalations',
    'Escalations acknowledged',
    'Briefs held',
    'Held (business hours)',
  ],
  de: [
    'Partei',
    'Art',
    'Vereinbarung',
    'Woche',
    'Wochenbeginn',
    'Briefings erhalten',
    'Offen',
    'Abgenommen',
    'Abgelehnt',
    'Abgebrochen',
    ...STEP_COLUMNS.de(STEP_LABEL.de.acknowledge),
    ...STEP_COLUMNS.de(STEP_LABEL.de.deliver),
    ...STEP_COLUMNS.de(STEP_LABEL.de.review),
    'Runden je abgenommenem Briefing (Mittel)',
    'Rückfragen',
    'Rückfragen je Briefing',
    'Antwortzeit Median (Arbeitsstunden)',
    'Eskalationen',
    'Eskalationen bestätigt',
    'Briefings angehalten',
    'Angehalten (Arbeitsstunden)',
  ],
};

const AGREEMENT_LABEL: Record<Locale, Record<string, string>> = {
  en: { external: 'external (SLA)', internal: 'internal (OLA)' },
  de: { external: 'extern (SLA)', internal: 'intern (OLA)' },
};

function stepCells(step: StepFigures, locale: Locale): Cell[] {
  return [step.counted, step.onTime, fixed(step.onTimePercent, 1, locale), hours(step.medianMs, locale), hours(step.p90Ms, locale)];
}

function figureCells(figures: Figures, locale: Locale): Cell[] {
  const { briefs, rounds, clarifications, escalations, held } = figures;
  return [
    briefs.received,
    briefs.open,
    briefs.approved,
    briefs.declined,
    briefs.cancelled,
    ...stepCells(figures.acknowledge, locale),
    ...stepCells(figures.deliver, locale),
    ...stepCells(figures.review, locale),
    fixed(rounds.mean, 2, locale),
    clarifications.count,
    fixed(clarifications.perBrief, 2, locale),
    hours(clarifications.answerMedianMs, locale),
    escalations.total,
    escalations.acknowledged,
    held.briefs,
    hours(held.totalMs, locale),
  ];
}

/** One row per scorecard for the whole period (week empty), each followed by its weekly rows. */
export function scorecardReportCsv(report: ScorecardReport, locale: Locale): string {
  const rows = report.scorecards.flatMap((card) => {
    const party = [card.partyName, card.partyKind, AGREEMENT_LABEL[locale][card.agreement] ?? card.agreement];
    return [[...party, null, null, ...figureCells(card.figures, locale)], ...card.weeks.map((week) => [...party, week.week, week.start, ...figureCells(week.figures, locale)])];
  });
  return csvDocument(locale, REPORT_HEADER[locale], rows);
}

const BRIEF_HEADER: Record<Locale, string[]> = {
  en: [
    'Brief',
    'Title',
    'Status',
    'Priority',
    'Agreement',
    'Created',
    'Outcome',
    'Rounds',
    'Clarifications',
    'Held (business hours)',
    'Acknowledge (business hours)',
    'Acknowledge late',
    'Deliver (business hours)',
    'Deliver late',
    'Review (business hours)',
    'Review late',
    'Answer median (business hours)',
    'Escalations',
  ],
  de: [
    'Briefing',
    'Titel',
    'Status',
    'Priorität',
    'Vereinbarung',
    'Erstellt',
    'Ergebnis',
    'Runden',
    'Rückfragen',
    'Angehalten (Arbeitsstunden)',
    'Bestätigung (Arbeitsstunden)',
    'Bestätigung verspätet',
    'Lieferung (Arbeitsstunden)',
    'Lieferung verspätet',
    'Abnahme (Arbeitsstunden)',
    'Abnahme verspätet',
    'Antwortzeit Median (Arbeitsstunden)',
    'Eskalationen',
  ],
};

const OUTCOME_LABEL: Record<Locale, Record<string, string>> = {
  en: { open: 'open', approved: 'approved', declined: 'declined', cancelled: 'cancelled' },
  de: { open: 'offen', approved: 'abgenommen', declined: 'abgelehnt', cancelled: 'abgebrochen' },
};

const summaryCells = (summary: StepSummary | null, locale: Locale): Cell[] => (summary ? [hours(summary.businessMs, locale), summary.late] : [null, null]);

/** One row per brief. */
export function scorecardBriefsCsv(briefs: readonly ScorecardBriefRow[], locale: Locale): string {
  const rows = briefs.map((brief) => [
    brief.briefId,
    brief.title,
    brief.status,
    brief.priority,
    AGREEMENT_LABEL[locale][brief.agreement] ?? brief.agreement,
    brief.createdAt,
    OUTCOME_LABEL[locale][brief.outcome] ?? brief.outcome,
    brief.rounds,
    brief.clarifications,
    hours(brief.heldMs, locale),
    ...summaryCells(brief.acknowledge, locale),
    ...summaryCells(brief.deliver, locale),
    ...summaryCells(brief.review, locale),
    hours(brief.answerMedianMs, locale),
    brief.escalations.reduce((sum, e) => sum + e.count, 0),
  ]);
  return csvDocument(locale, BRIEF_HEADER[locale], rows);
}
