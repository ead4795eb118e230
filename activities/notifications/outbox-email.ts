// Sends one outbox row that is an email about no brief (the monthly scorecard, a program's notice
// to its owner) once in effect: the row is claimed first, as every send is, and sent under its id
// as Message-ID, so an attempt that finds the claim of one that died mid-send sends again under the
// same id for the mail server to recognise. A permanent failure records the row failed; a
// transient one puts it back and throws for Temporal to retry.
import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../../lib/db/database';
import type { Notification } from '../../lib/db/generated/client';
import type { Logger } from '../../lib/logger';
import { DeliveryError, classifyError } from './delivery-errors';
import type { Mailer } from './mailer';

export interface OutboxEmailDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
}

/** An email as a template renders it. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface OutboxEmail extends RenderedEmail {
  to: string;
}

/** `what` names the email in the log (e.g. "scorecard email"); `compose` runs once the row is claimed. */
export async function sendOutboxEmail({ prisma, mailer, logger }: OutboxEmailDeps, row: Notification, attempt: number, what: string, compose: () => Promise<OutboxEmail>): Promise<void> {
  if (row.status !== 'sending') {
    const { count } = await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held'] } }, data: { status: 'sending' } });
    if (count === 0) return;
  }
  try {
    const email = await compose();
    const { transport } = await mailer.send({ ...email, idempotencyKey: row.id });
    await prisma.notification.update({ where: { id: row.id }, data: { status: 'sent', transport, attempts: { increment: 1 }, sentAt: new Date(), lastError: null } });
  } catch (err) {
    const failure = err instanceof DeliveryError ? err : classifyError(err);
    const message = failure.message.slice(0, 500);
    logger.warn({ notificationId: row.id, channel: 'email', attempt, kind: failure.kind, error: message }, `${what} not delivered`);
    if (failure.kind === 'permanent') {
      await prisma.notification.update({ where: { id: row.id }, data: { status: 'failed', attempts: { increment: 1 }, lastError: message } });
      return;
    }
    await prisma.notification.update({ where: { id: row.id }, data: { status: 'pending', attempts: { increment: 1 }, lastError: message } });
    throw ApplicationFailure.create({ type: 'TransientDeliveryFailure', message, ...(failure.retryAfterMs !== undefined ? { nextRetryDelay: failure.retryAfterMs } : {}) });
  }
}
