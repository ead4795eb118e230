// The brief link of a real email, opened in a real browser: a running Handoff (API, worker,
// Temporal dev server, PGlite) whose public URL is http://handoff.localhost:<port> sends the
// assignment email over SMTP; the email, read by Python's email parser, has its Message-ID at the
// public host on one line and an "Open the brief" link; Chromium (through playwright-core) opens
// that link as it stands, shows the brief and its acknowledge button, and acknowledging through
// the button's confirmation page moves the brief on. Screenshots are kept in a temp folder.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { directory } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { header, parseEmail, rawHeaderLines } from '../support/parse-email';
import { startSmtpReceiver } from '../support/receivers';
import { freePort } from '../support/processes';
import { devServerEnv } from '../support/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let env: TestWorkflowEnvironment;
let handoff: TestHandoff;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let browser: Browser;
let publicUrl: string;
const screenshots = mkdtempSync(path.join(os.tmpdir(), 'handoff-brief-page-'));

beforeAll(async () => {
  env = await devServerEnv();
  smtp = await startSmtpReceiver();
  const port = await freePort();
  // *.localhost is the loopback address to a browser: the link works as it is written in the email.
  publicUrl = `http://handoff.localhost:${port}`;
  handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { PORT: String(port), HANDOFF_PUBLIC_URL: publicUrl, SMTP_URL: smtp.url } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await handoff?.cleanup();
  await smtp?.stop();
  await env?.teardown();
});

test('the brief link of the assignment email opens the brief in Chromium, with the acknowledge button that acknowledges it', async () => {
  const dir = directory(handoff.url);
  const shop = await dir.party('Shop', 'ecommerce');
  const agency = await dir.party('Pixelwerk');
  const manager = await dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager' });
  await dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', timezone: 'Europe/Berlin' });
  const title = 'Spring campaign <banners>';
  const created = await manager.client.post('/v1/briefs', {
    title,
    description: 'Banners for the spring sale.\n<script>document.title = "owned"</script> Colours as in the style guide.',
    deliverables: ['Banner 300x250', 'Banner 728x90'],
    partyId: agency,
    priority: 'P2',
    dueAt: '2036-12-11T16:00:00Z',
  });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;

  // The email as it arrived over SMTP, read by an independent parser.
  const raw = await eventually(async () => smtp.messages.find((m) => m.to.includes('paula@pixelwerk.example'))?.raw, 30_000);
  const email = parseEmail(raw);
  expect(header(email, 'Subject')).toContain(title);
  const messageId = header(email, 'Message-ID');
  expect(messageId).toMatch(/^<[0-9a-f]{32}@handoff\.localhost>$/);
  expect(rawHeaderLines(email, 'Message-ID')).toEqual([`Message-ID: ${messageId}`]);
  const text = email.text ?? '';
  expect(text).toContain('Banners for the spring sale.');
  expect(text).toContain('Delivery due: Thu, 11 Dec 2036, 17:00 CET');
  expect(text).toContain('By: Mara Manager (Shop)');
  const briefLink = /^Open the brief: (\S+)$/m.exec(text)?.[1] as string;
  expect(briefLink.startsWith(`${publicUrl}/view/`)).toBe(true);
  expect(email.html).toContain(`href="${briefLink}"`);

  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  try {
    const response = await page.goto(briefLink);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe(title);
    const body = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(body).toContain('Party Pixelwerk');
    expect(body).toContain('Status awaiting acknowledgement');
    expect(body).toContain('Priority P2');
    expect(body).toContain('<script>document.title = "owned"</script> Colours as in the style guide.');
    expect(body).toContain('Banner 728x90');
    expect(body).toContain('Delivery due Thu, 11 Dec 2036, 17:00 CET');
    expect(await page.title()).toBe(`${title} · Handoff`);
    const acknowledge = page.getByRole('link', { name: 'Acknowledge' });
    await expect(acknowledge.isVisible()).resolves.toBe(true);
    // The page's own style applies under its Content-Security-Policy: the button looks like one.
    const styleOf = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;
    expect(await acknowledge.evaluate(styleOf)).toBe('rgb(11, 92, 173)');
    const before = path.join(screenshots, 'brief-page.png');
    await page.screenshot({ path: before, fullPage: true });
    expect(readFileSync(before).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');

    // The button goes through the one-click link's confirmation page, which acts once.
    await acknowledge.click();
    await page.waitForURL(/\/actions\//);
    expect(await page.locator('h1').textContent()).toBe('Acknowledge the brief');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Brief acknowledged');
    expect((await manager.client.get(`/v1/briefs/${briefId}`)).body.status).toBe('in_progress');

    // Back on the brief's page: it has moved on, and there is nothing left to acknowledge.
    await page.goto(briefLink);
    expect((await page.locator('main').innerText()).replace(/\s+/g, ' ')).toContain('Status in progress');
    expect(await page.getByRole('link', { name: 'Acknowledge' }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshots, 'brief-page-acknowledged.png'), fullPage: true });
    expect(existsSync(path.join(screenshots, 'brief-page-acknowledged.png'))).toBe(true);
    // Nothing the page did was refused by the browser (a script, a style the policy blocks).
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
}, 120_000);
