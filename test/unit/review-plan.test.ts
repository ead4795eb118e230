import fc from 'fast-check';
import type { BriefState } from '../../workflows/domain/brief';
import { REVIEW_DECISIONS, stageOutcome, type ReviewDecision, type ReviewPlan, type ReviewRule } from '../../workflows/domain/review';
import { fireDueClocks } from '../../workflows/domain/sla';
import { applyAction, type ActionName, type ActionPayloads } from '../../workflows/domain/transitions';
import type { Actor } from '../../workflows/domain/vocabulary';
import { actors, AGENCY, HOUR, isoAt, newState, refusal, SHOP, T0 } from './fixtures';

const manager = (memberId: string, partyId = SHOP): Actor => ({ memberId, role: 'manager', partyId });
const brand = manager('m-brand');
const legal = manager('m-legal');
const shop = [manager('m-shop-1'), manager('m-shop-2'), manager('m-shop-3')];
const colleague = manager('m-legal-2');

/** The plan of the README: brand and legal (all), then 2 of 3 shop owners. */
const PLAN: ReviewPlan = {
  stages: [
    { name: 'Brand and legal', reviewers: ['m-brand', 'm-legal'], members: ['m-brand', 'm-legal'], rule: 'all' },
    { name: 'Shop owners', reviewers: [{ partyId: SHOP, role: 'manager' }], members: ['m-shop-1', 'm-shop-2', 'm-shop-3'], rule: { quorum: 2 } },
  ],
};

function act<A extends ActionName>(state: BriefState, action: A, actor: Actor, payload: ActionPayloads[A], now: number) {
  return applyAction(state, action, payload, actor, now);
}

/** A brief under `plan`, acknowledged and delivered once. */
function delivered(plan: ReviewPlan = PLAN): BriefState {
  const state = newState({ reviewPlan: plan });
  act(state, 'acknowledge', actors.agency, {}, T0 + HOUR);
  act(state, 'deliver', actors.agency, { summary: 'v1' }, T0 + 2 * HOUR);
  return state;
}

const decide = (state: BriefState, actor: Actor, decision: ReviewDecision, note?: string, now = T0 + 3 * HOUR, extra: Partial<ActionPayloads['review']> = {}) =>
  act(state, 'review', actor, { decision, ...(note !== undefined ? { note } : {}), ...extra }, now);

