// Notification templates: every event in German and English names the brief, the party, what is
// asked, the due instant in the recipient's zone and the link, safely escaped for each channel.
import fc from 'fast-check';
import { escapeHtml, formatInstant, renderNotification, type Locale, type RenderInput } from '../../activities/notifications/templates';
import type { BriefEventType } from '../../workflows/domain/brief';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../workflows/domain/notifications';

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
    event: { seq: 4, type: sample.type, actor: null, at: '2026-11-26T09:00:00Z', data: sample.data },
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
      input('brief_assigned', 'en', { event: { seq: 1, type: 'brief_created', actor: 'mara', at: '2026-11-26T09:00:00Z', data: { title: 'Spring campaign' } } }),
    );
    expect(withoutClock.text).toContain('Please acknowledge the brief.');
    expect(withoutClock.text).toContain(`Delivery due: ${BERLIN_BRIEF_DUE.en}`);
    const noDue = renderNotification(input('comment', 'en', { brief: { ...input('comment', 'en').brief, dueAt: null } }));
    expect(noDue.text).not.toMatch(/due:/i);
  });

  test('an escalation names its level and clock, and repeats', () => {
    const rendered = renderNotification(
      input('escalation', 'de', { event: { seq: 9, type: 'escalation_raised', actor: null, at: '2026-11-26T09:00:00Z', data: { clock: 'review', level: 3, repeat: 2 } } }),
    );
    expect(rendered.subject).toContain('Eskalationsstufe 3 (Wiederholung 2): die Prüfung ist überfällig');
    expect(rendered.text).toContain('Eskalation: Stufe 3, Frist: Prüfung');
    expect(rendered.text).toContain('Bitte sorgen Sie dafür, dass die Lieferung geprüft wird.');
  });

  test('hold, resume and edits each say what changed', () => {
    const at = '2026-11-26T09:00:00Z';
    const held = renderNotification(input('brief_changed', 'en', { event: { seq: 5, type: 'brief_held', actor: 'mara', at, data: { reason: 'Budget review' } } }));
    expect(held.subject).toContain('Brief on hold');
    expect(held.text).toContain('Budget review');
    const resumed = renderNotification(input('brief_changed', 'de', { event: { seq: 6, type: 'brief_resumed', actor: 'mara', at, data: { note: 'Budget ok' } } }));
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
        event: { seq: 7, type: 'comment_added', actor: 'paula', at: '2026-11-26T09:00:00Z', data: { body: '<iframe src="https://evil.example">' } },
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
});
