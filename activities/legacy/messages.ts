// The words of a notification of the first notify activity (briefs started before the outbox),
// in the recipient's language.
import type { TimelineEvent } from '../../workflows/domain/events';
import type { BriefEventType } from '../../workflows/domain/vocabulary';
import type { Locale } from '../../lib/i18n';
import type { NotifyInput } from '../types';

const HEADLINES: Record<BriefEventType, Record<Locale, string>> = {
  brief_created: { en: 'New brief for you', de: 'Neues Briefing für Sie' },
  acknowledged: { en: 'Brief acknowledged', de: 'Briefing bestätigt' },
  declined: { en: 'Brief declined', de: 'Briefing abgelehnt' },
  clarification_requested: { en: 'Question about a brief', de: 'Rückfrage zu einem Briefing' },
  clarification_answered: { en: 'Your question was answered', de: 'Ihre Rückfrage wurde beantwortet' },
  delivered: { en: 'Delivery ready for review', de: 'Lieferung zur Prüfung bereit' },
  changes_requested: { en: 'Changes requested', de: 'Änderungen angefordert' },
  approved: { en: 'Delivery approved', de: 'Lieferung freigegeben' },
  cancelled: { en: 'Brief cancelled', de: 'Briefing storniert' },
  comment_added: { en: 'New comment', de: 'Neuer Kommentar' },
  sla_warning: { en: 'Reminder: a deadline is near', de: 'Erinnerung: eine Frist läuft bald ab' },
  sla_breached: { en: 'Deadline missed', de: 'Frist überschritten' },
  escalation_raised: { en: 'Escalation: deadline missed', de: 'Eskalation: Frist überschritten' },
  escalation_acknowledged: { en: 'Escalation acknowledged', de: 'Eskalation bestätigt' },
  brief_edited: { en: 'Brief changed', de: 'Briefing geändert' },
  brief_held: { en: 'Brief on hold', de: 'Briefing pausiert' },
  brief_resumed: { en: 'Brief resumed', de: 'Briefing fortgesetzt' },
  sla_policy_applied: { en: 'SLA policy changed', de: 'SLA-Richtlinie geändert' },
  review_stage_opened: { en: 'Your review is needed', de: 'Ihre Prüfung ist gefragt' },
  review_decided: { en: 'Review decision', de: 'Prüfentscheidung' },
  review_handed_over: { en: 'A review was handed to you', de: 'Eine Prüfung wurde an Sie übergeben' },
  review_stage_closed: { en: 'Review stage closed', de: 'Prüfstufe abgeschlossen' },
};

const LABELS: Record<string, Record<Locale, string>> = {
  brief: { en: 'Brief', de: 'Briefing' },
  priority: { en: 'Priority', de: 'Priorität' },
  status: { en: 'Status', de: 'Status' },
  due: { en: 'Due', de: 'Fällig' },
  clock: { en: 'Step', de: 'Schritt' },
  open: { en: 'Open', de: 'Öffnen' },
};

const DETAIL_KEYS = ['question', 'answer', 'reason', 'note', 'summary', 'body'] as const;

export interface RenderedMessage {
  subject: string;
  text: string;
}

export function renderMessage(input: NotifyInput, locale: Locale, briefUrl: string): RenderedMessage {
  const { brief, event } = input;
  const headline = HEADLINES[event.type][locale];
  const due = dueOf(event) ?? brief.dueAt;
  // Whichever free text the event's type carries.
  const texts: Readonly<Record<string, unknown>> = event.data;
  const lines = [
    headline,
    '',
    `${LABELS.brief[locale]}: ${brief.title}`,
    `${LABELS.priority[locale]}: ${brief.priority}`,
    `${LABELS.status[locale]}: ${brief.status}`,
    ...('clock' in event.data && event.data.clock ? [`${LABELS.clock[locale]}: ${event.data.clock}`] : []),
    ...(due ? [`${LABELS.due[locale]}: ${due}`] : []),
    ...DETAIL_KEYS.filter((k) => typeof texts[k] === 'string').map((k) => `> ${String(texts[k])}`),
    '',
    `${LABELS.open[locale]}: ${briefUrl}`,
  ];
  return { subject: `[Handoff] ${headline}: ${brief.title}`, text: `${lines.join('\n')}\n` };
}

function dueOf(event: TimelineEvent): string | undefined {
  return 'dueAt' in event.data && typeof event.data.dueAt === 'string' ? event.data.dueAt : undefined;
}
