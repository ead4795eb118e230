// The rules of briefs the API applies before a workflow sees them: who may see a brief, what a new
// brief and an edit must name, which targets its clocks get, and how an action or edit reaches the
// brief's workflow. Routes read the request and answer; this decides and writes.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { z } from 'zod';
import type { PrismaClient } from '../../lib/db/database';
import type { Prisma } from '../../lib/db/generated/client';
import { resolveBriefSla, UnknownPolicyError } from '../../services/policies';
import { decodeRecordedEvent, decodeSnapshot } from '../../services/snapshot';
import { actionUpdates, editUpdate, syncUpdate, type ActionRequest, type EditRequest } from '../../workflows/brief/definitions';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import type { BriefInput, BriefState, BriefView, TargetsMs } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import { CLOCKS, isTerminal, type ClockName, type Priority } from '../../workflows/domain/vocabulary';
import { parseDuration } from '../../workflows/domain/duration';
import type { BriefChanges } from '../../workflows/domain/edit';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { BriefSla } from '../../workflows/domain/policy';
import { viewBrief } from '../../workflows/domain/sla';
import type { ActionName } from '../../workflows/domain/transitions';
import { canSeeParty, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, notFound } from '../errors';
import { idempotentId } from '../idempotency';
import { listPage } from '../pagination';
import type { ACTION_BODIES, CreateBriefBody, EditBriefBody, ListBriefsQuery } from '../routes/briefs.schemas';
import { translateWorkflowError } from '../workflow-errors';
import type { HandOverPayload, ReviewPayload } from '../../workflows/domain/review-flow';
import { delegationFor, delegatorsOf, resolveReviewPlan, REVIEWER_ROLES } from './review-plans';

/** How long a call to Temporal may take before the API answers 503. */
const UPDATE_DEADLINE_MS = 30_000;

export type BriefRow = NonNullable<Awaited<ReturnType<PrismaClient['brief']['findUnique']>>>;

/**
 * The brief as the read model recorded it, with live clocks and its whole timeline, which the
 * read model keeps event by event (the snapshot holds the rest of the brief's state).
 */
export async function recordedView(prisma: PrismaClient, briefId: string, snapshot: unknown): Promise<BriefView> {
  return viewBrief({ ...decodeSnapshot(briefId, snapshot), timeline: await recordedTimeline(prisma, briefId) }, Date.now());
}

async function recordedTimeline(prisma: PrismaClient, briefId: string): Promise<TimelineEvent[]> {
  const events = await prisma.briefEvent.findMany({ where: { briefId }, orderBy: { seq: 'asc' } });
  // The read model stores each event's data as the workflow recorded it for its type.
  return events.map((e) => decodeRecordedEvent(briefId, e));
}

/**
 * A brief as an update answered it, with its whole timeline: the update's view holds only what
 * the read model has not recorded yet (nothing, once the update is recorded), the read model the rest.
 */
export async function withTimeline(prisma: PrismaClient, view: BriefView): Promise<BriefView> {
  const recorded = await recordedTimeline(prisma, view.id);
  const last = recorded.length ? recorded[recorded.length - 1].seq : 0;
  return { ...view, timeline: [...recorded, ...view.timeline.filter((e) => e.seq > last)] };
}

const actorOf = (caller: Caller) => ({ memberId: caller.memberId, role: caller.role, partyId: caller.partyId });

