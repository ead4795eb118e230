// The notification outbox's activities against a real database (PGlite), a real SMTP server and
// real HTTP receivers: planning rows by preferences and quiet hours, delivering each row once in
// effect (signed webhooks, German and English email with action links, chat), transient and
// permanent failures, Retry-After, and a webhook disabled after repeated failures; what the
// assignment and delivery emails say (read from the read model, parsed as a mail client would),
// and reminders overtaken by their deadline dropped when planned or when due to be sent.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createDeliverNotification, createNotificationFailed, createPlanNotifications, type OutboxDeps } from '../../activities/deliver';
import type { PlanInput } from '../../activities/types';
import { createMailer } from '../../activities/notifications/mailer';
import { createRecordEvents } from '../../activities/record-events';
import { verifyWebhookSignature } from '../../activities/notifications/signature';
import type { Database } from '../../lib/db/database';
import { openTestDatabase } from '../support/database';
import { createLogger } from '../../lib/logger';
import type { BriefInput, BriefState } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import { zonedInstant } from '../../workflows/domain/calendar';
import { applyAction, initialState } from '../../workflows/domain/transitions';
import { header, parseEmail, rawHeaderLines, type ParsedEmail } from '../support/parse-email';
import { decodeQuotedPrintable, startHttpReceiver, startSmtpReceiver, type HttpReceiver } from '../support/receivers';
import { looseEvent } from '../support/events';
import { outboundPolicy } from '../../lib/outbound';

const logger = createLogger('silent');
const SECRET = 'whsec_test_secret';
let db: Database;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hooks: HttpReceiver;
let chat: HttpReceiver;
let deps: OutboxDeps;

beforeAll(async () => {
  db = await openTestDatabase();
  smtp = await startSmtpReceiver();
  hooks = await startHttpReceiver({ secret: SECRET });
  chat = await startHttpReceiver({ successStatus: 200 });
  const weekdays = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]));
  await db.prisma.calendar.create({ data: { id: 'berlin', name: 'Berlin office', timezone: 'Europe/Berlin', workingHours: weekdays, holidays: [] } });
  await db.prisma.party.create({ data: { id: 'shop', name: 'Shop', kind: 'ecommerce' } });
  await db.prisma.party.create({ data: { id: 'agency', name: 'Pixelwerk', kind: 'agency', calendarId: 'berlin' } });
  await db.prisma.member.createMany({
    data: [
      { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'en', timezone: 'America/New_York' },
      { id: 'paula', partyId: 'agency', name: 'Paula', email: 'paula@pixel.example', role: 'member', locale: 'de', webhookUrl: hooks.url, webhookSecret: SECRET },
      { id: 'piet', partyId: 'agency', name: 'Piet', email: 'piet@pixel.example', role: 'member', locale: 'en', chatWebhookUrl: chat.url, notificationPreferences: { comment: [] } },
    ],
  });
  deps = {
    prisma: db.prisma,
    // As start/handoff.ts makes it: Message-IDs at the public URL's host.
    mailer: createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent', messageIdHost: 'handoff.shop.example' }),
    logger,
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 7 * 24 * 3600_000,
    webhookDisableAfter: 2,
    // The receivers listen on 127.0.0.1, which only an operator's allow list opens.
    outbound: outboundPolicy('127.0.0.1/32'),
  };
});

afterAll(async () => {
  deps?.mailer.close();
  await hooks?.stop();
  await chat?.stop();
  await smtp?.stop();
  await db?.close();
});

/** Saturday 28 November 2026, 10:00 in Berlin: outside the agency's working hours. */
const SATURDAY = zonedInstant('Europe/Berlin', '2026-11-28', '10:00');
const MONDAY_9 = zonedInstant('Europe/Berlin', '2026-11-30', '09:00');

function planInput(briefId: string, event: Partial<Parameters<typeof looseEvent>[0]> = {}, priority: 'P1' | 'P2' | 'P3' | 'P4' = 'P2'): PlanInput {
  return {
    workflowId: `brief-${briefId}`,
    event: looseEvent({ seq: 1, type: 'brief_created', actor: 'mara', at: new Date(SATURDAY).toISOString(), data: {}, ...event }),
    audience: ['party_members'],
    brief: { id: briefId, title: 'Spring campaign', partyId: 'agency', managerId: 'mara', reviewerId: null, priority, status: 'awaiting_ack', dueAt: null },
  };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;
/** Runs an activity as an attempt the server scheduled at `at` (ms), e.g. after the worker was down. */
const runAt = <A extends unknown[], R>(at: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: at }).run(fn, ...args) as Promise<R>;

