// A delivery's way through the brief's review plan: the stage that opens with it, each reviewer's
// decision (their own, a delegate's, or automatic at the deadline), and the outcome once a stage
// closes: the next stage, the approval, or the brief back with the party with every reason.
// Pure and synchronous, called by the state machine (transitions.ts) and the clocks (sla.ts).
import type { BriefState } from './brief';
import type { ReviewNote, TimelineEvent } from './events';
import type { Actor } from './vocabulary';
import { businessTarget, finishClock, startClock } from './clock';
import { slaOf } from './policy';
import {
  firstStage,
  isApproval,
  openReview,
  pendingReviewers,
  ruleLabel,
  stageOutcome,
  type Delegation,
  type ReviewDecision,
  type ReviewDecisionRecord,
  type ReviewPlan,
  type ReviewStagePlan,
  type ReviewStageState,
  type ReviewView,
} from './review';
import { ActionRejected, emit, startStep, stepTarget } from './steps';

/** A decision as a reviewer (or whoever acts for one) sends it. */
export interface ReviewPayload {
  decision: ReviewDecision;
  note?: string;
  /** The reviewer the actor decides for: a review handed to them, or a reviewer out of office. */
  onBehalfOf?: string;
  /**
   * The out-of-office window that makes the actor the reviewer's delegate, as the API found it;
   * the brief accepts the decision only while the window is open.
   */
  outOfOffice?: { from: string; until: string };
}

export interface HandOverPayload {
  /** The colleague (of the reviewer's party: the API checks) who takes the review. */
  to: string;
  /** The reviewer whose review is handed over; the actor when absent. */
  reviewerId?: string;
}

/** The plan the brief's deliveries go through, when it has one. */
export const planOf = (state: BriefState): ReviewPlan | undefined => state.brief.reviewPlan;

/** The open stage, with its plan. */
function openStage(state: BriefState): { index: number; plan: ReviewStagePlan; stage: ReviewStageState } | undefined {
  const plan = planOf(state);
  const review = state.review;
  if (!plan || !review || review.current === null || state.status !== 'in_review') return undefined;
  const index = review.current;
  return { index, plan: plan.stages[index], stage: review.stages[index] };
}

/** Whom a review decision of `actor` counts for, and how; throws when it counts for nobody. */
export function reviewerFor(state: BriefState, actor: Actor, payload: Pick<ReviewPayload, 'onBehalfOf' | 'outOfOffice'>, now: number): { reviewerId: string; delegation?: Delegation } {
  const open = openStage(state);
  if (!open) throw new ActionRejected('IllegalTransition', `no review is open: the brief is ${state.status}`);
  const pending = pendingReviewers(open.plan, open.stage);
  const handedTo = (reviewer: string) => open.stage.handovers[reviewer];
  const target = payload.onBehalfOf;
  if (target === undefined || target === actor.memberId) {
    if (pending.includes(actor.memberId) && handedTo(actor.memberId) === undefined) return { reviewerId: actor.memberId };
    if (open.plan.members.includes(actor.memberId) && !pending.includes(actor.memberId)) {
      throw new ActionRejected('IllegalTransition', `${actor.memberId} has already decided in stage "${open.plan.name}"`);
    }
    const handed = pending.find((r) => handedTo(r) === actor.memberId);
    if (handed) return { reviewerId: handed, delegation: 'handover' };
    if (open.plan.members.includes(actor.memberId)) throw new ActionRejected('Forbidden', `${actor.memberId} handed this review to a colleague`);
    throw new ActionRejected('Forbidden', `${actor.memberId} is not a reviewer of stage "${open.plan.name}"`);
  }
  if (!open.plan.members.includes(target)) throw new ActionRejected('Forbidden', `${target} is not a reviewer of stage "${open.plan.name}"`);
  if (!pending.includes(target)) throw new ActionRejected('IllegalTransition', `${target} has already decided in stage "${open.plan.name}"`);
  if (handedTo(target) === actor.memberId) return { reviewerId: target, delegation: 'handover' };
  const away = payload.outOfOffice;
  if (away && Date.parse(away.from) <= now && now < Date.parse(away.until) && handedTo(target) === undefined) return { reviewerId: target, delegation: 'out_of_office' };
  throw new ActionRejected('Forbidden', `${actor.memberId} may not decide for ${target} now`);
}

/** Throws ActionRejected unless the actor may make this decision now. */
export function checkReview(state: BriefState, actor: Actor, payload: ReviewPayload, now: number): void {
  reviewerFor(state, actor, payload, now);
  const plan = planOf(state);
  if (isApproval(payload.decision) && !plan?.allowOwnParty && actor.partyId === state.brief.partyId) {
    throw new ActionRejected('Forbidden', "a reviewer may not approve their own party's delivery unless the review plan allows it");
  }
  if (payload.decision === 'request_changes' && !payload.note?.trim()) throw new ActionRejected('InvalidInput', 'a request for changes needs a reason (note)');
}

