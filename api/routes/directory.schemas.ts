// The directory's schemas (parties, members, API keys, the audit log) and the JSON it answers
// and audits them as.
import { z } from 'zod';
import { ROLES } from '../../workflows/domain/vocabulary';
import { parseDuration } from '../../workflows/domain/duration';
import { PageQuery } from '../pagination';
import { idString, nonBlankText } from '../validate';
import { CalendarId, ChatWebhookUrl, TimeZone } from './notifications.schemas';

export const PARTY_KINDS = ['ecommerce', 'agency', 'it', 'logistics', 'marketing', 'customer_service', 'supplier', 'marketplace'] as const;
export const SCOPES = ['all', 'party'] as const;

const Scope = z.enum(SCOPES).meta({
  description: "A watcher's scope: `all` reads every party's briefs, escalations, the stream and /metrics, and acknowledges escalations; `party` its own party only. Only watchers may have `all`.",
  example: 'all',
});

const Id = idString().meta({ example: '7d3b6a52-3f1e-4c43-9a55-0f5c1b7e2a10' });
export const IdParams = z.object({ id: Id });
export const KeyParams = z.object({ id: Id, keyId: Id });
const Timestamp = z.iso.datetime().meta({ example: '2026-11-26T09:00:00.000Z' });

export const CreatePartyBody = z
  .object({
    name: nonBlankText(200).meta({ example: 'Pixelwerk Agentur' }),
    kind: z.enum(PARTY_KINDS).meta({ example: 'agency' }),
    defaultSlaPolicyId: idString().optional().meta({ description: "The SLA policy of the party's briefs unless a brief names its own; `default` is the built-in one.", example: 'default' }),
  })
  .meta({ id: 'CreateParty' });

export const UpdatePartyBody = z
  .object({
    name: nonBlankText(200).optional().meta({ example: 'Pixelwerk Agentur GmbH' }),
    defaultSlaPolicyId: idString().nullable().optional().meta({ description: 'null: the system default policy applies.', example: 'default' }),
  })
  .meta({ id: 'UpdateParty' });

export const PartySchema = z
  .object({ id: Id, name: z.string(), kind: z.enum(PARTY_KINDS), defaultSlaPolicyId: idString().nullable(), createdAt: Timestamp })
  .meta({
    id: 'Party',
    example: { id: '7d3b6a52-3f1e-4c43-9a55-0f5c1b7e2a10', name: 'Pixelwerk Agentur', kind: 'agency', defaultSlaPolicyId: null, createdAt: '2026-11-26T09:00:00.000Z' },
  });

export const CreateMemberBody = z
  .object({
    name: nonBlankText(200).meta({ example: 'Paula Pixel' }),
    email: z.email().meta({ example: 'paula@pixelwerk.example' }),
    role: z.enum(ROLES).meta({ example: 'member' }),
    locale: z.enum(['de', 'en']).default('en'),
    isLead: z.boolean().default(false).meta({ description: "The party's lead receives its escalations." }),
    webhookUrl: z.url({ protocol: /^https?$/ }).optional().meta({ example: 'https://hooks.pixelwerk.example/handoff' }),
    timezone: TimeZone.optional(),
    calendarId: CalendarId.optional(),
    chatWebhookUrl: ChatWebhookUrl.optional(),
    scope: Scope.optional().meta({ description: "Default: `all` for the e-commerce party's watchers, `party` for everyone else." }),
  })
  .meta({ id: 'CreateMember' });

/** The member fields an admin edits; any other key is refused by name. */
export const MEMBER_EDITABLE = ['name', 'locale', 'scope'] as const;

export const UpdateMemberBody = z
  .strictObject({
    name: nonBlankText(200).optional().meta({ example: 'Ines IT' }),
    locale: z.enum(['de', 'en']).optional(),
    scope: Scope.optional(),
  })
  .meta({ id: 'UpdateMember' });

