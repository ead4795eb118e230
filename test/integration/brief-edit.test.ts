// Managers editing a brief through the HTTP API under optimistic concurrency: the ETag of every
// answer with a brief, If-Match on PATCH /v1/briefs/:id (428 without, 412 when outdated), the
// clocks a new dueAt or priority moves, and who may edit what when. A real Temporal dev server
// and PGlite.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApiError } from '../../api/errors';
import { translateWorkflowError } from '../../api/workflow-errors';
import { editUpdate } from '../../workflows/brief/definitions';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { devServerEnv } from '../support/temporal';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory } from '../support/directory';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface Directory {
  admin: ApiClient;
  manager: ApiClient;
  agencyLead: ApiClient;
  agencyWatcher: ApiClient;
  otherAgency: ApiClient;
  watcher: ApiClient;
  agencyId: string;
  otherManagerId: string;
  agencyLeadId: string;
}

async function setUpDirectory(url: string): Promise<Directory> {
  const dir = directory(url);
  const { admin } = dir;
  const party = (name: string, kind: string) => dir.party(name, kind);
  const member = async (partyId: string, body: { name: string; email: string; role: string } & Record<string, unknown>) => dir.memberWith(partyId, body);
  const shop = await party('Shop', 'ecommerce');
  const agencyId = await party('Pixelwerk', 'agency');
  const otherAgencyId = await party('Northstar', 'agency');
  const manager = await member(shop, { name: 'Mara', email: 'mara@shop.example', role: 'manager' });
  const otherManager = await member(shop, { name: 'Max', email: 'max@shop.example', role: 'manager' });
  const watcher = await member(shop, { name: 'Tom', email: 'tom@shop.example', role: 'watcher' });
  const agencyLead = await member(agencyId, { name: 'Paula', email: 'paula@pixel.example', role: 'member', isLead: true });
  const agencyWatcher = await member(agencyId, { name: 'Wanda', email: 'wanda@pixel.example', role: 'watcher' });
  const otherAgency = await member(otherAgencyId, { name: 'Nora', email: 'nora@north.example', role: 'member' });
  return {
    admin,
    manager: manager.client,
    agencyLead: agencyLead.client,
    agencyWatcher: agencyWatcher.client,
    otherAgency: otherAgency.client,
    watcher: watcher.client,
    agencyId,
    otherManagerId: otherManager.id,
    agencyLeadId: agencyLead.id,
  };
}

const STRONG_ETAG = /^"[^"]+"$/;

