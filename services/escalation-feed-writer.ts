// Appends to the escalation feed (escalation_feed), which the live stream (api/escalation-feed.ts)
// reads: written by the read model's writer (activities/record-events.ts) and by the API where it
// acknowledges an escalation of a brief started before acknowledgements went through the workflow.
import type { Prisma } from '../lib/db/generated/client';

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
  /** The program of the escalated brief; null outside a program. */
  programId: string | null;
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
