// The notification outbox. planNotifications turns an event into one row per (event, recipient,
// channel) the recipients chose, held until their working hours when it is not urgent;
// deliverNotification sends one row through its channel exactly once in effect; and
// notificationFailed records a final failure, disabling a webhook that keeps failing and telling
// its owner. The workflow schedules deliveries and retries them (with backoff, for up to a day).
// A reminder overtaken by its deadline is dropped instead of sent, when it is planned and again
// when it is due to go out. What a message says beyond the event (who acted, the brief's
// description and deadlines) is read from the read model at delivery: the workflow's payloads
// stay small.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import type { OutboundPolicy } from '../lib/outbound';
import { createActionLink } from '../services/action-links';
import { memberTimeZone, quietHoursCalendar } from '../services/member-zone';
import { decodeSnapshot, SnapshotDecodeError } from '../services/snapshot';
import type { BriefState, Clock } from '../workflows/domain/brief';
import type { TimelineEvent } from '../workflows/domain/events';
import { nextWorkingInstant } from '../workflows/domain/calendar';
import { parseDuration } from '../workflows/domain/duration';
import { isUrgent, notificationEventOf, preferencesOf, type Channel, type NotificationEvent } from '../workflows/domain/notifications';
import { sendChat } from './notifications/chat';
import { DeliveryError, classifyError } from './notifications/delivery-errors';
import type { Mailer } from './notifications/mailer';
import { renderNotification, STEP_CLOCK, type ActorName, type BriefContent } from './notifications/templates';
import { sendWebhook } from './notifications/webhook';
import { outboxKey } from './outbox-keys';
import { resolveRecipients } from './recipients';
import { deliverProgramHeldNotice } from './program-held-notice';
import { deliverScorecardEmail } from './scorecard-emails';
import { PROGRAM_HELD_NOTICE_EVENT } from '../workflows/program/definitions';
import { SCORECARD_EVENT } from '../workflows/scorecards/definitions';
import type { PlanInput, PlannedDelivery } from './types';

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
  /** Which addresses webhooks and chat posts may reach (public ones and those the operator allowed). */
  outbound: OutboundPolicy;
}

interface Payload {
  event: TimelineEvent;
  notificationEvent: NotificationEvent;
  brief: PlanInput['brief'];
}

/** Rows that are settled: never planned or sent again. `dropped`: a reminder overtaken by its deadline. */
const DONE = new Set(['sent', 'failed', 'dropped', 'unconfirmed']);

/**
 * The instant a message goes out: the worker's clock, or the Temporal server's when that runs
 * ahead (a worker whose clock lags; the time-skipping test server, whose time jumps).
 */
function sendingInstant(): number {
  return Math.max(Date.now(), Context.current().info.currentAttemptScheduledTimestampMs);
}

/** The brief's state as the read model last recorded it; undefined before it is recorded. */
async function recordedState(prisma: PrismaClient, briefId: string): Promise<BriefState | undefined> {
  const row = await prisma.brief.findUnique({ where: { id: briefId }, select: { snapshot: true } });
  try {
    return row ? decodeSnapshot(briefId, row.snapshot) : undefined;
  } catch (err) {
    // No retry reads it better: the notification is given up on and recorded as failed, with why.
    if (err instanceof SnapshotDecodeError) throw ApplicationFailure.create({ type: 'UnreadableSnapshot', message: err.message, nonRetryable: true });
    throw err;
  }
}

/**
 * Why a reminder is no longer worth sending at `sendAt`, or undefined while it is: one that would
 * arrive at or after its deadline, or whose clock has breached meanwhile, asks for something that
 * can no longer be done in time (the breach's escalation tells how late the step is instead).
 * Other notifications are never stale.
 */
function staleReminder(payload: Payload, sendAt: number, state: BriefState | undefined): string | undefined {
  // Reminders are of sla_warning events.
  if (payload.notificationEvent !== 'reminder' || payload.event.type !== 'sla_warning') return undefined;
  const { data } = payload.event;
  const dueAt = typeof data.dueAt === 'string' ? Date.parse(data.dueAt) : NaN;
  if (dueAt <= sendAt) return `overtaken by its deadline: due ${new Date(dueAt).toISOString()}, to be sent ${new Date(sendAt).toISOString()}`;
  const name = data.clock;
  const clock: Clock | undefined = name === 'acknowledge' || name === 'deliver' || name === 'review' ? state?.clocks[name] : undefined;
  if (clock?.breachedAt && (data.round === undefined || clock.round === data.round)) return `overtaken by the breach of the ${name} clock at ${clock.breachedAt}`;
  return undefined;
}

const liveDue = (clock: Clock): string | null => (clock.phase === 'running' || clock.phase === 'paused' ? clock.dueAt : null);

