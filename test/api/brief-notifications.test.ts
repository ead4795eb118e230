// The notifications of a brief through the running API: each row with its recipient, channel
// and delivery state, always under its notification event type (older rows stored the brief
// event's type), oldest first, for those who see the brief and as 404 for everyone else.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { NOTIFICATION_EVENTS } from '../../workflows/domain/notifications';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, eventually } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

describe("a brief's notifications", () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let paula: Member;
  let wanda: Member;
  let mara: Member;
  let tom: Member;
  let nora: Member;
  let otto: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk');
    const northstar = await d.party('Northstar');
    paula = await d.memberWith(pixelwerk, { name: 'Paula', email: 'paula@pixelwerk.example', role: 'member', isLead: true });
    wanda = await d.member(pixelwerk, 'watcher', 'Wanda');
    mara = await d.memberWith(shop, { name: 'Mara', email: 'mara@shop.example', role: 'manager' });
    tom = await d.member(shop, 'watcher', 'Tom');
    nora = await d.member(northstar, 'member', 'Nora');
    otto = await d.member(northstar, 'watcher', 'Otto');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function newBrief(title: string): Promise<string> {
    const res = await mara.client.post('/v1/briefs', { title, description: 'Notified', partyId: paula.partyId, priority: 'P2' });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  test('lists every row with its recipient and delivery state, as notification event types, oldest first', async () => {
    const briefId = await newBrief('Listed notifications');
    const prisma = handoff.db.prisma;
    // Written after anything the brief's own workflow writes, so they come last.
    await eventually(async () => ((await prisma.brief.findUnique({ where: { id: briefId } })) ? true : undefined));
    const base = Date.now() + 60_000;
    const at = (s: number) => new Date(base + s * 1000);
    await prisma.notification.createMany({
      data: [
        // As the old activity wrote them: the brief event's type.
        { id: 'n-old', idempotencyKey: `${briefId}:old`, briefId, event: 'brief_created', recipientId: paula.id, channel: 'email', status: 'sent', attempts: 1, createdAt: at(1), sentAt: at(2) },
        { id: 'n-held', idempotencyKey: `${briefId}:held`, briefId, event: 'reminder', eventSeq: 3, recipientId: paula.id, channel: 'chat', status: 'held', holdUntil: at(3600), createdAt: at(2) },
        { id: 'n-failed', idempotencyKey: `${briefId}:failed`, briefId, event: 'escalation', eventSeq: 4, recipientId: mara.id, channel: 'webhook', status: 'failed', attempts: 7, lastError: 'webhook answered 410', createdAt: at(3) },
        { id: 'n-b', idempotencyKey: `${briefId}:b`, briefId, event: 'comment_added', eventSeq: 5, recipientId: mara.id, channel: 'email', status: 'pending', createdAt: at(4) },
        { id: 'n-a', idempotencyKey: `${briefId}:a`, briefId, event: 'comment', eventSeq: 5, recipientId: paula.id, channel: 'email', status: 'pending', createdAt: at(4) },
        // As the outbox records a reminder overtaken by its deadline: its reason where an error would be.
        { id: 'n-dropped', idempotencyKey: `${briefId}:dropped`, briefId, event: 'reminder', eventSeq: 6, recipientId: paula.id, channel: 'email', status: 'dropped', lastError: 'overtaken by its deadline', createdAt: at(5) },
      ],
    });
    const res = await mara.client.get(`/v1/briefs/${briefId}/notifications`);
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((n: { id: string }) => n.id.startsWith('n-'));
    expect(mine).toEqual([
      { id: 'n-old', event: 'brief_assigned', eventSeq: null, recipientId: paula.id, recipientName: 'Paula', channel: 'email', status: 'sent', attempts: 1, lastError: null, reason: null, holdUntil: null, createdAt: at(1).toISOString(), sentAt: at(2).toISOString() },
      { id: 'n-held', event: 'reminder', eventSeq: 3, recipientId: paula.id, recipientName: 'Paula', channel: 'chat', status: 'held', attempts: 0, lastError: null, reason: null, holdUntil: at(3600).toISOString(), createdAt: at(2).toISOString(), sentAt: null },
      { id: 'n-failed', event: 'escalation', eventSeq: 4, recipientId: mara.id, recipientName: 'Mara', channel: 'webhook', status: 'failed', attempts: 7, lastError: 'webhook answered 410', reason: null, holdUntil: null, createdAt: at(3).toISOString(), sentAt: null },
      expect.objectContaining({ id: 'n-a', event: 'comment', recipientName: 'Paula' }),
      expect.objectContaining({ id: 'n-b', event: 'comment', recipientName: 'Mara' }),
      { id: 'n-dropped', event: 'reminder', eventSeq: 6, recipientId: paula.id, recipientName: 'Paula', channel: 'email', status: 'dropped', attempts: 0, lastError: null, reason: 'overtaken by its deadline', holdUntil: null, createdAt: at(5).toISOString(), sentAt: null },
    ]);
    expect(res.body.items.slice(-6)).toEqual(mine);
    for (const item of res.body.items) expect(NOTIFICATION_EVENTS).toContain(item.event);
  });

  test('a failed delivery tells admins the stored detail and everyone else only its kind, without addresses, host names or answers', async () => {
    const briefId = await newBrief('Failures told generically');
    const prisma = handoff.db.prisma;
    await eventually(async () => ((await prisma.brief.findUnique({ where: { id: briefId } })) ? true : undefined));
    const failures: [detail: string, generic: string][] = [
      ['webhook answered 404', 'webhook answered 404'],
      ['chat webhook answered 500', 'chat webhook answered 500'],
      ['connect ECONNREFUSED 10.1.2.3:8080', 'connection refused'],
      ['timed out: timed out after 10000 ms', 'timed out'],
      ['address not allowed: metadata.evil.example resolves to 169.254.169.254 (link-local)', 'address not allowed'],
      ['getaddrinfo ENOTFOUND intranet.corp.example', 'host not found'],
      ['read ECONNRESET: socket hang up at 192.168.1.20', 'connection reset'],
      ['550 5.1.1 <paula@pixelwerk.example>: Recipient address rejected', 'the mail server did not accept the message'],
      ['<html>internal admin console at 10.0.0.7</html>', 'delivery failed'],
    ];
    await prisma.notification.createMany({
      data: failures.map(([detail], i) => ({ id: `f-${briefId}-${i}`, idempotencyKey: `${briefId}:f${i}`, briefId, event: 'comment', eventSeq: 10 + i, recipientId: paula.id, channel: 'webhook', status: 'failed', attempts: 1, lastError: detail })),
    });
    const shown = async (client: typeof mara.client) => {
      const res = await client.get(`/v1/briefs/${briefId}/notifications`);
      expect(res.status).toBe(200);
      return failures.map((_, i) => res.body.items.find((n: { id: string }) => n.id === `f-${briefId}-${i}`).lastError as string);
    };
    expect(await shown(d.admin)).toEqual(failures.map(([detail]) => detail));
    for (const client of [mara.client, paula.client, tom.client]) {
      const texts = await shown(client);
      expect(texts).toEqual(failures.map(([, generic]) => generic));
      expect(texts.join(' ')).not.toMatch(/\d+\.\d+\.\d+\.\d+|example|<|ECONN/);
    }
  });

  test("managers, admins, the brief's party and e-commerce watchers see them; other parties get 404", async () => {
    const briefId = await newBrief('Who sees notifications');
    const path = `/v1/briefs/${briefId}/notifications`;
    for (const client of [mara.client, d.admin, paula.client, wanda.client, tom.client]) {
      const res = await client.get(path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: expect.any(Array) });
    }
    expectProblem(await nora.client.get(path), 404, 'not-found');
    expectProblem(await otto.client.get(path), 404, 'not-found');
    expectProblem(await mara.client.get('/v1/briefs/no-such-brief/notifications'), 404, 'not-found');
    expectProblem(await apiClient(handoff.url).get(path), 401, 'unauthenticated');
  });

  test('a real brief gets notification rows for the party it was sent to', async () => {
    const briefId = await newBrief('Notified for real');
    const items = await eventually(async () => {
      const res = await mara.client.get(`/v1/briefs/${briefId}/notifications`);
      return res.body.items.some((n: { recipientId: string; event: string }) => n.recipientId === paula.id && n.event === 'brief_assigned') ? res.body.items : undefined;
    }, 20_000);
    expect(items.find((n: { recipientId: string }) => n.recipientId === paula.id)).toMatchObject({ recipientName: 'Paula', channel: 'email', event: 'brief_assigned' });
  });

  test("deliveries run on the delivery task queue, the brief's own work on its own queue", async () => {
    const briefId = await newBrief('Queued apart');
    await eventually(async () => {
      const res = await mara.client.get(`/v1/briefs/${briefId}/notifications`);
      return res.body.items.length > 0 && res.body.items.every((n: { status: string }) => n.status === 'sent') ? true : undefined;
    }, 20_000);
    const history = await handoff.temporal.client.workflow.getHandle(briefWorkflowId(briefId)).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a ? [{ activity: a.activityType?.name, queue: a.taskQueue?.name }] : [];
    });
    const { taskQueue, deliveryTaskQueue } = handoff.config.temporal;
    expect(deliveryTaskQueue).toBe(`${taskQueue}-delivery`);
    const deliveries = scheduled.filter((s) => s.activity === 'deliverNotification');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(new Set(deliveries.map((s) => s.queue))).toEqual(new Set([deliveryTaskQueue]));
    expect(new Set(scheduled.filter((s) => s.activity !== 'deliverNotification').map((s) => s.queue))).toEqual(new Set([taskQueue]));
  });
});
