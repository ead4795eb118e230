// The policy application workflow on the time-skipping server, with stub activities over an
// in-memory list of briefs: it goes through them a page at a time in order, applies each once,
// writes progress after each page, continues as new with its cursor, and records why it failed.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { PolicyApplicationActivities, PolicyApplicationBrief, PolicyApplicationCounts, PolicyApplicationOutcome } from '../../activities/types';
import { policyApplicationWorkflowId } from '../../workflows/domain/ids';
import type { PolicyApplicationInput } from '../../workflows/policy-application/definitions';
import type { policyApplicationWorkflow } from '../../workflows/policy-application/workflow';
import { withTimeSkippingServer, workflowBundle } from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

/** Briefs in the application's order: created a second apart, the first ones in the same instant to test the id tie-break. */
const briefsOf = (count: number): PolicyApplicationBrief[] =>
  Array.from({ length: count }, (_, i) => ({
    briefId: `brief-${String(i).padStart(3, '0')}`,
    workflowId: `brief-brief-${String(i).padStart(3, '0')}`,
    createdAt: new Date(Date.UTC(2026, 10, 27, 9, 0, Math.max(0, i - 2))).toISOString(),
  }));

interface Calls {
  pages: { after: string | null; limit: number }[];
  applied: string[];
  progress: PolicyApplicationCounts[];
  finished: { error?: string }[];
}

function stubActivities(briefs: PolicyApplicationBrief[], outcomeOf: (briefId: string) => PolicyApplicationOutcome, failPageAfter?: string): { activities: PolicyApplicationActivities; calls: Calls } {
  const calls: Calls = { pages: [], applied: [], progress: [], finished: [] };
  const outcomes = new Map<string, PolicyApplicationOutcome>();
  const counts = (): PolicyApplicationCounts => {
    const all = [...outcomes.values()];
    return { done: all.length, applied: all.filter((o) => o === 'applied').length, skipped: all.filter((o) => o === 'skipped').length, failed: all.filter((o) => o === 'failed').length };
  };
  const activities: PolicyApplicationActivities = {
    async readPolicyApplicationPage({ after, limit }) {
      calls.pages.push({ after: after?.id ?? null, limit });
      if (failPageAfter !== undefined && after?.id === failPageAfter) throw ApplicationFailure.create({ type: 'UnknownPolicyApplication', message: 'the application is gone', nonRetryable: true });
      const start = after ? briefs.findIndex((b) => b.createdAt > after.createdAt || (b.createdAt === after.createdAt && b.briefId > after.id)) : 0;
      return start < 0 ? [] : briefs.slice(start, start + limit);
    },
    async applyPolicyToBrief({ briefId }) {
      calls.applied.push(briefId);
      const outcome = outcomeOf(briefId);
      outcomes.set(briefId, outcome);
      return outcome;
    },
    async recordPolicyApplicationProgress() {
      calls.progress.push(counts());
      return counts();
    },
    async finishPolicyApplication({ error }) {
      calls.finished.push(error === undefined ? {} : { error });
      return counts();
    },
  };
  return { activities, calls };
}

async function run(activities: PolicyApplicationActivities, input: Omit<PolicyApplicationInput, 'applicationId'>) {
  const taskQueue = `policy-applications-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(async () => {
    const applicationId = randomUUID();
    const handle = await env.client.workflow.start<typeof policyApplicationWorkflow>('policyApplicationWorkflow', {
      taskQueue,
      workflowId: policyApplicationWorkflowId(applicationId),
      args: [{ applicationId, ...input }],
    });
    const result: { counts?: PolicyApplicationCounts; error?: unknown } = await handle.result().then(
      (counts) => ({ counts }),
      (error: unknown) => ({ error }),
    );
    const runs = (await handle.describe()).runId === handle.firstExecutionRunId ? 1 : await runCount(handle.workflowId, handle.firstExecutionRunId);
    return { ...result, runs, workflowId: handle.workflowId };
  });
}

async function runCount(workflowId: string, firstRunId: string): Promise<number> {
  let count = 0;
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    count++;
    const history: History = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return count;
}

test('goes through every brief once, in order, a page at a time, writing progress after each page', async () => {
  const briefs = briefsOf(23);
  const { activities, calls } = stubActivities(briefs, (id) => (id === 'brief-004' ? 'failed' : id === 'brief-010' ? 'skipped' : 'applied'));
  const { counts, runs } = await run(activities, { pageSize: 5 });
  expect([...calls.applied].sort()).toEqual(briefs.map((b) => b.briefId));
  expect(calls.pages).toEqual([null, 'brief-004', 'brief-009', 'brief-014', 'brief-019'].map((after) => ({ after, limit: 5 })));
  expect(calls.progress.map((p) => p.done)).toEqual([5, 10, 15, 20, 23]);
  expect(calls.finished).toEqual([{}]);
  expect(counts).toEqual({ done: 23, applied: 21, skipped: 1, failed: 1 });
  expect(runs).toBe(1);
});

test('a page that comes out full is followed by an empty one, which finishes the application', async () => {
  const { activities, calls } = stubActivities(briefsOf(10), () => 'applied');
  const { counts } = await run(activities, { pageSize: 5 });
  expect(calls.pages.map((p) => p.after)).toEqual([null, 'brief-004', 'brief-009']);
  expect(calls.progress.map((p) => p.done)).toEqual([5, 10]);
  expect(counts).toEqual({ done: 10, applied: 10, skipped: 0, failed: 0 });
});

test('continues as new with its cursor when its history grows, and still applies each brief once', async () => {
  const briefs = briefsOf(30);
  const { activities, calls } = stubActivities(briefs, () => 'applied');
  const { counts, runs } = await run(activities, { pageSize: 4, continueAsNewAfterEvents: 40 });
  expect(runs).toBeGreaterThan(2);
  expect(calls.applied).toHaveLength(30);
  expect(new Set(calls.applied).size).toBe(30);
  expect(calls.pages.map((p) => p.after)).toEqual([null, ...briefs.filter((_, i) => i % 4 === 3).map((b) => b.briefId)]);
  expect(calls.finished).toEqual([{}]);
  expect(counts).toEqual({ done: 30, applied: 30, skipped: 0, failed: 0 });
});

test('an application that cannot go on is recorded as failed, with the reason, and the workflow fails', async () => {
  const { activities, calls } = stubActivities(briefsOf(12), () => 'applied', 'brief-004');
  const { error } = await run(activities, { pageSize: 5 });
  expect(error).toBeDefined();
  expect(calls.applied).toHaveLength(5);
  expect(calls.finished).toEqual([{ error: 'the application is gone' }]);
});
