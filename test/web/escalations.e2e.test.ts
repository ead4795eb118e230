// The IT escalation board in Chromium, live: a brief whose acknowledgement target is three seconds
// under a policy that escalates at once is not acknowledged; the board of the e-commerce team's
// watcher (scope all), open since before, shows the escalation within two seconds of the due
// instant without a reload, marked new and announced to screen readers; the watcher acknowledges
// it from the board, and the manager's open board shows the acknowledgement live as well.
import type { BrowserContext } from 'playwright-core';
import type { Member } from '../support/directory';
import { check, markDocument, signInByEmail, startWebStack, stillSamePage, watchProblems, type WebStack } from './support';

/** The board shows an escalation within this of its due instant. */
const LIVE_MS = 2_000;

let stack: WebStack;
let agency: string;
let mara: Member;
let iris: Member;
let policyId: string;

beforeAll(async () => {
  stack = await startWebStack('escalations');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  agency = await stack.dir.party('Pixelwerk');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  iris = await stack.dir.memberWith(shop, { name: 'Iris IT', email: 'iris@shop.example', role: 'watcher', locale: 'en' });
  await stack.dir.memberWith(agency, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', isLead: true });
  const policy = await stack.dir.admin.post('/v1/sla-policies', {
    name: 'Seconds (24x7)',
    targets: { acknowledge: { P2: 'PT1H' } },
    escalation: { levels: [{ after: 'PT0S', notify: ['watchers'] }] },
  });
  expect(policy.status).toBe(201);
  policyId = policy.body.id as string;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('the watcher’s board shows an escalation within 2 s of its due instant, without a reload, and acknowledges it; the manager’s board follows live', async () => {
  let watcherContext: BrowserContext | undefined;
  let managerContext: BrowserContext | undefined;
  try {
    watcherContext = await stack.newContext();
    managerContext = await stack.newContext();
    const w = await signInByEmail(stack, watcherContext, 'iris@shop.example');
    const m = await signInByEmail(stack, managerContext, 'mara@shop.example');
    const problems = [...watchProblems(w).map((p) => `watcher ${p}`), ...watchProblems(m).map((p) => `manager ${p}`)];
    // A watcher starts on the escalation board.
    await w.waitForURL('**/escalations');
    await w.getByRole('heading', { level: 1, name: 'IT escalations' }).waitFor();
    await w.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    await w.getByText('No escalations. New ones appear here as they are raised.').waitFor();
    await check(stack, w, 'escalations-empty');
    await m.goto('/escalations');
    await m.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
    const watcherMark = await markDocument(w);
    const managerMark = await markDocument(m);

    const created = await mara.client.post('/v1/briefs', {
      title: 'Size chart for shoes',
      description: 'The new size chart.',
      partyId: agency,
      priority: 'P2',
      slaPolicyId: policyId,
      targets: { acknowledge: 'PT3S' },
    });
    expect(created.status).toBe(201);
    const briefId = created.body.id as string;
    const dueAt = Date.parse(created.body.sla.acknowledge.dueAt);
    expect(dueAt - Date.parse(created.body.createdAt)).toBe(3000);

    // The row arrives over the stream: linked to the brief, marked new, announced.
    const link = w.getByRole('table').getByRole('link', { name: 'Size chart for shoes' });
    await link.waitFor({ timeout: Math.max(0, dueAt + LIVE_MS - Date.now()) });
    const lateBy = Date.now() - dueAt;
    expect(lateBy).toBeLessThan(LIVE_MS);
    expect(await stillSamePage(w, watcherMark)).toBe(true);
    const [escalation] = (await iris.client.get(`/v1/escalations?briefId=${briefId}`)).body.items as { id: string; level: number; clock: string; state: string }[];
    expect(escalation).toMatchObject({ level: 1, clock: 'acknowledge', state: 'open' });
    const row = w.locator(`tr[data-escalation="${escalation.id}"]`);
    expect(await row.getAttribute('class')).toContain('new-item');
    expect(await link.getAttribute('href')).toBe(`/briefs/${briefId}`);
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/Size chart for shoes new Pixelwerk Acknowledge 1 .+ Open –/);
    await w.getByText('New escalation: Size chart for shoes level 1').waitFor({ state: 'attached', timeout: 1_000 });
    expect((await w.locator('ul.figures').innerText()).replace(/\s+/g, ' ')).toContain('1 Open at level 1');
    await m.locator(`tr[data-escalation="${escalation.id}"]`).waitFor({ timeout: 1_000 });
    await check(stack, w, 'escalations-open');

    // Acknowledged from the board: the row says by whom; the manager's board shows it live.
    await row.getByRole('button', { name: 'Acknowledge: Size chart for shoes, Acknowledge, Level 1' }).click();
    await row.getByText('Acknowledged', { exact: true }).waitFor({ timeout: 10_000 });
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await row.innerText()).toContain('Iris IT');
    const acknowledged = (await iris.client.get(`/v1/escalations?briefId=${briefId}`)).body.items.find((e: { id: string }) => e.id === escalation.id);
    expect(acknowledged).toMatchObject({ state: 'acknowledged', acknowledgedBy: iris.id });
    const managerRow = m.locator(`tr[data-escalation="${escalation.id}"]`);
    await managerRow.getByText('Acknowledged', { exact: true }).waitFor({ timeout: LIVE_MS });
    expect(await managerRow.innerText()).toContain('Iris IT');
    expect((await mara.client.get(`/v1/briefs/${briefId}`)).body.timeline.map((e: { type: string }) => e.type)).toContain('escalation_acknowledged');
    await check(stack, w, 'escalations-acknowledged');
    await check(stack, m, 'escalations-manager');

    expect(await stillSamePage(w, watcherMark)).toBe(true);
    expect(await stillSamePage(m, managerMark)).toBe(true);
    expect(problems).toEqual([]);
    console.log(`escalations: the board showed the escalation ${lateBy} ms after its due instant`);
  } finally {
    await watcherContext?.close();
    await managerContext?.close();
  }
}, 120_000);
