// baseline: the raw limit of the same Temporal server with the same worker settings. A minimal
// workflow (bench/workflows: one update handler, no activities) is started and updated three
// times per workflow, as many workflows as lifecycle briefs, C in flight, straight through the
// Temporal client. Its actions are counted from its histories as the briefs' are.
import { randomBytes } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import type { BriefActivities } from '../../activities/types';
import { loadConfig } from '../../lib/config';
import { createWorker, workerTuning } from '../../worker/worker';
import { FailureLog } from '../api-client';
import { awaitClosed, readHistories } from '../completion';
import type { BenchContext, ScenarioResult } from '../context';
import { inPool } from '../pool';
import { note, Progress } from '../progress';
import { latencySummary, percentile, perSecond, round } from '../stats';
import { baselineWorkflow, stepUpdate } from '../workflows';

export interface BaselineFigures {
  actionsPerSec: number;
  updateP50Ms: number;
  updateP99Ms: number;
}

const STEPS = ['acknowledge', 'deliver', 'approve'];

export interface BaselineWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A worker for the baseline, built by the product's createWorker (so its settings follow the
 * brief worker's) with the baseline's workflows in place of the briefs'. It runs in the bench's
 * process, on a task queue of its own.
 */
export async function startBaselineWorker(ctx: BenchContext): Promise<BaselineWorker> {
  const connection = await NativeConnection.connect({ address: ctx.stack.temporalAddress });
  const taskQueue = `handoff-bench-baseline-${randomBytes(4).toString('hex')}`;
  const worker = await createWorker({
    connection,
    namespace: ctx.stack.namespace,
    taskQueue,
    // The baseline workflow calls no activity: none is registered.
    activities: {} as BriefActivities,
    // The same tuning as the stack's worker (its environment's HANDOFF_WORKER_* settings).
    options: { ...workerTuning(loadConfig()), workflowsPath: require.resolve('../workflows') },
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

interface Driven {
  workflowId: string;
  startMs: number;
  updateMs: number[];
}

async function drive(ctx: BenchContext, worker: BaselineWorker, count: number, phase: string, failures: FailureLog): Promise<Driven[]> {
  const run = randomBytes(3).toString('hex');
  const progress = new Progress(phase, count, 'workflows');
  const driven = await inPool(count, ctx.options.concurrency, async (index): Promise<Driven | undefined> => {
    try {
      const workflowId = `bench-baseline-${run}-${index}`;
      const startedAt = performance.now();
      const handle = await ctx.temporal.workflow.start(baselineWorkflow, { workflowId, taskQueue: worker.taskQueue, args: [STEPS.length] });
      const startMs = performance.now() - startedAt;
      const updateMs: number[] = [];
      for (const step of STEPS) {
        const before = performance.now();
        await handle.executeUpdate(stepUpdate, { args: [step] });
        updateMs.push(performance.now() - before);
      }
      return { workflowId, startMs, updateMs };
    } catch (err) {
      failures.record(err);
      return undefined;
    } finally {
      progress.tick();
    }
  });
  return driven.filter((d): d is Driven => d !== undefined);
}

export async function warmUpBaseline(ctx: BenchContext, worker: BaselineWorker): Promise<void> {
  const failures = new FailureLog();
  await drive(ctx, worker, Math.min(10, ctx.options.concurrency), 'warm-up (baseline)', failures);
  if (failures.total) note(`baseline warm-up: ${failures.total} failures: ${failures.summary()?.examples.join('; ')}`);
}

export async function baseline(ctx: BenchContext, worker: BaselineWorker): Promise<ScenarioResult<BaselineFigures>> {
  const failures = new FailureLog();
  const began = Date.now();
  const driven = await drive(ctx, worker, ctx.options.briefs, 'baseline', failures);
  const drivenMs = Date.now() - began;
  const { closed, failed, open } = await awaitClosed(
    ctx.temporal,
    driven.map((d) => d.workflowId),
    60_000,
    'baseline: closing',
  );
  const totals = await readHistories(ctx.temporal, closed, 'baseline');
  const updates = driven.flatMap((d) => d.updateMs);
  const n = Math.max(1, closed.length);
  return {
    figures: {
      actionsPerSec: round(perSecond(totals.actions.total, totals.lastClosedAt - began)),
      updateP50Ms: round(percentile(updates, 50)),
      updateP99Ms: round(percentile(updates, 99)),
    },
    detail: {
      workflows: driven.length,
      failures: failures.summary(),
      workflowsFailed: failed.length,
      workflowsStillOpen: open.length,
      drivenSec: round(drivenMs / 1000),
      workflowsPerSec: round(perSecond(driven.length, drivenMs), 2),
      actionsPerWorkflow: Object.fromEntries(Object.entries(totals.actions).map(([k, v]) => [k, round(v / n, 2)])),
      historyEventsPerWorkflow: round(totals.events / n),
      historyBytesPerWorkflow: Math.round(totals.bytes / n),
      latencyMs: { start: latencySummary(driven.map((d) => d.startMs)), update: latencySummary(updates) },
    },
  };
}
