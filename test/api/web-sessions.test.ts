// Signing in to the web app through the running product: a sign-in link emailed to the outbox
// (.eml, read as a mail client would) signs in once; an API key signs in too and its session ends
// with the key; the handoff_session cookie's attributes; GET and DELETE /v1/session; the CSRF rules
// for requests with the cookie (Origin or Referer of the app, X-CSRF-Token) and none for bearer
// keys; the session ending on sign-out, deactivation, revocation, key expiry and idleness; the
// escalation stream with the cookie; rate limits on sign-in links; no token in any log line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../lib/logger';
import { hashToken } from '../../api/web-sessions';
import { SIGN_IN_LINKS_PER_EMAIL } from '../../api/routes/sessions';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually, type ApiResponse } from '../support/http';
import { parseEmail } from '../support/parse-email';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

interface Session {
  cookie: string;
  setCookie: string;
  csrfToken: string;
  body: any;
}

/** A request as a browser (or anyone) would send it: JSON body, any headers, the answer parsed. */
async function send(base: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse & { setCookie: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers, setCookie: res.headers.get('set-cookie') };
}

const cookieOf = (setCookie: string | null) => {
  const match = /(?:^|,\s*)handoff_session=([^;]*)/.exec(setCookie ?? '');
  if (!match) throw new Error(`no handoff_session cookie in ${setCookie}`);
  return match[1];
};

