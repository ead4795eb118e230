// A brief's whole life in the web app, by two people in two browsers: the e-commerce manager and
// the agency's member, each signed in by the emailed link. The manager writes the brief in the
// new-brief form; the agency acknowledges, asks a question, the manager answers, the agency
// delivers, the manager asks for changes with a reason, the agency delivers again, the manager
// approves. After every step the other person's open brief page shows it without a reload
// within two seconds. Every page visited is screenshot at desktop and phone width and checked
// with axe-core.
import type { BrowserContext, Page } from 'playwright-core';
import type { Member } from '../support/directory';
import { check, markDocument, signInByEmail, startWebStack, stillSamePage, visibleWithin, watchProblems, type WebStack } from './support';

/** What another person did shows on an open brief page within this (it asks every 1.5 s). */
const LIVE_MS = 2_000;
/** The inbox and the board refresh their lists every 5 s. */
const LIST_REFRESH_MS = 7_000;

let stack: WebStack;
let mara: Member;
let paula: Member;
let agency: string;

beforeAll(async () => {
  stack = await startWebStack('lifecycle');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  paula = await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'en', isLead: true });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const statusOf = (page: Page) => page.locator('article > p').first().locator('.badge').first();

/** The status badge's text once it shows `expected` (the page re-renders after "done"), else after 2 s whatever it shows. */
async function statusText(page: Page, expected: string): Promise<string> {
  await statusOf(page).filter({ hasText: expected }).waitFor({ timeout: 2_000 }).catch(() => undefined);
  return statusOf(page).innerText();
}

/** Opens an action's form on the brief page, fills it, sends it and waits for the page's "done". */
async function act(page: Page, label: string, fields: Record<string, string> = {}): Promise<void> {
  const actions = page.getByRole('region', { name: 'What you can do' });
  await actions.locator(':scope > .actions').getByRole('button', { name: label, exact: true }).click();
  const form = page.getByRole('form', { name: label });
  for (const [field, value] of Object.entries(fields)) await form.getByLabel(field, { exact: true }).fill(value);
  await form.getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('status').filter({ hasText: `${label}: done.` }).waitFor({ timeout: 15_000 });
}

/** The actions the page offers its reader (the toggles above the forms). */
async function offered(page: Page): Promise<string[]> {
  return page.getByRole('region', { name: 'What you can do' }).locator(':scope > .actions > button').allInnerTexts();
}

