// The words of a notification in the recipient's language and time zone, for each channel:
// an email (subject, plain text and HTML) and a Slack-compatible chat message. Pure: the
// delivery activity gathers what a message says (who acted, the brief's content, the instant it
// is sent) and renders once per recipient.
import { escapeHtml, formatInstant, formatSpan, safeHref, STATUS_LABEL, type Locale } from '../../lib/i18n';
import type { BriefView } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import type { ClockName } from '../../workflows/domain/vocabulary';
import type { NotificationEvent } from '../../workflows/domain/notifications';

export { escapeHtml, formatInstant, type Locale };

export interface ActionLinks {
  acknowledge?: string;
  approve?: string;
  requestChanges?: string;
}

/** The member who acted, as readers know them. */
export interface ActorName {
  name: string;
  partyName: string;
}

/** What a brief asks, for the email that assigns it. */
export interface BriefContent {
  description: string;
  deliverables: string[];
  /** When the delivery is due: the brief's date, or its running clock's; null before it is known. */
  deliverDueAt: string | null;
  /** Without deliverDueAt: the delivery's target, counted from the acknowledgement. */
  deliverTarget: { ms: number; workingTime: boolean } | null;
}

export interface RenderInput {
  event: TimelineEvent;
  notificationEvent: NotificationEvent;
  brief: Pick<BriefView, 'id' | 'title' | 'priority' | 'status' | 'dueAt' | 'partyId'>;
  /** The display name of the brief's party (the agency or team doing the work). */
  partyName: string;
  recipient: { name: string; locale: Locale; timezone: string };
  /** Opens the brief in a browser. */
  briefUrl: string;
  actionLinks?: ActionLinks;
  /** The member the event's actor names; events of the clocks (actor null) are Handoff's own. */
  actor?: ActorName;
  /**
   * The deadline of the step the event asks for when the event does not carry one (a new brief:
   * its acknowledgement; a delivery: its review; a request for changes: the next delivery).
   */
  stepDueAt?: string | null;
  /** The brief's description, deliverables and delivery deadline, for the assignment email. */
  content?: BriefContent;
  /** The instant the message is sent (ms): how late an overdue step is counts up to it. */
  sentAt?: number;
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  chat: { text: string; blocks: unknown[] };
}

// ---------------------------------------------------------------------------------------------
// Words

interface Facts {
  locale: Locale;
  party: string;
  /** The due instant, formatted for the recipient. */
  due?: string;
  /** Whether the due instant is the deadline of the clock the event is about (from the event). */
  dueIsClock: boolean;
  clock?: ClockName;
  version?: number;
  level?: number;
  repeat: number;
  eventType: TimelineEvent['type'];
  /** How late the step is when the message is sent, formatted; undefined when not known. */
  overdueBy?: string;
  /** The review stage the event is about. */
  stage?: string;
}

interface Copy {
  /** What happened. */
  headline: string;
  /** What is asked of the recipient, as a sentence. */
  ask: string;
  /** The subject's lead; the ask for events that ask something, else the headline. */
  subject: string;
}

const CLOCK_NOUN: Record<Locale, Record<ClockName, string>> = {
  en: { acknowledge: 'acknowledgement', deliver: 'delivery', review: 'review' },
  de: { acknowledge: 'Bestätigung', deliver: 'Lieferung', review: 'Prüfung' },
};

const by = (f: Facts) => (f.due && f.dueIsClock ? (f.locale === 'de' ? ` bis ${f.due}` : ` by ${f.due}`) : '');
const v = (f: Facts) => (f.version === undefined ? '' : ` v${f.version}`);
const asking = (headline: string, ask: string): Copy => ({ headline, ask, subject: ask.replace(/\.$/, '') });
const telling = (headline: string, ask: string): Copy => ({ headline, ask, subject: headline });

type CopyFn = (f: Facts) => Copy;

