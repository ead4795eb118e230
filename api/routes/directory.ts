// The directory: parties, their members, API keys, the audit log, and who the caller is.
import { Router } from 'express';
import { z } from 'zod';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, findPolicy } from '../../lib/policies';
import { generateApiKey } from '../../lib/keys';
import { ROLES } from '../../workflows/domain/brief';
import { parseDuration } from '../../workflows/domain/duration';
import { audit } from '../audit';
import { CalendarId, ChatWebhookUrl, TimeZone } from './notifications.schemas';
import { callerOf, canSeeParty, requireRole, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, forbidden, notFound } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, PageQuery, pageSchema } from '../pagination';
import { idString, nonBlankText, parse } from '../validate';

export const PARTY_KINDS = ['ecommerce', 'agency', 'it', 'logistics', 'marketing', 'customer_service', 'supplier', 'marketplace'] as const;

const Id = idString().meta({ example: '7d3b6a52-3f1e-4c43-9a55-0f5c1b7e2a10' });
const IdParams = z.object({ id: Id });
const KeyParams = z.object({ id: Id, keyId: Id });
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
  })
  .meta({ id: 'CreateMember' });

export const MemberSchema = z
  .object({
    id: Id,
    partyId: Id,
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    locale: z.enum(['de', 'en']),
    isLead: z.boolean(),
    webhookUrl: z.string().nullable(),
    webhookEnabled: z.boolean().meta({ description: 'A webhook URL is set and has not been disabled after repeated failures.' }),
    hasWebhookSecret: z.boolean().meta({ description: 'Whether webhooks are signed; the secret is shown only when it is created.' }),
    timezone: z.string().nullable(),
    calendarId: z.string().nullable(),
    chatWebhookUrl: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Member' });

const MeSchema = MemberSchema.extend({ party: PartySchema }).meta({ id: 'Me' });

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

const RotatedApiKeySchema = CreatedApiKeySchema.extend({ previous: ApiKeySchema }).meta({ id: 'RotatedApiKey' });

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

const AuditQuery = PageQuery.extend({
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
  createdAt: m.createdAt.toISOString(),
});
export const keyJson = (k: KeyRow) => ({
  id: k.id,
  memberId: k.memberId,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function directoryRouter({ db, logger, config }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  async function requirePolicy(id: string | null | undefined): Promise<void> {
    if (id && !(await findPolicy(prisma, config.slaTargets, id))) throw fieldError('body.defaultSlaPolicyId', 'no SLA policy with this id');
  }

  /** A member's keys are managed by admins and by the member themself. */
  async function keyOwner(caller: Caller, memberId: string) {
    const member = await prisma.member.findUnique({ where: { id: memberId } });
    if (!member || (caller.role !== 'admin' && caller.memberId !== member.id)) {
      if (member && canSeeParty(caller, member.partyId)) throw forbidden("only admins and the member themself manage a member's keys");
      throw notFound('member');
    }
    return member;
  }

  async function issueKey(memberId: string, expiresAt: Date | null) {
    const { key, prefix, hash } = generateApiKey();
    const created = await prisma.apiKey.create({ data: { id: newId(), memberId, prefix, hash, expiresAt } });
    return { created, key };
  }

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/parties',
      operationId: 'createParty',
      summary: 'Create a party',
      tag: 'Directory',
      roles: ['admin'],
      body: CreatePartyBody,
      idempotent: true,
      responses: { 201: { description: 'The party', schema: PartySchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const body = parse(CreatePartyBody, req.body);
      await requirePolicy(body.defaultSlaPolicyId);
      const party = await prisma.$transaction(async (tx) => {
        const created = await tx.party.create({ data: { id: newId(), ...body } });
        await audit(tx, { actorId: caller.memberId, action: 'party.created', targetType: 'party', targetId: created.id, after: partyJson(created) });
        return created;
      });
      res.status(201).location(`/v1/parties/${party.id}`).json(partyJson(party));
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/parties',
      operationId: 'listParties',
      summary: 'List parties',
      description: 'Oldest first. Members and watchers of other parties see only their own party.',
      tag: 'Directory',
      roles: ROLES,
      query: PageQuery,
      responses: { 200: { description: 'A page of parties', schema: pageSchema(PartySchema, 'PartyPage') } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const query = parse(PageQuery, req.query, 'query');
      const rows = await prisma.party.findMany({
        where: { AND: [seesAllParties(caller) ? {} : { id: caller.partyId }, after(decodeCursor(query.cursor), 'createdAt', 'asc')] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1,
      });
      const { items, nextCursor } = page(rows, query.limit, (p) => p.createdAt);
      res.json({ items: items.map(partyJson), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/parties/:id',
      operationId: 'getParty',
      summary: 'Read a party',
      tag: 'Directory',
      roles: ROLES,
      params: IdParams,
      responses: { 200: { description: 'The party', schema: PartySchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const party = await prisma.party.findUnique({ where: { id } });
      if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
      res.json(partyJson(party));
    },
  );

  catalog.mount(
    router,
    {
      method: 'patch',
      path: '/v1/parties/:id',
      operationId: 'updateParty',
      summary: 'Rename a party or set its default SLA policy',
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: UpdatePartyBody,
      responses: { 200: { description: 'The party', schema: PartySchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const before = await prisma.party.findUnique({ where: { id } });
      if (!before || !canSeeParty(caller, before.id)) throw notFound('party');
      requireRole(res, 'admin');
      const body = parse(UpdatePartyBody, req.body);
      await requirePolicy(body.defaultSlaPolicyId);
      const data = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.defaultSlaPolicyId !== undefined ? { defaultSlaPolicyId: body.defaultSlaPolicyId } : {}),
      };
      if (Object.entries(data).every(([k, v]) => before[k as keyof typeof data] === v)) return void res.json(partyJson(before));
      const party = await prisma.$transaction(async (tx) => {
        const updated = await tx.party.update({ where: { id }, data });
        await audit(tx, { actorId: caller.memberId, action: 'party.updated', targetType: 'party', targetId: id, before: partyJson(before), after: partyJson(updated) });
        return updated;
      });
      res.json(partyJson(party));
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/parties/:id/members',
      operationId: 'createMember',
      summary: 'Add a member to a party',
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: CreateMemberBody,
      idempotent: true,
      responses: { 201: { description: 'The member', schema: MemberSchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const party = await prisma.party.findUnique({ where: { id } });
      if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
      requireRole(res, 'admin');
      const body = parse(CreateMemberBody, req.body);
      if (body.calendarId && body.calendarId !== BUILT_IN_CALENDAR_ID && !(await prisma.calendar.findUnique({ where: { id: body.calendarId } }))) {
        throw fieldError('body.calendarId', 'no calendar with this id');
      }
      const member = await prisma.$transaction(async (tx) => {
        const created = await tx.member.create({
          data: {
            id: newId(),
            partyId: party.id,
            ...body,
            webhookUrl: body.webhookUrl ?? null,
            timezone: body.timezone ?? null,
            calendarId: body.calendarId ?? null,
            chatWebhookUrl: body.chatWebhookUrl ?? null,
          },
        });
        await audit(tx, { actorId: caller.memberId, action: 'member.created', targetType: 'member', targetId: created.id, after: memberJson(created) });
        return created;
      });
      res.status(201).json(memberJson(member));
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/parties/:id/members',
      operationId: 'listMembers',
      summary: "List a party's members",
      tag: 'Directory',
      roles: ROLES,
      params: IdParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of members, oldest first', schema: pageSchema(MemberSchema, 'MemberPage') } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const query = parse(PageQuery, req.query, 'query');
      const party = await prisma.party.findUnique({ where: { id } });
      if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
      const rows = await prisma.member.findMany({
        where: { AND: [{ partyId: id }, after(decodeCursor(query.cursor), 'createdAt', 'asc')] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1,
      });
      const { items, nextCursor } = page(rows, query.limit, (m) => m.createdAt);
      res.json({ items: items.map(memberJson), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key for a member',
      description: 'The key is shown once, in this answer; Handoff keeps only its hash.',
      tag: 'API keys',
      roles: ['admin'],
      params: IdParams,
      body: CreateApiKeyBody,
      idempotent: true,
      responses: { 201: { description: 'The new key', schema: CreatedApiKeySchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const member = await prisma.member.findUnique({ where: { id } });
      if (!member || !canSeeParty(caller, member.partyId)) throw notFound('member');
      requireRole(res, 'admin');
      const body = parse(CreateApiKeyBody, req.body);
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw fieldError('body.expiresAt', 'must be in the future');
      res.locals.secretFields = ['key'];
      const { created, key } = await issueKey(member.id, expiresAt);
      await audit(prisma, { actorId: caller.memberId, action: 'api_key.created', targetType: 'api_key', targetId: created.id, after: keyJson(created) });
      logger.info({ memberId: member.id, keyId: created.id, prefix: created.prefix, by: caller.memberId }, 'api key created');
      res.status(201).json({ ...keyJson(created), key });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/members/:id/api-keys',
      operationId: 'listApiKeys',
      summary: "List a member's API keys",
      description: 'Prefix, dates and last use only; admins, or the member themself.',
      tag: 'API keys',
      roles: ROLES,
      params: IdParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of keys, newest first', schema: pageSchema(ApiKeySchema, 'ApiKeyPage') } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(IdParams, req.params, 'params');
      const query = parse(PageQuery, req.query, 'query');
      const member = await keyOwner(caller, id);
      const rows = await prisma.apiKey.findMany({
        where: { AND: [{ memberId: member.id }, after(decodeCursor(query.cursor), 'createdAt', 'desc')] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const { items, nextCursor } = page(rows, query.limit, (k) => k.createdAt);
      res.json({ items: items.map(keyJson), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/api-keys/:keyId/revoke',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'Takes effect at once. Admins, or the member themself.',
      tag: 'API keys',
      roles: ROLES,
      params: KeyParams,
      idempotent: true,
      errors: [409],
      responses: { 200: { description: 'The revoked key', schema: ApiKeySchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id, keyId } = parse(KeyParams, req.params, 'params');
      await keyOwner(caller, id);
      const key = await prisma.apiKey.findFirst({ where: { id: keyId, memberId: id } });
      if (!key) throw notFound('api key');
      if (key.revokedAt) throw conflict('the key is already revoked');
      const revoked = await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      await audit(prisma, { actorId: caller.memberId, action: 'api_key.revoked', targetType: 'api_key', targetId: key.id, before: keyJson(key), after: keyJson(revoked) });
      res.json(keyJson(revoked));
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/api-keys/:keyId/rotate',
      operationId: 'rotateApiKey',
      summary: 'Rotate an API key',
      description: 'Creates a new key; the old one keeps working for the overlap period, then expires. Admins, or the member themself.',
      tag: 'API keys',
      roles: ROLES,
      params: KeyParams,
      body: RotateApiKeyBody,
      idempotent: true,
      errors: [409],
      responses: { 201: { description: 'The new key, and the old one with its new expiry', schema: RotatedApiKeySchema } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id, keyId } = parse(KeyParams, req.params, 'params');
      const body = parse(RotateApiKeyBody, req.body);
      await keyOwner(caller, id);
      const old = await prisma.apiKey.findFirst({ where: { id: keyId, memberId: id } });
      if (!old) throw notFound('api key');
      if (old.revokedAt || (old.expiresAt && old.expiresAt.getTime() <= Date.now())) throw conflict('the key is revoked or expired; create a new one');
      const replacementExpiry = body.expiresAt ? new Date(body.expiresAt) : null;
      if (replacementExpiry && replacementExpiry.getTime() <= Date.now()) throw fieldError('body.expiresAt', 'must be in the future');
      res.locals.secretFields = ['key'];
      const overlapEnds = new Date(Date.now() + (parseDuration(body.overlap) as number));
      const previousExpiry = old.expiresAt && old.expiresAt < overlapEnds ? old.expiresAt : overlapEnds;
      const previous = await prisma.apiKey.update({ where: { id: old.id }, data: { expiresAt: previousExpiry } });
      const { created, key } = await issueKey(id, replacementExpiry);
      await audit(prisma, {
        actorId: caller.memberId,
        action: 'api_key.rotated',
        targetType: 'api_key',
        targetId: old.id,
        before: keyJson(old),
        after: { previous: keyJson(previous), replacement: keyJson(created) },
      });
      res.status(201).json({ ...keyJson(created), key, previous: keyJson(previous) });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/me',
      operationId: 'getMe',
      summary: 'Who the caller is',
      tag: 'Directory',
      roles: ROLES,
      responses: { 200: { description: "The caller's member record and party", schema: MeSchema } },
    },
    async (_req, res) => {
      const caller = callerOf(res);
      const member = await prisma.member.findUnique({ where: { id: caller.memberId }, include: { party: true } });
      if (!member) throw notFound('member');
      res.json({ ...memberJson(member), party: partyJson(member.party) });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/audit',
      operationId: 'listAuditEvents',
      summary: 'Read the audit log',
      description: 'Every directory and key change: who, what, when, before and after. Newest first.',
      tag: 'Directory',
      roles: ['admin'],
      query: AuditQuery,
      responses: { 200: { description: 'A page of audit events', schema: pageSchema(AuditEventSchema, 'AuditEventPage') } },
    },
    async (req, res) => {
      requireRole(res, 'admin');
      const query = parse(AuditQuery, req.query, 'query');
      const rows = await prisma.auditEvent.findMany({
        where: {
          AND: [
            query.targetType ? { targetType: query.targetType } : {},
            query.targetId ? { targetId: query.targetId } : {},
            after(decodeCursor(query.cursor), 'at', 'desc'),
          ],
        },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      const { items, nextCursor } = page(rows, query.limit, (e) => e.at);
      res.json({ items: items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor });
    },
  );

  return router;
}
