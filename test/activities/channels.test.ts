// Delivery channels against real peers: webhooks and chat messages to a real HTTP receiver,
// email to a real SMTP server; signatures and the transient/permanent verdict on failures.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sendChat } from '../../activities/notifications/chat';
import { classifyError, classifyResponse, DeliveryError, PermanentDeliveryError } from '../../activities/notifications/delivery-errors';
import { createMailer, messageIdFor } from '../../activities/notifications/mailer';
import { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from '../../activities/notifications/signature';
import { renderNotification } from '../../activities/notifications/templates';
import { postWebhook } from '../../activities/legacy/post-webhook';
import { sendWebhook } from '../../activities/notifications/webhook';
import { outboundPolicy } from '../../lib/outbound';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver } from '../support/receivers';

/** The receivers here listen on 127.0.0.1, which only an operator's allow list opens. */
const LOCAL = outboundPolicy('127.0.0.1/32');

const SECRET = 'whsec_test_0123456789';

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected the delivery to fail');
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook signatures', () => {
  const body = JSON.stringify({ event: 'brief_assigned', brief: { id: 'b-1', title: 'Spring campaign' } });
  const t = 1_790_000_000;

  test('a signature verifies against the same secret, body and a timestamp within tolerance', () => {
    const header = signWebhook(SECRET, body, t);
    expect(header).toMatch(/^t=1790000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t })).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t + 299 })).toBe(true);
    expect(SIGNATURE_HEADER).toBe('Handoff-Signature');
  });

  test('a tampered body, a wrong secret or a stale timestamp does not verify', () => {
    const header = signWebhook(SECRET, body, t);
    expect(verifyWebhookSignature(SECRET, header, body.replace('Spring', 'Summer'), { nowSec: t })).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}x`, header, body, { nowSec: t })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t + 301 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t - 301 })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t + 3600, toleranceSec: 7200 })).toBe(true);
    // The timestamp is signed too: moving it forward breaks the signature.
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${t}`, `t=${t + 10}`), body, { nowSec: t + 10 })).toBe(false);
  });

  test('malformed headers are rejected', () => {
    const valid = signWebhook(SECRET, body, t);
    const v1 = valid.split('v1=')[1];
    for (const header of [undefined, null, '', 'garbage', `t=${t}`, `v1=${v1}`, `t=abc,v1=${v1}`, `t=${t},v1=${v1.slice(2)}`, `t=${t},v1=${v1.toUpperCase()}`, `t=${t},t=${t},v1=${v1}`, `t=${t},v1`]) {
      expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t })).toBe(false);
    }
    expect(verifyWebhookSignature('', valid, body, { nowSec: t })).toBe(false);
  });

  test('a receiver rotating secrets accepts any matching v1 and ignores other schemes', () => {
    const header = `t=${t},v0=abc,v1=${'0'.repeat(64)},${signWebhook(SECRET, body, t).split(',')[1]}`;
    expect(verifyWebhookSignature(SECRET, header, body, { nowSec: t })).toBe(true);
  });
});

