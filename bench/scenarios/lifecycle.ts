// lifecycle: N briefs through create, acknowledge, deliver and approve over HTTP, C in flight,
// with notifications on (emails to files, a webhook to the bench's receiver). Actions, events
// and bytes are read from the finished briefs' histories.
import { briefWorkflowId } from '../../workflows/domain/ids';
import { apiClient, FailureLog } from '../api-client';
import { awaitClosed, readHistories } from '../completion';
import type { BenchContext, ScenarioResult } from '../context';
import { startedAt, updateSpans } from '../histories';
import { inPool } from '../pool';
import { Progress } from '../progress';
import { latencySummary, median, percentile, perSecond, round, sum } from '../stats';

export interface LifecycleFigures {
  briefsPerSec: number;
  apiP50Ms: number;
  apiP99Ms: number;
  temporalActionsPerBrief: number;
  historyEventsPerBrief: number;
  historyBytesPerBrief: number;
  actionsPerSec: number;
}

const CALLS = ['create', 'acknowledge', 'deliver', 'approve'] as const;
type Call = (typeof CALLS)[number];
/** The update each HTTP call becomes (create starts the workflow, then waits with `sync`). */
const UPDATE_OF: Record<Call, string> = { create: 'sync', acknowledge: 'acknowledge', deliver: 'deliver', approve: 'approve' };

interface DrivenBrief {
  id: string;
  ms: Record<Call, number>;
}

/** Drives `count` briefs through their lifecycle, `concurrency` at a time. */
async function driveBriefs(ctx: BenchContext, count: number, phase: string, failures: FailureLog): Promise<DrivenBrief[]> {
  const { url, directory } = ctx.stack;
  const manager = apiClient(url, directory.keys.manager);
  const member = apiClient(url, directory.keys.member);
  const progress = new Progress(phase, count, 'briefs');
  const driven = await inPool(count, ctx.options.concurrency, async (index): Promise<DrivenBrief | undefined> => {
    try {
      const created = await manager.call<{ id: string }>('POST', '/v1/briefs', {
        title: `Landing page ${index + 1}`,
        description: 'Hero banner and three teasers for the winter campaign.',
        partyId: directory.agencyPartyId,
        priority: 'P2',
        deliverables: ['hero banner', 'three teasers'],
      });
      const { id } = created.body;
      const acknowledged = await member.call('POST', `/v1/briefs/${id}/acknowledge`, { note: 'On it' });
      const delivered = await member.call('POST', `/v1/briefs/${id}/deliveries`, { summary: 'First draft', links: ['https://files.example/draft-1.zip'] });
      const approved = await manager.call('POST', `/v1/briefs/${id}/approve`, { note: 'Ship it' });
      return { id, ms: { create: created.ms, acknowledge: acknowledged.ms, deliver: delivered.ms, approve: approved.ms } };
    } catch (err) {
      failures.record(err);
      return undefined;
    } finally {
      progress.tick();
    }
  });
  return driven.filter((brief): brief is DrivenBrief => brief !== undefined);
}

/** A few briefs first, not measured: the stack's code paths warm up (JIT, connections, caches). */
export async function warmUpLifecycle(ctx: BenchContext): Promise<void> {
  const failures = new FailureLog();
  await driveBriefs(ctx, Math.min(10, ctx.options.concurrency), 'warm-up (lifecycle)', failures);
  if (failures.total) throw new Error(`the warm-up failed: ${failures.summary()?.examples.join('; ')}`);
}

