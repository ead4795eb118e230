// Notification templates: every event in German and English names the brief, the party, who
// acted, what is asked, the due instant in the recipient's zone and the link, safely escaped for
// each channel; the assignment email says what the brief asks, escalations how late the step is.
import fc from 'fast-check';
import { escapeHtml, formatInstant, renderNotification, type BriefContent, type Locale, type RenderInput } from '../../activities/notifications/templates';
import { formatSpan } from '../../lib/i18n';
import type { BriefEventType } from '../../workflows/domain/vocabulary';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../workflows/domain/notifications';
import { looseEvent } from '../support/events';

const BRIEF_DUE = '2026-11-30T10:00:00Z'; // Monday 11:00 in Berlin, 05:00 in New York
const ACK_DUE = '2026-11-27T14:30:00Z'; // Friday 15:30 in Berlin
const BRIEF_URL = 'https://handoff.shop.example/v1/briefs/b-1';

interface Sample {
  type: BriefEventType;
  data: Record<string, unknown>;
  /** What the recipient is asked (or told), per locale: found in subject, text and html. */
  ask: Record<Locale, string>;
  /** The lead of the subject. */
  subject: Record<Locale, string>;
  /** The due instant as shown in Berlin, per locale. */
  due: Record<Locale, string>;
  /** Free text of the event that the body must show. */
  details: string[];
}

const BERLIN_BRIEF_DUE = { en: 'Mon, 30 Nov 2026, 11:00 CET', de: 'Mo., 30. Nov. 2026, 11:00 MEZ' };
const BERLIN_ACK_DUE = { en: 'Fri, 27 Nov 2026, 15:30 CET', de: 'Fr., 27. Nov. 2026, 15:30 MEZ' };

