// Review plans: ordered stages of reviewers, each with a rule (any, all, a quorum), that a
// delivery passes through before the brief is approved. Pure and synchronous: the outcome of a
// stage is a function of the set of decisions it has received, never of their order.
import type { Role } from './vocabulary';

export const REVIEW_DECISIONS = ['approve', 'approve_with_changes', 'request_changes', 'not_relevant'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** any: the first approval or request for changes decides; all: every reviewer; quorum: k approvals. */
export type ReviewRule = 'any' | 'all' | { quorum: number };

/** A reviewer as the plan names them: a member, or every member of a party with a role. */
export type ReviewerSpec = string | { partyId: string; role: Role };

export interface ReviewStagePlan {
  name: string;
  /** The reviewers as the plan was given. */
  reviewers: ReviewerSpec[];
  /** The members they stood for when the plan was set (a role resolves to its members then). */
  members: string[];
  rule: ReviewRule;
  /** The stage's review clock (ISO 8601 duration of business time); the policy's review target when absent. */
  target?: string;
  /** What happens at the stage's deadline: escalate (the SLA chain), or approve automatically. */
  onDeadline?: 'escalate' | 'approve';
}

export interface ReviewPlan {
  stages: ReviewStagePlan[];
  /** After a failed stage, the next delivery starts at that stage instead of stage 1. */
  resumeAtFailedStage?: boolean;
  /** Reviewers of the brief's own party may approve its delivery. */
  allowOwnParty?: boolean;
}

/** How a decision was made on a reviewer's behalf. */
export type Delegation = 'out_of_office' | 'handover';

export interface ReviewDecisionRecord {
  reviewerId: string;
  decision: ReviewDecision;
  note?: string;
  at: string;
  /** Who acted: the reviewer, their delegate, or null for an automatic decision at the deadline. */
  by: string | null;
  delegation?: Delegation;
  automatic?: boolean;
}

export type StageOutcome = 'passed' | 'failed' | 'skipped';
export type StageStatus = 'waiting' | 'open' | StageOutcome;

export interface ReviewStageState {
  status: StageStatus;
  openedAt: string | null;
  closedAt: string | null;
  /** Set when the stage passed at its deadline with automatic approvals. */
  timedOut?: boolean;
  decisions: ReviewDecisionRecord[];
  /** Reviews a reviewer handed to a colleague: reviewer id -> colleague id. */
  handovers: Record<string, string>;
}

/** The review of the current delivery. */
export interface ReviewState {
  /** The delivery (revision) under review. */
  revision: number;
  /** Index of the open stage; null once the review has ended. */
  current: number | null;
  stages: ReviewStageState[];
  /** The stage that failed last: where the next delivery resumes when the plan says so. */
  failedStage: number | null;
}

/** The stage outcome its decisions decide, or undefined while it is still open. */
export function stageOutcome(stage: Pick<ReviewStagePlan, 'members' | 'rule'>, decisions: readonly Pick<ReviewDecisionRecord, 'reviewerId' | 'decision'>[]): StageOutcome | undefined {
  const byReviewer = new Map(decisions.map((d) => [d.reviewerId, d.decision]));
  const relevant = stage.members.filter((m) => byReviewer.get(m) !== 'not_relevant');
  if (relevant.length === 0) return 'skipped';
  const approvals = relevant.filter((m) => isApproval(byReviewer.get(m))).length;
  const changes = relevant.filter((m) => byReviewer.get(m) === 'request_changes').length;
  const undecided = relevant.filter((m) => !byReviewer.has(m)).length;
  const { rule } = stage;
  if (rule === 'any') {
    // The first decision wins: a stage never holds both an approval and a request for changes.
    if (changes > 0) return 'failed';
    return approvals > 0 ? 'passed' : undefined;
  }
  if (rule === 'all') {
    // An `all` stage waits for every reviewer, so a failure carries every reason at once.
    if (undecided > 0) return undefined;
    return changes > 0 ? 'failed' : 'passed';
  }
  // A quorum counts among the reviewers still relevant: not_relevant lowers it when fewer remain.
  const needed = Math.min(rule.quorum, relevant.length);
  if (approvals >= needed) return 'passed';
  if (approvals + undecided < needed) return 'failed';
  return undefined;
}

export const isApproval = (decision: ReviewDecision | undefined): boolean => decision === 'approve' || decision === 'approve_with_changes';

/** The reviewers of a stage who have not decided yet. */
export function pendingReviewers(plan: Pick<ReviewStagePlan, 'members'>, stage: Pick<ReviewStageState, 'decisions'>): string[] {
  const decided = new Set(stage.decisions.map((d) => d.reviewerId));
  return plan.members.filter((m) => !decided.has(m));
}

/** The stage a new delivery's review starts at. */
export function firstStage(plan: ReviewPlan, previous: ReviewState | null | undefined): number {
  if (plan.resumeAtFailedStage && previous?.failedStage !== null && previous?.failedStage !== undefined) {
    return Math.min(previous.failedStage, plan.stages.length - 1);
  }
  return 0;
}

/**
 * A new review of `revision`: the stages before `from` count as passed in an earlier round (when
 * resuming at a failed stage they are not reviewed again), `from` opens now.
 */
export function openReview(plan: ReviewPlan, revision: number, from: number, previous: ReviewState | null | undefined, at: string): ReviewState {
  const stages = plan.stages.map((_, i): ReviewStageState => {
    if (i < from) {
      const before = previous?.stages[i];
      return before ? { ...before } : { status: 'passed', openedAt: null, closedAt: null, decisions: [], handovers: {} };
    }
    return { status: i === from ? 'open' : 'waiting', openedAt: i === from ? at : null, closedAt: null, decisions: [], handovers: {} };
  });
  return { revision, current: from, stages, failedStage: previous?.failedStage ?? null };
}

/** The reasons of a stage's requests for changes (and the notes of approvals with changes). */
export function reasonsOf(stage: ReviewStageState, decision: 'request_changes' | 'approve_with_changes'): { reviewerId: string; note: string }[] {
  return stage.decisions.filter((d) => d.decision === decision && d.note !== undefined).map((d) => ({ reviewerId: d.reviewerId, note: d.note as string }));
}

/** The plan every brief without one follows: one stage, its reviewer else its manager, rule any. */
export function implicitPlan(reviewerId: string | null, managerId: string): ReviewPlan {
  const reviewer = reviewerId ?? managerId;
  return { stages: [{ name: 'Review', reviewers: [reviewer], members: [reviewer], rule: 'any' }] };
}

/** The rule as people read it: "any", "all", "2 of 3". */
export function ruleLabel(rule: ReviewRule, members: number): string {
  return typeof rule === 'string' ? rule : `${rule.quorum} of ${members}`;
}

export interface ReviewerView {
  memberId: string;
  decision: ReviewDecision | null;
  note: string | null;
  at: string | null;
  /** Who made the decision: the reviewer, whoever acted for them (see delegation), null when automatic. */
  by: string | null;
  delegation: Delegation | null;
  automatic: boolean;
  /** The colleague the reviewer handed this review to. */
  handedTo: string | null;
}

export interface ReviewStageView {
  name: string;
  rule: ReviewRule;
  ruleLabel: string;
  status: StageStatus;
  openedAt: string | null;
  closedAt: string | null;
  timedOut: boolean;
  reviewers: ReviewerView[];
}

export interface ReviewView {
  /** The delivery under review. */
  revision: number;
  /** Index of the open stage; null when no stage is open. */
  currentStage: number | null;
  failedStage: number | null;
  stages: ReviewStageView[];
}