describe('web sessions', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let shop: string;
  let agency: string;
  let paula: Member;
  let mara: Member;
  const lines: string[] = [];
  /** Every token that must never reach a log line. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    env = await devServerEnv();
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    handoff = await startTestHandoff(env, { database: 'pglite', logger });
    d = directory(handoff.url);
    shop = await d.party('Shop', 'ecommerce');
    agency = await d.party('Pixelwerk');
    paula = await d.memberWith(agency, { name: 'Paula', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', timezone: 'Europe/Berlin' });
    mara = await d.memberWith(shop, { name: 'Mara', email: 'mara@shop.example', role: 'manager' });
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const outbox = () => path.join(handoff.dataDir, 'outbox');
  const signInMails = () => (existsSync(outbox()) ? readdirSync(outbox()).filter((f) => f.startsWith('signin-')) : []);
  const own = () => ({ origin: handoff.url });

  /** Asks for a link for the address and returns the token from the email that arrives. */
  async function emailedToken(email: string): Promise<{ token: string; mail: ReturnType<typeof parseEmail> }> {
    const before = new Set(signInMails());
    const res = await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email, locale: 'en' }, headers: own() });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sent: true });
    const file = await eventually(async () => signInMails().find((f) => !before.has(f)));
    const mail = parseEmail(readFileSync(path.join(outbox(), file), 'utf8'));
    const token = /\/signin\/([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    if (!token) throw new Error(`no sign-in link in ${mail.text}`);
    secrets.add(token);
    return { token, mail };
  }

  async function signIn(body: { token: string } | { apiKey: string }, base = handoff.url): Promise<Session> {
    const res = await send(base, 'POST', '/v1/session', { body, headers: { origin: base } });
    expect(res.status).toBe(201);
    const cookie = cookieOf(res.setCookie);
    secrets.add(cookie);
    secrets.add(res.body.csrfToken as string);
    return { cookie: `handoff_session=${cookie}`, setCookie: res.setCookie as string, csrfToken: res.body.csrfToken as string, body: res.body };
  }

  const withCookie = (session: Session, extra: Record<string, string> = {}) => ({ cookie: session.cookie, ...extra });

  test('a sign-in link arrives in the member’s language, signs in once, and refuses a second use with 410', async () => {
    const { token, mail } = await emailedToken('Paula@Pixelwerk.example');
    const header = (name: string) => mail.headers.find(([n]) => n.toLowerCase() === name)?.[1];
    expect(header('subject')).toBe('Bei Handoff anmelden');
    expect(header('to')).toBe('paula@pixelwerk.example');
    expect(mail.text).toContain(`${handoff.config.publicUrl}/signin/${token}`);
    expect(mail.text).toContain('Hallo Paula');
    expect(mail.html).toContain(`href="${handoff.config.publicUrl}/signin/${token}"`);
    expect(token.length).toBeGreaterThanOrEqual(43);

    // The database keeps the token's hash only.
    const link = await handoff.db.prisma.signInLink.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    expect(link).toMatchObject({ memberId: paula.id, usedAt: null });
    expect(link.expiresAt.getTime() - link.createdAt.getTime()).toBe(handoff.config.actionLinks.ttlMs);

    const session = await signIn({ token });
    expect(session.body).toEqual({
      member: {
        id: paula.id,
        name: 'Paula',
        email: 'paula@pixelwerk.example',
        role: 'member',
        partyId: agency,
        partyName: 'Pixelwerk',
        partyKind: 'agency',
        scope: 'party',
        locale: 'de',
        timezone: 'Europe/Berlin',
      },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const row = await handoff.db.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(cookieOf(session.setCookie)) } });
    expect(row).toMatchObject({ memberId: paula.id, apiKeyId: null, csrfToken: session.csrfToken, endedAt: null });
    // Idle limit (8 h by default) before the 30-day maximum.
    expect(Math.abs(new Date(session.body.expiresAt).getTime() - (row.lastSeenAt.getTime() + 8 * 3600_000))).toBeLessThan(1000);
    expect((await handoff.db.prisma.signInLink.findUniqueOrThrow({ where: { id: link.id } })).usedAt).toBeInstanceOf(Date);

    const again = await send(handoff.url, 'POST', '/v1/session', { body: { token }, headers: own() });
    expectProblem(again, 410, 'gone');
    expect(again.body.detail).toMatch(/already used/);
    expect(again.setCookie).toBeNull();

    // An unknown token is 401, not 410.
    expectProblem(await send(handoff.url, 'POST', '/v1/session', { body: { token: 'A'.repeat(43) }, headers: own() }), 401, 'unauthenticated');
  });

  test('an unknown or deactivated address gets the same 202 and no email', async () => {
    const leaving = await d.memberWith(agency, { name: 'Leo', email: 'leo@pixelwerk.example', role: 'member' });
    expect((await d.admin.post(`/v1/members/${leaving.id}/deactivate`, {})).status).toBe(200);
    // A known address's email, to know when the sender has had its chance.
    await emailedToken('mara@shop.example');
    const before = signInMails().length;
    for (const email of ['nobody@pixelwerk.example', 'leo@pixelwerk.example']) {
      const res = await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email } });
      expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: { sent: true } });
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(signInMails().length).toBe(before);
    expect(await handoff.db.prisma.signInLink.count({ where: { memberId: leaving.id } })).toBe(0);
    // Not an address at all: 400 naming the field.
    const bad = await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email: 'not-an-address' } });
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'body.email' })]);
  });

  test('an expired link is refused with 410', async () => {
    const { token } = await emailedToken('mara@shop.example');
    await handoff.db.prisma.signInLink.update({ where: { tokenHash: hashToken(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await send(handoff.url, 'POST', '/v1/session', { body: { token }, headers: own() });
    expectProblem(res, 410, 'gone');
    expect(res.body.detail).toMatch(/expired/);
  });

  test(`more than ${SIGN_IN_LINKS_PER_EMAIL} links for one address in 15 minutes answer 429 with Retry-After`, async () => {
    const email = 'busy@nowhere.example';
    for (let i = 0; i < SIGN_IN_LINKS_PER_EMAIL; i++) expect((await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email } })).status).toBe(202);
    // The same address, spelt differently, counts as the same.
    const limited = await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email: 'BUSY@nowhere.example' } });
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    // Another address is not limited.
    expect((await send(handoff.url, 'POST', '/v1/session/sign-in-link', { body: { email: 'calm@nowhere.example' } })).status).toBe(202);
  });

  test('an API key signs in; the cookie is httpOnly, SameSite=Lax, Path=/ and not Secure over http; GET /v1/session answers for cookie and key', async () => {
    const session = await signIn({ apiKey: mara.key });
    const attributes = session.setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    expect(attributes).not.toContain('secure');
    const row = await handoff.db.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(cookieOf(session.setCookie)) } });
    expect(row.apiKeyId).toBe(mara.keyId);
    expect(row.tokenHash).not.toBe(cookieOf(session.setCookie));

    const current = await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(session) });
    expect(current.status).toBe(200);
    expect(current.body).toEqual({ ...session.body, expiresAt: expect.any(String) });
    expect(current.body.member).toMatchObject({ id: mara.id, role: 'manager', partyKind: 'ecommerce', timezone: null });

    const byKey = await mara.client.get('/v1/session');
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual({ member: session.body.member, csrfToken: null, expiresAt: null });

    expectProblem(await send(handoff.url, 'GET', '/v1/session'), 401, 'unauthenticated');
    expectProblem(await send(handoff.url, 'GET', '/v1/session', { headers: { cookie: 'handoff_session=nonsense' } }), 401, 'unauthenticated');
    expectProblem(await send(handoff.url, 'POST', '/v1/session', { body: { apiKey: 'hk_nothing_atall' }, headers: own() }), 401, 'unauthenticated');
    // Sign-in from another site's page is refused even without a session.
    expectProblem(await send(handoff.url, 'POST', '/v1/session', { body: { apiKey: mara.key }, headers: { origin: 'https://evil.example' } }), 403, 'csrf');
  });

  test('a request that changes something with the cookie needs the app’s origin and the CSRF token; a bearer key needs neither', async () => {
    const session = await signIn({ apiKey: paula.key });
    const prefs = `/v1/members/${paula.id}/notification-preferences`;
    const body = { channels: { comment: ['email'] } };
    const put = (headers: Record<string, string>) => send(handoff.url, 'PUT', prefs, { body, headers: withCookie(session, headers) });

    const noOrigin = await put({ 'x-csrf-token': session.csrfToken });
    expectProblem(noOrigin, 403, 'csrf');
    expect(noOrigin.body.detail).toMatch(/Origin/);
    const foreign = await put({ origin: 'https://evil.example', 'x-csrf-token': session.csrfToken });
    expectProblem(foreign, 403, 'csrf');
    expect(foreign.body.detail).toMatch(/another origin/);
    const foreignReferer = await put({ referer: 'https://evil.example/page', 'x-csrf-token': session.csrfToken });
    expectProblem(foreignReferer, 403, 'csrf');
    const noToken = await put(own());
    expectProblem(noToken, 403, 'csrf');
    expect(noToken.body.detail).toMatch(/X-CSRF-Token/);
    const wrongToken = await put({ ...own(), 'x-csrf-token': `${session.csrfToken.slice(0, -1)}x` });
    expectProblem(wrongToken, 403, 'csrf');
    expect(wrongToken.body.detail).toMatch(/does not match/);

    // The app's own origin (or the public URL's), by Origin or by Referer, with the token: it works.
    expect((await put({ ...own(), 'x-csrf-token': session.csrfToken })).status).toBe(200);
    expect((await put({ origin: new URL(handoff.config.publicUrl).origin, 'x-csrf-token': session.csrfToken })).status).toBe(200);
    expect((await put({ referer: `${handoff.url}/settings`, 'x-csrf-token': session.csrfToken })).status).toBe(200);
    // Reads need no token.
    expect((await send(handoff.url, 'GET', prefs, { headers: withCookie(session) })).status).toBe(200);

    // A bearer key: no Origin, no token, and a foreign origin changes nothing.
    expect((await paula.client.request('PUT', prefs, body)).status).toBe(200);
    expect((await paula.client.request('PUT', prefs, body, { origin: 'https://evil.example' })).status).toBe(200);
  });

  test('a cookie POST through a real route acts as the member, and the escalation stream works with the cookie', async () => {
    const session = await signIn({ apiKey: mara.key });
    const created = await send(handoff.url, 'POST', '/v1/briefs', {
      body: { title: 'Banner for the sale', description: 'Escalates at once', partyId: agency, priority: 'P1', targets: { acknowledge: 'PT1S' } },
      headers: withCookie(session, { ...own(), 'x-csrf-token': session.csrfToken }),
    });
    expect(created.status).toBe(201);
    const briefId = created.body.id as string;
    const brief = await mara.client.get(`/v1/briefs/${briefId}`);
    expect(brief.body).toMatchObject({ id: briefId, managerId: mara.id });

    const escalationId = await eventually(async () => (await mara.client.get(`/v1/escalations?briefId=${briefId}`)).body?.items?.[0]?.id as string | undefined, 30_000);
    const controller = new AbortController();
    const response = await fetch(`${handoff.url}/v1/escalations/stream?briefId=${briefId}&lastEventId=0`, { headers: { cookie: session.cookie, accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let text = '';
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        if (text.includes(`"id":"${escalationId}"`)) break;
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    expect(text).toContain(`"id":"${escalationId}"`);
    // Without the cookie: 401.
    expectProblem(await send(handoff.url, 'GET', `/v1/escalations/stream?briefId=${briefId}`, { headers: { accept: 'text/event-stream' } }), 401, 'unauthenticated');
  });

  test('signing out ends the session and clears the cookie', async () => {
    const { token } = await emailedToken('paula@pixelwerk.example');
    const session = await signIn({ token });
    // Signing out is a change: it needs the CSRF proofs too.
    expectProblem(await send(handoff.url, 'DELETE', '/v1/session', { headers: withCookie(session) }), 403, 'csrf');
    const out = await send(handoff.url, 'DELETE', '/v1/session', { headers: withCookie(session, { ...own(), 'x-csrf-token': session.csrfToken }) });
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/^handoff_session=;/);
    expect(out.setCookie).toMatch(/Expires=Thu, 01 Jan 1970/);
    const gone = await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(session) });
    expectProblem(gone, 401, 'unauthenticated');
    const row = await handoff.db.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(cookieOf(session.setCookie)) } });
    expect(row).toMatchObject({ endedAt: expect.any(Date), endReason: 'signed_out' });
    // With a key, signing out ends nothing and the key keeps working.
    expect((await paula.client.request('DELETE', '/v1/session')).status).toBe(204);
    expect((await paula.client.get('/v1/session')).status).toBe(200);
  });

  test('deactivating the member ends their sessions for good; revoking or expiring the key ends the sessions made from it', async () => {
    const piet = await d.memberWith(agency, { name: 'Piet', email: 'piet@pixelwerk.example', role: 'member' });
    const fromLink = await signIn({ token: (await emailedToken('piet@pixelwerk.example')).token });
    const fromKey = await signIn({ apiKey: piet.key });
    expect((await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(fromLink) })).status).toBe(200);
    expect((await d.admin.post(`/v1/members/${piet.id}/deactivate`, { reason: 'left' })).status).toBe(200);
    for (const session of [fromLink, fromKey]) {
      const res = await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(session) });
      expectProblem(res, 401, 'unauthenticated');
    }
    // Signing in again is refused while deactivated, and reactivating does not revive old sessions.
    expectProblem(await send(handoff.url, 'POST', '/v1/session', { body: { apiKey: piet.key }, headers: own() }), 401, 'unauthenticated');
    expect((await d.admin.post(`/v1/members/${piet.id}/reactivate`, {})).status).toBe(200);
    expectProblem(await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(fromLink) }), 401, 'unauthenticated');
    const ended = await handoff.db.prisma.webSession.findMany({ where: { memberId: piet.id } });
    expect(ended.map((s) => s.endReason)).toEqual(['member_deactivated', 'member_deactivated']);

    // Revoking the key ends the key's session, not the one from a link.
    const viaKey = await signIn({ apiKey: piet.key });
    const viaLink = await signIn({ token: (await emailedToken('piet@pixelwerk.example')).token });
    expect((await d.admin.post(`/v1/members/${piet.id}/api-keys/${piet.keyId}/revoke`, {})).status).toBe(200);
    expectProblem(await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(viaKey) }), 401, 'unauthenticated');
    expect((await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(viaLink) })).status).toBe(200);
    expectProblem(await send(handoff.url, 'POST', '/v1/session', { body: { apiKey: piet.key }, headers: own() }), 401, 'unauthenticated');

    // A key that expires takes its session with it.
    const shortKey = await d.admin.post(`/v1/members/${piet.id}/api-keys`, { expiresAt: new Date(Date.now() + 3000).toISOString() });
    expect(shortKey.status).toBe(201);
    const short = await signIn({ apiKey: shortKey.body.key as string });
    expect(new Date(short.body.expiresAt).toISOString()).toBe(shortKey.body.expiresAt);
    expect((await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(short) })).status).toBe(200);
    await eventually(async () => ((await send(handoff.url, 'GET', '/v1/session', { headers: withCookie(short) })).status === 401 ? true : undefined), 10_000, 250);
    const shortRow = await handoff.db.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(cookieOf(short.setCookie)) } });
    expect(shortRow.endReason).toBe('key_expired');
  });

  test('no session token, CSRF token or sign-in token reaches a log line; the sign-in page logs as /signin/:token', async () => {
    const { token } = await emailedToken('mara@shop.example');
    const page = await fetch(`${handoff.url}/signin/${token}`, { headers: { 'x-request-id': 'signin-page-log' } });
    expect(page.status).toBeLessThan(600);
    const line = await eventually(async () => lines.find((l) => l.includes('"signin-page-log"')));
    expect(JSON.parse(line).req.path).toBe('/signin/:token');
    // The link still works: the page's request did not use it.
    await signIn({ token });
    expect(secrets.size).toBeGreaterThan(10);
    const leaked = [...secrets].filter((secret) => lines.some((l) => l.includes(secret)));
    expect(leaked).toEqual([]);
    expect(lines.some((l) => l.includes('signed in to the web app'))).toBe(true);
  });
});