const SAMPLES: Record<NotificationEvent, Sample> = {
  brief_assigned: {
    type: 'brief_created',
    data: { title: 'Spring campaign', partyId: 'agency', priority: 'P2', clock: 'acknowledge', dueAt: ACK_DUE },
    ask: { en: `Please acknowledge by ${BERLIN_ACK_DUE.en}`, de: `Bitte bestätigen Sie bis ${BERLIN_ACK_DUE.de}` },
    subject: { en: `Please acknowledge by ${BERLIN_ACK_DUE.en}`, de: `Bitte bestätigen Sie bis ${BERLIN_ACK_DUE.de}` },
    due: BERLIN_ACK_DUE,
    details: [],
  },
  reminder: {
    type: 'sla_warning',
    data: { clock: 'deliver', share: 0.8, dueAt: BRIEF_DUE, round: 1 },
    ask: { en: `Please deliver by ${BERLIN_BRIEF_DUE.en}`, de: `Bitte liefern Sie bis ${BERLIN_BRIEF_DUE.de}` },
    subject: { en: `Please deliver by ${BERLIN_BRIEF_DUE.en}`, de: `Bitte liefern Sie bis ${BERLIN_BRIEF_DUE.de}` },
    due: BERLIN_BRIEF_DUE,
    details: [],
  },
  escalation: {
    type: 'escalation_raised',
    data: { escalationId: 'e-1', clock: 'acknowledge', level: 2, round: 1, repeat: 0 },
    ask: { en: 'Please make sure Pixelwerk acknowledges the brief', de: 'Bitte sorgen Sie dafür, dass Pixelwerk das Briefing bestätigt' },
    subject: { en: 'Escalation level 2: the acknowledgement is overdue', de: 'Eskalationsstufe 2: die Bestätigung ist überfällig' },
    due: BERLIN_BRIEF_DUE,
    details: [],
  },
  clarification_asked: {
    type: 'clarification_requested',
    data: { question: 'Which sizes do the banners need?' },
    ask: { en: 'Please answer the question', de: 'Bitte beantworten Sie die Rückfrage' },
    subject: { en: 'Please answer the question', de: 'Bitte beantworten Sie die Rückfrage' },
    due: BERLIN_BRIEF_DUE,
    details: ['Which sizes do the banners need?'],
  },
  clarification_answered: {
    type: 'clarification_answered',
    data: { question: 'Which sizes?', answer: '300x250 and 728x90' },
    ask: { en: 'Please continue work on the brief', de: 'Bitte setzen Sie die Arbeit am Briefing fort' },
    subject: { en: 'Your question was answered', de: 'Ihre Rückfrage wurde beantwortet' },
    due: BERLIN_BRIEF_DUE,
    details: ['Which sizes?', '300x250 and 728x90'],
  },
  delivery_submitted: {
    type: 'delivered',
    data: { version: 2, summary: 'Banners reworked', links: ['https://files.example/v2.zip'], submittedBy: 'paula' },
    ask: { en: 'Please review delivery v2', de: 'Bitte prüfen Sie Lieferung v2' },
    subject: { en: 'Please review delivery v2', de: 'Bitte prüfen Sie Lieferung v2' },
    due: BERLIN_BRIEF_DUE,
    details: ['Banners reworked', 'https://files.example/v2.zip'],
  },
  changes_requested: {
    type: 'changes_requested',
    data: { reason: 'Logo too small', revision: 2 },
    ask: { en: 'Please revise and deliver again', de: 'Bitte überarbeiten Sie und liefern Sie erneut' },
    subject: { en: 'Please revise and deliver again', de: 'Bitte überarbeiten Sie und liefern Sie erneut' },
    due: BERLIN_BRIEF_DUE,
    details: ['Logo too small'],
  },
  approved: {
    type: 'approved',
    data: { note: 'Great work', revision: 2 },
    ask: { en: 'Nothing more is needed from you', de: 'Von Ihnen ist nichts mehr zu tun' },
    subject: { en: 'Delivery v2 approved', de: 'Lieferung v2 freigegeben' },
    due: BERLIN_BRIEF_DUE,
    details: ['Great work'],
  },
  cancelled: {
    type: 'cancelled',
    data: { reason: 'Campaign dropped' },
    ask: { en: 'Please stop work on this brief', de: 'Bitte stellen Sie die Arbeit an diesem Briefing ein' },
    subject: { en: 'Brief cancelled', de: 'Briefing storniert' },
    due: BERLIN_BRIEF_DUE,
    details: ['Campaign dropped'],
  },
  acknowledged: {
    type: 'acknowledged',
    data: { note: 'On it' },
    ask: { en: 'Nothing is needed from you for now', de: 'Von Ihnen ist vorerst nichts zu tun' },
    subject: { en: 'Pixelwerk acknowledged the brief', de: 'Pixelwerk hat das Briefing bestätigt' },
    due: BERLIN_BRIEF_DUE,
    details: ['On it'],
  },
  declined: {
    type: 'declined',
    data: { reason: 'No capacity in November' },
    ask: { en: 'Please assign the brief to someone else or revise it', de: 'Bitte vergeben Sie das Briefing neu oder überarbeiten Sie es' },
    subject: { en: 'Pixelwerk declined the brief', de: 'Pixelwerk hat das Briefing abgelehnt' },
    due: BERLIN_BRIEF_DUE,
    details: ['No capacity in November'],
  },
  comment: {
    type: 'comment_added',
    data: { body: 'Draft attached.\nSecond line.', role: 'member' },
    ask: { en: 'Reply in Handoff if it needs an answer', de: 'Antworten Sie in Handoff, falls nötig' },
    subject: { en: 'New comment on the brief', de: 'Neuer Kommentar zum Briefing' },
    due: BERLIN_BRIEF_DUE,
    details: ['Draft attached.', 'Second line.'],
  },
  review_requested: {
    type: 'review_stage_opened',
    data: { stage: 1, name: 'Legal', reviewers: ['m-legal'], revision: 2, dueAt: BRIEF_DUE },
    ask: { en: `Please review delivery v2 by ${BERLIN_BRIEF_DUE.en}`, de: `Bitte prüfen Sie Lieferung v2 bis ${BERLIN_BRIEF_DUE.de}` },
    subject: { en: `Please review delivery v2 by ${BERLIN_BRIEF_DUE.en}`, de: `Bitte prüfen Sie Lieferung v2 bis ${BERLIN_BRIEF_DUE.de}` },
    due: BERLIN_BRIEF_DUE,
    details: [],
  },
  brief_changed: {
    type: 'brief_edited',
    data: { changes: { dueAt: BRIEF_DUE, priority: 'P1' }, before: { dueAt: null, priority: 'P2' } },
    ask: { en: 'Please check the changes', de: 'Bitte prüfen Sie die Änderungen' },
    subject: { en: 'Brief changed', de: 'Briefing geändert' },
    due: BERLIN_BRIEF_DUE,
    details: [],
  },
};

