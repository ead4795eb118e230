// The worker is down (SIGKILL) while a participant comments and a manager acknowledges an
// escalation: nothing can run the briefs' workflows, so the API answers 503 once its deadline
// passes. The clients retry with the same Idempotency-Key; once the worker is back each action is
// applied exactly once, in the workflow, the read model, the escalation row and its feed.
import { randomBytes } from 'node:crypto';
import { readModelDifferences, report, workflowTimeline } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { eventually, type ApiClient } from '../support/http';
import { inFlight, untilAnswered } from '../support/retrying-client';

let stack: FaultStack;

beforeAll(async () => {
  // P1 briefs breach their acknowledge target after two seconds and escalate.
  stack = await startFaultStack({ env: { HANDOFF_SLA_TARGETS: JSON.stringify({ acknowledge: { P1: 'PT2S' } }) } });
}, 240_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('a comment and an escalation acknowledgement sent while the worker is down: 503, then the retries under the same keys apply each once', async () => {
  const { manager, agent, agencyId } = stack.people;
  const created = await manager.client.post('/v1/briefs', { title: 'Checkout down', description: 'Payment page answers 500', partyId: agencyId, priority: 'P1' });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;
  const escalation = await eventually(async () => (await manager.client.get(`/v1/escalations?briefId=${briefId}&state=open`)).body.items?.[0] as { id: string } | undefined, 30_000, 200);

  const run = randomBytes(4).toString('hex');
  const commentBody = { body: `Looking into it (${run})` };
  const comment = () => agent.client.post(`/v1/briefs/${briefId}/comments`, commentBody, { 'idempotency-key': `comment-${run}` });
  const acknowledge = () => manager.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {}, { 'idempotency-key': `ack-${run}` });

  await stack.worker.kill('SIGKILL');
  const killedAt = Date.now();
  const first = await Promise.all([inFlight(comment()).outcome, inFlight(acknowledge()).outcome]);
  for (const outcome of first) expect(outcome).toMatchObject({ status: 503 });
  await stack.worker.start();
  const restartedAt = Date.now();

  const [commentRetry, ackRetry] = await Promise.all([untilAnswered(comment), untilAnswered(acknowledge)]);
  expect(commentRetry.answer.status).toBe(200);
  expect(ackRetry.answer.status).toBe(200);
  expect(ackRetry.answer.body).toMatchObject({ id: escalation.id, state: 'acknowledged', acknowledgedBy: manager.id });

  // Once each: in the workflow, the read model, the escalation row and the feed.
  const timeline = await workflowTimeline(stack, briefId);
  expect(timeline.filter((e) => e.type === 'comment_added' && e.data.body === commentBody.body)).toHaveLength(1);
  expect(timeline.filter((e) => e.type === 'escalation_acknowledged' && e.data.escalationId === escalation.id)).toHaveLength(1);
  const { prisma } = stack.db;
  expect(await prisma.briefEvent.count({ where: { briefId, type: 'comment_added' } })).toBe(1);
  expect(await prisma.briefEvent.count({ where: { briefId, type: 'escalation_acknowledged' } })).toBe(1);
  expect(await prisma.escalationFeedEntry.count({ where: { escalationId: escalation.id, kind: 'acknowledged' } })).toBe(1);
  expect(await prisma.escalation.findUniqueOrThrow({ where: { id: escalation.id } })).toMatchObject({ state: 'acknowledged', acknowledgedBy: manager.id });
  expect(await readModelDifferences(stack, manager.client as ApiClient, briefId)).toEqual([]);

  report('worker down during actions', {
    downMs: restartedAt - killedAt,
    attempts: { comment: commentRetry.attempts, acknowledge: ackRetry.attempts },
  });
}, 300_000);
