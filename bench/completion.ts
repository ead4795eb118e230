// Waits for workflows to close and reads what they cost.
import type { Client } from '@temporalio/client';
import { addCounts, closedAt, countActions, emptyCounts, fetchRunChain, historyBytes, largestPayload, type ActionCounts, type LargestPayload } from './histories';
import { inPool } from './pool';
import { Progress } from './progress';

/** Waits until each workflow has closed (completed or failed), for at most `timeoutMs`; returns those that closed. */
export async function awaitClosed(client: Client, workflowIds: string[], timeoutMs: number, phase: string): Promise<{ closed: string[]; failed: string[]; open: string[] }> {
  const progress = new Progress(phase, workflowIds.length, 'workflows closed');
  const state = new Map<string, 'closed' | 'failed'>();
  const all = Promise.all(
    workflowIds.map((id) =>
      client.workflow
        .getHandle(id)
        .result()
        .then(
          () => state.set(id, 'closed'),
          () => state.set(id, 'failed'),
        )
        .finally(() => progress.tick()),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  return {
    closed: workflowIds.filter((id) => state.get(id) === 'closed'),
    failed: workflowIds.filter((id) => state.get(id) === 'failed'),
    open: workflowIds.filter((id) => !state.has(id)),
  };
}

export interface HistoryTotals {
  workflows: number;
  actions: ActionCounts;
  events: number;
  bytes: number;
  largestPayload: LargestPayload;
  /** The last close among them (epoch ms, server time). */
  lastClosedAt: number;
  /** Every run's history, by workflow id (for the latency split). */
  histories: Map<string, Awaited<ReturnType<typeof fetchRunChain>>>;
}

/** Sums the histories (all runs) of the given workflows. */
export async function readHistories(client: Client, workflowIds: string[], phase: string): Promise<HistoryTotals> {
  const progress = new Progress(phase, workflowIds.length, 'histories read');
  const totals: HistoryTotals = { workflows: workflowIds.length, actions: emptyCounts(), events: 0, bytes: 0, largestPayload: { bytes: 0, where: 'none' }, lastClosedAt: 0, histories: new Map() };
  await inPool(workflowIds.length, 10, async (index) => {
    const id = workflowIds[index];
    const runs = await fetchRunChain(client, id);
    totals.histories.set(id, runs);
    for (const history of runs) {
      addCounts(totals.actions, countActions(history));
      totals.events += history.events?.length ?? 0;
      totals.bytes += historyBytes(history);
      const largest = largestPayload(history);
      if (largest.bytes > totals.largestPayload.bytes) totals.largestPayload = largest;
    }
    totals.lastClosedAt = Math.max(totals.lastClosedAt, closedAt(runs[runs.length - 1]));
    progress.tick();
  });
  return totals;
}
