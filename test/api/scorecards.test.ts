// The scorecard reports through the real API on PGlite, over a small history written straight
// into scorecard_briefs, scorecard_steps and escalations, every figure checked against values
// worked out by hand: Pixelwerk (an agency, external SLA) with five briefs over two ISO weeks
// (2026-W45, 2026-W46 in Berlin), one approved after three rounds, one declined, one cancelled,
// late steps done and not done, escalations acknowledged and not; Platform IT (internal OLA) with
// steps on the histogram's edges; Northstar, another agency, for who sees what.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FACTS_VERSION } from '../../services/scorecards/facts';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory, expectProblem, type Member } from './directory';
import { apiClient, type ApiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';

const MIN = 60_000;
const HOUR = 60 * MIN;
const PERIOD = 'from=2026-11-02&to=2026-11-15&timezone=Europe/Berlin';
const EDGES = [15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 24 * HOUR, 40 * HOUR, null];
const histogram = (...counts: number[]) => EDGES.map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 }));

type StepName = 'acknowledge' | 'deliver' | 'review' | 'answer';
interface StepRow {
  step: StepName;
  round: number;
  state: 'done' | 'open' | 'stopped';
  businessMs: number | null;
  late?: boolean;
}
interface HistoryBrief {
  id: string;
  party: 'a' | 'b' | 'it';
  title: string;
  /** An instant (UTC). */
  createdAt: string;
  priority: string;
  agreement: 'external' | 'internal';
  status: string;
  outcome: 'open' | 'approved' | 'declined' | 'cancelled';
  rounds: number;
  clarifications: number;
  heldMs: number;
  steps: StepRow[];
  escalations: { level: number; acknowledged: boolean }[];
}

const done = (step: StepName, round: number, businessMs: number, late = false): StepRow => ({ step, round, state: 'done', businessMs, late });

/** The history, by hand. Berlin is UTC+1 in November. */
const HISTORY: HistoryBrief[] = [
  {
    id: 'sc-a1',
    party: 'a',
    title: 'Autumn banner',
    createdAt: '2026-11-02T09:00:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'approved',
    outcome: 'approved',
    rounds: 1,
    clarifications: 1,
    heldMs: 0,
    steps: [done('acknowledge', 1, 30 * MIN), done('deliver', 1, 2 * HOUR), done('review', 1, HOUR), done('answer', 1, 40 * MIN)],
    escalations: [],
  },
  {
    id: 'sc-a2',
    party: 'a',
    title: '=HYPERLINK("http://evil.example","Sale"), "Q4"',
    createdAt: '2026-11-04T14:00:00Z',
    priority: 'P1',
    agreement: 'external',
    status: 'approved',
    outcome: 'approved',
    rounds: 3,
    clarifications: 2,
    heldMs: HOUR,
    steps: [
      done('acknowledge', 1, 10 * MIN),
      done('deliver', 1, 4 * HOUR),
      done('deliver', 2, 10 * HOUR, true),
      done('deliver', 3, HOUR),
      done('review', 1, 20 * HOUR, true),
      done('review', 2, 3 * HOUR),
      done('review', 3, 30 * MIN),
      done('answer', 1, 20 * MIN),
      done('answer', 2, 2 * HOUR),
    ],
    escalations: [
      { level: 1, acknowledged: true },
      { level: 2, acknowledged: false },
    ],
  },
  {
    // 00:30 on Monday 9 November in Berlin, still Sunday in UTC: week 46 in Berlin, 45 in UTC.
    id: 'sc-a3',
    party: 'a',
    title: 'Declined landing page',
    createdAt: '2026-11-08T23:30:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'declined',
    outcome: 'declined',
    rounds: 0,
    clarifications: 0,
    heldMs: 0,
    steps: [{ step: 'acknowledge', round: 1, state: 'stopped', businessMs: null, late: true }],
    escalations: [{ level: 1, acknowledged: true }],
  },
  {
    id: 'sc-a4',
    party: 'a',
    title: 'Cancelled newsletter',
    createdAt: '2026-11-10T08:00:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'cancelled',
    outcome: 'cancelled',
    rounds: 0,
    clarifications: 0,
    heldMs: 2 * HOUR,
    steps: [done('acknowledge', 1, 45 * MIN), { step: 'deliver', round: 1, state: 'stopped', businessMs: null, late: true }],
    escalations: [],
  },
  {
    id: 'sc-a5',
    party: 'a',
    title: 'Open product shots',
    createdAt: '2026-11-12T10:00:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'in_progress',
    outcome: 'open',
    rounds: 0,
    clarifications: 0,
    heldMs: 0,
    steps: [done('acknowledge', 1, 50 * HOUR, true), { step: 'deliver', round: 1, state: 'open', businessMs: null }],
    escalations: [{ level: 1, acknowledged: false }],
  },
  {
    // Week 47: after the period.
    id: 'sc-a6',
    party: 'a',
    title: 'Later brief',
    createdAt: '2026-11-16T09:00:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'awaiting_ack',
    outcome: 'open',
    rounds: 0,
    clarifications: 0,
    heldMs: 0,
    steps: [done('acknowledge', 1, 5 * MIN)],
    escalations: [],
  },
  {
    id: 'sc-it1',
    party: 'it',
    title: 'Shop search index',
    createdAt: '2026-11-05T09:00:00Z',
    priority: 'P3',
    agreement: 'internal',
    status: 'approved',
    outcome: 'approved',
    rounds: 1,
    clarifications: 0,
    heldMs: 0,
    // On the edges: 15 min is the first bucket, 40 h the last bounded one, 41 h beyond.
    steps: [done('acknowledge', 1, 15 * MIN), done('deliver', 1, 40 * HOUR), done('review', 1, 41 * HOUR)],
    escalations: [],
  },
  {
    id: 'sc-b1',
    party: 'b',
    title: 'Northstar flyer',
    createdAt: '2026-11-03T09:00:00Z',
    priority: 'P2',
    agreement: 'external',
    status: 'awaiting_ack',
    outcome: 'open',
    rounds: 0,
    clarifications: 0,
    heldMs: 0,
    steps: [{ step: 'acknowledge', round: 1, state: 'open', businessMs: null }],
    escalations: [],
  },
];

