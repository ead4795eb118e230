// The zod schemas of the notification routes: a member's channels per notification event and
// delivery settings, their webhook secret, and the notifications of a brief.
import { z } from 'zod';
import { CHANNELS, NOTIFICATION_EVENTS, type NotificationEvent } from '../../workflows/domain/notifications';
import { isValidTimeZone } from '../../workflows/domain/calendar';
import { idString } from '../validate';

const Id = idString().meta({ example: '7d3b6a52-3f1e-4c43-9a55-0f5c1b7e2a10' });
const Timestamp = z.iso.datetime().meta({ example: '2026-11-26T09:00:00.000Z' });

export const MemberParams = z.object({ id: Id });
export const BriefNotificationParams = z.object({ id: Id });

export const TimeZone = z
  .string()
  .max(100)
  .refine(isValidTimeZone, 'an IANA time zone such as Europe/Berlin')
  .meta({ description: 'IANA time zone the notifications show times in.', example: 'Europe/Berlin' });
export const WebhookUrl = z.url({ protocol: /^https?$/ }).max(2000).meta({ example: 'https://hooks.pixelwerk.example/handoff' });
export const ChatWebhookUrl = z.url({ protocol: /^https?$/ }).max(2000).meta({ description: 'A Slack-compatible incoming webhook.', example: 'https://chat.example/hooks/T000/B000/XXXX' });
export const CalendarId = idString().meta({ description: 'A calendar for quiet hours (`24x7` for none); null: the party\'s.', example: '24x7' });

const Channel = z.enum(CHANNELS);
const ChannelList = z
  .array(Channel)
  .max(CHANNELS.length)
  .refine((list) => new Set(list).size === list.length, 'must not name a channel twice')
  .meta({ example: ['email', 'chat'] });

const perEvent = <T extends z.ZodType>(schema: T) => Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, schema])) as Record<NotificationEvent, T>;

const ChannelsSchema = z.object(perEvent(z.array(Channel))).meta({ id: 'NotificationChannels', description: 'The channels of every notification event.' });

export const UpdatePreferencesBody = z
  .strictObject({
    channels: z
      .strictObject(perEvent(ChannelList.nullable().optional()))
      .optional()
      .meta({
        description: 'Channels per notification event; events left out keep theirs, null puts an event back to the role\'s default, [] turns it off.',
        example: { reminder: ['email'], comment: [] },
      }),
    locale: z.enum(['de', 'en']).optional(),
    timezone: TimeZone.nullable().optional(),
    calendarId: CalendarId.nullable().optional(),
    webhookUrl: WebhookUrl.nullable().optional().meta({ description: 'Setting it (again) re-enables a webhook disabled after repeated failures.' }),
    chatWebhookUrl: ChatWebhookUrl.nullable().optional(),
    scorecardEmail: z.boolean().optional().meta({ description: 'Receive the monthly scorecard email (sent to party leads and managers who opt in).' }),
  })
  .meta({ id: 'UpdateNotificationPreferences' });
export type UpdatePreferences = z.infer<typeof UpdatePreferencesBody>;

export const PreferencesSchema = z
  .object({
    channels: ChannelsSchema,
    defaults: ChannelsSchema.meta({ description: "The member's role's defaults." }),
    locale: z.enum(['de', 'en']),
    timezone: z.string().nullable(),
    calendarId: z.string().nullable(),
    webhookUrl: z.string().nullable(),
    chatWebhookUrl: z.string().nullable(),
    webhookEnabled: z.boolean().meta({ description: 'A webhook URL is set and has not been disabled after repeated failures.' }),
    hasWebhookSecret: z.boolean().meta({ description: 'Whether webhooks are signed; the secret itself is shown only when it is created.' }),
    scorecardEmail: z.boolean().meta({
      description: "Opted in to the monthly scorecard email: a party's lead gets the party's scorecard, a manager the comparison of all parties (by email, at the start of each month). Off by default.",
    }),
  })
  .meta({ id: 'NotificationPreferences' });

export const WebhookSecretSchema = z
  .object({
    secret: z.string().nullable().meta({ description: 'Signs webhooks (Handoff-Signature). Shown only in this answer (null when an Idempotency-Key replays it).', example: 'whsec_q0rP9dY3g7wV1zL5nE2xA8sK4mB6tH0cJ9uF3iO7yRw' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'WebhookSecret' });

/**
 * `dropped`: never sent, on purpose (a reminder overtaken by its deadline); `reason` says why.
 * `sending`: a chat post under way; `unconfirmed`: a chat post whose attempt stopped mid-post (a
 * worker killed), not posted again so that the channel never shows it twice.
 */
export const NOTIFICATION_STATUSES = ['pending', 'held', 'sending', 'sent', 'unconfirmed', 'failed', 'dropped'] as const;

export const BriefNotificationSchema = z
  .object({
    id: Id,
    event: z.enum(NOTIFICATION_EVENTS),
    eventSeq: z.number().int().nullable().meta({ description: 'The timeline event it is about.' }),
    recipientId: Id,
    recipientName: z.string().nullable(),
    channel: z.enum(CHANNELS),
    status: z.enum(NOTIFICATION_STATUSES).meta({
      description:
        'pending (to be sent), held (quiet hours, until holdUntil), sending (a chat post under way), sent, unconfirmed (a chat post whose attempt ' +
        'stopped mid-post: maybe in the channel, never posted twice), failed (given up on: see lastError), dropped (never sent on purpose: see reason).',
    }),
    attempts: z.number().int(),
    lastError: z.string().nullable().meta({ description: "Why the last attempt failed: the stored detail for admins, its kind for everyone else (such as 'webhook answered 404', 'connection refused', 'timed out', 'address not allowed')." }),
    reason: z.string().nullable().meta({
      description: 'Why a dropped notification was not sent, e.g. a reminder overtaken by its deadline.',
      example: 'overtaken by its deadline: due 2026-11-27T17:20:00.000Z, to be sent 2026-11-27T18:05:00.000Z',
    }),
    holdUntil: Timestamp.nullable().meta({ description: "Held until the recipient's working hours." }),
    createdAt: Timestamp,
    sentAt: Timestamp.nullable(),
  })
  .meta({ id: 'BriefNotification' });

export const BriefNotificationListSchema = z.object({ items: z.array(BriefNotificationSchema) }).meta({ id: 'BriefNotificationList' });
