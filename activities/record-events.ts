// Writes a batch of brief events and the brief's current state into the read model, with the
// escalations raised and acknowledged in it and their feed entries, in one transaction.
// Idempotent: events, deliveries and escalations are keyed by brief + sequence, version and
// escalation id, feed entries by escalation + kind, an acknowledgement only moves an open
// escalation, and the brief row only ever moves forward.
import type { PrismaClient } from '../lib/db/database';
import type { Prisma } from '../lib/db/generated/client';
import type { RecordEventsInput } from './types';

type Tx = Prisma.TransactionClient;

/** Any constant works as long as every writer of escalation_feed takes the same one. */
const ESCALATION_FEED_LOCK = 720_451_001;

export type EscalationFeedKind = 'raised' | 'acknowledged';

export interface EscalationFeedFact {
  escalationId: string;
  kind: EscalationFeedKind;
  at: Date;
  briefId: string;
  partyId: string;
  clock: string;
  level: number;
}

/**
 * Appends to the escalation feed inside the caller's transaction; call it last, right before
 * the commit. The live stream reads the feed by `id > last seen`, which is only safe when ids
 * become visible in id order: a BIGSERIAL id is taken at insert, not at commit, so two writers
 * could commit 8 before 7 and a reader in between would skip 7 for good. The transaction-scoped
 * advisory lock serialises the writers from the insert to the commit, so ids commit in order.
 */
export async function appendEscalationFeed(tx: Tx, facts: EscalationFeedFact[]): Promise<void> {
  if (facts.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ESCALATION_FEED_LOCK}::bigint)`;
  await tx.escalationFeedEntry.createMany({ data: facts, skipDuplicates: true });
}

export interface RecordEventsDeps {
  prisma: PrismaClient;
}

export const createRecordEvents =
  ({ prisma }: RecordEventsDeps) =>
  async ({ workflowId, events, state, overdue, nextDueAt }: RecordEventsInput): Promise<void> => {
    if (events.length === 0) return;
    const lastSeq = events[events.length - 1].seq;
    const { brief } = state;
    const row = {
      title: brief.title,
      partyId: brief.partyId,
      managerId: brief.managerId,
      reviewerId: brief.reviewerId,
      priority: brief.priority,
      status: state.status,
      revision: state.revision,
      dueAt: brief.dueAt ? new Date(brief.dueAt) : null,
      nextDueAt: nextDueAt ? new Date(nextDueAt) : null,
      slaBreached: overdue,
      lastSeq,
      slaPolicyId: brief.sla?.policyId ?? null,
      agreement: brief.sla?.agreement ?? null,
      snapshot: state as object,
      updatedAt: new Date(state.updatedAt),
    };
    await prisma.$transaction(async (tx) => {
      const existing = await tx.brief.findUnique({ where: { id: brief.id }, select: { lastSeq: true } });
      if (!existing) {
        await tx.brief.create({ data: { ...row, id: brief.id, workflowId, createdAt: new Date(state.createdAt) } });
      } else if (existing.lastSeq < lastSeq) {
        await tx.brief.update({ where: { id: brief.id }, data: row });
      }
      await tx.briefEvent.createMany({
        data: events.map((e) => ({
          id: `${brief.id}-${e.seq}`,
          briefId: brief.id,
          seq: e.seq,
          type: e.type,
          actorId: e.actor,
          at: new Date(e.at),
          data: e.data as object,
        })),
        skipDuplicates: true,
      });
      const deliveries = events.filter((e) => e.type === 'delivered');
      if (deliveries.length) {
        await tx.delivery.createMany({
          data: deliveries.map((e) => ({
            id: `${brief.id}-v${Number(e.data.version)}`,
            briefId: brief.id,
            version: Number(e.data.version),
            summary: String(e.data.summary),
            links: (e.data.links ?? []) as object,
            submittedBy: String(e.data.submittedBy),
            submittedAt: new Date(String(e.data.submittedAt)),
          })),
          skipDuplicates: true,
        });
      }
      // Older briefs raise with escalationId, clock, level and round only.
      const raised = events
        .filter((e) => e.type === 'escalation_raised')
        .map((e) => ({
          id: String(e.data.escalationId),
          briefId: brief.id,
          partyId: brief.partyId,
          clock: String(e.data.clock),
          level: Number(e.data.level),
          state: 'open',
          raisedAt: new Date(e.at),
          agreement: typeof e.data.agreement === 'string' ? e.data.agreement : (brief.sla?.agreement ?? 'external'),
          round: Number(e.data.round ?? 1),
          repeat: Number(e.data.repeat ?? 0),
          reescalation: e.data.reescalation === true,
          follows: typeof e.data.follows === 'string' ? e.data.follows : null,
        }));
      if (raised.length) await tx.escalation.createMany({ data: raised, skipDuplicates: true });
      const acknowledged = await acknowledgeEscalations(tx, brief.id, events);
      // One append for the batch: the feed lock is taken once, right before the commit.
      await appendEscalationFeed(tx, [
        ...raised.map((e): EscalationFeedFact => ({ escalationId: e.id, kind: 'raised', at: e.raisedAt, briefId: e.briefId, partyId: e.partyId, clock: e.clock, level: e.level })),
        ...acknowledged,
      ]);
    });
  };

/**
 * Marks the escalations the batch's escalation_acknowledged events name as acknowledged, by
 * whom and when the workflow recorded it, and returns their feed entries. An escalation already
 * acknowledged keeps its first acknowledgement (a retried activity, or an acknowledgement the
 * API wrote itself before acknowledgements went through the workflow): its feed entry exists and
 * the append skips it.
 */
async function acknowledgeEscalations(tx: Tx, briefId: string, events: RecordEventsInput['events']): Promise<EscalationFeedFact[]> {
  const acks = events.filter((e) => e.type === 'escalation_acknowledged' && typeof e.data.escalationId === 'string');
  if (acks.length === 0) return [];
  for (const ack of acks) {
    await tx.escalation.updateMany({
      where: { id: String(ack.data.escalationId), briefId, state: 'open' },
      data: { state: 'acknowledged', acknowledgedAt: new Date(ack.at), acknowledgedBy: ack.actor },
    });
  }
  const rows = await tx.escalation.findMany({ where: { id: { in: acks.map((e) => String(e.data.escalationId)) }, briefId, state: 'acknowledged' } });
  return rows.map((row) => ({
    escalationId: row.id,
    kind: 'acknowledged',
    at: row.acknowledgedAt ?? new Date(),
    briefId: row.briefId,
    partyId: row.partyId,
    clock: row.clock,
    level: row.level,
  }));
}
