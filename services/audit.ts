// The audit log: who changed what (members through the API, and the system itself: a reset
// workflow's branch taking over, the reconciler's repairs), with before and after.
import type { Prisma, PrismaClient } from '../lib/db/generated/client';
import { newId } from '../lib/ids';

export interface AuditEntry {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

/** The actor of what the system does on its own. */
export const SYSTEM_ACTOR = 'system';

type Db = PrismaClient | Prisma.TransactionClient;

export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      id: newId(),
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before === undefined ? undefined : (entry.before as Prisma.InputJsonValue),
      after: entry.after === undefined ? undefined : (entry.after as Prisma.InputJsonValue),
    },
  });
}
