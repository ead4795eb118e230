// Goes through the briefs the read model shows open, a page at a time, and repairs those whose
// read model drifted from their workflow (see activities/reconcile.ts). Run by a Temporal Schedule
// (RECONCILER_SCHEDULE_ID) and on demand by admins (POST /v1/admin/reconcile). A long round
// continues as new with its cursor between pages; the answer lists the first repairs and counts all.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconcilerActivities } from '../../activities/types';
import { LISTED_REPAIRS, RECONCILER_PAGE_SIZE, type ReconcilerInput, type ReconcilerSummary, type ReconcilerTotals } from './definitions';

const { reconcilePage } = proxyActivities<ReconcilerActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function reconcilerWorkflow(input: ReconcilerInput = {}): Promise<ReconcilerSummary> {
  const info = workflowInfo();
  const startedAt = input.startedAt ?? info.startTime.toISOString();
  const totals: ReconcilerTotals = input.totals ?? { checked: 0, repaired: 0, byRepair: { resumed: 0, ended: 0, refreshed: 0 }, repairs: [] };
  let after = input.after ?? null;
  for (;;) {
    const page = await reconcilePage({ after, limit: input.pageSize ?? RECONCILER_PAGE_SIZE, round: info.firstExecutionRunId });
    totals.checked += page.checked;
    totals.repaired += page.repairs.length;
    for (const repair of page.repairs) totals.byRepair[repair.repair] += 1;
    totals.repairs.push(...page.repairs.slice(0, Math.max(0, LISTED_REPAIRS - totals.repairs.length)));
    after = page.next;
    if (!after) break;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof reconcilerWorkflow>({ ...input, after, totals, startedAt });
  }
  return { ...totals, startedAt, finishedAt: new Date().toISOString() };
}