/** What the assignment email says the brief asks: description, deliverables, and the delivery's deadline. */
function briefContent(state: BriefState): BriefContent {
  const { brief, clocks } = state;
  const deliverDueAt = brief.dueAt ?? liveDue(clocks.deliver);
  const target = brief.targetOverrides?.deliver ?? brief.sla?.policyTargets.deliver[brief.priority];
  const targetMs = (target ? parseDuration(target) : undefined) ?? clocks.deliver.targetMs;
  return {
    description: brief.description ?? '',
    deliverables: brief.deliverables ?? [],
    deliverDueAt,
    // Clocks under a calendar other than the built-in 24x7 count working time only.
    deliverTarget: deliverDueAt || !targetMs ? null : { ms: targetMs, workingTime: !!brief.sla?.calendarId },
  };
}

/** The member an event's actor names, as readers know them; undefined for the clocks and for members gone. */
async function actorOf(prisma: PrismaClient, event: TimelineEvent): Promise<ActorName | undefined> {
  if (!event.actor) return undefined;
  const member = await prisma.member.findUnique({ where: { id: event.actor }, include: { party: true } });
  return member ? { name: member.name, partyName: member.party.name } : undefined;
}

export const createPlanNotifications =
  ({ prisma }: Pick<OutboxDeps, 'prisma'>) =>
  async (input: PlanInput): Promise<PlannedDelivery[]> => {
    const { event, brief, workflowId, branch } = input;
    const notificationEvent = notificationEventOf(event.type);
    if (!notificationEvent) return [];
    const recipients = await resolveRecipients(prisma, input);
    const members = await prisma.member.findMany({ where: { id: { in: recipients.map((r) => r.id) } }, include: { party: true } });
    // Quiet hours count from when the event happened, so a retried plan holds the same rows as long.
    const now = Date.parse(event.at);
    const state = notificationEvent === 'reminder' ? await recordedState(prisma, brief.id) : undefined;
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
      const dropped = notificationEvent === 'reminder' ? staleReminder(payload, holdUntil?.getTime() ?? Math.max(now, sendingInstant()), state) : undefined;
      for (const channel of channels) {
        const { idempotencyKey, id } = await keyOnBranch(prisma, { workflowId, event, recipientId: member.id, channel, branch });
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
            status: dropped ? 'dropped' : holdUntil ? 'held' : 'pending',
            holdUntil: dropped ? null : holdUntil,
            // A dropped row's reason is kept where a failed row's error is.
            lastError: dropped ?? null,
            payload: payload as object,
          },
          update: {},
        });
        if (!DONE.has(row.status)) planned.push({ id: row.id, notBefore: row.holdUntil ? row.holdUntil.toISOString() : null });
      }
    }
    return planned;
  };

/**
 * The outbox key of an event's row. On a branch of history (after a reset) an event the reset did
 * not undo keeps its row (the same type at the same instant under the same sequence number: it was
 * planned before the reset, or replayed since); one that takes an undone event's place gets a key
 * of the branch.
 */
async function keyOnBranch(
  prisma: PrismaClient,
  { workflowId, event, recipientId, channel, branch }: { workflowId: string; event: TimelineEvent; recipientId: string; channel: Channel; branch: string | undefined },
): Promise<{ idempotencyKey: string; id: string }> {
  const plain = outboxKey(workflowId, event.seq, recipientId, channel);
  if (!branch) return plain;
  const before = await prisma.notification.findUnique({ where: { idempotencyKey: plain.idempotencyKey }, select: { payload: true } });
  const planned = (before?.payload as Payload | null | undefined)?.event;
  if (planned && planned.type === event.type && planned.at === event.at) return plain;
  return outboxKey(workflowId, event.seq, recipientId, channel, branch);
}

/** The one-click links an email carries: acknowledge for the receiving party, approve and request changes for the reviewer. */
function linkedActions(notificationEvent: NotificationEvent, member: { id: string; role: string; partyId: string }, brief: PlanInput['brief'], reviewPlan: boolean) {
  if (notificationEvent === 'brief_assigned' && member.role === 'member' && member.partyId === brief.partyId) return ['acknowledge'] as const;
  if (notificationEvent === 'delivery_submitted' && member.role === 'manager' && !reviewPlan) return ['approve', 'requestChanges'] as const;
  // A stage of a review plan opens (or a review is handed over): its reviewers decide from the message.
  if (notificationEvent === 'review_requested' && (member.role === 'manager' || member.role === 'admin')) return ['approve', 'requestChanges'] as const;
  return [] as const;
}