const COPY: Record<NotificationEvent, Record<Locale, CopyFn>> = {
  brief_assigned: {
    en: (f) => asking('New brief for you', f.due && f.dueIsClock ? `Please acknowledge by ${f.due}.` : 'Please acknowledge the brief.'),
    de: (f) => asking('Neues Briefing für Sie', f.due && f.dueIsClock ? `Bitte bestätigen Sie bis ${f.due}.` : 'Bitte bestätigen Sie das Briefing.'),
  },
  reminder: {
    en: (f) => {
      const headline = f.clock ? `Reminder: the ${CLOCK_NOUN.en[f.clock]} is due soon` : 'Reminder: a deadline is near';
      const ask = {
        acknowledge: `Please acknowledge the brief${by(f)}.`,
        deliver: `Please deliver${by(f)}.`,
        review: `Please review the delivery${by(f)}.`,
        none: `Please act on the brief${by(f)}.`,
      }[f.clock ?? 'none'];
      return asking(headline, ask);
    },
    de: (f) => {
      const headline = f.clock ? `Erinnerung: die ${CLOCK_NOUN.de[f.clock]} ist bald fällig` : 'Erinnerung: eine Frist läuft bald ab';
      const ask = {
        acknowledge: `Bitte bestätigen Sie das Briefing${by(f)}.`,
        deliver: `Bitte liefern Sie${by(f)}.`,
        review: `Bitte prüfen Sie die Lieferung${by(f)}.`,
        none: `Bitte kümmern Sie sich um das Briefing${by(f)}.`,
      }[f.clock ?? 'none'];
      return asking(headline, ask);
    },
  },
  escalation: {
    en: (f) => {
      const late = f.overdueBy ? ` by ${f.overdueBy}` : '';
      const what = f.clock ? `the ${CLOCK_NOUN.en[f.clock]} is overdue${late}` : f.overdueBy ? `a deadline was missed ${f.overdueBy} ago` : 'a deadline was missed';
      const repeat = f.repeat > 0 ? ` (repeat ${f.repeat})` : '';
      const ask = {
        acknowledge: `Please make sure ${f.party} acknowledges the brief.`,
        deliver: `Please make sure ${f.party} delivers.`,
        review: 'Please make sure the delivery is reviewed.',
        none: 'Please make sure the brief moves on.',
      }[f.clock ?? 'none'];
      return telling(`Escalation level ${f.level ?? 1}${repeat}: ${what}`, ask);
    },
    de: (f) => {
      const since = f.overdueBy ? `seit ${f.overdueBy} ` : '';
      const what = f.clock ? `die ${CLOCK_NOUN.de[f.clock]} ist ${since}überfällig` : f.overdueBy ? `eine Frist ist ${since}überschritten` : 'eine Frist wurde überschritten';
      const repeat = f.repeat > 0 ? ` (Wiederholung ${f.repeat})` : '';
      const ask = {
        acknowledge: `Bitte sorgen Sie dafür, dass ${f.party} das Briefing bestätigt.`,
        deliver: `Bitte sorgen Sie dafür, dass ${f.party} liefert.`,
        review: 'Bitte sorgen Sie dafür, dass die Lieferung geprüft wird.',
        none: 'Bitte sorgen Sie dafür, dass es mit dem Briefing weitergeht.',
      }[f.clock ?? 'none'];
      return telling(`Eskalationsstufe ${f.level ?? 1}${repeat}: ${what}`, ask);
    },
  },
  clarification_asked: {
    en: () => asking('A question about the brief', 'Please answer the question.'),
    de: () => asking('Rückfrage zum Briefing', 'Bitte beantworten Sie die Rückfrage.'),
  },
  clarification_answered: {
    en: () => telling('Your question was answered', 'Please continue work on the brief.'),
    de: () => telling('Ihre Rückfrage wurde beantwortet', 'Bitte setzen Sie die Arbeit am Briefing fort.'),
  },
  delivery_submitted: {
    en: (f) => asking(`Delivery${v(f)} is ready for review`, `Please review delivery${v(f)}${by(f)}.`),
    de: (f) => asking(`Lieferung${v(f)} ist bereit zur Prüfung`, `Bitte prüfen Sie Lieferung${v(f)}${by(f)}.`),
  },
  changes_requested: {
    en: (f) => asking(`Changes requested to delivery${v(f)}`, `Please revise and deliver again${by(f)}.`),
    de: (f) => asking(`Änderungen an Lieferung${v(f)} angefordert`, `Bitte überarbeiten Sie und liefern Sie erneut${by(f)}.`),
  },
  approved: {
    en: (f) => telling(`Delivery${v(f)} approved`, 'Nothing more is needed from you: the brief is complete.'),
    de: (f) => telling(`Lieferung${v(f)} freigegeben`, 'Von Ihnen ist nichts mehr zu tun: das Briefing ist abgeschlossen.'),
  },
  cancelled: {
    en: () => telling('Brief cancelled', 'Please stop work on this brief.'),
    de: () => telling('Briefing storniert', 'Bitte stellen Sie die Arbeit an diesem Briefing ein.'),
  },
  acknowledged: {
    en: (f) => telling(`${f.party} acknowledged the brief`, 'Nothing is needed from you for now.'),
    de: (f) => telling(`${f.party} hat das Briefing bestätigt`, 'Von Ihnen ist vorerst nichts zu tun.'),
  },
  declined: {
    en: (f) => telling(`${f.party} declined the brief`, 'Please assign the brief to someone else or revise it.'),
    de: (f) => telling(`${f.party} hat das Briefing abgelehnt`, 'Bitte vergeben Sie das Briefing neu oder überarbeiten Sie es.'),
  },
  comment: {
    en: () => telling('New comment on the brief', 'Reply in Handoff if it needs an answer.'),
    de: () => telling('Neuer Kommentar zum Briefing', 'Antworten Sie in Handoff, falls nötig.'),
  },
  review_requested: {
    en: (f) =>
      f.eventType === 'review_handed_over'
        ? asking(`A review of delivery${v(f)} was handed to you`, `Please review delivery${v(f)}${by(f)}.`)
        : asking(`Delivery${v(f)} awaits your review${f.stage ? ` (${f.stage})` : ''}`, `Please review delivery${v(f)}${by(f)}.`),
    de: (f) =>
      f.eventType === 'review_handed_over'
        ? asking(`Eine Prüfung von Lieferung${v(f)} wurde an Sie übergeben`, `Bitte prüfen Sie Lieferung${v(f)}${by(f)}.`)
        : asking(`Lieferung${v(f)} wartet auf Ihre Prüfung${f.stage ? ` (${f.stage})` : ''}`, `Bitte prüfen Sie Lieferung${v(f)}${by(f)}.`),
  },
  brief_changed: {
    en: (f) =>
      f.eventType === 'brief_held'
        ? telling('Brief on hold', 'Please pause work until the brief is resumed; its deadlines stand still.')
        : f.eventType === 'brief_resumed'
          ? telling('Brief resumed', 'Please continue work on the brief; its deadlines run again.')
          : telling('Brief changed', 'Please check the changes.'),
    de: (f) =>
      f.eventType === 'brief_held'
        ? telling('Briefing pausiert', 'Bitte pausieren Sie die Arbeit, bis das Briefing fortgesetzt wird; seine Fristen ruhen.')
        : f.eventType === 'brief_resumed'
          ? telling('Briefing fortgesetzt', 'Bitte setzen Sie die Arbeit am Briefing fort; die Fristen laufen wieder.')
          : telling('Briefing geändert', 'Bitte prüfen Sie die Änderungen.'),
  },
};

