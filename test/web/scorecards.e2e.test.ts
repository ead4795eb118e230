// The scorecard pages in Chromium, over briefs that ran through their real workflows: two agencies
// and an internal team get briefs that are acknowledged (one late, after its clock breached and
// escalated), delivered, sent back for changes, approved, declined, and left open. The manager's
// comparison table shows each party with its received count and sorts by any column; a party's
// page draws the three charts with their accessible names, and a figure, a bar or a week traces
// to exactly the briefs behind it. An agency member sees only her own party's scorecard, in
// German, and another party's page is not found for her.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Member } from '../support/directory';
import { eventually } from '../support/http';
import { ROOT } from '../support/processes';
import { check, DESKTOP, signInByEmail, startWebStack, watchProblems, type WebStack } from './support';

let stack: WebStack;
let mara: Member;
let paula: Member;
let nora: Member;
let ivan: Member;
let pixelwerk: string;
let northstar: string;
let shopIt: string;
let escalatingPolicy: string;
const titles: Record<string, string> = {};

type Step = 'acknowledge' | 'ask' | 'answer' | 'deliver' | 'requestChanges' | 'approve' | 'decline' | 'cancel';

/** A brief sent by the manager to a party, then taken through `steps` by the party and the manager. */
async function brief(partyMember: Member, title: string, steps: Step[], extra: Record<string, unknown> = {}): Promise<string> {
  const created = await mara.client.post('/v1/briefs', { title, description: `${title}: details in the attachment.`, partyId: partyMember.partyId, priority: 'P2', ...extra });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  titles[id] = title;
  await run(partyMember, id, steps);
  return id;
}

/** Who takes each step (the party's member or the manager), where, with what. */
const STEPS: Record<Step, (delivery: number) => ['party' | 'manager', string, Record<string, unknown>]> = {
  acknowledge: () => ['party', 'acknowledge', { note: 'On it' }],
  ask: () => ['party', 'clarifications', { question: 'Which colours?' }],
  answer: () => ['manager', 'clarifications/answer', { answer: 'Red and gold' }],
  deliver: (n) => ['party', 'deliveries', { summary: `Version ${n}`, links: [`https://files.example/v${n}.zip`] }],
  requestChanges: () => ['manager', 'request-changes', { reason: 'Bigger logo, please' }],
  approve: () => ['manager', 'approve', { note: 'Ship it' }],
  decline: () => ['party', 'decline', { reason: 'No capacity before January' }],
  cancel: () => ['manager', 'cancel', { reason: 'Campaign dropped' }],
};