describe('planNotifications', () => {
  test('one row per recipient and channel they chose and have: email always, webhook and chat where set up', async () => {
    const plan = createPlanNotifications(deps);
    const planned = await run(plan, planInput('b-plan'));
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-plan' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => `${r.recipientId}:${r.channel}:${r.status}`).sort()).toEqual(['paula:email:pending', 'paula:webhook:pending', 'piet:chat:pending', 'piet:email:pending']);
    expect(rows.every((r) => r.event === 'brief_assigned' && r.eventSeq === 1)).toBe(true);
    expect(planned.map((p) => p.notBefore)).toEqual([null, null, null, null]);
    // Planning again (a retried activity, a replay) adds nothing.
    await run(plan, planInput('b-plan'));
    expect(await db.prisma.notification.count({ where: { briefId: 'b-plan' } })).toBe(4);
  });

  test('preferences leave channels out: Piet does not want comments', async () => {
    await run(createPlanNotifications(deps), planInput('b-comment', { type: 'comment_added', actor: 'mara', data: { body: 'hi', role: 'manager' } }));
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-comment' } });
    expect(rows.map((r) => r.recipientId).sort()).toEqual(['paula', 'paula']);
  });

  test('a P3 brief sent on Saturday is held until the party works again (Monday 09:00 Berlin); a P2 goes out at once', async () => {
    const held = await run(createPlanNotifications(deps), planInput('b-quiet', {}, 'P3'));
    expect(new Set(held.map((p) => p.notBefore))).toEqual(new Set([new Date(MONDAY_9).toISOString()]));
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-quiet' } });
    expect(rows.every((r) => r.status === 'held' && r.holdUntil?.getTime() === MONDAY_9)).toBe(true);
    const escalation = await run(createPlanNotifications(deps), planInput('b-urgent', { type: 'escalation_raised', actor: null, data: { escalationId: 'e', clock: 'acknowledge', level: 1, notify: ['party_members'] } }, 'P4'));
    expect(escalation.every((p) => p.notBefore === null)).toBe(true);
  });
});

