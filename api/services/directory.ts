// The rules of parties and members: who sees which party, what a party or member may name (an SLA
// policy, a calendar that exists), and that every change is audited with its before and after.
import type { Member, Prisma } from '../../lib/db/generated/client';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, findPolicy } from '../../services/policies';
import { audit } from '../../services/audit';
import { defaultScope, scopeProblem } from '../../services/watcher-scope';
import { canSeeParty, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, notFound } from '../errors';
import { apiOutboundPolicy, checkReceiverUrls } from '../receiver-urls';
import { memberJson, partyJson, type CreateMemberBody, type CreatePartyBody, type UpdateMemberBody, type UpdatePartyBody } from '../routes/directory.schemas';
import type { z } from 'zod';

export function directoryService({ db: { prisma }, config, outbound }: Pick<ApiDeps, 'db' | 'config' | 'outbound'>) {
  const outboundChecks = apiOutboundPolicy({ config, outbound });
  async function requirePolicy(id: string | null | undefined): Promise<void> {
    if (id && !(await findPolicy(prisma, config.slaTargets, id))) throw fieldError('body.defaultSlaPolicyId', 'no SLA policy with this id');
  }

  /** Sets a member (in)active in one transaction with its audit entry, after `check` in the same transaction. */
  function setActive(caller: Caller, before: Member, active: boolean, reason: string | undefined, check?: (tx: Prisma.TransactionClient) => Promise<void>) {
    return prisma.$transaction(async (tx) => {
      await check?.(tx);
      const updated = await tx.member.update({ where: { id: before.id }, data: { deactivatedAt: active ? null : new Date() } });
      // Their web sessions end for good: reactivating signs nobody back in.
      if (!active) await tx.webSession.updateMany({ where: { memberId: before.id, endedAt: null }, data: { endedAt: updated.deactivatedAt, endReason: 'member_deactivated' } });
      await audit(tx, {
        actorId: caller.memberId,
        action: active ? 'member.reactivated' : 'member.deactivated',
        targetType: 'member',
        targetId: before.id,
        before: memberJson(before),
        after: { ...memberJson(updated), ...(reason ? { reason } : {}) },
      });
      return updated;
    });
  }

  return {
    /** A party the caller may see; 404 otherwise, whether it exists or not. */
    async visibleParty(caller: Caller, id: string) {
      const party = await prisma.party.findUnique({ where: { id } });
      if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
      return party;
    },

    /** A member of a party the caller may see; 404 otherwise. */
    async visibleMember(caller: Caller, id: string) {
      const member = await prisma.member.findUnique({ where: { id } });
      if (!member || !canSeeParty(caller, member.partyId)) throw notFound('member');
      return member;
    },

    async createParty(caller: Caller, body: z.output<typeof CreatePartyBody>) {
      await requirePolicy(body.defaultSlaPolicyId);
      return prisma.$transaction(async (tx) => {
        const created = await tx.party.create({ data: { id: newId(), ...body } });
        await audit(tx, { actorId: caller.memberId, action: 'party.created', targetType: 'party', targetId: created.id, after: partyJson(created) });
        return created;
      });
    },

    /** Renames a party or sets its default policy; a request that changes nothing writes nothing. */
    async updateParty(caller: Caller, before: { id: string; name: string; defaultSlaPolicyId: string | null; kind: string; createdAt: Date }, body: z.output<typeof UpdatePartyBody>) {
      await requirePolicy(body.defaultSlaPolicyId);
      const data = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.defaultSlaPolicyId !== undefined ? { defaultSlaPolicyId: body.defaultSlaPolicyId } : {}),
      };
      if (Object.entries(data).every(([k, v]) => before[k as keyof typeof data] === v)) return before;
      return prisma.$transaction(async (tx) => {
        const updated = await tx.party.update({ where: { id: before.id }, data });
        await audit(tx, { actorId: caller.memberId, action: 'party.updated', targetType: 'party', targetId: before.id, before: partyJson(before), after: partyJson(updated) });
        return updated;
      });
    },

    async createMember(caller: Caller, partyId: string, body: z.output<typeof CreateMemberBody>) {
      const party = await prisma.party.findUniqueOrThrow({ where: { id: partyId }, select: { kind: true } });
      // Managers brief other parties on behalf of the shop: they belong to the e-commerce party.
      if (body.role === 'manager' && party.kind !== 'ecommerce') throw fieldError('body.role', `a manager belongs to the e-commerce party; this party is of kind ${party.kind}`);
      const scope = body.scope ?? defaultScope(body.role, party.kind);
      const badScope = scopeProblem(body.role, scope);
      if (badScope) throw fieldError('body.scope', badScope);
      if (body.calendarId && body.calendarId !== BUILT_IN_CALENDAR_ID && !(await prisma.calendar.findUnique({ where: { id: body.calendarId } }))) {
        throw fieldError('body.calendarId', 'no calendar with this id');
      }
      await checkReceiverUrls(outboundChecks, { webhookUrl: body.webhookUrl, chatWebhookUrl: body.chatWebhookUrl });
      return prisma.$transaction(async (tx) => {
        const created = await tx.member.create({
          data: {
            id: newId(),
            partyId,
            ...body,
            webhookUrl: body.webhookUrl ?? null,
            timezone: body.timezone ?? null,
            calendarId: body.calendarId ?? null,
            chatWebhookUrl: body.chatWebhookUrl ?? null,
            scope,
          },
        });
        await audit(tx, { actorId: caller.memberId, action: 'member.created', targetType: 'member', targetId: created.id, after: memberJson(created) });
        return created;
      });
    },

    /**
     * Renames a member, sets their locale or (for a watcher) their scope; a request that changes
     * nothing writes nothing. A new scope holds from the member's next request.
     */
    async updateMember(caller: Caller, before: Member, body: z.output<typeof UpdateMemberBody>) {
      if (body.scope) {
        const badScope = scopeProblem(before.role, body.scope);
        if (badScope) throw fieldError('body.scope', badScope);
      }
      const data = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.locale !== undefined ? { locale: body.locale } : {}),
        ...(body.scope !== undefined ? { scope: body.scope } : {}),
      };
      if (Object.entries(data).every(([k, v]) => before[k as keyof typeof data] === v)) return before;
      return prisma.$transaction(async (tx) => {
        const updated = await tx.member.update({ where: { id: before.id }, data });
        await audit(tx, { actorId: caller.memberId, action: 'member.updated', targetType: 'member', targetId: before.id, before: memberJson(before), after: memberJson(updated) });
        return updated;
      });
    },

    /**
     * Deactivates a member at once: their keys answer 401 from the next request, their links 410,
     * their web sessions end, and they receive no notifications. The last active admin, and the caller themself, cannot be
     * deactivated. Audited with the reason.
     */
    async deactivateMember(caller: Caller, before: Member, reason: string | undefined) {
      if (before.deactivatedAt) throw conflict('the member is already deactivated');
      if (before.id === caller.memberId) throw conflict('you cannot deactivate yourself; ask another admin');
      return setActive(caller, before, false, reason, async (tx) => {
        if (before.role !== 'admin') return;
        // The admins' rows are locked first: two admins deactivating each other at the same
        // moment cannot both pass the check and leave nobody to administer.
        await tx.$queryRaw`SELECT id FROM members WHERE role = 'admin' FOR UPDATE`;
        if ((await tx.member.count({ where: { role: 'admin', deactivatedAt: null, id: { not: before.id } } })) === 0) {
          throw conflict('the last active admin cannot be deactivated');
        }
      });
    },

    /** Reactivates a member: their keys that are neither revoked nor expired work again, and notifications resume. Audited. */
    async reactivateMember(caller: Caller, before: Member, reason: string | undefined) {
      if (!before.deactivatedAt) throw conflict('the member is active');
      return setActive(caller, before, true, reason);
    },
  };
}