export const createDeliverNotification =
  (deps: OutboxDeps) =>
  async ({ id }: { id: string }): Promise<void> => {
    const { prisma, mailer, logger, publicUrl } = deps;
    const row = await prisma.notification.findUnique({ where: { id } });
    if (!row || DONE.has(row.status)) return;
    // The monthly scorecard email is about no brief: its own path (activities/scorecard-emails.ts).
    if (row.event === SCORECARD_EVENT) return deliverScorecardEmail(deps, row, Context.current().info.attempt);
    // So is a program's notice to its owner (activities/program-held-notice.ts).
    if (row.event === PROGRAM_HELD_NOTICE_EVENT) return deliverProgramHeldNotice(deps, row, Context.current().info.attempt);
    const payload = row.payload as unknown as Payload;
    const sentAt = sendingInstant();
    const channel = row.channel as Channel;
    // The brief as recorded: a reminder's staleness and a message's deadlines and content need it;
    // a webhook carries the event alone.
    const state = payload.notificationEvent === 'reminder' || channel !== 'webhook' ? await recordedState(prisma, payload.brief.id) : undefined;
    // A reminder held (quiet hours) or retried past its deadline is dropped, not sent late; once a
    // send may have begun (the row is claimed), it is finished instead, so that what a receiver
    // got is never recorded as dropped.
    const stale = row.status === 'sending' ? undefined : staleReminder(payload, sentAt, state);
    if (stale) {
      await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held'] } }, data: { status: 'dropped', lastError: stale } });
      logger.info({ notificationId: row.id, reason: stale }, 'reminder dropped');
      return;
    }
    const member = await prisma.member.findUniqueOrThrow({ where: { id: row.recipientId }, include: { party: true } });
    // A member deactivated since the notification was planned receives nothing; it is not retried.
    if (member.deactivatedAt) {
      await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held', 'sending'] } }, data: { status: 'dropped', lastError: 'the recipient is deactivated' } });
      logger.info({ notificationId: row.id }, 'notification dropped: the recipient is deactivated');
      return;
    }
    const base = publicUrl.replace(/\/$/, '');
    /** What machines follow (webhooks): the API's brief, read with a key. */
    const apiUrl = `${base}/v1/briefs/${payload.brief.id}`;
    const attempt = Context.current().info.attempt;

    /** The links of an email or chat message: the same ones on every attempt. */
    const links = async (): Promise<{ view: string; actions: Record<string, string> }> => {
      const secret = await deps.actionLinkSecret();
      const link = (action: Parameters<typeof createActionLink>[1]['action']) =>
        createActionLink(prisma, { secret, publicUrl: base, notificationId: row.id, briefId: payload.brief.id, memberId: member.id, action, ttlMs: deps.actionLinkTtlMs });
      const actions: Record<string, string> = {};
      for (const action of linkedActions(payload.notificationEvent, member, payload.brief, state?.brief.reviewPlan !== undefined)) actions[action] = await link(action);
      // People open the brief in a browser: its signed, read-only page, no key needed.
      return { view: await link('view'), actions };
    };
    const stepClock = STEP_CLOCK[payload.notificationEvent];
    /** The message people read (email, chat), in the recipient's language and time zone. */
    const render = async () => {
      const briefParty = await prisma.party.findUnique({ where: { id: payload.brief.partyId } });
      const timezone = await memberTimeZone(prisma, member);
      const { view, actions } = await links();
      return renderNotification({
        event: payload.event,
        notificationEvent: payload.notificationEvent,
        brief: payload.brief,
        partyName: briefParty?.name ?? payload.brief.partyId,
        recipient: { name: member.name, locale: member.locale, timezone },
        briefUrl: view,
        actionLinks: actions,
        actor: await actorOf(prisma, payload.event),
        stepDueAt: stepClock && state ? liveDue(state.clocks[stepClock]) : undefined,
        content: payload.notificationEvent === 'brief_assigned' && state ? briefContent(state) : undefined,
        sentAt,
      });
    };

    // Every send is claimed in the outbox first. An attempt that finds the claim of one that died
    // mid-send (the message may or may not have arrived) sends an email or a webhook again under
    // the same Message-ID or Idempotency-Key, for the receiver to recognise; a chat post has no
    // such key, so it is never posted a second time and is recorded as unconfirmed.
    if (row.status !== 'sending') {
      const { count } = await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held'] } }, data: { status: 'sending' } });
      if (count === 0) return;
    } else if (channel === 'chat') {
      await prisma.notification.updateMany({
        where: { id: row.id, status: 'sending' },
        data: { status: 'unconfirmed', attempts: { increment: 1 }, lastError: 'an earlier attempt stopped while posting; not posted again, so that the channel never shows it twice' },
      });
      logger.warn({ notificationId: row.id, attempt }, 'chat post left unconfirmed by an interrupted attempt');
      return;
    }

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
          body: { id: row.id, event: payload.notificationEvent, briefEvent: payload.event, brief: payload.brief, url: apiUrl },
          outbound: deps.outbound,
        });
        transport = 'http';
      } else {
        if (!member.chatWebhookUrl) throw new DeliveryError('permanent', 'the chat webhook is gone');
        const message = await render();
        await sendChat({ url: member.chatWebhookUrl, message: message.chat, outbound: deps.outbound });
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
  // The settings are changed through the API (with a key): the email names the call and links to its reference, a page a browser shows.
  const settings = `PUT /v1/members/${memberId}/notification-preferences (${deps.publicUrl.replace(/\/$/, '')}/docs)`;
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
      where: { id, status: { in: ['pending', 'held', 'sending'] } },
      data: { status: 'failed', lastError: `gave up: ${error}`.slice(0, 500) },
    });
    const row = await prisma.notification.findUnique({ where: { id } });
    if (count > 0 && row?.channel === 'webhook') await countWebhookFailure(deps, row.recipientId);
  };
