// Briefs: create, list and read from the read model, and every participant action as an
// update of the brief's workflow.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import { idempotentId } from '../idempotency';
import type { Prisma } from '../../lib/db/generated/client';
import type { ApiDeps } from '../context';
import { callerOf, canSeeParty, requireRole, seesAllParties, type Caller } from '../auth';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, pageSchema } from '../pagination';
import { ACTION_BODIES, BriefParams, BriefSchema, BriefSummarySchema, CreateBriefBody, ListBriefsQuery } from './briefs.schemas';
import { conflict, fieldError, notFound } from '../errors';
import { parse } from '../validate';
import { translateWorkflowError } from '../workflow-errors';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import { actionUpdates, syncUpdate, type ActionRequest } from '../../workflows/brief/definitions';
import { CLOCKS, ROLES, isTerminal, type BriefInput, type BriefState, type ClockName } from '../../workflows/domain/brief';
import { parseDuration } from '../../workflows/domain/duration';
import { viewBrief } from '../../workflows/domain/sla';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { RULES, type ActionName } from '../../workflows/domain/transitions';

/** The route of each action under /v1/briefs/:id. */
export const ACTION_ROUTES: Record<ActionName, string> = {
  acknowledge: 'acknowledge',
  decline: 'decline',
  askClarification: 'clarifications',
  answerClarification: 'clarifications/answer',
  deliver: 'deliveries',
  approve: 'approve',
  requestChanges: 'request-changes',
  cancel: 'cancel',
  comment: 'comments',
};

const ACTION_SUMMARIES: Record<ActionName, string> = {
  acknowledge: 'Acknowledge a brief',
  decline: 'Decline a brief',
  askClarification: 'Ask a question about a brief',
  answerClarification: 'Answer the open question',
  deliver: 'Deliver (a new revision)',
  approve: 'Approve the delivery',
  requestChanges: 'Request changes to the delivery',
  cancel: 'Cancel a brief',
  comment: 'Comment on a brief',
};

/** How long a call to Temporal may take before the API answers 503. */
const START_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 30_000;

