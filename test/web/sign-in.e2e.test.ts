// Signing in to the web app in Chromium: a member whose language is German gets the German email
// and a German app, even in an English browser; an emailed link signs in once and the page says
// so when it is used again; a page of another origin cannot act with the member's cookie (a
// sibling origin on the same site sends the cookie and is refused by the CSRF check, another site
// does not even send it); signing out ends the session on the server, not only in the browser;
// the administration pages and the settings page pass the screenshot and axe checks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import type { Member } from '../support/directory';
import { header, parseEmail } from '../support/parse-email';
import { freePort } from '../support/processes';
import { check, openSignInLink, requestSignInLink, signInByEmail, signInWithKey, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let shop: string;
let agency: string;
let mara: Member;
let ada: Member;
let evil: Server;
/** Another origin of the same site as the app (localhost, another port): browsers send the SameSite=Lax cookie along. */
let sameSiteOrigin: string;
/** Another site altogether (127.0.0.1 is not localhost to a browser's cookie rules). */
let crossSiteOrigin: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack('sign-in');
  shop = await stack.dir.party('Shop', 'ecommerce');
  agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  ada = await stack.dir.memberWith(shop, { name: 'Ada Admin', email: 'ada@shop.example', role: 'admin', locale: 'en' });
  await stack.dir.memberWith(agency, { name: 'Dieter Druck', email: 'dieter@pixelwerk.example', role: 'member', locale: 'de', isLead: true });
  await stack.dir.memberWith(agency, { name: 'Eva Einmal', email: 'eva@pixelwerk.example', role: 'member', locale: 'en' });
  await stack.dir.memberWith(shop, { name: 'Otto Out', email: 'otto@shop.example', role: 'manager', locale: 'en' });
  const calendar = await ada.client.post('/v1/calendars', { name: 'Hamburg office', timezone: 'Europe/Berlin', workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } });
  expect(calendar.status).toBe(201);
  const policy = await ada.client.post('/v1/sla-policies', { name: 'Agencies standard', calendarId: calendar.body.id, targets: { acknowledge: { P2: 'PT4H' } }, escalation: { levels: [{ after: 'PT2H', notify: ['manager'] }] } });
  expect(policy.status).toBe(201);

  // Pages of other origins that, once opened, try to create a brief with whatever cookie the
  // browser sends along: a form (no preflight) and a fetch with credentials.
  const forgedBody = JSON.stringify({ title: 'Forged brief', description: 'x', partyId: agency }).slice(0, -1);
  evil = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (req.url === '/form') {
      res.end(
        `<!doctype html><title>Win a prize</title><form method="post" enctype="text/plain" action="${stack.publicUrl}/v1/briefs">` +
          `<input name='${forgedBody},"x":"' value='"}'></form><script>document.forms[0].submit()</script>`,
      );
    } else {
      res.end(
        `<!doctype html><title>Win a prize</title><script>fetch(${JSON.stringify(`${stack.publicUrl}/v1/briefs`)}, {method: 'POST', mode: 'no-cors', credentials: 'include', ` +
          `headers: {'content-type': 'text/plain'}, body: ${JSON.stringify(`${forgedBody}}`)}})</script>`,
      );
    }
  });
  const evilPort = await freePort();
  await new Promise<void>((resolve) => evil.listen(evilPort, resolve));
  sameSiteOrigin = `http://localhost:${(evil.address() as AddressInfo).port}`;
  crossSiteOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await stack?.stop();
  evil?.closeAllConnections();
  await new Promise((resolve) => evil?.close(resolve));
});

async function newContext(locale: 'en-GB' | 'de-DE' = 'en-GB'): Promise<BrowserContext> {
  const context = await stack.newContext(locale);
  contexts.push(context);
  return context;
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies(stack.publicUrl)).find((c) => c.name === 'handoff_session');

