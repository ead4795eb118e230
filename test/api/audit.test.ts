// The audit log through the running API: every directory and key change leaves one event with
// who, what, which record, before and after; the log is admin-only, paginated and filterable.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

interface AuditEvent {
  id: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  before: any;
  after: any;
  at: string;
}

const EVENT_FIELDS = ['action', 'actorId', 'after', 'at', 'before', 'id', 'targetId', 'targetType'];

describe('the audit log', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let admin: ApiClient;
  let adminId: string;
  let shop: string;
  let manager: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    admin = d.admin;
    adminId = (await admin.get('/v1/me')).body.id;
    shop = await d.party('Shop', 'ecommerce');
    manager = await d.member(shop, 'manager', 'Mara');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function eventsFor(targetId: string): Promise<AuditEvent[]> {
    const res = await admin.get(`/v1/audit?targetId=${targetId}&limit=200`);
    expect(res.status).toBe(200);
    for (const event of res.body.items) {
      expect(Object.keys(event).sort()).toEqual(EVENT_FIELDS);
      expect(Date.parse(event.at)).not.toBeNaN();
    }
    return res.body.items;
  }

  /** Audit entries never carry a key or its hash. */
  function expectNoSecrets(event: AuditEvent, ...keys: string[]) {
    const text = JSON.stringify(event);
    expect(text).not.toMatch(/"(key|hash)"/);
    for (const key of [ADMIN_KEY, ...keys]) expect(text).not.toContain(key);
  }

  test('creating a party records party.created with the party after', async () => {
    const created = await admin.post('/v1/parties', { name: 'Pixelwerk', kind: 'agency' });
    expect(created.status).toBe(201);
    const events = await eventsFor(created.body.id);
    expect(events).toEqual([
      expect.objectContaining({ actorId: adminId, action: 'party.created', targetType: 'party', targetId: created.body.id, before: null, after: created.body }),
    ]);
  });

  test('creating a member records member.created with the member after', async () => {
    const party = await d.party('Northstar');
    const created = await admin.post(`/v1/parties/${party}/members`, { name: 'Nora', email: 'nora@north.example', role: 'member', isLead: true });
    expect(created.status).toBe(201);
    const events = await eventsFor(created.body.id);
    expect(events).toEqual([
      expect.objectContaining({ actorId: adminId, action: 'member.created', targetType: 'member', targetId: created.body.id, before: null, after: created.body }),
    ]);
  });

  test('creating, revoking and rotating keys record api_key events with before and after, and no secret', async () => {
    const party = await d.party('Keys');
    const member = await d.member(party, 'member', 'Kim');
    // Created (by the admin, in the helper).
    const [createdEvent] = await eventsFor(member.keyId);
    expect(createdEvent).toMatchObject({ actorId: adminId, action: 'api_key.created', targetType: 'api_key', targetId: member.keyId, before: null });
    expect(createdEvent.after).toMatchObject({ id: member.keyId, memberId: member.id, prefix: member.key.slice(3, 11), revokedAt: null });
    expectNoSecrets(createdEvent, member.key);

    // Rotated by the member themself.
    const rotated = await member.client.post(`/v1/members/${member.id}/api-keys/${member.keyId}/rotate`, { overlap: 'PT1H' });
    expect(rotated.status).toBe(201);
    const afterRotation = await eventsFor(member.keyId);
    expect(afterRotation.map((e) => e.action)).toEqual(['api_key.rotated', 'api_key.created']);
    const rotation = afterRotation[0];
    expect(rotation).toMatchObject({ actorId: member.id, targetType: 'api_key', targetId: member.keyId });
    expect(rotation.before).toMatchObject({ id: member.keyId, expiresAt: null, revokedAt: null });
    expect(rotation.after).toMatchObject({
      previous: { id: member.keyId, expiresAt: rotated.body.previous.expiresAt },
      replacement: { id: rotated.body.id, memberId: member.id, prefix: rotated.body.prefix },
    });
    expectNoSecrets(rotation, member.key, rotated.body.key);

    // Revoked by the member with the new key.
    const fresh = apiClient(handoff.url, rotated.body.key);
    const revoked = await fresh.post(`/v1/members/${member.id}/api-keys/${member.keyId}/revoke`, {});
    expect(revoked.status).toBe(200);
    const afterRevocation = await eventsFor(member.keyId);
    expect(afterRevocation.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.rotated', 'api_key.created']);
    const revocation = afterRevocation[0];
    expect(revocation).toMatchObject({ actorId: member.id, targetType: 'api_key', targetId: member.keyId });
    expect(revocation.before).toMatchObject({ id: member.keyId, revokedAt: null });
    expect(revocation.after).toMatchObject({ id: member.keyId, revokedAt: revoked.body.revokedAt });
    expectNoSecrets(revocation, member.key, rotated.body.key);

    // A key created by an admin for another member names the admin as actor.
    const byAdmin = await admin.post(`/v1/members/${member.id}/api-keys`, {});
    const [adminCreated] = await eventsFor(byAdmin.body.id);
    expect(adminCreated).toMatchObject({ actorId: adminId, action: 'api_key.created', targetId: byAdmin.body.id });
    expectNoSecrets(adminCreated, byAdmin.body.key);
  });

  test('refused and replayed requests add no events', async () => {
    const party = await d.party('Quiet');
    const member = await d.member(party, 'member', 'Quinn');
    const count = async () => (await admin.get('/v1/audit?limit=200')).body.items.length as number;
    const before = await count();
    expect((await member.client.post(`/v1/members/${manager.id}/api-keys/${manager.keyId}/revoke`, {})).status).toBe(404);
    expect((await manager.client.post('/v1/parties', { name: 'No', kind: 'agency' })).status).toBe(403);
    expect((await admin.post('/v1/parties', { name: '', kind: 'agency' })).status).toBe(400);
    const headers = { 'idempotency-key': 'audit-once' };
    const first = await admin.post('/v1/parties', { name: 'Once', kind: 'agency' }, headers);
    const again = await admin.post('/v1/parties', { name: 'Once', kind: 'agency' }, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(before + 1);
    expect(await eventsFor(first.body.id)).toHaveLength(1);
  });

  test('GET /v1/audit is for admins only', async () => {
    const party = await d.party('Roles');
    const member = await d.member(party, 'member', 'Mo');
    const watcher = await d.member(shop, 'watcher', 'Wat');
    for (const client of [manager.client, member.client, watcher.client]) expectProblem(await client.get('/v1/audit'), 403, 'forbidden', '/v1/audit');
    expectProblem(await apiClient(handoff.url).get('/v1/audit'), 401, 'unauthenticated', '/v1/audit');
    expect((await admin.get('/v1/audit')).status).toBe(200);
  });

  test('the log is newest first, paginated, and filtered by targetType', async () => {
    for (let i = 0; i < 3; i++) await d.member(shop, 'watcher', `Filter ${i}`);
    const all = await admin.get('/v1/audit?limit=200');
    const allEvents: AuditEvent[] = all.body.items;
    expect(all.body.nextCursor).toBeNull();
    const times = allEvents.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    for (const targetType of ['party', 'member', 'api_key']) {
      const expected = allEvents.filter((e) => e.targetType === targetType).map((e) => e.id);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: ApiResponse = await admin.get(`/v1/audit?targetType=${targetType}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const event of res.body.items) expect(event.targetType).toBe(targetType);
        seen.push(...res.body.items.map((e: AuditEvent) => e.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(seen).toEqual(expected);
      // No empty last page: a cursor is given only when more rows follow.
      expect(pages).toBe(Math.ceil(expected.length / 2));
    }

    const bad = await admin.get('/v1/audit?targetType=brief');
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.targetType']);
  });
});