describe('deliverNotification', () => {
  test('a German email with an acknowledge link, a signed webhook with a stable Idempotency-Key, a chat message; each once', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-send', { at: new Date().toISOString() }));
    const deliver = createDeliverNotification(deps);
    for (const { id } of planned) {
      await run(deliver, { id });
      await run(deliver, { id });
    }
    const toPaula = smtp.messages.filter((m) => m.to.includes('paula@pixel.example'));
    expect(toPaula).toHaveLength(1);
    expect(decodeQuotedPrintable(toPaula[0].raw)).toMatch(/https:\/\/handoff\.shop\.example\/actions\/[\w.-]+/);
    expect(decodeQuotedPrintable(toPaula[0].raw)).toContain('Bitte bestätigen Sie');
    const webhook = hooks.requests.filter((r) => r.body?.brief?.id === 'b-send');
    expect(webhook).toHaveLength(1);
    expect(webhook[0].signatureValid).toBe(true);
    expect(verifyWebhookSignature(SECRET, String(webhook[0].headers['handoff-signature']), webhook[0].rawBody)).toBe(true);
    expect(webhook[0].headers['idempotency-key']).toBe('brief-b-send:1:paula:webhook');
    expect(chat.requests.filter((r) => JSON.stringify(r.body).includes('Spring campaign'))).toHaveLength(1);
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-send' } });
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  test('a member deactivated between planning and sending receives nothing: the rows are dropped, never retried; reactivated, they are planned again', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-left', { at: new Date().toISOString() }));
    await db.prisma.member.update({ where: { id: 'paula' }, data: { deactivatedAt: new Date() } });
    try {
      const deliver = createDeliverNotification(deps);
      for (const { id } of planned) await run(deliver, { id });
      const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-left' } });
      const paulas = rows.filter((r) => r.recipientId === 'paula');
      expect(paulas.map((r) => [r.channel, r.status, r.lastError]).sort()).toEqual([
        ['email', 'dropped', 'the recipient is deactivated'],
        ['webhook', 'dropped', 'the recipient is deactivated'],
      ]);
      expect(rows.filter((r) => r.recipientId === 'piet').every((r) => r.status === 'sent')).toBe(true);
      expect(smtp.messages.filter((m) => m.to.includes('paula@pixel.example') && m.raw.includes('b-left'))).toEqual([]);
      expect(hooks.received.filter((r) => r.body?.brief?.id === 'b-left')).toEqual([]);
      // Planned while deactivated: not a recipient at all.
      await run(createPlanNotifications(deps), planInput('b-left-later'));
      expect((await db.prisma.notification.findMany({ where: { briefId: 'b-left-later' } })).map((r) => r.recipientId).sort()).toEqual(['piet', 'piet']);
    } finally {
      await db.prisma.member.update({ where: { id: 'paula' }, data: { deactivatedAt: null } });
    }
    await run(createPlanNotifications(deps), planInput('b-back'));
    expect((await db.prisma.notification.findMany({ where: { briefId: 'b-back', recipientId: 'paula' } })).length).toBe(2);
  });

  test('a chat post claimed by an attempt that died mid-post is never posted again: it stays unconfirmed; a failed post is posted again once', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-chat-claim', { at: new Date().toISOString() }));
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-chat-claim', channel: 'chat' } });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(planned.map((p) => p.id)).toContain(row.id);
    const posts = () => chat.requests.filter((r) => JSON.stringify(r.body).includes('Spring campaign')).length;
    const before = posts();
    // What an attempt leaves when its worker is killed between the post and the bookkeeping.
    await db.prisma.notification.update({ where: { id: row.id }, data: { status: 'sending' } });
    await run(createDeliverNotification(deps), { id: row.id });
    expect(posts()).toBe(before);
    expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'unconfirmed', attempts: 1 });
    // Done with: a later attempt (a replayed workflow) does nothing either.
    await run(createDeliverNotification(deps), { id: row.id });
    expect(posts()).toBe(before);

    // A post the chat server refused for now is claimed again by the retry and posted once.
    const retried = await run(createPlanNotifications(deps), planInput('b-chat-retry', { at: new Date().toISOString() }));
    const retriedRow = await db.prisma.notification.findFirstOrThrow({ where: { briefId: 'b-chat-retry', channel: 'chat' } });
    expect(retried.map((p) => p.id)).toContain(retriedRow.id);
    chat.failNext(1, 503);
    await expect(run(createDeliverNotification(deps), { id: retriedRow.id })).rejects.toThrow();
    expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: retriedRow.id } })).toMatchObject({ status: 'pending', attempts: 1 });
    await run(createDeliverNotification(deps), { id: retriedRow.id });
    expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: retriedRow.id } })).toMatchObject({ status: 'sent', attempts: 2 });
    expect(posts()).toBe(before + 1);
  });

  test('a 503 is retried (thrown), a 429 asks for the next attempt exactly when its Retry-After says (seconds or HTTP date), a 400 fails for good; two final failures disable the webhook and tell its owner', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-fail', { at: new Date().toISOString() }));
    const webhookRow = planned.find((p) => p.id.endsWith('paula_webhook'))!;
    const deliver = createDeliverNotification(deps);

    hooks.failNext(1, 503);
    const transient = await run(deliver, { id: webhookRow.id }).catch((err: unknown) => err);
    expect(transient).toBeInstanceOf(ApplicationFailure);
    expect((transient as ApplicationFailure).nonRetryable).toBe(false);

    // The next attempt waits exactly as long as the receiver asked, whatever the backoff would say.
    hooks.rateLimitNext(1, '7');
    const limited = (await run(deliver, { id: webhookRow.id }).catch((err: unknown) => err)) as ApplicationFailure;
    expect(limited).toBeInstanceOf(ApplicationFailure);
    expect(limited.nextRetryDelay).toBe(7_000);
    // The HTTP-date form counts from the worker's clock, held here on a whole second (HTTP dates have no finer grain).
    const now = Math.floor(Date.now() / 1000) * 1000;
    hooks.rateLimitNext(1, new Date(now + 90_000).toUTCString());
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    let limitedUntil: ApplicationFailure;
    try {
      limitedUntil = (await run(deliver, { id: webhookRow.id }).catch((err: unknown) => err)) as ApplicationFailure;
    } finally {
      clock.mockRestore();
    }
    expect(limitedUntil).toBeInstanceOf(ApplicationFailure);
    expect(limitedUntil.nextRetryDelay).toBe(90_000);

    hooks.failNext(1, 400);
    await run(deliver, { id: webhookRow.id });
    const failed = await db.prisma.notification.findUniqueOrThrow({ where: { id: webhookRow.id } });
    expect(failed).toMatchObject({ status: 'failed', attempts: 4 });
    expect(failed.lastError).toMatch(/400/);
    expect((await db.prisma.member.findUniqueOrThrow({ where: { id: 'paula' } })).webhookFailures).toBe(1);

    // A second one given up on after its retries: the webhook is disabled and Paula is told.
    const second = await run(createPlanNotifications(deps), planInput('b-fail-2', { at: new Date().toISOString() }));
    const secondWebhook = second.find((p) => p.id.endsWith('paula_webhook'))!;
    await run(createNotificationFailed(deps), { id: secondWebhook.id, error: 'receiver down' });
    const paula = await db.prisma.member.findUniqueOrThrow({ where: { id: 'paula' } });
    expect(paula.webhookDisabledAt).not.toBeNull();
    const told = smtp.messages.filter((m) => m.to.includes('paula@pixel.example') && /Webhook wurde deaktiviert/.test(decodeQuotedPrintable(m.raw)));
    expect(told).toHaveLength(1);
    // Its one link opens a page a browser shows (the API reference), not a JSON route that needs a key.
    expect(decodeQuotedPrintable(told[0].raw)).toContain('PUT /v1/members/paula/notification-preferences (https://handoff.shop.example/docs)');
    expect(decodeQuotedPrintable(told[0].raw)).not.toMatch(/https?:\/\/\S+\/v1\//);
    // Disabled: new events plan no webhook rows for her.
    const third = await run(createPlanNotifications(deps), planInput('b-fail-3', { at: new Date().toISOString() }));
    expect(third.some((p) => p.id.endsWith('paula_webhook'))).toBe(false);
    await db.prisma.member.update({ where: { id: 'paula' }, data: { webhookDisabledAt: null, webhookFailures: 0 } });
  });

  test('a receiver at an internal address fails for good at send time, without a request: 127.0.0.1 not allowed, a chat host resolving to the metadata endpoint', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-inside', { at: new Date().toISOString() }));
    const webhookRow = planned.find((p) => p.id.endsWith('paula_webhook'))!;
    const chatRow = planned.find((p) => p.id.endsWith('piet_chat'))!;
    const rebinding = async (host: string) => (host === 'chat.rebind.example' ? [{ address: '169.254.169.254', family: 4 }] : []);
    const strict = { ...deps, outbound: outboundPolicy('', rebinding) };
    await db.prisma.member.update({ where: { id: 'piet' }, data: { chatWebhookUrl: 'https://chat.rebind.example/hooks/T000' } });
    const [hooksBefore, chatBefore] = [hooks.received.length, chat.received.length];
    try {
      // Permanent: recorded as failed and not thrown for a retry.
      await run(createDeliverNotification(strict), { id: webhookRow.id });
      await run(createDeliverNotification(strict), { id: chatRow.id });
    } finally {
      await db.prisma.member.update({ where: { id: 'piet' }, data: { chatWebhookUrl: chat.url } });
    }
    const webhook = await db.prisma.notification.findUniqueOrThrow({ where: { id: webhookRow.id } });
    expect(webhook).toMatchObject({ status: 'failed', attempts: 1 });
    expect(webhook.lastError).toMatch(/^address not allowed: 127\.0\.0\.1 \(loopback\)/);
    const posted = await db.prisma.notification.findUniqueOrThrow({ where: { id: chatRow.id } });
    expect(posted).toMatchObject({ status: 'failed', attempts: 1 });
    expect(posted.lastError).toBe('address not allowed: chat.rebind.example resolves to 169.254.169.254 (link-local)');
    expect([hooks.received.length, chat.received.length]).toEqual([hooksBefore, chatBefore]);
    await db.prisma.member.update({ where: { id: 'paula' }, data: { webhookDisabledAt: null, webhookFailures: 0 } });
  });
});

