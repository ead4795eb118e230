// Out of office: a member's period away and the colleague who takes over meanwhile. Reviews that
// fall to the member during the period can be decided by the delegate (recorded as delegated),
// and review requests, reminders and new briefs for the member are sent to the delegate too.
import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../lib/db/database';
import { audit } from '../../services/audit';
import { ROLES } from '../../workflows/domain/vocabulary';
import { canSeeParty, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { fieldError, forbidden, notFound } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { idString } from '../validate';
import { REVIEWER_ROLES } from '../services/review-plans';

const Id = idString().meta({ example: 'm-brand' });
const Timestamp = z.iso.datetime({ offset: true }).meta({ example: '2026-12-21T00:00:00+01:00' });
const Params = z.object({ id: Id });

const OutOfOfficeBody = z
  .strictObject({
    from: Timestamp.meta({ description: 'When the period starts.' }),
    until: Timestamp.meta({ description: 'When it ends (exclusive); after from and in the future.' }),
    delegateId: Id.meta({ description: 'A colleague of the same party who takes over: for a manager or admin, a manager or admin.' }),
  })
  .meta({ id: 'OutOfOfficeInput' });

const OutOfOfficeSchema = z
  .object({
    memberId: Id,
    period: z
      .object({
        from: z.iso.datetime(),
        until: z.iso.datetime(),
        delegateId: Id,
        active: z.boolean().meta({ description: 'The period holds now.' }),
      })
      .nullable()
      .meta({ description: 'null when the member has no period set.' }),
  })
  .meta({ id: 'OutOfOffice' });

type Row = { memberId: string; from: Date; until: Date; delegateId: string };
const json = (memberId: string, row: Row | null, now = Date.now()) => ({
  memberId,
  period: row
    ? { from: row.from.toISOString(), until: row.until.toISOString(), delegateId: row.delegateId, active: row.from.getTime() <= now && now < row.until.getTime() }
    : null,
});

/** The member whose period the caller manages: themself, or anyone for an admin (others: 403 if visible, else 404). */
async function ownerOf(prisma: PrismaClient, caller: Caller, id: string) {
  const member = await prisma.member.findUnique({ where: { id } });
  if (!member || !canSeeParty(caller, member.partyId)) throw notFound('member');
  if (caller.role !== 'admin' && caller.memberId !== member.id) throw forbidden("only admins and the member themself set a member's out-of-office period");
  return member;
}

export function outOfOfficeRouter({ db: { prisma } }: ApiDeps, catalog: RouteCatalog): Router {
  const router = Router();

  catalog.route(
    router,
    {
      method: 'put',
      path: '/v1/members/:id/out-of-office',
      operationId: 'setOutOfOffice',
      summary: 'Set a member’s out-of-office period and delegate',
      description:
        'Replaces the member’s period. While it holds, the delegate may decide the member’s pending reviews (POST /v1/briefs/{id}/reviews, recorded as delegated), and review requests, reminders and new briefs for the member are sent to the delegate too. The member themself, or an admin. Audited.',
      tag: 'Directory',
      roles: ROLES,
      params: Params,
      body: OutOfOfficeBody,
      idempotent: true,
      resource: ({ id }, caller) => ownerOf(prisma, caller, id),
      responses: { 200: { description: 'The period', schema: OutOfOfficeSchema } },
    },
    async ({ body, caller, resource: member }, _req, res) => {
      const from = new Date(body.from);
      const until = new Date(body.until);
      if (until <= from) throw fieldError('body.until', 'must be after from');
      if (until.getTime() <= Date.now()) throw fieldError('body.until', 'must be in the future');
      if (body.delegateId === member.id) throw fieldError('body.delegateId', 'must be someone else');
      const delegate = await prisma.member.findUnique({ where: { id: body.delegateId } });
      if (!delegate || delegate.deactivatedAt) throw fieldError('body.delegateId', 'no active member with this id');
      if (delegate.partyId !== member.partyId) throw fieldError('body.delegateId', 'must be a colleague of the same party');
      const reviews = (role: string) => (REVIEWER_ROLES as readonly string[]).includes(role);
      if (reviews(member.role) && !reviews(delegate.role)) throw fieldError('body.delegateId', 'must be a manager or an admin to take over reviews');
      const before = await prisma.outOfOffice.findUnique({ where: { memberId: member.id } });
      const row = await prisma.$transaction(async (tx) => {
        const saved = await tx.outOfOffice.upsert({
          where: { memberId: member.id },
          create: { memberId: member.id, from, until, delegateId: delegate.id },
          update: { from, until, delegateId: delegate.id },
        });
        await audit(tx, { actorId: caller.memberId, action: 'member.out_of_office_set', targetType: 'member', targetId: member.id, before: json(member.id, before), after: json(member.id, saved) });
        return saved;
      });
      res.json(json(member.id, row));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/members/:id/out-of-office',
      operationId: 'getOutOfOffice',
      summary: 'A member’s out-of-office period',
      description: 'The member themself, or an admin; period is null when none is set.',
      tag: 'Directory',
      roles: ROLES,
      params: Params,
      resource: ({ id }, caller) => ownerOf(prisma, caller, id),
      responses: { 200: { description: 'The period', schema: OutOfOfficeSchema } },
    },
    async ({ resource: member }, _req, res) => {
      res.json(json(member.id, await prisma.outOfOffice.findUnique({ where: { memberId: member.id } })));
    },
  );

  catalog.route(
    router,
    {
      method: 'delete',
      path: '/v1/members/:id/out-of-office',
      operationId: 'clearOutOfOffice',
      summary: 'End a member’s out-of-office period',
      description: 'Removes the period (at once, whether it has started or not). The member themself, or an admin. Audited.',
      tag: 'Directory',
      roles: ROLES,
      params: Params,
      idempotent: true,
      resource: ({ id }, caller) => ownerOf(prisma, caller, id),
      responses: { 204: { description: 'Removed (or there was none)' } },
    },
    async ({ caller, resource: member }, _req, res) => {
      await prisma.$transaction(async (tx) => {
        const before = await tx.outOfOffice.findUnique({ where: { memberId: member.id } });
        if (!before) return;
        await tx.outOfOffice.delete({ where: { memberId: member.id } });
        await audit(tx, { actorId: caller.memberId, action: 'member.out_of_office_cleared', targetType: 'member', targetId: member.id, before: json(member.id, before) });
      });
      res.status(204).end();
    },
  );

  return router;
}
