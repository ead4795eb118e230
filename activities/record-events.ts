// Writes a batch of brief events and the brief's current state into the read model.
// Idempotent: events, deliveries and escalations are keyed by brief + sequence, version and
// escalation id, and the brief row only ever moves forward.
import type { PrismaClient } from '../lib/db/database';
import type { RecordEventsInput } from './types';

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
      const raised = events.filter((e) => e.type === 'escalation_raised');
      if (raised.length) {
        await tx.escalation.createMany({
          data: raised.map((e) => ({
            id: String(e.data.escalationId),
            briefId: brief.id,
            partyId: brief.partyId,
            clock: String(e.data.clock),
            level: Number(e.data.level),
            state: 'open',
            raisedAt: new Date(e.at),
          })),
          skipDuplicates: true,
        });
      }
    });
  };