function input(notificationEvent: NotificationEvent, locale: Locale, overrides: Partial<RenderInput> = {}): RenderInput {
  const sample = SAMPLES[notificationEvent];
  return {
    event: looseEvent({ seq: 4, type: sample.type, actor: null, at: '2026-11-26T09:00:00Z', data: sample.data }),
    notificationEvent,
    brief: { id: 'b-1', title: 'Spring campaign', priority: 'P2', status: 'in_progress', dueAt: BRIEF_DUE, partyId: 'agency' },
    partyName: 'Pixelwerk',
    recipient: { name: 'Paula', locale, timezone: 'Europe/Berlin' },
    briefUrl: BRIEF_URL,
    ...overrides,
  };
}

/** The text content of an HTML part, entities decoded, for checking what a reader sees. */
function visible(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Checks the rules Slack enforces on incoming-webhook messages; returns the buttons' URLs. */
function expectValidSlackMessage(chat: { text: string; blocks: unknown[] }): string[] {
  expect(typeof chat.text).toBe('string');
  expect(chat.text.length).toBeGreaterThan(0);
  expect(chat.blocks.length).toBeGreaterThan(0);
  expect(chat.blocks.length).toBeLessThanOrEqual(50);
  const urls: string[] = [];
  const actionIds = new Set<string>();
  for (const block of chat.blocks as any[]) {
    expect(['section', 'context', 'actions', 'divider', 'header']).toContain(block.type);
    if (block.type === 'section') {
      expect(block.text.type).toBe('mrkdwn');
      expect(block.text.text.length).toBeGreaterThan(0);
      expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    if (block.type === 'context') {
      expect(block.elements.length).toBeGreaterThan(0);
      expect(block.elements.length).toBeLessThanOrEqual(10);
      for (const el of block.elements) expect(el).toEqual({ type: 'mrkdwn', text: expect.any(String) });
    }
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(25);
      for (const el of block.elements) {
        expect(el.type).toBe('button');
        expect(el.text.type).toBe('plain_text');
        expect(el.text.text.length).toBeLessThanOrEqual(75);
        expect(el.url).toMatch(/^https?:\/\//);
        expect(el.url.length).toBeLessThanOrEqual(3000);
        expect(el.action_id.length).toBeLessThanOrEqual(255);
        expect(actionIds.has(el.action_id)).toBe(false);
        actionIds.add(el.action_id);
        if (el.style !== undefined) expect(['primary', 'danger']).toContain(el.style);
        urls.push(el.url);
      }
    }
  }
  return urls;
}

/** All mrkdwn in a message, with our own markup (links and quote markers) taken out. */
function mrkdwnOutsideMarkup(chat: { text: string; blocks: unknown[] }): string {
  const texts = [chat.text];
  for (const block of chat.blocks as any[]) {
    if (block.text?.type === 'mrkdwn') texts.push(block.text.text);
    for (const el of block.elements ?? []) if (el.type === 'mrkdwn') texts.push(el.text);
  }
  return texts
    .join('\n')
    .replace(/<https?:\/\/[^|>\s]+\|[^<>]*>/g, '')
    .replace(/^>/gm, '');
}

describe('renderNotification', () => {
  describe.each(NOTIFICATION_EVENTS.flatMap((e) => (['en', 'de'] as const).map((l) => [e, l] as const)))('%s in %s', (notificationEvent, locale) => {
    const sample = SAMPLES[notificationEvent];
    const rendered = renderNotification(input(notificationEvent, locale));
    const html = visible(rendered.html);

    test('the subject names the brief, the party and what is asked or what happened', () => {
      expect(rendered.subject).toContain('Spring campaign');
      expect(rendered.subject).toContain('Pixelwerk');
      expect(rendered.subject).toContain(sample.subject[locale]);
      expect(rendered.subject).not.toMatch(/\n/);
    });

    test('text and HTML name the brief, the party, the ask, the due instant in the recipient zone, the details and the link', () => {
      for (const body of [rendered.text, html]) {
        expect(body).toContain('Spring campaign');
        expect(body).toContain('Pixelwerk');
        expect(body).toContain(sample.ask[locale]);
        expect(body).toContain(sample.due[locale]);
        expect(body).toContain(locale === 'de' ? 'Hallo Paula' : 'Hello Paula');
        for (const detail of sample.details) expect(body).toContain(detail);
      }
      expect(rendered.text).toContain(BRIEF_URL);
      expect(rendered.html).toContain(`href="${BRIEF_URL}"`);
      expect(rendered.html).toContain(`<html lang="${locale}">`);
    });

    test('the chat message is valid Slack structure with the brief link and the ask', () => {
      const urls = expectValidSlackMessage(rendered.chat);
      expect(urls).toContain(BRIEF_URL);
      const all = JSON.stringify(rendered.chat);
      expect(all).toContain('Spring campaign');
      expect(all).toContain('Pixelwerk');
      expect(all).toContain(sample.ask[locale]);
      expect(all).toContain(sample.due[locale]);
    });
  });

  test('the same instant reads in each recipient zone, with the zone shown', () => {
    const berlin = renderNotification(input('reminder', 'en'));
    const newYork = renderNotification(input('reminder', 'en', { recipient: { name: 'Nora', locale: 'en', timezone: 'America/New_York' } }));
    const newYorkDe = renderNotification(input('reminder', 'de', { recipient: { name: 'Nora', locale: 'de', timezone: 'America/New_York' } }));
    expect(berlin.subject).toContain('Mon, 30 Nov 2026, 11:00 CET');
    expect(newYork.subject).toContain('Mon, 30 Nov 2026, 05:00 EST');
    expect(newYork.text).toContain('Please deliver by Mon, 30 Nov 2026, 05:00 EST.');
    expect(newYorkDe.text).toContain('Bitte liefern Sie bis Mo., 30. Nov. 2026, 05:00 EST.');
    expect(newYork.text).not.toContain('11:00');
  });

  test('summer time and zones without an abbreviation are shown unambiguously', () => {
    expect(formatInstant('2026-07-01T10:00:00Z', 'de', 'Europe/Berlin')).toBe('Mi., 1. Juli 2026, 12:00 MESZ');
    expect(formatInstant('2026-07-01T10:00:00Z', 'en', 'Europe/Berlin')).toBe('Wed, 1 Jul 2026, 12:00 CEST');
    expect(formatInstant('2026-07-01T10:00:00Z', 'en', 'Asia/Tokyo')).toBe('Wed, 1 Jul 2026, 19:00 GMT+9 (Asia/Tokyo)');
    // A zone the runtime does not know falls back to UTC instead of failing the delivery.
    expect(formatInstant('2026-07-01T10:00:00Z', 'en', 'Mars/Olympus_Mons')).toBe('Wed, 1 Jul 2026, 10:00 UTC');
  });

  test("the event's due instant is the clock's deadline; without one the brief's delivery date is shown as such", () => {
    const withClock = renderNotification(input('brief_assigned', 'en'));
    expect(withClock.text).toContain(`Acknowledgement due: ${BERLIN_ACK_DUE.en}`);
    const withoutClock = renderNotification(
      input('brief_assigned', 'en', { event: looseEvent({ seq: 1, type: 'brief_created', actor: 'mara', at: '2026-11-26T09:00:00Z', data: { title: 'Spring campaign' } }) }),
    );
    expect(withoutClock.text).toContain('Please acknowledge the brief.');
    expect(withoutClock.text).toContain(`Delivery due: ${BERLIN_BRIEF_DUE.en}`);
    const noDue = renderNotification(input('comment', 'en', { brief: { ...input('comment', 'en').brief, dueAt: null } }));
    expect(noDue.text).not.toMatch(/due:/i);
  });

  test('an escalation names its level and clock, and repeats', () => {
    const rendered = renderNotification(
      input('escalation', 'de', { event: looseEvent({ seq: 9, type: 'escalation_raised', actor: null, at: '2026-11-26T09:00:00Z', data: { clock: 'review', level: 3, repeat: 2 } }) }),
    );
    expect(rendered.subject).toContain('Eskalationsstufe 3 (Wiederholung 2): die Prüfung ist überfällig');
    expect(rendered.text).toContain('Eskalation: Stufe 3, Frist: Prüfung');
    expect(rendered.text).toContain('Bitte sorgen Sie dafür, dass die Lieferung geprüft wird.');
  });

  test('hold, resume and edits each say what changed', () => {
    const at = '2026-11-26T09:00:00Z';
    const held = renderNotification(input('brief_changed', 'en', { event: looseEvent({ seq: 5, type: 'brief_held', actor: 'mara', at, data: { reason: 'Budget review' } }) }));
    expect(held.subject).toContain('Brief on hold');
    expect(held.text).toContain('Budget review');
    const resumed = renderNotification(input('brief_changed', 'de', { event: looseEvent({ seq: 6, type: 'brief_resumed', actor: 'mara', at, data: { note: 'Budget ok' } }) }));
    expect(resumed.subject).toContain('Briefing fortgesetzt');
    expect(resumed.text).toContain('Budget ok');
    const edited = renderNotification(input('brief_changed', 'de'));
    expect(edited.text).toContain('Geändert:\n> Fälligkeit, Priorität');
  });

  test('action links appear as buttons where the event asks for them', () => {
    const actionLinks = { acknowledge: 'https://h.example/a/ack?t=1', approve: 'https://h.example/a/approve?t=2', requestChanges: 'https://h.example/a/changes?t=3' };
    const assigned = renderNotification(input('brief_assigned', 'en', { actionLinks }));
    expect(assigned.html).toContain('href="https://h.example/a/ack?t=1"');
    expect(assigned.html).not.toContain('approve');
    expect(assigned.text).toContain('Acknowledge: https://h.example/a/ack?t=1');
    expect(expectValidSlackMessage(assigned.chat)).toEqual(['https://h.example/a/ack?t=1', BRIEF_URL]);

    const delivered = renderNotification(input('delivery_submitted', 'de', { actionLinks }));
    expect(delivered.html).toMatch(/<a href="https:\/\/h\.example\/a\/approve\?t=2"[^>]*>Freigeben<\/a>/);
    expect(delivered.html).toMatch(/<a href="https:\/\/h\.example\/a\/changes\?t=3"[^>]*>Änderungen anfordern<\/a>/);
    expect(delivered.html).not.toContain('/a/ack');
    expect(expectValidSlackMessage(delivered.chat)).toEqual(['https://h.example/a/approve?t=2', 'https://h.example/a/changes?t=3', BRIEF_URL]);

    const comment = renderNotification(input('comment', 'en', { actionLinks }));
    expect(comment.html).not.toContain('/a/');
  });

  test('HTML escapes every interpolated value, and only web links become links', () => {
    const evil = '<script>alert("x")</script> & "Sale"';
    const rendered = renderNotification(
      input('comment', 'en', {
        brief: { id: 'b-1', title: evil, priority: 'P1', status: 'in_progress', dueAt: BRIEF_DUE, partyId: 'agency' },
        partyName: 'Pixel<b>werk</b>',
        recipient: { name: '<img src=x onerror=alert(1)>', locale: 'en', timezone: 'Europe/Berlin' },
        event: looseEvent({ seq: 7, type: 'comment_added', actor: 'paula', at: '2026-11-26T09:00:00Z', data: { body: '<iframe src="https://evil.example">' } }),
        briefUrl: 'javascript:alert(1)',
      }),
    );
    expect(rendered.html).not.toMatch(/<script|<iframe|<img|<b>/i);
    expect(rendered.html).not.toContain('javascript:');
    expect(rendered.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Sale&quot;');
    expect(rendered.html).toContain('Pixel&lt;b&gt;werk&lt;/b&gt;');
    expect(visible(rendered.html)).toContain(evil);
    // The chat message escapes the same text for mrkdwn and drops the unsafe link.
    expect(mrkdwnOutsideMarkup(rendered.chat)).not.toMatch(/[<>]/);
    expect(JSON.stringify(rendered.chat)).toContain('&lt;script&gt;alert(\\"x\\")&lt;/script&gt; &amp;');
    expect(expectValidSlackMessage(rendered.chat)).toEqual([]);
  });

  test('mrkdwn links escape ampersands and cannot be broken out of by a title', () => {
    const rendered = renderNotification(
      input('approved', 'en', {
        brief: { id: 'b-1', title: 'A|B> <https://evil.example|click>', priority: 'P3', status: 'approved', dueAt: null, partyId: 'agency' },
        briefUrl: 'https://h.example/briefs/b-1?a=1&b=2',
      }),
    );
    const head = (rendered.chat.blocks[0] as any).text.text as string;
    expect(head).toContain('<https://h.example/briefs/b-1?a=1&amp;b=2|A|B&gt; &lt;https://evil.example|click&gt;>');
    expect(mrkdwnOutsideMarkup(rendered.chat)).not.toMatch(/[<>]/);
    expect(expectValidSlackMessage(rendered.chat)).toEqual(['https://h.example/briefs/b-1?a=1&b=2']);
  });

  test('any title reaches the HTML escaped and the reader intact', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (title) => {
        const rendered = renderNotification(input('comment', 'en', { brief: { id: 'b', title, priority: 'P3', status: 'in_progress', dueAt: null, partyId: 'agency' } }));
        expect(rendered.html).toContain(escapeHtml(title));
        expect(mrkdwnOutsideMarkup(rendered.chat)).not.toMatch(/[<>]/);
      }),
      { numRuns: 200 },
    );
  });

  describe('the assignment email says what is asked', () => {
    const content: BriefContent = {
      description: 'Banners for the spring sale.\nColours: <brand> & "pastel".',
      deliverables: ['Banner 300x250', 'Landing page <hero>'],
      deliverDueAt: BRIEF_DUE,
      deliverTarget: null,
    };
    const assigned = (locale: Locale, overrides: Partial<RenderInput> = {}) =>
      renderNotification(
        input('brief_assigned', locale, {
          event: looseEvent({ seq: 1, type: 'brief_created', actor: 'mara', at: '2026-11-26T09:00:00Z', data: { title: 'Spring campaign', partyId: 'agency', priority: 'P2' } }),
          brief: { id: 'b-1', title: 'Spring campaign', priority: 'P2', status: 'awaiting_ack', dueAt: BRIEF_DUE, partyId: 'agency' },
          actor: { name: 'Mara Manager', partyName: 'Shop' },
          stepDueAt: ACK_DUE,
          content,
          ...overrides,
        }),
      );

    test('in English: description, deliverables, priority, both deadlines in the recipient zone, who sent it, beside the acknowledge button', () => {
      const rendered = assigned('en', { actionLinks: { acknowledge: 'https://h.example/actions/ack' } });
      expect(rendered.subject).toBe(`[Handoff] Please acknowledge by ${BERLIN_ACK_DUE.en} – Spring campaign (Pixelwerk)`);
      expect(rendered.text).toContain(`Please acknowledge by ${BERLIN_ACK_DUE.en}.`);
      expect(rendered.text).toContain('By: Mara Manager (Shop)');
      expect(rendered.text).toContain('Priority: P2');
      expect(rendered.text).toContain(`Acknowledgement due: ${BERLIN_ACK_DUE.en}`);
      expect(rendered.text).toContain(`Delivery due: ${BERLIN_BRIEF_DUE.en}`);
      expect(rendered.text).toContain('Description:\n> Banners for the spring sale.\n> Colours: <brand> & "pastel".');
      expect(rendered.text).toContain('Deliverables:\n- Banner 300x250\n- Landing page <hero>');
      expect(rendered.text).toContain('Acknowledge: https://h.example/actions/ack');
      const html = visible(rendered.html);
      for (const part of ['Mara Manager (Shop)', 'P2', BERLIN_ACK_DUE.en, BERLIN_BRIEF_DUE.en, 'Colours: <brand> & "pastel".', 'Banner 300x250', 'Landing page <hero>']) {
        expect(html).toContain(part);
      }
      expect(rendered.html).toContain('<li>Landing page &lt;hero&gt;</li>');
      expect(rendered.html).not.toMatch(/<brand>|<hero>/);
      expect(rendered.html).toMatch(/<a href="https:\/\/h\.example\/actions\/ack"[^>]*>Acknowledge<\/a>/);
      const chat = JSON.stringify(rendered.chat);
      for (const part of ['Mara Manager (Shop)', BERLIN_ACK_DUE.en, BERLIN_BRIEF_DUE.en, 'Banners for the spring sale.', '• Banner 300x250', 'Landing page &lt;hero&gt;']) expect(chat).toContain(part);
      expect(mrkdwnOutsideMarkup(rendered.chat)).not.toMatch(/[<>]/);
      expect(expectValidSlackMessage(rendered.chat)).toEqual(['https://h.example/actions/ack', BRIEF_URL]);
    });

    test('in German, and in the zone of a recipient elsewhere', () => {
      const de = assigned('de');
      expect(de.text).toContain(`Bitte bestätigen Sie bis ${BERLIN_ACK_DUE.de}.`);
      expect(de.text).toContain('Von: Mara Manager (Shop)');
      expect(de.text).toContain('Priorität: P2');
      expect(de.text).toContain(`Bestätigung fällig: ${BERLIN_ACK_DUE.de}`);
      expect(de.text).toContain(`Lieferung fällig: ${BERLIN_BRIEF_DUE.de}`);
      expect(de.text).toContain('Beschreibung:\n> Banners for the spring sale.');
      expect(de.text).toContain('Lieferumfang:\n- Banner 300x250');
      expect(visible(de.html)).toContain('Lieferumfang');
      const newYork = assigned('en', { recipient: { name: 'Nora', locale: 'en', timezone: 'America/New_York' } });
      expect(newYork.text).toContain('Acknowledgement due: Fri, 27 Nov 2026, 09:30 EST');
      expect(newYork.text).toContain('Delivery due: Mon, 30 Nov 2026, 05:00 EST');
    });

    test('before the delivery deadline is an instant, its target counts from the acknowledgement', () => {
      const noDate = { brief: { id: 'b-1', title: 'Spring campaign', priority: 'P2' as const, status: 'awaiting_ack' as const, dueAt: null, partyId: 'agency' } };
      const working = { ...content, deliverDueAt: null, deliverTarget: { ms: 3 * 86_400_000, workingTime: true } };
      expect(assigned('en', { ...noDate, content: working }).text).toContain('Delivery due: 3 d after acknowledgement (working time)');
      expect(assigned('de', { ...noDate, content: working }).text).toContain('Lieferung fällig: 3 Tg. nach Bestätigung (Arbeitszeit)');
      const roundTheClock = { ...content, deliverDueAt: null, deliverTarget: { ms: 4 * 3_600_000, workingTime: false } };
      expect(assigned('en', { ...noDate, content: roundTheClock }).text).toContain('Delivery due: 4 h after acknowledgement\n');
    });

    test('the content belongs to the assignment email only', () => {
      const comment = renderNotification(input('comment', 'en', { content }));
      expect(comment.text).not.toContain('Banners for the spring sale.');
      expect(comment.text).not.toContain('Banner 300x250');
    });
  });

  describe('every message says who acted', () => {
    test.each(NOTIFICATION_EVENTS.flatMap((e) => (['en', 'de'] as const).map((l) => [e, l] as const)))('%s in %s: the member and their party', (notificationEvent, locale) => {
      const sample = SAMPLES[notificationEvent];
      const rendered = renderNotification(
        input(notificationEvent, locale, {
          event: looseEvent({ seq: 4, type: sample.type, actor: 'paula', at: '2026-11-26T09:00:00Z', data: sample.data }),
          actor: { name: 'Paula Pixel', partyName: 'Pixel<werk>' },
        }),
      );
      const label = locale === 'de' ? 'Von' : 'By';
      expect(rendered.text).toContain(`${label}: Paula Pixel (Pixel<werk>)`);
      expect(visible(rendered.html)).toMatch(new RegExp(`${label}\\s+Paula Pixel \\(Pixel<werk>\\)`));
      expect(rendered.html).not.toContain('<werk>');
      expect(JSON.stringify(rendered.chat)).toContain('Paula Pixel (Pixel&lt;werk&gt;)');
    });

    test('events of the clocks are Handoff’s own', () => {
      expect(renderNotification(input('reminder', 'en')).text).toContain('By: Handoff (SLA clock)');
      expect(renderNotification(input('escalation', 'de')).text).toContain('Von: Handoff (SLA-Frist)');
      expect(JSON.stringify(renderNotification(input('escalation', 'en')).chat)).toContain('Handoff (SLA clock)');
    });
  });

  describe('escalations say how late the step is when they are sent', () => {
    const DUE = '2026-11-27T17:20:00Z';
    const escalation = (locale: Locale, data: Record<string, unknown>, sentAt?: number) =>
      renderNotification(
        input('escalation', locale, {
          event: looseEvent({ seq: 9, type: 'escalation_raised', actor: null, at: DUE, data: { escalationId: 'e-1', clock: 'acknowledge', level: 1, round: 1, repeat: 0, ...data } }),
          sentAt,
        }),
      );
    const later = (ms: number) => Date.parse(DUE) + ms;

    test('overdue by hours and minutes, in both languages, in subject and body', () => {
      const en = escalation('en', { dueAt: DUE }, later((2 * 60 + 15) * 60_000 + 30_000));
      expect(en.subject).toContain('Escalation level 1: the acknowledgement is overdue by 2 h 15 min');
      expect(en.text).toContain('Escalation level 1: the acknowledgement is overdue by 2 h 15 min');
      expect(JSON.stringify(en.chat)).toContain('overdue by 2 h 15 min');
      const de = escalation('de', { dueAt: DUE }, later((2 * 60 + 15) * 60_000));
      expect(de.subject).toContain('Eskalationsstufe 1: die Bestätigung ist seit 2 Std. 15 Min. überfällig');
      expect(visible(de.html)).toContain('seit 2 Std. 15 Min. überfällig');
    });

    test('days and hours for long delays; nothing for a notice sent at the breach', () => {
      expect(escalation('en', { dueAt: DUE, clock: 'review' }, later(27 * 3_600_000)).subject).toContain('the review is overdue by 1 d 3 h');
      expect(escalation('de', { dueAt: DUE, clock: 'deliver' }, later(27 * 3_600_000)).subject).toContain('die Lieferung ist seit 1 Tg. 3 Std. überfällig');
      expect(escalation('en', { dueAt: DUE }, later(20_000)).subject).toContain('the acknowledgement is overdue –');
    });

    test('older events without dueAt, or no send instant, fall back to saying it is overdue', () => {
      expect(escalation('en', {}, later(3_600_000)).subject).toContain('Escalation level 1: the acknowledgement is overdue –');
      expect(escalation('de', {}, later(3_600_000)).subject).toContain('Eskalationsstufe 1: die Bestätigung ist überfällig –');
      expect(escalation('en', { dueAt: DUE }).subject).toContain('the acknowledgement is overdue –');
      expect(escalation('en', { dueAt: DUE, clock: undefined }, later(90 * 60_000)).subject).toContain('a deadline was missed 1 h 30 min ago');
      expect(escalation('de', { dueAt: DUE, clock: undefined }, later(90 * 60_000)).subject).toContain('eine Frist ist seit 1 Std. 30 Min. überschritten');
    });
  });

  test('a delivery asks for its review by the review clock’s deadline; a request for changes for the next delivery by the deliver clock’s', () => {
    const review = renderNotification(input('delivery_submitted', 'en', { stepDueAt: ACK_DUE }));
    expect(review.subject).toContain(`Please review delivery v2 by ${BERLIN_ACK_DUE.en}`);
    expect(review.text).toContain(`Review due: ${BERLIN_ACK_DUE.en}`);
    const changes = renderNotification(input('changes_requested', 'de', { stepDueAt: ACK_DUE }));
    expect(changes.subject).toContain(`Bitte überarbeiten Sie und liefern Sie erneut bis ${BERLIN_ACK_DUE.de}`);
    expect(changes.text).toContain(`Lieferung fällig: ${BERLIN_ACK_DUE.de}`);
  });

  test('a delivery email quotes the summary and lists the links; only web links become links', () => {
    const data = { version: 3, summary: 'Final banners.\nSee <notes>.', links: ['https://files.example/v3.zip?a=1&b=2', 'javascript:alert(1)', 'ftp://files.example/raw'], submittedBy: 'paula' };
    for (const locale of ['en', 'de'] as const) {
      const rendered = renderNotification(
        input('delivery_submitted', locale, {
          event: looseEvent({ seq: 8, type: 'delivered', actor: 'paula', at: '2026-11-26T09:00:00Z', data }),
          actor: { name: 'Paula Pixel', partyName: 'Pixelwerk' },
        }),
      );
      expect(rendered.text).toContain(`${locale === 'de' ? 'Zusammenfassung' : 'Summary'}:\n> Final banners.\n> See <notes>.`);
      expect(rendered.text).toContain('Links:\n- https://files.example/v3.zip?a=1&b=2\n- javascript:alert(1)\n- ftp://files.example/raw');
      expect(rendered.html).toContain('<a href="https://files.example/v3.zip?a=1&amp;b=2">');
      expect(rendered.html).not.toMatch(/href="(javascript|ftp):/);
      expect(visible(rendered.html)).toContain('javascript:alert(1)');
      expect(rendered.html).toContain('See &lt;notes&gt;.');
      expect(JSON.stringify(rendered.chat)).toContain('<https://files.example/v3.zip?a=1&amp;b=2|');
      expect(JSON.stringify(rendered.chat)).not.toContain('<javascript:');
    }
  });
});

describe('formatSpan', () => {
  test.each([
    [30_000, '1 min', '1 Min.'],
    [15 * 60_000, '15 min', '15 Min.'],
    [(2 * 60 + 15) * 60_000 + 59_000, '2 h 15 min', '2 Std. 15 Min.'],
    [2 * 3_600_000, '2 h', '2 Std.'],
    [(26 * 60 + 5) * 60_000, '1 d 2 h', '1 Tg. 2 Std.'],
    [3 * 86_400_000 + 5 * 60_000, '3 d', '3 Tg.'],
  ])('%d ms reads "%s" / "%s"', (ms, en, de) => {
    expect(formatSpan(ms, 'en')).toBe(en);
    expect(formatSpan(ms, 'de')).toBe(de);
  });
});