describe('editing a brief through the API (pglite)', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: Directory;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = await setUpDirectory(handoff.url);
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const patch = (client: ApiClient, id: string, body: unknown, ifMatch?: string | null) =>
    client.request('PATCH', `/v1/briefs/${id}`, body, ifMatch ? { 'if-match': ifMatch } : {});

  async function newBrief(extra: Record<string, unknown> = {}): Promise<ApiResponse> {
    const res = await d.manager.post('/v1/briefs', { title: 'Christmas landing page', description: 'Hero and three teasers', partyId: d.agencyId, ...extra });
    expect(res.status).toBe(201);
    return res;
  }

  async function etagOf(id: string): Promise<string> {
    const res = await d.manager.get(`/v1/briefs/${id}`);
    expect(res.status).toBe(200);
    return res.headers.get('etag') as string;
  }

  function expectProblem(res: ApiResponse, status: number, type: string): void {
    expect({ status: res.status, type: res.body?.type }).toEqual({ status, type: `https://handoff.dev/problems/${type}` });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  }

  test('every answer with a brief carries its strong ETag, the same GET gives, and it changes with every event', async () => {
    const created = await newBrief();
    const id = created.body.id as string;
    const first = created.headers.get('etag') as string;
    expect(first).toMatch(STRONG_ETAG);
    expect(await etagOf(id)).toBe(first);
    // Every reader sees the same version.
    expect((await d.agencyLead.get(`/v1/briefs/${id}`)).headers.get('etag')).toBe(first);
    expect((await d.watcher.get(`/v1/briefs/${id}`)).headers.get('etag')).toBe(first);

    const commented = await d.agencyLead.post(`/v1/briefs/${id}/comments`, { body: 'Which fonts?' });
    expect(commented.status).toBe(200);
    const second = commented.headers.get('etag') as string;
    expect(second).toMatch(STRONG_ETAG);
    expect(second).not.toBe(first);
    expect(await etagOf(id)).toBe(second);

    // If-None-Match: 304 while nothing happened; browsers keep no copy to revalidate on their own.
    // (fetch sends Cache-Control: no-cache with If-None-Match unless told otherwise.)
    const read = await d.manager.get(`/v1/briefs/${id}`, { 'if-none-match': second, 'cache-control': 'max-age=0' });
    expect(read.status).toBe(304);
    expect(read.headers.get('etag')).toBe(second);
    expect((await d.manager.get(`/v1/briefs/${id}`)).headers.get('cache-control')).toBe('no-store');
    expect((await d.manager.get(`/v1/briefs/${id}`, { 'if-none-match': first, 'cache-control': 'max-age=0' })).status).toBe(200);

    // Another brief at the same point of its timeline has an ETag of its own.
    const other = await newBrief();
    expect(other.headers.get('etag')).not.toBe(first);
  });

  test('PATCH needs If-Match: 428 without it, 412 when it is outdated, 200 with the current one and a new ETag to chain edits', async () => {
    const oldDue = new Date(Date.now() + 3 * DAY).toISOString();
    const created = await newBrief({ priority: 'P3', dueAt: oldDue });
    const id = created.body.id as string;
    const acknowledged = await d.agencyLead.post(`/v1/briefs/${id}/acknowledge`, {});
    expect(acknowledged.body.sla.deliver).toMatchObject({ state: 'running', dueAt: oldDue });
    const current = acknowledged.headers.get('etag') as string;
    expect(await etagOf(id)).toBe(current);

    const missing = await patch(d.manager, id, { title: 'Renamed' });
    expectProblem(missing, 428, 'precondition-required');
    expectProblem(await patch(d.manager, id, { title: 'Renamed' }, '*'), 428, 'precondition-required');
    // The ETag of before the acknowledgement, and a weak tag (never a strong match), are outdated.
    expectProblem(await patch(d.manager, id, { title: 'Renamed' }, created.headers.get('etag')), 412, 'precondition-failed');
    expectProblem(await patch(d.manager, id, { title: 'Renamed' }, `W/${current}`), 412, 'precondition-failed');
    const garbled = await patch(d.manager, id, { title: 'Renamed' }, 'not-an-etag');
    expectProblem(garbled, 400, 'validation');
    expect(garbled.body.errors[0].path).toBe('headers.if-match');
    // Nothing changed.
    const untouched = await d.manager.get(`/v1/briefs/${id}`);
    expect(untouched.headers.get('etag')).toBe(current);
    expect(untouched.body.title).toBe('Christmas landing page');

    const newDue = new Date(Date.parse(oldDue) + 2 * DAY).toISOString();
    const edited = await patch(d.manager, id, { title: 'Christmas landing page v2', dueAt: newDue, priority: 'P1' }, `"outdated", ${current}`);
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, title: 'Christmas landing page v2', dueAt: newDue, priority: 'P1', status: 'in_progress' });
    // The deliver clock counts to the new dueAt, exactly.
    expect(edited.body.sla.deliver).toMatchObject({ state: 'running', dueAt: newDue, targetMs: Date.parse(newDue) - Date.parse(edited.body.sla.deliver.startedAt) });
    const next = edited.headers.get('etag') as string;
    expect(next).toMatch(STRONG_ETAG);
    expect(next).not.toBe(current);
    expect(await etagOf(id)).toBe(next);

    // The edit the ETag was read for is done: the same ETag is now outdated.
    expectProblem(await patch(d.manager, id, { description: 'Again' }, current), 412, 'precondition-failed');
    // Chained with the new ETag, by another manager, with a dueAt written in another offset.
    const local = new Date(Date.parse(newDue) + DAY).toISOString().replace('Z', '+00:00');
    const chained = await patch(d.manager, id, { description: 'Hero, three teasers and a countdown', dueAt: local }, next);
    expect(chained.status).toBe(200);
    expect(chained.body).toMatchObject({ description: 'Hero, three teasers and a countdown', dueAt: new Date(local).toISOString() });
    expect(chained.body.sla.deliver.dueAt).toBe(new Date(local).toISOString());

    const read = await d.watcher.get(`/v1/briefs/${id}`);
    expect(read.headers.get('etag')).toBe(chained.headers.get('etag'));
    const edits = read.body.timeline.filter((e: { type: string }) => e.type === 'brief_edited');
    expect(edits).toHaveLength(2);
    expect(edits[0]).toMatchObject({
      actor: expect.any(String),
      data: {
        changes: { title: 'Christmas landing page v2', dueAt: newDue, priority: 'P1', targetsMs: expect.any(Object) },
        before: { title: 'Christmas landing page', dueAt: oldDue, priority: 'P3', targetsMs: expect.any(Object) },
      },
    });
    // The read model's columns follow: the brief is listed under its new priority.
    const listed = await d.manager.get('/v1/briefs?priority=P1&limit=100');
    expect(listed.body.items.map((b: { id: string }) => b.id)).toContain(id);
  });

  test("a new priority moves the running acknowledge clock to the priority's default, unless the brief set its own target", async () => {
    const following = (await newBrief({ priority: 'P3' })).body;
    expect(following.sla.acknowledge.targetMs).toBe(DAY);
    const moved = await patch(d.manager, following.id, { priority: 'P1' }, await etagOf(following.id));
    expect(moved.status).toBe(200);
    const { startedAt } = following.sla.acknowledge;
    expect(moved.body.sla.acknowledge).toMatchObject({ state: 'running', startedAt, targetMs: HOUR, dueAt: new Date(Date.parse(startedAt) + HOUR).toISOString() });
    expect(moved.body.sla.deliver).toMatchObject({ state: 'pending', targetMs: DAY });
    expect(moved.body.sla.review).toMatchObject({ state: 'pending', targetMs: 4 * HOUR });

    const own = (await newBrief({ priority: 'P3', targets: { acknowledge: 'PT6H' } })).body;
    const kept = await patch(d.manager, own.id, { priority: 'P1' }, await etagOf(own.id));
    expect(kept.status).toBe(200);
    expect(kept.body.sla.acknowledge).toMatchObject({ targetMs: 6 * HOUR, dueAt: own.sla.acknowledge.dueAt });
    expect(kept.body.sla.review.targetMs).toBe(4 * HOUR);
  });

  test("only managers edit: members and watchers get 403, another party's member 404", async () => {
    const id = (await newBrief()).body.id as string;
    const etag = await etagOf(id);
    for (const [who, client] of [
      ['agency member', d.agencyLead],
      ['agency watcher', d.agencyWatcher],
      ['e-commerce watcher', d.watcher],
      ['admin', d.admin],
    ] as const) {
      const res = await patch(client, id, { title: 'Mine now' }, etag);
      expect({ who, status: res.status }).toEqual({ who, status: 403 });
    }
    expectProblem(await patch(d.otherAgency, id, { title: 'Mine now' }, etag), 404, 'not-found');
    expectProblem(await patch(d.manager, 'does-not-exist', { title: 'x' }, etag), 404, 'not-found');
    expect(await etagOf(id)).toBe(etag);
  });

  test('an ended brief cannot be edited: 409', async () => {
    const id = (await newBrief()).body.id as string;
    const cancelled = await d.manager.post(`/v1/briefs/${id}/cancel`, { reason: 'campaign dropped' });
    expect(cancelled.status).toBe(200);
    const late = await patch(d.manager, id, { title: 'Too late' }, cancelled.headers.get('etag'));
    expectProblem(late, 409, 'conflict');
    expect(late.body.detail).toBe('the brief is cancelled and can no longer be edited');
  });

  test('an invalid body answers 400 naming the field; reviewer and dueAt can be set and cleared', async () => {
    const id = (await newBrief()).body.id as string;
    const etag = await etagOf(id);
    const cases: [unknown, string, string?][] = [
      [{}, 'body', 'name at least one of title, description, dueAt, reviewerId, managerId, priority, reviewPlan'],
      [{ title: '' }, 'body.title'],
      [{ description: 'x'.repeat(20_001) }, 'body.description'],
      [{ priority: 'P9' }, 'body.priority'],
      [{ dueAt: 'next tuesday' }, 'body.dueAt'],
      [{ dueAt: new Date(Date.now() - HOUR).toISOString() }, 'body.dueAt', 'must be in the future'],
      [{ reviewerId: d.agencyLeadId }, 'body.reviewerId', 'must be the id of a manager'],
      [{ reviewerId: 'nobody' }, 'body.reviewerId', 'must be the id of a manager'],
      [{ title: 'Moved', partyId: d.agencyId }, 'body.partyId', 'cannot be edited; editable are title, description, dueAt, reviewerId, managerId, priority, reviewPlan'],
    ];
    for (const [body, path, message] of cases) {
      const res = await patch(d.manager, id, body, etag);
      expectProblem(res, 400, 'validation');
      expect({ body, paths: res.body.errors.map((e: { path: string }) => e.path) }).toEqual({ body, paths: [path] });
      if (message) expect(res.body.errors[0].message).toBe(message);
    }
    expect(await etagOf(id)).toBe(etag);

    const due = new Date(Date.now() + 10 * DAY).toISOString();
    const set = await patch(d.manager, id, { reviewerId: d.otherManagerId, dueAt: due }, etag);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ reviewerId: d.otherManagerId, dueAt: due });
    const cleared = await patch(d.manager, id, { reviewerId: null, dueAt: null }, set.headers.get('etag'));
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ reviewerId: null, dueAt: null });
    expect(cleared.body.timeline.map((e: { type: string }) => e.type)).toEqual(['brief_created', 'brief_edited', 'brief_edited']);
  });

  test('an edit the workflow itself refuses as outdated (the read model lagging behind it) answers 412', async () => {
    const id = (await newBrief()).body.id as string;
    const handle = handoff.temporal.client.workflow.getHandle(briefWorkflowId(id));
    const actor = { memberId: 'm-manager', role: 'manager' as const, partyId: 'party-shop' };
    const refused = await handle.executeUpdate(editUpdate, { args: [{ actor, expectedSeq: 0, changes: { title: 'Stale' } }] }).catch((err: unknown) => err);
    const answer = translateWorkflowError(refused);
    expect(answer).toBeInstanceOf(ApiError);
    expect(answer).toMatchObject({ type: 'precondition-failed', status: 412 });
    expect((await d.manager.get(`/v1/briefs/${id}`)).body.title).toBe('Christmas landing page');
  });

  test('the OpenAPI document describes If-Match, the ETag header and the answers of PATCH', async () => {
    const doc = (await apiClient(handoff.url).get('/openapi.json')).body;
    const edit = doc.paths['/v1/briefs/{id}'].patch;
    expect(edit.operationId).toBe('editBrief');
    expect(edit.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'if-match', required: true })]));
    expect(Object.keys(edit.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409', '412', '428']));
    expect(edit.responses['200'].headers.ETag).toBeDefined();
    expect(edit.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EditBrief' });
    expect(doc.paths['/v1/briefs/{id}'].get.responses['200'].headers.ETag).toBeDefined();
    expect(doc.paths['/v1/briefs'].post.responses['201'].headers.ETag).toBeDefined();
    expect(doc.paths['/v1/briefs/{id}/approve'].post.responses['200'].headers.ETag).toBeDefined();
  });
});
