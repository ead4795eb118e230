// Activities that write the read model or the outbox retry while the database is away. A write
// the database refuses for good (lib/db/errors.ts) would be retried forever and block the brief:
// such an activity records what it could not write in activity_failures, for admins to see and
// repair, and fails as non-retryable; the workflow carries on without that write.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../lib/db/database';
import { isPermanentDatabaseError, sqlStateOf } from '../lib/db/errors';
import { newId } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { PERMANENT_DATABASE_ERROR } from './types';


/** The longest detail kept: the input of a failed write, cut to what an admin can read. */
const DETAIL_LIMIT = 64_000;

/** Text PostgreSQL accepts whatever it holds (no NUL characters), cut to `limit`. */
function storable(text: string, limit: number): string {
  return text.replaceAll('\u0000', '\uFFFD').slice(0, limit);
}

export interface PermanentFailureDeps {
  prisma: PrismaClient;
  logger: Logger;
}

/** Wraps an activity so that a permanent database error is recorded and ends its retries. */
export function failingPermanently<I, O>(
  name: string,
  { prisma, logger }: PermanentFailureDeps,
  activity: (input: I) => Promise<O>,
  briefIdOf: (input: I) => string | undefined,
): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (err) {
      if (!isPermanentDatabaseError(err)) throw err;
      const sqlState = sqlStateOf(err) ?? null;
      const error = storable(err instanceof Error ? err.message.split('\n').filter(Boolean).pop() ?? err.message : String(err), 2_000);
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
      // If this write fails too (the database went away meanwhile), the activity is retried and
      // meets the same refusal again, so nothing is lost.
      await prisma.activityFailure.create({
        data: { id: newId(), activity: name, workflowId, briefId: briefIdOf(input) ?? null, sqlState, error, detail: storable(JSON.stringify(input), DETAIL_LIMIT) },
      });
      logger.error({ activity: name, workflowId, sqlState, error }, 'the database refused a write for good; recorded in activity_failures');
      throw ApplicationFailure.create({ type: PERMANENT_DATABASE_ERROR, message: `${name}: ${error}`, nonRetryable: true });
    }
  };
}
