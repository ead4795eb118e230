// First-start setup of the directory: a bootstrap admin from HANDOFF_BOOTSTRAP_ADMIN_KEY, and
// in the embedded mode a demo directory whose keys are printed once.
import type { PrismaClient } from '../lib/db/database';
import { newId } from '../lib/ids';
import { defaultScope } from './watcher-scope';
import { generateApiKey, hashApiKey } from '../lib/keys';

/**
 * The prefix the bootstrap admin's key is listed under: a fixed label, since the key is the
 * operator's own text and none of it may be stored or shown.
 */
export const BOOTSTRAP_KEY_PREFIX = 'bootstrap';

/** Creates an admin holding `key` when no admin exists yet. Returns whether it did. */
export async function bootstrapAdmin(prisma: PrismaClient, key: string): Promise<boolean> {
  if ((await prisma.member.count({ where: { role: 'admin' } })) > 0) return false;
  const party =
    (await prisma.party.findFirst({ where: { kind: 'ecommerce' }, orderBy: { createdAt: 'asc' } })) ??
    (await prisma.party.create({ data: { id: newId(), name: 'Administration', kind: 'ecommerce' } }));
  const admin = await prisma.member.create({
    data: { id: newId(), partyId: party.id, name: 'Bootstrap admin', email: 'admin@localhost', role: 'admin' },
  });
  await prisma.apiKey.create({ data: { id: newId(), memberId: admin.id, prefix: BOOTSTRAP_KEY_PREFIX, hash: hashApiKey(key) } });
  return true;
}

interface DemoMember {
  name: string;
  email: string;
  role: 'admin' | 'manager' | 'member' | 'watcher';
  locale: 'de' | 'en';
  isLead?: boolean;
}

const DEMO: { name: string; kind: 'ecommerce' | 'agency' | 'it' | 'logistics'; members: DemoMember[] }[] = [
  {
    name: 'E-Commerce Team',
    kind: 'ecommerce',
    members: [
      { name: 'Ada Admin', email: 'admin@shop.example', role: 'admin', locale: 'en' },
      { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'de' },
      { name: 'Tom Teamlead', email: 'tom@shop.example', role: 'watcher', locale: 'en' },
    ],
  },
  {
    name: 'Pixelwerk Agentur',
    kind: 'agency',
    members: [
      { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', isLead: true },
      { name: 'Piet Designer', email: 'piet@pixelwerk.example', role: 'member', locale: 'de' },
    ],
  },
  {
    name: 'Northstar SEO',
    kind: 'agency',
    members: [{ name: 'Nora North', email: 'nora@northstar.example', role: 'member', locale: 'en', isLead: true }],
  },
  {
    name: 'Shop IT',
    kind: 'it',
    members: [{ name: 'Ivan IT', email: 'ivan@shop.example', role: 'member', locale: 'en', isLead: true }],
  },
  {
    name: 'Logistics',
    kind: 'logistics',
    members: [{ name: 'Lena Lager', email: 'lena@shop.example', role: 'member', locale: 'de', isLead: true }],
  },
];

export interface DemoKey {
  party: string;
  partyId: string;
  member: string;
  memberId: string;
  role: string;
  key: string;
}

/** Seeds the demo directory and returns one API key per member. */
export async function seedDemoDirectory(prisma: PrismaClient): Promise<DemoKey[]> {
  const keys: DemoKey[] = [];
  for (const partySpec of DEMO) {
    const party = await prisma.party.create({ data: { id: newId(), name: partySpec.name, kind: partySpec.kind } });
    for (const spec of partySpec.members) {
      const member = await prisma.member.create({
        data: { id: newId(), partyId: party.id, ...spec, isLead: spec.isLead ?? false, scope: defaultScope(spec.role, partySpec.kind) },
      });
      const { key, prefix, hash } = generateApiKey();
      await prisma.apiKey.create({ data: { id: newId(), memberId: member.id, prefix, hash } });
      keys.push({ party: party.name, partyId: party.id, member: member.name, memberId: member.id, role: member.role, key });
    }
  }
  return keys;
}

export function formatDemoKeys(keys: DemoKey[]): string {
  const lines = keys.map((k) => `  ${k.role.padEnd(8)} ${k.member.padEnd(16)} ${k.party.padEnd(20)} ${k.key}`);
  const parties = [...new Map(keys.map((k) => [k.partyId, k.party])).entries()].map(([id, name]) => `  ${name.padEnd(20)} ${id}`);
  return [
    '',
    'Demo directory created. These API keys are shown once; keep them:',
    ...lines,
    '',
    'Parties:',
    ...parties,
    '',
  ].join('\n');
}
