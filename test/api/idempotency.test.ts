// Idempotency-Key on POSTs, end to end: a repeat gets the first answer and changes nothing (no
// second brief, no second workflow, no second event), a different request under the same key
// is refused, concurrent repeats wait for the first, and keys are per caller.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

describe('Idempotency-Key', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let shop: string;
  let manager: Member;
  let otherManager: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    shop = await d.party('Shop', 'ecommerce');
    manager = await d.member(shop, 'manager', 'Mara');
    otherManager = await d.member(shop, 'manager', 'Max');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const briefBody = (partyId: string, title = 'Christmas landing page') => ({ title, description: 'Hero banner and teasers', partyId, priority: 'P3' });

  async function briefsOf(partyId: string): Promise<string[]> {
    const res = await manager.client.get(`/v1/briefs?partyId=${partyId}&limit=200`);
    expect(res.status).toBe(200);
    return res.body.items.map((b: { id: string }) => b.id);
  }

  /** The ids of the brief workflows Temporal knows on this Handoff's task queue. */
  async function workflowIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of handoff.temporal.client.workflow.list({ query: `TaskQueue = '${handoff.config.temporal.taskQueue}'` })) {
      ids.push(execution.workflowId);
    }
    return ids.sort();
  }

  /** Temporal's executions are exactly the read model's briefs: one workflow per brief, no more. */
  async function expectOneWorkflowPerBrief(): Promise<void> {
    const all = await manager.client.get('/v1/briefs?limit=200');
    const expected = all.body.items.map((b: { id: string }) => briefWorkflowId(b.id)).sort();
    let seen: string[] = [];
    try {
      await eventually(async () => {
        seen = await workflowIds();
        return JSON.stringify(seen) === JSON.stringify(expected) ? true : undefined;
      }, 10_000, 200);
    } catch {
      expect(seen).toEqual(expected);
    }
  }

  const withoutVolatile = (res: ApiResponse) => ({ status: res.status, body: res.body, location: res.headers.get('location') });

  test('a repeat of POST /v1/briefs gets the same answer, marked replayed, and creates nothing', async () => {
    const agency = await d.party('Pixelwerk');
    const headers = { 'idempotency-key': 'brief-xmas-1' };
    const first = await manager.client.post('/v1/briefs', briefBody(agency), headers);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const id = first.body.id as string;
    expect(first.headers.get('location')).toBe(`/v1/briefs/${id}`);

    const second = await manager.client.post('/v1/briefs', briefBody(agency), headers);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(withoutVolatile(second)).toEqual(withoutVolatile(first));
    expect(second.headers.get('content-type')).toMatch(/^application\/json/);

    // Same body with its keys in another order is the same request.
    const reordered = await manager.client.request('POST', '/v1/briefs', JSON.stringify({ priority: 'P3', partyId: agency, description: 'Hero banner and teasers', title: 'Christmas landing page' }), {
      ...headers,
      'content-type': 'application/json',
    });
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    expect(reordered.body.id).toBe(id);

    expect(await briefsOf(agency)).toEqual([id]);
    const read = await manager.client.get(`/v1/briefs/${id}`);
    expect(read.body.timeline.filter((e: { type: string }) => e.type === 'brief_created')).toHaveLength(1);
    const description = await handoff.temporal.client.workflow.getHandle(briefWorkflowId(id)).describe();
    expect(description.status.name).toBe('RUNNING');
    await expectOneWorkflowPerBrief();
  });

  /** What a first attempt that answered 503 (or whose API process died) leaves: no answer under the key. */
  const forgetAnswer = (key: string) => handoff.db.prisma.idempotencyRecord.deleteMany({ where: { key } });

  /** The ids of the updates the brief's workflow accepted, from its history. */
  async function acceptedUpdates(id: string): Promise<string[]> {
    const history = await handoff.temporal.client.workflow.getHandle(briefWorkflowId(id)).fetchHistory();
    return (history.events ?? []).flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [e.workflowExecutionUpdateAcceptedEventAttributes.protocolInstanceId ?? ''] : []));
  }

  test('a create that runs again under its key (its first answer was lost) reaches the same brief through the same update', async () => {
    const agency = await d.party('Lost answer');
    const headers = { 'idempotency-key': 'brief-lost-answer' };
    const first = await manager.client.post('/v1/briefs', briefBody(agency, 'Lost answer'), headers);
    expect(first.status).toBe(201);
    const id = first.body.id as string;
    const updates = await acceptedUpdates(id);
    expect(updates).toHaveLength(1);

    await forgetAnswer('brief-lost-answer');
    const again = await manager.client.post('/v1/briefs', briefBody(agency, 'Lost answer'), headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.id).toBe(id);
    expect(again.body.timeline.map((e: { type: string }) => e.type)).toEqual(['brief_created']);
    // The repeat named the first attempt's update, which Temporal answered again without running it.
    expect(await acceptedUpdates(id)).toEqual(updates);
    expect(await briefsOf(agency)).toEqual([id]);
    await expectOneWorkflowPerBrief();
  });

  test('a create that runs again after its brief has ended answers the brief as recorded and starts nothing', async () => {
    const agency = await d.party('Ended meanwhile');
    const headers = { 'idempotency-key': 'brief-ended-meanwhile' };
    const first = await manager.client.post('/v1/briefs', briefBody(agency, 'Ended'), headers);
    expect(first.status).toBe(201);
    const id = first.body.id as string;
    expect((await manager.client.post(`/v1/briefs/${id}/cancel`, { reason: 'Campaign dropped' })).status).toBe(200);
    const handle = handoff.temporal.client.workflow.getHandle(briefWorkflowId(id));
    await handle.result();

    await forgetAnswer('brief-ended-meanwhile');
    const again = await manager.client.post('/v1/briefs', briefBody(agency, 'Ended'), headers);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id, status: 'cancelled' });
    const executions: string[] = [];
    for await (const e of handoff.temporal.client.workflow.list({ query: `WorkflowId = '${briefWorkflowId(id)}'` })) executions.push(e.status.name);
    expect(executions).toEqual(['COMPLETED']);
    expect(await briefsOf(agency)).toEqual([id]);
  });

  test('an action that runs again under its key (its first answer was lost) is applied once', async () => {
    const agency = await d.party('Lost action answer');
    const id = (await manager.client.post('/v1/briefs', briefBody(agency, 'Lost action'))).body.id as string;
    const headers = { 'idempotency-key': 'comment-lost-answer' };
    const first = await manager.client.post(`/v1/briefs/${id}/comments`, { body: 'Once only' }, headers);
    expect(first.status).toBe(200);
    await forgetAnswer('comment-lost-answer');
    const again = await manager.client.post(`/v1/briefs/${id}/comments`, { body: 'Once only' }, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const read = await manager.client.get(`/v1/briefs/${id}`);
    expect(read.body.timeline.filter((e: { type: string }) => e.type === 'comment_added')).toHaveLength(1);
  });

  test('the same key with a different body, or on another path, answers 422 and creates nothing', async () => {
    const agency = await d.party('Northstar');
    const headers = { 'idempotency-key': 'brief-mismatch' };
    const first = await manager.client.post('/v1/briefs', briefBody(agency, 'Feed fix'), headers);
    expect(first.status).toBe(201);

    const different = await manager.client.post('/v1/briefs', briefBody(agency, 'Another title'), headers);
    expectProblem(different, 422, 'idempotency-mismatch', '/v1/briefs');
    expect(different.headers.get('idempotent-replayed')).toBeNull();

    const elsewhere = await manager.client.post(`/v1/briefs/${first.body.id}/comments`, { body: 'hello' }, headers);
    expectProblem(elsewhere, 422, 'idempotency-mismatch');

    expect(await briefsOf(agency)).toEqual([first.body.id]);
    const read = await manager.client.get(`/v1/briefs/${first.body.id}`);
    expect(read.body.timeline.map((e: { type: string }) => e.type)).toEqual(['brief_created']);
  });

  test('two concurrent requests with the same key get identical answers and make one brief', async () => {
    const agency = await d.party('Concurrent');
    const headers = { 'idempotency-key': 'brief-race' };
    const answers = await Promise.all([
      manager.client.post('/v1/briefs', briefBody(agency, 'Race'), headers),
      manager.client.post('/v1/briefs', briefBody(agency, 'Race'), headers),
      manager.client.post('/v1/briefs', briefBody(agency, 'Race'), headers),
    ]);
    for (const answer of answers) expect(withoutVolatile(answer)).toEqual(withoutVolatile(answers[0]));
    expect(answers[0].status).toBe(201);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(await briefsOf(agency)).toEqual([answers[0].body.id]);
    const read = await manager.client.get(`/v1/briefs/${answers[0].body.id}`);
    expect(read.body.timeline.filter((e: { type: string }) => e.type === 'brief_created')).toHaveLength(1);
    await expectOneWorkflowPerBrief();
  });

  test("the same key from another caller is that caller's own", async () => {
    const agency = await d.party('Two managers');
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await manager.client.post('/v1/briefs', briefBody(agency, 'Mine'), headers);
    const theirs = await otherManager.client.post('/v1/briefs', briefBody(agency, 'Mine'), headers);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.managerId).toBe(otherManager.id);
    // A different body under the same key is fine for the other caller too.
    const theirsAgain = await otherManager.client.post('/v1/briefs', briefBody(agency, 'Mine'), headers);
    expect(theirsAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(theirsAgain.body.id).toBe(theirs.body.id);
    expect((await briefsOf(agency)).sort()).toEqual([mine.body.id, theirs.body.id].sort());
    await expectOneWorkflowPerBrief();
  });

  test('a repeated action (a comment) is applied once', async () => {
    const agency = await d.party('Commented');
    const created = await manager.client.post('/v1/briefs', briefBody(agency, 'Commented'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const headers = { 'idempotency-key': 'comment-1' };
    const first = await manager.client.post(`/v1/briefs/${id}/comments`, { body: 'Looks great' }, headers);
    expect(first.status).toBe(200);
    const second = await manager.client.post(`/v1/briefs/${id}/comments`, { body: 'Looks great' }, headers);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);

    const read = await manager.client.get(`/v1/briefs/${id}`);
    const comments = read.body.timeline.filter((e: { type: string }) => e.type === 'comment_added');
    expect(comments).toHaveLength(1);
    expect(comments[0].data).toMatchObject({ body: 'Looks great' });

    // Without a key, a second identical comment is a second comment.
    expect((await manager.client.post(`/v1/briefs/${id}/comments`, { body: 'Looks great' })).status).toBe(200);
    const after = await manager.client.get(`/v1/briefs/${id}`);
    expect(after.body.timeline.filter((e: { type: string }) => e.type === 'comment_added')).toHaveLength(2);
  });
});