export const MemberSchema = z
  .object({
    id: Id,
    partyId: Id,
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    locale: z.enum(['de', 'en']),
    isLead: z.boolean(),
    webhookUrl: z.string().nullable().meta({ description: 'Shown to the member themself and admins only (null for everyone else).' }),
    webhookEnabled: z.boolean().meta({ description: 'A webhook URL is set and has not been disabled after repeated failures.' }),
    hasWebhookSecret: z.boolean().meta({ description: 'Whether webhooks are signed; the secret is shown only when it is created.' }),
    timezone: z.string().nullable(),
    calendarId: z.string().nullable(),
    chatWebhookUrl: z.string().nullable().meta({ description: 'Shown to the member themself and admins only (null for everyone else).' }),
    scope: Scope,
    deactivatedAt: Timestamp.nullable().meta({ description: 'Set while the member is deactivated: their keys answer 401, their links 410, and they receive no notifications.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Member' });

export const DeactivateMemberBody = z
  .object({ reason: nonBlankText(500).optional().meta({ description: 'Kept in the audit log.', example: 'Left the agency' }) })
  .meta({ id: 'DeactivateMember' });

export const OpenResponsibilitySchema = z
  .object({
    briefId: Id,
    title: z.string(),
    status: z.string(),
    partyId: Id,
    as: z.enum(['manager', 'reviewer']).meta({ description: 'What the member is on the brief.' }),
    dueAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'OpenResponsibility' });

export const MeSchema = MemberSchema.extend({ party: PartySchema }).meta({ id: 'Me' });

export const CreateApiKeyBody = z
  .object({ expiresAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When the key stops working; never when omitted.', example: '2027-06-30T00:00:00Z' }) })
  .meta({ id: 'CreateApiKey' });

export const RotateApiKeyBody = z
  .object({
    overlap: z
      .string()
      .refine((v) => {
        const ms = parseDuration(v);
        return ms !== undefined && ms <= 30 * 86_400_000;
      }, 'an ISO 8601 duration up to P30D')
      .default('PT24H')
      .meta({ description: 'How long the old key keeps working next to the new one.', example: 'PT24H' }),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: 'RotateApiKey' });

export const ApiKeySchema = z
  .object({
    id: Id,
    memberId: Id,
    prefix: z.string().meta({ example: '45a2b9f0' }),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey', description: 'A key as listed: its secret is never shown again.' });

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().nullable().meta({ description: 'The secret, shown only in this answer (null when an Idempotency-Key replays it).', example: 'hk_45a2b9f0_G9d52NUq7kujEAX9dEtnQqDMUEGW6yGZwqY-wb11UPw' }),
}).meta({ id: 'CreatedApiKey' });

export const RotatedApiKeySchema = CreatedApiKeySchema.extend({ previous: ApiKeySchema }).meta({ id: 'RotatedApiKey' });

export const AuditEventSchema = z
  .object({
    id: Id,
    actorId: Id,
    action: z.string().meta({ example: 'api_key.revoked' }),
    targetType: z.string().meta({ example: 'api_key' }),
    targetId: Id,
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    at: Timestamp,
  })
  .meta({ id: 'AuditEvent' });

export const AuditQuery = PageQuery.extend({
  targetType: z.enum(['party', 'member', 'api_key', 'calendar', 'sla_policy']).optional(),
  targetId: idString().optional(),
});

type PartyRow = { id: string; name: string; kind: string; defaultSlaPolicyId: string | null; createdAt: Date };
type MemberRow = {
  id: string;
  partyId: string;
  name: string;
  email: string;
  role: string;
  locale: string;
  isLead: boolean;
  webhookUrl: string | null;
  webhookSecret: string | null;
  webhookDisabledAt: Date | null;
  timezone: string | null;
  calendarId: string | null;
  chatWebhookUrl: string | null;
  scope: string;
  deactivatedAt: Date | null;
  createdAt: Date;
};
type KeyRow = { id: string; memberId: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null };

export const partyJson = (p: PartyRow) => ({ id: p.id, name: p.name, kind: p.kind, defaultSlaPolicyId: p.defaultSlaPolicyId, createdAt: p.createdAt.toISOString() });
export const memberJson = (m: MemberRow) => ({
  id: m.id,
  partyId: m.partyId,
  name: m.name,
  email: m.email,
  role: m.role,
  locale: m.locale,
  isLead: m.isLead,
  webhookUrl: m.webhookUrl,
  // Never the secret itself.
  webhookEnabled: m.webhookUrl !== null && m.webhookDisabledAt === null,
  hasWebhookSecret: m.webhookSecret !== null,
  timezone: m.timezone,
  calendarId: m.calendarId,
  chatWebhookUrl: m.chatWebhookUrl,
  scope: m.scope,
  deactivatedAt: m.deactivatedAt?.toISOString() ?? null,
  createdAt: m.createdAt.toISOString(),
});
/**
 * A member as `viewer` may see them: webhook and chat URLs are bearer secrets (a Slack incoming
 * webhook posts to the channel), so only the member themself and admins get them; others see null.
 */
export function memberJsonFor(viewer: { memberId: string; role: string }, m: MemberRow) {
  const json = memberJson(m);
  if (viewer.role === 'admin' || viewer.memberId === m.id) return json;
  return { ...json, webhookUrl: null, chatWebhookUrl: null };
}

export const keyJson = (k: KeyRow) => ({
  id: k.id,
  memberId: k.memberId,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});
