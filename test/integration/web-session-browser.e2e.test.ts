// The web session in a real browser: a running Handoff whose public URL is
// http://handoff.localhost:<port> emails a sign-in link over SMTP; Chromium (through
// playwright-core), on a page of that origin, signs in with the link's token, keeps the cookie
// where scripts cannot read it, sends it with its requests, and supplies the Origin header the
// CSRF check needs by itself (only the X-CSRF-Token is the page's to add). A page of another site
// that posts a form to the API gets nowhere: the browser leaves the SameSite=Lax cookie at home.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { directory, type Member } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { header, parseEmail } from '../support/parse-email';
import { freePort } from '../support/processes';
import { startSmtpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let env: TestWorkflowEnvironment;
let handoff: TestHandoff;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let browser: Browser;
let publicUrl: string;
let evil: Server;
let evilUrl: string;
let mara: Member;
let briefId: string;

beforeAll(async () => {
  env = await devServerEnv();
  smtp = await startSmtpReceiver();
  const port = await freePort();
  // *.localhost is the loopback address to a browser.
  publicUrl = `http://handoff.localhost:${port}`;
  handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { PORT: String(port), HANDOFF_PUBLIC_URL: publicUrl, SMTP_URL: smtp.url } });
  const d = directory(handoff.url);
  const shop = await d.party('Shop', 'ecommerce');
  const agency = await d.party('Pixelwerk');
  mara = await d.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager' });
  const created = await mara.client.post('/v1/briefs', { title: 'Spring banners', description: 'For the sale', partyId: agency });
  expect(created.status).toBe(201);
  briefId = created.body.id as string;
  // Another site, whose page posts a form to the API as soon as it loads.
  evil = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><title>Win a prize</title><form method="post" enctype="text/plain" action="${publicUrl}/v1/briefs/${briefId}/comments">` +
        `<input name='{"body":"forged","x":"' value='"}'></form><script>document.forms[0].submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await handoff?.cleanup();
  await smtp?.stop();
  await env?.teardown();
});

interface Answer {
  status: number;
  body: any;
}

test('Chromium signs in with the emailed link, keeps the cookie from scripts, and passes the CSRF checks only with the token; another site’s form gets 401', async () => {
  const asked = await fetch(`${handoff.url}/v1/session/sign-in-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'mara@shop.example' }) });
  expect(asked.status).toBe(202);
  const email = parseEmail(await eventually(async () => smtp.messages.find((m) => m.to.includes('mara@shop.example'))?.raw, 30_000));
  expect(header(email, 'Subject')).toBe('Sign in to Handoff');
  const link = /^(http:\/\/handoff\.localhost:\d+\/signin\/[A-Za-z0-9_-]+)$/m.exec(email.text ?? '')?.[1] as string;
  expect(link.startsWith(`${publicUrl}/signin/`)).toBe(true);
  const token = link.slice(`${publicUrl}/signin/`.length);

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    // A page of the app's origin (a plain JSON answer: no app script runs there).
    expect((await page.goto(`${publicUrl}/healthz`))?.status()).toBe(200);
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      page.evaluate(
        async ({ method, path, body, headers }): Promise<Answer> => {
          const res = await fetch(path, { method, credentials: 'same-origin', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
          const text = await res.text();
          return { status: res.status, body: text ? JSON.parse(text) : null };
        },
        { method, path, body, headers },
      );

    const signedIn = await call('POST', '/v1/session', { token });
    expect(signedIn.status).toBe(201);
    expect(signedIn.body.member).toMatchObject({ id: mara.id, role: 'manager' });
    const csrfToken = signedIn.body.csrfToken as string;

    // The cookie is the browser's: not visible to scripts, not Secure over http, sent back.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('handoff_session');
    const [cookie] = (await context.cookies(publicUrl)).filter((c) => c.name === 'handoff_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect((await call('GET', '/v1/session')).body).toMatchObject({ member: { id: mara.id }, csrfToken });

    // The browser adds Origin by itself: with the token a change goes through, without it not.
    const refused = await call('POST', `/v1/briefs/${briefId}/comments`, { body: 'without the token' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: 'https://handoff.dev/problems/csrf', detail: expect.stringMatching(/X-CSRF-Token/) });
    const commented = await call('POST', `/v1/briefs/${briefId}/comments`, { body: 'from the browser' }, { 'X-CSRF-Token': csrfToken });
    expect(commented.status).toBe(200);

    // Another site's form: the browser sends no cookie with a cross-site POST.
    const forged = page.waitForResponse((res) => res.url().endsWith(`/v1/briefs/${briefId}/comments`));
    await page.goto(evilUrl);
    expect((await forged).status()).toBe(401);
    const timeline = JSON.stringify((await mara.client.get(`/v1/briefs/${briefId}`)).body.timeline);
    expect(timeline).toContain('from the browser');
    expect(timeline).not.toContain('forged');
    expect(timeline).not.toContain('without the token');

    // Signing out from the page ends the session; the browser drops the cookie.
    await page.goto(`${publicUrl}/healthz`);
    expect((await call('DELETE', '/v1/session', undefined, { 'X-CSRF-Token': csrfToken })).status).toBe(204);
    expect((await context.cookies(publicUrl)).filter((c) => c.name === 'handoff_session')).toEqual([]);
    expect((await call('GET', '/v1/session')).status).toBe(401);
  } finally {
    await context.close();
  }
}, 120_000);
