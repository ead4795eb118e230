// Review plans through the API, on a real Temporal dev server and PGlite: a two-stage plan (brand
// and legal, all; then 2 of 3 shop owners) fails, resumes and runs to approval, with a reviewer on
// leave whose delegate decides; the plan's validation, who may decide (403, 409), the brief's
// read model (each stage, each decision, who acted for whom), the "to review" list and the
// out-of-office periods.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type Member } from './directory';

describe('review plans', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let anna: Member;
  let brand: Member;
  let legal: Member;
  let owners: Member[];
  let deputy: Member;
  let agency: Member;
  let outsider: Member;
  let shopParty: string;
  let agencyParty: string;
  let teamParty: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const d = directory(handoff.url);
    const team = await d.party('E-commerce', 'ecommerce');
    teamParty = team;
    shopParty = await d.party('Shop owners', 'ecommerce');
    agencyParty = await d.party('Pixelwerk', 'agency');
    const other = await d.party('Logistics', 'logistics');
    anna = await d.member(team, 'manager', 'Anna');
    brand = await d.member(team, 'manager', 'Bea Brand');
    legal = await d.member(team, 'manager', 'Lars Legal');
    owners = [await d.member(shopParty, 'manager', 'Owner 1'), await d.member(shopParty, 'manager', 'Owner 2'), await d.member(shopParty, 'manager', 'Owner 3')];
    deputy = await d.member(shopParty, 'admin', 'Owner deputy');
    agency = await d.member(agencyParty, 'member', 'Paula');
    outsider = await d.member(other, 'member', 'Olaf');
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const plan = (extra: Record<string, unknown> = {}) => ({
    stages: [
      { name: 'Brand and legal', reviewers: [brand.id, legal.id], rule: 'all' },
      { name: 'Shop owners', reviewers: [{ partyId: shopParty, role: 'manager' }], rule: { quorum: 2 } },
    ],
    ...extra,
  });

  async function create(body: Record<string, unknown>) {
    const res = await anna.client.post('/v1/briefs', { title: 'Winter landing page', description: 'Hero and teasers', partyId: agencyParty, ...body });
    return res;
  }
  const ok = async (res: Promise<{ status: number; body: any }>, status = 200) => {
    const answer = await res;
    expect({ status: answer.status, body: answer.status === status ? undefined : answer.body }).toEqual({ status, body: undefined });
    return answer.body;
  };
  const review = (by: Member, id: string, body: Record<string, unknown>) => by.client.post(`/v1/briefs/${id}/reviews`, body);
  const deliver = (id: string, summary: string) => ok(agency.client.post(`/v1/briefs/${id}/deliveries`, { summary }));
  const toReview = async (member: Member) => ((await ok(member.client.get('/v1/briefs?toReview=true'))).items as { id: string }[]).map((b) => b.id);

  test('a plan naming an unknown member, a quorum larger than its stage, an empty stage or the own party is a 400 naming the field', async () => {
    const unknown = await create({ reviewPlan: { stages: [{ name: 'Legal', reviewers: [legal.id, 'no-such-member'], rule: 'all' }] } });
    expectProblem(unknown, 400, 'validation');
    expect(unknown.body.errors).toEqual([{ path: 'body.reviewPlan.stages.0.reviewers.1', message: 'no member with this id' }]);
    const quorum = await create({ reviewPlan: { stages: [{ name: 'Owners', reviewers: [owners[0].id, owners[1].id], rule: { quorum: 3 } }] } });
    expectProblem(quorum, 400, 'validation');
    expect(quorum.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.reviewPlan.stages.0.rule.quorum']);
    const empty = await create({ reviewPlan: { stages: [{ name: 'Nobody', reviewers: [], rule: 'any' }] } });
    expectProblem(empty, 400, 'validation');
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.reviewPlan.stages.0.reviewers']);
    const member = await create({ reviewPlan: { stages: [{ name: 'Agency', reviewers: [agency.id], rule: 'any' }] } });
    expect(member.body.errors).toEqual([{ path: 'body.reviewPlan.stages.0.reviewers.0', message: 'must be a manager or an admin: reviewers see every brief' }]);
    // A brief for the shop owners' own team, reviewed by one of them.
    const ownPlan = { stages: [{ name: 'Owner QA', reviewers: [owners[0].id], rule: 'any' }] };
    const own = await create({ partyId: shopParty, reviewPlan: ownPlan });
    expect(own.body.errors).toEqual([{ path: 'body.reviewPlan.stages.0.reviewers', message: `${owners[0].id} belongs to the brief's own party: set allowOwnParty to let them approve its delivery` }]);
    await ok(create({ partyId: shopParty, reviewPlan: { ...ownPlan, allowOwnParty: true } }), 201);
    const bad = await create({ reviewPlan: { stages: [{ name: 'x', reviewers: [legal.id], rule: 'most' }] } });
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.reviewPlan.stages.0.rule']);
  });

  test('the two-stage plan: changes in stage 1 with both reasons, a failed quorum, a resumed review, a delegated decision, approval', async () => {
    const created = await ok(create({ reviewPlan: plan({ resumeAtFailedStage: true }) }), 201);
    const id = created.id as string;
    expect(created.reviewPlan.stages[1].members).toEqual(owners.map((o) => o.id).sort());
    expect(created.review).toBeNull();
    // No review is open before a delivery.
    expectProblem(await review(brand, id, { decision: 'approve' }), 409, 'conflict');
    await ok(agency.client.post(`/v1/briefs/${id}/acknowledge`, {}));
    let brief = await deliver(id, 'v1');
    expect(brief.status).toBe('in_review');
    expect(brief.review).toMatchObject({ revision: 1, currentStage: 0, stages: [{ status: 'open', ruleLabel: 'all' }, { status: 'waiting', ruleLabel: '2 of 3' }] });
    expect(await toReview(brand)).toContain(id);
    expect(await toReview(owners[0])).not.toContain(id);

    // Someone else: 403 (a shop owner before their stage, the brief's manager); the agency: 403; an outsider never sees it.
    expectProblem(await review(owners[0], id, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await review(anna, id, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await review(agency, id, { decision: 'approve' }), 403, 'forbidden');
    expectProblem(await review(outsider, id, { decision: 'approve' }), 404, 'not-found');
    const noReason = await review(brand, id, { decision: 'request_changes' });
    expect(noReason.body.errors).toEqual([{ path: 'body.note', message: 'a request for changes needs a reason' }]);

    // Stage 1 fails: both reasons go back to the party.
    await ok(review(brand, id, { decision: 'request_changes', note: 'Logo too small' }));
    brief = await ok(legal.client.post(`/v1/briefs/${id}/request-changes`, { reason: 'Disclaimer missing' }));
    expect(brief.status).toBe('changes_requested');
    const returned = brief.timeline.filter((e: { type: string }) => e.type === 'changes_requested').at(-1);
    expect(returned.data.reasons).toEqual([
      { reviewerId: brand.id, note: 'Logo too small', stage: 'Brand and legal' },
      { reviewerId: legal.id, note: 'Disclaimer missing', stage: 'Brand and legal' },
    ]);
    expect(brief.review.stages[0]).toMatchObject({ status: 'failed' });
    expect(await toReview(brand)).not.toContain(id);

    // v2: stage 1 passes (one approval with changes), stage 2 fails once its quorum is out of reach.
    await deliver(id, 'v2');
    await ok(review(brand, id, { decision: 'approve' }));
    brief = await ok(review(legal, id, { decision: 'approve_with_changes', note: 'Add the imprint link' }));
    expect(brief.review.currentStage).toBe(1);
    expect(await toReview(owners[1])).toContain(id);
    await ok(review(owners[0], id, { decision: 'request_changes', note: 'Prices wrong' }));
    brief = await ok(review(owners[1], id, { decision: 'request_changes', note: 'Sizes missing' }));
    expect(brief.status).toBe('changes_requested');
    expect(brief.review).toMatchObject({ failedStage: 1, stages: [{ status: 'passed' }, { status: 'failed' }] });

    // Owner 1 goes on leave; their deputy (an admin of the shop owners) takes their reviews.
    const now = Date.now();
    await ok(owners[0].client.request('PUT', `/v1/members/${owners[0].id}/out-of-office`, { from: new Date(now - 60_000).toISOString(), until: new Date(now + 86_400_000).toISOString(), delegateId: deputy.id }));

    // v3 resumes at the failed stage, as planned.
    brief = await deliver(id, 'v3');
    expect(brief.review).toMatchObject({ revision: 3, currentStage: 1, stages: [{ status: 'passed' }, { status: 'open' }] });
    expect(await toReview(deputy)).toContain(id);
    brief = await ok(review(deputy, id, { decision: 'approve', note: 'For Owner 1' }));
    const decided = brief.review.stages[1].reviewers.find((r: { memberId: string }) => r.memberId === owners[0].id);
    expect(decided).toMatchObject({ decision: 'approve', by: deputy.id, delegation: 'out_of_office' });
    const delegatedEvent = brief.timeline.filter((e: { type: string }) => e.type === 'review_decided').at(-1);
    expect(delegatedEvent).toMatchObject({ actor: deputy.id, data: { reviewerId: owners[0].id, delegation: 'out_of_office' } });
    // The deputy stands for nobody else.
    expectProblem(await review(deputy, id, { decision: 'approve', onBehalfOf: owners[1].id }), 403, 'forbidden');
    brief = await ok(review(owners[2], id, { decision: 'approve' }));
    expect(brief.status).toBe('approved');
    expect(brief.timeline.filter((e: { type: string }) => e.type === 'approved').at(-1).data.changes).toEqual([
      { reviewerId: legal.id, note: 'Add the imprint link', stage: 'Brand and legal' },
    ]);
    // Read again from the read model: the same plan and decisions.
    const read = await ok(anna.client.get(`/v1/briefs/${id}`));
    expect(read.review).toEqual(brief.review);
    expectProblem(await review(owners[1], id, { decision: 'approve' }), 409, 'conflict');
    await ok(owners[0].client.request('DELETE', `/v1/members/${owners[0].id}/out-of-office`), 204);
  });

  test('a plan is set or removed by PATCH before the first delivery only', async () => {
    const created = await ok(create({}), 201);
    const etag = async () => (await anna.client.get(`/v1/briefs/${created.id}`)).headers.get('etag') as string;
    const patched = await ok(anna.client.request('PATCH', `/v1/briefs/${created.id}`, { reviewPlan: { stages: [{ name: 'Legal', reviewers: [legal.id], rule: 'any' }] } }, { 'if-match': await etag() }));
    expect(patched.reviewPlan.stages[0].members).toEqual([legal.id]);
    await ok(agency.client.post(`/v1/briefs/${created.id}/acknowledge`, {}));
    await deliver(created.id, 'v1');
    const late = await anna.client.request('PATCH', `/v1/briefs/${created.id}`, { reviewPlan: null }, { 'if-match': await etag() });
    expectProblem(late, 409, 'conflict');
    // Legal hands the review to a colleague of their party, who decides for them.
    const colleague = await directory(handoff.url).member(teamParty, 'manager', 'Lena Legal');
    const away = await legal.client.post(`/v1/briefs/${created.id}/reviews/hand-over`, { to: owners[0].id });
    expect(away.body.errors).toEqual([{ path: 'body.to', message: "must be a colleague of the reviewer's party" }]);
    const handed = await ok(legal.client.post(`/v1/briefs/${created.id}/reviews/hand-over`, { to: colleague.id }));
    expect(handed.review.stages[0].reviewers[0]).toMatchObject({ memberId: legal.id, handedTo: colleague.id });
    expect(await toReview(colleague)).toContain(created.id);
    expectProblem(await review(legal, created.id, { decision: 'approve' }), 403, 'forbidden');
    const brief = await ok(review(colleague, created.id, { decision: 'approve' }));
    expect(brief.status).toBe('approved');
    expect(brief.review.stages[0].reviewers[0]).toMatchObject({ decision: 'approve', by: colleague.id, delegation: 'handover' });
  });

  test('a brief without a plan is reviewed as before: POST /reviews is its manager’s approval', async () => {
    const created = await ok(create({}), 201);
    await ok(agency.client.post(`/v1/briefs/${created.id}/acknowledge`, {}));
    await deliver(created.id, 'v1');
    expectProblem(await review(anna, created.id, { decision: 'not_relevant' }), 409, 'conflict');
    const brief = await ok(review(anna, created.id, { decision: 'approve_with_changes', note: 'Fix the typo' }));
    expect(brief.status).toBe('approved');
    expect(brief.review).toBeNull();
    expect(brief.timeline.at(-1)).toMatchObject({ type: 'approved', actor: anna.id, data: { note: 'Fix the typo' } });
  });

  test('out of office: the member or an admin sets it, the delegate must be an active colleague, others get 403', async () => {
    const period = (delegateId: string) => ({ from: new Date().toISOString(), until: new Date(Date.now() + 3_600_000).toISOString(), delegateId });
    const path = `/v1/members/${brand.id}/out-of-office`;
    expect(await ok(brand.client.get(path))).toEqual({ memberId: brand.id, period: null });
    const notColleague = await brand.client.request('PUT', path, period(owners[0].id));
    expect(notColleague.body.errors).toEqual([{ path: 'body.delegateId', message: 'must be a colleague of the same party' }]);
    const self = await brand.client.request('PUT', path, period(brand.id));
    expect(self.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.delegateId']);
    const backwards = await brand.client.request('PUT', path, { ...period(legal.id), until: new Date(Date.now() - 1000).toISOString() });
    expect(backwards.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.until']);
    expectProblem(await legal.client.request('PUT', path, period(legal.id)), 403, 'forbidden');
    expectProblem(await agency.client.get(path), 404, 'not-found');
    const set = await ok(brand.client.request('PUT', path, period(legal.id)));
    expect(set).toMatchObject({ memberId: brand.id, period: { delegateId: legal.id, active: true } });
    await ok(brand.client.request('DELETE', path), 204);
    expect((await ok(brand.client.get(path))).period).toBeNull();
  });
});