test('a member whose language is German gets the German email and the app in German, in an English browser', async () => {
  const context = await newContext('en-GB');
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto('/signin');
  // Before sign-in the app speaks the browser's language.
  await page.getByRole('heading', { level: 1, name: 'Sign in to Handoff' }).waitFor();
  await check(stack, page, 'signin');
  const before = stack.smtp.messages.length;
  const link = await requestSignInLink(stack, page, 'dieter@pixelwerk.example');
  const mail = stack.smtp.messages.slice(before).find((m) => m.to.includes('dieter@pixelwerk.example'));
  expect(header(parseEmail(mail?.raw ?? ''), 'Subject')).toBe('Bei Handoff anmelden');
  expect(link.startsWith(`${stack.publicUrl}/signin/`)).toBe(true);

  await openSignInLink(page, link);
  await page.waitForURL('**/inbox');
  await page.getByRole('heading', { level: 1, name: 'Eingang' }).waitFor();
  await page.getByText('Nichts wartet auf Sie.').waitFor();
  const nav = page.getByRole('navigation', { name: 'Hauptmenü' });
  expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Eingang', 'Programme', 'Kennzahlen', 'Meine Einstellungen']);
  expect(await page.getByRole('button', { name: 'Abmelden' }).isVisible()).toBe(true);
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('de');
  expect(await page.locator('header.top').innerText()).toContain('Dieter Druck · Pixelwerk · Mitglied');
  await check(stack, page, 'inbox-de');
  expect(problems).toEqual([]);
}, 60_000);

test('an emailed link signs in once; used again, in another browser, it is refused and the page says so', async () => {
  const first = await newContext();
  const page = await first.newPage();
  const link = await requestSignInLink(stack, page, 'eva@pixelwerk.example');
  await openSignInLink(page, link);
  await page.waitForURL('**/inbox');
  expect(await sessionCookie(first)).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  const second = await newContext();
  const again = await second.newPage();
  const problems = watchProblems(again);
  await again.goto(link);
  const answer = again.waitForResponse((res) => res.url() === `${stack.publicUrl}/v1/session` && res.request().method() === 'POST');
  await again.getByRole('button', { name: 'Sign in', exact: true }).click();
  expect((await answer).status()).toBe(410);
  const alert = again.getByRole('alert');
  await alert.waitFor();
  expect(await alert.innerText()).toMatch(/^This sign-in link cannot be used: the sign-in link was already used; ask for a new one\s+Request a new link$/);
  expect(await again.getByRole('link', { name: 'Request a new link' }).getAttribute('href')).toBe('/signin');
  // Still signed out: no cookie, no app frame, the link page as it was.
  expect(new URL(again.url()).pathname).toBe(new URL(link).pathname);
  expect(await sessionCookie(second)).toBeUndefined();
  expect(await again.locator('header.top').count()).toBe(0);
  await check(stack, again, 'signin-link-used');
  // The first browser is still signed in.
  expect((await page.request.get('/v1/session')).status()).toBe(200);
  expect(problems).toEqual([]);
}, 60_000);

