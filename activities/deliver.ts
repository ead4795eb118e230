// The notification outbox. planNotifications turns an event into one row per (event, recipient,
// channel) the recipients chose, held until their working hours when it is not urgent;
// deliverNotification sends one row through its channel exactly once in effect; and
// notificationFailed records a final failure, disabling a webhook that keeps failing and telling
// its owner. The workflow schedules deliveries and retries them (with backoff, for up to a day).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import { createActionLink } from '../lib/action-links';
import type { Audience } from '../workflows/domain/audience';
import type { BriefView, TimelineEvent } from '../workflows/domain/brief';
import { CALENDAR_24X7, nextWorkingInstant, type Calendar } from '../workflows/domain/calendar';
import { isUrgent, notificationEventOf, preferencesOf, type Channel, type NotificationEvent } from '../workflows/domain/notifications';
import { sendChat } from './notifications/chat';
import { DeliveryError, classifyError } from './notifications/delivery-errors';
import type { Mailer } from './notifications/mailer';
import { renderNotification } from './notifications/templates';
import { sendWebhook } from './notifications/webhook';
import { outboxKey, resolveRecipients } from './notify';

export interface OutboxDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
  /** Signs the one-click links in emails. */
  actionLinkSecret: () => Promise<string>;
  actionLinkTtlMs: number;
  /** A member's webhook is disabled after this many notifications in a row failed for good. */
  webhookDisableAfter: number;
}

export interface PlanInput {
  workflowId: string;
  event: TimelineEvent;
  audience: Audience[];
  brief: Pick<BriefView, 'id' | 'title' | 'partyId' | 'managerId' | 'reviewerId' | 'priority' | 'status' | 'dueAt'>;
}

export interface PlannedDelivery {
  id: string;
  /** Held until then (the recipient's working hours); null to send at once. */
  notBefore: string | null;
}

interface Payload {
  event: TimelineEvent;
  notificationEvent: NotificationEvent;
  brief: PlanInput['brief'];
}

const DONE = new Set(['sent', 'failed']);

function calendarOf(row: { name: string; timezone: string; workingHours: unknown; holidays: unknown } | null): Calendar | undefined {
  if (!row) return undefined;
  return { name: row.name, timezone: row.timezone, workingHours: row.workingHours as Calendar['workingHours'], holidays: row.holidays as string[] };
}

/** The working hours a member's quiet hours follow: their own calendar, else their party's; none for 24x7. */
async function quietHoursCalendar(prisma: PrismaClient, memberCalendarId: string | null, partyCalendarId: string | null): Promise<Calendar | undefined> {
  const id = memberCalendarId ?? partyCalendarId;
  if (!id || id === '24x7') return undefined;
  return calendarOf(await prisma.calendar.findUnique({ where: { id } }));
}

export const createPlanNotifications =
  ({ prisma }: Pick<OutboxDeps, 'prisma'>) =>
  async (input: PlanInput): Promise<PlannedDelivery[]> => {
    const { event, brief, workflowId } = input;
    const notificationEvent = notificationEventOf(event.type);
    if (!notificationEvent) return [];
    const recipients = await resolveRecipients(prisma, input);
    const members = await prisma.member.findMany({ where: { id: { in: recipients.map((r) => r.id) } }, include: { party: true } });
    // Quiet hours count from when the event happened, so a retried plan holds the same rows as long.
    const now = Date.parse(event.at);
    const planned: PlannedDelivery[] = [];
    for (const member of members) {
      const wanted = preferencesOf(member.role, member.notificationPreferences as Record<string, Channel[]> | null)[notificationEvent] ?? [];
      const available: Record<Channel, boolean> = {
        email: !!member.email,
        webhook: !!member.webhookUrl && !member.webhookDisabledAt,
        chat: !!member.chatWebhookUrl,
      };
      const channels = wanted.filter((c) => available[c]);
      if (channels.length === 0) continue;
      let holdUntil: Date | null = null;
      if (!isUrgent(notificationEvent, brief.priority)) {
        const calendar = await quietHoursCalendar(prisma, member.calendarId, member.party.calendarId);
        const next = calendar ? nextWorkingInstant(calendar, now) : now;
        if (next > now) holdUntil = new Date(next);
      }
      const payload: Payload = { event, notificationEvent, brief };
      for (const channel of channels) {
        const { idempotencyKey, id } = outboxKey(workflowId, event.seq, member.id, channel);
        const row = await prisma.notification.upsert({
          where: { idempotencyKey },
          create: {
            id,
            idempotencyKey,
            briefId: brief.id,
            event: notificationEvent,
            eventSeq: event.seq,
            recipientId: member.id,
            channel,
            status: holdUntil ? 'held' : 'pending',
            holdUntil,
            payload: payload as object,
          },
          update: {},
        });
        if (!DONE.has(row.status)) planned.push({ id: row.id, notBefore: row.holdUntil ? row.holdUntil.toISOString() : null });
      }
    }
    return planned;
  };