export function briefsRouter({ db, temporal, config }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  const withDeadline = <T>(fn: () => Promise<T>, ms = UPDATE_DEADLINE_MS) => temporal.connection.withDeadline(Date.now() + ms, fn);

  /** The brief's row if the caller may see it; 404 otherwise, whether it exists or not. */
  async function visibleBrief(caller: Caller, id: string) {
    const row = await prisma.brief.findUnique({ where: { id } });
    if (!row || !canSeeParty(caller, row.partyId)) throw notFound('brief');
    return row;
  }

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/briefs',
      operationId: 'createBrief',
      summary: 'Send a brief to a party',
      description: "Starts the brief's workflow; its acknowledge clock runs from now.",
      tag: 'Briefs',
      roles: ['manager'],
      body: CreateBriefBody,
      idempotent: true,
      responses: { 201: { description: 'The brief', schema: BriefSchema } },
    },
    async (req, res) => {
    const caller = requireRole(res, 'manager');
    const body = parse(CreateBriefBody, req.body);
    const party = await prisma.party.findUnique({ where: { id: body.partyId } });
    if (!party) throw fieldError('body.partyId', 'no party with this id');
    if (body.reviewerId) {
      const reviewer = await prisma.member.findUnique({ where: { id: body.reviewerId } });
      if (!reviewer || reviewer.role !== 'manager') throw fieldError('body.reviewerId', 'must be the id of a manager');
    }
    if (body.dueAt && Date.parse(body.dueAt) <= Date.now()) throw fieldError('body.dueAt', 'must be in the future');

    const target = (clock: ClockName) => parseDuration(body.targets[clock] ?? config.slaTargets[clock][body.priority]) as number;
    const brief: BriefInput = {
      // Under an Idempotency-Key the id follows from the key, so even a retry after a lost
      // answer reaches the same workflow instead of starting a second one.
      id: typeof res.locals.idempotencyKey === 'string' ? idempotentId(caller.memberId, res.locals.idempotencyKey) : randomUUID(),
      title: body.title,
      description: body.description,
      partyId: party.id,
      managerId: caller.memberId,
      reviewerId: body.reviewerId ?? null,
      priority: body.priority,
      dueAt: body.dueAt ? new Date(body.dueAt).toISOString() : null,
      deliverables: body.deliverables,
      targetsMs: Object.fromEntries(CLOCKS.map((c) => [c, target(c)])) as Record<ClockName, number>,
    };
    const workflowId = briefWorkflowId(brief.id);
    const handle = await withDeadline(
      () =>
        temporal.workflow
          .start<typeof briefWorkflow>('briefWorkflow', { workflowId, taskQueue: config.temporal.taskQueue, args: [{ brief }] })
          .catch((err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError) return temporal.workflow.getHandle<typeof briefWorkflow>(workflowId);
            throw err;
          }),
      START_DEADLINE_MS,
    );
    const view = await withDeadline(() => handle.executeUpdate(syncUpdate));
    res.status(201).location(`/v1/briefs/${brief.id}`).json(view);
  },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/briefs',
      operationId: 'listBriefs',
      summary: 'List briefs',
      description: "Newest first, from the read model. Members see their own party's briefs only.",
      tag: 'Briefs',
      roles: ROLES,
      query: ListBriefsQuery,
      responses: { 200: { description: 'A page of briefs', schema: pageSchema(BriefSummarySchema, 'BriefPage') } },
    },
    async (req, res) => {
    const caller = callerOf(res);
    const query = parse(ListBriefsQuery, req.query, 'query');
    const where: Prisma.BriefWhereInput = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.priority ? { priority: query.priority } : {}),
      AND: [
        seesAllParties(caller) ? {} : { partyId: caller.partyId },
        query.partyId ? { partyId: query.partyId } : {},
        query.overdue === 'true'
          ? { OR: [{ slaBreached: true }, { nextDueAt: { lt: new Date() }, status: { notIn: ['approved', 'declined', 'cancelled'] } }] }
          : {},
        query.overdue === 'false' ? { slaBreached: false } : {},
        after(decodeCursor(query.cursor), 'createdAt', 'desc'),
      ],
    };
    const rows = await prisma.brief.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
    const { items, nextCursor } = page(rows, query.limit, (row) => row.createdAt);
    const now = Date.now();
    res.json({
      items: items.map((row) => {
        const { timeline: _timeline, ...summary } = viewBrief(row.snapshot as unknown as BriefState, now);
        return { ...summary, overdue: row.slaBreached || (!!row.nextDueAt && row.nextDueAt.getTime() < now && !isTerminal(summary.status)) };
      }),
      nextCursor,
    });
  },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/briefs/:id',
      operationId: 'getBrief',
      summary: 'Read a brief',
      description: 'Status, revision, deliveries, live SLA clocks and the whole timeline.',
      tag: 'Briefs',
      roles: ROLES,
      params: BriefParams,
      responses: { 200: { description: 'The brief', schema: BriefSchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(BriefParams, req.params, 'params');
      const row = await visibleBrief(caller, id);
      res.json(viewBrief(row.snapshot as unknown as BriefState, Date.now()));
    },
  );

  for (const action of Object.keys(ACTION_ROUTES) as ActionName[]) {
    catalog.mount(
      router,
      {
        method: 'post',
        path: `/v1/briefs/:id/${ACTION_ROUTES[action]}`,
        operationId: `${action}Brief`,
        summary: ACTION_SUMMARIES[action],
        tag: 'Brief actions',
        roles: RULES[action].roles,
        params: BriefParams,
        body: ACTION_BODIES[action],
        idempotent: true,
        errors: [409],
        responses: { 200: { description: 'The brief after the action', schema: BriefSchema } },
      },
      async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(BriefParams, req.params, 'params');
      const row = await visibleBrief(caller, id);
      requireRole(res, ...RULES[action].roles);
      const payload = parse(ACTION_BODIES[action], req.body);
      if (isTerminal(row.status as BriefState['status'])) throw conflict(`the brief is ${row.status} and accepts no further actions`);
      const request: ActionRequest = { actor: { memberId: caller.memberId, role: caller.role, partyId: caller.partyId }, payload };
      try {
        const handle = temporal.workflow.getHandle(row.workflowId);
        const view = await withDeadline(() => handle.executeUpdate(actionUpdates[action], { args: [request] }));
        res.json(view);
      } catch (err) {
        throw translateWorkflowError(err);
      }
    },
    );
  }

  return router;
}
