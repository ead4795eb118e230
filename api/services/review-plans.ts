// Review plans as the API takes them: each reviewer resolved to the members they stand for (a role
// of a party to its active members with that role, now), checked against the brief's party; and
// members' out-of-office periods, which make a delegate decide for a reviewer who is away.
import type { z } from 'zod';
import type { PrismaClient } from '../../lib/db/database';
import type { ReviewPlan, ReviewStagePlan } from '../../workflows/domain/review';
import type { BriefState } from '../../workflows/domain/brief';
import type { ReviewPayload } from '../../workflows/domain/review-flow';
import { pendingReviewers } from '../../workflows/domain/review';
import type { Caller } from '../auth';
import { fieldError } from '../errors';
import type { ReviewPlanBody } from '../routes/briefs.schemas';

/** Roles that see every brief: only they can review one (a party's members see their own briefs only). */
export const REVIEWER_ROLES = ['manager', 'admin'] as const;
const isReviewerRole = (role: string) => (REVIEWER_ROLES as readonly string[]).includes(role);

/**
 * The plan with every stage's members resolved. 400 naming the field for an unknown or deactivated
 * member, one who is not a manager or admin, a party without such members, a quorum larger than
 * the stage, and a reviewer of the brief's own party unless the plan allows it.
 */
export async function resolveReviewPlan(prisma: PrismaClient, body: z.output<typeof ReviewPlanBody>, briefPartyId: string, path: string): Promise<ReviewPlan> {
  const stages: ReviewStagePlan[] = [];
  for (const [i, stage] of body.stages.entries()) {
    const at = `${path}.stages.${i}`;
    const members = new Map<string, string>();
    for (const [j, reviewer] of stage.reviewers.entries()) {
      const field = `${at}.reviewers.${j}`;
      if (typeof reviewer === 'string') {
        const member = await prisma.member.findUnique({ where: { id: reviewer } });
        if (!member) throw fieldError(field, 'no member with this id');
        if (member.deactivatedAt) throw fieldError(field, 'the member is deactivated');
        if (!isReviewerRole(member.role)) throw fieldError(field, 'must be a manager or an admin: reviewers see every brief');
        members.set(member.id, member.partyId);
      } else {
        const party = await prisma.party.findUnique({ where: { id: reviewer.partyId } });
        if (!party) throw fieldError(`${field}.partyId`, 'no party with this id');
        const found = await prisma.member.findMany({ where: { partyId: party.id, role: reviewer.role, deactivatedAt: null }, orderBy: { id: 'asc' } });
        if (found.length === 0) throw fieldError(field, `no active ${reviewer.role} in this party`);
        for (const m of found) members.set(m.id, m.partyId);
      }
    }
    if (!body.allowOwnParty) {
      const own = [...members].find(([, partyId]) => partyId === briefPartyId);
      if (own) throw fieldError(`${at}.reviewers`, `${own[0]} belongs to the brief's own party: set allowOwnParty to let them approve its delivery`);
    }
    if (typeof stage.rule === 'object' && stage.rule.quorum > members.size) {
      throw fieldError(`${at}.rule.quorum`, `a quorum of ${stage.rule.quorum} is larger than the stage (${members.size} reviewer${members.size === 1 ? '' : 's'})`);
    }
    stages.push({
      name: stage.name,
      reviewers: stage.reviewers,
      members: [...members.keys()],
      rule: stage.rule,
      ...(stage.target !== undefined ? { target: stage.target } : {}),
      ...(stage.onDeadline !== undefined ? { onDeadline: stage.onDeadline } : {}),
    });
  }
  return {
    stages,
    ...(body.resumeAtFailedStage !== undefined ? { resumeAtFailedStage: body.resumeAtFailedStage } : {}),
    ...(body.allowOwnParty !== undefined ? { allowOwnParty: body.allowOwnParty } : {}),
  };
}

/**
 * Whom a reviewer's decision counts for when the caller is not a reviewer of the open stage
 * themself: a pending reviewer who is out of office now with the caller as delegate (the first,
 * unless the body names one). The workflow checks the window again at its own clock and records
 * the decision as delegated. Undefined when the caller stands for nobody (the workflow answers).
 */
export async function delegationFor(prisma: PrismaClient, caller: Caller, state: BriefState, payload: ReviewPayload): Promise<Pick<ReviewPayload, 'onBehalfOf' | 'outOfOffice'> | undefined> {
  const plan = state.brief.reviewPlan;
  const review = state.review;
  if (!plan || !review || review.current === null) return undefined;
  const stage = plan.stages[review.current];
  const pending = pendingReviewers(stage, review.stages[review.current]);
  if (payload.onBehalfOf === undefined && pending.includes(caller.memberId)) return undefined;
  const candidates = payload.onBehalfOf !== undefined ? [payload.onBehalfOf] : pending;
  const now = new Date();
  const away = await prisma.outOfOffice.findMany({
    where: { memberId: { in: candidates }, delegateId: caller.memberId, from: { lte: now }, until: { gt: now } },
    orderBy: { memberId: 'asc' },
  });
  const first = candidates.map((id) => away.find((a) => a.memberId === id)).find((a) => a !== undefined);
  if (!first) return payload.onBehalfOf !== undefined ? { onBehalfOf: payload.onBehalfOf } : undefined;
  return { onBehalfOf: first.memberId, outOfOffice: { from: first.from.toISOString(), until: first.until.toISOString() } };
}

/** The members who named the caller their delegate and are out of office now: the caller's "to review" list includes theirs. */
export async function delegatorsOf(prisma: PrismaClient, memberId: string): Promise<string[]> {
  const now = new Date();
  const rows = await prisma.outOfOffice.findMany({ where: { delegateId: memberId, from: { lte: now }, until: { gt: now } }, select: { memberId: true } });
  return rows.map((r) => r.memberId);
}