/** A CSV answer with its bytes as sent (fetch's text() would drop the byte order mark). */
async function csv(url: string, member: Member, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${member.key}`, ...headers } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

const emptyStep = (side: 'party' | 'ecommerce') => ({ side, counted: 0, onTime: 0, onTimePercent: null, done: 0, medianMs: null, p90Ms: null, histogram: histogram() });

describe('GET /v1/reports/scorecards', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let parties: { shop: string; a: string; b: string; it: string };
  let manager: Member;
  let germanManager: Member;
  let ecommerceWatcher: Member;
  let agencyMember: Member;
  let agencyWatcher: Member;
  let otherMember: Member;
  let admin: ApiClient;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RECONCILE_INTERVAL: 'PT0S' } });
    const dir = directory(handoff.url);
    admin = apiClient(handoff.url, ADMIN_KEY);
    const shop = await dir.party('Shop', 'ecommerce');
    parties = { shop, a: await dir.party('Pixelwerk'), b: await dir.party('Northstar'), it: await dir.party('Platform IT', 'it') };
    manager = await dir.member(shop, 'manager');
    germanManager = await dir.memberWith(shop, { name: 'Greta', email: 'greta@shop.example', role: 'manager', locale: 'de' });
    ecommerceWatcher = await dir.member(shop, 'watcher');
    agencyMember = await dir.member(parties.a, 'member');
    agencyWatcher = await dir.member(parties.a, 'watcher');
    otherMember = await dir.member(parties.b, 'member');

    const prisma = handoff.db.prisma;
    const partyOf = (brief: HistoryBrief) => parties[brief.party];
    // Briefs and their scorecard rows together: the worker's backfill never sees a brief without its rows.
    await prisma.$transaction(async (tx) => {
      await tx.brief.createMany({
        data: HISTORY.map((b) => ({
          id: b.id,
          workflowId: `brief-${b.id}`,
          title: b.title,
          partyId: partyOf(b),
          managerId: manager.id,
          priority: b.priority,
          status: b.status,
          revision: 1,
          lastSeq: 1,
          snapshot: {},
          agreement: b.agreement,
          createdAt: new Date(b.createdAt),
          updatedAt: new Date(b.createdAt),
        })),
      });
      await tx.scorecardBrief.createMany({
        data: HISTORY.map((b) => ({
          briefId: b.id,
          partyId: partyOf(b),
          agreement: b.agreement,
          priority: b.priority,
          createdAt: new Date(b.createdAt),
          outcome: b.outcome,
          endedAt: b.outcome === 'open' ? null : new Date(b.createdAt),
          rounds: b.rounds,
          clarifications: b.clarifications,
          heldMs: b.heldMs,
          factsVersion: FACTS_VERSION,
        })),
      });
      await tx.scorecardStep.createMany({
        data: HISTORY.flatMap((b) =>
          b.steps.map((s) => ({
            briefId: b.id,
            step: s.step,
            round: s.round,
            partyId: partyOf(b),
            agreement: b.agreement,
            priority: b.priority,
            briefCreatedAt: new Date(b.createdAt),
            startedAt: new Date(b.createdAt),
            endedAt: s.state === 'open' ? null : new Date(b.createdAt),
            state: s.state,
            businessMs: s.businessMs,
            late: s.late ?? false,
          })),
        ),
      });
      await tx.escalation.createMany({
        data: HISTORY.flatMap((b) =>
          b.escalations.map((e, i) => ({
            id: `${b.id}-escalation-${i}`,
            briefId: b.id,
            partyId: partyOf(b),
            clock: 'deliver',
            level: e.level,
            state: e.acknowledged ? 'acknowledged' : 'open',
            raisedAt: new Date(b.createdAt),
            acknowledgedAt: e.acknowledged ? new Date(b.createdAt) : null,
            agreement: b.agreement,
          })),
        ),
      });
    });
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test("counts Pixelwerk's period by hand: briefs, steps on time with medians, p90 and histograms, rounds, clarifications, escalations, time held", async () => {
    const res = await manager.client.get(`/v1/reports/scorecards?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2026-11-02', to: '2026-11-15', timezone: 'Europe/Berlin' });
    const card = res.body.scorecards.find((c: { partyId: string }) => c.partyId === parties.a);
    expect(card).toMatchObject({ partyName: 'Pixelwerk', partyKind: 'agency', agreement: 'external' });
    const { figures } = card;
    expect(figures.briefs).toEqual({ received: 5, open: 1, approved: 2, declined: 1, cancelled: 1 });
    // Acknowledge: done in 10 min, 30 min, 45 min and 50 h (late); a3 breached and was declined.
    expect(figures.acknowledge).toEqual({
      side: 'party',
      counted: 5,
      onTime: 3,
      onTimePercent: 60,
      done: 4,
      medianMs: 37.5 * MIN,
      p90Ms: expect.closeTo(45 * MIN + 0.7 * (50 * HOUR - 45 * MIN), 3),
      histogram: histogram(1, 1, 1, 0, 0, 0, 0, 0, 0, 1),
    });
    // Deliver: 1 h, 2 h, 4 h, 10 h (late) done; a4's breached and stopped; a5's open and not late.
    expect(figures.deliver).toEqual({
      side: 'party',
      counted: 5,
      onTime: 3,
      onTimePercent: 60,
      done: 4,
      medianMs: 3 * HOUR,
      p90Ms: expect.closeTo(4 * HOUR + 0.7 * 6 * HOUR, 3),
      histogram: histogram(0, 0, 1, 1, 1, 0, 1, 0, 0, 0),
    });
    // Review, the e-commerce team's side: 30 min, 1 h, 3 h, 20 h (late).
    expect(figures.review).toEqual({
      side: 'ecommerce',
      counted: 4,
      onTime: 3,
      onTimePercent: 75,
      done: 4,
      medianMs: 2 * HOUR,
      p90Ms: expect.closeTo(3 * HOUR + 0.7 * 17 * HOUR, 3),
      histogram: histogram(0, 1, 1, 0, 1, 0, 0, 1, 0, 0),
    });
    expect(figures.rounds).toEqual({ approvedBriefs: 2, mean: 2, distribution: [{ rounds: 1, briefs: 1 }, { rounds: 3, briefs: 1 }] });
    // Answers took 20 min, 40 min and 2 h.
    expect(figures.clarifications).toEqual({ count: 3, perBrief: 0.6, answered: 3, answerMedianMs: 40 * MIN });
    expect(figures.escalations).toEqual({ total: 4, acknowledged: 2, byLevel: [{ level: 1, count: 3, acknowledged: 2 }, { level: 2, count: 1, acknowledged: 0 }] });
    expect(figures.held).toEqual({ briefs: 2, totalMs: 3 * HOUR });
  });

  test('gives each ISO week of creation in the time zone asked for, ascending, and only weeks with briefs', async () => {
    const berlin = (await manager.client.get(`/v1/reports/scorecards?${PERIOD}&partyId=${parties.a}`)).body.scorecards[0];
    expect(berlin.weeks.map((w: { week: string; start: string }) => [w.week, w.start])).toEqual([
      ['2026-W45', '2026-11-02'],
      ['2026-W46', '2026-11-09'],
    ]);
    const [w45, w46] = berlin.weeks.map((w: { figures: unknown }) => w.figures);
    expect(w45.briefs).toEqual({ received: 2, open: 0, approved: 2, declined: 0, cancelled: 0 });
    expect(w45.acknowledge).toMatchObject({ counted: 2, onTime: 2, onTimePercent: 100, medianMs: 20 * MIN, p90Ms: expect.closeTo(10 * MIN + 0.9 * 20 * MIN, 3) });
    expect(w45.rounds).toEqual({ approvedBriefs: 2, mean: 2, distribution: [{ rounds: 1, briefs: 1 }, { rounds: 3, briefs: 1 }] });
    expect(w45.clarifications).toEqual({ count: 3, perBrief: 1.5, answered: 3, answerMedianMs: 40 * MIN });
    expect(w45.escalations).toEqual({ total: 2, acknowledged: 1, byLevel: [{ level: 1, count: 1, acknowledged: 1 }, { level: 2, count: 1, acknowledged: 0 }] });
    expect(w45.held).toEqual({ briefs: 1, totalMs: HOUR });

    expect(w46.briefs).toEqual({ received: 3, open: 1, approved: 0, declined: 1, cancelled: 1 });
    expect(w46.acknowledge).toMatchObject({ counted: 3, onTime: 1, onTimePercent: 33.3, done: 2, medianMs: (45 * MIN + 50 * HOUR) / 2 });
    expect(w46.deliver).toEqual({ ...emptyStep('party'), counted: 1, onTimePercent: 0 });
    expect(w46.review).toEqual(emptyStep('ecommerce'));
    expect(w46.rounds).toEqual({ approvedBriefs: 0, mean: null, distribution: [] });
    expect(w46.clarifications).toEqual({ count: 0, perBrief: 0, answered: 0, answerMedianMs: null });
    expect(w46.escalations).toEqual({ total: 2, acknowledged: 1, byLevel: [{ level: 1, count: 2, acknowledged: 1 }] });
    expect(w46.held).toEqual({ briefs: 1, totalMs: 2 * HOUR });

    // In UTC the declined brief was created on Sunday: week 45.
    const utc = (await manager.client.get(`/v1/reports/scorecards?from=2026-11-02&to=2026-11-15&timezone=UTC&partyId=${parties.a}`)).body.scorecards[0];
    expect(utc.weeks.map((w: { week: string; figures: { briefs: { received: number } } }) => [w.week, w.figures.briefs.received])).toEqual([
      ['2026-W45', 3],
      ['2026-W46', 2],
    ]);
  });

  test('reports internal and external agreements apart, sorted by party name, and the histogram edges inclusive', async () => {
    const res = await manager.client.get(`/v1/reports/scorecards?${PERIOD}`);
    expect(res.body.scorecards.map((c: { partyName: string; agreement: string }) => `${c.partyName} ${c.agreement}`)).toEqual([
      'Northstar external',
      'Pixelwerk external',
      'Platform IT internal',
    ]);
    const it = res.body.scorecards[2];
    expect(it.partyKind).toBe('it');
    expect(it.figures.acknowledge.histogram).toEqual(histogram(1));
    expect(it.figures.deliver.histogram).toEqual(histogram(0, 0, 0, 0, 0, 0, 0, 0, 1, 0));
    expect(it.figures.review.histogram).toEqual(histogram(0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    const northstar = res.body.scorecards[0].figures;
    expect(northstar.acknowledge).toEqual(emptyStep('party'));
    expect(northstar.briefs.open).toBe(1);

    const internal = await manager.client.get(`/v1/reports/scorecards?${PERIOD}&agreement=internal`);
    expect(internal.body.scorecards.map((c: { partyId: string }) => c.partyId)).toEqual([parties.it]);
    const urgent = await manager.client.get(`/v1/reports/scorecards?${PERIOD}&priority=P1`);
    expect(urgent.body.scorecards).toHaveLength(1);
    expect(urgent.body.scorecards[0].figures.briefs).toEqual({ received: 1, open: 0, approved: 1, declined: 0, cancelled: 0 });
    expect(urgent.body.scorecards[0].figures.deliver).toMatchObject({ counted: 3, onTime: 2, medianMs: 4 * HOUR });
  });

  test('shows an agency its own scorecard only, and another party as not found', async () => {
    for (const caller of [agencyMember, agencyWatcher]) {
      const own = await caller.client.get(`/v1/reports/scorecards?${PERIOD}`);
      expect(own.body.scorecards.map((c: { partyId: string }) => c.partyId)).toEqual([parties.a]);
    }
    const outsider = await otherMember.client.get(`/v1/reports/scorecards?${PERIOD}`);
    expect(outsider.body.scorecards.map((c: { partyId: string }) => c.partyId)).toEqual([parties.b]);
    expectProblem(await otherMember.client.get(`/v1/reports/scorecards?${PERIOD}&partyId=${parties.a}`), 404, 'not-found');
    expectProblem(await otherMember.client.get(`/v1/reports/scorecards/${parties.a}?${PERIOD}`), 404, 'not-found');
    expectProblem(await otherMember.client.get(`/v1/reports/scorecards/${parties.a}.csv?${PERIOD}`), 404, 'not-found');
    expectProblem(await manager.client.get(`/v1/reports/scorecards/no-such-party?${PERIOD}`), 404, 'not-found');
    expectProblem(await manager.client.get(`/v1/reports/scorecards?${PERIOD}&partyId=no-such-party`), 404, 'not-found');

    const watcher = await ecommerceWatcher.client.get(`/v1/reports/scorecards?${PERIOD}`);
    expect(watcher.body.scorecards).toHaveLength(3);
    const ownDetail = await agencyMember.client.get(`/v1/reports/scorecards/${parties.a}?${PERIOD}`);
    expect(ownDetail.status).toBe(200);
    expect((await admin.get(`/v1/reports/scorecards?${PERIOD}`)).body.scorecards).toHaveLength(3);
  });

  test('traces each figure to the briefs behind it, newest first', async () => {
    const traced = async (query: string) => {
      const res = await manager.client.get(`/v1/reports/scorecards/${parties.a}?${PERIOD}&${query}`);
      expect(res.status).toBe(200);
      return res.body.briefs.items.map((b: { briefId: string }) => b.briefId);
    };
    expect(await traced('')).toEqual(['sc-a5', 'sc-a4', 'sc-a3', 'sc-a2', 'sc-a1']);
    expect(await traced('trace=acknowledge.onTime')).toEqual(['sc-a4', 'sc-a2', 'sc-a1']);
    expect(await traced('trace=acknowledge.late')).toEqual(['sc-a5', 'sc-a3']);
    expect(await traced('trace=deliver.late')).toEqual(['sc-a4', 'sc-a2']);
    expect(await traced('trace=deliver.onTime')).toEqual(['sc-a2', 'sc-a1']);
    expect(await traced('trace=review.late')).toEqual(['sc-a2']);
    expect(await traced('trace=review.onTime')).toEqual(['sc-a2', 'sc-a1']);
    expect(await traced('trace=approved')).toEqual(['sc-a2', 'sc-a1']);
    expect(await traced('trace=declined')).toEqual(['sc-a3']);
    expect(await traced('trace=cancelled')).toEqual(['sc-a4']);
    expect(await traced('trace=open')).toEqual(['sc-a5']);
    expect(await traced('trace=clarified')).toEqual(['sc-a2', 'sc-a1']);
    expect(await traced('trace=escalated')).toEqual(['sc-a5', 'sc-a3', 'sc-a2']);
    expect(await traced('trace=held')).toEqual(['sc-a4', 'sc-a2']);
    expect(await traced('trace=rounds.3')).toEqual(['sc-a2']);
    expect(await traced('trace=rounds.1')).toEqual(['sc-a1']);
    expect(await traced('trace=rounds.2')).toEqual([]);
    expect(await traced('week=2026-W45')).toEqual(['sc-a2', 'sc-a1']);
    expect(await traced('week=2026-W46&trace=acknowledge.late')).toEqual(['sc-a5', 'sc-a3']);
    expect(await traced('priority=P1')).toEqual(['sc-a2']);
  });

  test("answers a brief's row with its steps summed, and the party's scorecards", async () => {
    const res = await manager.client.get(`/v1/reports/scorecards/${parties.a}?${PERIOD}`);
    expect(res.body).toMatchObject({ from: '2026-11-02', to: '2026-11-15', timezone: 'Europe/Berlin', party: { id: parties.a, name: 'Pixelwerk', kind: 'agency' } });
    expect(res.body.scorecards).toHaveLength(1);
    expect(res.body.scorecards[0].figures.briefs.received).toBe(5);
    const rows = Object.fromEntries(res.body.briefs.items.map((b: { briefId: string }) => [b.briefId, b]));
    expect(rows['sc-a2']).toEqual({
      briefId: 'sc-a2',
      title: '=HYPERLINK("http://evil.example","Sale"), "Q4"',
      status: 'approved',
      priority: 'P1',
      agreement: 'external',
      createdAt: '2026-11-04T14:00:00.000Z',
      outcome: 'approved',
      rounds: 3,
      clarifications: 2,
      heldMs: HOUR,
      acknowledge: { steps: 1, done: 1, late: 0, businessMs: 10 * MIN, open: false },
      deliver: { steps: 3, done: 3, late: 1, businessMs: 15 * HOUR, open: false },
      review: { steps: 3, done: 3, late: 1, businessMs: 23.5 * HOUR, open: false },
      answerMedianMs: (20 * MIN + 2 * HOUR) / 2,
      escalations: [
        { level: 1, count: 1 },
        { level: 2, count: 1 },
      ],
     programId: null,
    });
    expect(rows['sc-a5']).toMatchObject({
      outcome: 'open',
      status: 'in_progress',
      acknowledge: { steps: 1, done: 1, late: 1, businessMs: 50 * HOUR, open: false },
      deliver: { steps: 1, done: 0, late: 0, businessMs: 0, open: true },
      review: null,
      answerMedianMs: null,
      escalations: [{ level: 1, count: 1 }],
    });
    expect(rows['sc-a3']).toMatchObject({ acknowledge: { steps: 1, done: 0, late: 1, businessMs: 0, open: false }, deliver: null });
  });

  test('pages the briefs with the cursor, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await manager.client.get(`/v1/reports/scorecards/${parties.a}?${PERIOD}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.briefs.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.briefs.items.map((b: { briefId: string }) => b.briefId));
      cursor = res.body.briefs.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['sc-a5', 'sc-a4', 'sc-a3', 'sc-a2', 'sc-a1']);
    expectProblem(await manager.client.get(`/v1/reports/scorecards/${parties.a}?cursor=garbage`), 400, 'validation');
  });

  test('defaults to the twelve weeks up to today in the caller\'s time zone, UTC without one', async () => {
    const res = await manager.client.get('/v1/reports/scorecards');
    expect(res.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${res.body.to}T00:00:00Z`) - 83 * 86_400_000).toISOString().slice(0, 10);
    expect(res.body.timezone).toBe('UTC');
    // The clock may pass midnight between the request and this line.
    expect([today, new Date(Date.now() - 60_000).toISOString().slice(0, 10)]).toContain(res.body.to);
    expect(res.body.from).toBe(from);

    const zoned = await admin.post(`/v1/parties/${parties.shop}/members`, { name: 'Zoe', email: 'zoe@shop.example', role: 'manager' });
    await handoff.db.prisma.member.update({ where: { id: zoned.body.id }, data: { timezone: 'Pacific/Auckland' } });
    const key = await admin.post(`/v1/members/${zoned.body.id}/api-keys`, {});
    const inAuckland = await apiClient(handoff.url, key.body.key).get('/v1/reports/scorecards');
    expect(inAuckland.body.timezone).toBe('Pacific/Auckland');
    expect(inAuckland.body.to).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland' }).format(new Date()));
  });

  test('answers 400 naming the field for bad dates, a reversed or too long period, unknown filters, zones and figures', async () => {
    const problems: [string, string][] = [
      ['/v1/reports/scorecards?from=2026-13-01', 'query.from'],
      ['/v1/reports/scorecards?to=2026-02-30', 'query.to'],
      ['/v1/reports/scorecards?from=2026-11-16&to=2026-11-15', 'query.from'],
      ['/v1/reports/scorecards?from=2024-01-01&to=2026-01-02', 'query.from'],
      ['/v1/reports/scorecards?agreement=ola', 'query.agreement'],
      ['/v1/reports/scorecards?priority=P9', 'query.priority'],
      ['/v1/reports/scorecards?timezone=Mars/Olympus', 'query.timezone'],
      ['/v1/reports/scorecards.csv?timezone=Mars/Olympus', 'query.timezone'],
      [`/v1/reports/scorecards/${parties.a}?trace=deliver.early`, 'query.trace'],
      [`/v1/reports/scorecards/${parties.a}?trace=rounds.0`, 'query.trace'],
      [`/v1/reports/scorecards/${parties.a}?week=2026-W54`, 'query.week'],
      [`/v1/reports/scorecards/${parties.a}?limit=0`, 'query.limit'],
    ];
    for (const [path, field] of problems) {
      const res = await manager.client.get(path);
      expectProblem(res, 400, 'validation');
      expect({ path, fields: res.body.errors.map((e: { path: string }) => e.path) }).toEqual({ path, fields: [field] });
    }
    // 731 days is the longest period.
    expect((await manager.client.get('/v1/reports/scorecards?from=2024-01-01&to=2026-01-01')).status).toBe(200);
  });

  test('exports the scorecards as CSV in English: BOM, CRLF, a row for the period and one per week', async () => {
    for (const res of [
      await csv(handoff.url, manager, `/v1/reports/scorecards.csv?${PERIOD}&partyId=${parties.a}`),
      await csv(handoff.url, manager, `/v1/reports/scorecards?${PERIOD}&partyId=${parties.a}`, { accept: 'text/csv' }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="scorecards-2026-11-02-2026-11-15.csv"');
      const { text } = res;
      expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(text.startsWith('\uFEFF')).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);
      const lines = text.slice(1).split('\r\n').slice(0, -1);
      expect(lines.every((line) => !line.includes('\n'))).toBe(true);
      expect(lines).toHaveLength(4);
      const header = lines[0].split(',');
      expect(header.slice(0, 10)).toEqual(['Party', 'Party kind', 'Agreement', 'Week', 'Week start', 'Briefs received', 'Open', 'Approved', 'Declined', 'Cancelled']);
      const cell = (line: string, name: string) => line.split(',')[header.indexOf(name)];
      const [period, w45, w46] = lines.slice(1);
      expect(period.split(',').slice(0, 10)).toEqual(['Pixelwerk', 'agency', 'external (SLA)', '', '', '5', '1', '2', '1', '1']);
      expect(cell(period, 'Acknowledge on time %')).toBe('60.0');
      expect(cell(period, 'Deliver median (business hours)')).toBe('3.00');
      expect(cell(period, 'Deliver p90 (business hours)')).toBe('8.20');
      expect(cell(period, 'Review on time %')).toBe('75.0');
      expect(cell(period, 'Mean rounds per approved brief')).toBe('2.00');
      expect(cell(period, 'Clarifications per brief')).toBe('0.60');
      expect(cell(period, 'Answer median (business hours)')).toBe('0.67');
      expect(cell(period, 'Escalations')).toBe('4');
      expect(cell(period, 'Held (business hours)')).toBe('3.00');
      expect(w45.split(',').slice(3, 6)).toEqual(['2026-W45', '2026-11-02', '2']);
      expect(w46.split(',').slice(3, 6)).toEqual(['2026-W46', '2026-11-09', '3']);
      expect(cell(w46, 'Review on time %')).toBe('');
      expect(cell(w46, 'Acknowledge on time %')).toBe('33.3');
    }
  });

  test("exports in German for a German member: ';' between cells, ',' for decimals, German headers", async () => {
    const res = await csv(handoff.url, germanManager, `/v1/reports/scorecards.csv?${PERIOD}&partyId=${parties.a}`);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const lines = res.text.slice(1).split('\r\n');
    const header = lines[0].split(';');
    expect(header.slice(0, 6)).toEqual(['Partei', 'Art', 'Vereinbarung', 'Woche', 'Wochenbeginn', 'Briefings erhalten']);
    const cell = (name: string) => lines[1].split(';')[header.indexOf(name)];
    expect(lines[1].split(';').slice(0, 3)).toEqual(['Pixelwerk', 'agency', 'extern (SLA)']);
    expect(cell('Bestätigung pünktlich %')).toBe('60,0');
    expect(cell('Lieferung Median (Arbeitsstunden)')).toBe('3,00');
    expect(cell('Lieferung p90 (Arbeitsstunden)')).toBe('8,20');
    expect(cell('Rückfragen je Briefing')).toBe('0,60');
  });

  test('exports the briefs of a party as CSV, every one, titles defused against formulas and quoted', async () => {
    const res = await csv(handoff.url, manager, `/v1/reports/scorecards/${parties.a}.csv?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="scorecard-${parties.a}-2026-11-02-2026-11-15.csv"`);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const lines = res.text.slice(1).split('\r\n').slice(0, -1);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(
      'Brief,Title,Status,Priority,Agreement,Created,Outcome,Rounds,Clarifications,Held (business hours),Acknowledge (business hours),Acknowledge late,Deliver (business hours),Deliver late,Review (business hours),Review late,Answer median (business hours),Escalations',
    );
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['sc-a5', 'sc-a4', 'sc-a3', 'sc-a2', 'sc-a1']);
    expect(lines[4]).toBe(
      `sc-a2,"'=HYPERLINK(""http://evil.example"",""Sale""), ""Q4""",approved,P1,external (SLA),2026-11-04T14:00:00.000Z,approved,3,2,1.00,0.17,0,15.00,1,23.50,1,1.17,2`,
    );
    expect(lines[1]).toBe('sc-a5,Open product shots,in_progress,P2,external (SLA),2026-11-12T10:00:00.000Z,open,0,0,0.00,50.00,1,0.00,0,,,,1');

    const german = await csv(handoff.url, germanManager, `/v1/reports/scorecards/${parties.a}?${PERIOD}&trace=rounds.3`, { accept: 'text/csv' });
    const germanLines = german.text.slice(1).split('\r\n');
    expect(germanLines[0].split(';').slice(0, 3)).toEqual(['Briefing', 'Titel', 'Status']);
    expect(germanLines[1]).toBe(
      `sc-a2;"'=HYPERLINK(""http://evil.example"",""Sale""), ""Q4""";approved;P1;extern (SLA);2026-11-04T14:00:00.000Z;abgenommen;3;2;1,00;0,17;0;15,00;1;23,50;1;1,17;2`,
    );
    expect(germanLines).toHaveLength(3);
  });

  test('keeps its figures in step with the rows: a period cut mid-week, a step changed, a brief added and removed', async () => {
    const prisma = handoff.db.prisma;
    const pixelwerk = async (period: string) => {
      const res = await manager.client.get(`/v1/reports/scorecards?${period}&partyId=${parties.a}`);
      expect(res.status).toBe(200);
      return res.body.scorecards[0] as { figures: { briefs: unknown; acknowledge: { counted: number; done: number; medianMs: number } }; weeks: { week: string; figures: { briefs: { received: number } } }[] };
    };
    // Wednesday 4 to Tuesday 10 November in Berlin, read from days at both ends: a2 (4 Nov),
    // a3 (Monday 9 Nov, 00:30 in Berlin) and a4 (10 Nov); not a1 (2 Nov) nor a5 (12 Nov).
    const CUT = 'from=2026-11-04&to=2026-11-10&timezone=Europe/Berlin';
    const before = await pixelwerk(CUT);
    expect(before.figures.briefs).toEqual({ received: 3, open: 0, approved: 1, declined: 1, cancelled: 1 });
    expect(before.weeks.map((w) => [w.week, w.figures.briefs.received])).toEqual([
      ['2026-W45', 1],
      ['2026-W46', 2],
    ]);
    // Acknowledged in 10 min (a2) and 45 min (a4); a3's breached before it was declined.
    expect(before.figures.acknowledge).toMatchObject({ counted: 3, done: 2, medianMs: 27.5 * MIN });
    const whole = await pixelwerk(PERIOD);

    // a4 acknowledged in 5 min after all, and a new brief on 5 November acknowledged in an hour.
    await prisma.scorecardStep.update({ where: { briefId_step_round: { briefId: 'sc-a4', step: 'acknowledge', round: 1 } }, data: { businessMs: 5 * MIN } });
    const createdAt = new Date('2026-11-05T10:00:00Z');
    const row = { partyId: parties.a, agreement: 'external', priority: 'P3' };
    await prisma.scorecardBrief.create({ data: { briefId: 'sc-a7', ...row, createdAt, outcome: 'approved', endedAt: createdAt, rounds: 1, factsVersion: FACTS_VERSION } });
    await prisma.scorecardStep.create({ data: { briefId: 'sc-a7', step: 'acknowledge', round: 1, ...row, briefCreatedAt: createdAt, startedAt: createdAt, endedAt: createdAt, state: 'done', businessMs: HOUR } });
    const changed = await pixelwerk(CUT);
    expect(changed.figures.briefs).toEqual({ received: 4, open: 0, approved: 2, declined: 1, cancelled: 1 });
    expect(changed.figures.acknowledge).toMatchObject({ counted: 4, done: 3, medianMs: 10 * MIN });
    expect(changed.weeks.map((w) => w.figures.briefs.received)).toEqual([2, 2]);
    // The whole period (two whole weeks) too: 5 min, 10 min, 30 min, 1 h and 50 h.
    expect((await pixelwerk(PERIOD)).figures.acknowledge).toMatchObject({ done: 5, medianMs: 30 * MIN });

    await prisma.scorecardStep.deleteMany({ where: { briefId: 'sc-a7' } });
    await prisma.scorecardBrief.delete({ where: { briefId: 'sc-a7' } });
    await prisma.scorecardStep.update({ where: { briefId_step_round: { briefId: 'sc-a4', step: 'acknowledge', round: 1 } }, data: { businessMs: 45 * MIN } });
    expect(await pixelwerk(CUT)).toEqual(before);
    expect(await pixelwerk(PERIOD)).toEqual(whole);
  });
});
