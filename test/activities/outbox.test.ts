// The notification outbox's activities against a real database (PGlite), a real SMTP server and
// real HTTP receivers: planning rows by preferences and quiet hours, delivering each row once in
// effect (signed webhooks, German and English email with action links, chat), transient and
// permanent failures, Retry-After, and a webhook disabled after repeated failures.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createDeliverNotification, createNotificationFailed, createPlanNotifications, type OutboxDeps, type PlanInput } from '../../activities/deliver';
import { createMailer } from '../../activities/notifications/mailer';
import { verifyWebhookSignature } from '../../activities/notifications/signature';
import { openDatabase, type Database } from '../../lib/db/database';
import { createLogger } from '../../lib/logger';
import type { TimelineEvent } from '../../workflows/domain/brief';
import { zonedInstant } from '../../workflows/domain/calendar';
import { decodeQuotedPrintable, startHttpReceiver, startSmtpReceiver, type HttpReceiver } from '../support/receivers';

const logger = createLogger('silent');
const SECRET = 'whsec_test_secret';
let db: Database;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hooks: HttpReceiver;
let chat: HttpReceiver;
let deps: OutboxDeps;

beforeAll(async () => {
  db = await openDatabase({});
  await db.migrate();
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
    mailer: createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent' }),
    logger,
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 7 * 24 * 3600_000,
    webhookDisableAfter: 2,
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

function planInput(briefId: string, event: Partial<TimelineEvent> = {}, priority: 'P1' | 'P2' | 'P3' | 'P4' = 'P2'): PlanInput {
  return {
    workflowId: `brief-${briefId}`,
    event: { seq: 1, type: 'brief_created', actor: 'mara', at: new Date(SATURDAY).toISOString(), data: {}, ...event },
    audience: ['party_members'],
    brief: { id: briefId, title: 'Spring campaign', partyId: 'agency', managerId: 'mara', reviewerId: null, priority, status: 'awaiting_ack', dueAt: null },
  };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

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

  test('a 503 is retried (thrown), a 429 honours Retry-After, a 400 fails for good; two final failures disable the webhook and tell its owner', async () => {
    const planned = await run(createPlanNotifications(deps), planInput('b-fail', { at: new Date().toISOString() }));
    const webhookRow = planned.find((p) => p.id.endsWith('paula_webhook'))!;
    const deliver = createDeliverNotification(deps);

    hooks.failNext(1, 503);
    const transient = await run(deliver, { id: webhookRow.id }).catch((err: unknown) => err);
    expect(transient).toBeInstanceOf(ApplicationFailure);
    expect((transient as ApplicationFailure).nonRetryable).toBe(false);

    hooks.rateLimitNext(1, '7');
    const limited = (await run(deliver, { id: webhookRow.id }).catch((err: unknown) => err)) as ApplicationFailure;
    expect(limited.nextRetryDelay).toBeDefined();

    hooks.failNext(1, 400);
    await run(deliver, { id: webhookRow.id });
    const failed = await db.prisma.notification.findUniqueOrThrow({ where: { id: webhookRow.id } });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.lastError).toMatch(/400/);
    expect((await db.prisma.member.findUniqueOrThrow({ where: { id: 'paula' } })).webhookFailures).toBe(1);

    // A second one given up on after its retries: the webhook is disabled and Paula is told.
    const second = await run(createPlanNotifications(deps), planInput('b-fail-2', { at: new Date().toISOString() }));
    const secondWebhook = second.find((p) => p.id.endsWith('paula_webhook'))!;
    await run(createNotificationFailed(deps), { id: secondWebhook.id, error: 'receiver down' });
    const paula = await db.prisma.member.findUniqueOrThrow({ where: { id: 'paula' } });
    expect(paula.webhookDisabledAt).not.toBeNull();
    expect(smtp.messages.some((m) => m.to.includes('paula@pixel.example') && /Webhook wurde deaktiviert/.test(decodeQuotedPrintable(m.raw)))).toBe(true);
    // Disabled: new events plan no webhook rows for her.
    const third = await run(createPlanNotifications(deps), planInput('b-fail-3', { at: new Date().toISOString() }));
    expect(third.some((p) => p.id.endsWith('paula_webhook'))).toBe(false);
    await db.prisma.member.update({ where: { id: 'paula' }, data: { webhookDisabledAt: null, webhookFailures: 0 } });
  });
});
