// Parties, members and keys created through the API as the bootstrap admin.
import { ADMIN_KEY } from './handoff';
import { apiClient, type ApiClient } from './http';

export interface Member {
  id: string;
  partyId: string;
  keyId: string;
  key: string;
  client: ApiClient;
}

export interface DirectoryHelper {
  admin: ApiClient;
  party(name: string, kind?: string): Promise<string>;
  member(partyId: string, role: 'admin' | 'manager' | 'member' | 'watcher', name?: string): Promise<Member>;
  /** A member created with exactly this body (name, email, role, locale, isLead, ...), and a key. */
  memberWith(partyId: string, body: { name: string; email: string; role: string } & Record<string, unknown>): Promise<Member>;
}

let counter = 0;

export function directory(url: string, adminKey: string = ADMIN_KEY): DirectoryHelper {
  const admin = apiClient(url, adminKey);
  return {
    admin,
    async party(name, kind = 'agency') {
      const res = await admin.post('/v1/parties', { name, kind });
      if (res.status !== 201) throw new Error(`creating party ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body).toMatchObject({ name, kind });
      return res.body.id as string;
    },
    async member(partyId, role, name = `${role} ${++counter}`) {
      const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${++counter}@example.test`;
      return this.memberWith(partyId, { name, email, role });
    },
    async memberWith(partyId, body) {
      const res = await admin.post(`/v1/parties/${partyId}/members`, body);
      if (res.status !== 201) throw new Error(`creating member ${body.name}: ${res.status} ${JSON.stringify(res.body)}`);
      const key = await admin.post(`/v1/members/${res.body.id}/api-keys`, {});
      if (key.status !== 201) throw new Error(`creating a key for ${body.name}: ${key.status} ${JSON.stringify(key.body)}`);
      expect(key.body.key).toMatch(/^hk_/);
      return { id: res.body.id as string, partyId, keyId: key.body.id as string, key: key.body.key as string, client: apiClient(url, key.body.key) };
    },
  };
}
