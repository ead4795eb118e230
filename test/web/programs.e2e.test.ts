// Programs in the web app, in real browsers: the manager starts the product-launch template from
// its form (a party picked for each role), lands on the program page with its dependency graph
// drawn (each brief coloured by state, the critical path marked), the blocked briefs naming what
// holds them and the projected finish; as briefs are approved the page moves on by itself. A
// party's member sees only its own briefs of the program. Pages are screenshot and axe-checked.
import type { Page } from 'playwright-core';
import type { Member } from '../support/directory';
import { eventually } from '../support/http';
import { check, keySessions, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let mara: Member;
const parties: Record<string, string> = {};
const members: Record<string, Member> = {};

beforeAll(async () => {
  stack = await startWebStack('programs');
  const shop = await stack.dir.party('Shop', 'ecommerce');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  for (const [name, label] of [
    ['supplier', 'Boots & Co (supplier)'],
    ['data', 'Datenwerk (data agency)'],
    ['it', 'Shop IT'],
    ['marketing', 'Clickwerk (marketing and SEO)'],
    ['operations', 'Service and logistics'],
  ] as const) {
    parties[name] = await stack.dir.party(label);
    members[name] = await stack.dir.memberWith(parties[name], { name: `${name} member`, email: `${name}@parties.example`, role: 'member', locale: 'en' });
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const node = (page: Page, key: string) => page.locator(`svg.program-graph g[data-key="${key}"]`);

async function approve(briefId: string, by: Member): Promise<void> {
  expect((await by.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
  expect((await by.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: 'Done' })).status).toBe(200);
  expect((await mara.client.post(`/v1/briefs/${briefId}/approve`, {})).status).toBe(200);
}

test('a product launch started from its template, followed on the program page', async () => {
  const sessions = keySessions(stack);
  try {
    const open = sessions.open;
    const m = await open(mara);
    const problems = watchProblems(m);
    await m.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programs' }).click();
    await m.waitForURL('**/programs');
    await m.getByText('No programs yet.').waitFor();
    const form = m.getByRole('form', { name: 'Start a program from a template' });
    await form.getByLabel('Template').selectOption({ label: 'Product launch' });
    await form.getByLabel('Product or range').fill('Winter boots');
    const pick = (label: string, party: string) => form.getByLabel(label, { exact: true }).selectOption({ label: party });
    await pick('Supplier', 'Boots & Co (supplier)');
    await pick('Data enrichment agency', 'Datenwerk (data agency)');
    await pick('IT (shop import)', 'Shop IT');
    await pick('Online-marketing agency', 'Clickwerk (marketing and SEO)');
    await pick('SEO agency', 'Clickwerk (marketing and SEO)');
    await pick('Customer service', 'Service and logistics');
    await pick('Logistics', 'Service and logistics');
    await form.getByLabel('Launch date (the program\'s target date)').fill('2027-06-30');
    await check(stack, m, 'programs-start');
    await form.getByRole('button', { name: 'Start program' }).click();
    await m.waitForURL(/\/programs\/[0-9a-f-]{36}$/);
    const programId = new URL(m.url()).pathname.split('/').pop() as string;

    // The graph: seven briefs, the supplier's running, the critical path marked.
    await node(m, 'supplier-data').waitFor();
    expect(await m.locator('svg.program-graph g[data-key]').count()).toBe(7);
    expect(await node(m, 'supplier-data').getAttribute('data-state')).toBe('running');
    const critical = await m.locator('svg.program-graph g[data-critical="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(critical).toEqual(['supplier-data', 'data-enrichment', 'shop-import', 'seo-landing-pages', 'customer-service-briefing']);
    const blocked = m.getByRole('region', { name: 'Blocked briefs' });
    await blocked.locator('li[data-blocked="data-enrichment"]').getByText('waiting for Product data for Winter boots').waitFor();
    await m.getByText('on track').waitFor();
    await check(stack, m, 'program-started');

    // The supplier's brief is approved: the page moves on by itself.
    // A brief just started is named once it is recorded.
    const started = async (key: string): Promise<string> =>
      eventually(async () => ((await mara.client.get(`/v1/programs/${programId}`)).body.briefs.find((b: { key: string }) => b.key === key)?.briefId as string | null) ?? undefined);
    await approve(await started('supplier-data'), members.supplier);
    await m.locator('svg.program-graph g[data-key="data-enrichment"][data-state="running"]').waitFor({ timeout: 10_000 });
    expect(await node(m, 'supplier-data').getAttribute('data-state')).toBe('approved');
    // The data agency's brief names its program and shows what the supplier delivered.
    const enrichment = await started('data-enrichment');
    const d = await open(members.data);
    await d.goto(`/briefs/${enrichment}`);
    const inputs = d.getByRole('region', { name: 'What the briefs it depends on delivered' });
    await inputs.locator('[data-input="supplier-data"]').getByText('Done').waitFor();
    expect(await inputs.locator('[data-input="supplier-data"] h3').textContent()).toMatch(/^Product data for Winter boots: version 1, /);
    expect(await d.getByRole('link', { name: /Winter boots/ }).first().getAttribute('href')).toBe(`/programs/${programId}`);
    await check(stack, d, 'program-brief-inputs');
    await approve(enrichment, members.data);
    await m.locator('svg.program-graph g[data-key="shop-import"][data-state="running"]').waitFor({ timeout: 10_000 });
    await check(stack, m, 'program-moving');

    // The operations team sees only its own two briefs of the program.
    const o = await open(members.operations);
    await o.goto(`/programs/${programId}`);
    await node(o, 'customer-service-briefing').waitFor();
    expect(await o.locator('svg.program-graph g[data-key]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual(['customer-service-briefing', 'logistics-readiness']);
    await check(stack, o, 'program-party-member');
    expect(problems).toEqual([]);
  } finally {
    await sessions.close();
  }
});

test("a program's escalations and scorecards, reached from its page", async () => {
  const policy = await stack.dir.admin.post('/v1/sla-policies', { name: 'Escalates at once', escalation: { levels: [{ after: 'PT0S', notify: ['party_lead'] }] } });
  expect(policy.status).toBe(201);
  const late = { description: 'Needed now', priority: 'P2', slaPolicyId: policy.body.id, targets: { acknowledge: 'PT2S' } };
  const outside = await mara.client.post('/v1/briefs', { ...late, title: 'Banner outside the program', partyId: parties.marketing });
  expect(outside.status).toBe(201);
  const created = await mara.client.post('/v1/programs', {
    name: 'Escalating launch',
    briefs: [
      { ...late, key: 'late-data', title: 'Late supplier data', partyId: parties.data },
      { key: 'import', title: 'Shop import', description: 'Import it', partyId: parties.it, dependsOn: ['late-data'] },
    ],
  });
  expect(created.status).toBe(201);
  const programId = created.body.id as string;
  const escalated = async (query: string) => eventually(async () => ((await mara.client.get(`/v1/escalations?${query}`)).body.items?.length ? true : undefined), 30_000);
  await escalated(`programId=${programId}`);
  await escalated(`briefId=${outside.body.id}`);

  const sessions = keySessions(stack);
  try {
    const m = await sessions.open(mara);
    const problems = watchProblems(m);
    await m.goto(`/programs/${programId}`);
    await m.getByRole('link', { name: 'Escalations of this program' }).click();
    await m.waitForURL(`**/escalations?programId=${programId}`);
    const rows = m.locator('table.escalation-list tbody tr');
    await rows.first().waitFor();
    await m.locator('.program-filter').getByRole('link', { name: 'Escalating launch' }).waitFor();
    await rows.first().locator('.program-of').getByRole('link', { name: 'Escalating launch' }).waitFor();
    expect(await rows.locator('th a').first().textContent()).toBe('Late supplier data');
    expect(await rows.evaluateAll((trs) => trs.every((tr) => tr.textContent?.includes('Late supplier data')))).toBe(true);
    await check(stack, m, 'program-escalations');
    // Every escalation again: the brief outside the program shows up.
    await m.locator('.program-filter').getByRole('button', { name: 'Show all' }).click();
    await m.waitForURL(/\/escalations$/);
    await m.getByRole('link', { name: 'Banner outside the program' }).first().waitFor();

    await m.goto(`/programs/${programId}`);
    await m.getByRole('link', { name: 'Scorecards of this program' }).click();
    await m.waitForURL(`**/reports?programId=${programId}**`);
    await m.locator('.program-filter').getByRole('link', { name: 'Escalating launch' }).waitFor();
    const table = m.getByRole('table');
    await table.getByRole('link', { name: 'Datenwerk (data agency)' }).waitFor();
    expect(await table.getByRole('link', { name: 'Clickwerk (marketing and SEO)' }).count()).toBe(0);
    await check(stack, m, 'program-scorecards');
    expect(problems).toEqual([]);
  } finally {
    await sessions.close();
    await mara.client.post(`/v1/programs/${programId}/cancel`, { reason: 'Done with this test' });
    await mara.client.post(`/v1/briefs/${outside.body.id}/cancel`, { reason: 'Done with this test' });
  }
});