const HOUR = 3_600_000;
const MINUTE = 60_000;
// Instants in the future, whatever day the tests run on: a Saturday and the Monday after it, in Berlin.
const LATER_SATURDAY = zonedInstant('Europe/Berlin', '2036-11-29', '10:00');
const LATER_MONDAY = (time: string) => zonedInstant('Europe/Berlin', '2036-12-01', time);

/** A brief recorded in the read model as the workflow records it, started at `at`; `then` moves it on. */
async function recordBrief(id: string, at: number, overrides: Partial<BriefInput> = {}, then: (state: BriefState) => void = () => undefined): Promise<BriefState> {
  const state = initialState(
    {
      id,
      title: 'Spring campaign',
      description: 'Banners for the spring sale.',
      partyId: 'agency',
      managerId: 'mara',
      reviewerId: null,
      priority: 'P2',
      dueAt: null,
      deliverables: [],
      targetsMs: { acknowledge: 4 * HOUR, deliver: 72 * HOUR, review: 24 * HOUR },
      ...overrides,
    },
    at,
  );
  then(state);
  await createRecordEvents(deps)({ workflowId: `brief-${id}`, events: state.timeline, state, overdue: false, nextDueAt: null });
  return state;
}

const briefOf = (state: BriefState, status = state.status): PlanInput['brief'] => {
  const { id, title, partyId, managerId, reviewerId, priority, dueAt } = state.brief;
  return { id, title, partyId, managerId, reviewerId, priority, status, dueAt };
};