export async function lifecycle(ctx: BenchContext): Promise<ScenarioResult<LifecycleFigures> & { actionP50Ms: number }> {
  const failures = new FailureLog();
  const began = Date.now();
  const briefs = await driveBriefs(ctx, ctx.options.briefs, 'lifecycle', failures);
  const drivenMs = Date.now() - began;
  const ids = briefs.map((b) => briefWorkflowId(b.id));
  const { closed, failed, open } = await awaitClosed(ctx.temporal, ids, 180_000, 'lifecycle: briefs finishing their notifications');
  const totals = await readHistories(ctx.temporal, closed, 'lifecycle');

  const all = briefs.flatMap((b) => CALLS.map((c) => b.ms[c]));
  const actions = briefs.flatMap((b) => [b.ms.acknowledge, b.ms.deliver, b.ms.approve]);
  const n = Math.max(1, closed.length);

  // Where an HTTP call's time goes: inside Temporal (from the workflow task that took the update
  // in to the update's completion; the read-model write is the recordEvents activity within),
  // and the rest: the API's own work (key lookup, brief lookup, idempotency record) and HTTP.
  const split: Record<
    string,
    { httpMs: number[]; temporalMs: number[]; taskQueuedMs: number[]; taskRunMs: number[]; recordQueuedMs: number[]; recordRunMs: number[]; outsideTemporalMs: number[] }
  > = {};
  for (const brief of briefs) {
    const runs = totals.histories.get(briefWorkflowId(brief.id));
    if (!runs) continue;
    const spans = runs.flatMap((h) => updateSpans(h));
    for (const call of CALLS) {
      const span = spans.find((s) => s.name === UPDATE_OF[call]);
      if (!span) continue;
      const from = call === 'create' ? startedAt(runs[0]) : span.arrivedAt;
      const temporalMs = span.completedAt - from;
      const record = span.activities.find((a) => a.name === 'recordEvents');
      const entry = (split[call] ??= { httpMs: [], temporalMs: [], taskQueuedMs: [], taskRunMs: [], recordQueuedMs: [], recordRunMs: [], outsideTemporalMs: [] });
      entry.httpMs.push(brief.ms[call]);
      entry.temporalMs.push(temporalMs);
      entry.taskQueuedMs.push(sum(span.workflowTasks.map((t) => t.queuedMs)));
      entry.taskRunMs.push(sum(span.workflowTasks.map((t) => t.runMs)));
      if (record) {
        entry.recordQueuedMs.push(record.queuedMs);
        entry.recordRunMs.push(record.runMs);
      }
      entry.outsideTemporalMs.push(brief.ms[call] - temporalMs);
    }
  }
  const latencySplitP50Ms = Object.fromEntries(
    Object.entries(split).map(([call, e]) => [
      call,
      {
        http: round(median(e.httpMs)),
        temporal: round(median(e.temporalMs)),
        workflowTasksQueued: round(median(e.taskQueuedMs)),
        workflowTasksRun: round(median(e.taskRunMs)),
        recordEventsQueued: round(median(e.recordQueuedMs)),
        recordEventsRun: round(median(e.recordRunMs)),
        outsideTemporal: round(median(e.outsideTemporalMs)),
      },
    ]),
  );

  return {
    figures: {
      briefsPerSec: round(perSecond(briefs.length, drivenMs), 2),
      apiP50Ms: round(percentile(all, 50)),
      apiP99Ms: round(percentile(all, 99)),
      temporalActionsPerBrief: round(totals.actions.total / n),
      historyEventsPerBrief: round(totals.events / n),
      historyBytesPerBrief: Math.round(totals.bytes / n),
      actionsPerSec: round(perSecond(totals.actions.total, totals.lastClosedAt - began)),
    },
    actionP50Ms: percentile(actions, 50),
    detail: {
      briefs: briefs.length,
      failures: failures.summary(),
      workflowsFailed: failed.length,
      workflowsStillOpen: open.length,
      drivenSec: round(drivenMs / 1000),
      untilLastClosedSec: round((totals.lastClosedAt - began) / 1000),
      actionsPerBrief: Object.fromEntries(Object.entries(totals.actions).map(([k, v]) => [k, round(v / n, 2)])),
      largestPayload: totals.largestPayload,
      latencyMs: { ...Object.fromEntries(CALLS.map((c) => [c, latencySummary(briefs.map((b) => b.ms[c]))])), actions: latencySummary(actions) },
      latencySplitP50Ms,
    },
  };
}
