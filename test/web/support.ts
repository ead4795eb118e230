// The web app in a real browser: a whole Handoff (API, worker, Temporal dev server, PGlite) whose
// public URL is http://<host>:<port>, an SMTP receiver for the sign-in links, and Chromium driven
// by playwright-core. Helpers sign people in the way they do it (the emailed link, or an API key
// on the sign-in page), take screenshots at desktop and phone width (and check the phone width
// never scrolls sideways), and run axe-core on a page.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { directory, type DirectoryHelper } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { parseEmail } from '../support/parse-email';
import { freePort, ROOT } from '../support/processes';
import { startSmtpReceiver, type SmtpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };
const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

export interface WebStack {
  env: TestWorkflowEnvironment;
  handoff: TestHandoff;
  smtp: SmtpReceiver;
  browser: Browser;
  /** The app's public URL, as the sign-in emails write it. */
  publicUrl: string;
  dir: DirectoryHelper;
  /** Where this suite's screenshots go (reports/screenshots/<suite>). */
  screenshots: string;
  /** A new browser context (its own cookies) at desktop size, in the given language. */
  newContext(locale?: 'en-GB' | 'de-DE'): Promise<BrowserContext>;
  stop(): Promise<void>;
}

/**
 * One stack per test file. `host` is the public URL's host name: `localhost` (the default) makes
 * another port of the same machine a different origin of the same site, as a sibling service is.
 */
