// Shared set-up for the API tests: parties, members and keys created through the API as the
// bootstrap admin, and problem+json checks.
import { ADMIN_KEY } from '../support/handoff';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';

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
}

let counter = 0;

export function directory(url: string, adminKey: string = ADMIN_KEY): DirectoryHelper {
  const admin = apiClient(url, adminKey);
  return {
    admin,
    async party(name, kind = 'agency') {
      const res = await admin.post('/v1/parties', { name, kind });
      if (res.status !== 201) throw new Error(`creating party ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async member(partyId, role, name = `${role} ${++counter}`) {
      const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${++counter}@example.test`;
      const res = await admin.post(`/v1/parties/${partyId}/members`, { name, email, role });
      if (res.status !== 201) throw new Error(`creating member ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      const key = await admin.post(`/v1/members/${res.body.id}/api-keys`, {});
      if (key.status !== 201) throw new Error(`creating a key for ${name}: ${key.status} ${JSON.stringify(key.body)}`);
      return { id: res.body.id as string, partyId, keyId: key.body.id as string, key: key.body.key as string, client: apiClient(url, key.body.key) };
    },
  };
}

export const PROBLEM_BASE = 'https://handoff.dev/problems/';

/** Asserts a problem+json answer of the given type and status, and nothing leaking. */
export function expectProblem(res: ApiResponse, status: number, type: string, instance?: string): void {
  expect({ status: res.status, type: res.body?.type }).toEqual({ status, type: `${PROBLEM_BASE}${type}` });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: `${PROBLEM_BASE}${type}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: instance ?? expect.any(String),
    }),
  );
  expect(res.body.title.length).toBeGreaterThan(0);
  expect(res.body.detail.length).toBeGreaterThan(0);
  const allowed = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);
  expect(Object.keys(res.body).filter((k) => !allowed.has(k))).toEqual([]);
  expectNoLeak(JSON.stringify(res.body));
}

/** No HTML and nothing that looks like a stack trace or a source location. */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/<html|<!doctype|<pre>|<body/i);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|at .*:\d+:\d+|\.(ts|js):\d+|node_modules|Error: /);
}
