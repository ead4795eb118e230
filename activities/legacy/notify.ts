// How briefs started before the notification outbox notify: one activity per event that sends
// by email and, where the recipient has one, by webhook. Only briefs without the
// 'notification-outbox' patch call it; nothing else may import from activities/legacy (a lint rule holds it).
// Each (event, recipient, channel) has one notification row keyed by workflow id, event
// sequence, recipient and channel: a retried activity skips what was already sent.
import { Context } from '@temporalio/activity';
import type { PrismaClient } from '../../lib/db/database';
import type { Logger } from '../../lib/logger';
import type { OutboundPolicy } from '../../lib/outbound';
import type { Mailer } from '../notifications/mailer';
import { outboxKey } from '../outbox-keys';
import { resolveRecipients } from '../recipients';
import { renderMessage } from './messages';
import { PermanentDeliveryError } from '../notifications/delivery-errors';
import { postWebhook } from './post-webhook';
import type { NotifyInput } from '../types';

export interface NotifyDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  outbound: OutboundPolicy;
}

const DONE = new Set(['sent', 'failed']);

export const createNotify =
  ({ prisma, mailer, logger, publicUrl, outbound }: NotifyDeps) =>
  async (input: NotifyInput): Promise<void> => {
    const { event, brief, workflowId } = input;
    const attempt = Context.current().info.attempt;
    const finalAttempt = attempt >= input.maxAttempts;
    const briefUrl = `${publicUrl.replace(/\/$/, '')}/v1/briefs/${brief.id}`;
    const recipients = await resolveRecipients(prisma, input);
    const failures: string[] = [];

    for (const recipient of recipients) {
      const channels = recipient.webhookUrl ? (['email', 'webhook'] as const) : (['email'] as const);
      for (const channel of channels) {
        const { idempotencyKey, id } = outboxKey(workflowId, event.seq, recipient.id, channel);
        const row = await prisma.notification.upsert({
          where: { idempotencyKey },
          create: {
            id,
            idempotencyKey,
            briefId: brief.id,
            event: event.type,
            recipientId: recipient.id,
            channel,
            status: 'pending',
          },
          update: {},
        });
        if (DONE.has(row.status)) continue;
        try {
          let transport: string;
          if (channel === 'email') {
            const message = renderMessage(input, recipient.locale, briefUrl);
            transport = (await mailer.send({ to: recipient.email, ...message, idempotencyKey: row.id })).transport;
          } else {
            await postWebhook(recipient.webhookUrl as string, idempotencyKey, { event, brief, url: briefUrl }, outbound);
            transport = 'http';
          }
          await prisma.notification.update({
            where: { id: row.id },
            data: { status: 'sent', transport, attempts: { increment: 1 }, sentAt: new Date(), lastError: null },
          });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          const permanent = err instanceof PermanentDeliveryError;
          await prisma.notification.update({
            where: { id: row.id },
            data: { status: permanent || finalAttempt ? 'failed' : 'pending', attempts: { increment: 1 }, lastError: message.slice(0, 500) },
          });
          logger.warn({ notificationId: row.id, channel, attempt, permanent, error: message }, 'notification not delivered');
          if (!permanent) failures.push(`${row.id}: ${message}`);
        }
      }
    }
    if (failures.length && !finalAttempt) throw new Error(`notifications not yet delivered: ${failures.join('; ')}`);
  };

