// The words of the monthly scorecard email in the recipient's language: per party and agreement,
// the briefs received, the on-time rates of acknowledgement, delivery and review, the median time
// to acknowledge and the escalations, each beside its change against the month before. Pure, with
// the look of the other emails (templates.ts): the delivery activity gathers the figures.
import { escapeHtml, formatSpan, type Locale } from '../../lib/i18n';
import { emailPage } from './email-page';
import type { RenderedEmail } from './outbox-email';

/** The figures of one party and agreement the email shows (a slice of the report's Figures). */
export interface ScorecardLineFigures {
  received: number;
  acknowledgeOnTimePercent: number | null;
  deliverOnTimePercent: number | null;
  reviewOnTimePercent: number | null;
  acknowledgeMedianMs: number | null;
  escalations: number;
}

export interface ScorecardLine {
  partyId: string;
  partyName: string;
  agreement: 'external' | 'internal';
  current: ScorecardLineFigures;
  /** The same party and agreement the month before; null when it had no briefs then. */
  previous: ScorecardLineFigures | null;
}

export interface ScorecardEmailInput {
  recipient: { name: string; locale: Locale };
  /** YYYY-MM */
  month: string;
  /** The recipient leads this party: its lines come first, under a heading of their own. */
  ownParty: { id: string; name: string } | null;
  /** Every party's lines (a manager's comparison), or only the own party's (a lead's). */
  lines: ScorecardLine[];
  comparison: boolean;
  /** The web app's scorecard page the email links to. */
  reportsUrl: string;
}


const WORDS = {
  en: {
    hello: 'Hello',
    subjectAll: (month: string) => `Scorecards for ${month}`,
    subjectOwn: (month: string, party: string) => `${party}'s scorecard for ${month}`,
    intro: (month: string) => `How the handoffs of briefs created in ${month} went.`,
    own: (party: string) => `${party}`,
    all: 'All parties',
    none: 'No briefs were created in this month.',
    agreement: { external: 'SLA', internal: 'OLA' },
    columns: ['Party', 'Briefs', 'Acknowledged on time', 'Delivered on time', 'Reviewed on time', 'Median time to acknowledge', 'Escalations'],
    change: 'In brackets: the change against the month before.',
    open: 'Open the scorecards',
    footer: 'You get this email once a month because you opted in to the scorecard email in your Handoff settings.',
    points: 'pts',
  },
  de: {
    hello: 'Hallo',
    subjectAll: (month: string) => `Scorecards für ${month}`,
    subjectOwn: (month: string, party: string) => `Scorecard von ${party} für ${month}`,
    intro: (month: string) => `So liefen die Übergaben der Briefings, die im ${month} erstellt wurden.`,
    own: (party: string) => `${party}`,
    all: 'Alle Parteien',
    none: 'In diesem Monat wurden keine Briefings erstellt.',
    agreement: { external: 'SLA', internal: 'OLA' },
    columns: ['Partei', 'Briefings', 'Rechtzeitig bestätigt', 'Rechtzeitig geliefert', 'Rechtzeitig geprüft', 'Median bis zur Bestätigung', 'Eskalationen'],
    change: 'In Klammern: die Veränderung gegenüber dem Vormonat.',
    open: 'Scorecards öffnen',
    footer: 'Sie erhalten diese E-Mail einmal im Monat, weil Sie die Scorecard-E-Mail in Ihren Handoff-Einstellungen gewählt haben.',
    points: 'Pkt.',
  },
} as const;

const INTL_LOCALE: Record<Locale, string> = { de: 'de-DE', en: 'en-GB' };

/** "November 2026" / "November 2026" (de: "Oktober 2026"). */
export function monthName(month: string, locale: Locale): string {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, number - 1, 15)));
}

