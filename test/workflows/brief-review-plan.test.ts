// Review plans in the brief workflow on the time-skipping server, with stub activities: a stage
// that approves at its deadline and one that escalates instead, out-of-office windows that start
// and end while a review is open (the workflow checks them at its own clock), and the
// notifications of a stage opening.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ReviewPlan } from '../../workflows/domain/review';
import type { Actor } from '../../workflows/domain/vocabulary';
import { act, actors, briefInput, callsWhen, DAY, eventsOf, hasEvent, HOUR, skipTo, startBrief, view, viewWhen, withTimeSkippingServer, withWorker } from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const reviewer = (memberId: string): Actor => ({ memberId, role: 'manager', partyId: 'party-shop' });
const brand = reviewer('m-brand');
const legal = reviewer('m-legal');
const deputy = reviewer('m-brand-deputy');

const PLAN: ReviewPlan = {
  stages: [
    { name: 'Brand', reviewers: ['m-brand'], members: ['m-brand'], rule: 'any', target: 'PT8H', onDeadline: 'approve' },
    { name: 'Legal', reviewers: ['m-legal'], members: ['m-legal'], rule: 'any', target: 'PT4H' },
  ],
};

async function delivered(h: Parameters<Parameters<typeof withWorker>[1]>[0], plan: ReviewPlan = PLAN) {
  const handle = await startBrief(h, briefInput({ reviewPlan: plan }));
  await act(handle, 'acknowledge', actors.agency, {});
  const brief = await act(handle, 'deliver', actors.agency, { summary: 'v1' });
  return { handle, brief };
}

test('a stage that approves at its deadline does so automatically; the next one escalates at its own', async () => {
  await withWorker(env, async (h) => {
    const { handle, brief } = await delivered(h);
    const opened = eventsOf(brief, 'review_stage_opened');
    expect(opened.map((e) => e.data)).toEqual([{ stage: 0, name: 'Brand', reviewers: ['m-brand'], revision: 1, dueAt: brief.sla.review.dueAt }]);
    const start = brief.sla.review.startedAt as string;

    await skipTo(env, start, 8 * HOUR + 1000);
    const passed = await viewWhen(handle, hasEvent('review_stage_opened', { name: 'Legal' }));
    expect(eventsOf(passed, 'review_decided')).toEqual([expect.objectContaining({ actor: null, data: expect.objectContaining({ reviewerId: 'm-brand', decision: 'approve', automatic: true }) })]);
    expect(passed.review?.stages[0]).toMatchObject({ status: 'passed', timedOut: true });
    expect(passed.status).toBe('in_review');

    // Legal's stage escalates at its deadline and stays open.
    const legalStart = passed.sla.review.startedAt as string;
    await skipTo(env, legalStart, 4 * HOUR + 1000);
    const escalated = await viewWhen(handle, hasEvent('escalation_raised'));
    expect(escalated.status).toBe('in_review');
    expect(escalated.review?.currentStage).toBe(1);
    expect(eventsOf(escalated, 'escalation_raised').at(-1)?.data.clock).toBe('review');
    const approved = await act(handle, 'review', legal, { decision: 'approve' });
    expect(approved.status).toBe('approved');

    // Each reviewer was told when their stage opened.
    await callsWhen(() => h.acts.notified.filter((n) => n.event.type === 'review_stage_opened').length === 2);
    expect(h.acts.notified.filter((n) => n.event.type === 'review_stage_opened').map((n) => n.audience)).toEqual([['member:m-brand'], ['member:m-legal']]);
  });
});

test('a delegate decides only inside the out-of-office window, as the workflow’s clock has it', async () => {
  await withWorker(env, async (h) => {
    const { handle, brief } = await delivered(h, { stages: [{ name: 'Brand', reviewers: ['m-brand'], members: ['m-brand'], rule: 'any', target: 'P5D' }] });
    const start = Date.parse(brief.sla.review.startedAt as string);
    // The window starts a day into the review and ends two days later.
    const window = { from: new Date(start + DAY).toISOString(), until: new Date(start + 3 * DAY).toISOString() };
    const asDeputy = { decision: 'approve' as const, onBehalfOf: 'm-brand', outOfOffice: window };
    await expect(act(handle, 'review', deputy, asDeputy)).rejects.toMatchObject({ cause: { type: 'Forbidden', message: expect.stringMatching(/may not decide for m-brand now/) } });
    await skipTo(env, window.from, HOUR);
    await view(handle);
    const decided = await act(handle, 'review', deputy, { ...asDeputy, decision: 'request_changes', note: 'Not yet' });
    expect(eventsOf(decided, 'review_decided').at(-1)).toMatchObject({ actor: 'm-brand-deputy', data: { reviewerId: 'm-brand', delegation: 'out_of_office' } });
    expect(decided.status).toBe('changes_requested');

    // The next delivery is reviewed after the window ended: the deputy may no longer decide.
    await act(handle, 'deliver', actors.agency, { summary: 'v2' });
    await skipTo(env, window.until, HOUR);
    await view(handle);
    await expect(act(handle, 'review', deputy, asDeputy)).rejects.toMatchObject({ cause: { type: 'Forbidden', message: expect.stringMatching(/may not decide for m-brand now/) } });
    const approved = await act(handle, 'review', brand, { decision: 'approve' });
    expect(approved.status).toBe('approved');
  });
});