describe('web sessions behind an https public URL, with a short idle limit', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let member: Member;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_PUBLIC_URL: 'https://handoff.shop.example', HANDOFF_SESSION_IDLE: 'PT2S' } });
    const d = directory(handoff.url);
    member = await d.member(await d.party('Pixelwerk'), 'member');
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('the cookie is Secure, and a session unused for longer than HANDOFF_SESSION_IDLE has ended', async () => {
    const res = await send(handoff.url, 'POST', '/v1/session', { body: { apiKey: member.key }, headers: { origin: 'https://handoff.shop.example' } });
    expect(res.status).toBe(201);
    expect(res.setCookie?.split(';').map((a) => a.trim().toLowerCase())).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    const cookie = `handoff_session=${cookieOf(res.setCookie)}`;
    // Used within the limit, it lives on; each use restarts the idle time.
    for (let i = 0; i < 3; i++) {
      expect((await send(handoff.url, 'GET', '/v1/session', { headers: { cookie } })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const idle = await send(handoff.url, 'GET', '/v1/session', { headers: { cookie } });
    expectProblem(idle, 401, 'unauthenticated');
    expect(idle.body.detail).toMatch(/without use/);
    const row = await handoff.db.prisma.webSession.findUniqueOrThrow({ where: { tokenHash: hashToken(cookieOf(res.setCookie)) } });
    expect(row.endReason).toBe('idle');
  });
});
