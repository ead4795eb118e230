// The API process is killed (SIGKILL) in the middle of a create and of two actions (a comment,
// and a decline that ends its brief): all have reached the briefs' workflows, none has answered.
// A client that retries with the same Idempotency-Key against the restarted API gets one brief and
// one effect each, with the answer it would have had.
//
// The requests are held in flight on a slow path: the worker's connection to the database is cut,
// so the workflow cannot record the events and the API waits for it (creates and actions answer
// once their events are recorded).
import { randomBytes } from 'node:crypto';
import { idempotentId } from '../../api/idempotency';
import { expectedOutboxRows, notificationProblems, readModelDifferences, report, settledRowCount, workflowTimeline, workflowTimelines } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { eventually, type ApiClient } from '../support/http';
import { inFlight, untilAnswered } from '../support/retrying-client';

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
}, 240_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('a create and two actions cut off by a killed API: the retries with the same Idempotency-Key get one brief and one effect each', async () => {
  const { manager, agent, agencyId } = stack.people;
  const target = await manager.client.post('/v1/briefs', { title: 'Feed fix', description: 'Umlauts break the feed', partyId: agencyId, priority: 'P2' });
  const ending = await manager.client.post('/v1/briefs', { title: 'Logo', description: 'A new logo', partyId: agencyId, priority: 'P2' });
  expect([target.status, ending.status]).toEqual([201, 201]);
  const targetId = target.body.id as string;
  const endingId = ending.body.id as string;

  const run = randomBytes(4).toString('hex');
  const createKey = `create-${run}`;
  const actionKey = `comment-${run}`;
  const createBody = { title: `Spring campaign ${run}`, description: 'Hero banner and three teasers', partyId: agencyId, priority: 'P1' };
  const commentBody = { body: `One comment, however often it is sent (${run})` };
  const create = () => manager.client.post('/v1/briefs', createBody, { 'idempotency-key': createKey });
  const comment = () => agent.client.post(`/v1/briefs/${targetId}/comments`, commentBody, { 'idempotency-key': actionKey });
  const decline = () => agent.client.post(`/v1/briefs/${endingId}/decline`, { reason: 'No capacity' }, { 'idempotency-key': `decline-${run}` });
  // The brief the create makes under this key (its id follows from the caller and the key).
  const createdId = idempotentId(manager.id, createKey);

  await stack.proxies.worker.cut();
  const createRequest = inFlight(create());
  const commentRequest = inFlight(comment());
  const declineRequest = inFlight(decline());
  // The effects have reached the workflows: the new brief runs, the comment and the decline are on their timelines.
  await eventually(async () => ((await stack.queryBrief(createdId).catch(() => undefined))?.status === 'awaiting_ack' ? true : undefined), 30_000, 200);
  await eventually(async () => ((await workflowTimeline(stack, targetId)).some((e) => e.type === 'comment_added') ? true : undefined), 30_000, 200);
  await eventually(async () => ((await workflowTimeline(stack, endingId)).some((e) => e.type === 'declined') ? true : undefined), 30_000, 200);
  expect([createRequest.settled, commentRequest.settled, declineRequest.settled]).toEqual([false, false, false]);

  const killedAt = Date.now();
  await stack.api.kill('SIGKILL');
  // The client sees its connections break, with no answer.
  for (const outcome of await Promise.all([createRequest.outcome, commentRequest.outcome, declineRequest.outcome])) {
    expect(outcome).toEqual({ lost: expect.stringMatching(/fetch failed/) });
  }
  await stack.proxies.worker.restore();
  // A send whose bookkeeping the cut database interrupted goes out again under its key: only those may repeat.
  const repeatWindow = { webhook: stack.webhooks.received.length, email: stack.smtp.messages.length };
  await stack.api.start();
  const restartedAt = Date.now();

  const [createRetry, commentRetry, declineRetry] = await Promise.all([untilAnswered(create), untilAnswered(comment), untilAnswered(decline)]);
  const answeredAt = Date.now();
  expect({ status: createRetry.answer.status, id: createRetry.answer.body?.id }).toEqual({ status: 201, id: createdId });
  expect(commentRetry.answer.status).toBe(200);
  const commentsIn = (timeline: { type: string; data: Record<string, unknown> }[]) => timeline.filter((e) => e.type === 'comment_added').map((e) => e.data.body);
  expect(commentsIn(commentRetry.answer.body.timeline)).toEqual([commentBody.body]);
  expect(createRetry.answer.body.timeline.map((e: { type: string }) => e.type)).toEqual(['brief_created']);
  // The decline ended its brief meanwhile: its retry still gets the decline's answer, not a 409.
  expect([declineRetry.answer.status, declineRetry.answer.body.status]).toEqual([200, 'declined']);

  // Asked once more, the API replays the answers it gave.
  const [createAgain, commentAgain] = await Promise.all([create(), comment()]);
  expect([createAgain.status, createAgain.headers.get('idempotent-replayed'), createAgain.body.id]).toEqual([201, 'true', createdId]);
  expect([commentAgain.status, commentAgain.headers.get('idempotent-replayed')]).toEqual([200, 'true']);

  // One brief, one workflow, one comment: in the workflows, the read model and the database.
  const { prisma } = stack.db;
  expect(await prisma.brief.count({ where: { title: createBody.title } })).toBe(1);
  const executions = await stack.temporalClient.workflow.count(`WorkflowId = 'brief-${createdId}'`);
  expect(executions.count).toBe(1);
  expect(commentsIn(await workflowTimeline(stack, targetId))).toEqual([commentBody.body]);
  expect(await prisma.briefEvent.count({ where: { briefId: targetId, type: 'comment_added' } })).toBe(1);
  expect(await prisma.briefEvent.count({ where: { briefId: createdId, type: 'brief_created' } })).toBe(1);
  expect(await prisma.briefEvent.count({ where: { briefId: endingId, type: 'declined' } })).toBe(1);

  const briefIds = [targetId, createdId, endingId];
  const differences: string[] = [];
  for (const id of briefIds) differences.push(...(await readModelDifferences(stack, manager.client as ApiClient, id)));
  expect(differences).toEqual([]);

  // Every notification of both briefs went out once: the new brief to the agency, the comment to the manager.
  const timelines = await workflowTimelines(stack, briefIds);
  const expectedRows = expectedOutboxRows(stack, timelines).size;
  // The two briefs to the agency, the comment and the decline to the manager: email and webhook each.
  expect(expectedRows).toBe(10);
  await eventually(async () => {
    const { rows, open } = await settledRowCount(stack, briefIds);
    return rows >= expectedRows && open === 0 ? true : undefined;
  }, 90_000, 250);
  const { problems, tally } = await notificationProblems(stack, timelines, repeatWindow);
  expect(problems).toEqual([]);
  report('api killed mid-request', {
    retryAnsweredAfterRestartMs: answeredAt - restartedAt,
    downMs: restartedAt - killedAt,
    endingWorkflow: (await stack.workflow(endingId).describe()).status.name,
    attempts: { create: createRetry.attempts, comment: commentRetry.attempts, decline: declineRetry.attempts },
    ...tally,
  });
}, 300_000);