/** The one-click links an email carries: acknowledge for the receiving party, approve and request changes for the reviewer. */
function linkedActions(notificationEvent: NotificationEvent, member: { id: string; role: string; partyId: string }, brief: PlanInput['brief']) {
  if (notificationEvent === 'brief_assigned' && member.role === 'member' && member.partyId === brief.partyId) return ['acknowledge'] as const;
  if (notificationEvent === 'delivery_submitted' && member.role === 'manager') return ['approve', 'requestChanges'] as const;
  return [] as const;
}

export const createDeliverNotification =
  (deps: OutboxDeps) =>
  async ({ id }: { id: string }): Promise<void> => {
    const { prisma, mailer, logger, publicUrl } = deps;
    const row = await prisma.notification.findUnique({ where: { id } });
    if (!row || DONE.has(row.status)) return;
    const payload = row.payload as unknown as Payload;
    const member = await prisma.member.findUniqueOrThrow({ where: { id: row.recipientId }, include: { party: true } });
    const briefParty = await prisma.party.findUnique({ where: { id: payload.brief.partyId } });
    const calendar = await quietHoursCalendar(prisma, member.calendarId, member.party.calendarId);
    const timezone = member.timezone ?? calendar?.timezone ?? CALENDAR_24X7.timezone;
    const base = publicUrl.replace(/\/$/, '');
    const briefUrl = `${base}/v1/briefs/${payload.brief.id}`;
    const channel = row.channel as Channel;
    const attempt = Context.current().info.attempt;

    /** The one-click links of an email or chat message: the same link on every attempt. */
    const actionLinks = async (): Promise<Record<string, string>> => {
      const links: Record<string, string> = {};
      const actions = linkedActions(payload.notificationEvent, member, payload.brief);
      if (actions.length === 0) return links;
      const secret = await deps.actionLinkSecret();
      for (const action of actions) {
        links[action] = await createActionLink(prisma, {
          secret,
          publicUrl: base,
          notificationId: row.id,
          briefId: payload.brief.id,
          memberId: member.id,
          action,
          ttlMs: deps.actionLinkTtlMs,
        });
      }
      return links;
    };
    const render = async () =>
      renderNotification({
        event: payload.event,
        notificationEvent: payload.notificationEvent,
        brief: payload.brief,
        partyName: briefParty?.name ?? payload.brief.partyId,
        recipient: { name: member.name, locale: member.locale, timezone },
        briefUrl,
        actionLinks: await actionLinks(),
      });

    try {
      let transport: string;
      if (channel === 'email') {
        const message = await render();
        transport = (await mailer.send({ to: member.email, subject: message.subject, text: message.text, html: message.html, idempotencyKey: row.id })).transport;
      } else if (channel === 'webhook') {
        if (!member.webhookUrl || member.webhookDisabledAt) throw new DeliveryError('permanent', 'the webhook is disabled or gone');
        await sendWebhook({
          url: member.webhookUrl,
          idempotencyKey: row.idempotencyKey,
          secret: member.webhookSecret,
          event: payload.notificationEvent,
          body: { id: row.id, event: payload.notificationEvent, briefEvent: payload.event, brief: payload.brief, url: briefUrl },
        });
        transport = 'http';
      } else {
        if (!member.chatWebhookUrl) throw new DeliveryError('permanent', 'the chat webhook is gone');
        const message = await render();
        await sendChat({ url: member.chatWebhookUrl, message: message.chat });
        transport = 'chat';
      }
      await prisma.notification.update({
        where: { id: row.id },
        data: { status: 'sent', transport, attempts: { increment: 1 }, sentAt: new Date(), lastError: null },
      });
      if (channel === 'webhook' && member.webhookFailures > 0) await prisma.member.update({ where: { id: member.id }, data: { webhookFailures: 0 } });
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : classifyError(err);
      const message = failure.message.slice(0, 500);
      logger.warn({ notificationId: row.id, channel, attempt, kind: failure.kind, error: message }, 'notification not delivered');
      if (failure.kind === 'permanent') {
        await prisma.notification.update({ where: { id: row.id }, data: { status: 'failed', attempts: { increment: 1 }, lastError: message } });
        if (channel === 'webhook') await countWebhookFailure(deps, member.id);
        return;
      }
      await prisma.notification.update({ where: { id: row.id }, data: { status: 'pending', attempts: { increment: 1 }, lastError: message } });
      throw ApplicationFailure.create({
        type: 'TransientDeliveryFailure',
        message,
        ...(failure.retryAfterMs !== undefined ? { nextRetryDelay: failure.retryAfterMs } : {}),
      });
    }
  };

