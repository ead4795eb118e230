// Security headers (helmet) on every kind of answer, and CORS with HANDOFF_CORS_ORIGINS set:
// the listed origin may call the API from a browser with the documented headers, others not.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';

const ORIGIN = 'https://shop.example';
/** The request headers a browser client may send, and the answer headers it may read (README, api/app.ts). */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id'];
const EXPOSED_HEADERS = ['etag', 'location', 'x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'idempotent-replayed'];

const list = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);

describe('security headers and CORS', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_CORS_ORIGINS: ORIGIN } });
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  /** Fetches and reads the whole body, so that no connection stays busy after the test. */
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${handoff.url}${path}`, { headers });
    await res.arrayBuffer();
    return res;
  };
  const preflight = async (path: string, origin: string, method = 'POST', requestHeaders = 'authorization,content-type,idempotency-key,x-request-id') => {
    const res = await fetch(`${handoff.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  test('helmet headers are on JSON, problem, HTML and static answers', async () => {
    const answers = await Promise.all([
      get('/healthz'),
      get('/v1/me', { authorization: `Bearer ${ADMIN_KEY}` }),
      get('/v1/me'),
      get('/nope'),
      get('/openapi.json'),
      get('/docs'),
      get('/docs/assets/swagger-ui-bundle.js'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 200, 200, 200]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('same-origin'); // no referrer to other sites; the web app's POSTs carry their origin
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/frame-ancestors 'self'/);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  test('a preflight from the allowed origin is allowed, with the documented headers, without a key', async () => {
    const res = await preflight('/v1/briefs', ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(list(res.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post']));
    expect(list(res.headers.get('access-control-allow-headers')).sort()).toEqual([...ALLOWED_HEADERS].sort());
    expect(Number(res.headers.get('access-control-max-age'))).toBe(600);
    expect(list(res.headers.get('vary'))).toContain('origin');
    // Keys travel in a header, never cookies: no credentials.
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.text).toBe('');

    for (const path of ['/v1/briefs/some-id/comments', '/v1/members/m/api-keys/k/rotate', '/v1/parties']) {
      const other = await preflight(path, ORIGIN);
      expect({ path, status: other.status, origin: other.headers.get('access-control-allow-origin') }).toEqual({ path, status: 204, origin: ORIGIN });
    }
  });

  test('an answer to the allowed origin names it and exposes the documented headers', async () => {
    const res = await get('/v1/me', { origin: ORIGIN, authorization: `Bearer ${ADMIN_KEY}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(list(res.headers.get('access-control-expose-headers')).sort()).toEqual([...EXPOSED_HEADERS].sort());
    expect(list(res.headers.get('vary'))).toContain('origin');

    const problem = await get('/v1/me', { origin: ORIGIN });
    expect(problem.status).toBe(401);
    expect(problem.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  test('another origin is not allowed, however close to the allowed one', async () => {
    for (const origin of ['https://evil.example', 'http://shop.example', 'https://shop.example.evil.example', 'https://sub.shop.example', 'https://shop.example:8443', 'null']) {
      const pre = await preflight('/v1/briefs', origin);
      expect({ origin, allowed: pre.headers.get('access-control-allow-origin') }).toEqual({ origin, allowed: null });
      const res = await get('/v1/me', { origin, authorization: `Bearer ${ADMIN_KEY}` });
      expect({ origin, allowed: res.headers.get('access-control-allow-origin') }).toEqual({ origin, allowed: null });
    }
  });
});
