// Writes a batch of brief events and the brief's current state into the read model, with the
// escalations raised and acknowledged in it and their feed entries, in one transaction.
// Idempotent: events, deliveries and escalations are keyed by brief + sequence, version and
// escalation id, feed entries by escalation + kind, an acknowledgement only moves an open
// escalation, and the brief row only ever moves forward.
import type { PrismaClient } from '../lib/db/database';
import type { Prisma } from '../lib/db/generated/client';
import { audit, SYSTEM_ACTOR } from '../services/audit';
import { appendEscalationFeed, type EscalationFeedFact } from '../services/escalation-feed-writer';
import { decodeRecordedEvent, storedSnapshot } from '../services/snapshot';
import { changesFacts, writeScorecardFacts } from '../services/scorecards/write';
import { branchKeyPrefix } from './outbox-keys';
import { isEvent } from '../workflows/domain/events';
import type { RecordEventsInput } from './types';
import { reviewersToRemind } from '../workflows/domain/review-flow';

type Tx = Prisma.TransactionClient;

export interface RecordEventsDeps {
  prisma: PrismaClient;
}

export const createRecordEvents =
  ({ prisma }: RecordEventsDeps) =>
  async ({ workflowId, events, state, overdue, nextDueAt, branch, refresh }: RecordEventsInput): Promise<void> => {
    if (events.length === 0 && !refresh) return;
    const lastSeq = events.length ? events[events.length - 1].seq : state.seq;
    // Where a new branch of history takes over: its first event, or after the state it records.
    const fromSeq = events.length ? events[0].seq : state.seq + 1;
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
      snapshot: storedSnapshot(state) as object,
      reviewPending: reviewersToRemind(state) ?? [],
      programId: brief.program?.id ?? null,
      updatedAt: new Date(state.updatedAt),
    };
    await prisma.$transaction(async (tx) => {
      const existing = await tx.brief.findUnique({ where: { id: brief.id }, select: { lastSeq: true, branch: true } });
      if (!existing) {
        await tx.brief.create({ data: { ...row, id: brief.id, workflowId, createdAt: new Date(state.createdAt), branch: branch ?? null } });
      } else if (existing.branch && existing.branch !== branch && !branch) {
        // A late write of the history a reset abandoned (an activity that was still running).
        return;
      } else if (branch && existing.branch !== branch) {
        await takeOverBranch(tx, { briefId: brief.id, workflowId, branch, fromSeq, previous: existing });
        await tx.brief.update({ where: { id: brief.id }, data: { ...row, branch } });
      } else if (existing.lastSeq < lastSeq || refresh) {
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
          data: e.data as Prisma.InputJsonValue,
        })),
        skipDuplicates: true,
      });
      const deliveries = events.filter(isEvent('delivered'));
      if (deliveries.length) {
        await tx.delivery.createMany({
          data: deliveries.map(({ data }) => ({
            id: `${brief.id}-v${data.version}`,
            briefId: brief.id,
            version: data.version,
            summary: data.summary,
            links: data.links,
            submittedBy: data.submittedBy,
            submittedAt: new Date(data.submittedAt),
          })),
          skipDuplicates: true,
        });
      }
      // Older briefs raise with escalationId, clock, level and round only.
      const raised = events.filter(isEvent('escalation_raised')).map(({ data, at }) => ({
        id: data.escalationId,
        briefId: brief.id,
        partyId: brief.partyId,
        clock: data.clock,
        level: data.level,
        state: 'open',
        raisedAt: new Date(at),
        agreement: data.agreement ?? brief.sla?.agreement ?? 'external',
        round: data.round,
        repeat: data.repeat ?? 0,
        reescalation: data.reescalation === true,
        follows: data.follows ?? null,
        programId: brief.program?.id ?? null,
      }));
      if (raised.length) await tx.escalation.createMany({ data: raised, skipDuplicates: true });
      if (changesFacts(events) || refresh || (branch && existing?.branch !== branch)) await writeScorecardFacts(tx, state);
      const acknowledged = await acknowledgeEscalations(tx, brief.id, events);
      // One append for the batch: the feed lock is taken once, right before the commit.
      await appendEscalationFeed(tx, [
        ...raised.map((e): EscalationFeedFact => ({ escalationId: e.id, kind: 'raised', at: e.raisedAt, briefId: e.briefId, partyId: e.partyId, clock: e.clock, level: e.level, programId: e.programId })),
        ...acknowledged,
      ]);
    });
  };

