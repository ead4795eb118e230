// The escalation read model and GET /v1/escalations: agreement, round and repeat on every
// escalation, the brief's policy and agreement, a feed entry per raised and acknowledged
// escalation, the list's filters, and what each caller sees. Real API, worker, Temporal dev
// server and PGlite; acknowledge clocks of P1 briefs run out after two seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createRecordEvents } from '../../activities/record-events';
import type { TimelineEvent } from '../../workflows/domain/brief';
import { initialState } from '../../workflows/domain/transitions';
import { briefInput } from '../support/briefs';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory, type Member } from '../support/directory';
import { eventually, type ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';

const QUICK_TARGETS = JSON.stringify({ acknowledge: { P1: 'PT2S' } });

interface Escalation {
  id: string;
  briefId: string;
  partyId: string;
  clock: string;
  level: number;
  state: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  agreement: string;
  round: number;
  repeat: number;
}

describe('the escalation feed', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let manager: Member;
  let shopWatcher: Member;
  let agencyWatcher: Member;
  let agencyMember: Member;
  let agencyA: string;
  let agencyB: string;
  let internalTeam: string;
  /** Escalations of a brief to party A, to party B and to the internal IT team. */
  let ofA: Escalation;
  let ofB: Escalation;
  let ofIt: Escalation;
  let quietBriefId: string;

  async function brief(client: ApiClient, partyId: string, priority = 'P1'): Promise<string> {
    const res = await client.post('/v1/briefs', { title: `Brief for ${partyId}`, description: 'Needs doing', partyId, priority });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function escalationOf(briefId: string): Promise<Escalation> {
    return eventually(async () => (await manager.client.get(`/v1/escalations?briefId=${briefId}`)).body.items?.[0] as Escalation | undefined, 30_000);
  }

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_SLA_TARGETS: QUICK_TARGETS, HANDOFF_RATE_LIMIT: '100000' } });
    const dir = directory(handoff.url);
    const shop = await dir.party('Shop', 'ecommerce');
    agencyA = await dir.party('Pixelwerk');
    agencyB = await dir.party('Northstar');
    internalTeam = await dir.party('IT', 'it');
    manager = await dir.member(shop, 'manager');
    shopWatcher = await dir.member(shop, 'watcher');
    agencyWatcher = await dir.member(agencyA, 'watcher');
    agencyMember = await dir.member(agencyA, 'member');
    const [a, b, it] = await Promise.all([brief(manager.client, agencyA), brief(manager.client, agencyB), brief(manager.client, internalTeam)]);
    quietBriefId = await brief(manager.client, agencyA, 'P3');
    [ofA, ofB, ofIt] = await Promise.all([escalationOf(a), escalationOf(b), escalationOf(it)]);
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('an escalation says its agreement, round and repeat, and the brief row its policy and agreement', async () => {
    expect(ofA).toMatchObject({ partyId: agencyA, clock: 'acknowledge', level: 1, state: 'open', agreement: 'external', round: 1, repeat: 0, acknowledgedAt: null });
    const briefRow = await handoff.db.prisma.brief.findUniqueOrThrow({ where: { id: ofA.briefId } });
    const sla = (briefRow.snapshot as { brief: { sla?: { policyId: string; agreement: string } } }).brief.sla;
    expect({ slaPolicyId: briefRow.slaPolicyId, agreement: briefRow.agreement }).toEqual({ slaPolicyId: sla?.policyId ?? null, agreement: sla?.agreement ?? null });
    // Briefs under a policy carry their party's agreement: an internal team's is internal.
    if (sla) expect(ofIt.agreement).toBe('internal');
  });

  test('every raised escalation has one feed entry, written with it', async () => {
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: { in: [ofA.id, ofB.id, ofIt.id] } }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.escalationId, e.kind])).toEqual(expect.arrayContaining([[ofA.id, 'raised'], [ofB.id, 'raised'], [ofIt.id, 'raised']]));
    expect(entries).toHaveLength(3);
    const entryOfA = entries.find((e) => e.escalationId === ofA.id);
    expect(entryOfA).toMatchObject({ briefId: ofA.briefId, partyId: agencyA, clock: 'acknowledge', level: 1 });
    expect(entryOfA?.at.toISOString()).toBe(ofA.raisedAt);
  });

  test("an older brief's escalation, without agreement and repeat, is recorded as external, repeat 0, once however often it is retried", async () => {
    const recordEvents = createRecordEvents({ prisma: handoff.db.prisma });
    const state = initialState(briefInput({ id: 'legacy-brief', partyId: agencyA, managerId: manager.id, reviewerId: null }), Date.parse('2026-01-05T09:00:00Z'));
    const raised: TimelineEvent = {
      seq: state.seq + 1,
      type: 'escalation_raised',
      actor: null,
      at: '2026-01-05T13:00:00.000Z',
      data: { escalationId: 'legacy-escalation', clock: 'acknowledge', level: 1, round: 1 },
    };
    state.seq = raised.seq;
    state.timeline.push(raised);
    const input = { workflowId: 'brief-legacy-brief', events: state.timeline, state, overdue: true, nextDueAt: null };
    await recordEvents(input);
    await recordEvents(input);
    const escalation = await handoff.db.prisma.escalation.findUniqueOrThrow({ where: { id: 'legacy-escalation' } });
    expect(escalation).toMatchObject({ agreement: 'external', round: 1, repeat: 0, level: 1, state: 'open', partyId: agencyA });
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: 'legacy-escalation' } });
    expect(entries.map((e) => [e.kind, e.at.toISOString()])).toEqual([['raised', '2026-01-05T13:00:00.000Z']]);
    const briefRow = await handoff.db.prisma.brief.findUniqueOrThrow({ where: { id: 'legacy-brief' } });
    expect({ slaPolicyId: briefRow.slaPolicyId, agreement: briefRow.agreement }).toEqual({ slaPolicyId: null, agreement: null });
    // Out of the way of the list tests below.
    await handoff.db.prisma.escalationFeedEntry.deleteMany({ where: { escalationId: 'legacy-escalation' } });
    await handoff.db.prisma.escalation.delete({ where: { id: 'legacy-escalation' } });
  });

  test('filters by party, brief, clock, level and since, and keeps paginating', async () => {
    const ids = async (query: string) => ((await manager.client.get(`/v1/escalations?${query}`)).body.items as Escalation[]).map((e) => e.id).sort();
    expect(await ids(`partyId=${agencyB}`)).toEqual([ofB.id]);
    expect(await ids(`briefId=${ofA.briefId}&clock=acknowledge&level=1`)).toEqual([ofA.id]);
    expect(await ids(`briefId=${ofA.briefId}&clock=review`)).toEqual([]);
    expect(await ids(`briefId=${ofA.briefId}&level=2`)).toEqual([]);
    expect(await ids(`briefId=${quietBriefId}`)).toEqual([]);
    const newest = [ofA, ofB, ofIt].sort((x, y) => y.raisedAt.localeCompare(x.raisedAt))[0];
    expect(await ids(`since=${encodeURIComponent(newest.raisedAt)}`)).toContain(newest.id);
    expect(await ids(`since=${encodeURIComponent(new Date(Date.parse(newest.raisedAt) + 1).toISOString())}`)).toEqual([]);
    expect(await ids('since=2020-01-01T00:00:00%2B02:00&state=open')).toEqual([ofA.id, ofB.id, ofIt.id].sort());

    const first = await manager.client.get('/v1/escalations?state=open&limit=2');
    const second = await manager.client.get(`/v1/escalations?state=open&limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((e: Escalation) => e.id).sort()).toEqual([ofA.id, ofB.id, ofIt.id].sort());
    expect(second.body.nextCursor).toBeNull();
  });

  test('refuses filters that are not valid with a 400 naming the parameter', async () => {
    for (const [query, path] of [
      ['clock=lunch', 'query.clock'],
      ['level=0', 'query.level'],
      ['level=x', 'query.level'],
      ['since=yesterday', 'query.since'],
      ['state=closed', 'query.state'],
    ]) {
      const res = await manager.client.get(`/v1/escalations?${query}`);
      expect({ query, status: res.status, paths: res.body.errors?.map((e: { path: string }) => e.path) }).toEqual({ query, status: 400, paths: [path] });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  test("an agency watcher sees its own party's escalations only, whatever it filters by", async () => {
    const ids = async (query: string) => ((await agencyWatcher.client.get(`/v1/escalations?${query}`)).body.items as Escalation[]).map((e) => e.id);
    expect(await ids('')).toEqual([ofA.id]);
    expect(await ids(`partyId=${agencyB}`)).toEqual([]);
    expect(await ids(`briefId=${ofB.briefId}`)).toEqual([]);
    expect(await ids(`partyId=${agencyA}`)).toEqual([ofA.id]);
    const shopIds = ((await shopWatcher.client.get('/v1/escalations')).body.items as Escalation[]).map((e) => e.id).sort();
    expect(shopIds).toEqual([ofA.id, ofB.id, ofIt.id].sort());
    expect((await agencyMember.client.get('/v1/escalations')).status).toBe(403);
  });

  test('acknowledging writes the state and its feed entry together, once', async () => {
    const res = await agencyWatcher.client.post(`/v1/escalations/${ofA.id}/acknowledge`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ofA.id, state: 'acknowledged', acknowledgedBy: agencyWatcher.id, agreement: ofA.agreement, round: 1, repeat: 0 });
    const again = await agencyWatcher.client.post(`/v1/escalations/${ofA.id}/acknowledge`, {});
    expect(again.status).toBe(409);
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: ofA.id }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => e.kind)).toEqual(['raised', 'acknowledged']);
    expect(entries[1].at.toISOString()).toBe(res.body.acknowledgedAt);

    const acknowledged = await manager.client.get('/v1/escalations?state=acknowledged');
    expect(acknowledged.body.items.map((e: Escalation) => e.id)).toEqual([ofA.id]);
    const open = await manager.client.get('/v1/escalations?state=open');
    expect(open.body.items.map((e: Escalation) => e.id).sort()).toEqual([ofB.id, ofIt.id].sort());
  });
});
