// The escalations raised by breached SLA clocks, and their acknowledgement.
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import { escalationAcknowledgedSignal } from '../../workflows/brief/definitions';
import { callerOf, canSeeParty, requireRole, seesAllParties } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, notFound } from '../errors';
import { idString, parse } from '../validate';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, PageQuery, pageSchema } from '../pagination';

export const ListEscalationsQuery = PageQuery.extend({
  state: z.enum(['open', 'acknowledged']).optional(),
  briefId: idString().optional(),
});

const Id = idString().meta({ example: 'b57f59f6-907f-4dc0-b3c1-e431ab3efe42' });
const IdParams = z.object({ id: Id });

export const EscalationSchema = z
  .object({
    id: Id,
    briefId: Id,
    partyId: Id,
    clock: z.enum(['acknowledge', 'deliver', 'review']),
    level: z.number().int().min(1),
    state: z.enum(['open', 'acknowledged']),
    raisedAt: z.iso.datetime(),
    acknowledgedAt: z.iso.datetime().nullable(),
    acknowledgedBy: Id.nullable(),
  })
  .meta({ id: 'Escalation' });

type EscalationRow = { id: string; briefId: string; partyId: string; clock: string; level: number; state: string; raisedAt: Date; acknowledgedAt: Date | null; acknowledgedBy: string | null };
const escalationJson = (e: EscalationRow) => ({
  id: e.id,
  briefId: e.briefId,
  partyId: e.partyId,
  clock: e.clock,
  level: e.level,
  state: e.state,
  raisedAt: e.raisedAt.toISOString(),
  acknowledgedAt: e.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: e.acknowledgedBy,
});

export function escalationsRouter({ db, temporal, logger }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/escalations',
      operationId: 'listEscalations',
      summary: 'List escalations',
      description: 'Newest first. Watchers of other parties than the e-commerce team see their own party only.',
      tag: 'Escalations',
      roles: ['manager', 'watcher', 'admin'],
      query: ListEscalationsQuery,
      responses: { 200: { description: 'A page of escalations', schema: pageSchema(EscalationSchema, 'EscalationPage') } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'manager', 'watcher', 'admin');
      const query = parse(ListEscalationsQuery, req.query, 'query');
      const where: Prisma.EscalationWhereInput = {
        ...(query.state ? { state: query.state } : {}),
        ...(query.briefId ? { briefId: query.briefId } : {}),
        ...(seesAllParties(caller) ? {} : { partyId: caller.partyId }),
        ...after(decodeCursor(query.cursor), 'raisedAt', 'desc'),
      };
      const rows = await prisma.escalation.findMany({ where, orderBy: [{ raisedAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      const { items, nextCursor } = page(rows, query.limit, (e) => e.raisedAt);
      res.json({ items: items.map(escalationJson), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/escalations/:id/acknowledge',
      operationId: 'acknowledgeEscalation',
      summary: 'Acknowledge an escalation',
      tag: 'Escalations',
      roles: ['manager', 'watcher'],
      params: IdParams,
      idempotent: true,
      errors: [409],
      responses: { 200: { description: 'The acknowledged escalation', schema: EscalationSchema } },
    },
    async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(IdParams, req.params, 'params');
    const escalation = await prisma.escalation.findUnique({ where: { id }, include: { brief: { select: { workflowId: true } } } });
    // Another party's escalation does not exist for the caller; only then does the role matter.
    if (!escalation || !canSeeParty(caller, escalation.partyId)) throw notFound('escalation');
    requireRole(res, 'manager', 'watcher');
    const { count } = await prisma.escalation.updateMany({
      where: { id, state: 'open' },
      data: { state: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: caller.memberId },
    });
    if (count === 0) throw conflict('the escalation is already acknowledged');
    try {
      await temporal.workflow.getHandle(escalation.brief.workflowId).signal(escalationAcknowledgedSignal, { escalationId: id, memberId: caller.memberId });
    } catch (err) {
      // A brief that has ended has nothing left to escalate; the acknowledgement stands.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      logger.debug({ escalationId: id }, 'escalation acknowledged after its brief ended');
    }
    const updated = await prisma.escalation.findUniqueOrThrow({ where: { id } });
    res.json(escalationJson(updated));
  },
  );

  return router;
}