export function briefService({ db: { prisma }, temporal, config, searchAttributes }: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'searchAttributes'>) {
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, fn);

  /**
   * Each clock's nominal target for a priority: the brief's own override, else its policy's target
   * (else the configured default). Under a policy the workflow counts the ISO target in business
   * time of the policy's calendar; these milliseconds stand for it until a clock starts.
   */
  const targetsFor = (priority: Priority, overrides: Partial<Record<ClockName, string>>, sla?: BriefSla): TargetsMs =>
    Object.fromEntries(
      CLOCKS.map((c) => [c, parseDuration(overrides[c] ?? sla?.policyTargets[c]?.[priority] ?? config.slaTargets[c][priority]) as number]),
    ) as TargetsMs;

  async function requireManager(path: string, id: string): Promise<void> {
    const member = await prisma.member.findUnique({ where: { id } });
    if (!member || member.role !== 'manager') throw fieldError(path, 'must be the id of a manager');
    if (member.deactivatedAt) throw fieldError(path, 'the manager is deactivated');
  }

  /** A due date must lie ahead. */
  function requireFuture(dueAt: string | null | undefined): void {
    if (dueAt && Date.parse(dueAt) <= Date.now()) throw fieldError('body.dueAt', 'must be in the future');
  }

  /** The update of the brief's workflow, answered with the brief and its whole timeline. */
  async function update(row: BriefRow, run: (handle: ReturnType<typeof temporal.workflow.getHandle>) => Promise<BriefView>): Promise<BriefView> {
    try {
      const handle = temporal.workflow.getHandle(row.workflowId);
      return await withTimeline(prisma, await withDeadline(() => run(handle)));
    } catch (err) {
      throw translateWorkflowError(err);
    }
  }

  /**
   * What a review decision or hand-over needs beyond its body: for a delegate, whom they decide
   * for and the out-of-office window that lets them; for a hand-over, a colleague who can review.
   */
  async function withReviewFacts(action: ActionName, caller: Caller, row: BriefRow, payload: ActionRequest['payload']): Promise<ActionRequest['payload']> {
    if (action === 'review') {
      const decision = payload as ReviewPayload;
      const delegation = await delegationFor(prisma, caller, decodeSnapshot(row.id, row.snapshot), decision);
      return delegation ? { ...decision, ...delegation } : decision;
    }
    if (action === 'handOverReview') {
      const { to, reviewerId } = payload as HandOverPayload;
      const [colleague, reviewer] = await Promise.all([prisma.member.findUnique({ where: { id: to } }), prisma.member.findUnique({ where: { id: reviewerId ?? caller.memberId } })]);
      if (!colleague || colleague.deactivatedAt) throw fieldError('body.to', 'no active member with this id');
      if (!reviewer || colleague.partyId !== reviewer.partyId) throw fieldError('body.to', "must be a colleague of the reviewer's party");
      if (!REVIEWER_ROLES.includes(colleague.role as (typeof REVIEWER_ROLES)[number])) throw fieldError('body.to', 'must be a manager or an admin: reviewers see every brief');
    }
    return payload;
  }

  /**
   * A new brief as its workflow takes it, all but its id: its party, reviewer, due date and plan
   * checked (400 naming the field under `at`), its policy and the targets that follow.
   */
  async function prepare(caller: Caller, body: z.output<typeof CreateBriefBody>, at: string): Promise<Omit<BriefInput, 'id'>> {
    const party = await prisma.party.findUnique({ where: { id: body.partyId } });
    if (!party) throw fieldError(`${at}.partyId`, 'no party with this id');
    if (body.reviewerId) await requireManager(`${at}.reviewerId`, body.reviewerId);
    if (body.dueAt && Date.parse(body.dueAt) <= Date.now()) throw fieldError(`${at}.dueAt`, 'must be in the future');
    const reviewPlan = body.reviewPlan ? await resolveReviewPlan(prisma, body.reviewPlan, party.id, `${at}.reviewPlan`) : undefined;
    const targetOverrides = Object.fromEntries(CLOCKS.flatMap((c) => (body.targets[c] === undefined ? [] : [[c, body.targets[c]]])));
    // The brief's policy: the one it names, else its party's default, else the system default.
    const sla = await resolveBriefSla(prisma, config.slaTargets, { slaPolicyId: body.slaPolicyId, party }).catch((err: unknown) => {
      throw err instanceof UnknownPolicyError ? fieldError(`${at}.slaPolicyId`, 'no SLA policy with this id') : err;
    });
    return {
      title: body.title,
      description: body.description,
      partyId: party.id,
      managerId: caller.memberId,
      reviewerId: body.reviewerId ?? null,
      priority: body.priority,
      dueAt: body.dueAt ? new Date(body.dueAt).toISOString() : null,
      deliverables: body.deliverables,
      targetsMs: targetsFor(body.priority, targetOverrides, sla),
      targetOverrides,
      sla,
      ...(reviewPlan ? { reviewPlan } : {}),
    };
  }

  return {
    prepare,
    /** A page of the briefs the caller may see, newest first, as listed (without their timelines). */
    async list(caller: Caller, query: z.output<typeof ListBriefsQuery>) {
      const where: Prisma.BriefWhereInput = {
        ...(query.status ? { status: query.status } : {}),
        ...(query.priority ? { priority: query.priority } : {}),
        AND: [
          seesAllParties(caller) ? {} : { partyId: caller.partyId },
          query.partyId ? { partyId: query.partyId } : {},
          query.overdue === 'true'
            ? { OR: [{ slaBreached: true }, { nextDueAt: { lt: new Date() }, status: { notIn: ['approved', 'declined', 'cancelled'] } }] }
            : {},
          query.overdue === 'false' ? { slaBreached: false } : {},
          query.q ? { title: { contains: query.q, mode: 'insensitive' } } : {},
          query.mine === 'true' ? { OR: [{ managerId: caller.memberId }, { reviewerId: caller.memberId }] } : {},
          query.toReview === 'true' ? { reviewPending: { hasSome: [caller.memberId, ...(await delegatorsOf(prisma, caller.memberId))] } } : {},
          query.toReview === 'false' ? { NOT: { reviewPending: { has: caller.memberId } } } : {},
        ],
      };
      const now = Date.now();
      return listPage({
        query,
        where,
        by: 'createdAt',
        direction: 'desc',
        find: (window) => prisma.brief.findMany(window),
        item: (row) => {
          const { timeline: _timeline, ...summary } = viewBrief(decodeSnapshot(row.id, row.snapshot), now);
          return { ...summary, overdue: row.slaBreached || (!!row.nextDueAt && row.nextDueAt.getTime() < now && !isTerminal(summary.status)) };
        },
      });
    },

    /** The brief's row if the caller may see it; 404 otherwise, whether it exists or not. */
    async visible(caller: Caller, id: string): Promise<BriefRow> {
      const row = await prisma.brief.findUnique({ where: { id } });
      if (!row || !canSeeParty(caller, row.partyId)) throw notFound('brief');
      return row;
    },

    /**
     * Starts the brief's workflow and answers once the brief is recorded. Under an Idempotency-Key
     * the brief's id and the update follow from the key, so a retry reaches the same brief.
     */
    async create(caller: Caller, body: z.output<typeof CreateBriefBody>, idempotency: { key?: string; updateId?: string }): Promise<{ row: BriefRow; view: BriefView }> {
      const brief: BriefInput = {
        // Under an Idempotency-Key the id follows from the key, so even a retry after a lost
        // answer reaches the same workflow instead of starting a second one.
        id: idempotency.key !== undefined ? idempotentId(caller.memberId, idempotency.key) : randomUUID(),
        ...(await prepare(caller, body, 'body')),
      };
      // One call starts the workflow and waits, in the same request, until the brief is recorded.
      // A repeat under the same Idempotency-Key names the same workflow and the same update: it
      // reaches the running brief (USE_EXISTING) and Temporal answers it the first attempt's outcome
      // without running the update again; a brief of that id that has ended is never started again
      // (REJECT_DUPLICATE, and the read model for a workflow Temporal no longer keeps).
      const recorded = () => prisma.brief.findUnique({ where: { id: brief.id } });
      const ended = await recorded();
      if (!ended || !isTerminal(ended.status as BriefState['status'])) {
        const start = new WithStartWorkflowOperation<typeof briefWorkflow>('briefWorkflow', {
          workflowId: briefWorkflowId(brief.id),
          taskQueue: config.temporal.taskQueue,
          args: [{ brief, deliveryRetry: config.deliveryRetry, deliveryTaskQueue: config.temporal.deliveryTaskQueue, ...(searchAttributes ? { searchAttributes } : {}) }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        await withDeadline(() => temporal.workflow.executeUpdateWithStart(syncUpdate, { startWorkflowOperation: start, updateId: idempotency.updateId })).catch(
          (err: unknown) => {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateWorkflowError(err);
          },
        );
      }
      // The brief as recorded now (a repeat gets it as it is, not as it was when first created).
      const row = await recorded();
      if (!row) throw new Error(`brief ${brief.id} is not recorded after its workflow answered`);
      return { row, view: await recordedView(prisma, row.id, row.snapshot) };
    },

    /** The brief as the read model has it now. */
    view: (row: BriefRow): Promise<BriefView> => recordedView(prisma, row.id, row.snapshot),

    /**
     * Edits the brief as `row` has it: the workflow refuses the edit unless the brief is still at
     * that version. A new priority gives the clocks without a target of their own its targets.
     */
    async edit(caller: Caller, row: BriefRow, body: z.output<typeof EditBriefBody>): Promise<BriefView> {
      if (body.reviewerId) await requireManager('body.reviewerId', body.reviewerId);
      if (body.managerId) await requireManager('body.managerId', body.managerId);
      requireFuture(body.dueAt);
      if (isTerminal(row.status as BriefState['status'])) throw conflict(`the brief is ${row.status} and can no longer be edited`);

      const recorded = decodeSnapshot(row.id, row.snapshot);
      const { brief } = recorded;
      if (body.reviewPlan !== undefined && recorded.deliveries.length > 0) throw conflict('the review plan can only be changed before the first delivery');
      const reviewPlan = body.reviewPlan ? await resolveReviewPlan(prisma, body.reviewPlan, brief.partyId, 'body.reviewPlan') : body.reviewPlan;
      const changes: BriefChanges = {
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.dueAt !== undefined ? { dueAt: body.dueAt === null ? null : new Date(body.dueAt).toISOString() } : {}),
        ...(body.reviewerId !== undefined ? { reviewerId: body.reviewerId } : {}),
        ...(body.managerId !== undefined ? { managerId: body.managerId } : {}),
        ...(body.priority !== undefined ? { priority: body.priority } : {}),
        ...(reviewPlan !== undefined ? { reviewPlan } : {}),
        // Briefs created before targetOverrides was kept have none: all their clocks follow the priority.
        ...(body.priority !== undefined && body.priority !== brief.priority ? { targetsMs: targetsFor(body.priority, brief.targetOverrides ?? {}, brief.sla) } : {}),
      };
      const request: EditRequest = { actor: actorOf(caller), expectedSeq: row.lastSeq, changes };
      return update(row, (handle) => handle.executeUpdate(editUpdate, { args: [request] }));
    },

    /**
     * A participant's action on the brief. Under an Idempotency-Key every repeat names the same
     * update: one run again (its first attempt answered 503, or its API process died) gets the
     * first one's outcome instead of acting twice, even when that action ended the brief (Temporal
     * answers it for a closed workflow too, and refuses any other update there).
     */
    async act(action: ActionName, caller: Caller, row: BriefRow, payload: z.output<(typeof ACTION_BODIES)[ActionName]>, updateId: string | undefined): Promise<BriefView> {
      if (isTerminal(row.status as BriefState['status']) && !updateId) throw conflict(`the brief is ${row.status} and accepts no further actions`);
      const request: ActionRequest = { actor: actorOf(caller), payload: await withReviewFacts(action, caller, row, payload) };
      return update(row, (handle) => handle.executeUpdate(actionUpdates[action], { args: [request], updateId }));
    },
  };
}
