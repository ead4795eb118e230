// The reconciler's page: compares briefs the read model shows open with their workflows and
// repairs what differs, each repair in the audit log (action `brief.reconciled`, counted in
// /metrics as handoff_reconciler_repairs_total):
// - a workflow terminated, failed or timed out (an operator's `temporal workflow terminate`), or
//   gone: a new run of the brief's workflow carries on from the last recorded state, with the
//   notifications still to send; the brief keeps its id. (A brief is ended on purpose by
//   cancelling it through the API, never by terminating its workflow.)
// - a workflow that completed while the read model still shows the brief open (its last write
//   was refused): the read model takes the status the workflow ended with;
// - a running workflow whose recorded state the read model does not match (a write refused for
//   good, a reset that undid events): the workflow records its state again (refreshReadModel),
//   the one writer of the read model staying the workflow. A brief with a write in flight is not
//   drift and is left alone.
// Briefs whose search attributes already match the read model are not asked anything more.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { audit, SYSTEM_ACTOR } from '../services/audit';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import { decodeSnapshot, SnapshotDecodeError } from '../services/snapshot';
import { recordedQuery, refreshReadModelUpdate, type BriefWorkflowInput, type DeliveryRetry } from '../workflows/brief/definitions';
import { BRIEF_RECORDED_SEQ, BRIEF_STATUS } from '../workflows/brief/search-attributes';
import type { BriefView } from '../workflows/domain/brief';
import { TERMINAL_STATUSES } from '../workflows/domain/vocabulary';
import type { ReconcilePage, ReconcilePageInput, ReconcilerRepair } from './types';

export interface ReconcilerDeps {
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  /** How a resumed brief's workflow is started: as the API starts briefs. */
  briefRuns: {
    taskQueue: string;
    deliveryTaskQueue: string;
    deliveryRetry?: DeliveryRetry;
    /** Whether the namespace has the brief search attributes. */
    searchAttributes: () => boolean;
  };
}

