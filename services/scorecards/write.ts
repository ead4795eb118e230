// Keeps a brief's scorecard rows (scorecard_briefs, scorecard_steps) in line with its timeline:
// written by the read model's writer in the transaction that records the events, and by the
// backfill for briefs recorded before the rows existed or under an older FACTS_VERSION.
import type { PrismaClient } from '../../lib/db/database';
import type { Prisma } from '../../lib/db/generated/client';
import type { Logger } from '../../lib/logger';
import type { BriefState } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import { slaOf } from '../../workflows/domain/policy';
import { decodeRecordedEvent, decodeSnapshot } from '../snapshot';
import { FACT_EVENT_TYPES, FACTS_VERSION, scorecardFacts } from './facts';

type Tx = Prisma.TransactionClient;

/** Whether recording these events can change a brief's scorecard rows. */
export function changesFacts(events: readonly Pick<TimelineEvent, 'type'>[]): boolean {
  return events.some((e) => FACT_EVENT_TYPES.includes(e.type));
}

/** Recomputes the brief's scorecard rows from the events the read model holds for it. */
export async function writeScorecardFacts(tx: Tx, state: BriefState): Promise<void> {
  const { brief } = state;
  // One writer per brief at a time (the read model's writer and a backfill may meet here).
  await tx.$queryRaw`SELECT 1 FROM briefs WHERE id = ${brief.id} FOR UPDATE`;
  const rows = await tx.briefEvent.findMany({
    where: { briefId: brief.id, type: { in: [...FACT_EVENT_TYPES] } },
    select: { seq: true, type: true, actorId: true, at: true, data: true },
  });
  const facts = scorecardFacts({
    briefId: brief.id,
    partyId: brief.partyId,
    agreement: brief.sla?.agreement ?? 'external',
    priority: brief.priority,
    createdAt: new Date(state.createdAt),
    calendar: slaOf(state).calendar,
    events: rows.map((row) => decodeRecordedEvent(brief.id, row)),
  });
  const { briefId, ...briefFacts } = facts.brief;
  const fields = { ...briefFacts, programId: brief.program?.id ?? null };
  await tx.scorecardBrief.upsert({ where: { briefId }, create: { briefId, ...fields }, update: { ...fields, updatedAt: new Date() } });
  await tx.scorecardStep.deleteMany({ where: { briefId } });
  if (facts.steps.length) await tx.scorecardStep.createMany({ data: facts.steps });
}

/**
 * Writes the scorecard rows of every brief that has none, or rows of an older FACTS_VERSION, a
 * page at a time; returns how many briefs it wrote. Safe to run beside the read model's writer
 * and on several workers at once: every write recomputes from the events the brief has then.
 */
export async function backfillScorecardFacts(prisma: PrismaClient, logger: Logger, { pageSize = 200, signal }: { pageSize?: number; signal?: AbortSignal } = {}): Promise<number> {
  let written = 0;
  let after = '';
  while (!signal?.aborted) {
    const page = await prisma.$queryRaw<{ id: string }[]>`
      SELECT b.id FROM briefs b LEFT JOIN scorecard_briefs s ON s.brief_id = b.id
      WHERE (s.brief_id IS NULL OR s.facts_version < ${FACTS_VERSION}) AND b.id > ${after}
      ORDER BY b.id LIMIT ${pageSize}`;
    if (page.length === 0) break;
    for (const { id } of page) {
      if (signal?.aborted) break;
      try {
        await prisma.$transaction(async (tx) => {
          const row = await tx.brief.findUnique({ where: { id }, select: { snapshot: true } });
          if (row) await writeScorecardFacts(tx, decodeSnapshot(id, row.snapshot));
        });
        written += 1;
      } catch (err) {
        // One unreadable brief must not keep the others from their rows: it is left for the next start.
        logger.warn({ briefId: id, err: err instanceof Error ? err.message : String(err) }, 'scorecard rows not written for a brief');
      }
    }
    after = page[page.length - 1].id;
    logger.info({ written }, 'scorecard rows backfilled so far');
  }
  return written;
}
