// The escalation read model and GET /v1/escalations: agreement, round and repeat on every
// escalation, the brief's policy and agreement, a feed entry per raised and acknowledged
// escalation, the list's filters, and what each caller sees; acknowledgements through the brief's
// workflow (on the brief as soon as answered, once, 404 for one it never raised, written by the
// API once the workflow has ended) and the re-escalation that follows one. Real API, worker, Temporal dev
// server and PGlite; acknowledge clocks of P1 briefs run out after two seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createRecordEvents } from '../../activities/record-events';
import type { TimelineEvent } from '../../workflows/domain/brief';
import { briefWorkflowId } from '../../workflows/domain/ids';
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
  reescalation: boolean;
  follows: string | null;
}

interface ClockView {
  escalationLevel: number;
  escalationAcknowledged: boolean;
  nextEscalationAt: string | null;
}

/** The P1 acknowledge target of these tests: a re-escalation comes this long after an acknowledgement. */
const TARGET_MS = 2000;

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
    expect(ofA).toMatchObject({ reescalation: false, follows: null });
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

  test('acknowledging writes the state and its feed entry together, once, and the brief shows it and when the chain re-escalates as soon as the API answered', async () => {
    const res = await agencyWatcher.client.post(`/v1/escalations/${ofA.id}/acknowledge`, {});
    expect(res.status).toBe(200);
    // Read at once, before anything else: the acknowledgement went through the brief's workflow.
    const brief = await manager.client.get(`/v1/briefs/${ofA.briefId}`);
    expect(res.body).toMatchObject({ id: ofA.id, state: 'acknowledged', acknowledgedBy: agencyWatcher.id, agreement: ofA.agreement, round: 1, repeat: 0 });
    const ackEvent = (brief.body.timeline as { type: string; actor: string; at: string; data: { escalationId: string } }[]).at(-1);
    expect(ackEvent).toMatchObject({ type: 'escalation_acknowledged', actor: agencyWatcher.id, data: { escalationId: ofA.id } });
    expect(res.body.acknowledgedAt).toBe(ackEvent?.at);
    // The chain waits a full target for the step, then re-escalates: the brief says when.
    const clock = brief.body.sla.acknowledge as ClockView;
    expect(clock).toMatchObject({ escalationAcknowledged: true, escalationLevel: 1 });
    expect(clock.nextEscalationAt).toBe(new Date(Date.parse(ackEvent!.at) + TARGET_MS).toISOString());
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

  test('a re-escalation a full target after the acknowledgement is marked as one and names the escalation it follows, with a feed entry', async () => {
    const brief = await manager.client.get(`/v1/briefs/${ofA.briefId}`);
    const expectedAt = (brief.body.sla.acknowledge as ClockView).nextEscalationAt as string;
    const items = await eventually(async () => {
      const list = (await manager.client.get(`/v1/escalations?briefId=${ofA.briefId}`)).body.items as Escalation[];
      return list.length === 2 ? list : undefined;
    }, 30_000);
    const [again, first] = items;
    expect(first).toMatchObject({ id: ofA.id, state: 'acknowledged', reescalation: false, follows: null });
    expect(again).toMatchObject({ briefId: ofA.briefId, clock: 'acknowledge', level: 1, repeat: 0, state: 'open', reescalation: true, follows: ofA.id });
    // Raised at the instant the brief named (a timer fires at or just after it).
    expect(Date.parse(again.raisedAt) - Date.parse(expectedAt)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(again.raisedAt) - Date.parse(expectedAt)).toBeLessThan(1000);
    expect(((await manager.client.get(`/v1/briefs/${ofA.briefId}`)).body.sla.acknowledge as ClockView).escalationAcknowledged).toBe(false);
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: again.id } });
    expect(entries.map((e) => [e.kind, e.at.toISOString()])).toEqual([['raised', again.raisedAt]]);
    // The filters see it like any other.
    const open = (await agencyWatcher.client.get('/v1/escalations?state=open')).body.items as Escalation[];
    expect(open.map((e) => [e.id, e.reescalation, e.follows])).toEqual([[again.id, true, ofA.id]]);
  });

  test('two acknowledgements of one escalation at once: one is answered 200, the other 409, and one feed entry is written', async () => {
    const answers = await Promise.all([manager.client, shopWatcher.client].map((client) => client.post(`/v1/escalations/${ofIt.id}/acknowledge`, {})));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const brief = await manager.client.get(`/v1/briefs/${ofIt.briefId}`);
    const acks = (brief.body.timeline as { type: string }[]).filter((e) => e.type === 'escalation_acknowledged');
    expect(acks).toHaveLength(1);
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: ofIt.id, kind: 'acknowledged' } });
    expect(entries).toHaveLength(1);
    await manager.client.post(`/v1/briefs/${ofIt.briefId}/cancel`, { reason: 'Done with this test' });
  });

  test('an escalation row its brief never raised is refused with 404 by the workflow, and stays open', async () => {
    const stray = { ...ofB, id: 'stray-escalation', raisedAt: new Date(ofB.raisedAt), acknowledgedAt: null };
    await handoff.db.prisma.escalation.create({ data: { ...stray, state: 'open' } });
    const res = await manager.client.post('/v1/escalations/stray-escalation/acknowledge', {});
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await handoff.db.prisma.escalation.findUniqueOrThrow({ where: { id: 'stray-escalation' } })).toMatchObject({ state: 'open', acknowledgedAt: null });
    await handoff.db.prisma.escalation.delete({ where: { id: 'stray-escalation' } });
  });

  test('an escalation of a brief whose workflow has ended is still acknowledged: the API writes it, with its feed entry', async () => {
    expect((await manager.client.post(`/v1/briefs/${ofB.briefId}/cancel`, { reason: 'Agency unreachable' })).status).toBe(200);
    const handle = handoff.temporal.client.workflow.getHandle(briefWorkflowId(ofB.briefId));
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 30_000);
    const res = await manager.client.post(`/v1/escalations/${ofB.id}/acknowledge`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ofB.id, state: 'acknowledged', acknowledgedBy: manager.id, reescalation: false, follows: null });
    const entries = await handoff.db.prisma.escalationFeedEntry.findMany({ where: { escalationId: ofB.id }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => e.kind)).toEqual(['raised', 'acknowledged']);
    expect((await manager.client.post(`/v1/escalations/${ofB.id}/acknowledge`, {})).status).toBe(409);
  });
});
