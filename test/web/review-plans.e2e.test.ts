// Review plans in the web app, in real browsers: the manager writes a brief with a two-stage plan
// in the new-brief form (brand and legal, all; then 2 of the shop owners); brand asks for changes
// from the board's "To review" list, legal too, and the brief shows both reasons; the next
// delivery passes stage 1; a shop owner sets their out-of-office period in the settings and their
// deputy decides for them from the brief page; a second owner approves and the brief is approved,
// its page saying who decided on whose behalf. Every page visited is screenshot and checked with
// axe-core.
import type { Page } from 'playwright-core';
import type { Member } from '../support/directory';
import { check, keySessions, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let mara: Member;
let bea: Member;
let lars: Member;
let owners: Member[];
let deputy: Member;
let paula: Member;

beforeAll(async () => {
  stack = await startWebStack('review-plans');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  const shopOwners = await stack.dir.party('Shop owners', 'ecommerce');
  const agency = await stack.dir.party('Pixelwerk');
  const member = (partyId: string, name: string, role: string) => stack.dir.memberWith(partyId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@shop.example`, role, locale: 'en' });
  mara = await member(shop, 'Mara Manager', 'manager');
  bea = await member(shop, 'Bea Brand', 'manager');
  lars = await member(shop, 'Lars Legal', 'manager');
  owners = [await member(shopOwners, 'Olga Owner', 'manager'), await member(shopOwners, 'Otto Owner', 'manager'), await member(shopOwners, 'Oskar Owner', 'manager')];
  deputy = await member(shopOwners, 'Dora Deputy', 'admin');
  paula = await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'en' });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const statusOf = (page: Page) => page.locator('article > p').first().locator('.badge').first();
const stageOf = (page: Page, name: string) => page.getByRole('region', { name: /^Review/ }).locator('li[data-stage]').filter({ hasText: name });

async function decide(page: Page, form: string, decision: string, note?: string): Promise<void> {
  const decisionForm = page.getByRole('form', { name: form });
  await decisionForm.getByLabel('Decision', { exact: true }).selectOption({ label: decision });
  if (note !== undefined) await decisionForm.getByLabel(/^Note/).fill(note);
  await decisionForm.getByRole('button', { name: 'Send decision' }).click();
  await page.getByRole('status').filter({ hasText: 'Decision recorded.' }).waitFor({ timeout: 15_000 });
}

test('a two-stage review plan from the new-brief form to approval, with changes, a resumed review and a delegate', async () => {
  const sessions = keySessions(stack);
  try {
    const open = sessions.open;
    const m = await open(mara);
    const problems = watchProblems(m);

    // The plan editor on the new-brief form.
    await m.goto('/briefs/new');
    await m.getByLabel('Party', { exact: true }).selectOption({ label: 'Pixelwerk' });
    await m.getByLabel('Title', { exact: true }).fill('Winter landing page');
    await m.getByLabel('Description', { exact: true }).fill('Hero, three teasers and the legal footer.');
    await m.getByRole('button', { name: 'Add a review plan' }).click();
    const stage1 = m.getByRole('group', { name: 'Stage 1' });
    await stage1.getByLabel('Name', { exact: true }).fill('Brand and legal');
    await stage1.getByLabel('Bea Brand').check();
    await stage1.getByLabel('Lars Legal').check();
    await stage1.getByLabel('Rule').selectOption({ label: 'All must approve' });
    await m.getByRole('button', { name: 'Add a stage' }).click();
    const stage2 = m.getByRole('group', { name: 'Stage 2' });
    await stage2.getByLabel('Name', { exact: true }).fill('Shop owners');
    await stage2.getByLabel('Every manager of Shop owners').check();
    await stage2.getByLabel('Rule').selectOption({ label: 'A quorum of approvals' });
    await stage2.getByLabel('Approvals needed').fill('2');
    await m.getByLabel('After changes, resume at the stage that asked for them').check();
    await check(stack, m, 'new-brief-plan');
    await m.getByRole('button', { name: 'Send brief' }).click();
    await m.waitForURL(/\/briefs\/[0-9a-f-]{36}$/);
    const briefId = new URL(m.url()).pathname.split('/').pop() as string;
    const created = (await mara.client.get(`/v1/briefs/${briefId}`)).body;
    expect(created.reviewPlan).toMatchObject({
      resumeAtFailedStage: true,
      stages: [
        { name: 'Brand and legal', members: [bea.id, lars.id], rule: 'all' },
        { name: 'Shop owners', members: owners.map((o) => o.id).sort(), rule: { quorum: 2 } },
      ],
    });

    // The agency acknowledges and delivers.
    expect((await paula.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
    expect((await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'First draft' })).status).toBe(200);
    await statusOf(m).filter({ hasText: 'In review' }).waitFor({ timeout: 5_000 });
    await stageOf(m, 'Brand and legal').getByText('open', { exact: true }).waitFor({ timeout: 5_000 });
    // Under a plan the manager is no reviewer: no approve button for them.
    expect(await m.getByRole('region', { name: 'What you can do' }).locator(':scope > .actions > button').allInnerTexts()).not.toContain('Approve');

    // Brand finds it on the board's "To review" list and asks for changes.
    const b = await open(bea);
    await b.goto('/board');
    const toReview = b.getByRole('region', { name: /To review/ });
    await toReview.getByRole('link', { name: 'Winter landing page' }).click({ timeout: 10_000 });
    await b.waitForURL(`**/briefs/${briefId}`);
    await check(stack, b, 'brief-reviewer');
    await decide(b, 'Your decision', 'Request changes', 'The logo is too small.');
    expect((await lars.client.post(`/v1/briefs/${briefId}/request-changes`, { reason: 'The legal footer is missing.' })).status).toBe(200);
    await statusOf(b).filter({ hasText: 'Changes requested' }).waitFor({ timeout: 5_000 });
    const failed = stageOf(b, 'Brand and legal');
    await failed.getByText('The logo is too small.').waitFor();
    await failed.getByText('The legal footer is missing.').waitFor();
    await check(stack, b, 'brief-changes-requested');

    // The second delivery: brand approves on the page, legal with changes; stage 2 opens.
    expect((await paula.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Second draft' })).status).toBe(200);
    await stageOf(b, 'Brand and legal').getByText('open', { exact: true }).waitFor({ timeout: 5_000 });
    await decide(b, 'Your decision', 'Approve');
    expect((await lars.client.post(`/v1/briefs/${briefId}/reviews`, { decision: 'approve_with_changes', note: 'Add the imprint link.' })).status).toBe(200);
    await stageOf(b, 'Shop owners').getByText('open', { exact: true }).waitFor({ timeout: 5_000 });

    // Olga goes on leave in her settings, with Dora as her delegate.
    const o = await open(owners[0]);
    await o.goto('/settings');
    const away = o.getByRole('form', { name: 'Out of office' });
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await away.getByLabel('From').fill(local(Date.now() - 3_600_000));
    await away.getByLabel('Until').fill(local(Date.now() + 7 * 86_400_000));
    await away.getByLabel('Delegate').selectOption({ label: 'Dora Deputy' });
    await away.getByRole('button', { name: 'Set out of office' }).click();
    await o.getByRole('status').filter({ hasText: 'Out-of-office period saved.' }).waitFor({ timeout: 10_000 });
    await check(stack, o, 'settings-out-of-office');

    // Dora decides for Olga from the brief page.
    const d = await open(deputy);
    await d.goto(`/briefs/${briefId}`);
    await d.getByRole('button', { name: 'Decide for a colleague out of office' }).click();
    await decide(d, 'Decide for a reviewer who is out of office', 'Approve', 'Fine for Olga.');
    const olga = stageOf(d, 'Shop owners').locator(`li[data-reviewer="${owners[0].id}"]`);
    await olga.getByText('decided by Dora Deputy (out of office)').waitFor({ timeout: 5_000 });
    await check(stack, d, 'brief-delegated');

    // Otto approves: the quorum is reached, the brief is approved.
    expect((await owners[1].client.post(`/v1/briefs/${briefId}/reviews`, { decision: 'approve' })).status).toBe(200);
    await statusOf(m).filter({ hasText: 'Approved' }).waitFor({ timeout: 5_000 });
    await stageOf(m, 'Shop owners').getByText('passed', { exact: true }).waitFor();
    await check(stack, m, 'brief-approved');

    const done = (await mara.client.get(`/v1/briefs/${briefId}`)).body;
    expect(done.status).toBe('approved');
    const decided = done.timeline.filter((e: { type: string }) => e.type === 'review_decided').map((e: { actor: string; data: { reviewerId: string; decision: string; delegation?: string } }) => [e.actor, e.data.reviewerId, e.data.decision, e.data.delegation ?? null]);
    expect(decided).toEqual([
      [bea.id, bea.id, 'request_changes', null],
      [lars.id, lars.id, 'request_changes', null],
      [bea.id, bea.id, 'approve', null],
      [lars.id, lars.id, 'approve_with_changes', null],
      [deputy.id, owners[0].id, 'approve', 'out_of_office'],
      [owners[1].id, owners[1].id, 'approve', null],
    ]);
    expect(problems).toEqual([]);
  } finally {
    await sessions.close();
  }
});
