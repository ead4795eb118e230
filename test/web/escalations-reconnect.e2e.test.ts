// The IT escalation board after a network drop: while the browser is offline the board says it
// is reconnecting; an escalation raised meanwhile arrives once the network is back (the page
// resumes the stream after the last event id it saw), marked new and announced, without a reload,
// and an escalation acknowledged elsewhere meanwhile shows as acknowledged. The figures follow.
import type { Member } from '../support/directory';
import { eventually } from '../support/http';
import { check, markDocument, signInWithKey, stillSamePage, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let agency: string;
let mara: Member;
let iris: Member;
let policyId: string;

beforeAll(async () => {
  stack = await startWebStack('escalations-reconnect');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  iris = await stack.dir.memberWith(shop, { name: 'Iris IT', email: 'iris@shop.example', role: 'watcher', locale: 'en' });
  await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', isLead: true });
  const policy = await stack.dir.admin.post('/v1/sla-policies', {
    name: 'At once (24x7)',
    escalation: { levels: [{ after: 'PT0S', notify: ['watchers'] }] },
  });
  expect(policy.status).toBe(201);
  policyId = policy.body.id as string;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** A brief whose acknowledgement is due in two seconds, and its escalation once raised. */
async function escalatedBrief(title: string): Promise<{ briefId: string; escalationId: string }> {
  const created = await mara.client.post('/v1/briefs', { title, description: 'Escalates at once.', partyId: agency, priority: 'P2', slaPolicyId: policyId, targets: { acknowledge: 'PT2S' } });
  expect(created.status).toBe(201);
  const briefId = created.body.id as string;
  const escalationId = await eventually(async () => ((await iris.client.get(`/v1/escalations?briefId=${briefId}`)).body.items as { id: string }[])[0]?.id, 30_000);
  return { briefId, escalationId };
}

test('after a network drop the board catches up: what was raised and acknowledged meanwhile shows, without a reload', async () => {
  const context = await stack.newContext();
  try {
    const page = await signInWithKey(context, iris.key);
    const problems = watchProblems(page);
    const streams: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/escalations/stream') streams.push(request.url());
    });
    await page.goto('/escalations');
    const status = page.locator('p.connection');
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    const before = await escalatedBrief('Returns label printer');
    const beforeRow = page.locator(`tr[data-escalation="${before.escalationId}"]`);
    await beforeRow.waitFor({ timeout: 5_000 });
    const mark = await markDocument(page);

    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: /^Connection lost: retrying…$/ }).waitFor({ timeout: 5_000 });
    // Meanwhile: a new escalation, and the earlier one acknowledged by the manager.
    const during = await escalatedBrief('Invoice export stuck');
    expect((await mara.client.post(`/v1/escalations/${before.escalationId}/acknowledge`, {})).status).toBe(200);
    expect(await page.locator(`tr[data-escalation="${during.escalationId}"]`).count()).toBe(0);
    expect(await status.textContent()).toBe('Connection lost: retrying…');

    await context.setOffline(false);
    const duringRow = page.locator(`tr[data-escalation="${during.escalationId}"]`);
    await duringRow.waitFor({ timeout: 10_000 });
    expect(await duringRow.getAttribute('class')).toContain('new-item');
    expect(await duringRow.getByRole('link', { name: 'Invoice export stuck' }).getAttribute('href')).toBe(`/briefs/${during.briefId}`);
    await page.getByText('New escalation: Invoice export stuck level 1').waitFor({ state: 'attached', timeout: 5_000 });
    await beforeRow.getByText('Acknowledged', { exact: true }).waitFor({ timeout: 5_000 });
    expect(await beforeRow.innerText()).toContain('Mara Manager');
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor({ timeout: 10_000 });
    expect((await page.locator('ul.figures').innerText()).replace(/\s+/g, ' ')).toContain('1 Open at level 1');
    // The stream after the drop resumed after the last event seen before it (the first opened
    // with a short replay window to cover the list's loading).
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams[0]).toMatch(/\?since=/);
    expect(streams.at(-1)).toMatch(/\?lastEventId=\d+$/);
    // Each escalation once: the replay after the drop repeats nothing.
    expect(await page.locator('tbody tr').count()).toBe(2);
    expect(await stillSamePage(page, mark)).toBe(true);
    await check(stack, page, 'escalations-after-drop');
    expect(problems.filter((p) => !p.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);
