// Notifies the people an event concerns, by email and, where they have one, by webhook.
// Each (event, recipient, channel) has one notification row keyed by workflow id, event
// sequence, recipient and channel: a retried activity skips what was already sent.
import { Context } from '@temporalio/activity';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import type { Audience } from '../workflows/domain/audience';
import { createMailer, type Mailer } from './notifications/mailer';
import { renderMessage, type Locale } from './notifications/messages';
import { PermanentDeliveryError, postWebhook } from './notifications/webhook';
import type { NotifyInput } from './types';

export interface NotifyDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
}

interface Recipient {
  id: string;
  email: string;
  locale: Locale;
  webhookUrl: string | null;
}

const DONE = new Set(['sent', 'failed']);

/**
 * The one outbox row of an event for a recipient and channel: its Idempotency-Key (what webhook
 * receivers see, the same on every attempt) and its row id (the key made safe for ids and file names).
 */
export function outboxKey(workflowId: string, seq: number, recipientId: string, channel: string): { idempotencyKey: string; id: string } {
  const idempotencyKey = `${workflowId}:${seq}:${recipientId}:${channel}`;
  return { idempotencyKey, id: idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_') };
}

export async function resolveRecipients(prisma: PrismaClient, input: Pick<NotifyInput, 'brief' | 'event' | 'audience'>): Promise<Recipient[]> {
  const { brief, event } = input;
  const select = { id: true, email: true, locale: true, webhookUrl: true } as const;
  const byAudience = async (audience: Audience): Promise<Recipient[]> => {
    switch (audience) {
      case 'party_members':
        return prisma.member.findMany({ where: { partyId: brief.partyId, role: 'member' }, select });
      case 'party_leads': {
        const leads = await prisma.member.findMany({ where: { partyId: brief.partyId, isLead: true }, select });
        // A party without a named lead escalates to all of its members.
        return leads.length ? leads : byAudience('party_members');
      }
      case 'manager':
        return prisma.member.findMany({ where: { id: brief.managerId }, select });
      case 'reviewer':
        return prisma.member.findMany({ where: { id: brief.reviewerId ?? brief.managerId }, select });
      case 'watchers':
        return prisma.member.findMany({ where: { role: 'watcher', OR: [{ partyId: brief.partyId }, { party: { kind: 'ecommerce' } }] }, select });
      default:
        return prisma.member.findMany({ where: { id: audience.slice('member:'.length) }, select });
    }
  };
  const all = (await Promise.all(input.audience.map(byAudience))).flat();
  const unique = new Map(all.filter((m) => m.id !== event.actor).map((m) => [m.id, m]));
  return [...unique.values()];
}

export const createNotify =
  ({ prisma, mailer, logger, publicUrl }: NotifyDeps) =>
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
            await postWebhook(recipient.webhookUrl as string, idempotencyKey, { event, brief, url: briefUrl });
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

export type { Mailer };
export { createMailer };