/** Records a checked decision and whatever it decides. */
export function decide(state: BriefState, actor: Actor, payload: ReviewPayload, now: number): TimelineEvent[] {
  checkReview(state, actor, payload, now);
  const { reviewerId, delegation } = reviewerFor(state, actor, payload, now);
  return record(state, now, [
    {
      reviewerId,
      decision: payload.decision,
      ...(payload.note !== undefined ? { note: payload.note } : {}),
      at: new Date(now).toISOString(),
      by: actor.memberId,
      ...(delegation ? { delegation } : {}),
    },
  ]);
}

/** Throws ActionRejected unless the actor may hand this review over now. */
export function checkHandOver(state: BriefState, actor: Actor, payload: HandOverPayload): void {
  if (!planOf(state)) throw new ActionRejected('IllegalTransition', 'a brief without a review plan has one reviewer: edit its reviewerId instead');
  const open = openStage(state);
  if (!open) throw new ActionRejected('IllegalTransition', `no review is open: the brief is ${state.status}`);
  const reviewer = payload.reviewerId ?? actor.memberId;
  if (reviewer !== actor.memberId && actor.role !== 'admin') throw new ActionRejected('Forbidden', 'only the reviewer (or an admin) hands a review over');
  if (!open.plan.members.includes(reviewer)) throw new ActionRejected('Forbidden', `${reviewer} is not a reviewer of stage "${open.plan.name}"`);
  if (!pendingReviewers(open.plan, open.stage).includes(reviewer)) throw new ActionRejected('IllegalTransition', `${reviewer} has already decided`);
  if (open.stage.handovers[reviewer] !== undefined) throw new ActionRejected('IllegalTransition', `${reviewer} has already handed this review to ${open.stage.handovers[reviewer]}`);
  if (payload.to === reviewer || open.plan.members.includes(payload.to)) throw new ActionRejected('InvalidInput', `${payload.to} is already a reviewer of this stage`);
}

export function handOver(state: BriefState, actor: Actor, payload: HandOverPayload, now: number): TimelineEvent[] {
  checkHandOver(state, actor, payload);
  const open = openStage(state) as NonNullable<ReturnType<typeof openStage>>;
  const reviewerId = payload.reviewerId ?? actor.memberId;
  open.stage.handovers[reviewerId] = payload.to;
  return [emit(state, 'review_handed_over', actor.memberId, now, { stage: open.index, name: open.plan.name, reviewerId, to: payload.to, revision: state.revision })];
}

/**
 * A delivery opens its review: at stage 1, or at the stage that failed last when the plan
 * resumes there. Starts the review clock of that stage.
 */
export function startReview(state: BriefState, now: number): TimelineEvent[] {
  const plan = planOf(state) as ReviewPlan;
  const from = firstStage(plan, state.review);
  state.review = openReview(plan, state.revision, from, state.review, new Date(now).toISOString());
  return [stageOpened(state, from, now)];
}

/** Starts the review clock for a stage (its own target, else the policy's) and tells its reviewers. */
function stageOpened(state: BriefState, index: number, now: number): TimelineEvent {
  const plan = (planOf(state) as ReviewPlan).stages[index];
  if (plan.target) {
    const sla = slaOf(state);
    startClock(state.clocks.review, businessTarget(sla, now, plan.target), now, sla, plan.target);
  } else {
    const { targetMs, target } = stepTarget(state, 'review', now, false);
    startClock(state.clocks.review, targetMs, now, slaOf(state), target);
  }
  return emit(state, 'review_stage_opened', null, now, { stage: index, name: plan.name, reviewers: [...plan.members], revision: state.revision, dueAt: state.clocks.review.dueAt });
}

