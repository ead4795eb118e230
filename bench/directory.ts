// The people the bench acts as. On the embedded stack: the demo directory, whose keys the first
// start prints once. Against a given server and database: the same directory, created through
// the API with the bootstrap admin's key.
import { apiClient } from './api-client';

export interface BenchDirectory {
  keys: {
    admin: string;
    /** Mara Manager: creates briefs, approves, requests changes. */
    manager: string;
    /** Tom Teamlead (e-commerce watcher): reads the escalation stream. */
    watcher: string;
    /** Paula Pixel (Pixelwerk Agentur, its lead): acknowledges, delivers, comments. */
    member: string;
  };
  memberId: string;
  /** Pixelwerk Agentur, which the lifecycle, timer and growth briefs go to. */
  agencyPartyId: string;
  /** The parties that receive briefs (Pixelwerk first): the open briefs of the scale scenario are spread over them. */
  partyIds: string[];
}

const PARTIES = ['Pixelwerk Agentur', 'Northstar SEO', 'Shop IT', 'Logistics'];

function keyOf(output: string, memberName: string): string {
  const line = output.split('\n').find((l) => l.includes(memberName) && l.includes('hk_'));
  if (!line) throw new Error(`the embedded start printed no key for ${memberName}`);
  return line.trim().split(/\s+/).pop() as string;
}

function partyOf(output: string, name: string): string {
  const match = new RegExp(`^\\s+${name}\\s+([0-9a-f-]{36})\\s*$`, 'm').exec(output);
  if (!match) throw new Error(`the embedded start printed no id for the party ${name}`);
  return match[1];
}

/** The demo directory from what the embedded start printed on its first start. */
export async function demoDirectory(url: string, output: string): Promise<BenchDirectory> {
  const keys = {
    admin: keyOf(output, 'Ada Admin'),
    manager: keyOf(output, 'Mara Manager'),
    watcher: keyOf(output, 'Tom Teamlead'),
    member: keyOf(output, 'Paula Pixel'),
  };
  const me = await apiClient(url, keys.member).get<{ id: string }>('/v1/me');
  const partyIds = PARTIES.map((name) => partyOf(output, name));
  return { keys, memberId: me.id, agencyPartyId: partyIds[0], partyIds };
}

interface MemberSpec {
  name: string;
  email: string;
  role: 'manager' | 'member' | 'watcher';
  locale: 'de' | 'en';
  isLead?: boolean;
}

/** The demo directory's parties and members, created through the API by an admin. */
export async function createDirectory(url: string, adminKey: string): Promise<BenchDirectory> {
  const admin = apiClient(url, adminKey);
  const shop = (await admin.get<{ party: { id: string } }>('/v1/me')).party.id;
  const add = async (partyId: string, spec: MemberSpec) => {
    const member = await admin.post<{ id: string }>(`/v1/parties/${partyId}/members`, spec);
    const key = await admin.post<{ key: string }>(`/v1/members/${member.id}/api-keys`);
    return { id: member.id, key: key.key };
  };
  const manager = await add(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'de' });
  const watcher = await add(shop, { name: 'Tom Teamlead', email: 'tom@shop.example', role: 'watcher', locale: 'en' });
  const kinds: Record<string, string> = { 'Pixelwerk Agentur': 'agency', 'Northstar SEO': 'agency', 'Shop IT': 'it', Logistics: 'logistics' };
  const partyIds: string[] = [];
  for (const name of PARTIES) partyIds.push((await admin.post<{ id: string }>('/v1/parties', { name, kind: kinds[name] })).id);
  const [pixelwerk, northstar, it, logistics] = partyIds;
  const paula = await add(pixelwerk, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', isLead: true });
  await add(pixelwerk, { name: 'Piet Designer', email: 'piet@pixelwerk.example', role: 'member', locale: 'de' });
  await add(northstar, { name: 'Nora North', email: 'nora@northstar.example', role: 'member', locale: 'en', isLead: true });
  await add(it, { name: 'Ivan IT', email: 'ivan@shop.example', role: 'member', locale: 'en', isLead: true });
  await add(logistics, { name: 'Lena Lager', email: 'lena@shop.example', role: 'member', locale: 'de', isLead: true });
  return { keys: { admin: adminKey, manager: manager.key, watcher: watcher.key, member: paula.key }, memberId: paula.id, agencyPartyId: pixelwerk, partyIds };
}