export async function startWebStack(suite: string, options: { host?: string; extraEnv?: Record<string, string> } = {}): Promise<WebStack> {
  const env = await devServerEnv();
  const smtp = await startSmtpReceiver();
  const port = await freePort();
  const publicUrl = `http://${options.host ?? 'localhost'}:${port}`;
  const handoff = await startTestHandoff(env, {
    database: 'pglite',
    extraEnv: { PORT: String(port), HANDOFF_PUBLIC_URL: publicUrl, SMTP_URL: smtp.url, ...options.extraEnv },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const screenshots = path.join(ROOT, 'reports', 'screenshots', suite);
  mkdirSync(screenshots, { recursive: true });
  return {
    env,
    handoff,
    smtp,
    browser,
    publicUrl,
    dir: directory(handoff.url),
    screenshots,
    newContext: (locale = 'en-GB') => browser.newContext({ viewport: DESKTOP, locale, timezoneId: 'Europe/Berlin', baseURL: publicUrl }),
    async stop() {
      await browser.close();
      await handoff.cleanup();
      await smtp.stop();
      await env.teardown();
    },
  };
}

/** Uncaught errors and console errors of a page (a script the CSP refused, a failed render). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 401 or 404 the app asked for and handles (the session probe before sign-in) is logged by
    // Chromium as a failed resource; what matters here are errors of the app's own making.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  return problems;
}

const SIGN_IN_LINK = /(https?:\/\/\S+\/signin\/[A-Za-z0-9_-]+)/;

/** The sign-in link of the newest sign-in email to `email` that arrived after `after` messages. */
export async function signInLinkFor(stack: WebStack, email: string, after: number): Promise<string> {
  const raw = await eventually(async () => stack.smtp.messages.slice(after).filter((m) => m.to.includes(email) && /\/signin\//.test(m.raw)).at(-1)?.raw, 30_000);
  const text = parseEmail(raw).text ?? '';
  const link = SIGN_IN_LINK.exec(text)?.[1];
  if (!link) throw new Error(`no sign-in link in the email to ${email}:\n${text}`);
  return link;
}

/** Asks for a sign-in link on /signin and returns the link the email brought. */
export async function requestSignInLink(stack: WebStack, page: Page, email: string): Promise<string> {
  const before = stack.smtp.messages.length;
  await page.goto('/signin');
  await page.getByLabel(/^(Email address|E-Mail-Adresse)$/).fill(email);
  await page.getByRole('button', { name: /^(Send sign-in link|Anmeldelink senden)$/ }).click();
  await page.getByRole('status').filter({ hasText: email }).waitFor();
  return signInLinkFor(stack, email, before);
}

/** Opens a sign-in link and presses its button; resolves once the app has left the sign-in pages. */
export async function openSignInLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('button', { name: /^(Sign in|Anmelden)$/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  await page.locator('header.top').waitFor();
}

/** Signs a member in the way people do: the email form on /signin, then the emailed link. */
export async function signInByEmail(stack: WebStack, context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  const link = await requestSignInLink(stack, page, email);
  await openSignInLink(page, link);
  return page;
}

/** Browser sessions of several members, each in a context of its own, signed in with their key; `close` ends them all. */
export function keySessions(stack: Pick<WebStack, 'newContext'>): { open(who: { key: string }): Promise<Page>; close(): Promise<void> } {
  const contexts: BrowserContext[] = [];
  return {
    async open(who) {
      const context = await stack.newContext();
      contexts.push(context);
      return signInWithKey(context, who.key);
    },
    async close() {
      for (const context of contexts) await context.close();
    },
  };
}

/** Signs in with an API key on the sign-in page's key form. */
export async function signInWithKey(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/signin');
  await page.locator('summary').filter({ hasText: /API key|API-Schlüssel/ }).click();
  await page.getByLabel(/^(API key|API-Schlüssel)$/).fill(key);
  await page.getByRole('button', { name: /^(Sign in with key|Mit Schlüssel anmelden)$/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  await page.locator('header.top').waitFor();
  return page;
}

interface Overflow {
  scrollWidth: number;
  /** The elements reaching past the right edge, widest first (tag#id.class and their right edge). */
  widest: string[];
}

/**
 * Screenshots of the page as it is, at desktop and at phone width, into the suite's folder; at
 * phone width nothing may scroll sideways. The viewport is back at desktop size afterwards.
 */
export async function shoot(stack: Pick<WebStack, 'screenshots'>, page: Page, name: string): Promise<void> {
  const file = name.replace(/[^\w.-]+/g, '-');
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(stack.screenshots, `${file}.desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  // Layout settles within a frame or two of a resize.
  await page.evaluate(() => {
    const window = globalThis as unknown as { requestAnimationFrame(callback: () => void): void };
    return new Promise<void>((resolve) => window.requestAnimationFrame(() => window.requestAnimationFrame(resolve)));
  });
  await page.screenshot({ path: path.join(stack.screenshots, `${file}.phone.png`), fullPage: true });
  const overflow = await page.evaluate((limit): Overflow => {
    const doc = (globalThis as unknown as { document: any }).document;
    const widest = ([...doc.querySelectorAll('body *')] as any[])
      .map((el) => ({ el, right: Math.round(el.getBoundingClientRect().right as number) }))
      .filter(({ right }) => right > limit)
      .sort((a, b) => b.right - a.right)
      .slice(0, 5)
      .map(({ el, right }) => `${String(el.tagName).toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${right})`);
    return { scrollWidth: doc.documentElement.scrollWidth as number, widest };
  }, PHONE.width);
  await page.setViewportSize(DESKTOP);
  // The page's name in the comparison says which page scrolled sideways, and what sticks out.
  expect({ page: name, fitsPhone: overflow.scrollWidth <= PHONE.width, ...(overflow.scrollWidth <= PHONE.width ? {} : overflow) }).toEqual({ page: name, fitsPhone: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/** axe-core on the page as it is: fails with the serious and critical violations, each with where it is. */
export async function axe(page: Page, name: string): Promise<void> {
  // The app's Content-Security-Policy (script-src 'self') refuses an added <script> tag, and it
  // stays on so that the pages are tested under it: axe is evaluated through the DevTools
  // protocol instead, which the policy does not govern.
  axeSource ??= readFileSync(AXE, 'utf8');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const runner = (globalThis as unknown as { axe: { run(context?: unknown, options?: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await runner.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect({ page: name, serious }).toEqual({ page: name, serious: [] });
}

/** Screenshots and axe: what every page a test visits goes through. */
export async function check(stack: Pick<WebStack, 'screenshots'>, page: Page, name: string): Promise<void> {
  await shoot(stack, page, name);
  await axe(page, name);
}

/**
 * Marks the page's document so that `stillSamePage` can tell whether it was reloaded or replaced
 * since: what another person did must show up without a reload.
 */
export async function markDocument(page: Page): Promise<string> {
  const mark = `m${Math.random().toString(36).slice(2)}`;
  await page.evaluate((value) => {
    (globalThis as unknown as { __handoffMark: string }).__handoffMark = value;
  }, mark);
  return mark;
}

export async function stillSamePage(page: Page, mark: string): Promise<boolean> {
  return page.evaluate((value) => (globalThis as unknown as { __handoffMark?: string }).__handoffMark === value, mark);
}

/** How long `locator` took to become visible, failing after `timeoutMs`. */
export async function visibleWithin(locator: Locator, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  return Date.now() - started;
}
