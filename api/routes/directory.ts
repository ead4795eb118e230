// The directory: parties, their members, API keys, and who the caller is.
import { Router } from 'express';
import { z } from 'zod';
import { newId } from '../../lib/ids';
import { generateApiKey } from '../../lib/keys';
import { ROLES } from '../../workflows/domain/brief';
import { callerOf, canSeeParty, requireRole, seesAllParties } from '../auth';
import type { ApiDeps } from '../context';
import { notFound } from '../errors';
import { parse } from '../validate';

export const PARTY_KINDS = ['ecommerce', 'agency', 'it', 'logistics', 'marketing', 'customer_service', 'supplier', 'marketplace'] as const;

export const CreatePartyBody = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(PARTY_KINDS),
});

export const CreateMemberBody = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email(),
  role: z.enum(ROLES),
  locale: z.enum(['de', 'en']).default('en'),
  isLead: z.boolean().default(false),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
});

const IdParams = z.object({ id: z.string().min(1).max(100) });

type PartyRow = { id: string; name: string; kind: string; createdAt: Date };
type MemberRow = { id: string; partyId: string; name: string; email: string; role: string; locale: string; isLead: boolean; webhookUrl: string | null; createdAt: Date };

export const partyJson = (p: PartyRow) => ({ id: p.id, name: p.name, kind: p.kind, createdAt: p.createdAt.toISOString() });
export const memberJson = (m: MemberRow) => ({
  id: m.id,
  partyId: m.partyId,
  name: m.name,
  email: m.email,
  role: m.role,
  locale: m.locale,
  isLead: m.isLead,
  webhookUrl: m.webhookUrl,
  createdAt: m.createdAt.toISOString(),
});

export function directoryRouter({ db, logger }: ApiDeps): Router {
  const { prisma } = db;
  const router = Router();

  router.post('/v1/parties', async (req, res) => {
    requireRole(res, 'admin');
    const body = parse(CreatePartyBody, req.body);
    const party = await prisma.party.create({ data: { id: newId(), ...body } });
    res.status(201).json(partyJson(party));
  });

  router.get('/v1/parties', async (_req, res) => {
    const caller = callerOf(res);
    const parties = await prisma.party.findMany({
      where: seesAllParties(caller) ? {} : { id: caller.partyId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    res.json({ items: parties.map(partyJson) });
  });

  router.get('/v1/parties/:id', async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(IdParams, req.params, 'params');
    const party = await prisma.party.findUnique({ where: { id } });
    if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
    res.json(partyJson(party));
  });

  router.post('/v1/parties/:id/members', async (req, res) => {
    requireRole(res, 'admin');
    const { id } = parse(IdParams, req.params, 'params');
    const body = parse(CreateMemberBody, req.body);
    const party = await prisma.party.findUnique({ where: { id } });
    if (!party) throw notFound('party');
    const member = await prisma.member.create({ data: { id: newId(), partyId: party.id, ...body, webhookUrl: body.webhookUrl ?? null } });
    res.status(201).json(memberJson(member));
  });

  router.get('/v1/parties/:id/members', async (req, res) => {
    const caller = callerOf(res);
    const { id } = parse(IdParams, req.params, 'params');
    const party = await prisma.party.findUnique({ where: { id } });
    if (!party || !canSeeParty(caller, party.id)) throw notFound('party');
    const members = await prisma.member.findMany({ where: { partyId: id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    res.json({ items: members.map(memberJson) });
  });

  router.post('/v1/members/:id/api-keys', async (req, res) => {
    const admin = requireRole(res, 'admin');
    const { id } = parse(IdParams, req.params, 'params');
    const member = await prisma.member.findUnique({ where: { id } });
    if (!member) throw notFound('member');
    const { key, prefix, hash } = generateApiKey();
    const created = await prisma.apiKey.create({ data: { id: newId(), memberId: member.id, prefix, hash } });
    logger.info({ memberId: member.id, keyId: created.id, prefix, by: admin.memberId }, 'api key created');
    res.status(201).json({ id: created.id, memberId: member.id, prefix, key, createdAt: created.createdAt.toISOString() });
  });

  router.get('/v1/me', async (_req, res) => {
    const caller = callerOf(res);
    const member = await prisma.member.findUnique({ where: { id: caller.memberId }, include: { party: true } });
    if (!member) throw notFound('member');
    res.json({ ...memberJson(member), party: partyJson(member.party) });
  });

  return router;
}