describe('classifying answers and failures', () => {
  test.each([
    [200, undefined],
    [201, undefined],
    [204, undefined],
    [302, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [408, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
  ])('%i is %s', (status, kind) => {
    const failure = classifyResponse(status, {});
    expect(failure?.kind).toBe(kind);
    if (failure) expect(failure.status).toBe(status);
    expect(failure instanceof PermanentDeliveryError).toBe(kind === 'permanent');
  });

  test('Retry-After in seconds or as an HTTP date becomes the delay before the next attempt', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    expect(classifyResponse(429, { 'Retry-After': '120' }, 'webhook', now)?.retryAfterMs).toBe(120_000);
    expect(classifyResponse(429, new Headers({ 'retry-after': 'Mon, 30 Nov 2026 10:01:30 GMT' }), 'webhook', now)?.retryAfterMs).toBe(90_000);
    expect(classifyResponse(503, { 'retry-after': '5' }, 'webhook', now)?.retryAfterMs).toBe(5_000);
    expect(classifyResponse(429, { 'retry-after': 'Mon, 30 Nov 2026 09:00:00 GMT' }, 'webhook', now)?.retryAfterMs).toBe(0);
    expect(classifyResponse(429, { 'retry-after': 'soon' }, 'webhook', now)?.retryAfterMs).toBeUndefined();
    expect(classifyResponse(429, {}, 'webhook', now)?.retryAfterMs).toBeUndefined();
  });

  test('network failures are transient, DNS failures included; malformed addresses and SMTP 5xx are permanent', () => {
    const fetchFailed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ${code} hooks.example`), { code }) });
    expect(classifyError(fetchFailed('ENOTFOUND')).kind).toBe('transient');
    expect(classifyError(fetchFailed('EAI_AGAIN')).kind).toBe('transient');
    expect(classifyError(fetchFailed('ECONNRESET')).kind).toBe('transient');
    expect(classifyError(fetchFailed('ENOTFOUND')).message).toContain('ENOTFOUND');
    expect(classifyError(new DOMException('The operation was aborted', 'AbortError')).kind).toBe('transient');
    expect(classifyError(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 })).kind).toBe('permanent');
    expect(classifyError(Object.assign(new Error('Try again later'), { responseCode: 421 })).kind).toBe('transient');
    expect(classifyError(Object.assign(new Error('Connection refused'), { code: 'ECONNECTION' })).kind).toBe('transient');
    const already = new PermanentDeliveryError('gone', { status: 410 });
    expect(classifyError(already)).toBe(already);
  });
});

describe('sendWebhook', () => {
  let receiver: HttpReceiver;
  beforeEach(async () => {
    receiver = await startHttpReceiver({ secret: SECRET });
  });
  afterEach(async () => {
    await receiver.stop();
  });

  const delivery = (overrides: Partial<Parameters<typeof sendWebhook>[0]> = {}) => ({
    url: receiver.url,
    body: { id: 'n-1', event: 'brief_assigned', brief: { id: 'b-1', title: 'Frühjahrskampagne' } },
    idempotencyKey: 'brief-b-1:1:paula:webhook',
    secret: SECRET,
    event: 'brief_assigned',
    outbound: LOCAL,
    ...overrides,
  });

  test('posts JSON with the idempotency key, the event, the user agent and a signature the receiver verifies', async () => {
    await expect(sendWebhook(delivery())).resolves.toEqual({ status: 204 });
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe('brief-b-1:1:paula:webhook');
    expect(request.headers['handoff-event']).toBe('brief_assigned');
    expect(request.headers['user-agent']).toBe('Handoff');
    expect(request.headers['handoff-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(request.signatureValid).toBe(true);
    expect(request.body).toEqual(delivery().body);
  });

  test('a retry after a 503 carries the same Idempotency-Key and again a verifying signature', async () => {
    receiver.failNext(1, 503);
    const failure = await rejection(sendWebhook(delivery()));
    expect(failure).toMatchObject({ kind: 'transient', status: 503 });
    await sendWebhook(delivery());
    expect(receiver.received.map((r) => r.status)).toEqual([503, 204]);
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual(['brief-b-1:1:paula:webhook', 'brief-b-1:1:paula:webhook']);
    expect(receiver.received.map((r) => r.signatureValid)).toEqual([true, true]);
    expect(receiver.received[0].rawBody).toBe(receiver.received[1].rawBody);
    expect(receiver.requests).toHaveLength(1);
  });

  test('without a secret the delivery goes unsigned, and a receiver expecting one rejects it', async () => {
    await sendWebhook(delivery({ secret: null }));
    expect(receiver.requests[0].headers['handoff-signature']).toBeUndefined();
    expect(receiver.requests[0].signatureValid).toBe(false);
  });

  test('a signature made with another secret does not verify at the receiver', async () => {
    await sendWebhook(delivery({ secret: 'someone-else' }));
    expect(receiver.requests[0].signatureValid).toBe(false);
  });

  test.each([
    [400, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [408, 'transient'],
    [500, 'transient'],
    [503, 'transient'],
  ] as const)('an answer of %i fails the delivery as %s', async (status, kind) => {
    receiver.failNext(1, status);
    const failure = await rejection(sendWebhook(delivery()));
    expect(failure).toMatchObject({ kind, status });
    expect(failure.message).toContain(String(status));
  });

  test('a redirect is not followed: the delivery fails for good', async () => {
    receiver.failNext(1, 302, { Location: `${receiver.url}/elsewhere` });
    expect(await rejection(sendWebhook(delivery()))).toMatchObject({ kind: 'permanent', status: 302 });
    expect(receiver.received).toHaveLength(1);
  });

  test('429 with Retry-After in seconds or as an HTTP date asks for a later retry', async () => {
    receiver.rateLimitNext(1, '30');
    expect(await rejection(sendWebhook(delivery()))).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 30_000 });
    receiver.rateLimitNext(1, new Date(Date.now() + 60_000).toUTCString());
    const failure = await rejection(sendWebhook(delivery()));
    expect(failure.retryAfterMs).toBeGreaterThan(55_000);
    expect(failure.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test('a receiver slower than the timeout fails the delivery as transient', async () => {
    receiver.delayNext(1, 2_000);
    const failure = await rejection(sendWebhook(delivery({ timeoutMs: 200 })));
    expect(failure.kind).toBe('transient');
    expect(failure.message).toMatch(/timed out/);
  });

  test('a refused connection is transient; an address that is no URL is permanent', async () => {
    const port = await closedPort();
    const refused = await rejection(sendWebhook(delivery({ url: `http://127.0.0.1:${port}/hook` })));
    expect(refused.kind).toBe('transient');
    expect(refused.message).toContain('ECONNREFUSED');
    expect((await rejection(sendWebhook(delivery({ url: 'not a url' })))).kind).toBe('permanent');
  });
});

describe('postWebhook (the first notify activity)', () => {
  test('keeps its contract: permanent failures are PermanentDeliveryError, transient ones are not', async () => {
    const receiver = await startHttpReceiver();
    try {
      await postWebhook(receiver.url, 'k-1', { hello: 'world' }, LOCAL);
      expect(receiver.requests[0]).toMatchObject({ body: { hello: 'world' }, headers: { 'idempotency-key': 'k-1', 'user-agent': 'Handoff' } });
      receiver.failNext(1, 410);
      await expect(postWebhook(receiver.url, 'k-1', {}, LOCAL)).rejects.toBeInstanceOf(PermanentDeliveryError);
      receiver.failNext(1, 503);
      const transient = await rejection(postWebhook(receiver.url, 'k-1', {}, LOCAL));
      expect(transient).not.toBeInstanceOf(PermanentDeliveryError);
      expect(transient.message).toBe('webhook answered 503');
    } finally {
      await receiver.stop();
    }
  });
});

describe('outbound requests reach only public or allowed addresses', () => {
  const NOTHING_ALLOWED = outboundPolicy('');

  test('a webhook, a chat post and the first webhook form to 127.0.0.1 fail for good when nothing is allowed, and nothing arrives', async () => {
    const receiver = await startHttpReceiver();
    try {
      const webhook = await rejection(
        sendWebhook({ url: receiver.url, body: {}, idempotencyKey: 'k', secret: null, event: 'brief_assigned', outbound: NOTHING_ALLOWED }),
      );
      expect(webhook).toMatchObject({ kind: 'permanent' });
      expect(webhook.message).toMatch(/^address not allowed: 127\.0\.0\.1 \(loopback\)/);
      expect(await rejection(sendChat({ url: receiver.url, message: { text: 'hi', blocks: [] }, outbound: NOTHING_ALLOWED }))).toMatchObject({ kind: 'permanent' });
      await expect(postWebhook(receiver.url, 'k-1', {}, NOTHING_ALLOWED)).rejects.toBeInstanceOf(PermanentDeliveryError);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.stop();
    }
  });

  test('a host name that resolves to a refused address is refused, even when another of its addresses is public', async () => {
    const resolver = async (host: string) =>
      host === 'hooks.rebind.example' ? [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }] : [{ address: '10.0.0.1', family: 4 }];
    const policy = outboundPolicy('', resolver);
    const mixed = await rejection(sendWebhook({ url: 'http://hooks.rebind.example/h', body: {}, idempotencyKey: 'k', secret: null, event: 'x', outbound: policy }));
    expect(mixed).toMatchObject({ kind: 'permanent' });
    expect(mixed.message).toContain('hooks.rebind.example resolves to 169.254.169.254 (link-local)');
    expect((await rejection(sendChat({ url: 'https://chat.internal.example/hook', message: { text: 'hi', blocks: [] }, outbound: policy }))).message).toContain('10.0.0.1 (private)');
  });

  test('the connection goes to the address that was checked: a resolver answering differently later is not asked again', async () => {
    const receiver = await startHttpReceiver();
    try {
      const answers = [[{ address: '127.0.0.1', family: 4 }], [{ address: '169.254.169.254', family: 4 }]];
      let lookups = 0;
      const policy = outboundPolicy('127.0.0.1/32', async () => answers[Math.min(lookups++, 1)]!);
      const url = new URL(receiver.url);
      await sendWebhook({ url: `http://receiver.test:${url.port}${url.pathname}`, body: { n: 1 }, idempotencyKey: 'k', secret: null, event: 'x', outbound: policy });
      expect(lookups).toBe(1);
      expect(receiver.requests).toHaveLength(1);
      // The URL's host is kept for the Host header while the connection went to the checked address.
      expect(receiver.requests[0].headers.host).toBe(`receiver.test:${url.port}`);
    } finally {
      await receiver.stop();
    }
  });

  test('the first webhook form no longer follows a redirect: a 302 fails for good and the second receiver gets nothing', async () => {
    const [redirecting, target] = [await startHttpReceiver(), await startHttpReceiver()];
    try {
      redirecting.failNext(1, 302, { Location: target.url });
      const failure = await rejection(postWebhook(redirecting.url, 'k-1', { hello: 'world' }, LOCAL));
      expect(failure).toBeInstanceOf(PermanentDeliveryError);
      expect(failure.message).toBe('webhook answered 302');
      expect(redirecting.received).toHaveLength(1);
      expect(target.received).toHaveLength(0);
      redirecting.failNext(1, 307, { Location: target.url });
      expect((await rejection(sendWebhook({ url: redirecting.url, body: {}, idempotencyKey: 'k', secret: null, event: 'x', outbound: LOCAL }))).message).toBe('webhook answered 307');
      expect(target.received).toHaveLength(0);
    } finally {
      await redirecting.stop();
      await target.stop();
    }
  });
});

