// Programs through the API, on a real Temporal dev server and PGlite: the product-launch template
// with five parties runs to completion, naming the blocked briefs and what holds them, with the
// critical path and projected finish of a hand check; validation (cycles, unknown keys, parties and
// template parameters); a party's member sees only its own briefs; decline, replace, drop, cancel.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type Member } from './directory';

const HOUR = 3_600_000;

describe('programs', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let mara: Member;
  let admin: ReturnType<typeof directory>['admin'];
  const parties: Record<string, string> = {};
  const members: Record<string, Member> = {};

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const d = directory(handoff.url);
    admin = d.admin;
    const shop = await d.party('Shop', 'ecommerce');
    mara = await d.member(shop, 'manager', 'Mara');
    for (const [name, kind] of [
      ['supplier', 'supplier'],
      ['data', 'agency'],
      ['it', 'it'],
      ['marketing', 'agency'],
      ['operations', 'logistics'],
      ['outsider', 'agency'],
    ] as const) {
      parties[name] = await d.party(name, kind);
      members[name] = await d.member(parties[name], 'member', `${name} member`);
    }
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const launchParameters = () => ({
    product: 'Winter boots',
    launchDate: new Date(Date.now() + 60 * 24 * HOUR).toISOString(),
    supplierPartyId: parties.supplier,
    dataAgencyPartyId: parties.data,
    itPartyId: parties.it,
    marketingPartyId: parties.marketing,
    seoPartyId: parties.marketing,
    customerServicePartyId: parties.operations,
    logisticsPartyId: parties.operations,
  });
  const partyOfKey: Record<string, string> = {
    'supplier-data': 'supplier',
    'data-enrichment': 'data',
    'shop-import': 'it',
    'marketing-campaign': 'marketing',
    'seo-landing-pages': 'marketing',
    'customer-service-briefing': 'operations',
    'logistics-readiness': 'operations',
  };

  type ProgramBody = { id: string; status: string; briefs: { key: string; state: string; briefId: string | null; blockedBy: string[] }[]; criticalPath: string[]; projectedFinish: string | null; onTrack: boolean | null };
  const get = async (id: string, by: Member = mara): Promise<ProgramBody> => (await by.client.get(`/v1/programs/${id}`)).body;
  const briefOf = (p: ProgramBody, key: string) => p.briefs.find((b) => b.key === key) as ProgramBody['briefs'][number];
  const until = (id: string, ready: (p: ProgramBody) => boolean) => eventually(async () => {
    const p = await get(id);
    return ready(p) ? p : undefined;
  }, 20_000);

  async function approve(started: ProgramBody, key: string): Promise<void> {
    // A brief just started is named once it is recorded.
    const p = briefOf(started, key).briefId ? started : await until(started.id, (x) => briefOf(x, key).briefId !== null);
    const briefId = briefOf(p, key).briefId as string;
    const agency = members[partyOfKey[key] ?? 'supplier'];
    expect((await agency.client.post(`/v1/briefs/${briefId}/acknowledge`, {})).status).toBe(200);
    expect((await agency.client.post(`/v1/briefs/${briefId}/deliveries`, { summary: `${key} done` })).status).toBe(200);
    expect((await mara.client.post(`/v1/briefs/${briefId}/approve`, {})).status).toBe(200);
  }

  test('the product-launch template with five parties runs to completion, naming what holds each brief, with the hand-checked critical path', async () => {
    const templates = await mara.client.get('/v1/program-templates');
    expect(templates.body.items.map((t: { id: string }) => t.id)).toEqual(['marketplace-onboarding', 'product-launch', 'shop-change']);
    const created = await mara.client.post('/v1/programs', { template: 'product-launch', parameters: launchParameters() });
    expect(created.status).toBe(201);
    let p: ProgramBody = created.body;
    expect(p.briefs.map((b) => [b.key, b.state])).toEqual([
      ['supplier-data', 'running'],
      ['data-enrichment', 'waiting'],
      ['shop-import', 'waiting'],
      ['marketing-campaign', 'waiting'],
      ['seo-landing-pages', 'waiting'],
      ['customer-service-briefing', 'waiting'],
      ['logistics-readiness', 'waiting'],
    ]);
    expect(briefOf(p, 'data-enrichment').blockedBy).toEqual(['supplier-data']);
    expect(briefOf(p, 'customer-service-briefing').blockedBy).toEqual(['marketing-campaign', 'seo-landing-pages']);
    // Hand check (built-in policy, round the clock): a P2 brief takes 4 h + 3 d + 1 d = 100 h, a P3
    // one 1 d + 5 d + 2 d = 192 h. supplier, enrichment, import (P2) 300 h; then landing pages (P3,
    // 192 h) outlast the campaign (P2, 100 h); then customer service (P3, 192 h) outlasts
    // logistics (P2). 300 + 192 + 192 = 684 h from now.
    expect(p.criticalPath).toEqual(['supplier-data', 'data-enrichment', 'shop-import', 'seo-landing-pages', 'customer-service-briefing']);
    const projected = Date.parse(p.projectedFinish as string);
    expect(Math.abs(projected - (Date.now() + 684 * HOUR))).toBeLessThan(60_000);
    expect(p.onTrack).toBe(true);

    await approve(p, 'supplier-data');
    p = await until(p.id, (x) => briefOf(x, 'data-enrichment').briefId !== null);
    const enrichment = (await members.data.client.get(`/v1/briefs/${briefOf(p, 'data-enrichment').briefId}`)).body;
    expect(enrichment.program.inputs).toEqual([expect.objectContaining({ key: 'supplier-data', delivery: expect.objectContaining({ summary: 'supplier-data done' }) })]);
    await approve(p, 'data-enrichment');
    p = await until(p.id, (x) => briefOf(x, 'shop-import').state === 'running');
    await approve(p, 'shop-import');
    p = await until(p.id, (x) => briefOf(x, 'marketing-campaign').state === 'running' && briefOf(x, 'seo-landing-pages').state === 'running');
    await approve(p, 'marketing-campaign');
    p = await until(p.id, (x) => briefOf(x, 'marketing-campaign').state === 'approved');
    expect(briefOf(p, 'logistics-readiness').blockedBy).toEqual(['seo-landing-pages']);
    // A party's member sees only its own briefs of the program; an outsider does not see it.
    const seen = await get(p.id, members.operations);
    expect(seen.briefs.map((b) => b.key)).toEqual(['customer-service-briefing', 'logistics-readiness']);
    expect(seen.briefs[0].blockedBy).toEqual(['seo-landing-pages']);
    expectProblem(await members.outsider.client.get(`/v1/programs/${p.id}`), 404, 'not-found');
    expect((await members.outsider.client.get('/v1/programs')).body.items).toEqual([]);
    expectProblem(await members.operations.client.post(`/v1/programs/${p.id}/cancel`, { reason: 'no' }), 403, 'forbidden');
    await approve(p, 'seo-landing-pages');
    p = await until(p.id, (x) => briefOf(x, 'customer-service-briefing').state === 'running' && briefOf(x, 'logistics-readiness').state === 'running');
    await approve(p, 'customer-service-briefing');
    await approve(p, 'logistics-readiness');
    p = await until(p.id, (x) => x.status === 'completed');
    expect(p.briefs.every((b) => b.state === 'approved')).toBe(true);
    expect(p.criticalPath).toEqual([]);
  }, 120_000);

  test('a cycle, an unknown key, an unknown party or template parameter is a 400 naming it', async () => {
    const brief = (key: string, dependsOn: string[] = [], partyId = parties.data) => ({ key, title: `Brief ${key}`, description: 'd', partyId, dependsOn });
    const cycle = await mara.client.post('/v1/programs', { name: 'Loop', briefs: [brief('a', ['c']), brief('b', ['a']), brief('c', ['b'])] });
    expectProblem(cycle, 400, 'validation');
    expect(cycle.body.errors).toEqual([{ path: 'body.briefs', message: 'a cycle: a -> c -> b -> a' }]);
    const unknown = await mara.client.post('/v1/programs', { name: 'Dangling', briefs: [brief('a'), brief('b', ['nope'])] });
    expect(unknown.body.errors).toEqual([{ path: 'body.briefs.1.dependsOn', message: '"b" depends on "nope", which is not in the program' }]);
    const party = await mara.client.post('/v1/programs', { name: 'Nobody', briefs: [brief('a', [], 'no-such-party')] });
    expect(party.body.errors).toEqual([{ path: 'body.briefs.0.partyId', message: 'no party with this id' }]);
    const parameter = await mara.client.post('/v1/programs', { template: 'product-launch', parameters: { ...launchParameters(), colour: 'red', itPartyId: 'no-such-party' } });
    expect(parameter.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.parameters.colour', 'body.parameters.itPartyId']);
    const template = await mara.client.post('/v1/programs', { template: 'moon-landing', parameters: {} });
    expect(template.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.template']);
  });

  test('a declined brief holds its dependents until replaced or dropped; cancelling keeps the approved', async () => {
    const brief = (key: string, partyId: string, dependsOn: string[] = []) => ({ key, title: `Brief ${key}`, description: 'd', partyId, dependsOn });
    const created = await mara.client.post('/v1/programs', {
      name: 'Marketplace',
      briefs: [brief('listing-data', parties.data), brief('seller-setup', parties.it, ['listing-data']), brief('extra', parties.marketing), brief('go-live', parties.operations, ['seller-setup', 'extra'])],
    });
    expect(created.status).toBe(201);
    let p: ProgramBody = await until(created.body.id, (x) => x.briefs.every((b) => b.state !== 'running' || b.briefId !== null));
    const declined = briefOf(p, 'listing-data').briefId as string;
    expect((await members.data.client.post(`/v1/briefs/${declined}/decline`, { reason: 'no capacity' })).status).toBe(200);
    p = await until(p.id, (x) => briefOf(x, 'listing-data').state === 'failed');
    expect(briefOf(p, 'seller-setup').blockedBy).toEqual(['listing-data']);
    // Replaced by another party: it starts at once.
    const replaced = await mara.client.post(`/v1/programs/${p.id}/briefs/listing-data/replace`, { partyId: parties.supplier });
    expect(replaced.status).toBe(200);
    p = await until(p.id, (x) => briefOf(x, 'listing-data').state === 'running' && briefOf(x, 'listing-data').briefId !== null);
    expect(briefOf(p, 'listing-data').briefId).not.toBe(declined);
    const listing = briefOf(p, 'listing-data').briefId as string;
    expect((await members.supplier.client.post(`/v1/briefs/${listing}/acknowledge`, {})).status).toBe(200);
    expect((await members.supplier.client.post(`/v1/briefs/${listing}/deliveries`, { summary: 'listing' })).status).toBe(200);
    expect((await mara.client.post(`/v1/briefs/${listing}/approve`, {})).status).toBe(200);
    p = await until(p.id, (x) => briefOf(x, 'seller-setup').state === 'running' && briefOf(x, 'extra').briefId !== null);
    // Dropping a running brief: 409. Dropping "extra" (declined) releases go-live's other wait.
    expectProblem(await mara.client.post(`/v1/programs/${p.id}/briefs/seller-setup/drop`, {}), 409, 'conflict');
    expect((await members.marketing.client.post(`/v1/briefs/${briefOf(p, 'extra').briefId}/decline`, { reason: 'not ours' })).status).toBe(200);
    p = await until(p.id, (x) => briefOf(x, 'extra').state === 'failed');
    expect((await mara.client.post(`/v1/programs/${p.id}/briefs/extra/drop`, {})).status).toBe(200);
    p = await until(p.id, (x) => briefOf(x, 'extra').state === 'dropped');
    expect(briefOf(p, 'go-live').blockedBy).toEqual(['seller-setup']);
    // Cancel: the running seller setup and the waiting go-live are cancelled, the approved listing stays.
    const cancelled = await mara.client.post(`/v1/programs/${p.id}/cancel`, { reason: 'Marketplace postponed' });
    expect(cancelled.status).toBe(200);
    p = await until(p.id, (x) => x.status === 'cancelled');
    expect(p.briefs.map((b) => [b.key, b.state])).toEqual([
      ['listing-data', 'approved'],
      ['seller-setup', 'cancelled'],
      ['extra', 'dropped'],
      ['go-live', 'cancelled'],
    ]);
    expect((await mara.client.get(`/v1/briefs/${briefOf(p, 'seller-setup').briefId}`)).body.status).toBe('cancelled');
    expect(briefOf(p, 'go-live').briefId).toBeNull();
    expectProblem(await mara.client.post(`/v1/programs/${p.id}/cancel`, { reason: 'again' }), 409, 'conflict');
  }, 120_000);

  /** The text of an escalation stream once it shows `until`, or after five seconds. */
  async function streamText(key: string, path: string, until: string): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5_000);
    let text = '';
    try {
      const response = await fetch(`${handoff.url}${path}`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: controller.signal });
      expect(response.status).toBe(200);
      for await (const chunk of (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream())) {
        text += chunk;
        if (text.includes(until)) break;
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return text;
  }

  test('the escalation list and live feed, the metrics and the scorecards carry the program and are read for one program', async () => {
    type Escalation = { id: string; briefId: string; programId: string | null };
    const policy = await admin.post('/v1/sla-policies', { name: 'Escalates at once', escalation: { levels: [{ after: 'PT0S', notify: ['party_lead'] }] } });
    expect(policy.status).toBe(201);
    const late = { description: 'd', partyId: parties.data, priority: 'P2', slaPolicyId: policy.body.id, targets: { acknowledge: 'PT2S' } };
    const outside = await mara.client.post('/v1/briefs', { ...late, title: 'Outside any program' });
    expect(outside.status).toBe(201);
    const created = await mara.client.post('/v1/programs', {
      name: 'Escalating launch',
      targetDate: '2027-01-15',
      briefs: [
        { ...late, key: 'late-data', title: 'Late supplier data' },
        { key: 'import', title: 'Shop import', description: 'd', partyId: parties.it, dependsOn: ['late-data'] },
      ],
    });
    expect(created.status).toBe(201);
    // A date alone: the end of that day where the owner lives (Mara has no time zone set: UTC).
    expect(created.body.targetDate).toBe('2027-01-15T23:59:59.999Z');
    const p = await until(created.body.id, (x) => briefOf(x, 'late-data').briefId !== null);
    const briefId = briefOf(p, 'late-data').briefId as string;
    const escalationsOf = async (query: string, by: Member = mara) => (await by.client.get(`/v1/escalations?${query}`)).body.items as Escalation[];
    const raised = await eventually(async () => (await escalationsOf(`briefId=${briefId}`))[0], 30_000);
    expect(raised.programId).toBe(p.id);
    const outsideEscalation = await eventually(async () => (await escalationsOf(`briefId=${outside.body.id}`))[0], 30_000);
    expect(outsideEscalation.programId).toBeNull();

    // The list and the live feed for the program: its brief's escalations only.
    const ofProgram = await escalationsOf(`programId=${p.id}`);
    expect(ofProgram.map((e) => e.briefId)).toEqual([briefId]);
    // Watchers of a party see their own party's escalations of the program only.
    const d = directory(handoff.url);
    const dataWatcher = await d.member(parties.data, 'watcher', 'Data watcher');
    const outsiderWatcher = await d.member(parties.outsider, 'watcher', 'Outsider watcher');
    expect((await escalationsOf(`programId=${p.id}`, dataWatcher)).map((e) => e.id)).toEqual([raised.id]);
    expect(await escalationsOf(`programId=${p.id}`, outsiderWatcher)).toEqual([]);
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const feed = await streamText(mara.key, `/v1/escalations/stream?programId=${p.id}&since=${encodeURIComponent(since)}`, raised.id);
    expect(feed).toContain(`"programId":"${p.id}"`);
    expect(feed).toContain(raised.id);
    expect(feed).not.toContain(outsideEscalation.id);

    // The metrics: programs by status, the running program's briefs by state and its open escalations.
    const metrics = await mara.client.get('/metrics');
    expect(metrics.status).toBe(200);
    const text = metrics.body as string;
    const series = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(series('handoff_programs', 'status="running"')).toBeGreaterThanOrEqual(1);
    const labels = `program="${p.id}",program_name="Escalating launch"`;
    expect(series('handoff_program_briefs', `${labels},state="running"`)).toBe(1);
    expect(series('handoff_program_briefs', `${labels},state="waiting"`)).toBe(1);
    expect(series('handoff_program_escalations_open', labels)).toBeGreaterThanOrEqual(1);

    // The scorecards for the program: the data agency's one brief of it, not the brief outside it.
    type Report = { scorecards: { partyId: string; figures: { briefs: { received: number }; escalations: { total: number } } }[] };
    const all = (await mara.client.get(`/v1/reports/scorecards?partyId=${parties.data}`)).body as Report;
    expect(all.scorecards[0].figures.briefs.received).toBeGreaterThanOrEqual(2);
    const report = await mara.client.get(`/v1/reports/scorecards?programId=${p.id}`);
    expect(report.status).toBe(200);
    const cards = (report.body as Report).scorecards;
    expect(cards.map((c) => c.partyId)).toEqual([parties.data]);
    expect(cards[0].figures.briefs.received).toBe(1);
    expect(cards[0].figures.escalations.total).toBe((await escalationsOf(`briefId=${briefId}`)).length);
    const detail = await mara.client.get(`/v1/reports/scorecards/${parties.data}?programId=${p.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.briefs.items.map((b: { briefId: string; programId: string }) => [b.briefId, b.programId])).toEqual([[briefId, p.id]]);
    // A party's member reads the program's scorecards of its own party; an outsider does not see the program.
    expect(((await members.data.client.get(`/v1/reports/scorecards?programId=${p.id}`)).body as Report).scorecards.map((c) => c.partyId)).toEqual([parties.data]);
    expectProblem(await members.outsider.client.get(`/v1/reports/scorecards?programId=${p.id}`), 404, 'not-found');

    expect((await mara.client.post(`/v1/programs/${p.id}/cancel`, { reason: 'done with this test' })).status).toBe(200);
    expect((await mara.client.post(`/v1/briefs/${outside.body.id}/cancel`, { reason: 'done with this test' })).status).toBe(200);
  }, 120_000);
});
