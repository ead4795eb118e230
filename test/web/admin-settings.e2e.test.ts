// Administration and my settings in Chromium. An admin creates a party (a blank name is refused
// next to the name field), adds a member (a bad email next to the email field), deactivates and
// reactivates them with a reason, creates an API key shown once (it works) and revokes it (it stops
// working); writes a calendar with split working hours (an impossible time named at its range),
// imports holidays from an .ics file and sees what was added and what could not be read; creates
// an SLA policy (a target that is not a business duration named at its cell). A manager is told
// that administration is for admins. A member changes their notification channels, language and
// time zone, and creates a webhook secret shown once. Screenshots and axe-core on each state.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Member } from '../support/directory';
import { ADMIN_KEY } from '../support/handoff';
import { apiClient } from '../support/http';
import { check, signInWithKey, watchProblems, type WebStack, startWebStack } from './support';

let stack: WebStack;
let agency: string;
let mara: Member;
let paula: Member;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack('admin-settings');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  paula = await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', isLead: true });
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await stack?.stop();
});

async function signedIn(key: string, locale: 'en-GB' | 'de-DE' = 'en-GB'): Promise<{ page: Page; problems: string[] }> {
  const context = await stack.newContext(locale);
  contexts.push(context);
  const page = await signInWithKey(context, key);
  return { page, problems: watchProblems(page) };
}

const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Handoff test//EN',
  'BEGIN:VEVENT',
  'UID:xmas@test',
  'DTSTART;VALUE=DATE:20261224',
  'DTEND;VALUE=DATE:20261227',
  'SUMMARY:Christmas',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:monthly@test',
  'DTSTART;VALUE=DATE:20270301',
  'RRULE:FREQ=MONTHLY',
  'SUMMARY:Monthly meeting',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

test('a manager is told that administration is for admins', async () => {
  const { page, problems } = await signedIn(mara.key);
  await page.goto('/admin/calendars');
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await page.getByText('Administration is for admins.', { exact: false }).waitFor();
  expect(await page.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
  expect(await page.locator('main form').count()).toBe(0);
  expect(problems).toEqual([]);
}, 60_000);

test('an admin manages parties, members and API keys; 400 answers show at their fields', async () => {
  const { page, problems } = await signedIn(ADMIN_KEY);
  await page.goto('/admin');
  await page.getByRole('heading', { level: 2, name: 'Parties' }).waitFor();
  await page.getByRole('table').getByRole('rowheader', { name: 'Pixelwerk' }).waitFor();

  // A blank name: the API's error stands next to the name field, which says it is invalid.
  await page.getByRole('button', { name: 'Create party' }).click();
  const nameError = page.locator('#party-name-error');
  await nameError.waitFor();
  expect(await page.locator('#party-name').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#party-name').getAttribute('aria-describedby')).toBe('party-name-error');
  await check(stack, page, 'admin-party-error');
  await page.locator('#party-name').fill('Nordlicht Logistik');
  await page.locator('#party-kind').selectOption('logistics');
  await page.getByRole('button', { name: 'Create party' }).click();
  await page.getByRole('status').filter({ hasText: 'Party “Nordlicht Logistik” created.' }).waitFor();
  await page.getByRole('rowheader', { name: 'Nordlicht Logistik' }).waitFor();
  const parties = (await stack.dir.admin.get('/v1/parties?limit=200')).body.items as { name: string; kind: string }[];
  expect(parties).toContainEqual(expect.objectContaining({ name: 'Nordlicht Logistik', kind: 'logistics' }));

  // A party's members: a bad email is named at the email field; then the member is added.
  await page.getByRole('button', { name: 'Members: Pixelwerk' }).click();
  await page.getByRole('heading', { name: 'Members of Pixelwerk' }).waitFor();
  await page.getByRole('rowheader', { name: /Paula Pixel/ }).waitFor();
  await page.locator('#member-name').fill('Piet Designer');
  await page.locator('#member-email').fill('piet at pixelwerk');
  await page.getByRole('button', { name: 'Add member' }).click();
  await page.locator('#member-email-error').waitFor();
  expect(await page.locator('#member-email').getAttribute('aria-invalid')).toBe('true');
  await page.locator('#member-email').fill('piet@pixelwerk.example');
  await page.locator('#member-timezone').selectOption('Europe/Berlin');
  await page.getByRole('button', { name: 'Add member' }).click();
  await page.getByRole('status').filter({ hasText: 'Piet Designer added.' }).waitFor();
  const piet = ((await stack.dir.admin.get(`/v1/parties/${agency}/members`)).body.items as { id: string; email: string; timezone: string | null }[]).find((m) => m.email === 'piet@pixelwerk.example');
  expect(piet).toMatchObject({ timezone: 'Europe/Berlin' });
  const pietRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Piet Designer/ }) });

  // Deactivated with a reason (kept in the audit log), then reactivated.
  await pietRow.getByRole('button', { name: 'Deactivate: Piet Designer' }).click();
  await page.getByLabel('Reason (kept in the audit log)').fill('Left the agency');
  await page.getByRole('button', { name: 'Deactivate Piet Designer' }).click();
  await page.getByRole('status').filter({ hasText: 'Piet Designer is deactivated' }).waitFor();
  await pietRow.getByText(/^Deactivated /).waitFor();
  const audit = (await stack.dir.admin.get(`/v1/audit?targetType=member&targetId=${piet!.id}`)).body.items as { action: string; after: unknown }[];
  expect(JSON.stringify(audit)).toContain('Left the agency');
  await pietRow.getByRole('button', { name: 'Reactivate: Piet Designer' }).click();
  await page.getByRole('button', { name: 'Reactivate Piet Designer' }).click();
  await pietRow.getByText('Active', { exact: true }).waitFor();
  expect((await stack.dir.admin.get(`/v1/parties/${agency}/members`)).body.items.find((m: { id: string }) => m.id === piet!.id).deactivatedAt).toBeNull();

  // An API key: shown once, with the warning; it works, and once revoked it does not.
  await pietRow.getByRole('button', { name: 'API keys: Piet Designer' }).click();
  await page.getByRole('heading', { name: 'API keys of Piet Designer' }).waitFor();
  await page.getByText('No API keys.').waitFor();
  await page.getByRole('button', { name: 'Create key' }).click();
  const keyField = page.getByLabel('The new API key');
  await keyField.waitFor();
  const key = await keyField.inputValue();
  expect(key).toMatch(/^hk_/);
  await page.getByText('Copy it now: it is shown only this once').waitFor();
  await check(stack, page, 'admin-members-key');
  expect((await apiClient(stack.handoff.url, key).get('/v1/me')).status).toBe(200);
  const keyRow = page.locator('section[aria-labelledby="keys-title"] tbody tr').first();
  await keyRow.getByRole('button', { name: /^Revoke: / }).click();
  await keyRow.getByRole('button', { name: /^Revoke now: / }).click();
  await keyRow.getByText(/^Revoked /).waitFor();
  expect((await apiClient(stack.handoff.url, key).get('/v1/me')).status).toBe(401);
  expect(problems).toEqual([]);
}, 120_000);