describe('sendChat', () => {
  const message = renderNotification({
    event: { seq: 3, type: 'delivered', actor: 'paula', at: '2026-11-26T09:00:00Z', data: { version: 2, summary: 'Banners', links: [], submittedBy: 'paula', submittedAt: '2026-11-26T09:00:00Z' } },
    notificationEvent: 'delivery_submitted',
    brief: { id: 'b-1', title: 'Spring campaign', priority: 'P2', status: 'in_review', dueAt: '2026-11-30T10:00:00Z', partyId: 'agency' },
    partyName: 'Pixelwerk',
    recipient: { name: 'Mara', locale: 'en', timezone: 'Europe/Berlin' },
    briefUrl: 'https://handoff.shop.example/v1/briefs/b-1',
    actionLinks: { approve: 'https://handoff.shop.example/a/approve', requestChanges: 'https://handoff.shop.example/a/changes' },
  }).chat;

  test('posts the Slack-format message as JSON', async () => {
    const receiver = await startHttpReceiver({ successStatus: 200 });
    try {
      await sendChat({ url: receiver.url, message, outbound: LOCAL });
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0].headers['content-type']).toBe('application/json');
      expect(receiver.requests[0].body).toEqual({ text: message.text, blocks: message.blocks });
      const actions = receiver.requests[0].body.blocks.find((b: any) => b.type === 'actions');
      expect(actions.elements.map((e: any) => e.url)).toEqual([
        'https://handoff.shop.example/a/approve',
        'https://handoff.shop.example/a/changes',
        'https://handoff.shop.example/v1/briefs/b-1',
      ]);
    } finally {
      await receiver.stop();
    }
  });

  test('fails like a webhook: rate limits and outages are transient, a removed channel permanent', async () => {
    const receiver = await startHttpReceiver({ successStatus: 200 });
    try {
      receiver.rateLimitNext(1, '10');
      expect(await rejection(sendChat({ url: receiver.url, message, outbound: LOCAL }))).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 10_000 });
      receiver.failNext(1, 500);
      expect(await rejection(sendChat({ url: receiver.url, message, outbound: LOCAL }))).toMatchObject({ kind: 'transient', status: 500 });
      receiver.failNext(1, 404);
      expect(await rejection(sendChat({ url: receiver.url, message, outbound: LOCAL }))).toMatchObject({ kind: 'permanent', status: 404 });
      receiver.delayNext(1, 2_000);
      expect((await rejection(sendChat({ url: receiver.url, message, timeoutMs: 200, outbound: LOCAL }))).kind).toBe('transient');
    } finally {
      await receiver.stop();
    }
  });
});

