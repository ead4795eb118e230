// The API's pino output, captured from a running Handoff: one line per request with its id,
// method, route, path, status and latency; X-Request-Id taken from the request or generated, and
// echoed; never a key, an Authorization header, or a body's content.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../lib/logger';
import { createActionLink, loadActionLinkSecret } from '../../services/action-links';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, eventually, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, type DirectoryHelper } from './directory';

interface RequestLine {
  level: number;
  msg: string;
  req: { id: string; method: string; path: string };
  res: { statusCode: number };
  responseTime: number;
  route?: string;
}

describe('request logs', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  const lines: string[] = [];
  /** Every secret that must never reach the log. */
  const secrets = new Set<string>([ADMIN_KEY]);
  const secret = (label: string) => {
    const value = `${label}-${randomBytes(9).toString('hex')}`;
    secrets.add(value);
    return value;
  };

  beforeAll(async () => {
    env = await devServerEnv();
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    handoff = await startTestHandoff(env, { database: 'pglite', logger });
    d = directory(handoff.url);
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const requestLines = () => parsed().filter((l): l is Record<string, unknown> & RequestLine => typeof l.req === 'object' && typeof l.res === 'object');
  const lineFor = (id: string) => eventually(async () => requestLines().find((l) => l.req.id === id));

  let sequence = 0;
  const requestId = () => `test-${process.pid}-${++sequence}`;

  async function expectLogged(res: ApiResponse, id: string, method: string, path: string, route: string | undefined) {
    expect(res.headers.get('x-request-id')).toBe(id);
    const line = await lineFor(id);
    expect(line).toMatchObject({ req: { id, method, path }, res: { statusCode: res.status }, responseTime: expect.any(Number) });
    expect(line.responseTime).toBeGreaterThanOrEqual(0);
    expect(line.msg).toEqual(expect.any(String));
    if (route) expect(line.route).toBe(route);
    expect(requestLines().filter((l) => l.req.id === id)).toHaveLength(1);
  }

  test('logs each request once with its id, method, route, path, status and latency, and echoes the id', async () => {
    const admin = d.admin;
    let id = requestId();
    const party = await admin.post('/v1/parties', { name: secret('party-name'), kind: 'agency' }, { 'x-request-id': id });
    expect(party.status).toBe(201);
    await expectLogged(party, id, 'POST', '/v1/parties', '/v1/parties');

    id = requestId();
    const member = await admin.post(`/v1/parties/${party.body.id}/members`, { name: 'Paula', email: 'paula@pixel.example', role: 'member' }, { 'x-request-id': id });
    expect(member.status).toBe(201);
    await expectLogged(member, id, 'POST', `/v1/parties/${party.body.id}/members`, '/v1/parties/:id/members');

    id = requestId();
    const listed = await admin.get(`/v1/parties?limit=5&cursor=${secret('query-secret')}`, { 'x-request-id': id });
    expect(listed.status).toBe(400);
    // The path without its query string.
    await expectLogged(listed, id, 'GET', '/v1/parties', '/v1/parties');

    id = requestId();
    const unknown = await admin.get('/v1/does-not-exist', { 'x-request-id': id });
    expect(unknown.status).toBe(404);
    await expectLogged(unknown, id, 'GET', '/v1/does-not-exist', undefined);

    id = requestId();
    const anonymous = await apiClient(handoff.url).get('/v1/me', { 'x-request-id': id });
    expect(anonymous.status).toBe(401);
    await expectLogged(anonymous, id, 'GET', '/v1/me', undefined);
  });

  test('a request without X-Request-Id, or with one unfit for a log, gets a generated id, echoed', async () => {
    const res = await d.admin.get('/v1/me');
    const generated = res.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await expectLogged(res, generated as string, 'GET', '/v1/me', '/v1/me');

    const another = await d.admin.get('/v1/me');
    expect(another.headers.get('x-request-id')).not.toBe(generated);

    for (const unfit of ['has spaces', 'x'.repeat(129), 'inject"},{"level":60', '']) {
      const answer = await d.admin.get('/v1/me', { 'x-request-id': unfit });
      const echoed = answer.headers.get('x-request-id') as string;
      expect(echoed).not.toBe(unfit);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      await lineFor(echoed);
    }
    // Public routes too.
    const health = await apiClient(handoff.url).get('/healthz', { 'x-request-id': 'health-check-1' });
    await expectLogged(health, 'health-check-1', 'GET', '/healthz', '/healthz');
  });

  test('no log line contains an API key, "Bearer", a key hash or anything from a body', async () => {
    const admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    const agency = await d.party('Agency');
    const manager = await d.member(shop, 'manager', 'Mara');
    const lead = await d.member(agency, 'member', 'Lena');
    secrets.add(manager.key);
    secrets.add(lead.key);

    // Key answers carry keys.
    const created = await admin.post(`/v1/members/${lead.id}/api-keys`, { expiresAt: new Date(Date.now() + 3600_000).toISOString() }, { 'x-request-id': requestId() });
    expect(created.body.key).toMatch(/^hk_/);
    secrets.add(created.body.key);
    const rotated = await apiClient(handoff.url, created.body.key).post(`/v1/members/${lead.id}/api-keys/${created.body.id}/rotate`, { overlap: 'PT1M' });
    expect(rotated.body.key).toMatch(/^hk_/);
    secrets.add(rotated.body.key);
    const idempotent = await admin.post(`/v1/members/${lead.id}/api-keys`, {}, { 'idempotency-key': secret('idempotency-key') });
    secrets.add(idempotent.body.key);
    await admin.post(`/v1/members/${lead.id}/api-keys`, {}, { 'idempotency-key': [...secrets].find((s) => s.startsWith('idempotency-key')) as string });

    // Keys in use, good and bad, in the header and where they do not belong.
    expect((await manager.client.get('/v1/me')).status).toBe(200);
    expect((await apiClient(handoff.url, rotated.body.key).get('/v1/me')).status).toBe(200);
    const bogus = `hk_bogus000_${randomBytes(32).toString('base64url')}`;
    secrets.add(bogus);
    expect((await apiClient(handoff.url, bogus).get('/v1/me')).status).toBe(401);
    expect((await apiClient(handoff.url).get('/v1/me', { authorization: `Basic ${Buffer.from(`u:${secret('basic-password')}`).toString('base64')}` })).status).toBe(401);

    // Bodies with secrets: a brief, an action, a malformed body, an oversized one.
    const brief = await manager.client.post('/v1/briefs', { title: secret('brief-title'), description: secret('brief-description'), partyId: agency });
    expect(brief.status).toBe(201);
    expect((await lead.client.post(`/v1/briefs/${brief.body.id}/comments`, { body: secret('comment-body') })).status).toBe(200);
    expect((await manager.client.request('POST', '/v1/briefs', `{"title":"${secret('malformed')}"`, { 'content-type': 'application/json' })).status).toBe(400);
    expect((await manager.client.post('/v1/briefs', { title: '', description: secret('invalid-body') })).status).toBe(400);
    expect((await admin.post('/v1/parties', { name: secret('too-large'), padding: 'x'.repeat(1_100_000) })).status).toBe(413);
    // A request answered with an error that is logged with its message and stack: still no secret.
    await apiClient(handoff.url, manager.key).get('/docs/assets/does-not-exist.js');

    await eventually(async () => (requestLines().some((l) => l.res.statusCode === 413) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(lines.length).toBeGreaterThan(20);
    const hashes = [...secrets].filter((s) => s.startsWith('hk_')).map((k) => createHash('sha256').update(k).digest('hex'));
    const leaks: string[] = [];
    for (const line of lines) {
      if (/bearer/i.test(line)) leaks.push(`Bearer in: ${line.slice(0, 200)}`);
      if (/authorization/i.test(line)) leaks.push(`authorization in: ${line.slice(0, 200)}`);
      for (const s of [...secrets, ...hashes]) if (line.includes(s)) leaks.push(`${s.slice(0, 16)}... in: ${line.slice(0, 200)}`);
      // No header dump, no body dump.
      const entry = JSON.parse(line) as Record<string, any>;
      if (entry.req) {
        expect(Object.keys(entry.req).sort()).toEqual(['id', 'method', 'path']);
        expect(entry).toMatchObject({ req: { id: expect.any(String), method: expect.any(String), path: expect.any(String) }, res: { statusCode: expect.any(Number) }, responseTime: expect.any(Number) });
      }
      if (entry.res) expect(Object.keys(entry.res).sort()).toEqual(['statusCode']);
      expect(entry.body).toBeUndefined();
    }
    expect(leaks).toEqual([]);
    // The key creation itself is logged, by prefix.
    expect(parsed().some((l) => l.msg === 'api key created' && l.prefix === created.body.prefix)).toBe(true);
  });

  test('an action link\'s token never reaches a log line: requests to link pages are logged as /actions/:token and /view/:token', async () => {
    const shop = await d.party('Shop', 'ecommerce');
    const agency = await d.party('Agency');
    const manager = await d.member(shop, 'manager', 'Mara');
    const paula = await d.member(agency, 'member', 'Paula');
    const brief = await manager.client.post('/v1/briefs', { title: 'Logged links', description: 'Link tokens stay out of the log', partyId: agency });
    expect(brief.status).toBe(201);
    const linkSecret = await loadActionLinkSecret(handoff.db.prisma, handoff.config.actionLinks.secret);
    const make = (action: 'acknowledge' | 'view') =>
      createActionLink(handoff.db.prisma, { secret: linkSecret, publicUrl: handoff.url, notificationId: randomUUID(), briefId: brief.body.id, memberId: paula.id, action, ttlMs: 3_600_000 });
    const actionUrl = await make('acknowledge');
    const viewUrl = await make('view');
    const tokens = [actionUrl.split('/actions/')[1], viewUrl.split('/view/')[1]];
    const mark = lines.length;

    const opened = requestId();
    expect((await fetch(actionUrl, { headers: { 'x-request-id': opened } })).status).toBe(200);
    expect((await lineFor(opened)).req.path).toBe('/actions/:token');
    const viewed = requestId();
    expect((await fetch(viewUrl, { headers: { 'x-request-id': viewed } })).status).toBe(200);
    expect((await lineFor(viewed)).req.path).toBe('/view/:token');
    // Acting, a form too large (an error answered by the error middleware), an unknown path below the token.
    const acted = requestId();
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': acted } };
    expect((await fetch(actionUrl, { ...form, body: '' })).status).toBe(200);
    const tooLarge = requestId();
    expect((await fetch(`${actionUrl}?x=1`, { ...form, headers: { ...form.headers, 'x-request-id': tooLarge }, body: `note=${'x'.repeat(40_000)}` })).status).toBe(413);
    const below = requestId();
    const unknown = await fetch(`${actionUrl}/more`, { headers: { 'x-request-id': below } });
    expect(unknown.status).toBe(404);
    const unknownText = await unknown.text();
    for (const token of tokens) expect(unknownText).not.toContain(token);
    for (const id of [acted, tooLarge, below]) expect((await lineFor(id)).req.path).toMatch(/^\/actions\/:token/);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const written = lines.slice(mark);
    expect(written.length).toBeGreaterThanOrEqual(5);
    const leaks = written.filter((line) => tokens.some((token) => line.includes(token) || line.includes(token.split('.')[1])));
    expect(leaks).toEqual([]);
  });
});