test('manager and agency take a brief from the new-brief form to approval, each seeing the other’s steps live', async () => {
  const timings: Record<string, number> = {};
  let managerContext: BrowserContext | undefined;
  let agencyContext: BrowserContext | undefined;
  try {
    managerContext = await stack.newContext();
    agencyContext = await stack.newContext();
    const m = await signInByEmail(stack, managerContext, 'mara@shop.example');
    const a = await signInByEmail(stack, agencyContext, 'paula@pixelwerk.example');
    const problems = [...watchProblems(m).map((p) => `manager ${p}`), ...watchProblems(a).map((p) => `agency ${p}`)];

    // Each lands on their own start page: the manager's board, the agency's inbox.
    await m.waitForURL('**/board');
    await m.getByRole('heading', { level: 1, name: 'Board' }).waitFor();
    await m.getByRole('status').filter({ hasText: '0 briefs' }).waitFor();
    await check(stack, m, 'board-empty');
    await a.waitForURL('**/inbox');
    await a.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await a.getByText('Nothing waiting for you.').waitFor();
    await check(stack, a, 'inbox-empty');
    const inboxMark = await markDocument(a);

    // The new-brief form, with the deadlines it previews.
    await m.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New brief' }).click();
    await m.waitForURL('**/briefs/new');
    await m.getByLabel('Party', { exact: true }).selectOption({ label: 'Pixelwerk' });
    await m.getByLabel('Title', { exact: true }).fill('Autumn lookbook');
    await m.getByLabel('Description', { exact: true }).fill('Twelve pages for the autumn collection.\nPhotos from the shoot on 12 Oct.');
    await m.getByLabel('Priority', { exact: true }).selectOption('P2');
    await m.getByLabel('Deliverables (one per line)').fill('Lookbook PDF\nProduct tiles');
    await m.getByRole('region', { name: 'Deadlines if sent now' }).waitFor();
    await check(stack, m, 'new-brief');
    await m.getByRole('button', { name: 'Send brief' }).click();
    await m.waitForURL(/\/briefs\/[0-9a-f-]{36}$/);
    const briefId = new URL(m.url()).pathname.split('/').pop() as string;
    await m.getByRole('heading', { level: 1, name: 'Autumn lookbook' }).waitFor();
    expect(await statusText(m, 'Awaiting acknowledgement')).toBe('Awaiting acknowledgement');
    // What the manager may do now: no agency actions.
    expect(await offered(m)).toEqual(['Put on hold', 'Cancel brief', 'Comment', 'Edit review plan', 'Edit brief']);
    const created = await mara.client.get(`/v1/briefs/${briefId}`);
    expect(created.body).toMatchObject({ title: 'Autumn lookbook', partyId: agency, priority: 'P2', managerId: mara.id, deliverables: ['Lookbook PDF', 'Product tiles'], status: 'awaiting_ack' });
    expect(created.body.description).toBe('Twelve pages for the autumn collection.\nPhotos from the shoot on 12 Oct.');
    await check(stack, m, 'brief-manager-new');

    // The agency's inbox lists it on its next refresh, without a reload.
    timings.inboxShowsNewBrief = await visibleWithin(a.getByRole('link', { name: 'Autumn lookbook' }), LIST_REFRESH_MS);
    expect(await stillSamePage(a, inboxMark)).toBe(true);
    await check(stack, a, 'inbox-new-brief');
    await a.getByRole('link', { name: 'Autumn lookbook' }).click();
    await a.waitForURL(`**/briefs/${briefId}`);
    await a.getByRole('heading', { level: 1, name: 'Autumn lookbook' }).waitFor();
    expect(await offered(a)).toEqual(['Acknowledge', 'Ask a question', 'Decline', 'Comment']);
    // A party's member sees the manager as the e-commerce team.
    await check(stack, a, 'brief-agency-new');

    const managerMark = await markDocument(m);
    const agencyMark = await markDocument(a);

    // 1. The agency acknowledges; the manager's page moves to "In progress".
    await act(a, 'Acknowledge', { 'Note (optional)': 'On it.' });
    expect(await statusText(a, 'In progress')).toBe('In progress');
    timings.acknowledged = await visibleWithin(m.locator('article > p').first().getByText('In progress', { exact: true }), LIVE_MS);

    // 2. The agency asks a question; the manager sees it open, with the question.
    await act(a, 'Ask a question', { 'Your question': 'Which photos go on the cover?' });
    timings.questionAsked = await visibleWithin(m.getByRole('region', { name: 'Open question' }).getByText('Which photos go on the cover?'), LIVE_MS);
    expect(await statusText(m, 'Question open')).toBe('Question open');
    expect(await offered(m)).toContain('Answer the question');
    await check(stack, m, 'brief-manager-question');

    // 3. The manager answers; the agency sees the answer in the thread and the brief in progress again.
    await act(m, 'Answer the question', { 'Your answer': 'The beach series, frame 14.' });
    timings.questionAnswered = await visibleWithin(a.getByRole('region', { name: 'Questions and answers' }).getByText('The beach series, frame 14.'), LIVE_MS);
    expect(await statusText(a, 'In progress')).toBe('In progress');
    expect(await a.getByRole('region', { name: 'Open question' }).count()).toBe(0);
    // The timeline's answer entry shows the answer (its event also carries the question).
    const answered = a.getByRole('region', { name: 'Timeline' }).getByRole('listitem').filter({ hasText: 'answered the question' });
    expect(await answered.innerText()).toContain('The beach series, frame 14.');

    // 4. The agency delivers; the manager sees version 1 in review.
    await act(a, 'Deliver', { 'What you deliver': 'First draft of the lookbook.', 'Links (one per line, https://…)': 'https://files.pixelwerk.example/lookbook-v1.pdf' });
    timings.delivered = await visibleWithin(m.getByRole('heading', { name: 'Version 1' }), LIVE_MS);
    expect(await statusText(m, 'In review')).toBe('In review');
    expect(await m.getByRole('link', { name: 'https://files.pixelwerk.example/lookbook-v1.pdf' }).getAttribute('rel')).toContain('noopener');
    expect(await offered(m)).toEqual(['Approve', 'Request changes', 'Put on hold', 'Cancel brief', 'Comment', 'Edit brief']);
    await check(stack, m, 'brief-manager-in-review');

    // 5. The manager asks for changes with a reason; the agency sees the state and the reason.
    await act(m, 'Request changes', { Reason: 'The cover photo is cropped too tight.' });
    timings.changesRequested = await visibleWithin(a.locator('article > p').first().getByText('Changes requested', { exact: true }), LIVE_MS);
    await a.getByRole('region', { name: 'Timeline' }).getByText('The cover photo is cropped too tight.').waitFor({ timeout: 1_000 });
    expect(await offered(a)).toContain('Deliver');
    await check(stack, a, 'brief-agency-changes-requested');

    // 6. The agency delivers again; the manager sees version 2.
    await act(a, 'Deliver', { 'What you deliver': 'Second draft: cover recropped.' });
    timings.deliveredAgain = await visibleWithin(m.getByRole('heading', { name: 'Version 2' }), LIVE_MS);
    expect(await statusText(m, 'In review')).toBe('In review');

    // 7. The manager approves; the agency's page shows it approved, with nothing left to do.
    await act(m, 'Approve', { 'Note (optional)': 'Lovely, thanks.' });
    timings.approved = await visibleWithin(a.locator('article > p').first().getByText('Approved', { exact: true }), LIVE_MS);
    await a.getByText('Nothing to do for you in this state.').waitFor({ timeout: 1_000 });
    expect(await offered(a)).toEqual([]);
    await check(stack, a, 'brief-agency-approved');
    await check(stack, m, 'brief-manager-approved');

    // Neither page was reloaded along the way.
    expect(await stillSamePage(m, managerMark)).toBe(true);
    expect(await stillSamePage(a, agencyMark)).toBe(true);

    // The record agrees with what the pages showed.
    const done = (await mara.client.get(`/v1/briefs/${briefId}`)).body;
    expect(done.status).toBe('approved');
    expect(done.deliveries.map((d: { version: number; summary: string }) => [d.version, d.summary])).toEqual([
      [1, 'First draft of the lookbook.'],
      [2, 'Second draft: cover recropped.'],
    ]);
    const steps = (done.timeline as { type: string; actor: string | null }[]).filter((e) => e.actor).map((e) => `${e.type} ${e.actor === mara.id ? 'manager' : e.actor === paula.id ? 'agency' : e.actor}`);
    expect(steps).toEqual([
      'brief_created manager',
      'acknowledged agency',
      'clarification_requested agency',
      'clarification_answered manager',
      'delivered agency',
      'changes_requested manager',
      'delivered agency',
      'approved manager',
    ]);

    // The manager's board files it under the closed briefs; the agency's inbox under recently closed.
    await m.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Board' }).click();
    await m.waitForURL('**/board');
    const closed = m.getByRole('region', { name: /^Closed/ });
    await closed.getByRole('link', { name: /Autumn lookbook/ }).waitFor();
    expect(await closed.getByRole('link', { name: /Autumn lookbook/ }).innerText()).toContain('Approved');
    await check(stack, m, 'board-approved');
    await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await a.waitForURL('**/inbox');
    await a.getByRole('heading', { name: 'Recently closed' }).waitFor();
    expect(await a.getByRole('listitem').filter({ hasText: 'Autumn lookbook' }).innerText()).toContain('Approved');
    await check(stack, a, 'inbox-approved');

    expect(problems).toEqual([]);
  } finally {
    // The measured delays, for the report.
    console.log(`lifecycle: ms until the other page showed each step ${JSON.stringify(timings)}`);
    await managerContext?.close();
    await agencyContext?.close();
  }
}, 240_000);
