// Operations for admins: what the system could not do on its own and left for a person, and
// a reconciler round on demand.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { audit } from '../../services/audit';
import { RECONCILER_SCHEDULE_ID, type ReconcilerSummary } from '../../workflows/reconciler/definitions';
import type { reconcilerWorkflow } from '../../workflows/reconciler/workflow';
import type { ApiDeps } from '../context';
import type { RouteCatalog } from '../openapi/route';
import { listPage, PageQuery, pageSchema } from '../pagination';
import { idString } from '../validate';
import { translateWorkflowError } from '../workflow-errors';

/** How long POST /v1/admin/reconcile waits for its round before answering 202 with the round's id. */
const RECONCILE_WAIT_MS = 50_000;

/** The gRPC status DEADLINE_EXCEEDED (4), as the client reports it. */
const deadlineExceeded = (err: unknown): boolean => {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  return e.code === 4 || e.cause?.code === 4 || /deadline/i.test(String(e.message));
};

const RepairSchema = z
  .object({
    briefId: idString(),
    repair: z.enum(['resumed', 'ended', 'refreshed']).meta({
      description:
        '`resumed`: the workflow was terminated, failed, timed out or gone, and a new run carries on from the last recorded state; ' +
        '`ended`: the workflow had completed while the read model showed the brief open; `refreshed`: the read model had drifted from the running workflow, which recorded its state again.',
    }),
    found: z.string().meta({ description: 'What differed.', example: 'the workflow was terminated while the brief was in_progress at event 4' }),
  })
  .meta({ id: 'ReconcilerRepair' });

const ReconcileResultSchema = z
  .object({
    workflowId: z.string().meta({ description: "The round's workflow (visible in the Temporal UI)." }),
    status: z.enum(['completed', 'running']).meta({ description: '`running`: the round took longer than the request may wait; its repairs show in the audit log.' }),
    checked: z.number().int().optional().meta({ description: 'Open briefs compared with their workflows.' }),
    repaired: z.number().int().optional(),
    byRepair: z.object({ resumed: z.number().int(), ended: z.number().int(), refreshed: z.number().int() }).optional(),
    repairs: z.array(RepairSchema).optional().meta({ description: 'The first 100 repairs (all are in the audit log as `brief.reconciled`).' }),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'ReconcileResult' });

const ActivityFailureSchema = z
  .object({
    id: idString(),
    activity: z.enum(['recordEvents', 'planNotifications', 'notificationFailed']).meta({ description: 'The activity that gave up.' }),
    workflowId: z.string(),
    briefId: idString().nullable(),
    sqlState: z.string().nullable().meta({ description: "PostgreSQL's error code (class 22: data exception, 23: integrity constraint violation).", example: '23514' }),
    error: z.string().meta({ example: 'new row for relation "brief_events" violates check constraint "brief_events_data_check"' }),
    detail: z.string().meta({ description: 'What was not written: the activity input as JSON (cut at 64,000 characters).' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ActivityFailure', description: 'A write the database refused for good: the brief went on without it.' });

const ActivityFailuresQuery = PageQuery.extend({ briefId: idString().optional() });

export function adminRouter({ db: { prisma }, temporal, config }: ApiDeps, catalog: RouteCatalog): Router {
  const router = Router();

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/admin/activity-failures',
      operationId: 'listActivityFailures',
      summary: 'Writes the database refused for good',
      description:
        'A write of the read model or the outbox that the database refuses on every retry (a constraint the data can never meet) ' +
        'is not retried forever: the activity records it here and gives up, and the brief carries on without it. Newest first.',
      tag: 'Admin',
      roles: ['admin'],
      query: ActivityFailuresQuery,
      responses: { 200: { description: 'A page of refused writes', schema: pageSchema(ActivityFailureSchema, 'ActivityFailurePage') } },
    },
    async ({ query }, _req, res) => {
      const failures = await listPage({
        query,
        where: query.briefId ? { briefId: query.briefId } : {},
        by: 'createdAt',
        direction: 'desc',
        find: (window) => prisma.activityFailure.findMany(window),
        item: (row) => ({ ...row, createdAt: row.createdAt.toISOString() }),
      });
      res.json(failures);
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/admin/reconcile',
      operationId: 'reconcile',
      summary: 'Run the reconciler now',
      description:
        'Compares every brief the read model shows open with its workflow and repairs what differs, as the scheduled reconciler does every ' +
        '`HANDOFF_RECONCILE_INTERVAL`: a workflow terminated or gone is resumed from the last recorded state, a completed one ends the brief, ' +
        'and a read model that drifted from a running workflow is recorded again by the workflow. Each repair is in the audit log (`brief.reconciled`) ' +
        'and counted in `/metrics` (`handoff_reconciler_repairs_total`). Answers the round when it finishes within 50 s, else 202 with its workflow id.',
      tag: 'Admin',
      roles: ['admin'],
      idempotent: true,
      responses: {
        200: { description: 'The round, finished', schema: ReconcileResultSchema },
        202: { description: 'The round, still running', schema: ReconcileResultSchema },
      },
    },
    async ({ caller }, _req, res) => {
      const workflowId = `${RECONCILER_SCHEDULE_ID}-admin-${randomUUID()}`;
      let summary: ReconcilerSummary | undefined;
      try {
        const handle = await temporal.workflow.start<typeof reconcilerWorkflow>('reconcilerWorkflow', { workflowId, taskQueue: config.temporal.taskQueue, args: [{}] });
        summary = await temporal.connection.withDeadline(Date.now() + RECONCILE_WAIT_MS, () => handle.result()).catch((err: unknown) => {
          if (deadlineExceeded(err)) return undefined;
          throw err;
        });
      } catch (err) {
        throw translateWorkflowError(err);
      }
      await audit(prisma, { actorId: caller.memberId, action: 'reconciler.run', targetType: 'workflow', targetId: workflowId, after: summary ? { checked: summary.checked, repaired: summary.repaired } : { status: 'running' } });
      if (!summary) return void res.status(202).json({ workflowId, status: 'running' });
      res.json({ workflowId, status: 'completed', ...summary });
    },
  );

  return router;
}