async function run(partyMember: Member, id: string, steps: Step[]): Promise<void> {
  let delivery = 0;
  for (const step of steps) {
    if (step === 'deliver') delivery += 1;
    const [who, route, body] = STEPS[step](delivery);
    const res = await (who === 'party' ? partyMember : mara).client.post(`/v1/briefs/${id}/${route}`, body);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${step} on ${titles[id]}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

interface Row {
  partyName: string;
  agreement: string;
  figures: { briefs: { received: number }; acknowledge: { counted: number; onTime: number }; rounds: { approvedBriefs: number }; escalations: { total: number } };
}

/** Waits until the read model has counted every brief and step the test made (`escalations` left out: not compared). */
async function scorecardsCounted(expected: Record<string, { received: number; acknowledged: number; approved: number; escalations?: number }>): Promise<Row[]> {
  let seen: unknown;
  try {
    return await eventually(
      async () => {
        const res = await mara.client.get('/v1/reports/scorecards');
        if (res.status !== 200) throw new Error(`GET /v1/reports/scorecards: ${res.status} ${JSON.stringify(res.body)}`);
        const rows = res.body.scorecards as Row[];
        seen = rows.map((r) => ({ party: r.partyName, received: r.figures.briefs.received, acknowledged: r.figures.acknowledge.counted, approved: r.figures.rounds.approvedBriefs, escalations: r.figures.escalations.total }));
        const all = Object.entries(expected).every(([name, want]) => {
          const row = rows.find((r) => r.partyName === name);
          return (
            row &&
            row.figures.briefs.received === want.received &&
            row.figures.acknowledge.counted === want.acknowledged &&
            row.figures.rounds.approvedBriefs === want.approved &&
            (want.escalations === undefined || row.figures.escalations.total === want.escalations)
          );
        });
        return all ? rows : undefined;
      },
      60_000,
      500,
    );
  } catch (err) {
    throw new Error(`the scorecards did not reach ${JSON.stringify(expected)}; last seen ${JSON.stringify(seen)}`, { cause: err });
  }
}

beforeAll(async () => {
  stack = await startWebStack('scorecards');
  const shop = await stack.dir.party('E-Commerce Team', 'ecommerce');
  pixelwerk = await stack.dir.party('Pixelwerk Agentur');
  northstar = await stack.dir.party('Northstar SEO');
  shopIt = await stack.dir.party('Shop IT', 'it');
  mara = await stack.dir.memberWith(shop, { name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en' });
  paula = await stack.dir.memberWith(pixelwerk, { name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', isLead: true });
  nora = await stack.dir.memberWith(northstar, { name: 'Nora North', email: 'nora@northstar.example', role: 'member', locale: 'en', isLead: true });
  ivan = await stack.dir.memberWith(shopIt, { name: 'Ivan IT', email: 'ivan@shop.example', role: 'member', locale: 'en', isLead: true });
  await stack.dir.memberWith(shop, { name: 'Tom Teamlead', email: 'tom@shop.example', role: 'watcher', locale: 'en', scope: 'all' });
  const policy = await stack.dir.admin.post('/v1/sla-policies', {
    name: 'Escalates at once (24x7)',
    targets: { acknowledge: { P2: 'PT1H' } },
    escalation: { levels: [{ after: 'PT0S', notify: ['watchers'] }] },
  });
  expect(policy.status).toBe(201);
  escalatingPolicy = policy.body.id as string;

  // A brief whose acknowledgement comes after its two-second clock breached and escalated.
  const late = await brief(paula, 'Product video', [], { slaPolicyId: escalatingPolicy, targets: { acknowledge: 'PT2S' } });
  await Promise.all([
    brief(paula, 'Christmas landing page', ['acknowledge', 'deliver', 'requestChanges', 'deliver', 'approve']),
    brief(paula, 'Newsletter template', ['acknowledge', 'deliver', 'approve']),
    brief(paula, 'Banner set', ['decline']),
    brief(nora, 'SEO audit', ['acknowledge', 'deliver', 'approve']),
    brief(nora, 'Meta descriptions', ['acknowledge']),
    brief(ivan, 'Fix the product feed', ['acknowledge', 'deliver', 'approve']),
  ]);
  await eventually(async () => ((await mara.client.get(`/v1/briefs/${late}`)).body.sla.acknowledge.state === 'breached' ? true : undefined), 20_000, 200);
  await run(paula, late, ['acknowledge']);
  await scorecardsCounted({
    'Pixelwerk Agentur': { received: 4, acknowledged: 3, approved: 2, escalations: 1 },
    'Northstar SEO': { received: 2, acknowledged: 2, approved: 1, escalations: 0 },
    'Shop IT': { received: 1, acknowledged: 1, approved: 1, escalations: 0 },
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const cellTexts = (page: Page, selector: string) => page.locator(`.report-table tbody ${selector}`).allInnerTexts();

/** The titles of the briefs listed under the figures. */
const tracedTitles = async (page: Page) => (await page.locator('table.scorecard-briefs tbody th a').allInnerTexts()).sort();

/** Clicks something that traces a figure and waits until the list below is that figure's. */
async function traceBy(page: Page, click: () => Promise<void>, heading: string): Promise<string[]> {
  await click();
  await page.getByRole('heading', { level: 2, name: heading }).waitFor();
  // The heading follows the address at once; the list once its briefs have arrived.
  await page.locator('.traced-briefs[data-loaded="true"]').waitFor();
  await page.locator('table.scorecard-briefs, .traced-briefs p.muted').first().waitFor();
  // The list belongs to the heading once the address and the list agree.
  await page.waitForLoadState('networkidle');
  return tracedTitles(page);
}

test('the comparison table shows every party with its received briefs and sorts by any column; it prints as a clean table', async () => {
  let context: BrowserContext | undefined;
  try {
    context = await stack.newContext();
    const page = await signInByEmail(stack, context, 'mara@shop.example');
    const problems = watchProblems(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scorecards' }).click();
    await page.waitForURL('**/reports');
    await page.getByRole('heading', { level: 1, name: 'Scorecards' }).waitFor();
    const table = page.getByRole('table', { name: /^Scorecards of all parties/ });
    await table.waitFor();

    // One row per party and agreement, by name: the received counts are the briefs each got.
    expect(await cellTexts(page, 'th[scope="row"]')).toEqual(['Northstar SEO', 'Pixelwerk Agentur', 'Shop IT']);
    expect(await cellTexts(page, 'td[data-column="received"]')).toEqual(['2', '4', '1']);
    expect(await cellTexts(page, 'td:nth-of-type(1)')).toEqual(['SLA (external)', 'SLA (external)', 'OLA (internal)']);
    // Pixelwerk: two of the three counted acknowledgements on time (the declined brief's never ran out).
    expect(await cellTexts(page, 'td[data-column="acknowledgeOnTime"]')).toEqual(['100.0 %', '66.7 %', '100.0 %']);
    expect(await cellTexts(page, 'td[data-column="rounds"]')).toEqual(['1.0', '1.5', '1.0']);
    expect(await cellTexts(page, 'td[data-column="escalations"]')).toEqual(['0', '1', '0']);
    const partyHeader = table.getByRole('columnheader', { name: /^Party/ });
    expect(await partyHeader.getAttribute('aria-sort')).toBe('ascending');
    await check(stack, page, 'reports-list');

    // Sorting by a column reorders the rows and says so; again, the other way round.
    const ackHeader = table.getByRole('columnheader', { name: /^Acknowledge on time/ });
    await ackHeader.getByRole('button').click();
    expect(await ackHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await partyHeader.getAttribute('aria-sort')).toBeNull();
    expect(await cellTexts(page, 'th[scope="row"]')).toEqual(['Pixelwerk Agentur', 'Northstar SEO', 'Shop IT']);
    await ackHeader.getByRole('button').click();
    expect(await ackHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await cellTexts(page, 'th[scope="row"]')).toEqual(['Northstar SEO', 'Shop IT', 'Pixelwerk Agentur']);
    const receivedHeader = table.getByRole('columnheader', { name: /^Briefs received/ });
    await receivedHeader.getByRole('button').click();
    expect(await cellTexts(page, 'th[scope="row"]')).toEqual(['Shop IT', 'Northstar SEO', 'Pixelwerk Agentur']);
    expect(await page.locator('.report-table caption').innerText()).toBe('Scorecards of all parties, sorted by Briefs received ascending');

    // Filters: the agreement narrows the rows (and the address keeps it).
    await page.getByLabel('Agreement').selectOption('internal');
    await page.waitForURL('**/reports?agreement=internal');
    await eventually(async () => ((await cellTexts(page, 'th[scope="row"]')).join() === 'Shop IT' ? true : undefined), 5_000);
    await page.getByLabel('Agreement').selectOption('');
    await eventually(async () => ((await cellTexts(page, 'th[scope="row"]')).length === 3 ? true : undefined), 5_000);

    // The CSV of the same period downloads with the session.
    const csvLink = page.getByRole('link', { name: 'Download as CSV' });
    const href = (await csvLink.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/v1\/reports\/scorecards\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    const csv = await page.request.get(href);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain('Pixelwerk Agentur');

    // Printed: the table alone, without navigation, filters or buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('form.report-filters').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await table.isVisible()).toBe(true);
    await page.screenshot({ path: path.join(stack.screenshots, 'reports-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // Each row leads to the party's page.
    await table.getByRole('link', { name: 'Pixelwerk Agentur' }).click();
    await page.waitForURL(`**/reports/${pixelwerk}?agreement=external`);
    await page.getByRole('heading', { level: 1, name: 'Pixelwerk Agentur' }).waitFor();
    expect(problems).toEqual([]);
  } finally {
    await context?.close();
  }
}, 120_000);

test('a party’s page draws the trend, the time-to-acknowledge distribution and the rounds, and traces a figure, a bar and a week to its briefs', async () => {
  let context: BrowserContext | undefined;
  try {
    context = await stack.newContext();
    const page = await signInByEmail(stack, context, 'mara@shop.example');
    const problems = watchProblems(page);
    await page.goto(`/reports/${pixelwerk}`);
    await page.getByRole('heading', { level: 1, name: 'Pixelwerk Agentur' }).waitFor();

    // The three charts: SVG drawings with accessible names that say what they show.
    const trend = page.getByRole('img', { name: /^On-time share of acknowledgements, deliveries and reviews in week \d{4}-W\d{2}: Acknowledge 66\.7 %, Deliver 100\.0 %, Review 100\.0 %\.$/ });
    const histogram = page.getByRole('img', { name: /^Time to acknowledge for 3 acknowledged briefs: median [^,]+, 90 % within [^.]+\. Most often ≤ 15 min \(3\)\.$/ });
    const rounds = page.getByRole('img', { name: 'Delivery rounds of 2 approved briefs, 1.5 on average: 1 round: 1 brief; 2 rounds: 1 brief.' });
    for (const chart of [trend, histogram, rounds]) await chart.locator('svg').waitFor();
    expect(await trend.locator('svg.ct-chart-line .ct-point').count()).toBe(3);
    expect(await histogram.locator('svg.ct-chart-bar .ct-bar').count()).toBe(10);
    expect(await rounds.locator('svg.ct-chart-bar .ct-bar').count()).toBe(2);
    expect(await page.locator('figure.chart figcaption').allInnerTexts()).toEqual(['On time by week of creation', 'Time to acknowledge (business hours)', 'Delivery rounds per approved brief']);
    // Every brief of the period is listed to begin with.
    expect(await tracedTitles(page)).toEqual(['Banner set', 'Christmas landing page', 'Newsletter template', 'Product video']);
    await check(stack, page, 'scorecard-party');

    // A figure: the late acknowledgement, then the declined brief.
    expect(
      await traceBy(page, () => page.getByRole('button', { name: 'Acknowledged on time: 1 late' }).click(), 'Briefs: acknowledged late'),
    ).toEqual(['Product video']);
    expect(page.url()).toContain('trace=acknowledge.late');
    expect(await page.getByRole('button', { name: 'Acknowledged on time: 1 late' }).getAttribute('aria-pressed')).toBe('true');
    await check(stack, page, 'scorecard-traced-late');
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Acknowledged on time: 2 on time' }).click(), 'Briefs: acknowledged on time')).toEqual([
      'Christmas landing page',
      'Newsletter template',
    ]);
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Declined 1' }).click(), 'Briefs: declined')).toEqual(['Banner set']);
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Escalations: 0 acknowledged · level 1: 1' }).click(), 'Briefs: escalated')).toEqual(['Product video']);

    // A bar of the rounds chart (the pointer's way) and its row in the data table (the keyboard's).
    expect(await traceBy(page, () => rounds.locator('.ct-bar').nth(1).click({ force: true }), 'Briefs: approved after 2 rounds')).toEqual(['Christmas landing page']);
    expect(await rounds.locator('.ct-bar.ct-selected').count()).toBe(1);
    await page.locator('figure.chart').nth(2).locator('summary').click();
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Show the briefs approved after 1 round' }).click(), 'Briefs: approved after 1 round')).toEqual(['Newsletter template']);

    // A week of the trend: every brief created in it.
    const week = ((await page.locator('figure.chart').first().locator('tbody th').first().textContent()) ?? '').trim();
    expect(week).toMatch(/^\d{4}-W\d{2}$/);
    expect(await traceBy(page, () => trend.click(), `Briefs: created in week ${week}`)).toEqual(['Banner set', 'Christmas landing page', 'Newsletter template', 'Product video']);
    expect(page.url()).toContain(`week=${week}`);

    // Back to all briefs; each row leads to its brief.
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Show all briefs' }).click(), 'Briefs: All briefs of the period')).toHaveLength(4);
    await page.locator('table.scorecard-briefs').getByRole('link', { name: 'Product video' }).click();
    await page.waitForURL('**/briefs/*');
    await page.getByRole('heading', { level: 1, name: 'Product video' }).waitFor();
    expect(problems).toEqual([]);
  } finally {
    await context?.close();
  }
}, 120_000);

test('an agency member sees only her own party’s scorecard, in German, and another party’s page is not found', async () => {
  let context: BrowserContext | undefined;
  try {
    context = await stack.newContext('de-DE');
    const page = await signInByEmail(stack, context, 'paula@pixelwerk.example');
    const problems = watchProblems(page);
    await page.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Kennzahlen' }).click();
    // /reports leads her straight to her own party's page.
    await page.waitForURL(`**/reports/${pixelwerk}`);
    await page.getByRole('heading', { level: 1, name: 'Pixelwerk Agentur' }).waitFor();
    await page.getByRole('img', { name: /^Anteil pünktlicher Bestätigungen, Lieferungen und Prüfungen in Woche \d{4}-W\d{2}: Bestätigung 66,7 %, Lieferung 100,0 %, Prüfung 100,0 %\.$/ }).locator('svg').waitFor();
    await page.getByRole('img', { name: /^Zeit bis zur Bestätigung für 3 bestätigte Briefings: Median / }).waitFor();
    await page.getByRole('img', { name: 'Lieferrunden von 2 freigegebenen Briefings, im Mittel 1,5: 1 Runde: 1 Briefing; 2 Runden: 1 Briefing.' }).waitFor();
    expect(await page.locator('figure.chart figcaption').allInnerTexts()).toEqual(['Pünktlich nach Erstellungswoche', 'Zeit bis zur Bestätigung (Arbeitsstunden)', 'Lieferrunden je freigegebenem Briefing']);
    await page.getByText('Pünktlich bestätigt', { exact: true }).waitFor();
    // No way back to a list of all parties.
    expect(await page.getByRole('link', { name: 'Alle Kennzahlen' }).count()).toBe(0);
    expect(await traceBy(page, () => page.getByRole('button', { name: 'Pünktlich bestätigt: 1 verspätet' }).click(), 'Briefings: verspätet bestätigt')).toEqual(['Product video']);
    await check(stack, page, 'scorecard-agency-de');

    // The list for her holds her own party alone (through the API the page reads).
    const list = await paula.client.get('/v1/reports/scorecards');
    expect(list.status).toBe(200);
    expect((list.body.scorecards as Row[]).map((r) => r.partyName)).toEqual(['Pixelwerk Agentur']);

    await page.goto(`/reports/${northstar}`);
    await page.getByRole('heading', { level: 1, name: 'Seite nicht gefunden' }).waitFor();
    expect(await page.locator('figure.chart').count()).toBe(0);
    expect(await page.getByText('Northstar SEO').count()).toBe(0);
    await check(stack, page, 'scorecard-agency-other-party');
    expect(problems).toEqual([]);
  } finally {
    await context?.close();
  }
}, 120_000);

/** Working-day durations (hours) for the README's picture, by brief: acknowledge, deliver, review, answer. */
const DEMO_HOURS: [number, number, number, number][] = [
  [0.4, 14, 3, 1.5],
  [1.2, 22, 5, 0.5],
  [0.2, 9, 1.5, 2],
  [2.5, 30, 7, 1],
  [0.8, 16, 2, 3],
  [5.5, 41, 9, 0.8],
  [0.3, 12, 4, 1.2],
  [1.6, 19, 2.5, 0.4],
  [3.2, 26, 6, 2.5],
  [0.6, 11, 1, 1],
  [1.1, 35, 3.5, 0.7],
  [0.9, 18, 12, 1.8],
];

test('README screenshot: the manager’s scorecard page of an agency over six weeks', async () => {
  // More of Pixelwerk's briefs through their workflows: questions, second rounds, a decline, and
  // acknowledgements after the clock ran out.
  const late = await Promise.all(['Gift guide teaser', 'App store screenshots'].map((title) => brief(paula, title, [], { targets: { acknowledge: 'PT2S' } })));
  await Promise.all([
    brief(paula, 'Black Friday banners', ['acknowledge', 'ask', 'answer', 'deliver', 'requestChanges', 'deliver', 'approve']),
    brief(paula, 'Product photos: winter shoes', ['acknowledge', 'deliver', 'approve']),
    brief(paula, 'Size guide page', ['acknowledge', 'ask', 'answer', 'deliver', 'approve']),
    brief(paula, 'Checkout icons', ['acknowledge', 'deliver', 'requestChanges', 'deliver', 'requestChanges', 'deliver', 'approve']),
    brief(paula, 'Category header images', ['acknowledge', 'deliver', 'approve']),
    brief(paula, 'Lookbook layout', ['decline']),
  ]);
  for (const id of late) {
    await eventually(async () => ((await mara.client.get(`/v1/briefs/${id}`)).body.sla.acknowledge.state === 'breached' ? true : undefined), 20_000, 200);
    await run(paula, id, ['acknowledge', 'deliver', 'approve']);
  }
  await scorecardsCounted({ 'Pixelwerk Agentur': { received: 12, acknowledged: 10, approved: 9 } });
  // The picture shows a quarter: the facts of these briefs (made within a minute) are spread
  // over the last six weeks and given working-day durations. Nothing is asserted on them.
  const { prisma } = stack.handoff.db;
  const rows = await prisma.$queryRaw<{ brief_id: string }[]>`SELECT brief_id FROM scorecard_briefs WHERE party_id = ${pixelwerk} ORDER BY created_at, brief_id`;
  for (const [index, { brief_id: id }] of rows.entries()) {
    const days = 7 * (index % 6) + (index % 4);
    const [acknowledge, deliver, review, answer] = DEMO_HOURS[index % DEMO_HOURS.length].map((hours) => hours * 3_600_000);
    await prisma.$executeRaw`UPDATE scorecard_briefs SET created_at = created_at - make_interval(days => ${days}::int) WHERE brief_id = ${id}`;
    await prisma.$executeRaw`
      UPDATE scorecard_steps SET
        brief_created_at = brief_created_at - make_interval(days => ${days}::int),
        started_at = started_at - make_interval(days => ${days}::int),
        ended_at = ended_at - make_interval(days => ${days}::int),
        business_ms = CASE WHEN state <> 'done' THEN business_ms
          WHEN step = 'acknowledge' THEN ${acknowledge}::float8 WHEN step = 'deliver' THEN ${deliver}::float8
          WHEN step = 'review' THEN ${review}::float8 ELSE ${answer}::float8 END
      WHERE brief_id = ${id}`;
  }
  let context: BrowserContext | undefined;
  try {
    context = await stack.newContext();
    const page = await signInByEmail(stack, context, 'mara@shop.example');
    await page.setViewportSize({ width: DESKTOP.width, height: 1150 });
    await page.goto(`/reports/${pixelwerk}`);
    await page.getByRole('heading', { level: 1, name: 'Pixelwerk Agentur' }).waitFor();
    for (const chart of await page.locator('.chart-canvas').all()) await chart.locator('svg').waitFor();
    const file = path.join(stack.screenshots, 'readme-scorecard.png');
    await page.screenshot({ path: file });
    if (process.env.UPDATE_README_SCREENSHOTS === '1') {
      mkdirSync(path.join(ROOT, 'docs', 'screenshots'), { recursive: true });
      copyFileSync(file, path.join(ROOT, 'docs', 'screenshots', 'scorecards.png'));
    }
  } finally {
    await context?.close();
  }
}, 180_000);