/** How long a workflow may take to answer the reconciler's query or refresh. */
const ASK_DEADLINE_MS = 15_000;
const ENDED = new Set(['COMPLETED', 'TERMINATED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'CANCELED']);

type OpenBrief = { id: string; workflowId: string; status: string; lastSeq: number; branch: string | null; snapshot: unknown };

export const createReconcilePage =
  (deps: ReconcilerDeps) =>
  async ({ after, limit, round }: ReconcilePageInput): Promise<ReconcilePage> => {
    const { prisma } = deps;
    const briefs: OpenBrief[] = await prisma.brief.findMany({
      where: { status: { notIn: [...TERMINAL_STATUSES] }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, workflowId: true, status: true, lastSeq: true, branch: true, snapshot: true },
    });
    const repairs: ReconcilerRepair[] = [];
    const inStep = await inStepByVisibility(deps, briefs);
    for (const brief of briefs) {
      if (inStep.has(brief.id)) continue;
      Context.current().heartbeat(brief.id);
      let repair: ReconcilerRepair | undefined;
      try {
        repair = await reconcileBrief(deps, brief, round);
      } catch (err) {
        // A recorded state that cannot be read is for a person to look at; the rest of the page goes on.
        if (!(err instanceof SnapshotDecodeError)) throw err;
        deps.logger.error({ briefId: brief.id, err: err.message }, 'the reconciler cannot resume a brief whose recorded state cannot be read');
        continue;
      }
      if (!repair) continue;
      repairs.push(repair);
      await audit(prisma, {
        actorId: SYSTEM_ACTOR,
        action: 'brief.reconciled',
        targetType: 'brief',
        targetId: brief.id,
        before: { status: brief.status, lastSeq: brief.lastSeq },
        after: { repair: repair.repair, found: repair.found },
      });
      deps.logger.warn({ briefId: brief.id, repair: repair.repair, found: repair.found }, 'brief reconciled');
    }
    return { checked: briefs.length, repairs, next: briefs.length === limit ? briefs[briefs.length - 1].id : null };
  };

/**
 * The briefs of the page whose running workflow's search attributes match the read model, from
 * one visibility query for the whole page; the others are looked at one by one. (Visibility lags
 * a little behind the workflows: a brief it shows out of step is only looked at more closely.)
 */
async function inStepByVisibility(deps: ReconcilerDeps, briefs: OpenBrief[]): Promise<Set<string>> {
  const inStep = new Set<string>();
  if (briefs.length === 0 || !deps.briefRuns.searchAttributes()) return inStep;
  const byWorkflow = new Map(briefs.map((brief) => [brief.workflowId, brief]));
  const quoted = [...byWorkflow.keys()].map((id) => `'${id.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  try {
    for await (const execution of deps.temporal.workflow.list({ query: `WorkflowId IN (${quoted.join(', ')}) AND ExecutionStatus = 'Running'` })) {
      const brief = byWorkflow.get(execution.workflowId);
      const attributes = execution.typedSearchAttributes;
      if (brief && !brief.branch && attributes.get(BRIEF_RECORDED_SEQ) === brief.lastSeq && attributes.get(BRIEF_STATUS) === brief.status) inStep.add(brief.id);
    }
  } catch (err) {
    // A visibility store that cannot answer the query: every brief is looked at one by one.
    deps.logger.warn({ err: (err as Error).message }, 'the reconciler could not list the page from visibility');
  }
  return inStep;
}

async function reconcileBrief(deps: ReconcilerDeps, brief: OpenBrief, round: string): Promise<ReconcilerRepair | undefined> {
  const handle = deps.temporal.workflow.getHandle(brief.workflowId);
  let description: WorkflowExecutionDescription | undefined;
  try {
    description = await handle.describe();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const status = description?.status.name ?? 'NOT_FOUND';
  if (status === 'RUNNING' && description) return refreshIfDrifted(deps, brief, description, round);
  if (status === 'COMPLETED') {
    const ended = (await handle.result()) as BriefView;
    if (ended.status === brief.status) return undefined;
    await deps.prisma.brief.update({ where: { id: brief.id }, data: { status: ended.status, nextDueAt: null } });
    return { briefId: brief.id, repair: 'ended', found: `the workflow completed as ${ended.status} while the read model showed ${brief.status}` };
  }
  if (ENDED.has(status) || status === 'NOT_FOUND') return resume(deps, brief, status);
  return undefined;
}

async function refreshIfDrifted(deps: ReconcilerDeps, brief: OpenBrief, description: WorkflowExecutionDescription, round: string): Promise<ReconcilerRepair | undefined> {
  const attributes = description.typedSearchAttributes;
  if (attributes.get(BRIEF_RECORDED_SEQ) === brief.lastSeq && attributes.get(BRIEF_STATUS) === brief.status && !brief.branch) return undefined;
  const handle = deps.temporal.workflow.getHandle(brief.workflowId);
  const asked = await deps.temporal.connection.withDeadline(Date.now() + ASK_DEADLINE_MS, () => handle.query(recordedQuery));
  // Something still to be recorded: the workflow's next write brings the read model along.
  if (asked.seq !== asked.recordedSeq) return undefined;
  const drift: string[] = [];
  if (asked.recordedSeq !== brief.lastSeq) drift.push(`the read model is at event ${brief.lastSeq}, the workflow recorded up to ${asked.recordedSeq}`);
  if (asked.status !== brief.status) drift.push(`the read model shows ${brief.status}, the workflow ${asked.status}`);
  if ((asked.branch ?? null) !== (brief.branch ?? null)) drift.push(`the workflow was reset (branch ${asked.branch ?? 'original'}, the read model follows ${brief.branch ?? 'the original'})`);
  if (drift.length === 0) return undefined;
  await deps.temporal.connection.withDeadline(Date.now() + ASK_DEADLINE_MS, () =>
    handle.executeUpdate(refreshReadModelUpdate, { updateId: `reconcile-${round}-${brief.id}` }),
  );
  return { briefId: brief.id, repair: 'refreshed', found: drift.join('; ') };
}

/** A new run of the brief's workflow from its last recorded state, with the outbox rows still to send. */
async function resume(deps: ReconcilerDeps, brief: OpenBrief, status: string): Promise<ReconcilerRepair | undefined> {
  const { prisma, temporal, briefRuns } = deps;
  const state = { ...decodeSnapshot(brief.id, brief.snapshot), timeline: [] };
  const unsent = await prisma.notification.findMany({
    where: { briefId: brief.id, status: { in: ['pending', 'held', 'sending'] } },
    select: { id: true, holdUntil: true },
    orderBy: { id: 'asc' },
  });
  const input: BriefWorkflowInput = {
    brief: state.brief,
    state,
    pendingNotifications: [],
    pendingDeliveries: unsent.map((row) => ({ id: row.id, notBefore: row.holdUntil ? row.holdUntil.toISOString() : null })),
    deliveryTaskQueue: briefRuns.deliveryTaskQueue,
    ...(briefRuns.deliveryRetry ? { deliveryRetry: briefRuns.deliveryRetry } : {}),
    ...(briefRuns.searchAttributes() ? { searchAttributes: true } : {}),
    ...(brief.branch ? { branch: brief.branch } : {}),
  };
  try {
    await temporal.workflow.start('briefWorkflow', {
      workflowId: brief.workflowId,
      taskQueue: briefRuns.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    // Resumed meanwhile (a reconciler round beside this one): nothing more to do.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw err;
  }
  const found = status === 'NOT_FOUND' ? 'the workflow is gone' : `the workflow was ${status.toLowerCase().replace('_', ' ')}`;
  return { briefId: brief.id, repair: 'resumed', found: `${found} while the brief was ${brief.status} at event ${brief.lastSeq}` };
}