describe('mailer', () => {
  const rendered = renderNotification({
    event: { seq: 1, type: 'brief_created', actor: 'mara', at: '2026-11-26T09:00:00Z', data: { title: 'Frühjahrskampagne <Banner>', partyId: 'agency', priority: 'P2' } },
    notificationEvent: 'brief_assigned',
    brief: { id: 'b-1', title: 'Frühjahrskampagne <Banner>', priority: 'P2', status: 'awaiting_ack', dueAt: '2026-11-30T10:00:00Z', partyId: 'agency' },
    partyName: 'Pixelwerk',
    recipient: { name: 'Paula', locale: 'de', timezone: 'Europe/Berlin' },
    briefUrl: 'https://handoff.shop.example/v1/briefs/b-1',
    actionLinks: { acknowledge: 'https://handoff.shop.example/a/ack' },
  });
  const email = { to: 'paula@pixel.example', subject: rendered.subject, text: rendered.text, html: rendered.html, idempotencyKey: 'brief-b-1:1:paula:email' };
  /** A raw message with quoted-printable soft breaks joined, for searching. */
  const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');

  test('sends text and HTML as multipart/alternative over SMTP, with the same Message-ID at the public host on every retry', async () => {
    const smtp = await startSmtpReceiver();
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@mail.example>', outboxDir: '/nonexistent', messageIdHost: 'handoff.shop.example' });
    try {
      await expect(mailer.send(email)).resolves.toEqual({ transport: 'smtp' });
      await mailer.send(email);
      expect(smtp.messages).toHaveLength(2);
      const [first, second] = smtp.messages;
      expect(first.to).toEqual(['paula@pixel.example']);
      expect(first.raw).toMatch(/Content-Type: multipart\/alternative/i);
      expect(first.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
      expect(first.raw).toMatch(/Content-Type: text\/html; charset=utf-8/i);
      const raw = unfolded(first.raw);
      expect(raw).toContain('Pixelwerk');
      expect(raw).toContain('https://handoff.shop.example/a/ack');
      expect(raw).toContain('&lt;Banner&gt;');
      const messageId = /^Message-ID: (.+)$/im.exec(first.raw)?.[1];
      expect(messageId).toMatch(/^<[0-9a-f]{32}@handoff\.shop\.example>\r?$/);
      expect(/^Message-ID: (.+)$/im.exec(second.raw)?.[1]).toBe(messageId);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  test('writes the same multipart message into the outbox without SMTP; text-only email stays single-part', async () => {
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const mailer = createMailer({ from: 'Handoff <handoff@localhost>', outboxDir });
    try {
      const result = await mailer.send(email);
      expect(result.transport).toBe('file');
      const eml = readFileSync(result.location as string, 'utf8');
      expect(eml).toMatch(/Content-Type: multipart\/alternative/i);
      expect(eml).toMatch(/Content-Type: text\/html/i);
      // Without a public host the sender's domain names the host; the same key gives the same id.
      expect(eml).toContain(`Message-ID: ${messageIdFor(email.idempotencyKey, 'localhost')}\n`);

      await mailer.send({ to: 'mara@shop.example', subject: 'Plain', text: 'Only text', idempotencyKey: 'plain-1' });
      expect(readdirSync(outboxDir).sort()).toEqual(['brief-b-1_1_paula_email.eml', 'plain-1.eml']);
      const plain = readFileSync(path.join(outboxDir, 'plain-1.eml'), 'utf8');
      expect(plain).not.toMatch(/multipart/i);
      expect(plain).toMatch(/Content-Type: text\/plain/i);
    } finally {
      mailer.close();
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });

  test('a Message-ID stays on one header line, however long the host name', async () => {
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const host = `${'very-long-subdomain.'.repeat(4)}shop.example`;
    const mailer = createMailer({ from: 'Handoff <handoff@shop.example>', outboxDir, messageIdHost: host });
    try {
      const key = `brief-${'0b7a1c52-3f1e-4c43-9a55-0f5c1b7e2a10'}:12:${'7d3b6a52-3f1e-4c43-9a55-0f5c1b7e2a10'}:email`;
      const eml = readFileSync((await mailer.send({ ...email, idempotencyKey: key })).location as string, 'utf8');
      const lines = eml.split('\n');
      const index = lines.findIndex((l) => /^Message-ID:/i.test(l));
      expect(lines[index]).toBe(`Message-ID: ${messageIdFor(key, host)}`);
      // The next line is the next header, not a continuation of this one.
      expect(lines[index + 1]).toMatch(/^[A-Za-z-]+: /);
    } finally {
      mailer.close();
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });
});