/** The emails the SMTP server received for a recipient whose subject names `title`, parsed. */
function mailsTo(address: string, title: string): { parsed: ParsedEmail; raw: string }[] {
  return smtp.messages
    .filter((m) => m.to.includes(address))
    .map((m) => ({ parsed: parseEmail(m.raw), raw: m.raw }))
    .filter((m) => header(m.parsed, 'Subject').includes(title));
}

describe('what the emails say', () => {
  test('the assignment email, parsed as a mail client would: what is asked, both deadlines in the recipient zone, who sent it, a browser link; Message-ID at the public host on one line', async () => {
    const title = 'Größentabelle <Schuhe>';
    const description = 'Eine neue Größentabelle für alle Schuhe.\nBitte mit <Umrechnung> & "EU/US".';
    // Monday 1 December 2036, 09:00 in Berlin: the acknowledgement is due at 13:00 (four hours).
    const at = LATER_MONDAY('09:00');
    const state = await recordBrief('b-assign', at, { title, description, deliverables: ['Tabelle <HTML>', 'PDF-Version'], dueAt: '2036-12-11T16:00:00.000Z' });
    const planned = await run(createPlanNotifications(deps), { workflowId: 'brief-b-assign', event: state.timeline[0], audience: ['party_members'], brief: briefOf(state) });
    for (const { id } of planned) await run(createDeliverNotification(deps), { id });

    const mails = mailsTo('paula@pixel.example', 'Größentabelle');
    expect(mails).toHaveLength(1);
    const [{ parsed, raw }] = mails;
    expect(header(parsed, 'Subject')).toBe(`[Handoff] Bitte bestätigen Sie bis Mo., 1. Dez. 2036, 13:00 MEZ – ${title} (Pixelwerk)`);
    // One Message-ID, at the installation's public host, on a single line as sent.
    const messageId = header(parsed, 'Message-ID');
    expect(messageId).toMatch(/^<[0-9a-f]{32}@handoff\.shop\.example>$/);
    expect(rawHeaderLines(parsed, 'Message-ID')).toEqual([`Message-ID: ${messageId}`]);
    expect(raw).not.toContain('@handoff>');

    const text = parsed.text ?? '';
    expect(text).toContain('Hallo Paula,');
    expect(text).toContain('Bitte bestätigen Sie bis Mo., 1. Dez. 2036, 13:00 MEZ.');
    expect(text).toContain('Von: Mara (Shop)');
    expect(text).toContain('Priorität: P2');
    expect(text).toContain('Bestätigung fällig: Mo., 1. Dez. 2036, 13:00 MEZ');
    expect(text).toContain('Lieferung fällig: Do., 11. Dez. 2036, 17:00 MEZ');
    expect(text).toContain('Beschreibung:\n> Eine neue Größentabelle für alle Schuhe.\n> Bitte mit <Umrechnung> & "EU/US".');
    expect(text).toContain('Lieferumfang:\n- Tabelle <HTML>\n- PDF-Version');
    expect(text).toMatch(/^Bestätigen: https:\/\/handoff\.shop\.example\/actions\/[\w-]+\.[\w-]{43}$/m);
    // Opening the brief means its page in a browser, not the JSON API.
    expect(text).toMatch(/^Briefing öffnen: https:\/\/handoff\.shop\.example\/view\/[\w-]+\.[\w-]{43}$/m);
    expect(text).not.toContain('/v1/briefs');

    const html = parsed.html ?? '';
    expect(html).toContain('Bitte mit &lt;Umrechnung&gt; &amp; &quot;EU/US&quot;.');
    expect(html).toContain('<li>Tabelle &lt;HTML&gt;</li>');
    expect(html).not.toMatch(/<Umrechnung>|<HTML>|<Schuhe>/);
    expect(html).toMatch(/<a href="https:\/\/handoff\.shop\.example\/view\/[\w-]+\.[\w-]{43}"[^>]*>Briefing öffnen<\/a>/);
    expect(html).toMatch(/<a href="https:\/\/handoff\.shop\.example\/actions\/[\w-]+\.[\w-]{43}"[^>]*>Bestätigen<\/a>/);

    // Piet reads it in English, in the party's zone, in his chat too.
    const chat = chatMessages('Größentabelle');
    expect(chat).toHaveLength(1);
    expect(JSON.stringify(chat[0])).toContain('Acknowledgement due: *Mon, 1 Dec 2036, 13:00 CET*');
    expect(JSON.stringify(chat[0])).toContain('Eine neue Größentabelle für alle Schuhe.');

    // The workflow's payload carried none of it: the email read it from the read model.
    const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-assign' } });
    for (const row of rows) expect(JSON.stringify(row.payload)).not.toMatch(/Größentabelle für alle|PDF-Version/);
  });

  test('the delivery email quotes the summary and lists the links, says who delivered, and offers approve and request changes', async () => {
    const at = LATER_MONDAY('09:00');
    const paulaActor = { memberId: 'paula', role: 'member' as const, partyId: 'agency' };
    const state = await recordBrief('b-delivered', at, {}, (s) => {
      applyAction(s, 'acknowledge', {}, paulaActor, at + HOUR);
      applyAction(s, 'deliver', { summary: 'Alle Banner fertig.\nSiehe <Notizen>.', links: ['https://files.example/v1.zip?a=1&b=2', 'https://files.example/preview'] }, paulaActor, at + 2 * HOUR);
    });
    const delivered = state.timeline[state.timeline.length - 1];
    expect(delivered.type).toBe('delivered');
    const planned = await run(createPlanNotifications(deps), { workflowId: 'brief-b-delivered', event: delivered, audience: ['reviewer'], brief: briefOf(state) });
    for (const { id } of planned) await run(createDeliverNotification(deps), { id });

    const mails = mailsTo('mara@shop.example', 'Spring campaign').filter((m) => (m.parsed.text ?? '').includes('Alle Banner fertig.'));
    expect(mails).toHaveLength(1);
    const text = mails[0].parsed.text ?? '';
    expect(header(mails[0].parsed, 'Subject')).toMatch(/^\[Handoff\] Please review delivery v1 by .+ – Spring campaign \(Pixelwerk\)$/);
    expect(text).toContain('By: Paula (Pixelwerk)');
    expect(text).toContain('Summary:\n> Alle Banner fertig.\n> Siehe <Notizen>.');
    expect(text).toContain('Links:\n- https://files.example/v1.zip?a=1&b=2\n- https://files.example/preview');
    expect(text).toMatch(/^Approve: https:\/\/handoff\.shop\.example\/actions\/\S+$/m);
    expect(text).toMatch(/^Request changes: https:\/\/handoff\.shop\.example\/actions\/\S+$/m);
    expect(text).toMatch(/^Open the brief: https:\/\/handoff\.shop\.example\/view\/\S+$/m);
    // Review due in Mara's zone (New York): a day after the delivery, 06:00 there.
    expect(text).toContain('Review due: Tue, 2 Dec 2036, 05:00 EST');
    expect(mails[0].parsed.html).toContain('<a href="https://files.example/v1.zip?a=1&amp;b=2">');
  });
});