const LABELS = {
  en: {
    brief: 'Brief',
    party: 'Party',
    priority: 'Priority',
    status: 'Status',
    due: { acknowledge: 'Acknowledgement due', deliver: 'Delivery due', review: 'Review due', any: 'Due' },
    escalation: 'Escalation',
    level: 'level',
    clock: 'clock',
    open: 'Open the brief',
    acknowledge: 'Acknowledge',
    approve: 'Approve',
    requestChanges: 'Request changes',
    footer: 'You receive this because you take part in this brief in Handoff.',
    hello: 'Hello',
    by: 'By',
    clockActor: 'Handoff (SLA clock)',
    description: 'Description',
    deliverables: 'Deliverables',
    afterAcknowledgement: (span: string, workingTime: boolean) => `${span} after acknowledgement${workingTime ? ' (working time)' : ''}`,
  },
  de: {
    brief: 'Briefing',
    party: 'Partner',
    priority: 'Priorität',
    status: 'Status',
    due: { acknowledge: 'Bestätigung fällig', deliver: 'Lieferung fällig', review: 'Prüfung fällig', any: 'Fällig' },
    escalation: 'Eskalation',
    level: 'Stufe',
    clock: 'Frist',
    open: 'Briefing öffnen',
    acknowledge: 'Bestätigen',
    approve: 'Freigeben',
    requestChanges: 'Änderungen anfordern',
    footer: 'Sie erhalten diese Nachricht, weil Sie in Handoff an diesem Briefing beteiligt sind.',
    hello: 'Hallo',
    by: 'Von',
    clockActor: 'Handoff (SLA-Frist)',
    description: 'Beschreibung',
    deliverables: 'Lieferumfang',
    afterAcknowledgement: (span: string, workingTime: boolean) => `${span} nach Bestätigung${workingTime ? ' (Arbeitszeit)' : ''}`,
  },
} as const;

