// What a database error means for a retry. Transient failures (the server away, a connection
// dropped, a serialization conflict) pass by themselves; a row the schema refuses (SQLSTATE class
// 22, data exception, or 23, integrity constraint violation) is refused again on every retry.
import { Prisma } from './generated/client';

interface DriverAdapterMeta {
  driverAdapterError?: { cause?: { originalCode?: string; code?: string } };
}

/** The PostgreSQL error code (SQLSTATE) behind an error of the Prisma client, if it carries one. */
export function sqlStateOf(err: unknown): string | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const cause = (err.meta as DriverAdapterMeta | undefined)?.driverAdapterError?.cause;
  return cause?.originalCode ?? cause?.code;
}

/** True when retrying the same write can never succeed: the data breaks a rule of the schema. */
export function isPermanentDatabaseError(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== undefined && /^2[23][0-9A-Z]{3}$/.test(state);
}
