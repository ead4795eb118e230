// The directory: parties, their members, API keys, the audit log, and who the caller is.
import { Router } from 'express';
import type { z } from 'zod';
import { ROLES, TERMINAL_STATUSES } from '../../workflows/domain/vocabulary';
import { seesAllParties } from '../auth';
import type { ApiDeps } from '../context';
import { notFound, type FieldError } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { listPage, PageQuery, pageSchema } from '../pagination';
import { apiKeyService } from '../services/api-keys';
import { directoryService } from '../services/directory';
import {
  ApiKeySchema,
  AuditEventSchema,
  AuditQuery,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  CreateMemberBody,
  CreatePartyBody,
  DeactivateMemberBody,
  IdParams,
  OpenResponsibilitySchema,
  KeyParams,
  keyJson,
  MemberSchema,
  memberJsonFor,
  MeSchema,
  PartySchema,
  partyJson,
  RotateApiKeyBody,
  RotatedApiKeySchema,
  MEMBER_EDITABLE,
  UpdateMemberBody,
  UpdatePartyBody,
} from './directory.schemas';

export function directoryRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = deps.db;
  const directory = directoryService(deps);
  const keys = apiKeyService(deps);
  const router = Router();

  catalog.route(
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
    async ({ body, caller }, _req, res) => {
      const party = await directory.createParty(caller, body);
      res.status(201).location(`/v1/parties/${party.id}`).json(partyJson(party));
    },
  );

  catalog.route(
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
    async ({ query, caller }, _req, res) => {
      const where = seesAllParties(caller) ? {} : { id: caller.partyId };
      res.json(await listPage({ query, where, by: 'createdAt', direction: 'asc', find: (window) => prisma.party.findMany(window), item: partyJson }));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/parties/:id',
      operationId: 'getParty',
      summary: 'Read a party',
      tag: 'Directory',
      roles: ROLES,
      params: IdParams,
      resource: ({ id }, caller) => directory.visibleParty(caller, id),
      responses: { 200: { description: 'The party', schema: PartySchema } },
    },
    ({ resource: party }, _req, res) => {
      res.json(partyJson(party));
    },
  );

  catalog.route(
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
      resource: ({ id }, caller) => directory.visibleParty(caller, id),
      responses: { 200: { description: 'The party', schema: PartySchema } },
    },
    async ({ body, caller, resource: before }, _req, res) => {
      res.json(partyJson(await directory.updateParty(caller, before, body)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/parties/:id/members',
      operationId: 'createMember',
      summary: 'Add a member to a party',
      description: 'A webhookUrl or chatWebhookUrl whose host is, or resolves to, an internal address (loopback, private, link-local, unique-local...) is 400 naming the field unless the operator allowed it (HANDOFF_OUTBOUND_ALLOW).',
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: CreateMemberBody,
      resource: ({ id }, caller) => directory.visibleParty(caller, id),
      idempotent: true,
      responses: { 201: { description: 'The member', schema: MemberSchema } },
    },
    async ({ body, caller, resource: party }, _req, res) => {
      const member = await directory.createMember(caller, party.id, body);
      res.status(201).json(memberJsonFor(caller, member));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/parties/:id/members',
      operationId: 'listMembers',
      summary: "List a party's members",
      description: 'Webhook and chat URLs are bearer secrets: they are shown to admins and to the member themself, null for everyone else.',
      tag: 'Directory',
      roles: ROLES,
      params: IdParams,
      query: PageQuery,
      resource: ({ id }, caller) => directory.visibleParty(caller, id),
      responses: { 200: { description: 'A page of members, oldest first', schema: pageSchema(MemberSchema, 'MemberPage') } },
    },
    async ({ params: { id }, query, caller }, _req, res) => {
      const item = (m: Parameters<typeof memberJsonFor>[1]) => memberJsonFor(caller, m);
      res.json(await listPage({ query, where: { partyId: id }, by: 'createdAt', direction: 'asc', find: (window) => prisma.member.findMany(window), item }));
    },
  );

  catalog.route(
    router,
    {
      method: 'patch',
      path: '/v1/members/:id',
      operationId: 'updateMember',
      summary: "Rename a member, set their locale or a watcher's scope",
      description:
        'Editable are name, locale and scope; any other field is refused with 400 naming it. Only watchers may have the scope `all` (400 naming `scope` otherwise). A new scope holds from the next request: a watcher set to `party` no longer sees other parties\' briefs, escalations, the stream or /metrics. Audited.',
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: UpdateMemberBody,
      bodyProblems: memberEditProblems,
      resource: ({ id }, caller) => directory.visibleMember(caller, id),
      responses: { 200: { description: 'The member', schema: MemberSchema } },
    },
    async ({ body, caller, resource: before }, _req, res) => {
      res.json(memberJsonFor(caller, await directory.updateMember(caller, before, body)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/deactivate',
      operationId: 'deactivateMember',
      summary: 'Deactivate a member (offboarding)',
      description:
        "Takes effect at once: the member's API keys answer 401, their one-click links and brief pages 410, and they receive no notifications (deliveries still queued for them are dropped). Their open briefs stay as they are: GET /v1/members/:id/open-responsibilities lists those where they are the manager or the reviewer, for reassignment with PATCH /v1/briefs/:id (managerId, reviewerId). Already deactivated, yourself, or the last active admin: 409. Audited, with the reason.",
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: DeactivateMemberBody,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => directory.visibleMember(caller, id),
      responses: { 200: { description: 'The member, deactivated', schema: MemberSchema } },
    },
    async ({ body, caller, resource: before }, _req, res) => {
      res.json(memberJsonFor(caller, await directory.deactivateMember(caller, before, body.reason)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/reactivate',
      operationId: 'reactivateMember',
      summary: 'Reactivate a member',
      description: 'Their keys that are neither revoked nor expired work again and notifications resume; links sent before stay refused only if they expired meanwhile. Not deactivated: 409. Audited.',
      tag: 'Directory',
      roles: ['admin'],
      params: IdParams,
      body: DeactivateMemberBody,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => directory.visibleMember(caller, id),
      responses: { 200: { description: 'The member, active', schema: MemberSchema } },
    },
    async ({ body, caller, resource: before }, _req, res) => {
      res.json(memberJsonFor(caller, await directory.reactivateMember(caller, before, body.reason)));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/members/:id/open-responsibilities',
      operationId: 'listOpenResponsibilities',
      summary: 'The open briefs a member manages or reviews',
      description:
        'Briefs that have not ended (not approved, declined or cancelled) where the member is the manager or the named reviewer, oldest first: what to reassign (PATCH /v1/briefs/:id with managerId or reviewerId) when someone leaves. Admins and managers.',
      tag: 'Directory',
      roles: ['admin', 'manager'],
      params: IdParams,
      query: PageQuery,
      resource: ({ id }, caller) => directory.visibleMember(caller, id),
      responses: { 200: { description: 'A page of open briefs', schema: pageSchema(OpenResponsibilitySchema, 'OpenResponsibilityPage') } },
    },
    async ({ query, resource: member }, _req, res) => {
      const where = { status: { notIn: [...TERMINAL_STATUSES] }, OR: [{ managerId: member.id }, { reviewerId: member.id }] };
      const item = (b: { id: string; title: string; status: string; partyId: string; managerId: string; dueAt: Date | null; createdAt: Date }) => ({
        briefId: b.id,
        title: b.title,
        status: b.status,
        partyId: b.partyId,
        as: b.managerId === member.id ? ('manager' as const) : ('reviewer' as const),
        dueAt: b.dueAt?.toISOString() ?? null,
        createdAt: b.createdAt.toISOString(),
      });
      res.json(await listPage({ query, where, by: 'createdAt', direction: 'asc', find: (window) => prisma.brief.findMany(window), item }));
    },
  );

  catalog.route(
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
      resource: ({ id }, caller) => directory.visibleMember(caller, id),
      idempotent: true,
      responses: { 201: { description: 'The new key', schema: CreatedApiKeySchema } },
    },
    async ({ body, caller, resource: member }, _req, res) => {
      const created = await keys.create(caller, member.id, body);
      res.locals.secretFields = ['key'];
      res.status(201).json(created);
    },
  );

  catalog.route(
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
      resource: ({ id }, caller) => keys.keyOwner(caller, id),
      responses: { 200: { description: 'A page of keys, newest first', schema: pageSchema(ApiKeySchema, 'ApiKeyPage') } },
    },
    async ({ query, resource: member }, _req, res) => {
      res.json(await listPage({ query, where: { memberId: member.id }, by: 'createdAt', direction: 'desc', find: (window) => prisma.apiKey.findMany(window), item: keyJson }));
    },
  );

  catalog.route(
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
      resource: ({ id }, caller) => keys.keyOwner(caller, id),
      responses: { 200: { description: 'The revoked key', schema: ApiKeySchema } },
    },
    async ({ params: { id, keyId }, caller }, _req, res) => {
      res.json(await keys.revoke(caller, id, keyId));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/members/:id/api-keys/:keyId/rotate',
      operationId: 'rotateApiKey',
      summary: 'Rotate an API key',
      description:
        'Creates a new key; the old one keeps working for the overlap period, then expires. The new key expires no later than the old one (a requested later expiry is cut to it; none requested: the old one\'s). A key is rotated once (409 afterwards), and a member\'s rotations are limited to HANDOFF_API_KEY_ROTATIONS_PER_DAY in 24 hours (429 with Retry-After). Admins, or the member themself.',
      tag: 'API keys',
      roles: ROLES,
      params: KeyParams,
      body: RotateApiKeyBody,
      idempotent: true,
      errors: [409, 429],
      responses: { 201: { description: 'The new key, and the old one with its new expiry', schema: RotatedApiKeySchema } },
    },
    async ({ params: { id, keyId }, body, caller }, _req, res) => {
      // The body is checked before the owner, as it always was: no resource lookup here.
      await keys.keyOwner(caller, id);
      const rotated = await keys.rotate(caller, id, keyId, body);
      res.locals.secretFields = ['key'];
      res.status(201).json(rotated);
    },
  );

  catalog.route(
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
    async ({ caller }, _req, res) => {
      const member = await prisma.member.findUnique({ where: { id: caller.memberId }, include: { party: true } });
      if (!member) throw notFound('member');
      res.json({ ...memberJsonFor(caller, member), party: partyJson(member.party) });
    },
  );

  catalog.route(
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
    async ({ query }, _req, res) => {
      const where = { ...(query.targetType ? { targetType: query.targetType } : {}), ...(query.targetId ? { targetId: query.targetId } : {}) };
      const events = await listPage({
        query,
        where,
        by: 'at',
        direction: 'desc',
        find: (window) => prisma.auditEvent.findMany(window),
        item: (e) => ({ ...e, at: e.at.toISOString() }),
      });
      res.json(events);
    },
  );

  return router;
}

/** The member edit's problems, with a field that is not editable named as body.<field>. */
function memberEditProblems(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: `body.${key}`, message: `cannot be edited; editable are ${MEMBER_EDITABLE.join(', ')}` }))
      : [{ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }],
  );
}