/** Chat messages received whose text names `title`. */
function chatMessages(title: string): any[] {
  return chat.requests.filter((r) => JSON.stringify(r.body).includes(title)).map((r) => r.body);
}

describe('reminders overtaken by their deadline', () => {
  const reminderOf = (state: BriefState, at: number, dueAt: string): TimelineEvent => ({
    seq: state.seq + 1,
    type: 'sla_warning',
    actor: null,
    at: new Date(at).toISOString(),
    data: { clock: 'acknowledge', share: 0.75, dueAt, round: 1 },
  });
  const rowsOf = (briefId: string) => db.prisma.notification.findMany({ where: { briefId, event: 'reminder' }, orderBy: { id: 'asc' } });
  const sentFor = (title: string) => smtp.messages.filter((m) => decodeQuotedPrintable(m.raw).includes(title)).length + chat.requests.filter((r) => JSON.stringify(r.body).includes(title)).length;

  test('a warning that comes after its deadline (a worker that was down) is recorded as dropped and never sent', async () => {
    const at = LATER_MONDAY('09:00');
    const state = await recordBrief('b-late-warning', at, { title: 'Late warning' });
    const dueAt = state.clocks.acknowledge.dueAt as string;
    // The worker came back 45 minutes after the deadline: warning and breach fire together.
    const event = reminderOf(state, Date.parse(dueAt) + 45 * MINUTE, dueAt);
    const planned = await runAt(Date.parse(event.at), createPlanNotifications(deps), { workflowId: 'brief-b-late-warning', event, audience: ['party_members'], brief: briefOf(state) });
    expect(planned).toEqual([]);
    const rows = await rowsOf('b-late-warning');
    expect(rows.map((r) => `${r.recipientId}:${r.channel}:${r.status}`)).toEqual(['paula:email', 'paula:webhook', 'piet:chat', 'piet:email'].map((r) => `${r}:dropped`));
    for (const row of rows) expect(row.lastError).toBe(`overtaken by its deadline: due ${dueAt}, to be sent ${event.at}`);
    // A delivery asked for anyway (an older workflow) sends nothing.
    for (const row of rows) await run(createDeliverNotification(deps), { id: row.id });
    expect(sentFor('Late warning')).toBe(0);
    expect((await rowsOf('b-late-warning')).every((r) => r.status === 'dropped' && r.attempts === 0 && r.sentAt === null)).toBe(true);
  });

  test('a reminder held for quiet hours and released after its deadline is dropped when it is due to go out; one released in time is sent', async () => {
    // A P3 brief on Saturday: reminders wait for the agency's Monday 09:00.
    const at = LATER_SATURDAY;
    const inTime = await recordBrief('b-held-in-time', at, { title: 'Held in time', priority: 'P3' });
    const tooLate = await recordBrief('b-held-too-late', at, { title: 'Held too late', priority: 'P3' });
    const mondayTen = new Date(LATER_MONDAY('10:00')).toISOString();
    const plan = async (state: BriefState) =>
      runAt(at, createPlanNotifications(deps), { workflowId: `brief-${state.brief.id}`, event: reminderOf(state, at, mondayTen), audience: ['party_members'], brief: briefOf(state) });
    const heldInTime = await plan(inTime);
    const heldTooLate = await plan(tooLate);
    expect(new Set([...heldInTime, ...heldTooLate].map((p) => p.notBefore))).toEqual(new Set([new Date(LATER_MONDAY('09:00')).toISOString()]));
    expect((await rowsOf('b-held-too-late')).every((r) => r.status === 'held')).toBe(true);

    // Released at 09:00 as planned: sent. Released at 10:30 (Handoff was down at 09:00): dropped.
    for (const { id } of heldInTime) await runAt(LATER_MONDAY('09:00'), createDeliverNotification(deps), { id });
    const late = LATER_MONDAY('10:30');
    for (const { id } of heldTooLate) await runAt(late, createDeliverNotification(deps), { id });
    expect((await rowsOf('b-held-in-time')).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(sentFor('Held in time')).toBeGreaterThan(0);
    const dropped = await rowsOf('b-held-too-late');
    expect(dropped.map((r) => r.status)).toEqual(['dropped', 'dropped', 'dropped', 'dropped']);
    for (const row of dropped) expect(row.lastError).toBe(`overtaken by its deadline: due ${mondayTen}, to be sent ${new Date(late).toISOString()}`);
    expect(sentFor('Held too late')).toBe(0);
  });

  test('a reminder whose send began before its deadline (the attempt died before its bookkeeping) is finished after it under the same keys, never recorded as dropped', async () => {
    const at = LATER_MONDAY('09:00');
    const state = await recordBrief('b-claimed-late', at, { title: 'Claimed before its deadline', priority: 'P2' });
    const dueAt = new Date(at + 2 * HOUR).toISOString();
    const planned = await runAt(at, createPlanNotifications(deps), { workflowId: 'brief-b-claimed-late', event: reminderOf(state, at, dueAt), audience: ['party_members'], brief: briefOf(state) });
    const webhookRow = planned.find((p) => p.id.endsWith('paula_webhook'))!;
    const emailRow = planned.find((p) => p.id.endsWith('paula_email'))!;
    // What an attempt leaves when the database goes away between the send and its bookkeeping.
    for (const { id } of [webhookRow, emailRow]) await db.prisma.notification.update({ where: { id }, data: { status: 'sending' } });
    const late = at + 3 * HOUR;
    for (const { id } of [webhookRow, emailRow]) await runAt(late, createDeliverNotification(deps), { id });
    const rows = await db.prisma.notification.findMany({ where: { id: { in: [webhookRow.id, emailRow.id] } } });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    const received = hooks.requests.filter((r) => r.body?.brief?.id === 'b-claimed-late');
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual([`brief-b-claimed-late:${state.seq + 1}:paula:webhook`]);
    // The rows still pending past the deadline are dropped as before.
    for (const { id } of planned.filter((p) => p !== webhookRow && p !== emailRow)) await runAt(late, createDeliverNotification(deps), { id });
    const others = await db.prisma.notification.findMany({ where: { briefId: 'b-claimed-late', id: { notIn: [webhookRow.id, emailRow.id] } } });
    expect(others.map((r) => r.status)).toEqual(['dropped', 'dropped']);
  });

  test('a reminder whose clock has breached by the time it is sent is dropped, even before its deadline by the worker’s clock', async () => {
    const at = LATER_MONDAY('09:00');
    const state = await recordBrief('b-breached', at, { title: 'Breached meanwhile' });
    const dueAt = state.clocks.acknowledge.dueAt as string;
    const event = reminderOf(state, at + 3 * HOUR, dueAt);
    const planned = await runAt(at + 3 * HOUR, createPlanNotifications(deps), { workflowId: 'brief-b-breached', event, audience: ['party_members'], brief: briefOf(state) });
    expect(planned).toHaveLength(4);
    // The read model records the breach before the delivery runs.
    state.clocks.acknowledge.breachedAt = dueAt;
    state.seq += 1;
    await createRecordEvents(deps)({ workflowId: 'brief-b-breached', events: [{ seq: state.seq, type: 'sla_breached', actor: null, at: dueAt, data: { clock: 'acknowledge', dueAt, round: 1 } }], state, overdue: true, nextDueAt: null });
    for (const { id } of planned) await runAt(at + 3 * HOUR + MINUTE, createDeliverNotification(deps), { id });
    const rows = await rowsOf('b-breached');
    expect(rows.map((r) => r.status)).toEqual(['dropped', 'dropped', 'dropped', 'dropped']);
    for (const row of rows) expect(row.lastError).toBe(`overtaken by the breach of the acknowledge clock at ${dueAt}`);
    expect(sentFor('Breached meanwhile')).toBe(0);
  });
});

