// The browser tests' own checks, on pages made for the purpose: the phone-width check fails on a
// page that scrolls sideways and names what sticks out, axe fails on serious and critical
// violations and names them, and both pass a page without either.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { axe, CHROMIUM, DESKTOP, shoot } from './support';

let browser: Browser;
let page: Page;
const screenshots = mkdtempSync(path.join(os.tmpdir(), 'handoff-web-support-'));
const folder = { screenshots };

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: DESKTOP });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(screenshots, { recursive: true, force: true });
});

const CLEAN = '<!doctype html><html lang="en"><head><title>Clean</title></head><body><main><h1>Clean</h1><label for="q">Search</label><input id="q"></main></body></html>';

test('a page that fits a phone and has no serious violations passes both checks, with both screenshots written', async () => {
  await page.setContent(CLEAN);
  await shoot(folder, page, 'clean page');
  await axe(page, 'clean page');
  expect(existsSync(path.join(screenshots, 'clean-page.desktop.png'))).toBe(true);
  expect(existsSync(path.join(screenshots, 'clean-page.phone.png'))).toBe(true);
  // The viewport is back at desktop size.
  expect(page.viewportSize()).toEqual(DESKTOP);
});

test('a page wider than 375 px fails the phone check, naming the element that sticks out', async () => {
  await page.setContent(CLEAN.replace('</main>', '<table id="wide" style="width: 600px"><tr><td>x</td></tr></table></main>'));
  await expect(shoot(folder, page, 'wide page')).rejects.toThrow(/"fitsPhone": false[\s\S]*table#wide \(right \d+\)/);
});

test('serious and critical axe violations fail the check, each named with where it is', async () => {
  await page.setContent(CLEAN.replace('<input id="q">', '<input id="q"><input id="unlabelled"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'));
  const failure = await axe(page, 'broken page').then(
    () => 'passed',
    (error: Error) => error.message,
  );
  expect(failure).toContain('critical label: Form elements must have labels at [\\"#unlabelled\\"]');
  expect(failure).toContain('critical image-alt: Images must have alternative text');
});
