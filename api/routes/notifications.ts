// Notifications: a member's channels per event and delivery settings, their webhook secret, and
// what Handoff sent (or holds, or gave up on) for a brief.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { Router } from 'express';
import type { Prisma } from '../../lib/db/generated/client';
import { BUILT_IN_CALENDAR_ID } from '../../services/policies';
import { ROLES, type BriefEventType, type Role } from '../../workflows/domain/vocabulary';
import {
  defaultPreferences,
  NOTIFICATION_EVENTS,
  notificationEventOf,
  preferencesOf,
  type NotificationEvent,
  type Preferences,
} from '../../workflows/domain/notifications';
import { audit } from '../../services/audit';
import { canSeeParty, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { fieldError, forbidden, notFound, type FieldError } from '../errors';
import { publicDeliveryError } from '../delivery-error-text';
import { apiOutboundPolicy, checkReceiverUrls } from '../receiver-urls';
import type { RouteCatalog } from '../openapi/route';
import {
  BriefNotificationListSchema,
  BriefNotificationParams,
  MemberParams,
  PreferencesSchema,
  UpdatePreferencesBody,
  WebhookSecretSchema,
} from './notifications.schemas';

interface MemberRow {
  id: string;
  role: string;
  locale: string;
  timezone: string | null;
  calendarId: string | null;
  webhookUrl: string | null;
  chatWebhookUrl: string | null;
  webhookSecret: string | null;
  webhookDisabledAt: Date | null;
  notificationPreferences: unknown;
  scorecardEmail: boolean;
}

/** The overrides a member stored, only of events and channels that exist. */
function storedOf(row: MemberRow): Partial<Preferences> {
  const stored = row.notificationPreferences;
  if (!stored || typeof stored !== 'object') return {};
  return Object.fromEntries(Object.entries(stored).filter(([event, channels]) => NOTIFICATION_EVENTS.includes(event as NotificationEvent) && Array.isArray(channels)));
}

/** A member's preferences as the API shows them: never the webhook secret, only whether there is one. */
export function preferencesJson(row: MemberRow) {
  const role = row.role as Role;
  return {
    channels: preferencesOf(role, storedOf(row)),
    defaults: defaultPreferences(role),
    locale: row.locale,
    timezone: row.timezone,
    calendarId: row.calendarId,
    webhookUrl: row.webhookUrl,
    chatWebhookUrl: row.chatWebhookUrl,
    webhookEnabled: row.webhookUrl !== null && row.webhookDisabledAt === null,
    hasWebhookSecret: row.webhookSecret !== null,
    scorecardEmail: row.scorecardEmail,
  };
}

/**
 * The preferences body's problems, each offending field named as a path into it: array items by
 * index (body.channels.reminder[0]), unknown keys by name (body.channels.sms_sent).
 */
function preferenceProblems(error: z.ZodError): FieldError[] {
  const pathOf = (segments: PropertyKey[]) => segments.reduce<string>((path, s) => (typeof s === 'number' ? `${path}[${s}]` : `${path}.${String(s)}`), 'body');
  const all = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: issue.path.length ? 'not a notification event' : 'not a preference' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
  // A nullable field can fail twice (not a list, not null): name it once.
  return all.filter((e, i) => all.findIndex((other) => other.path === e.path) === i);
}

/** A notification's event as a notification event type: older rows hold the brief event's type. */
function eventOf(stored: string): string {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(stored) ? stored : (notificationEventOf(stored as BriefEventType) ?? stored);
}

export function notificationsRouter({ db, logger, config, outbound }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const outboundChecks = apiOutboundPolicy({ config, outbound });
  const router = Router();

  /** A member's notification settings are the member's own and admins'. */
  async function ownRecord(caller: Caller, memberId: string) {
    const member = await prisma.member.findUnique({ where: { id: memberId } });
    if (!member || (caller.role !== 'admin' && caller.memberId !== member.id)) {
      if (member && canSeeParty(caller, member.partyId)) throw forbidden("only admins and the member themself manage a member's notifications");
      throw notFound('member');
    }
    return member;
  }

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/members/:id/notification-preferences',
      operationId: 'getNotificationPreferences',
      summary: "Read a member's notification preferences",
      description: "Channels per notification event (the role's defaults where the member has not chosen), and the delivery settings. Admins, or the member themself.",
      tag: 'Notifications',
      roles: ROLES,
      params: MemberParams,
      resource: ({ id }, caller) => ownRecord(caller, id),
      responses: { 200: { description: 'The preferences', schema: PreferencesSchema } },
    },
    ({ resource: member }, _req, res) => {
      res.json(preferencesJson(member));
    },
  );

  catalog.route(
    router,
    {
      method: 'put',
      path: '/v1/members/:id/notification-preferences',
      operationId: 'updateNotificationPreferences',
      summary: "Change a member's notification preferences",
      description:
        'Fields left out stay as they are. Setting webhookUrl (also to the same URL) re-enables a webhook that was disabled after repeated failures. A webhookUrl or chatWebhookUrl whose host is, or resolves to, an internal address (loopback, private, link-local, unique-local...) is 400 unless the operator allowed it (HANDOFF_OUTBOUND_ALLOW). Admins, or the member themself.',
      tag: 'Notifications',
      roles: ROLES,
      params: MemberParams,
      body: UpdatePreferencesBody,
      bodyProblems: preferenceProblems,
      resource: ({ id }, caller) => ownRecord(caller, id),
      responses: { 200: { description: 'The preferences after the change', schema: PreferencesSchema } },
    },
    async ({ params: { id }, body, caller, resource: before }, _req, res) => {
      if (body.calendarId && body.calendarId !== BUILT_IN_CALENDAR_ID && !(await prisma.calendar.findUnique({ where: { id: body.calendarId } }))) {
        throw fieldError('body.calendarId', 'no calendar with this id');
      }
      await checkReceiverUrls(outboundChecks, { webhookUrl: body.webhookUrl, chatWebhookUrl: body.chatWebhookUrl });
      const data: Prisma.MemberUpdateInput = {};
      if (body.channels !== undefined) {
        const stored: Record<string, unknown> = { ...storedOf(before) };
        for (const [event, channels] of Object.entries(body.channels)) {
          if (channels === null) delete stored[event];
          else if (channels !== undefined) stored[event] = channels;
        }
        data.notificationPreferences = stored as Prisma.InputJsonValue;
      }
      if (body.locale !== undefined) data.locale = body.locale;
      if (body.timezone !== undefined) data.timezone = body.timezone;
      if (body.calendarId !== undefined) data.calendarId = body.calendarId;
      if (body.chatWebhookUrl !== undefined) data.chatWebhookUrl = body.chatWebhookUrl;
      if (body.scorecardEmail !== undefined) data.scorecardEmail = body.scorecardEmail;
      if (body.webhookUrl !== undefined) Object.assign(data, { webhookUrl: body.webhookUrl, webhookDisabledAt: null, webhookFailures: 0 });
      const unchanged =
        JSON.stringify(preferencesJson({ ...before, ...(data as Partial<MemberRow>) })) === JSON.stringify(preferencesJson(before)) &&
        !(body.webhookUrl !== undefined && (before.webhookDisabledAt !== null || before.webhookFailures !== 0));
      if (unchanged) return void res.json(preferencesJson(before));
      const after = await prisma.$transaction(async (tx) => {
        const updated = await tx.member.update({ where: { id }, data });
        await audit(tx, {
          actorId: caller.memberId,
          action: 'member.notification_preferences_updated',
          targetType: 'member',
          targetId: id,
          before: preferencesJson(before),
          after: preferencesJson(updated),
        });
        return updated;
      });
      res.json(preferencesJson(after));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/webhook-secret',
      operationId: 'createWebhookSecret',
      summary: "Create (or rotate) a member's webhook secret",
      description:
        'Webhooks are signed with it (Handoff-Signature: HMAC-SHA256 over the timestamp and the body). The secret is shown once, in this answer; a new one replaces the previous one at once. Admins, or the member themself.',
      tag: 'Notifications',
      roles: ROLES,
      params: MemberParams,
      resource: ({ id }, caller) => ownRecord(caller, id),
      idempotent: true,
      responses: { 201: { description: 'The new secret', schema: WebhookSecretSchema } },
    },
    async ({ params: { id }, caller, resource: before }, _req, res) => {
      res.locals.secretFields = ['secret'];
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const createdAt = new Date();
      await prisma.$transaction(async (tx) => {
        await tx.member.update({ where: { id }, data: { webhookSecret: secret, webhookSecretCreatedAt: createdAt } });
        await audit(tx, {
          actorId: caller.memberId,
          action: before.webhookSecret ? 'member.webhook_secret_rotated' : 'member.webhook_secret_created',
          targetType: 'member',
          targetId: id,
          before: { hasWebhookSecret: before.webhookSecret !== null, createdAt: before.webhookSecretCreatedAt?.toISOString() ?? null },
          after: { hasWebhookSecret: true, createdAt: createdAt.toISOString() },
        });
      });
      logger.info({ memberId: id, by: caller.memberId }, 'webhook secret created');
      res.status(201).json({ secret, createdAt: createdAt.toISOString() });
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/briefs/:id/notifications',
      operationId: 'listBriefNotifications',
      summary: "List a brief's notifications",
      description: 'Every notification of the brief per recipient and channel, with its delivery state, oldest first.',
      tag: 'Notifications',
      roles: ROLES,
      params: BriefNotificationParams,
      responses: { 200: { description: "The brief's notifications", schema: BriefNotificationListSchema } },
    },
    async ({ params: { id }, caller }, _req, res) => {
      const brief = await prisma.brief.findUnique({ where: { id }, select: { partyId: true } });
      if (!brief || !canSeeParty(caller, brief.partyId)) throw notFound('brief');
      const rows = await prisma.notification.findMany({ where: { briefId: id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      const recipients = await prisma.member.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.recipientId))] } }, select: { id: true, name: true } });
      const names = new Map(recipients.map((m) => [m.id, m.name]));
      res.json({
        items: rows.map((r) => ({
          id: r.id,
          event: eventOf(r.event),
          eventSeq: r.eventSeq,
          recipientId: r.recipientId,
          recipientName: names.get(r.recipientId) ?? null,
          channel: r.channel,
          status: r.status,
          attempts: r.attempts,
          // A dropped row keeps its reason where a failed one keeps its error. The error's detail
          // (addresses, host names) is for admins; everyone else reads what kind of failure it was.
          lastError: r.status === 'dropped' || r.lastError === null ? null : caller.role === 'admin' ? r.lastError : publicDeliveryError(r.lastError),
          reason: r.status === 'dropped' ? r.lastError : null,
          holdUntil: r.holdUntil?.toISOString() ?? null,
          createdAt: r.createdAt.toISOString(),
          sentAt: r.sentAt?.toISOString() ?? null,
        })),
      });
    },
  );

  return router;
}
