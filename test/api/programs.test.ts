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
  const parties: Record<string, string> = {};
  const members: Record<string, Member> = {};

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const d = directory(handoff.url);
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
});
