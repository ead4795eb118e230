// The admin audit log: who changed what in the directory and keys, with before and after.
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
