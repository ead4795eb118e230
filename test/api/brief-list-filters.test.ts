// The filters the web app's board and inbox use on GET /v1/briefs: a title search (`q`,
// case-insensitive, within what the caller may see) and `mine` (the briefs a manager manages or
// reviews).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type Member } from './directory';

describe('GET /v1/briefs: search and my briefs', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let anna: Member;
  let ben: Member;
  let pixel: Member;
  let other: Member;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const d = directory(handoff.url);
    const shop = await d.party('Shop', 'ecommerce');
    const pixelwerk = await d.party('Pixelwerk', 'agency');
    const logistics = await d.party('Logistics', 'logistics');
    anna = await d.member(shop, 'manager', 'Anna');
    ben = await d.member(shop, 'manager', 'Ben');
    pixel = await d.member(pixelwerk, 'member');
    other = await d.member(logistics, 'member');
    const create = async (key: string, by: Member, body: Record<string, unknown>) => {
      const res = await by.client.post('/v1/briefs', { description: 'd', ...body });
      expect(res.status).toBe(201);
      ids[key] = res.body.id;
    };
    await create('landing', anna, { title: 'Christmas Landing Page', partyId: pixelwerk });
    await create('banner', anna, { title: 'Winter banner', partyId: pixelwerk, reviewerId: ben.id });
    await create('pallets', ben, { title: 'Pallets for the landing of goods', partyId: logistics });
  }, 90_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const titles = async (member: Member, query: string) => {
    const res = await member.client.get(`/v1/briefs?${query}`);
    expect(res.status).toBe(200);
    return res.body.items.map((b: { id: string }) => Object.keys(ids).find((k) => ids[k] === b.id)).sort();
  };

  test('q finds titles containing the text, whatever its case, among the briefs the caller may see', async () => {
    expect(await titles(anna, 'q=LANDING')).toEqual(['landing', 'pallets']);
    expect(await titles(anna, 'q=landing%20page')).toEqual(['landing']);
    // An agency's search never reaches another party's briefs.
    expect(await titles(pixel, 'q=landing')).toEqual(['landing']);
    expect(await titles(other, 'q=landing')).toEqual(['pallets']);
    expect(await titles(anna, 'q=nothing-like-this')).toEqual([]);
  });

  test('mine=true lists the briefs the caller manages or reviews', async () => {
    expect(await titles(anna, 'mine=true')).toEqual(['banner', 'landing']);
    expect(await titles(ben, 'mine=true')).toEqual(['banner', 'pallets']);
    expect(await titles(ben, 'mine=true&q=winter')).toEqual(['banner']);
    expect(await titles(anna, 'mine=false')).toEqual(['banner', 'landing', 'pallets']);
  });

  test('a bad filter is a 400 naming it', async () => {
    const blank = await anna.client.get('/v1/briefs?q=%20%20');
    expectProblem(blank, 400, 'validation');
    expect(blank.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.q']);
    const mine = await anna.client.get('/v1/briefs?mine=yes');
    expect(mine.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.mine']);
  });
});
