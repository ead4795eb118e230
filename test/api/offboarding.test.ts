// People come and go, through the running product: an admin deactivates a member (their key,
// their one-click links and their notifications stop at once, audited), lists the open briefs
// they manage or review, reassigns them with PATCH, and reactivates them; managers belong to the
// e-commerce party only.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActionLink, loadActionLinkSecret, type LinkKind } from '../../services/action-links';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually, type ApiClient } from '../support/http';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

describe('deactivating and reassigning members', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let receiver: HttpReceiver;
  let d: DirectoryHelper;
  let shop: string;
  let pixelwerk: string;
  let mara: Member;
  let max: Member;
  let paula: Member;
  let piet: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    receiver = await startHttpReceiver();
    d = directory(handoff.url);
    shop = await d.party('Shop', 'ecommerce');
    pixelwerk = await d.party('Pixelwerk');
    mara = await d.memberWith(shop, { name: 'Mara', email: 'mara@shop.example', role: 'manager' });
    max = await d.memberWith(shop, { name: 'Max', email: 'max@shop.example', role: 'manager', webhookUrl: `${receiver.url}/max` });
    paula = await d.memberWith(pixelwerk, { name: 'Paula', email: 'paula@pixelwerk.example', role: 'member', webhookUrl: `${receiver.url}/paula` });
    piet = await d.memberWith(pixelwerk, { name: 'Piet', email: 'piet@pixelwerk.example', role: 'member', webhookUrl: `${receiver.url}/piet` });
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await receiver?.stop();
    await env?.teardown();
  });

  async function newBrief(client: ApiClient, title: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await client.post('/v1/briefs', { title, description: 'Offboarding', partyId: pixelwerk, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function link(briefId: string, member: Member, action: LinkKind): Promise<string> {
    const secret = await loadActionLinkSecret(handoff.db.prisma, handoff.config.actionLinks.secret);
    const url = await createActionLink(handoff.db.prisma, {
      secret,
      publicUrl: handoff.url,
      notificationId: randomUUID(),
      briefId,
      memberId: member.id,
      action,
      ttlMs: handoff.config.actionLinks.ttlMs,
    });
    return url;
  }

  /** The webhooks a member's receiver path got for a brief. */
  const hooksFor = (who: string, briefId: string) => receiver.received.filter((r) => r.url.endsWith(who) && r.body?.brief?.id === briefId);

  test("a deactivated member's key, links and notifications stop at once; reactivation restores them; both audited", async () => {
    const before = await newBrief(mara.client, 'Before leaving');
    const ack = await link(before, paula, 'acknowledge');
    const view = await link(before, paula, 'view');
    expect((await fetch(ack)).status).toBe(200);
    expect((await paula.client.get('/v1/me')).status).toBe(200);

    const off = await d.admin.post(`/v1/members/${paula.id}/deactivate`, { reason: 'left the agency' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: paula.id, deactivatedAt: expect.any(String) });

    // The key: 401 from the next request on.
    expectProblem(await paula.client.get('/v1/me'), 401, 'unauthenticated');
    // The links: refused as gone, both the action page (GET and POST) and the brief page.
    const page = await fetch(ack);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('deactivated');
    expect((await fetch(ack, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(410);
    expect((await fetch(view)).status).toBe(410);
    expect((await mara.client.get(`/v1/briefs/${before}`)).body.status).toBe('awaiting_ack');

    // Notifications: a new brief reaches her colleague, not her.
    const after = await newBrief(mara.client, 'After leaving');
    await eventually(async () => (hooksFor('/piet', after).length > 0 ? true : undefined), 30_000);
    const rows = await handoff.db.prisma.notification.findMany({ where: { briefId: after } });
    expect(rows.some((r) => r.recipientId === piet.id)).toBe(true);
    expect(rows.filter((r) => r.recipientId === paula.id)).toEqual([]);
    expect(hooksFor('/paula', after)).toEqual([]);

    // Twice is a conflict; so is deactivating oneself.
    expectProblem(await d.admin.post(`/v1/members/${paula.id}/deactivate`, {}), 409, 'conflict');
    const me = (await d.admin.get('/v1/me')).body.id as string;
    expectProblem(await d.admin.post(`/v1/members/${me}/deactivate`, {}), 409, 'conflict');

    const on = await d.admin.post(`/v1/members/${paula.id}/reactivate`, {});
    expect(on.status).toBe(200);
    expect(on.body.deactivatedAt).toBeNull();
    expect((await paula.client.get('/v1/me')).status).toBe(200);
    expect((await fetch(view)).status).toBe(200);
    expectProblem(await d.admin.post(`/v1/members/${paula.id}/reactivate`, {}), 409, 'conflict');
    const again = await newBrief(mara.client, 'Back again');
    await eventually(async () => (hooksFor('/paula', again).length > 0 ? true : undefined), 30_000);

    const audit = await d.admin.get(`/v1/audit?targetType=member&targetId=${paula.id}`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['member.deactivated', 'member.reactivated']));
    const deactivated = audit.body.items.find((e: { action: string }) => e.action === 'member.deactivated');
    expect(deactivated.after).toMatchObject({ reason: 'left the agency', deactivatedAt: expect.any(String) });
    expect(deactivated.actorId).toBe(me);
  }, 120_000);

  test('the open briefs a leaving manager holds are listed, reassigned with PATCH, and the new manager hears of the brief from then on', async () => {
    const leaver = await d.memberWith(shop, { name: 'Lea', email: 'lea@shop.example', role: 'manager' });
    const managed = await newBrief(leaver.client, 'Managed by Lea');
    const reviewed = await newBrief(mara.client, 'Reviewed by Lea', { reviewerId: leaver.id });
    const ended = await newBrief(leaver.client, 'Cancelled by Lea');
    expect((await leaver.client.post(`/v1/briefs/${ended}/cancel`, { reason: 'not needed' })).status).toBe(200);

    const open = await d.admin.get(`/v1/members/${leaver.id}/open-responsibilities`);
    expect(open.status).toBe(200);
    const listed = open.body.items.map((i: { briefId: string; as: string }) => [i.briefId, i.as]);
    expect(listed).toEqual([
      [managed, 'manager'],
      [reviewed, 'reviewer'],
    ]);
    // Managers read it too; members do not.
    expect((await mara.client.get(`/v1/members/${leaver.id}/open-responsibilities`)).status).toBe(200);
    expectProblem(await piet.client.get(`/v1/members/${leaver.id}/open-responsibilities`), 404, 'not-found');

    expect((await d.admin.post(`/v1/members/${leaver.id}/deactivate`, { reason: 'parental leave' })).status).toBe(200);

    const patch = async (id: string, body: unknown) => {
      const etag = (await mara.client.get(`/v1/briefs/${id}`)).headers.get('etag') as string;
      return mara.client.request('PATCH', `/v1/briefs/${id}`, body, { 'if-match': etag });
    };
    // Neither a deactivated manager nor someone who is not a manager takes a brief over.
    const toLeaver = await patch(reviewed, { managerId: leaver.id });
    expectProblem(toLeaver, 400, 'validation');
    expect(toLeaver.body.errors).toEqual([expect.objectContaining({ path: 'body.managerId' })]);
    expectProblem(await patch(managed, { reviewerId: leaver.id }), 400, 'validation');
    const toMember = await patch(managed, { managerId: piet.id });
    expect(toMember.body.errors).toEqual([expect.objectContaining({ path: 'body.managerId' })]);

    const moved = await patch(managed, { managerId: max.id });
    expect(moved.status).toBe(200);
    expect(moved.body.managerId).toBe(max.id);
    expect((await patch(reviewed, { reviewerId: null })).status).toBe(200);
    const remaining = await d.admin.get(`/v1/members/${leaver.id}/open-responsibilities`);
    expect(remaining.body.items).toEqual([]);
    const maxs = await d.admin.get(`/v1/members/${max.id}/open-responsibilities`);
    expect(maxs.body.items.map((i: { briefId: string }) => i.briefId)).toContain(managed);

    // The new manager is told of the reassignment, and of what the party does next.
    await eventually(async () => (hooksFor('/max', managed).some((h) => h.body?.briefEvent?.type === 'brief_edited') ? true : undefined), 30_000);
    expect((await paula.client.post(`/v1/briefs/${managed}/acknowledge`, {})).status).toBe(200);
    await eventually(async () => (hooksFor('/max', managed).some((h) => h.body?.briefEvent?.type === 'acknowledged') ? true : undefined), 30_000);
    const toLea = await handoff.db.prisma.notification.findMany({ where: { briefId: managed, recipientId: leaver.id } });
    expect(toLea).toEqual([]);
  }, 120_000);

  test("an admin deactivates another admin, whose key stops at once, but never themself; the admins' rows are locked so two cannot deactivate each other", async () => {
    const ada = await d.memberWith(shop, { name: 'Ada', email: 'ada@shop.example', role: 'admin' });
    const me = (await d.admin.get('/v1/me')).body.id as string;
    expect((await ada.client.post(`/v1/members/${me}/deactivate`, {})).status).toBe(200);
    try {
      expectProblem(await d.admin.get('/v1/me'), 401, 'unauthenticated');
      expectProblem(await ada.client.post(`/v1/members/${ada.id}/deactivate`, {}), 409, 'conflict');
    } finally {
      expect((await ada.client.post(`/v1/members/${me}/reactivate`, {})).status).toBe(200);
    }
    expect((await d.admin.post(`/v1/members/${ada.id}/deactivate`, { reason: 'temporary admin' })).status).toBe(200);
    expectProblem(await ada.client.get('/v1/me'), 401, 'unauthenticated');
  });

  test('a manager belongs to the e-commerce party: elsewhere the role is refused by name', async () => {
    const res = await d.admin.post(`/v1/parties/${pixelwerk}/members`, { name: 'Agency manager', email: 'am@pixelwerk.example', role: 'manager' });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.role' })]);
    const ok = await d.admin.post(`/v1/parties/${shop}/members`, { name: 'Shop manager', email: 'sm@shop.example', role: 'manager' });
    expect(ok.status).toBe(201);
  });
});