/** Records decisions in the open stage, then closes it when they decide it. */
function record(state: BriefState, now: number, decisions: ReviewDecisionRecord[], timedOut = false): TimelineEvent[] {
  const open = openStage(state) as NonNullable<ReturnType<typeof openStage>>;
  const events: TimelineEvent[] = [];
  for (const d of decisions) {
    open.stage.decisions.push(d);
    events.push(
      emit(state, 'review_decided', d.by, now, {
        stage: open.index,
        name: open.plan.name,
        reviewerId: d.reviewerId,
        decision: d.decision,
        ...(d.note !== undefined ? { note: d.note } : {}),
        revision: state.revision,
        ...(d.delegation ? { delegation: d.delegation } : {}),
        ...(d.automatic ? { automatic: true } : {}),
      }),
    );
  }
  const outcome = stageOutcome(open.plan, open.stage.decisions);
  if (outcome === undefined) return events;
  const review = state.review as NonNullable<BriefState['review']>;
  const at = new Date(now).toISOString();
  Object.assign(open.stage, { status: outcome, closedAt: at }, timedOut ? { timedOut: true } : {});
  events.push(emit(state, 'review_stage_closed', null, now, { stage: open.index, name: open.plan.name, outcome, revision: state.revision, ...(timedOut ? { timedOut } : {}) }));
  const sla = slaOf(state);
  finishClock(state.clocks.review, now, 'done', sla);
  const plan = planOf(state) as ReviewPlan;
  if (outcome === 'failed') {
    review.current = null;
    review.failedStage = open.index;
    const reasons = notesOf(plan, review.stages, 'request_changes', open.index);
    startStep(state, 'deliver', now, false);
    state.status = 'changes_requested';
    events.push(
      emit(state, 'changes_requested', null, now, {
        reason: reasons.map((r) => r.note).join('\n'),
        revision: state.revision,
        reasons,
        stage: open.plan.name,
      }),
    );
    return events;
  }
  const next = open.index + 1;
  if (next < plan.stages.length) {
    review.current = next;
    Object.assign(review.stages[next], { status: 'open', openedAt: at });
    events.push(stageOpened(state, next, now));
    return events;
  }
  review.current = null;
  review.failedStage = null;
  state.status = 'approved';
  const changes = notesOf(plan, review.stages, 'approve_with_changes');
  events.push(
    emit(state, 'approved', null, now, {
      revision: state.revision,
      ...(changes.length ? { changes } : {}),
      ...(timedOut && open.index === plan.stages.length - 1 ? { automatic: true } : {}),
    }),
  );
  return events;
}

/** The notes of one kind of decision across the stages (or in one stage), naming the stage. */
function notesOf(plan: ReviewPlan, stages: ReviewStageState[], decision: 'request_changes' | 'approve_with_changes', only?: number): ReviewNote[] {
  return stages.flatMap((stage, i) =>
    only !== undefined && i !== only
      ? []
      : stage.decisions.filter((d) => d.decision === decision && d.note !== undefined).map((d) => ({ reviewerId: d.reviewerId, note: d.note as string, stage: plan.stages[i].name })),
  );
}

/**
 * At the deadline of a stage that approves on its deadline (the breach of its review clock), the
 * reviewers who have not decided approve automatically, and the stage closes as their decisions
 * and the others' decide. Stages that escalate leave it to the SLA chain.
 */
export function fireReviewDeadline(state: BriefState, now: number): TimelineEvent[] {
  const open = openStage(state);
  if (!open || open.plan.onDeadline !== 'approve' || state.clocks.review.breachedAt === null || state.hold) return [];
  const at = new Date(now).toISOString();
  const automatic = pendingReviewers(open.plan, open.stage).map((reviewerId): ReviewDecisionRecord => ({ reviewerId, decision: 'approve', at, by: null, automatic: true }));
  return record(state, now, automatic, true);
}

/** The pending reviewers of the open stage (each replaced by whom they handed it to), for reminders. */
export function reviewersToRemind(state: BriefState): string[] | undefined {
  const open = openStage(state);
  if (!open) return undefined;
  return pendingReviewers(open.plan, open.stage).map((r) => open.stage.handovers[r] ?? r);
}

/** The review as the API shows it: each stage's state and each reviewer's decision. */
export function viewReview(state: BriefState): ReviewView | null {
  const plan = planOf(state);
  const review = state.review;
  if (!plan || !review) return null;
  return {
    revision: review.revision,
    currentStage: review.current,
    failedStage: review.failedStage,
    stages: plan.stages.map((p, i) => {
      const stage = review.stages[i];
      const decisions = new Map(stage.decisions.map((d) => [d.reviewerId, d]));
      return {
        name: p.name,
        rule: p.rule,
        ruleLabel: ruleLabel(p.rule, p.members.length),
        status: stage.status,
        openedAt: stage.openedAt,
        closedAt: stage.closedAt,
        timedOut: stage.timedOut ?? false,
        reviewers: p.members.map((memberId) => {
          const d = decisions.get(memberId);
          return {
            memberId,
            decision: d?.decision ?? null,
            note: d?.note ?? null,
            at: d?.at ?? null,
            by: d ? d.by : null,
            delegation: d?.delegation ?? null,
            automatic: d?.automatic ?? false,
            handedTo: stage.handovers[memberId] ?? null,
          };
        }),
      };
    }),
  };
}
