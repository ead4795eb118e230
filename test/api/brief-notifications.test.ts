// The notifications of a brief through the running API: each row with its recipient, channel
// and delivery state, always under its notification event type (older rows stored the brief
// event's type), oldest first, for those who see the brief and as 404 for everyone else.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
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
        { id: 'n-failed', idempotencyKey: `${briefId}:failed`, briefId, event: 'escalation', eventSeq: 4, recipientId: mara.id, channel: 'webhook', status: 'failed', attempts: 7, lastError: 'HTTP 410 from the receiver', createdAt: at(3) },
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
      { id: 'n-failed', event: 'escalation', eventSeq: 4, recipientId: mara.id, recipientName: 'Mara', channel: 'webhook', status: 'failed', attempts: 7, lastError: 'HTTP 410 from the receiver', reason: null, holdUntil: null, createdAt: at(3).toISOString(), sentAt: null },
      expect.objectContaining({ id: 'n-a', event: 'comment', recipientName: 'Paula' }),
      expect.objectContaining({ id: 'n-b', event: 'comment', recipientName: 'Mara' }),
      { id: 'n-dropped', event: 'reminder', eventSeq: 6, recipientId: paula.id, recipientName: 'Paula', channel: 'email', status: 'dropped', attempts: 0, lastError: null, reason: 'overtaken by its deadline', holdUntil: null, createdAt: at(5).toISOString(), sentAt: null },
    ]);
    expect(res.body.items.slice(-6)).toEqual(mine);
    for (const item of res.body.items) expect(NOTIFICATION_EVENTS).toContain(item.event);
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
});
