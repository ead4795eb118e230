// Briefs: create, list and read from the read model, and every participant action as an
// update of the brief's workflow.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import type { ApiDeps } from '../context';
import { callerOf, canSeeParty, requireRole, seesAllParties, type Caller } from '../auth';
import { conflict, fieldError, notFound } from '../errors';
import { parse } from '../validate';
import { translateWorkflowError } from '../workflow-errors';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import { actionUpdates, syncUpdate, type ActionRequest } from '../../workflows/brief/definitions';
import { CLOCKS, PRIORITIES, STATUSES, isTerminal, type BriefInput, type BriefState, type ClockName } from '../../workflows/domain/brief';
import { isSlaTarget, parseDuration, SLA_TARGET_RULE } from '../../workflows/domain/duration';
import { viewBrief } from '../../workflows/domain/sla';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { RULES, type ActionName } from '../../workflows/domain/transitions';

const duration = z.string().refine(isSlaTarget, SLA_TARGET_RULE);
const text = (max: number) => z.string().trim().min(1).max(max);

export const CreateBriefBody = z.object({
  title: text(200),
  description: text(20_000),
  partyId: z.string().min(1),
  priority: z.enum(PRIORITIES).default('P3'),
  dueAt: z.iso.datetime({ offset: true }).optional(),
  deliverables: z.array(text(500)).max(100).default([]),
  reviewerId: z.string().min(1).optional(),
  targets: z.object({ acknowledge: duration.optional(), deliver: duration.optional(), review: duration.optional() }).default({}),
});

export const ListBriefsQuery = z.object({
  status: z.enum(STATUSES).optional(),
  partyId: z.string().min(1).optional(),
  priority: z.enum(PRIORITIES).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

const url = z.url({ protocol: /^https?$/ });
export const ACTION_BODIES = {
  acknowledge: z.object({ note: text(5_000).optional() }),
  decline: z.object({ reason: text(5_000) }),
  askClarification: z.object({ question: text(5_000) }),
  answerClarification: z.object({ answer: text(5_000) }),
  deliver: z.object({ summary: text(10_000), links: z.array(url).max(50).default([]) }),
  approve: z.object({ note: text(5_000).optional() }),
  requestChanges: z.object({ reason: text(5_000) }),
  cancel: z.object({ reason: text(5_000) }),
  comment: z.object({ body: text(10_000) }),
} satisfies Record<ActionName, z.ZodType>;

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

const IdParams = z.object({ id: z.string().min(1).max(100) });
/** How long a call to Temporal may take before the API answers 503. */
const START_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 30_000;

interface Cursor {
  createdAt: string;
  id: string;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(value: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id === 'string' && !Number.isNaN(Date.parse(c.createdAt))) return c;
  } catch {
    // fall through
  }
  throw fieldError('query.cursor', 'not a cursor returned by this API');
}

export function briefsRouter({ db, temporal, config }: ApiDeps): Router {
  const { prisma } = db;
  const router = Router();

  const withDeadline = <T>(fn: () => Promise<T>, ms = UPDATE_DEADLINE_MS) => temporal.connection.withDeadline(Date.now() + ms, fn);

  /** The brief's row if the caller may see it; 404 otherwise, whether it exists or not. */
  async function visibleBrief(caller: Caller, id: string) {
    const row = await prisma.brief.findUnique({ where: { id } });
    if (!row || !canSeeParty(caller, row.partyId)) throw notFound('brief');
    return row;
  }

  router.post('/v1/briefs', async (req, res) => {
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
      id: randomUUID(),
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
    const handle = await withDeadline(
      () =>
        temporal.workflow.start<typeof briefWorkflow>('briefWorkflow', {
          workflowId: briefWorkflowId(brief.id),
          taskQueue: config.temporal.taskQueue,
          args: [{ brief }],
        }),
      START_DEADLINE_MS,
    );
    const view = await withDeadline(() => handle.executeUpdate(syncUpdate));
    res.status(201).location(`/v1/briefs/${brief.id}`).json(view);
  });

  router.get('/v1/briefs', async (req, res) => {
    const caller = callerOf(res);
    const query = parse(ListBriefsQuery, req.query, 'query');
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
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
        cursor
          ? { OR: [{ createdAt: { lt: new Date(cursor.createdAt) } }, { createdAt: new Date(cursor.createdAt), id: { lt: cursor.id } }] }
          : {},
      ],
    };
    const rows = await prisma.brief.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const now = Date.now();
    const last = page[page.length - 1];
    res.json({
      items: page.map((row) => {
        const { timeline: _timeline, ...summary } = viewBrief(row.snapshot as unknown as BriefState, now);
        return { ...summary, overdue: row.slaBreached || (!!row.nextDueAt && row.nextDueAt.getTime() < now && !isTerminal(summary.status)) };
      }),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
    });
  });

  router.get('/v1/briefs/:id', async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(IdParams, req.params, 'params');
    const row = await visibleBrief(caller, id);
    res.json(viewBrief(row.snapshot as unknown as BriefState, Date.now()));
  });

  for (const action of Object.keys(ACTION_ROUTES) as ActionName[]) {
    router.post(`/v1/briefs/:id/${ACTION_ROUTES[action]}`, async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
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
    });
  }

  return router;
}
