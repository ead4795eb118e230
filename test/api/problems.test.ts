// Every error leaves the API as an RFC 9457 problem+json document of a known type: never HTML,
// never a stack trace, whatever goes wrong.
import { gzipSync } from 'node:zlib';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROBLEM_TYPES } from '../../api/errors';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectNoLeak, expectProblem, PROBLEM_BASE, type Member } from './directory';

const RATE_LIMIT = 30;

describe('problem+json errors', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let admin: ApiClient;
  let manager: Member;
  let agencyMember: Member;
  let agencyId: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RATE_LIMIT: String(RATE_LIMIT) } });
    const d = directory(handoff.url);
    admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    agencyId = await d.party('Pixelwerk', 'agency');
    manager = await d.member(shop, 'manager', 'Mara');
    agencyMember = await d.member(agencyId, 'member', 'Paula');
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('validation: 400 with an errors list of {path, message} naming each field (body, query, header)', async () => {
    const body = await manager.client.post('/v1/briefs', { title: '', partyId: agencyId, priority: 'P9', targets: { acknowledge: '4 hours' } });
    expectProblem(body, 400, 'validation', '/v1/briefs');
    expect(body.body.title).toBe(PROBLEM_TYPES.validation.title);
    expect(body.body.errors.length).toBeGreaterThanOrEqual(4);
    for (const error of body.body.errors) {
      expect(Object.keys(error).sort()).toEqual(['message', 'path']);
      expect(error).toEqual({ path: expect.stringMatching(/^body\./), message: expect.any(String) });
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(body.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.title', 'body.description', 'body.priority', 'body.targets.acknowledge']),
    );
    for (const path of ['body.title', 'body.description', 'body.priority']) expect(body.body.detail).toContain(path);

    const query = await manager.client.get('/v1/briefs?limit=0&status=nonsense');
    expectProblem(query, 400, 'validation', '/v1/briefs?limit=0&status=nonsense');
    expect(query.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.status']);

    const header = await manager.client.post('/v1/briefs', { title: 't', description: 'd', partyId: agencyId }, { 'idempotency-key': 'k'.repeat(256) });
    expectProblem(header, 400, 'validation');
    expect(header.body.errors).toEqual([{ path: 'headers.idempotency-key', message: expect.any(String) }]);

    const notAnObject = await manager.client.post('/v1/briefs', []);
    expectProblem(notAnObject, 400, 'validation');
    expect(notAnObject.body.errors.length).toBeGreaterThan(0);
  });

  test('malformed-body: 400 for a body that is not JSON', async () => {
    for (const text of ['{"title":', "{'title': 'x'}", 'title=x', '"just a string"']) {
      const res = await manager.client.request('POST', '/v1/briefs', text, { 'content-type': 'application/json' });
      expectProblem(res, 400, 'malformed-body', '/v1/briefs');
      expect(res.body.errors).toBeUndefined();
    }
    const charset = await manager.client.request('POST', '/v1/briefs', '{}', { 'content-type': 'application/json; charset=latin-9' });
    expectProblem(charset, 400, 'malformed-body');
  });

  test('malformed-body: 400 for a body whose Content-Encoding does not decode', async () => {
    // A valid gzip body is accepted (the route then answers as usual).
    const valid = await fetch(`${handoff.url}/v1/briefs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager.key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ title: '' })),
    });
    expect(valid.status).toBe(400);
    expect(JSON.parse(await valid.text()).errors.map((e: { path: string }) => e.path)).toContain('body.title');
    const corrupt = await fetch(`${handoff.url}/v1/briefs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager.key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'this is not gzip',
    });
    expectProblem(await asApiResponse(corrupt), 400, 'malformed-body', '/v1/briefs');
  });

  test('payload-too-large: 413 for a body over 1 MB', async () => {
    const big = { title: 'big', description: 'x'.repeat(1024 * 1024 + 10), partyId: agencyId };
    const res = await manager.client.post('/v1/briefs', big);
    expectProblem(res, 413, 'payload-too-large', '/v1/briefs');
    // Just under the limit is parsed (and then validated).
    const under = await manager.client.post('/v1/briefs', { title: 'big', description: 'x'.repeat(1000 * 1000), partyId: agencyId });
    expectProblem(under, 400, 'validation');
    expect(under.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.description']);
  });

  test('unauthenticated: 401 without a key, with an unknown key, or with another scheme', async () => {
    const cases: [string, Record<string, string>][] = [
      ['none', {}],
      ['unknown', { authorization: 'Bearer hk_unknown0_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }],
      ['basic', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['two tokens', { authorization: `Bearer ${ADMIN_KEY} extra` }],
    ];
    for (const [, headers] of cases) {
      const res = await apiClient(handoff.url).get('/v1/briefs', headers);
      expectProblem(res, 401, 'unauthenticated', '/v1/briefs');
      expect(JSON.stringify(res.body)).not.toContain(ADMIN_KEY);
    }
    // Unknown /v1 routes ask for a key before anything else.
    expectProblem(await apiClient(handoff.url).post('/v1/nope', {}), 401, 'unauthenticated', '/v1/nope');
  });

  test('forbidden: 403 for a role that may not do this', async () => {
    const res = await manager.client.post('/v1/parties', { name: 'x', kind: 'agency' });
    expectProblem(res, 403, 'forbidden', '/v1/parties');
    expectProblem(await agencyMember.client.get('/v1/audit'), 403, 'forbidden', '/v1/audit');
  });

  test('not-found: 404 for unknown routes and unknown records', async () => {
    const anonymous = apiClient(handoff.url);
    expectProblem(await anonymous.get('/nope'), 404, 'not-found', '/nope');
    expectProblem(await anonymous.post('/nope', {}), 404, 'not-found', '/nope');
    expectProblem(await anonymous.get('/index.html'), 404, 'not-found', '/index.html');
    expectProblem(await manager.client.post('/v1/nope', {}), 404, 'not-found', '/v1/nope');
    expectProblem(await manager.client.get('/v1/nope'), 404, 'not-found', '/v1/nope');
    expectProblem(await manager.client.request('DELETE', '/v1/briefs'), 404, 'not-found', '/v1/briefs');
    expectProblem(await manager.client.get('/v1/briefs/does-not-exist'), 404, 'not-found', '/v1/briefs/does-not-exist');
    expectProblem(await manager.client.get('/v1/parties/does-not-exist'), 404, 'not-found', '/v1/parties/does-not-exist');
    expectProblem(await manager.client.post('/v1/briefs/does-not-exist/comments', { body: 'hi' }), 404, 'not-found');
    expectProblem(await admin.post('/v1/members/does-not-exist/api-keys', {}), 404, 'not-found');
  });

  test('not-found: 404 for a file that is not among the reference assets', async () => {
    expectProblem(await apiClient(handoff.url).get('/docs/assets/does-not-exist.js'), 404, 'not-found', '/docs/assets/does-not-exist.js');
    expectProblem(await apiClient(handoff.url).get('/docs/assets/'), 404, 'not-found', '/docs/assets/');
  });

  test('a path whose percent-encoding does not decode is a 400 problem, not a 500', async () => {
    const res = await manager.client.get('/v1/briefs/%E0%A4%A');
    expect(res.status).toBe(400);
    expectProblem(res, 400, res.body?.type?.slice(PROBLEM_BASE.length));
    expect(['validation', 'malformed-body']).toContain(res.body.type.slice(PROBLEM_BASE.length));
  });

  test('conflict: 409 for an action not possible in the current state', async () => {
    const key = await admin.post(`/v1/members/${agencyMember.id}/api-keys`, {});
    expect(key.status).toBe(201);
    const path = `/v1/members/${agencyMember.id}/api-keys/${key.body.id}/revoke`;
    expect((await admin.post(path, {})).status).toBe(200);
    expectProblem(await admin.post(path, {}), 409, 'conflict', path);
  });

  test('idempotency-mismatch: 422 for an Idempotency-Key reused with another request', async () => {
    const headers = { 'idempotency-key': 'problems-422' };
    expect((await admin.post('/v1/parties', { name: 'Northstar', kind: 'agency' }, headers)).status).toBe(201);
    expectProblem(await admin.post('/v1/parties', { name: 'Southstar', kind: 'agency' }, headers), 422, 'idempotency-mismatch', '/v1/parties');
  });

  test('rate-limited: 429 once a key has made its requests for the minute', async () => {
    const d = directory(handoff.url);
    const busy = await d.member(agencyId, 'member', 'Busy');
    let last: ApiResponse | undefined;
    for (let i = 0; i <= RATE_LIMIT; i++) last = await busy.client.get('/v1/me');
    expectProblem(last as ApiResponse, 429, 'rate-limited', '/v1/me');
    expect(Number((last as ApiResponse).headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('every problem type in the closed set has its documented status and a title', () => {
    for (const [type, { status, title }] of Object.entries(PROBLEM_TYPES)) {
      expect({ type, ok: status >= 400 && status < 600 && title.length > 0 }).toEqual({ type, ok: true });
    }
  });

  test('problem answers carry the security headers and a request id, and no CORS headers when CORS is off', async () => {
    const res = await fetch(`${handoff.url}/v1/briefs`, { headers: { origin: 'https://shop.example' } });
    expect(res.status).toBe(401);
    expectNoLeak(await res.text());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${handoff.url}/v1/briefs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expectNoLeak(await preflight.text());
  });
});

async function asApiResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, headers: response.headers };
}
