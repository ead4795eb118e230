// The escalation read model and GET /v1/escalations: agreement, round and repeat on every
// escalation, the brief's policy and agreement, a feed entry per raised and acknowledged
// escalation, the list's filters, and what each caller sees; acknowledgements through the brief's
// workflow (on the brief as soon as answered, once, 404 for one it never raised, written by the
// API once the workflow has ended) and the re-escalation that follows one; who acknowledges (the
// e-commerce team, watchers of scope all such as an IT lead, members a level names, never the
// breaching party itself) and what a watcher's scope lets them see. Real API, worker, Temporal dev
// server and PGlite; acknowledge clocks of P1 briefs run out after two seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createRecordEvents } from '../../activities/record-events';
import { decodeSnapshot } from '../../services/snapshot';
import type { TimelineEvent } from '../../workflows/domain/events';
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
  /** A watcher of the IT department who watches every party, and a member of party B a policy names. */
  let itLead: Member;
  let onCall: Member;
  let admin: ApiClient;
  let shopId: string;
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
    itLead = await dir.memberWith(internalTeam, { name: 'Ines IT lead', email: 'ines@it.example', role: 'watcher', scope: 'all' });
    onCall = await dir.member(agencyB, 'member');
    admin = dir.admin;
    shopId = shop;
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
    const sla = decodeSnapshot(briefRow.id, briefRow.snapshot).brief.sla;
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
    const res = await shopWatcher.client.post(`/v1/escalations/${ofA.id}/acknowledge`, {});
    expect(res.status).toBe(200);
    // Read at once, before anything else: the acknowledgement went through the brief's workflow.
    const brief = await manager.client.get(`/v1/briefs/${ofA.briefId}`);
    expect(res.body).toMatchObject({ id: ofA.id, state: 'acknowledged', acknowledgedBy: shopWatcher.id, agreement: ofA.agreement, round: 1, repeat: 0 });
    const ackEvent = (brief.body.timeline as { type: string; actor: string; at: string; data: { escalationId: string } }[]).at(-1);
    expect(ackEvent).toMatchObject({ type: 'escalation_acknowledged', actor: shopWatcher.id, data: { escalationId: ofA.id } });
    expect(res.body.acknowledgedAt).toBe(ackEvent?.at);
    // The chain waits a full target for the step, then re-escalates: the brief says when.
    const clock = brief.body.sla.acknowledge as ClockView;
    expect(clock).toMatchObject({ escalationAcknowledged: true, escalationLevel: 1 });
    expect(clock.nextEscalationAt).toBe(new Date(Date.parse(ackEvent!.at) + TARGET_MS).toISOString());
    const again = await shopWatcher.client.post(`/v1/escalations/${ofA.id}/acknowledge`, {});
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

  test('an acknowledgement that runs again under its key (its first answer was lost) is answered as done and happens once', async () => {
    const escalation = await escalationOf(await brief(manager.client, internalTeam));
    const headers = { 'idempotency-key': 'ack-lost-answer' };
    const first = await shopWatcher.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {}, headers);
    expect(first.status).toBe(200);
    // What a first attempt that answered 503, or whose API process died, leaves: no answer under the key.
    await handoff.db.prisma.idempotencyRecord.deleteMany({ where: { key: 'ack-lost-answer' } });
    const again = await shopWatcher.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {}, headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body).toEqual(first.body);
    // Anyone else, or the same caller without the key, is told it is done already.
    expect((await shopWatcher.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {})).status).toBe(409);
    expect((await manager.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {}, { 'idempotency-key': 'ack-lost-answer' })).status).toBe(409);
    const timeline = (await manager.client.get(`/v1/briefs/${escalation.briefId}`)).body.timeline as { type: string }[];
    expect(timeline.filter((e) => e.type === 'escalation_acknowledged')).toHaveLength(1);
    expect(await handoff.db.prisma.escalationFeedEntry.count({ where: { escalationId: escalation.id, kind: 'acknowledged' } })).toBe(1);
    await manager.client.post(`/v1/briefs/${escalation.briefId}/cancel`, { reason: 'Done with this test' });
  });

  describe('who watches every party, and who acknowledges', () => {
    /** An open escalation of a brief to party A. */
    let agencyEscalation: Escalation;
    const patchMember = (id: string, body: unknown) => admin.request('PATCH', `/v1/members/${id}`, body);
    const paths = (res: { body: { errors?: { path: string }[] } }) => res.body.errors?.map((e) => e.path);

    /** The text of an escalation stream once it shows `until`, or after five seconds. */
    async function streamText(key: string, path: string, until: string): Promise<{ status: number; text: string }> {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 5_000);
      let text = '';
      try {
        const response = await fetch(`${handoff.url}${path}`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: controller.signal });
        if (response.status !== 200) return { status: response.status, text: await response.text() };
        for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
          text += chunk;
          if (text.includes(until)) break;
        }
        return { status: 200, text };
      } catch (err) {
        if (controller.signal.aborted) return { status: 200, text };
        throw err;
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    }

    test("an IT watcher of scope all sees another party's brief, its escalation, the stream and /metrics, and acknowledges it; the party's own watcher and member get 403", async () => {
      const briefId = await brief(manager.client, agencyA);
      agencyEscalation = await escalationOf(briefId);
      expect((await itLead.client.get(`/v1/briefs/${briefId}`)).status).toBe(200);
      expect(((await itLead.client.get('/v1/briefs')).body.items as { id: string }[]).map((b) => b.id)).toContain(briefId);
      expect(((await itLead.client.get(`/v1/escalations?briefId=${briefId}`)).body.items as Escalation[]).map((e) => e.id)).toEqual([agencyEscalation.id]);
      const stream = await streamText(itLead.key, `/v1/escalations/stream?briefId=${briefId}&lastEventId=0`, `"id":"${agencyEscalation.id}"`);
      expect(stream).toMatchObject({ status: 200, text: expect.stringContaining(`"id":"${agencyEscalation.id}"`) });
      const metrics = await itLead.client.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain(`party="${agencyA}"`);

      // The breaching party sees its escalation but cannot silence its own chain.
      for (const own of [agencyWatcher, agencyMember]) {
        const refused = await own.client.post(`/v1/escalations/${agencyEscalation.id}/acknowledge`, {});
        expect(refused.status).toBe(403);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      const res = await itLead.client.post(`/v1/escalations/${agencyEscalation.id}/acknowledge`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: agencyEscalation.id, state: 'acknowledged', acknowledgedBy: itLead.id });
    });

    test("a member an escalation's level names acknowledges it though they belong to another party; an escalation that does not name them does not exist for them", async () => {
      const policy = await admin.post('/v1/sla-policies', { name: 'On call by name', escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', onCall.id] }] } });
      expect(policy.status).toBe(201);
      const created = await manager.client.post('/v1/briefs', {
        title: 'Named on call',
        description: 'Needs doing',
        partyId: agencyA,
        priority: 'P1',
        slaPolicyId: policy.body.id,
        targets: { acknowledge: 'PT2S' },
      });
      expect(created.status).toBe(201);
      const escalation = await escalationOf(created.body.id as string);
      expect((await onCall.client.post(`/v1/escalations/${agencyEscalation.id}/acknowledge`, {})).status).toBe(404);
      expect((await agencyWatcher.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {})).status).toBe(403);
      const res = await onCall.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: escalation.id, state: 'acknowledged', acknowledgedBy: onCall.id });
      await manager.client.post(`/v1/briefs/${escalation.briefId}/cancel`, { reason: 'Done with this test' });
    });

    test("a new scope holds from the next request: a watcher set to party sees its own party only, set to all every party again; the change is audited", async () => {
      const toParty = await patchMember(itLead.id, { scope: 'party' });
      expect(toParty.status).toBe(200);
      expect(toParty.body).toMatchObject({ id: itLead.id, role: 'watcher', scope: 'party' });
      expect((await itLead.client.get(`/v1/briefs/${agencyEscalation.briefId}`)).status).toBe(404);
      const seen = (await itLead.client.get('/v1/escalations')).body.items as Escalation[];
      expect(seen.length).toBeGreaterThan(0);
      expect([...new Set(seen.map((e) => e.partyId))]).toEqual([internalTeam]);
      expect((await itLead.client.get('/metrics')).status).toBe(403);
      expect((await itLead.client.post(`/v1/escalations/${agencyEscalation.id}/acknowledge`, {})).status).toBe(404);

      // The e-commerce team's watcher, kept to the shop's own objects.
      expect((await patchMember(shopWatcher.id, { scope: 'party' })).body.scope).toBe('party');
      expect((await shopWatcher.client.get(`/v1/briefs/${agencyEscalation.briefId}`)).status).toBe(404);
      expect((await shopWatcher.client.get('/v1/escalations')).body.items).toEqual([]);
      expect((await shopWatcher.client.get('/metrics')).status).toBe(403);

      expect((await patchMember(itLead.id, { scope: 'all' })).body.scope).toBe('all');
      expect((await patchMember(shopWatcher.id, { scope: 'all' })).body.scope).toBe('all');
      expect((await itLead.client.get(`/v1/briefs/${agencyEscalation.briefId}`)).status).toBe(200);
      expect((await shopWatcher.client.get(`/v1/briefs/${agencyEscalation.briefId}`)).status).toBe(200);
      expect((await itLead.client.get('/v1/me')).body).toMatchObject({ id: itLead.id, scope: 'all' });
      const members = (await admin.get(`/v1/parties/${internalTeam}/members`)).body.items as { id: string; scope: string }[];
      expect(members.find((m) => m.id === itLead.id)).toMatchObject({ scope: 'all' });
      const audit = (await admin.get(`/v1/audit?targetType=member&targetId=${itLead.id}`)).body.items as { action: string; before: { scope?: string } | null; after: { scope?: string } | null }[];
      expect(audit.map((e) => [e.action, e.before?.scope, e.after?.scope])).toEqual([
        ['member.updated', 'party', 'all'],
        ['member.updated', 'all', 'party'],
        ['member.created', undefined, 'all'],
      ]);
    });

    test("refuses a scope the member cannot have, one that is not a scope and fields that cannot be edited, naming each; a new member's scope follows their party", async () => {
      const memberToAll = await patchMember(agencyMember.id, { scope: 'all' });
      expect({ status: memberToAll.status, paths: paths(memberToAll) }).toEqual({ status: 400, paths: ['body.scope'] });
      expect(memberToAll.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const managerToAll = await patchMember(manager.id, { scope: 'all' });
      expect({ status: managerToAll.status, paths: paths(managerToAll) }).toEqual({ status: 400, paths: ['body.scope'] });
      const notEditable = await patchMember(itLead.id, { role: 'admin', email: 'ines@elsewhere.example', name: 'Ines' });
      expect({ status: notEditable.status, paths: paths(notEditable) }).toEqual({ status: 400, paths: ['body.role', 'body.email'] });
      const notAScope = await patchMember(itLead.id, { scope: 'everyone' });
      expect({ status: notAScope.status, paths: paths(notAScope) }).toEqual({ status: 400, paths: ['body.scope'] });
      expect((await itLead.client.get('/v1/me')).body).toMatchObject({ name: 'Ines IT lead', scope: 'all' });
      expect((await patchMember('no-such-member', { scope: 'all' })).status).toBe(404);
      expect((await itLead.client.request('PATCH', `/v1/members/${itLead.id}`, { scope: 'party' })).status).toBe(403);
      const renamed = await patchMember(agencyMember.id, { name: 'Paula Pixel', locale: 'de' });
      expect(renamed.body).toMatchObject({ name: 'Paula Pixel', locale: 'de', scope: 'party' });

      const newMember = (partyId: string, role: string, scope?: string) =>
        admin.post(`/v1/parties/${partyId}/members`, { name: `New ${role}`, email: `new.${role}.${partyId}@example.test`, role, ...(scope ? { scope } : {}) });
      const memberWithAll = await newMember(internalTeam, 'member', 'all');
      expect({ status: memberWithAll.status, paths: paths(memberWithAll) }).toEqual({ status: 400, paths: ['body.scope'] });
      expect((await newMember(shopId, 'watcher')).body.scope).toBe('all');
      expect((await newMember(internalTeam, 'watcher')).body.scope).toBe('party');
      expect((await newMember(shopId, 'manager')).body.scope).toBe('party');
      expect((await newMember(agencyA, 'watcher', 'all')).body.scope).toBe('all');
    });
  });
});
