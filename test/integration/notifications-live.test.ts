// Against the running product (API, worker, PostgreSQL, Temporal dev server) with SMTP_URL
// pointing at a real SMTP server and a member's webhook at a real HTTP receiver: a new brief
// sends one German email to a `de` member and one signed webhook; the signature verifies with
// the secret from the API; the email's acknowledge link acknowledges the brief once and refuses
// a second use; a receiver that fails three times gets the webhook exactly once more, with the
// same Idempotency-Key, and the notification reads sent after 4 attempts.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { verifyWebhookSignature } from '../../activities/notifications/signature';
import { directory, type DirectoryHelper } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { decodeQuotedPrintable, startHttpReceiver, startSmtpReceiver, type HttpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let handoff: TestHandoff;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let receiver: HttpReceiver;
let dir: DirectoryHelper;

beforeAll(async () => {
  env = await devServerEnv();
  smtp = await startSmtpReceiver();
  receiver = await startHttpReceiver();
  handoff = await startTestHandoff(env, {
    database: 'postgres',
    extraEnv: { SMTP_URL: smtp.url, HANDOFF_DELIVERY_RETRY_INITIAL: 'PT0.2S', HANDOFF_DELIVERY_RETRY_MAX: 'PT1S' },
  });
  dir = directory(handoff.url);
}, 120_000);

afterAll(async () => {
  await handoff?.cleanup();
  await receiver?.stop();
  await smtp?.stop();
  await env?.teardown();
});

async function setUp(name: string) {
  const shop = await dir.party(`Shop ${name}`, 'ecommerce');
  const agency = await dir.party(`Pixelwerk ${name}`, 'agency');
  const manager = await dir.member(shop, 'manager');
  const paula = await dir.memberWith(agency, {
    name: `Paula ${name}`,
    email: `paula.${name}@pixelwerk.example`,
    role: 'member',
    locale: 'de',
    webhookUrl: receiver.url,
  });
  const secret = await paula.client.post(`/v1/members/${paula.id}/webhook-secret`, {});
  expect(secret.status).toBe(201);
  return { agency, manager, paula, secret: secret.body.secret as string };
}

test('a new brief sends one German email and one signed webhook; the email acknowledges the brief once', async () => {
  const { agency, manager, paula, secret } = await setUp('de');
  const created = await manager.client.post('/v1/briefs', { title: 'Größentabelle Schuhe', description: 'Neue Größentabelle', partyId: agency, priority: 'P2' });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;

  const mail = await eventually(async () => smtp.messages.find((m) => m.to.includes(`paula.de@pixelwerk.example`)));
  const hook = await eventually(async () => receiver.requests.find((r) => r.body?.brief?.id === briefId));
  // Exactly one of each, however long we wait for more.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(smtp.messages.filter((m) => m.to.includes('paula.de@pixelwerk.example'))).toHaveLength(1);
  expect(receiver.received.filter((r) => r.body?.brief?.id === briefId)).toHaveLength(1);

  const text = decodeQuotedPrintable(mail.raw);
  expect(text).toMatch(/Subject: .*(=\?UTF-8\?|Briefing)/);
  expect(text).toContain('Größentabelle Schuhe');
  expect(text).toMatch(/bestätigen/i);
  expect(hook.headers['idempotency-key']).toMatch(new RegExp(`${briefId}`));
  expect(verifyWebhookSignature(secret, hook.headers['handoff-signature'] as string, hook.rawBody)).toBe(true);
  expect(verifyWebhookSignature('whsec_wrong', hook.headers['handoff-signature'] as string, hook.rawBody)).toBe(false);

  const link = /https?:\/\/[^\s"<>]+\/actions\/[A-Za-z0-9_.-]+/.exec(text)?.[0];
  expect(link).toBeDefined();
  const actionUrl = `${handoff.url}${new URL(link as string).pathname}`;
  const page = await fetch(actionUrl);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Größentabelle Schuhe');
  // Looking at the page changes nothing.
  expect((await manager.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('awaiting_ack');

  const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' };
  const used = await fetch(actionUrl, form);
  expect(used.status).toBe(200);
  const brief = await manager.client.get(`/v1/briefs/${briefId}`);
  expect(brief.body.status).toBe('in_progress');
  expect(brief.body.timeline.find((e: { type: string }) => e.type === 'acknowledged').actor).toBe(paula.id);
  const again = await fetch(actionUrl, form);
  expect(again.status).toBe(410);
}, 60_000);

test('a receiver that fails three times gets the webhook exactly once more, with the same Idempotency-Key; the notification reads sent after 4 attempts', async () => {
  const { agency, manager, paula } = await setUp('retry');
  receiver.failNext(3, 503);
  const created = await manager.client.post('/v1/briefs', { title: 'Retry me', description: 'A webhook that fails first', partyId: agency, priority: 'P1' });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;

  const delivered = await eventually(async () => receiver.requests.find((r) => r.body?.brief?.id === briefId), 30_000);
  const attempts = receiver.received.filter((r) => r.body?.brief?.id === briefId);
  expect(attempts.map((r) => r.status)).toEqual([503, 503, 503, 204]);
  expect(new Set(attempts.map((r) => r.headers['idempotency-key']))).toEqual(new Set([delivered.headers['idempotency-key']]));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(receiver.requests.filter((r) => r.body?.brief?.id === briefId)).toHaveLength(1);

  const list = await eventually(async () => {
    const res = await manager.client.get(`/v1/briefs/${briefId}/notifications`);
    const row = res.body.items?.find((n: { recipientId: string; channel: string }) => n.recipientId === paula.id && n.channel === 'webhook');
    return row?.status === 'sent' ? row : undefined;
  });
  expect(list).toMatchObject({ event: 'brief_assigned', channel: 'webhook', status: 'sent', attempts: 4, lastError: null });
}, 60_000);