const decimal = (value: number, locale: Locale, digits: number) =>
  new Intl.NumberFormat(INTL_LOCALE[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

const signed = (value: string, delta: number) => (delta > 0 ? `+${value}` : delta < 0 ? `−${value}` : `±${value}`);

function percent(now: number | null, before: number | null | undefined, locale: Locale): string {
  if (now === null) return '–';
  const shown = `${decimal(now, locale, 1)} %`;
  if (before === null || before === undefined) return shown;
  const delta = Math.round((now - before) * 10) / 10;
  return `${shown} (${signed(decimal(Math.abs(delta), locale, 1), delta)} ${WORDS[locale].points})`;
}

function count(now: number, before: number | undefined): string {
  if (before === undefined) return String(now);
  return `${now} (${signed(String(Math.abs(now - before)), now - before)})`;
}

function span(now: number | null, before: number | null | undefined, locale: Locale): string {
  if (now === null) return '–';
  const shown = formatSpan(now, locale);
  if (before === null || before === undefined) return shown;
  const delta = now - before;
  // Changes under a minute read as none.
  return Math.abs(delta) < 60_000 ? `${shown} (±0)` : `${shown} (${signed(formatSpan(Math.abs(delta), locale), delta)})`;
}

/** One table row's cells, in the order of WORDS.columns. */
function cells(line: ScorecardLine, locale: Locale): string[] {
  const { current: c, previous: p } = line;
  return [
    `${line.partyName} (${WORDS[locale].agreement[line.agreement]})`,
    count(c.received, p?.received),
    percent(c.acknowledgeOnTimePercent, p?.acknowledgeOnTimePercent, locale),
    percent(c.deliverOnTimePercent, p?.deliverOnTimePercent, locale),
    percent(c.reviewOnTimePercent, p?.reviewOnTimePercent, locale),
    span(c.acknowledgeMedianMs, p?.acknowledgeMedianMs, locale),
    count(c.escalations, p?.escalations),
  ];
}

interface Section {
  heading: string;
  lines: ScorecardLine[];
}

function sectionsOf(input: ScorecardEmailInput): Section[] {
  const words = WORDS[input.recipient.locale];
  const sections: Section[] = [];
  if (input.ownParty) sections.push({ heading: words.own(input.ownParty.name), lines: input.lines.filter((l) => l.partyId === input.ownParty?.id) });
  if (input.comparison) sections.push({ heading: words.all, lines: input.lines });
  return sections;
}

const TH = 'padding:4px 12px 4px 0;text-align:left;color:#555;font-weight:600;border-bottom:1px solid #ddd';
const TD = 'padding:4px 12px 4px 0;border-bottom:1px solid #eee;white-space:nowrap';

export function renderScorecardEmail(input: ScorecardEmailInput): RenderedEmail {
  const locale: Locale = input.recipient.locale === 'de' ? 'de' : 'en';
  const words = WORDS[locale];
  const month = monthName(input.month, locale);
  const subject = `[Handoff] ${input.comparison || !input.ownParty ? words.subjectAll(month) : words.subjectOwn(month, input.ownParty.name)}`.replace(/\s+/g, ' ');
  const greeting = `${words.hello} ${input.recipient.name},`;
  const sections = sectionsOf(input);
  const e = escapeHtml;

  const text: string[] = [greeting, '', words.intro(month)];
  for (const section of sections) {
    text.push('', section.heading, '-'.repeat(section.heading.length));
    if (section.lines.length === 0) text.push(words.none);
    for (const line of section.lines) {
      const values = cells(line, locale);
      text.push('', values[0], ...words.columns.slice(1).map((label, i) => `  ${label}: ${values[i + 1]}`));
    }
  }
  text.push('', words.change, '', `${words.open}: ${input.reportsUrl}`, '', '--', words.footer);

  const tables = sections
    .map((section) => {
      const body = section.lines.length
        ? `<table role="presentation" style="border-collapse:collapse;font-size:14px">
<tr>${words.columns.map((c) => `<th style="${TH}">${e(c)}</th>`).join('')}</tr>
${section.lines.map((line) => `<tr>${cells(line, locale).map((v) => `<td style="${TD}">${e(v)}</td>`).join('')}</tr>`).join('\n')}
</table>`
        : `<p style="margin:0">${e(words.none)}</p>`;
      return `<h2 style="font-size:16px;margin:20px 0 8px">${e(section.heading)}</h2>\n${body}`;
    })
    .join('\n');
  const html = emailPage({
    locale,
    subject,
    greeting,
    body: `<h1 style="font-size:20px;margin:0 0 12px">${e(subject.replace(/^\[Handoff\] /, ''))}</h1>
<p style="margin:0 0 16px">${e(words.intro(month))}</p>
${tables}
<p style="margin:12px 0 0;font-size:13px;color:#555">${e(words.change)}</p>`,
    open: { label: words.open, url: input.reportsUrl },
    footer: words.footer,
  });
  return { subject, text: `${text.join('\n')}\n`, html };
}