/**
 * Counts a webhook notification that failed for good; at the threshold the member's webhook is
 * disabled and they are told by email. Setting the webhook URL again enables it.
 */
async function countWebhookFailure(deps: OutboxDeps, memberId: string): Promise<void> {
  const { prisma, mailer, logger } = deps;
  const member = await prisma.member.update({ where: { id: memberId }, data: { webhookFailures: { increment: 1 } } });
  if (member.webhookDisabledAt || member.webhookFailures < deps.webhookDisableAfter) return;
  const { count } = await prisma.member.updateMany({ where: { id: memberId, webhookDisabledAt: null }, data: { webhookDisabledAt: new Date() } });
  if (count === 0) return;
  logger.warn({ memberId, failures: member.webhookFailures }, 'webhook disabled after repeated failures');
  const de = member.locale === 'de';
  const settings = `${deps.publicUrl.replace(/\/$/, '')}/v1/members/${memberId}/notification-preferences`;
  await mailer.send({
    to: member.email,
    subject: de ? '[Handoff] Ihr Webhook wurde deaktiviert' : '[Handoff] Your webhook was disabled',
    text: de
      ? `Hallo ${member.name},\n\n${member.webhookFailures} Benachrichtigungen an ${member.webhookUrl} sind nacheinander endgültig fehlgeschlagen. Der Webhook wurde deaktiviert; E-Mails erhalten Sie weiterhin.\n\nSobald der Empfänger wieder funktioniert, setzen Sie die Webhook-URL erneut: ${settings}\n`
      : `Hello ${member.name},\n\n${member.webhookFailures} notifications in a row to ${member.webhookUrl} failed for good. The webhook was disabled; you still get emails.\n\nOnce the receiver works again, set the webhook URL again: ${settings}\n`,
    idempotencyKey: `webhook-disabled-${memberId}-${member.webhookFailures}`,
  });
}

export const createNotificationFailed =
  (deps: OutboxDeps) =>
  async ({ id, error }: { id: string; error: string }): Promise<void> => {
    const { prisma } = deps;
    const { count } = await prisma.notification.updateMany({
      where: { id, status: { in: ['pending', 'held'] } },
      data: { status: 'failed', lastError: `gave up: ${error}`.slice(0, 500) },
    });
    const row = await prisma.notification.findUnique({ where: { id } });
    if (count > 0 && row?.channel === 'webhook') await countWebhookFailure(deps, row.recipientId);
  };