/** The free text an event carries, in the order a reader wants it. */
const DETAIL_LABELS: Record<Locale, Record<'question' | 'answer' | 'reason' | 'note' | 'summary' | 'body', string>> = {
  en: { question: 'Question', answer: 'Answer', reason: 'Reason', note: 'Note', summary: 'Summary', body: 'Comment' },
  de: { question: 'Frage', answer: 'Antwort', reason: 'Begründung', note: 'Anmerkung', summary: 'Zusammenfassung', body: 'Kommentar' },
};

const FIELD_LABELS: Record<Locale, Record<string, string>> = {
  en: { title: 'title', description: 'description', dueAt: 'due date', reviewerId: 'reviewer', managerId: 'manager', priority: 'priority', targetsMs: 'deadlines' },
  de: { title: 'Titel', description: 'Beschreibung', dueAt: 'Fälligkeit', reviewerId: 'Prüfer', managerId: 'Manager', priority: 'Priorität', targetsMs: 'Fristen' },
};

const CHANGED: Record<Locale, string> = { en: 'Changed', de: 'Geändert' };
const LINKS: Record<Locale, string> = { en: 'Links', de: 'Links' };

interface Detail {
  label: string;
  value: string;
}

interface Action {
  id: 'acknowledge' | 'approve' | 'request_changes';
  label: string;
  url: string;
}