test('a page of another origin cannot create a brief with the member’s cookie: same site gets 403 csrf, another site 401', async () => {
  const context = await newContext();
  const page = await signInByEmail(stack, context, 'mara@shop.example');
  await page.waitForURL('**/board');
  const cookie = await sessionCookie(context);
  expect(cookie?.value).toBeTruthy();

  /**
   * Opens the other origin's page and reports what became of its POST to /v1/briefs: the answer
   * and the headers the browser sent. A fetch's answer is withheld from the page by the API's
   * Cross-Origin-Resource-Policy, and with it Chromium reports no sent headers either.
   */
  const forge = async (origin: string, path: string) => {
    const sent = page.waitForRequest((req) => req.url() === `${stack.publicUrl}/v1/briefs` && req.method() === 'POST');
    await page.goto(`${origin}${path}`);
    const request = await sent;
    const response = await request.response();
    if (!response) return { path, status: 'withheld from the page' };
    const headers = await request.allHeaders();
    return {
      path,
      status: response.status(),
      origin: headers.origin,
      cookieSent: (headers.cookie ?? '').includes(`handoff_session=${cookie?.value}`),
      problem: ((await response.json()) as { type: string }).type,
    };
  };

  // A sibling origin of the same site: the browser sends the cookie along, the CSRF check refuses.
  expect(await forge(sameSiteOrigin, '/form')).toEqual({ path: '/form', status: 403, origin: sameSiteOrigin, cookieSent: true, problem: 'https://handoff.dev/problems/csrf' });
  expect(await forge(sameSiteOrigin, '/fetch')).toEqual({ path: '/fetch', status: 'withheld from the page' });
  // Another site: the SameSite=Lax cookie stays at home, the API sees nobody.
  expect(await forge(crossSiteOrigin, '/form')).toEqual({ path: '/form', status: 401, origin: crossSiteOrigin, cookieSent: false, problem: 'https://handoff.dev/problems/unauthenticated' });
  expect(await forge(crossSiteOrigin, '/fetch')).toEqual({ path: '/fetch', status: 'withheld from the page' });
  // No brief was created, and the member is still signed in.
  const briefs = await mara.client.get('/v1/briefs?limit=200');
  expect(briefs.status).toBe(200);
  expect((briefs.body.items as { title: string }[]).map((b) => b.title)).not.toContain('Forged brief');
  await page.goto('/board');
  await page.getByRole('heading', { level: 1, name: 'Board' }).waitFor();
}, 60_000);

test('signing out ends the session on the server: the old cookie no longer works anywhere', async () => {
  const context = await newContext();
  const page = await signInByEmail(stack, context, 'otto@shop.example');
  const problems = watchProblems(page);
  await page.waitForURL('**/board');
  const cookie = await sessionCookie(context);
  expect(cookie).toBeDefined();
  const withOldCookie = () => fetch(`${stack.handoff.url}/v1/session`, { headers: { cookie: `handoff_session=${cookie?.value}` } });
  expect((await withOldCookie()).status).toBe(200);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Handoff' }).waitFor();
  expect(await sessionCookie(context)).toBeUndefined();
  expect((await withOldCookie()).status).toBe(401);
  // A reload, or going back to a page of the app, lands on the sign-in form.
  await page.goto('/board');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Handoff' }).waitFor();
  expect(await page.locator('header.top').count()).toBe(0);
  expect(problems).toEqual([]);
}, 60_000);

test('an admin signed in with an API key walks the administration tabs (parties, calendars, policies) and the settings', async () => {
  const context = await newContext();
  const page = await signInWithKey(context, ada.key);
  const problems = watchProblems(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
  await page.waitForURL('**/admin');
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  const tabs = page.getByRole('navigation', { name: 'Sections' });
  const sections: [string, string, string][] = [
    ['Parties & members', 'parties', 'Pixelwerk'],
    ['Calendars', 'calendars', 'Hamburg office'],
    ['SLA policies', 'policies', 'Agencies standard'],
  ];
  for (const [tab, section, shows] of sections) {
    await tabs.getByRole('link', { name: tab }).click();
    await page.waitForURL(`**/admin/${section}`);
    expect(await tabs.getByRole('link', { name: tab }).getAttribute('aria-current')).toBe('page');
    // What the section lists is what the API has.
    await page.getByRole('main').getByText(shows).first().waitFor({ timeout: 10_000 });
    await check(stack, page, `admin-${section}`);
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My settings' }).click();
  await page.waitForURL('**/settings');
  await page.getByRole('heading', { level: 1, name: 'My settings' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Notifications' }).waitFor({ timeout: 10_000 });
  expect(await page.getByRole('main').innerText()).toContain('ada@shop.example');
  await check(stack, page, 'settings');
  expect(problems).toEqual([]);
}, 90_000);