/**
 * The first batch of a branch of history (an operator reset the workflow): the events the reset
 * undid, from the batch's first sequence number on, give way to the branch's own, with what they
 * had written (deliveries, escalations) and the notifications not sent yet. They are kept in the
 * audit log, so that nothing the brief went through is lost.
 */
async function takeOverBranch(
  tx: Tx,
  { briefId, workflowId, branch, fromSeq, previous }: { briefId: string; workflowId: string; branch: string; fromSeq: number; previous: { lastSeq: number; branch: string | null } },
): Promise<void> {
  const undone = await tx.briefEvent.findMany({ where: { briefId, seq: { gte: fromSeq } }, orderBy: { seq: 'asc' } });
  if (undone.length > 0) {
    await tx.briefEvent.deleteMany({ where: { briefId, seq: { gte: fromSeq } } });
    const undoneEvents = undone.map((row) => decodeRecordedEvent(briefId, row));
    const versions = undoneEvents.filter(isEvent('delivered')).map((e) => e.data.version);
    if (versions.length) await tx.delivery.deleteMany({ where: { briefId, version: { in: versions } } });
    const escalations = undoneEvents.filter(isEvent('escalation_raised')).map((e) => e.data.escalationId);
    if (escalations.length) await tx.escalation.deleteMany({ where: { briefId, id: { in: escalations } } });
    await tx.notification.updateMany({
      where: { briefId, eventSeq: { gte: fromSeq }, status: { in: ['pending', 'held'] }, NOT: { idempotencyKey: { startsWith: branchKeyPrefix(workflowId, branch) } } },
      data: { status: 'dropped', holdUntil: null, lastError: 'its event was undone by a reset of the workflow' },
    });
  }
  await audit(tx, {
    actorId: SYSTEM_ACTOR,
    action: 'brief.workflow_reset',
    targetType: 'brief',
    targetId: briefId,
    before: { branch: previous.branch, lastSeq: previous.lastSeq, undone: undone.map(({ seq, type, actorId, at, data }) => ({ seq, type, actor: actorId, at, data })) },
    after: { branch, fromSeq },
  });
}

/**
 * Marks the escalations the batch's escalation_acknowledged events name as acknowledged, by
 * whom and when the workflow recorded it, and returns their feed entries. An escalation already
 * acknowledged keeps its first acknowledgement (a retried activity, or an acknowledgement the
 * API wrote itself before acknowledgements went through the workflow): its feed entry exists and
 * the append skips it.
 */
async function acknowledgeEscalations(tx: Tx, briefId: string, events: RecordEventsInput['events']): Promise<EscalationFeedFact[]> {
  const acks = events.filter(isEvent('escalation_acknowledged'));
  if (acks.length === 0) return [];
  for (const ack of acks) {
    await tx.escalation.updateMany({
      where: { id: ack.data.escalationId, briefId, state: 'open' },
      data: { state: 'acknowledged', acknowledgedAt: new Date(ack.at), acknowledgedBy: ack.actor },
    });
  }
  const rows = await tx.escalation.findMany({ where: { id: { in: acks.map((e) => e.data.escalationId) }, briefId, state: 'acknowledged' } });
  return rows.map((row) => ({
    escalationId: row.id,
    kind: 'acknowledged',
    at: row.acknowledgedAt ?? new Date(),
    briefId: row.briefId,
    partyId: row.partyId,
    clock: row.clock,
    level: row.level,
    programId: row.programId,
  }));
}