interface Model {
  locale: Locale;
  greeting: string;
  copy: Copy;
  subject: string;
  facts: Detail[];
  details: Detail[];
  /** What the brief is to deliver: shown as a list, never as links. */
  deliverables: { label: string; items: string[] };
  links: string[];
  actions: Action[];
  openLabel: string;
  footer: string;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isClock(value: unknown): value is ClockName {
  return value === 'acknowledge' || value === 'deliver' || value === 'review';
}

/** Which of the given action links an event offers. */
function actionsFor(input: RenderInput, clock: ClockName | undefined, locale: Locale): Action[] {
  const links = input.actionLinks ?? {};
  const labels = LABELS[locale];
  const acknowledge: Action[] = links.acknowledge ? [{ id: 'acknowledge', label: labels.acknowledge, url: links.acknowledge }] : [];
  const review: Action[] = [
    ...(links.approve ? [{ id: 'approve' as const, label: labels.approve, url: links.approve }] : []),
    ...(links.requestChanges ? [{ id: 'request_changes' as const, label: labels.requestChanges, url: links.requestChanges }] : []),
  ];
  if (input.notificationEvent === 'brief_assigned') return acknowledge;
  if (input.notificationEvent === 'delivery_submitted' || input.notificationEvent === 'review_requested') return review;
  if (input.notificationEvent === 'reminder') return clock === 'acknowledge' ? acknowledge : clock === 'review' ? review : [];
  return [];
}

/** The clock of the step a notification asks for, where its event does not name one. */
export const STEP_CLOCK: Partial<Record<NotificationEvent, ClockName>> = {
  brief_assigned: 'acknowledge',
  delivery_submitted: 'review',
  changes_requested: 'deliver',
  review_requested: 'review',
};

/** Who acted, as the message names them: the member and their party, or Handoff for its clocks. */
function actorLine(input: RenderInput, locale: Locale): string | undefined {
  if (input.event.actor === null) return LABELS[locale].clockActor;
  return input.actor ? `${input.actor.name} (${input.actor.partyName})` : undefined;
}

const MINUTE_MS = 60_000;

function model(input: RenderInput): Model {
  const { event, brief, recipient, content } = input;
  const locale: Locale = recipient.locale === 'de' ? 'de' : 'en';
  const labels = LABELS[locale];
  const assigned = input.notificationEvent === 'brief_assigned';
  const eventClock = 'clock' in event.data ? event.data.clock : undefined;
  const clock = isClock(eventClock) ? eventClock : STEP_CLOCK[input.notificationEvent];
  const when = (iso: string) => formatInstant(iso, locale, recipient.timezone);
  // The deadline of the clock the event is about: the event's own, or that of the step it asks for.
  const eventDue = str('dueAt' in event.data ? event.data.dueAt : undefined) ?? input.stepDueAt ?? undefined;
  const dueIso = eventDue ?? brief.dueAt ?? undefined;
  const due = dueIso ? when(dueIso) : undefined;
  const lateMs = input.notificationEvent === 'escalation' && eventDue && input.sentAt !== undefined ? input.sentAt - Date.parse(eventDue) : NaN;
  const facts: Facts = {
    locale,
    party: input.partyName,
    due,
    dueIsClock: eventDue !== undefined,
    clock,
    version: num(event.type === 'delivered' ? event.data.version : undefined) ?? num('revision' in event.data ? event.data.revision : undefined),
    level: num('level' in event.data ? event.data.level : undefined),
    repeat: num('repeat' in event.data ? event.data.repeat : undefined) ?? 0,
    eventType: event.type,
    overdueBy: lateMs >= MINUTE_MS ? formatSpan(lateMs, locale) : undefined,
    stage: event.type === 'review_stage_opened' || event.type === 'review_handed_over' ? event.data.name : undefined,
  };
  const copy = COPY[input.notificationEvent][locale](facts);

  // The brief's own dueAt is its delivery deadline; the event's dueAt belongs to its clock.
  const dueLabel = eventDue !== undefined ? labels.due[clock ?? 'any'] : labels.due.deliver;
  const by = actorLine(input, locale);
  const factLines: Detail[] = [
    { label: labels.brief, value: brief.title },
    { label: labels.party, value: input.partyName },
    ...(by ? [{ label: labels.by, value: by }] : []),
    { label: labels.priority, value: brief.priority },
    { label: labels.status, value: STATUS_LABEL[locale][brief.status] ?? brief.status },
    ...(due ? [{ label: dueLabel, value: due }] : []),
  ];
  if (assigned && content && eventDue !== undefined) {
    // Beside the acknowledgement's deadline, the delivery's: an instant once known, else its target.
    const deliverIso = content.deliverDueAt ?? brief.dueAt;
    const target = content.deliverTarget;
    const deliverDue = deliverIso ? when(deliverIso) : target ? labels.afterAcknowledgement(formatSpan(target.ms, locale), target.workingTime) : undefined;
    if (deliverDue) factLines.push({ label: labels.due.deliver, value: deliverDue });
  }
  if (input.notificationEvent === 'escalation') {
    const clockPart = clock ? `, ${labels.clock}: ${CLOCK_NOUN[locale][clock]}` : '';
    factLines.push({ label: labels.escalation, value: `${labels.level} ${facts.level ?? 1}${clockPart}` });
  }

  const details: Detail[] = [];
  if (assigned && content?.description.trim()) details.push({ label: labels.description, value: content.description });
  // Whichever free text the event's type carries.
  const texts: Readonly<Record<string, unknown>> = event.data;
  details.push(
    ...(Object.keys(DETAIL_LABELS[locale]) as (keyof (typeof DETAIL_LABELS)['en'])[])
      .map((key) => ({ label: DETAIL_LABELS[locale][key], value: str(texts[key]) }))
      .filter((d): d is Detail => d.value !== undefined),
  );
  if (event.type === 'brief_edited') {
    const fields = Object.keys(event.data.changes).map((k) => FIELD_LABELS[locale][k] ?? k);
    if (fields.length) details.push({ label: CHANGED[locale], value: fields.join(', ') });
  }
  const links = event.type === 'delivered' ? event.data.links : [];
  const deliverables = assigned ? (content?.deliverables ?? []).filter((d) => d.trim() !== '') : [];

  return {
    locale,
    greeting: `${labels.hello} ${recipient.name},`,
    copy,
    // A subject is one line, whatever the title holds.
    subject: `[Handoff] ${copy.subject} – ${brief.title} (${input.partyName})`.replace(/\s+/g, ' '),
    facts: factLines,
    details,
    deliverables: { label: labels.deliverables, items: deliverables },
    links,
    actions: actionsFor(input, clock, locale),
    openLabel: labels.open,
    footer: labels.footer,
  };
}

// ---------------------------------------------------------------------------------------------
// Channels

/** Slack's mrkdwn reads &, < and > as markup. */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mrkdwnLink(url: string, label: string): string {
  const href = safeHref(url);
  if (!href) return escapeMrkdwn(label);
  return `<${href.replace(/&/g, '&amp;').replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E')}|${escapeMrkdwn(label)}>`;
}

function renderText(m: Model, briefUrl: string): string {
  const lines = [m.greeting, '', m.copy.headline, '', m.copy.ask, '', ...m.facts.map((f) => `${f.label}: ${f.value}`)];
  for (const detail of m.details) lines.push('', `${detail.label}:`, ...detail.value.split(/\r?\n/).map((l) => `> ${l}`));
  if (m.deliverables.items.length) lines.push('', `${m.deliverables.label}:`, ...m.deliverables.items.map((d) => `- ${d.replace(/\s+/g, ' ')}`));
  if (m.links.length) lines.push('', `${LINKS[m.locale]}:`, ...m.links.map((l) => `- ${l}`));
  lines.push('');
  for (const action of m.actions) lines.push(`${action.label}: ${action.url}`);
  lines.push(`${m.openLabel}: ${briefUrl}`, '', '--', m.footer);
  return `${lines.join('\n')}\n`;
}

const BUTTON = 'display:inline-block;padding:10px 18px;margin:0 8px 8px 0;border-radius:6px;text-decoration:none;font-weight:600;';

function htmlLink(url: string, label: string, style = ''): string {
  const href = safeHref(url);
  return href ? `<a href="${escapeHtml(href)}"${style ? ` style="${style}"` : ''}>${escapeHtml(label)}</a>` : escapeHtml(label);
}

function renderHtml(m: Model, briefUrl: string): string {
  const { locale } = m;
  const e = escapeHtml;
  const paragraphs = (value: string) => e(value).replace(/\r?\n/g, '<br>');
  const facts = m.facts
    .map((f) => `<tr><td style="padding:2px 12px 2px 0;color:#555;white-space:nowrap">${e(f.label)}</td><td style="padding:2px 0">${e(f.value)}</td></tr>`)
    .join('\n');
  const details = m.details
    .map((d) => `<p style="margin:16px 0 4px"><strong>${e(d.label)}</strong></p>\n<blockquote style="margin:0;padding:4px 12px;border-left:3px solid #ccc">${paragraphs(d.value)}</blockquote>`)
    .join('\n');
  const deliverables = m.deliverables.items.length
    ? `<p style="margin:16px 0 4px"><strong>${e(m.deliverables.label)}</strong></p>\n<ul>${m.deliverables.items.map((d) => `<li>${e(d)}</li>`).join('')}</ul>`
    : '';
  const links = m.links.length
    ? `<p style="margin:16px 0 4px"><strong>${e(LINKS[locale])}</strong></p>\n<ul>${m.links.map((l) => `<li>${htmlLink(l, l)}</li>`).join('')}</ul>`
    : '';
  const buttons = [
    ...m.actions.map((a, i) => htmlLink(a.url, a.label, `${BUTTON}${i === 0 ? 'background:#1f6feb;color:#fff;' : 'background:#eef1f5;color:#1f2328;'}`)),
    htmlLink(briefUrl, m.openLabel, `${BUTTON}${m.actions.length ? 'background:#eef1f5;color:#1f2328;' : 'background:#1f6feb;color:#fff;'}`),
  ].join('\n');
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(m.subject)}</title></head>
<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328">
<p style="margin:0 0 12px">${e(m.greeting)}</p>
<h1 style="font-size:20px;margin:0 0 12px">${e(m.copy.headline)}</h1>
<p style="margin:0 0 16px;font-weight:600">${e(m.copy.ask)}</p>
<table role="presentation" style="border-collapse:collapse">
${facts}
</table>
${details}
${deliverables}
${links}
<p style="margin:24px 0 0">
${buttons}
</p>
<p style="margin:24px 0 0;font-size:12px;color:#777">${e(m.footer)}</p>
</body>
</html>
`;
}

// Slack caps a section's text at 3000 characters and a button's label at 75.
const SECTION_MAX = 3000;
const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

function button(actionId: string, label: string, url: string, primary: boolean): Record<string, unknown> | undefined {
  const href = safeHref(url);
  if (!href) return undefined;
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: clip(label, 75), emoji: false }, url: href, ...(primary ? { style: 'primary' } : {}) };
}

function renderChat(m: Model, briefUrl: string, title: string, party: string): Rendered['chat'] {
  const x = escapeMrkdwn;
  const head = `*${x(m.copy.headline)}*\n*${mrkdwnLink(briefUrl, title)}* · ${x(party)}\n${x(m.copy.ask)}`;
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(head, SECTION_MAX) } }];
  const quoted = m.details.map((d) => `*${x(d.label)}*\n${d.value.split(/\r?\n/).map((l) => `>${x(l)}`).join('\n')}`);
  const deliverables = m.deliverables.items.length ? [`*${x(m.deliverables.label)}*\n${m.deliverables.items.map((d) => `• ${x(d.replace(/\s+/g, ' '))}`).join('\n')}`] : [];
  const linkLines = m.links.map((l) => `• ${mrkdwnLink(l, l)}`);
  const body = [...quoted, ...deliverables, ...(linkLines.length ? [linkLines.join('\n')] : [])].join('\n\n');
  if (body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(body, SECTION_MAX) } });
  // The brief and party lead the message; the context carries the rest of the facts.
  blocks.push({ type: 'context', elements: m.facts.slice(2).map((f) => ({ type: 'mrkdwn', text: clip(`${x(f.label)}: *${x(f.value)}*`, SECTION_MAX) })) });
  const buttons = [
    ...m.actions.map((a, i) => button(a.id, a.label, a.url, i === 0)),
    button('open_brief', m.openLabel, briefUrl, m.actions.length === 0),
  ].filter((b) => b !== undefined);
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  return { text: clip(`${x(m.copy.headline)}: ${x(title)} (${x(party)}) – ${x(m.copy.ask)}`, SECTION_MAX), blocks };
}

/** Renders one notification for one recipient, in their language and time zone. */
export function renderNotification(input: RenderInput): Rendered {
  const m = model(input);
  return {
    subject: m.subject,
    text: renderText(m, input.briefUrl),
    html: renderHtml(m, input.briefUrl),
    chat: renderChat(m, input.briefUrl, input.brief.title, input.partyName),
  };
}