describe("a stage's outcome", () => {
  const rules = (n: number): fc.Arbitrary<ReviewRule> =>
    fc.oneof(fc.constant<ReviewRule>('any'), fc.constant<ReviewRule>('all'), fc.integer({ min: 1, max: n }).map((quorum): ReviewRule => ({ quorum })));
  const stages = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      members: fc.constant(Array.from({ length: n }, (_, i) => `r${i}`)),
      rule: rules(n),
      decisions: fc.array(fc.constantFrom(...REVIEW_DECISIONS), { minLength: n, maxLength: n }),
      orders: fc.array(fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }), { minLength: 2, maxLength: 4 }),
    }),
  );

  /** Feeds the decisions in `order` until the stage closes: the outcome and the decisions it took. */
  function feed(members: string[], rule: ReviewRule, decisions: ReviewDecision[], order: number[]) {
    const taken: { reviewerId: string; decision: ReviewDecision }[] = [];
    for (const i of order) {
      if (stageOutcome({ members, rule }, taken) !== undefined) break;
      taken.push({ reviewerId: members[i], decision: decisions[i] });
    }
    return { outcome: stageOutcome({ members, rule }, taken), taken };
  }

  it('is that of the set of decisions it took, whatever their order (any, all, quorum with not_relevant)', () => {
    fc.assert(
      fc.property(stages, ({ members, rule, decisions, orders }) => {
        const runs = orders.map((order) => feed(members, rule, decisions, order));
        for (const run of runs) {
          // Every reviewer decided, or the stage closed before: it always ends.
          expect(run.outcome).toBeDefined();
          // Shuffling the decisions it took reaches the same outcome.
          const shuffled = [...run.taken].reverse();
          expect(stageOutcome({ members, rule }, shuffled)).toBe(run.outcome);
        }
        if (rule !== 'any') {
          // For all and quorum the outcome follows from everyone's decisions: order never matters.
          const all = members.map((reviewerId, i) => ({ reviewerId, decision: decisions[i] }));
          for (const run of runs) expect(run.outcome).toBe(stageOutcome({ members, rule }, all));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('quorum: k approvals pass, out of reach fails, not_relevant lowers the quorum to those who remain', () => {
    const stage = { members: ['a', 'b', 'c'], rule: { quorum: 2 } as ReviewRule };
    expect(stageOutcome(stage, [{ reviewerId: 'a', decision: 'approve' }])).toBeUndefined();
    expect(stageOutcome(stage, [{ reviewerId: 'a', decision: 'approve' }, { reviewerId: 'b', decision: 'approve_with_changes' }])).toBe('passed');
    expect(stageOutcome(stage, [{ reviewerId: 'a', decision: 'request_changes' }, { reviewerId: 'b', decision: 'request_changes' }])).toBe('failed');
    expect(stageOutcome(stage, [{ reviewerId: 'a', decision: 'not_relevant' }, { reviewerId: 'b', decision: 'not_relevant' }])).toBeUndefined();
    expect(stageOutcome(stage, [{ reviewerId: 'a', decision: 'not_relevant' }, { reviewerId: 'b', decision: 'not_relevant' }, { reviewerId: 'c', decision: 'approve' }])).toBe('passed');
    expect(stageOutcome(stage, ['a', 'b', 'c'].map((reviewerId) => ({ reviewerId, decision: 'not_relevant' as const })))).toBe('skipped');
  });

  it('all: waits for every reviewer, fails on any request for changes; any: the first decision wins', () => {
    const all = { members: ['a', 'b'], rule: 'all' as ReviewRule };
    expect(stageOutcome(all, [{ reviewerId: 'a', decision: 'request_changes' }])).toBeUndefined();
    expect(stageOutcome(all, [{ reviewerId: 'a', decision: 'request_changes' }, { reviewerId: 'b', decision: 'approve' }])).toBe('failed');
    expect(stageOutcome(all, [{ reviewerId: 'a', decision: 'approve' }, { reviewerId: 'b', decision: 'not_relevant' }])).toBe('passed');
    const any = { members: ['a', 'b'], rule: 'any' as ReviewRule };
    expect(stageOutcome(any, [{ reviewerId: 'b', decision: 'request_changes' }])).toBe('failed');
    expect(stageOutcome(any, [{ reviewerId: 'a', decision: 'not_relevant' }])).toBeUndefined();
    expect(stageOutcome(any, [{ reviewerId: 'a', decision: 'not_relevant' }, { reviewerId: 'b', decision: 'approve' }])).toBe('passed');
  });
});

describe('a brief under a review plan', () => {
  it('runs both stages to approval: brand and legal (all), then 2 of 3 shop owners', () => {
    const state = delivered();
    expect(state.status).toBe('in_review');
    expect(state.timeline.at(-1)).toMatchObject({ type: 'review_stage_opened', data: { stage: 0, reviewers: ['m-brand', 'm-legal'], revision: 1 } });
    decide(state, brand, 'approve');
    expect(state.review?.current).toBe(0);
    const events = decide(state, legal, 'approve_with_changes', 'Add the imprint link');
    expect(events.map((e) => e.type)).toEqual(['review_decided', 'review_stage_closed', 'review_stage_opened']);
    expect(events[2].data).toMatchObject({ stage: 1, reviewers: ['m-shop-1', 'm-shop-2', 'm-shop-3'] });
    decide(state, shop[0], 'not_relevant');
    decide(state, shop[1], 'approve');
    expect(state.status).toBe('in_review');
    const last = decide(state, shop[2], 'approve', undefined, T0 + 4 * HOUR);
    expect(last.map((e) => e.type)).toEqual(['review_decided', 'review_stage_closed', 'approved']);
    expect(last[2].data).toEqual({ revision: 1, changes: [{ reviewerId: 'm-legal', note: 'Add the imprint link', stage: 'Brand and legal' }] });
    expect(state.status).toBe('approved');
    expect(state.clocks.review.phase).toBe('done');
    // The review clock ran once per stage.
    expect(state.clocks.review.round).toBe(2);
  });

  it('returns the brief with every reason of a failed stage, and the next delivery restarts at stage 1', () => {
    const state = delivered();
    decide(state, brand, 'request_changes', 'Logo too small');
    expect(state.status).toBe('in_review');
    const events = decide(state, legal, 'request_changes', 'Disclaimer missing');
    expect(events.map((e) => e.type)).toEqual(['review_decided', 'review_stage_closed', 'changes_requested']);
    expect(events[2].data).toEqual({
      reason: 'Logo too small\nDisclaimer missing',
      revision: 1,
      stage: 'Brand and legal',
      reasons: [
        { reviewerId: 'm-brand', note: 'Logo too small', stage: 'Brand and legal' },
        { reviewerId: 'm-legal', note: 'Disclaimer missing', stage: 'Brand and legal' },
      ],
    });
    expect(state.status).toBe('changes_requested');
    expect(state.clocks.deliver.phase).toBe('running');
    act(state, 'deliver', actors.agency, { summary: 'v2' }, T0 + 5 * HOUR);
    expect(state.review).toMatchObject({ revision: 2, current: 0, failedStage: 0 });
    expect(state.review?.stages[0].decisions).toEqual([]);
  });

  it('resumes at the failed stage when the plan says so, keeping the stages passed before', () => {
    const state = delivered({ ...PLAN, resumeAtFailedStage: true });
    decide(state, brand, 'approve');
    decide(state, legal, 'approve');
    decide(state, shop[0], 'request_changes', 'Wrong prices');
    decide(state, shop[1], 'request_changes', 'Sizes missing');
    expect(state.status).toBe('changes_requested');
    expect(state.review?.failedStage).toBe(1);
    const events = act(state, 'deliver', actors.agency, { summary: 'v2' }, T0 + 5 * HOUR);
    expect(events.at(-1)).toMatchObject({ type: 'review_stage_opened', data: { stage: 1, revision: 2 } });
    expect(state.review?.stages[0].status).toBe('passed');
    decide(state, shop[0], 'approve', undefined, T0 + 6 * HOUR);
    decide(state, shop[2], 'approve', undefined, T0 + 6 * HOUR);
    expect(state.status).toBe('approved');
  });

  it('refuses whoever is not a reviewer of the open stage (403), a second decision and decisions with no review open (409)', () => {
    const state = newState({ reviewPlan: PLAN });
    expect(refusal(() => decide(state, brand, 'approve')).kind).toBe('IllegalTransition');
    act(state, 'acknowledge', actors.agency, {}, T0 + HOUR);
    act(state, 'deliver', actors.agency, { summary: 'v1' }, T0 + 2 * HOUR);
    expect(refusal(() => decide(state, shop[0], 'approve')).kind).toBe('Forbidden');
    expect(refusal(() => decide(state, actors.manager, 'approve')).kind).toBe('Forbidden');
    expect(refusal(() => decide(state, actors.agency, 'approve')).kind).toBe('Forbidden');
    decide(state, brand, 'approve');
    expect(refusal(() => decide(state, brand, 'request_changes', 'changed my mind')).kind).toBe('IllegalTransition');
    expect(refusal(() => decide(state, legal, 'request_changes')).kind).toBe('InvalidInput');
  });

  it('takes approve and requestChanges as the caller’s decision in the open stage', () => {
    const state = delivered();
    act(state, 'approve', brand, { note: 'ok' }, T0 + 3 * HOUR);
    act(state, 'requestChanges', legal, { reason: 'Disclaimer missing' }, T0 + 3 * HOUR);
    expect(state.status).toBe('changes_requested');
    expect(state.review?.stages[0].decisions.map((d) => [d.reviewerId, d.decision])).toEqual([
      ['m-brand', 'approve'],
      ['m-legal', 'request_changes'],
    ]);
    expect(refusal(() => act(state, 'approve', actors.manager, {}, T0 + 4 * HOUR)).kind).toBe('IllegalTransition');
  });

  it("never lets a reviewer approve their own party's delivery unless the plan allows it", () => {
    const own = manager('m-agency-lead', AGENCY);
    const plan: ReviewPlan = { stages: [{ name: 'Internal', reviewers: ['m-agency-lead'], members: ['m-agency-lead'], rule: 'any' }] };
    const state = delivered(plan);
    expect(refusal(() => decide(state, own, 'approve')).kind).toBe('Forbidden');
    decide(state, own, 'request_changes', 'Not yet');
    expect(state.status).toBe('changes_requested');
    const allowed = delivered({ ...plan, allowOwnParty: true });
    decide(allowed, own, 'approve');
    expect(allowed.status).toBe('approved');
  });

  it('lets a delegate decide for a reviewer out of office only inside the window, recorded as delegated', () => {
    const state = delivered();
    const delegate = manager('m-brand-deputy');
    const away = { from: isoAt(T0 + 4 * HOUR), until: isoAt(T0 + 8 * HOUR) };
    // The window starts during the review: before it, the delegate may not decide.
    expect(refusal(() => decide(state, delegate, 'approve', undefined, T0 + 3 * HOUR, { onBehalfOf: 'm-brand', outOfOffice: away })).kind).toBe('Forbidden');
    const events = decide(state, delegate, 'approve', 'Fine by brand', T0 + 5 * HOUR, { onBehalfOf: 'm-brand', outOfOffice: away });
    expect(events[0]).toMatchObject({ type: 'review_decided', actor: 'm-brand-deputy', data: { reviewerId: 'm-brand', decision: 'approve', delegation: 'out_of_office' } });
    // The window ends during the review: after it, the delegate may no longer decide for legal.
    const legalAway = { from: isoAt(T0 + 2 * HOUR), until: isoAt(T0 + 6 * HOUR) };
    expect(refusal(() => decide(state, delegate, 'approve', undefined, T0 + 7 * HOUR, { onBehalfOf: 'm-legal', outOfOffice: legalAway })).kind).toBe('Forbidden');
    decide(state, legal, 'approve', undefined, T0 + 7 * HOUR);
    expect(state.review?.current).toBe(1);
  });

  it('hands one review to a colleague, who then decides for the reviewer', () => {
    const state = delivered();
    const events = act(state, 'handOverReview', legal, { to: 'm-legal-2' }, T0 + 3 * HOUR);
    expect(events[0]).toMatchObject({ type: 'review_handed_over', data: { reviewerId: 'm-legal', to: 'm-legal-2' } });
    expect(refusal(() => decide(state, legal, 'approve')).kind).toBe('Forbidden');
    expect(refusal(() => act(state, 'handOverReview', brand, { to: 'm-legal' }, T0 + 3 * HOUR)).kind).toBe('InvalidInput');
    decide(state, brand, 'approve');
    const decided = decide(state, colleague, 'approve');
    expect(decided[0]).toMatchObject({ actor: 'm-legal-2', data: { reviewerId: 'm-legal', delegation: 'handover' } });
    expect(state.review?.current).toBe(1);
  });

  it('approves automatically at the deadline of a stage that says so, and only escalates one that does not', () => {
    const plan: ReviewPlan = {
      stages: [
        { name: 'Brand', reviewers: ['m-brand'], members: ['m-brand'], rule: 'any', target: 'PT4H', onDeadline: 'approve' },
        { name: 'Legal', reviewers: ['m-legal'], members: ['m-legal'], rule: 'any', target: 'PT2H' },
      ],
    };
    const state = delivered(plan);
    const opened = T0 + 2 * HOUR;
    expect(state.clocks.review.dueAt).toBe(isoAt(opened + 4 * HOUR));
    const events = fireDueClocks(state, opened + 4 * HOUR, () => 'esc-1');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['sla_breached', 'review_decided', 'review_stage_closed', 'review_stage_opened']));
    expect(events.find((e) => e.type === 'review_decided')).toMatchObject({ actor: null, data: { reviewerId: 'm-brand', decision: 'approve', automatic: true } });
    expect(state.review?.stages[0]).toMatchObject({ status: 'passed', timedOut: true });
    // The legal stage escalates at its deadline and stays open.
    const later = fireDueClocks(state, opened + 6 * HOUR + 1, () => 'esc-2');
    expect(later.map((e) => e.type)).toContain('sla_breached');
    expect(later.map((e) => e.type)).not.toContain('review_decided');
    expect(state.status).toBe('in_review');
  });

  it('reminds the reviewers who have not decided yet', () => {
    const state = delivered({ stages: [{ ...PLAN.stages[0], target: 'PT10H' }] });
    decide(state, brand, 'approve');
    const events = fireDueClocks(state, T0 + 2 * HOUR + 9 * HOUR, () => 'esc');
    expect(events.find((e) => e.type === 'sla_warning')?.data).toMatchObject({ clock: 'review', reviewers: ['m-legal'] });
  });
});
