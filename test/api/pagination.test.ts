// Cursor pagination against the running API: paging with rows inserted between page fetches
// neither repeats nor skips the rows that existed at the start, in a stable order, and bad
// `limit` / `cursor` values answer 400 naming the field.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import type { ApiClient, ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

interface Row {
  id: string;
  createdAt: string;
}

/** Pages through a list with `limit`, calling `between` after each page. */
async function pageThrough(client: ApiClient, path: string, limit: number, between: (page: number) => Promise<void>): Promise<Row[][]> {
  const pages: Row[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const separator = path.includes('?') ? '&' : '?';
    const res: ApiResponse = await client.get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    expect(Array.isArray(res.body.items)).toBe(true);
    expect(res.body.nextCursor === null || typeof res.body.nextCursor === 'string').toBe(true);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return pages;
    await between(i);
  }
  throw new Error('more than 100 pages');
}

const compareAsc = (a: Row, b: Row) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('cursor pagination', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let manager: Member;
  let agencyId: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    const shop = await d.party('Shop', 'ecommerce');
    agencyId = await d.party('Pixelwerk');
    manager = await d.member(shop, 'manager', 'Mara');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('parties, oldest first: no duplicates and no gaps while parties are added between pages', async () => {
    for (let i = 0; i < 7; i++) await d.party(`Party ${i}`);
    const before = await d.admin.get('/v1/parties?limit=200');
    expect(before.body.nextCursor).toBeNull();
    const initial: Row[] = before.body.items;
    expect(initial.length).toBeGreaterThanOrEqual(10);
    expect([...initial].sort(compareAsc)).toEqual(initial);

    let added = 0;
    const pages = await pageThrough(d.admin, '/v1/parties', 2, async () => {
      await d.party(`Added while paging ${++added}`);
    });
    expect(added).toBeGreaterThan(3);
    const seen = pages.flat();
    const ids = seen.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every party that existed at the start is there, in the same order.
    const initialIds = initial.map((p) => p.id);
    expect(ids.filter((id) => initialIds.includes(id))).toEqual(initialIds);
    // The whole sequence is oldest first (the parties added while paging come after).
    expect([...seen].sort(compareAsc)).toEqual(seen);
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(2);
  });

  test('briefs, newest first: no duplicates and no gaps while briefs are created between pages', async () => {
    const create = async (title: string) => {
      const res = await manager.client.post('/v1/briefs', { title, description: 'paging', partyId: agencyId, priority: 'P4' });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    for (let i = 0; i < 7; i++) await create(`Brief ${i}`);
    const before = await manager.client.get('/v1/briefs?limit=200');
    const initial: Row[] = before.body.items;
    expect(initial).toHaveLength(7);
    expect([...initial].sort(compareAsc).reverse()).toEqual(initial);

    const addedIds: string[] = [];
    const pages = await pageThrough(manager.client, '/v1/briefs', 2, async () => {
      addedIds.push(await create(`Added while paging ${addedIds.length}`));
    });
    const ids = pages.flat().map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Newer briefs sort before the cursor: the pages after it show exactly the initial ones.
    expect(ids).toEqual(initial.map((b) => b.id));
    expect(ids.filter((id) => addedIds.includes(id))).toEqual([]);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);

    // A fresh walk shows everything, newest first.
    const after = await pageThrough(manager.client, '/v1/briefs', 3, async () => undefined);
    const all = after.flat();
    expect(all.map((b) => b.id)).toEqual([...addedIds.reverse(), ...initial.map((b) => b.id)]);
    expect([...all].sort(compareAsc).reverse()).toEqual(all);
  });

  test('members and the audit log page without duplicates or gaps', async () => {
    for (let i = 0; i < 5; i++) await d.member(agencyId, 'member', `Member ${i}`);
    const all = await d.admin.get(`/v1/parties/${agencyId}/members?limit=200`);
    const members = await pageThrough(d.admin, `/v1/parties/${agencyId}/members`, 2, async () => undefined);
    expect(members.flat().map((m) => m.id)).toEqual(all.body.items.map((m: Row) => m.id));

    const audit = await d.admin.get('/v1/audit?limit=200');
    const events = (await pageThrough(d.admin, '/v1/audit', 4, async () => undefined)).flat() as unknown as { id: string; at: string }[];
    // Reads are not audited, so both walks see the same log.
    expect(events.map((e) => e.id)).toEqual(audit.body.items.map((e: { id: string }) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  const LISTS = ['/v1/parties', '/v1/briefs', '/v1/audit', '/v1/escalations', () => `/v1/parties/${agencyId}/members`, () => `/v1/members/${manager.id}/api-keys`];
  const listPaths = () => LISTS.map((l) => (typeof l === 'string' ? l : l()));

  test('limit=0 and limit=201 (and other non-numbers) answer 400 naming query.limit', async () => {
    for (const path of listPaths()) {
      for (const limit of ['0', '201', '-1', '1.5', 'abc', '']) {
        const res = await d.admin.get(`${path}?limit=${limit}`);
        expectProblem(res, 400, 'validation');
        expect({ path, limit, fields: res.body.errors.map((e: { path: string }) => e.path) }).toEqual({ path, limit, fields: ['query.limit'] });
      }
      expect((await d.admin.get(`${path}?limit=1`)).status).toBe(200);
      expect((await d.admin.get(`${path}?limit=200`)).status).toBe(200);
    }
  });

  test('a cursor this API did not issue answers 400 naming query.cursor', async () => {
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const garbage = [
      'garbage',
      'not-base64!!',
      b64('not json'),
      b64({ at: '2026-01-01T00:00:00.000Z' }),
      b64({ id: 'x' }),
      b64({ at: 'yesterday', id: 'x' }),
      b64({ at: '2026-01-01T00:00:00.000Z', id: 5 }),
      b64([1, 2]),
      b64(null),
      'x'.repeat(501),
    ];
    for (const path of listPaths()) {
      for (const cursor of garbage) {
        const res = await d.admin.get(`${path}?cursor=${encodeURIComponent(cursor)}`);
        expect({ path, cursor, status: res.status }).toEqual({ path, cursor, status: 400 });
        expectProblem(res, 400, 'validation');
        expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.cursor']);
      }
    }
  });
});
