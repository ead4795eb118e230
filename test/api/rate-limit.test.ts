// The per-key rate limit: with HANDOFF_RATE_LIMIT=5 the sixth request within a minute with one
// key answers 429 with Retry-After and the IETF draft-8 RateLimit headers (the key's entry among
// the limits the request passed); other keys and anonymous or public requests are not affected.
// The limits shared by replicas, per address, per member and on streams: shared-limits.test.ts.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateApiKey } from '../../lib/keys';
import { newId } from '../../lib/ids';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { expectProblem } from './directory';

const LIMIT = 5;

describe('rate limit per API key', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RATE_LIMIT: String(LIMIT) } });
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  /** A member with keys, written straight to the database so that no API key spends requests on set-up. */
  async function memberWithKeys(role: 'admin' | 'member', keys: number): Promise<{ memberId: string; keys: string[]; clients: ApiClient[] }> {
    const { prisma } = handoff.db;
    const party = await prisma.party.create({ data: { id: newId(), name: `Party ${role}`, kind: 'agency' } });
    const member = await prisma.member.create({ data: { id: newId(), partyId: party.id, name: `A ${role}`, email: `${newId()}@example.test`, role } });
    const plain: string[] = [];
    for (let i = 0; i < keys; i++) {
      const { key, prefix, hash } = generateApiKey();
      await prisma.apiKey.create({ data: { id: newId(), memberId: member.id, prefix, hash } });
      plain.push(key);
    }
    return { memberId: member.id, keys: plain, clients: plain.map((k) => apiClient(handoff.url, k)) };
  }

  /** The API key's entry of the header (it lists every limit the request passed: address, api-key, member). */
  const parseRateLimit = (value: string | null) => {
    expect(value).toBeTruthy();
    const remaining = /"api-key";\s*r=(\d+)/.exec(value as string);
    const reset = /"api-key";\s*r=\d+;\s*t=(\d+)/.exec(value as string);
    expect(remaining).not.toBeNull();
    expect(reset).not.toBeNull();
    return { remaining: Number(remaining?.[1]), reset: Number(reset?.[1]) };
  };

  test('the sixth request within a minute with one key answers 429 with Retry-After and RateLimit headers', async () => {
    const { keys, clients } = await memberWithKeys('member', 1);
    const [client] = clients;
    for (let i = 1; i <= LIMIT; i++) {
      const res = await client.get('/v1/me');
      expect({ request: i, status: res.status }).toEqual({ request: i, status: 200 });
      const limit = parseRateLimit(res.headers.get('ratelimit'));
      expect(limit.remaining).toBe(LIMIT - i);
      expect(limit.reset).toBeGreaterThan(0);
      expect(limit.reset).toBeLessThanOrEqual(60);
      expect(res.headers.get('ratelimit-policy')).toMatch(new RegExp(`"api-key";\\s*q=${LIMIT};\\s*w=60\\b`));
    }

    const limited = await client.get('/v1/me');
    expectProblem(limited, 429, 'rate-limited', '/v1/me');
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(parseRateLimit(limited.headers.get('ratelimit')).remaining).toBe(0);
    expect(limited.headers.get('ratelimit-policy')).toMatch(new RegExp(`"api-key";\\s*q=${LIMIT};\\s*w=60\\b`));
    // Neither header names the key.
    for (const header of ['ratelimit', 'ratelimit-policy', 'retry-after']) {
      expect(limited.headers.get(header)).not.toContain(keys[0]);
      expect(limited.headers.get(header)).not.toContain(keys[0].slice(3, 11));
    }
    // And it stays limited.
    expect((await client.get('/v1/parties')).status).toBe(429);
  });

  test('a limited request does nothing', async () => {
    const { clients } = await memberWithKeys('admin', 1);
    const [client] = clients;
    for (let i = 0; i < LIMIT; i++) expect((await client.get('/v1/me')).status).toBe(200);
    const before = await handoff.db.prisma.party.count();
    const limited = await client.post('/v1/parties', { name: 'Should not exist', kind: 'agency' }, { 'idempotency-key': 'limited-1' });
    expectProblem(limited, 429, 'rate-limited', '/v1/parties');
    expect(await handoff.db.prisma.party.count()).toBe(before);
    expect(await handoff.db.prisma.idempotencyRecord.count({ where: { key: 'limited-1' } })).toBe(0);
  });

  test("another key, of the same member or of another, is not limited by the first key's requests", async () => {
    const { clients } = await memberWithKeys('member', 2);
    const other = await memberWithKeys('member', 1);
    for (let i = 0; i < LIMIT; i++) expect((await clients[0].get('/v1/me')).status).toBe(200);
    expect((await clients[0].get('/v1/me')).status).toBe(429);

    const sameMember = await clients[1].get('/v1/me');
    expect(sameMember.status).toBe(200);
    expect(parseRateLimit(sameMember.headers.get('ratelimit')).remaining).toBe(LIMIT - 1);
    const otherMember = await other.clients[0].get('/v1/me');
    expect(otherMember.status).toBe(200);
    expect(parseRateLimit(otherMember.headers.get('ratelimit')).remaining).toBe(LIMIT - 1);
  });

  test('requests without a key answer 401, not 429, and public routes are not limited by the key limit (only by the generous one per address)', async () => {
    const anonymous = apiClient(handoff.url);
    for (let i = 0; i < LIMIT * 2; i++) {
      const res = await anonymous.get('/v1/me');
      expectProblem(res, 401, 'unauthenticated', '/v1/me');
      expect(res.headers.get('ratelimit')).toMatch(/^"address";/);
      expect(res.headers.get('ratelimit')).not.toContain('"api-key"');
    }
    for (let i = 0; i < LIMIT * 2; i++) expect((await anonymous.get('/healthz')).status).toBe(200);
  });
});
