// API keys through the running API: listing shows no secret, revocation and expiry take effect
// at once, rotation keeps the old key for its overlap only, members manage their own keys and
// no one else's, and the database never holds a key in plain text.
import { createHash } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

const KEY_FIELDS = ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'memberId', 'prefix', 'revokedAt'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('API keys', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let admin: ApiClient;
  let paula: Member;
  let piet: Member;
  let nora: Member;
  let mara: Member;
  /** Every plain key this test has seen, to look for in the database. */
  const seenKeys = new Set<string>([ADMIN_KEY]);

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk');
    const northstar = await d.party('Northstar');
    paula = await d.member(pixelwerk, 'member', 'Paula');
    piet = await d.member(pixelwerk, 'member', 'Piet');
    nora = await d.member(northstar, 'member', 'Nora');
    mara = await d.member(shop, 'manager', 'Mara');
    for (const m of [paula, piet, nora, mara]) seenKeys.add(m.key);
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function newKey(memberId: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const res = await admin.post(`/v1/members/${memberId}/api-keys`, body, headers);
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^hk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    seenKeys.add(res.body.key);
    return { id: res.body.id as string, key: res.body.key as string, body: res.body, client: apiClient(handoff.url, res.body.key) };
  }

  test("GET /v1/me answers the caller's member record and party", async () => {
    const me = await paula.client.get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: paula.id, partyId: paula.partyId, name: 'Paula', role: 'member', party: { id: paula.partyId, name: 'Pixelwerk', kind: 'agency' } });
    expect(JSON.stringify(me.body)).not.toContain(paula.key);
    expect(me.body).not.toHaveProperty('key');
    expect((await mara.client.get('/v1/me')).body).toMatchObject({ id: mara.id, role: 'manager' });
  });

  test('a key is shown once: listing shows prefix and dates only, never the key or its hash', async () => {
    const second = await newKey(paula.id);
    expect(second.body).toMatchObject({ memberId: paula.id, prefix: second.key.slice(3, 11), revokedAt: null, expiresAt: null, lastUsedAt: null });
    expect((await second.client.get('/v1/me')).status).toBe(200);

    for (const caller of [paula.client, admin]) {
      const list = await caller.get(`/v1/members/${paula.id}/api-keys`);
      expect(list.status).toBe(200);
      const text = JSON.stringify(list.body);
      expect(list.body.items.length).toBeGreaterThanOrEqual(2);
      for (const item of list.body.items) {
        expect(Object.keys(item).sort()).toEqual(KEY_FIELDS);
        expect(item.memberId).toBe(paula.id);
        expect(item.prefix).toMatch(/^[a-z0-9]{8}$/);
      }
      for (const key of [paula.key, second.key]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(createHash('sha256').update(key).digest('hex'));
      }
      expect(text).not.toMatch(/"(key|hash|secret)"/);
      const listed = list.body.items.find((k: { id: string }) => k.id === second.id);
      expect(listed).toMatchObject({ prefix: second.key.slice(3, 11), revokedAt: null, expiresAt: null, lastUsedAt: expect.any(String) });
      // Newest first.
      expect(list.body.items[0].id).toBe(second.id);
    }
  });

  test('a revoked key answers 401 at once', async () => {
    const spare = await newKey(paula.id);
    expect((await spare.client.get('/v1/me')).status).toBe(200);
    const revoked = await paula.client.post(`/v1/members/${paula.id}/api-keys/${spare.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(Object.keys(revoked.body).sort()).toEqual(KEY_FIELDS);
    expect(Date.parse(revoked.body.revokedAt)).toBeLessThanOrEqual(Date.now());
    expectProblem(await spare.client.get('/v1/me'), 401, 'unauthenticated', '/v1/me');
    expectProblem(await spare.client.post(`/v1/members/${paula.id}/api-keys/${spare.id}/rotate`, {}), 401, 'unauthenticated');
    // The revoking key itself still works; revoking again is a conflict; rotating a revoked key too.
    expect((await paula.client.get('/v1/me')).status).toBe(200);
    expectProblem(await paula.client.post(`/v1/members/${paula.id}/api-keys/${spare.id}/revoke`, {}), 409, 'conflict');
    expectProblem(await paula.client.post(`/v1/members/${paula.id}/api-keys/${spare.id}/rotate`, {}), 409, 'conflict');
    const list = await paula.client.get(`/v1/members/${paula.id}/api-keys`);
    expect(list.body.items.find((k: { id: string }) => k.id === spare.id).revokedAt).toBe(revoked.body.revokedAt);
  });

  test('a key created with expiresAt works until then, then answers 401', async () => {
    const expiresAt = new Date(Date.now() + 2_000);
    const short = await newKey(piet.id, { expiresAt: expiresAt.toISOString() });
    expect(short.body.expiresAt).toBe(expiresAt.toISOString());
    expect((await short.client.get('/v1/me')).status).toBe(200);
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 100);
    expectProblem(await short.client.get('/v1/me'), 401, 'unauthenticated', '/v1/me');

    const past = await admin.post(`/v1/members/${piet.id}/api-keys`, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expectProblem(past, 400, 'validation');
    expect(past.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.expiresAt']);
  });

  test('rotation with overlap PT2S: the new key works, the old one until the overlap ends, then 401', async () => {
    const old = await newKey(nora.id);
    const before = Date.now();
    const rotated = await old.client.post(`/v1/members/${nora.id}/api-keys/${old.id}/rotate`, { overlap: 'PT2S' });
    expect(rotated.status).toBe(201);
    seenKeys.add(rotated.body.key);
    expect(rotated.body.key).toMatch(/^hk_/);
    expect(rotated.body.key).not.toBe(old.key);
    expect(rotated.body.id).not.toBe(old.id);
    expect(rotated.body.previous).toMatchObject({ id: old.id, revokedAt: null });
    expect(Object.keys(rotated.body.previous).sort()).toEqual(KEY_FIELDS);
    const overlapEnds = Date.parse(rotated.body.previous.expiresAt);
    expect(overlapEnds).toBeGreaterThanOrEqual(before + 2_000);
    expect(overlapEnds).toBeLessThanOrEqual(Date.now() + 2_000);

    const fresh = apiClient(handoff.url, rotated.body.key);
    expect((await fresh.get('/v1/me')).body.id).toBe(nora.id);
    expect((await old.client.get('/v1/me')).status).toBe(200);
    await sleep(Math.max(0, overlapEnds - Date.now()) + 100);
    expectProblem(await old.client.get('/v1/me'), 401, 'unauthenticated', '/v1/me');
    expect((await fresh.get('/v1/me')).status).toBe(200);
    // An expired key cannot be rotated again.
    expectProblem(await fresh.post(`/v1/members/${nora.id}/api-keys/${old.id}/rotate`, { overlap: 'PT2S' }), 409, 'conflict');
    expectProblem(await fresh.post(`/v1/members/${nora.id}/api-keys/${rotated.body.id}/rotate`, { overlap: 'P31D' }), 400, 'validation');
  });

  test('rotation with an expiresAt in the past answers 400 naming body.expiresAt and leaves the old key as it was', async () => {
    const old = await newKey(nora.id);
    const res = await old.client.post(`/v1/members/${nora.id}/api-keys/${old.id}/rotate`, { overlap: 'PT1S', expiresAt: new Date(Date.now() - 60_000).toISOString() });
    if (typeof res.body?.key === 'string') seenKeys.add(res.body.key);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.expiresAt']);
    const list = await old.client.get(`/v1/members/${nora.id}/api-keys`);
    expect(list.body.items.find((k: { id: string }) => k.id === old.id)).toMatchObject({ expiresAt: null, revokedAt: null });
  });

  test('a rotated key cannot be rotated again: 409 saying so, and the old key names its replacement', async () => {
    const old = await newKey(piet.id);
    const rotated = await old.client.post(`/v1/members/${piet.id}/api-keys/${old.id}/rotate`, { overlap: 'PT1H' });
    expect(rotated.status).toBe(201);
    seenKeys.add(rotated.body.key);
    // Still working during its overlap, but rotated: a second rotation would give a second live key.
    expect((await old.client.get('/v1/me')).status).toBe(200);
    const again = await old.client.post(`/v1/members/${piet.id}/api-keys/${old.id}/rotate`, { overlap: 'PT1H' });
    expectProblem(again, 409, 'conflict');
    expect(again.body.detail).toMatch(/already rotated/);
    expect(again.body).not.toHaveProperty('key');
    expectProblem(await admin.post(`/v1/members/${piet.id}/api-keys/${old.id}/rotate`, {}), 409, 'conflict');
    const row = await handoff.db.prisma.apiKey.findUniqueOrThrow({ where: { id: old.id } });
    expect(row.rotatedToId).toBe(rotated.body.id);
    expect(row.rotatedAt).toBeInstanceOf(Date);
    // Its replacement can be rotated.
    const next = await admin.post(`/v1/members/${piet.id}/api-keys/${rotated.body.id}/rotate`, {});
    expect(next.status).toBe(201);
    seenKeys.add(next.body.key);
  });

  test('the new key of a rotation never expires later than the old one', async () => {
    const inAnHour = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000);
    const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const rotate = async (expiresAt: Date | null, body: Record<string, unknown>) => {
      const old = await newKey(nora.id, expiresAt ? { expiresAt: expiresAt.toISOString() } : {});
      const res = await admin.post(`/v1/members/${nora.id}/api-keys/${old.id}/rotate`, body);
      expect(res.status).toBe(201);
      seenKeys.add(res.body.key);
      return res.body;
    };
    // Asked for later than the old key: the old key's expiry.
    expect((await rotate(inAnHour, { expiresAt: inTenDays })).expiresAt).toBe(inAnHour.toISOString());
    // Asked for nothing: the old key's expiry, not "never".
    expect((await rotate(inAnHour, {})).expiresAt).toBe(inAnHour.toISOString());
    // Asked for earlier: that.
    const inHalfAnHour = new Date(Date.now() + 1_800_000).toISOString();
    expect((await rotate(inAnHour, { expiresAt: inHalfAnHour })).expiresAt).toBe(inHalfAnHour);
    // A key without expiry: the new one has the expiry asked for, or none.
    expect((await rotate(null, { expiresAt: inTenDays })).expiresAt).toBe(inTenDays);
    expect((await rotate(null, {})).expiresAt).toBeNull();
  });

  test('rotations count against HANDOFF_API_KEY_ROTATIONS_PER_DAY per member: the next one is 429 with Retry-After', async () => {
    const limit = handoff.config.apiKeyRotationsPerDay;
    expect(limit).toBe(10);
    const pixelwerk = paula.partyId;
    const rita = await d.member(pixelwerk, 'member', 'Rita');
    seenKeys.add(rita.key);
    let current = (await newKey(rita.id)).id;
    for (let i = 0; i < limit; i += 1) {
      const res = await admin.post(`/v1/members/${rita.id}/api-keys/${current}/rotate`, { overlap: 'PT1M' });
      expect(res.status).toBe(201);
      seenKeys.add(res.body.key);
      current = res.body.id;
    }
    const refused = await admin.post(`/v1/members/${rita.id}/api-keys/${current}/rotate`, { overlap: 'PT1M' });
    expectProblem(refused, 429, 'rate-limited');
    expect(refused.body.detail).toMatch(/HANDOFF_API_KEY_ROTATIONS_PER_DAY/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(86_400 - 120);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // Nothing changed: the key was not rotated, no key was added.
    expect((await handoff.db.prisma.apiKey.findUniqueOrThrow({ where: { id: current } })).rotatedAt).toBeNull();
    expect(await handoff.db.prisma.apiKey.count({ where: { memberId: rita.id } })).toBe(limit + 2);
    // Per member: another member still rotates.
    const other = await newKey(mara.id);
    const res = await admin.post(`/v1/members/${mara.id}/api-keys/${other.id}/rotate`, {});
    expect(res.status).toBe(201);
    seenKeys.add(res.body.key);
  });

  test('the bootstrap admin key is listed under the fixed prefix "bootstrap", never characters of the key', async () => {
    const me = await admin.get('/v1/me');
    const keys = await admin.get(`/v1/members/${me.body.id}/api-keys`);
    expect(keys.status).toBe(200);
    expect(keys.body.items.map((k: { prefix: string }) => k.prefix)).toEqual(['bootstrap']);
    const row = await handoff.db.prisma.apiKey.findFirstOrThrow({ where: { memberId: me.body.id } });
    expect(row.prefix).toBe('bootstrap');
    expect(ADMIN_KEY).not.toContain(row.prefix);
  });

  test("a member manages their own keys, not another member's: 403 in their party, 404 in another", async () => {
    const pietKey = await newKey(piet.id);
    const noraKey = await newKey(nora.id);
    // Own keys: list, rotate and revoke.
    expect((await paula.client.get(`/v1/members/${paula.id}/api-keys`)).status).toBe(200);

    // Same party, visible member: 403.
    expectProblem(await paula.client.get(`/v1/members/${piet.id}/api-keys`), 403, 'forbidden');
    expectProblem(await paula.client.post(`/v1/members/${piet.id}/api-keys/${pietKey.id}/revoke`, {}), 403, 'forbidden');
    expectProblem(await paula.client.post(`/v1/members/${piet.id}/api-keys/${pietKey.id}/rotate`, {}), 403, 'forbidden');
    // Another party's member: 404, as if it did not exist.
    expectProblem(await paula.client.get(`/v1/members/${nora.id}/api-keys`), 404, 'not-found');
    expectProblem(await paula.client.post(`/v1/members/${nora.id}/api-keys/${noraKey.id}/revoke`, {}), 404, 'not-found');
    expectProblem(await paula.client.post(`/v1/members/${nora.id}/api-keys/${noraKey.id}/rotate`, {}), 404, 'not-found');
    // Someone else's key under one's own member id: 404.
    expectProblem(await paula.client.post(`/v1/members/${paula.id}/api-keys/${pietKey.id}/revoke`, {}), 404, 'not-found');
    // Managers see every party but manage only their own keys.
    expectProblem(await mara.client.get(`/v1/members/${paula.id}/api-keys`), 403, 'forbidden');
    // Only admins create keys, even for themselves.
    expectProblem(await paula.client.post(`/v1/members/${paula.id}/api-keys`, {}), 403, 'forbidden');
    // Nothing happened to the other keys.
    expect((await pietKey.client.get('/v1/me')).status).toBe(200);
    expect((await noraKey.client.get('/v1/me')).status).toBe(200);

    const own = await newKey(paula.id);
    expect((await paula.client.post(`/v1/members/${paula.id}/api-keys/${own.id}/revoke`, {})).status).toBe(200);
    expect((await own.client.get('/v1/me')).status).toBe(401);
  });

  test('api_keys stores a SHA-256 hash and a prefix: no column equals a key', async () => {
    const rows = await handoff.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM api_keys');
    expect(rows.length).toBeGreaterThanOrEqual(seenKeys.size - 1);
    const hashes = new Set(rows.map((r) => r.hash));
    for (const key of seenKeys) {
      expect(hashes.has(createHash('sha256').update(key).digest('hex'))).toBe(true);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          expect({ column, equals: value === key || (typeof value === 'string' && value.includes(key)) }).toEqual({ column, equals: false });
        }
      }
    }
  });

  test('no table holds a key in plain text, even for keys created or rotated under an Idempotency-Key', async () => {
    const created = await newKey(piet.id, {}, { 'idempotency-key': 'create-piet-key' });
    const replay = await admin.post(`/v1/members/${piet.id}/api-keys`, {}, { 'idempotency-key': 'create-piet-key' });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(created.id);
    const rotated = await created.client.post(`/v1/members/${piet.id}/api-keys/${created.id}/rotate`, {}, { 'idempotency-key': 'rotate-piet-key' });
    expect(rotated.status).toBe(201);
    seenKeys.add(rotated.body.key);

    const tables = await handoff.db.prisma.$queryRawUnsafe<{ table_name: string }[]>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['api_keys', 'idempotency_records', 'audit_events']));
    const found: string[] = [];
    for (const { table_name: table } of tables) {
      const rows = await handoff.db.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      for (const { row } of rows) {
        for (const key of seenKeys) if (row.includes(key)) found.push(`${table}: ${key.slice(0, 11)}...`);
      }
    }
    expect(found).toEqual([]);
  });
});