test('an admin writes a calendar with split hours, imports holidays from .ics, and creates an SLA policy', async () => {
  const { page, problems } = await signedIn(ADMIN_KEY);
  await page.goto('/admin/calendars');
  await page.getByRole('heading', { level: 2, name: 'Calendars' }).waitFor();
  await page.getByRole('rowheader', { name: /24x7/ }).waitFor();

  await page.locator('#cal-name').fill('Berlin office');
  await page.locator('#cal-timezone').selectOption('Europe/Berlin');
  await page.locator('#cal-mon-0-to').fill('25:00');
  await page.getByRole('button', { name: 'Create calendar' }).click();
  await page.locator('#cal-mon-0-error').waitFor();
  expect(await page.locator('#cal-mon-0-to').getAttribute('aria-invalid')).toBe('true');
  await check(stack, page, 'admin-calendar-error');
  await page.locator('#cal-mon-0-to').fill('12:30');
  await page.getByRole('button', { name: 'Add hours: Monday' }).click();
  await page.locator('#cal-mon-1-from').fill('13:30');
  await page.locator('#cal-mon-1-to').fill('17:00');
  await page.getByRole('button', { name: 'Remove: Friday 09:00–17:00' }).click();
  await page.getByRole('button', { name: 'Create calendar' }).click();
  await page.getByRole('status').filter({ hasText: 'Calendar “Berlin office” created.' }).waitFor();
  const calendar = ((await stack.dir.admin.get('/v1/calendars')).body.items as { id: string; name: string; timezone: string; workingHours: Record<string, unknown> }[]).find((c) => c.name === 'Berlin office');
  expect(calendar).toMatchObject({
    timezone: 'Europe/Berlin',
    workingHours: { mon: [['09:00', '12:30'], ['13:30', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']] },
  });
  expect(calendar!.workingHours.fri).toBeUndefined();

  // The .ics file: what it added, and the event it could not read.
  const file = path.join(os.tmpdir(), `holidays-${process.pid}.ics`);
  writeFileSync(file, ICS);
  await page.getByLabel('iCalendar file (.ics)').setInputFiles(file);
  await page.getByRole('button', { name: 'Import holidays' }).click();
  const result = page.getByRole('status').filter({ hasText: 'holidays added' });
  await result.waitFor();
  expect(await result.innerText()).toContain('3 holidays added: 2026-12-24, 2026-12-25, 2026-12-26');
  expect(await result.innerText()).toContain('Monthly meeting');
  expect(await page.locator('#cal-holidays').inputValue()).toBe('2026-12-24\n2026-12-25\n2026-12-26');
  expect((await stack.dir.admin.get(`/v1/calendars/${calendar!.id}`)).body.holidays).toEqual(['2026-12-24', '2026-12-25', '2026-12-26']);
  await check(stack, page, 'admin-calendar-imported');

  // An SLA policy in that calendar: a target that is not a business duration is named at its cell.
  await page.getByRole('link', { name: 'SLA policies' }).click();
  await page.getByRole('heading', { level: 2, name: 'SLA policies' }).waitFor();
  await page.locator('#pol-name').fill('Agencies, Berlin hours');
  await page.locator('#pol-calendar').selectOption(calendar!.id);
  await page.getByLabel('Acknowledge P1').fill('4 hours');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.locator('#pol-acknowledge-P1-error').waitFor();
  expect(await page.getByLabel('Acknowledge P1').getAttribute('aria-invalid')).toBe('true');
  await check(stack, page, 'admin-policy-error');
  await page.getByLabel('Acknowledge P1').fill('PT2H');
  await page.getByRole('button', { name: 'Add level' }).click();
  await page.locator('#pol-level-1-after').fill('PT4H');
  await page.locator('#pol-repeat').fill('PT4H');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByRole('status').filter({ hasText: 'Policy “Agencies, Berlin hours” created.' }).waitFor();
  const policy = ((await stack.dir.admin.get('/v1/sla-policies')).body.items as { name: string }[]).find((p) => p.name === 'Agencies, Berlin hours');
  expect(policy).toMatchObject({
    calendarId: calendar!.id,
    warnAt: 0.75,
    targets: { acknowledge: { P1: 'PT2H' } },
    escalation: {
      levels: [
        { after: 'PT0S', notify: ['party_lead', 'manager'] },
        { after: 'PT4H', notify: ['watchers'] },
      ],
      repeatEvery: 'PT4H',
    },
  });
  await check(stack, page, 'admin-policy-created');
  expect(problems).toEqual([]);
}, 120_000);

test('a member changes their notification channels, language and time zone, and creates a webhook secret shown once', async () => {
  const { page, problems } = await signedIn(paula.key, 'de-DE');
  await page.goto('/settings');
  await page.getByRole('heading', { level: 1, name: 'Meine Einstellungen' }).waitFor();
  const commentByChat = page.getByLabel('Ein Kommentar: Chat');
  await commentByChat.waitFor();
  const before = (await paula.client.get(`/v1/members/${paula.id}/notification-preferences`)).body as { channels: Record<string, string[]> };
  await commentByChat.setChecked(!before.channels.comment.includes('chat'));
  await page.locator('#set-webhook').fill('kein link');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.locator('#set-webhook-error').waitFor();
  expect(await page.locator('#set-webhook').getAttribute('aria-invalid')).toBe('true');
  await check(stack, page, 'settings-error');
  await page.locator('#set-webhook').fill('');
  await page.getByLabel('Zeitzone').selectOption('America/New_York');
  await page.getByLabel('Sprache der App und der Benachrichtigungen').selectOption('en');
  await page.getByRole('button', { name: 'Speichern' }).click();
  // The app follows the language just chosen.
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  await page.getByRole('heading', { level: 1, name: 'My settings' }).waitFor();
  const after = (await paula.client.get(`/v1/members/${paula.id}/notification-preferences`)).body as { channels: Record<string, string[]>; locale: string; timezone: string };
  expect(after).toMatchObject({ locale: 'en', timezone: 'America/New_York' });
  expect(after.channels.comment.includes('chat')).toBe(!before.channels.comment.includes('chat'));

  await page.getByRole('button', { name: /webhook secret/ }).click();
  const secret = page.getByLabel('Your new webhook secret');
  await secret.waitFor();
  expect(await secret.inputValue()).toMatch(/^whsec_/);
  expect((await paula.client.get(`/v1/members/${paula.id}/notification-preferences`)).body.hasWebhookSecret).toBe(true);
  await check(stack, page, 'settings-secret');
  expect(problems).toEqual([]);
}, 90_000);
