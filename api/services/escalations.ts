// The rules of escalations: which ones a caller sees (their own party's, unless they see every
// party), and their acknowledgement, through the brief's workflow while it runs and on the row
// itself once it has ended.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import { appendEscalationFeed } from '../../services/escalation-feed-writer';
import type { Escalation, Prisma } from '../../lib/db/generated/client';
import { acknowledgeEscalationUpdate } from '../../workflows/brief/definitions';
import { canSeeParty, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, forbidden, notFound } from '../errors';
import type { FeedFilter } from '../escalation-feed';
import { listPage } from '../pagination';
import type { ListEscalationsQuery, StreamEscalationsQuery } from '../routes/escalations.schemas';
import { translateWorkflowError } from '../workflow-errors';

/** How long an acknowledgement waits for the brief's workflow to record it. */
const UPDATE_DEADLINE_MS = 30_000;

/** The parties a caller asks for and may see: both must hold (an empty result when they differ). */
function partyScope(caller: Caller, requested: string | undefined): string[] | undefined {
  const scope = [...(requested ? [requested] : []), ...(seesAllParties(caller) ? [] : [caller.partyId])];
  return scope.length ? scope : undefined;
}

/** The events of the live feed a caller asks for and may see. */
export function streamFilter(caller: Caller, query: z.output<typeof StreamEscalationsQuery>): FeedFilter {
  const parties = partyScope(caller, query.partyId);
  return {
    ...(query.state ? { kinds: [query.state === 'open' ? 'raised' : 'acknowledged'] } : {}),
    ...(query.briefId ? { briefId: query.briefId } : {}),
    ...(query.programId ? { programId: query.programId } : {}),
    ...(parties ? { partyIds: parties } : {}),
    ...(query.clock ? { clock: query.clock } : {}),
    ...(query.level !== undefined ? { level: query.level } : {}),
    ...(query.since ? { since: new Date(query.since) } : {}),
  };
}

export function escalationService({ db: { prisma }, temporal, logger }: Pick<ApiDeps, 'db' | 'temporal' | 'logger'>) {
  /**
   * Whether the escalation's level names the member by id. The roles a level names resolve to
   * managers (who acknowledge anyway) or to the breaching party itself (party_lead,
   * party_members, watchers), which does not silence its own chain.
   */
  async function namedByLevel(escalation: Escalation, memberId: string): Promise<boolean> {
    const raised = await prisma.briefEvent.findMany({ where: { briefId: escalation.briefId, type: 'escalation_raised' }, select: { data: true } });
    const event = raised.map((e) => e.data as { escalationId?: unknown; notify?: unknown }).find((data) => data.escalationId === escalation.id);
    return Array.isArray(event?.notify) && event.notify.includes(memberId);
  }

  /** Acknowledges an escalation of a brief whose workflow has ended; undefined when it is not open. */
  function acknowledgeRow(id: string, memberId: string) {
    // The feed entry commits with the state change, so the stream never shows one without the other.
    return prisma.$transaction(async (tx) => {
      const { count } = await tx.escalation.updateMany({ where: { id, state: 'open' }, data: { state: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: memberId } });
      if (count === 0) return undefined;
      const row = await tx.escalation.findUniqueOrThrow({ where: { id } });
      await appendEscalationFeed(tx, [
        { escalationId: id, kind: 'acknowledged', at: row.acknowledgedAt ?? new Date(), briefId: row.briefId, partyId: row.partyId, clock: row.clock, level: row.level, programId: row.programId },
      ]);
      return row;
    });
  }

  return {
    /** A page of the escalations the caller asks for and may see, newest first. */
    list(caller: Caller, query: z.output<typeof ListEscalationsQuery>) {
      const parties = partyScope(caller, query.partyId);
      const where: Prisma.EscalationWhereInput = {
        ...(query.state ? { state: query.state } : {}),
        ...(query.briefId ? { briefId: query.briefId } : {}),
        ...(query.programId ? { programId: query.programId } : {}),
        ...(parties ? { AND: parties.map((partyId) => ({ partyId })) } : {}),
        ...(query.clock ? { clock: query.clock } : {}),
        ...(query.level !== undefined ? { level: query.level } : {}),
        ...(query.since ? { raisedAt: { gte: new Date(query.since) } } : {}),
      };
      return listPage({ query, where, by: 'raisedAt', direction: 'desc', find: (window) => prisma.escalation.findMany(window), item: (row) => row });
    },

    /**
     * An escalation the caller may acknowledge. The e-commerce team (admins, managers, watchers of
     * scope `all`) and the members its level names may; the party that breached cannot silence
     * its own chain: its watchers and members see the escalation, so they get 403. Anyone else
     * gets 404, as for every object of another party.
     */
    async acknowledgeable(caller: Caller, id: string) {
      const escalation = await prisma.escalation.findUnique({ where: { id }, include: { brief: { select: { workflowId: true } } } });
      if (!escalation) throw notFound('escalation');
      if (seesAllParties(caller)) return escalation;
      const named = await namedByLevel(escalation, caller.memberId);
      if (named) return escalation;
      if (!canSeeParty(caller, escalation.partyId)) throw notFound('escalation');
      throw forbidden("only the e-commerce team (admins, managers, watchers of scope all) and the members the escalation's level names acknowledge it");
    },

    /**
     * Acknowledges an open escalation, answered once the brief has recorded it. Under an
     * Idempotency-Key (`updateId`) a repeat names the first attempt's update, so an acknowledgement
     * whose answer was lost (a 503, a dead API process) is answered as done, not refused.
     */
    async acknowledge(caller: Caller, escalation: Escalation & { brief: { workflowId: string } }, updateId: string | undefined): Promise<Escalation> {
      const { id } = escalation;
      if (escalation.state !== 'open') {
        if (updateId && escalation.acknowledgedBy === caller.memberId) return escalation;
        throw conflict('the escalation is already acknowledged');
      }
      const acknowledgement = { escalationId: id, memberId: caller.memberId };
      try {
        // The workflow answers once it has recorded the acknowledgement, escalation row and feed
        // entry included: the brief and the list show it as soon as this request is answered.
        const handle = temporal.workflow.getHandle(escalation.brief.workflowId);
        await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => handle.executeUpdate(acknowledgeEscalationUpdate, { args: [acknowledgement], updateId }));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw translateWorkflowError(err);
        // A brief whose workflow has ended has nothing left to escalate; the acknowledgement stands.
        logger.debug({ escalationId: id }, 'escalation acknowledged after its brief ended');
        const updated = await acknowledgeRow(id, caller.memberId);
        if (!updated) throw conflict('the escalation is already acknowledged');
        return updated;
      }
      return prisma.escalation.findUniqueOrThrow({ where: { id } });
    },
  };
}
