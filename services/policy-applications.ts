// Applications of an SLA policy to its running briefs, as the database keeps them: the row the
// API starts and reads, and what the application did to each brief, which its activities record.
import type { PrismaClient } from '../lib/db/database';
import type { PolicyRow } from './policies';

export const APPLICATION_STATUSES = ['running', 'completed', 'failed'] as const;

type OutcomeReader = Pick<PrismaClient, 'slaPolicyApplicationBrief'>;

export interface ApplicationOutcomes {
  applied: string[];
  skipped: string[];
  failed: { briefId: string; error: string }[];
}

/** What the application did to each brief so far, in its order (the briefs' createdAt, id). */
export async function applicationOutcomes(prisma: OutcomeReader, applicationId: string): Promise<ApplicationOutcomes> {
  const rows = await prisma.slaPolicyApplicationBrief.findMany({
    where: { applicationId },
    select: { briefId: true, outcome: true, error: true },
    orderBy: [{ briefCreatedAt: 'asc' }, { briefId: 'asc' }],
  });
  return {
    applied: rows.filter((r) => r.outcome === 'applied').map((r) => r.briefId),
    skipped: rows.filter((r) => r.outcome === 'skipped').map((r) => r.briefId),
    failed: rows.filter((r) => r.outcome === 'failed').map((r) => ({ briefId: r.briefId, error: r.error ?? '' })),
  };
}

/** The policy row as an application stores it when it starts: every brief gets this version. */
export const policySnapshot = (policy: PolicyRow) => ({ ...policy, createdAt: policy.createdAt.toISOString(), updatedAt: policy.updatedAt.toISOString() });

/** The policy row back from an application's snapshot. */
export function policyOfSnapshot(json: unknown): PolicyRow {
  const row = json as ReturnType<typeof policySnapshot>;
  return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) };
}
