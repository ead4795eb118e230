// The escalations raised by breached SLA clocks, and their acknowledgement.
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import { escalationAcknowledgedSignal } from '../../workflows/brief/definitions';
import { canSeeParty, requireRole, seesAllParties } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, notFound } from '../errors';
import { parse } from '../validate';

export const ListEscalationsQuery = z.object({
  state: z.enum(['open', 'acknowledged']).optional(),
  briefId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const IdParams = z.object({ id: z.string().min(1).max(100) });

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

export function escalationsRouter({ db, temporal, logger }: ApiDeps): Router {
  const { prisma } = db;
  const router = Router();

  router.get('/v1/escalations', async (req, res) => {
    const caller = requireRole(res, 'manager', 'watcher', 'admin');
    const query = parse(ListEscalationsQuery, req.query, 'query');
    const where: Prisma.EscalationWhereInput = {
      ...(query.state ? { state: query.state } : {}),
      ...(query.briefId ? { briefId: query.briefId } : {}),
      ...(seesAllParties(caller) ? {} : { partyId: caller.partyId }),
    };
    const rows = await prisma.escalation.findMany({ where, orderBy: [{ raisedAt: 'desc' }, { id: 'desc' }], take: query.limit });
    res.json({ items: rows.map(escalationJson) });
  });

  router.post('/v1/escalations/:id/acknowledge', async (req, res) => {
    const caller = requireRole(res, 'manager', 'watcher');
    const { id } = parse(IdParams, req.params, 'params');
    const escalation = await prisma.escalation.findUnique({ where: { id }, include: { brief: { select: { workflowId: true } } } });
    if (!escalation || !canSeeParty(caller, escalation.partyId)) throw notFound('escalation');
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
  });

  return router;
}
