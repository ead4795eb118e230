// The words of the notice to a program's owner that a brief of the program was declined or
// cancelled and holds others: which program and brief, how it ended and why, the briefs it holds,
// and what to do (replace or drop it), in the owner's language. Pure, with the look of the other
// emails (templates.ts). Titles, names and reasons come from outside parties: every one of them is
// escaped in the HTML, and kept to one line where a line is expected.
import { escapeHtml, type Locale } from '../../lib/i18n';
import { emailPage } from './email-page';
import type { RenderedEmail } from './outbox-email';

export interface ProgramHeldNoticeEmailInput {
  recipient: { name: string; locale: Locale };
  program: { id: string; name: string };
  /** The brief that ended, by its key in the program, its title and the party it was for. */
  brief: { key: string; title: string; partyName: string };
  outcome: 'declined' | 'cancelled';
  /** Why, as the party (or whoever cancelled) said; null when no reason was given. */
  reason: string | null;
  /** The briefs it holds, in the program's order. */
  held: { key: string; title: string }[];
  /** The program's page in the web app. */
  programUrl: string;
}


const WORDS = {
  en: {
    hello: 'Hello',
    subject: (program: string, brief: string, outcome: string) => `Program “${program}”: “${brief}” was ${outcome} — replace or drop it`,
    headline: (brief: string, party: string, outcome: string) => `“${brief}” (${party}) was ${outcome}`,
    holds: (count: number) => (count === 1 ? 'One brief of the program waits for it.' : `${count} briefs of the program wait for it.`),
    holdsNone: 'No other brief waits for it, but the program cannot finish until it is replaced or dropped.',
    ask: 'Please replace it (a new brief, e.g. for another party, starts at once) or drop it (the briefs that waited for it alone start).',
    outcome: { declined: 'declined', cancelled: 'cancelled' },
    program: 'Program',
    brief: 'Brief',
    key: 'key',
    party: 'Party',
    reason: 'Reason',
    held: 'Held briefs',
    api: 'Through the API',
    open: 'Open the program',
    footer: 'You receive this because you own this program in Handoff.',
  },
  de: {
    hello: 'Hallo',
    subject: (program: string, brief: string, outcome: string) => `Programm „${program}“: „${brief}“ wurde ${outcome} – ersetzen oder streichen Sie es`,
    headline: (brief: string, party: string, outcome: string) => `„${brief}“ (${party}) wurde ${outcome}`,
    holds: (count: number) => (count === 1 ? 'Ein Briefing des Programms wartet darauf.' : `${count} Briefings des Programms warten darauf.`),
    holdsNone: 'Kein anderes Briefing wartet darauf, aber das Programm kann erst enden, wenn es ersetzt oder gestrichen ist.',
    ask: 'Bitte ersetzen Sie es (ein neues Briefing, z. B. für einen anderen Partner, startet sofort) oder streichen Sie es (die Briefings, die nur darauf gewartet haben, starten dann).',
    outcome: { declined: 'abgelehnt', cancelled: 'storniert' },
    program: 'Programm',
    brief: 'Briefing',
    key: 'Schlüssel',
    party: 'Partner',
    reason: 'Begründung',
    held: 'Wartende Briefings',
    api: 'Über die API',
    open: 'Programm öffnen',
    footer: 'Sie erhalten diese Nachricht, weil Sie dieses Programm in Handoff verantworten.',
  },
} as const;

/** A field shown on one line (a subject, a fact): whatever line breaks it holds become spaces. */
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();


export function renderProgramHeldNotice(input: ProgramHeldNoticeEmailInput): RenderedEmail {
  const locale: Locale = input.recipient.locale === 'de' ? 'de' : 'en';
  const words = WORDS[locale];
  const outcome = words.outcome[input.outcome];
  const programName = oneLine(input.program.name);
  const title = oneLine(input.brief.title);
  const party = oneLine(input.brief.partyName);
  const subject = oneLine(`[Handoff] ${words.subject(programName, title, outcome)}`);
  const greeting = `${words.hello} ${oneLine(input.recipient.name)},`;
  const headline = words.headline(title, party, outcome);
  const holds = input.held.length ? words.holds(input.held.length) : words.holdsNone;
  const facts = [
    { label: words.program, value: programName },
    { label: words.brief, value: `${title} (${words.key}: ${input.brief.key})` },
    { label: words.party, value: party },
  ];
  const held = input.held.map((h) => `${oneLine(h.title)} (${h.key})`);
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  const briefPath = `/v1/programs/${encodeURIComponent(input.program.id)}/briefs/${encodeURIComponent(input.brief.key)}`;
  const calls = [`POST ${briefPath}/replace`, `POST ${briefPath}/drop`];

  const text: string[] = [greeting, '', headline, '', `${holds} ${words.ask}`, '', ...facts.map((f) => `${f.label}: ${f.value}`)];
  if (reason) text.push('', `${words.reason}:`, ...reason.split(/\r?\n/).map((l) => `> ${l}`));
  if (held.length) text.push('', `${words.held}:`, ...held.map((h) => `- ${h}`));
  text.push('', `${words.api}:`, ...calls.map((c) => `  ${c}`), '', `${words.open}: ${input.programUrl}`, '', '--', words.footer);

  const e = escapeHtml;
  const html = emailPage({
    locale,
    subject,
    greeting,
    body: `<h1 style="font-size:20px;margin:0 0 12px">${e(headline)}</h1>
<p style="margin:0 0 16px;font-weight:600">${e(holds)} ${e(words.ask)}</p>
<table role="presentation" style="border-collapse:collapse">
${facts.map((f) => `<tr><td style="padding:2px 12px 2px 0;color:#555;white-space:nowrap">${e(f.label)}</td><td style="padding:2px 0">${e(f.value)}</td></tr>`).join('\n')}
</table>
${reason ? `<p style="margin:16px 0 4px"><strong>${e(words.reason)}</strong></p>\n<blockquote style="margin:0;padding:4px 12px;border-left:3px solid #ccc">${e(reason).replace(/\r?\n/g, '<br>')}</blockquote>` : ''}
${held.length ? `<p style="margin:16px 0 4px"><strong>${e(words.held)}</strong></p>\n<ul>${held.map((h) => `<li>${e(h)}</li>`).join('')}</ul>` : ''}
<p style="margin:16px 0 4px"><strong>${e(words.api)}</strong></p>
<p style="margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px">${calls.map(e).join('<br>')}</p>`,
    open: { label: words.open, url: input.programUrl },
    footer: words.footer,
  });
  return { subject, text: `${text.join('\n')}\n`, html };
}
