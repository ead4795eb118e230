// Briefs: create, list and read from the read model, every participant action as an update of
// the brief's workflow, and managers' edits under optimistic concurrency (ETag / If-Match).
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import { idempotentId, idempotentUpdateId } from '../idempotency';
import type { PrismaClient } from '../../lib/db/database';
import type { Prisma } from '../../lib/db/generated/client';
import type { ApiDeps } from '../context';
import { callerOf, canSeeParty, requireRole, seesAllParties, type Caller } from '../auth';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, pageSchema } from '../pagination';
import {
  ACTION_BODIES,
  BriefParams,
  BriefSchema,
  BriefSummarySchema,
  CreateBriefBody,
  EDITABLE,
  EditBriefBody,
  ETagHeader,
  IfMatchHeader,
  ListBriefsQuery,
} from './briefs.schemas';
import { ApiError, conflict, fieldError, notFound } from '../errors';
import { parse } from '../validate';
import { translateWorkflowError } from '../workflow-errors';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import { actionUpdates, editUpdate, syncUpdate, type ActionRequest, type EditRequest } from '../../workflows/brief/definitions';
import {
  CLOCKS,
  ROLES,
  isTerminal,
  type BriefEventType,
  type BriefInput,
  type BriefState,
  type BriefView,
  type ClockName,
  type Priority,
  type TargetsMs,
  type TimelineEvent,
} from '../../workflows/domain/brief';
import { EDIT_ROLES, type BriefChanges } from '../../workflows/domain/edit';
import { parseDuration } from '../../workflows/domain/duration';
import type { BriefSla } from '../../workflows/domain/policy';
import { resolveBriefSla } from '../../lib/policies';
import { viewBrief } from '../../workflows/domain/sla';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { RULES, type ActionName } from '../../workflows/domain/transitions';

/** The route of each action under /v1/briefs/:id. */
export const ACTION_ROUTES: Record<ActionName, string> = {
  acknowledge: 'acknowledge',
  decline: 'decline',
  askClarification: 'clarifications',
  answerClarification: 'clarifications/answer',
  deliver: 'deliveries',
  approve: 'approve',
  requestChanges: 'request-changes',
  cancel: 'cancel',
  comment: 'comments',
  hold: 'hold',
  resume: 'resume',
};

const ACTION_SUMMARIES: Record<ActionName, string> = {
  acknowledge: 'Acknowledge a brief',
  decline: 'Decline a brief',
  askClarification: 'Ask a question about a brief',
  answerClarification: 'Answer the open question',
  deliver: 'Deliver (a new revision)',
  approve: 'Approve the delivery',
  requestChanges: 'Request changes to the delivery',
  cancel: 'Cancel a brief',
  comment: 'Comment on a brief',
  hold: 'Put a brief on hold (its clocks stand still)',
  resume: 'Resume a brief that is on hold',
};

/**
 * The brief's ETag: strong, from its id and the sequence number of its last event, so it changes
 * with every event of the timeline (an edit, an action, a clock) and with nothing else. The live
 * clock fields (elapsedMs, remainingMs) follow from the state it stands for and the time of the
 * answer.
 */
export function briefETag(briefId: string, seq: number): string {
  return `"${createHash('sha256').update(`brief\n${briefId}\n${seq}`).digest('base64url').slice(0, 22)}"`;
}

/**
 * The brief as the read model recorded it, with live clocks and its whole timeline, which the
 * read model keeps event by event (the snapshot holds the rest of the brief's state).
 */
export async function recordedView(prisma: PrismaClient, briefId: string, snapshot: unknown): Promise<BriefView> {
  return viewBrief({ ...(snapshot as BriefState), timeline: await recordedTimeline(prisma, briefId) }, Date.now());
}

async function recordedTimeline(prisma: PrismaClient, briefId: string): Promise<TimelineEvent[]> {
  const events = await prisma.briefEvent.findMany({ where: { briefId }, orderBy: { seq: 'asc' } });
  return events.map((e) => ({ seq: e.seq, type: e.type as BriefEventType, actor: e.actorId, at: e.at.toISOString(), data: e.data as Record<string, unknown> }));
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

const etagOf = (view: BriefView) => briefETag(view.id, view.timeline.length ? view.timeline[view.timeline.length - 1].seq : 0);

/**
 * Checks If-Match against the brief's current ETag: 428 without one (or with "*", which would
 * skip the check the header is required for), 412 unless one of its entity tags is the current
 * ETag under strong comparison (weak tags never match).
 */
function checkIfMatch(header: string | undefined, current: string): void {
  if (header === undefined || header.trim() === '') {
    throw new ApiError('precondition-required', "send If-Match with the brief's ETag (from GET /v1/briefs/{id}) to edit it");
  }
  if (header.trim() === '*') throw new ApiError('precondition-required', "If-Match must name the brief's ETag; * is not accepted here");
  const tags: string[] = header.match(/(?:W\/)?"[^"]*"/g) ?? [];
  if (tags.length === 0 || header.replace(/(?:W\/)?"[^"]*"/g, '').replace(/[\s,]/g, '') !== '') {
    throw fieldError('headers.if-match', 'must be an entity tag as the ETag header gives it, e.g. "Wq3bC1n2o4YtVd9Ek0xZfA"');
  }
  if (!tags.includes(current)) throw new ApiError('precondition-failed', 'the brief has changed since this ETag was read; read it again and retry the edit');
}

/** The edit body, with a key that is not editable named as body.<key>. */
function parseEdit(body: unknown) {
  const result = EditBriefBody.safeParse(body ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: `body.${key}`, message: `cannot be edited; editable are ${EDITABLE.join(', ')}` }))
      : [{ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }],
  );
  throw new ApiError('validation', `invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

/** How long a call to Temporal may take before the API answers 503. */
const START_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 30_000;

export function briefsRouter({ db, temporal, config }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();

  const withDeadline = <T>(fn: () => Promise<T>, ms = UPDATE_DEADLINE_MS) => temporal.connection.withDeadline(Date.now() + ms, fn);

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
  }

  /** The brief's row if the caller may see it; 404 otherwise, whether it exists or not. */
  async function visibleBrief(caller: Caller, id: string) {
    const row = await prisma.brief.findUnique({ where: { id } });
    if (!row || !canSeeParty(caller, row.partyId)) throw notFound('brief');
    return row;
  }

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/briefs',
      operationId: 'createBrief',
      summary: 'Send a brief to a party',
      description: "Starts the brief's workflow; its acknowledge clock runs from now.",
      tag: 'Briefs',
      roles: ['manager'],
      body: CreateBriefBody,
      idempotent: true,
      responses: { 201: { description: 'The brief', schema: BriefSchema, headers: ETagHeader } },
    },
    async (req, res) => {
    const caller = requireRole(res, 'manager');
    const body = parse(CreateBriefBody, req.body);
    const party = await prisma.party.findUnique({ where: { id: body.partyId } });
    if (!party) throw fieldError('body.partyId', 'no party with this id');
    if (body.reviewerId) await requireManager('body.reviewerId', body.reviewerId);
    if (body.dueAt && Date.parse(body.dueAt) <= Date.now()) throw fieldError('body.dueAt', 'must be in the future');

    const targetOverrides = Object.fromEntries(CLOCKS.flatMap((c) => (body.targets[c] === undefined ? [] : [[c, body.targets[c]]])));
    // The brief's policy: the one it names, else its party's default, else the system default.
    const sla = await resolveBriefSla(prisma, config.slaTargets, { slaPolicyId: body.slaPolicyId, party });
    const brief: BriefInput = {
      // Under an Idempotency-Key the id follows from the key, so even a retry after a lost
      // answer reaches the same workflow instead of starting a second one.
      id: typeof res.locals.idempotencyKey === 'string' ? idempotentId(caller.memberId, res.locals.idempotencyKey) : randomUUID(),
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
    };
    const workflowId = briefWorkflowId(brief.id);
    const handle = await withDeadline(
      () =>
        temporal.workflow
          .start<typeof briefWorkflow>('briefWorkflow', { workflowId, taskQueue: config.temporal.taskQueue, args: [{ brief, deliveryRetry: config.deliveryRetry }] })
          .catch((err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError) return temporal.workflow.getHandle<typeof briefWorkflow>(workflowId);
            throw err;
          }),
      START_DEADLINE_MS,
    );
    const view = await withTimeline(prisma, await withDeadline(() => handle.executeUpdate(syncUpdate)));
    res.status(201).location(`/v1/briefs/${brief.id}`).setHeader('ETag', etagOf(view)).json(view);
  },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/briefs',
      operationId: 'listBriefs',
      summary: 'List briefs',
      description: "Newest first, from the read model. Members see their own party's briefs only.",
      tag: 'Briefs',
      roles: ROLES,
      query: ListBriefsQuery,
      responses: { 200: { description: 'A page of briefs', schema: pageSchema(BriefSummarySchema, 'BriefPage') } },
    },
    async (req, res) => {
    const caller = callerOf(res);
    const query = parse(ListBriefsQuery, req.query, 'query');
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
        after(decodeCursor(query.cursor), 'createdAt', 'desc'),
      ],
    };
    const rows = await prisma.brief.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
    const { items, nextCursor } = page(rows, query.limit, (row) => row.createdAt);
    const now = Date.now();
    res.json({
      items: items.map((row) => {
        const { timeline: _timeline, ...summary } = viewBrief(row.snapshot as unknown as BriefState, now);
        return { ...summary, overdue: row.slaBreached || (!!row.nextDueAt && row.nextDueAt.getTime() < now && !isTerminal(summary.status)) };
      }),
      nextCursor,
    });
  },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/briefs/:id',
      operationId: 'getBrief',
      summary: 'Read a brief',
      description: 'Status, revision, deliveries, live SLA clocks and the whole timeline.',
      tag: 'Briefs',
      roles: ROLES,
      params: BriefParams,
      responses: { 200: { description: 'The brief', schema: BriefSchema, headers: ETagHeader } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(BriefParams, req.params, 'params');
      const row = await visibleBrief(caller, id);
      // The ETag names the brief's state, not the live clock fields computed for this answer: a
      // client that asks with If-None-Match gets 304 while nothing happened, but browsers must
      // not revalidate a stored copy on their own and show its clocks as they were then.
      res
        .setHeader('ETag', briefETag(row.id, row.lastSeq))
        .setHeader('Cache-Control', 'no-store')
        .json(await recordedView(prisma, row.id, row.snapshot));
    },
  );

  catalog.mount(
    router,
    {
      method: 'patch',
      path: '/v1/briefs/:id',
      operationId: 'editBrief',
      summary: 'Edit a brief',
      description:
        "Changes title, description, dueAt, reviewer or priority until the brief is approved, declined or cancelled. Send the brief's " +
        'ETag as If-Match: an edit based on an outdated read is refused with 412, so no one overwrites a change they have not seen. ' +
        'A new dueAt or priority moves the running clocks, keeping the time they have counted: before the first delivery the ' +
        "deliver clock is due exactly at the new dueAt; a new priority gives the clocks without a target of their own the priority's " +
        'default targets. Reminders and breaches that happened stay in the record.',
      tag: 'Briefs',
      roles: EDIT_ROLES,
      params: BriefParams,
      headers: IfMatchHeader,
      body: EditBriefBody,
      errors: [409, 412, 428],
      responses: { 200: { description: 'The brief after the edit, with its new ETag', schema: BriefSchema, headers: ETagHeader } },
    },
    async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(BriefParams, req.params, 'params');
      const row = await visibleBrief(caller, id);
      requireRole(res, ...EDIT_ROLES);
      // An invalid edit is refused as such (400) whatever version it names.
      const body = parseEdit(req.body);
      checkIfMatch(req.get('if-match'), briefETag(row.id, row.lastSeq));
      if (body.reviewerId) await requireManager('body.reviewerId', body.reviewerId);
      if (body.dueAt && Date.parse(body.dueAt) <= Date.now()) throw fieldError('body.dueAt', 'must be in the future');
      if (isTerminal(row.status as BriefState['status'])) throw conflict(`the brief is ${row.status} and can no longer be edited`);

      // The snapshot is the brief at the version If-Match named: the workflow refuses the edit
      // unless it is still there (expectedSeq).
      const { brief } = row.snapshot as unknown as BriefState;
      const changes: BriefChanges = {
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.dueAt !== undefined ? { dueAt: body.dueAt === null ? null : new Date(body.dueAt).toISOString() } : {}),
        ...(body.reviewerId !== undefined ? { reviewerId: body.reviewerId } : {}),
        ...(body.priority !== undefined ? { priority: body.priority } : {}),
        // Briefs created before targetOverrides was kept have none: all their clocks follow the priority.
        ...(body.priority !== undefined && body.priority !== brief.priority ? { targetsMs: targetsFor(body.priority, brief.targetOverrides ?? {}, brief.sla) } : {}),
      };
      const request: EditRequest = { actor: { memberId: caller.memberId, role: caller.role, partyId: caller.partyId }, expectedSeq: row.lastSeq, changes };
      try {
        const handle = temporal.workflow.getHandle(row.workflowId);
        const view = await withTimeline(prisma, await withDeadline(() => handle.executeUpdate(editUpdate, { args: [request] })));
        res.setHeader('ETag', etagOf(view)).json(view);
      } catch (err) {
        throw translateWorkflowError(err);
      }
    },
  );

  for (const action of Object.keys(ACTION_ROUTES) as ActionName[]) {
    catalog.mount(
      router,
      {
        method: 'post',
        path: `/v1/briefs/:id/${ACTION_ROUTES[action]}`,
        operationId: `${action}Brief`,
        summary: ACTION_SUMMARIES[action],
        tag: 'Brief actions',
        roles: RULES[action].roles,
        params: BriefParams,
        body: ACTION_BODIES[action],
        idempotent: true,
        errors: [409],
        responses: { 200: { description: 'The brief after the action', schema: BriefSchema, headers: ETagHeader } },
      },
      async (req, res) => {
      const caller = callerOf(res);
      const { id } = parse(BriefParams, req.params, 'params');
      const row = await visibleBrief(caller, id);
      requireRole(res, ...RULES[action].roles);
      const payload = parse(ACTION_BODIES[action], req.body);
      // Under an Idempotency-Key every repeat names the same update: one run again (its first
      // attempt answered 503, or its API process died) gets the first one's outcome instead of
      // acting twice, even when that action ended the brief (Temporal answers it for a closed
      // workflow too, and refuses any other update there).
      const updateId = idempotentUpdateId(res);
      if (isTerminal(row.status as BriefState['status']) && !updateId) throw conflict(`the brief is ${row.status} and accepts no further actions`);
      const request: ActionRequest = { actor: { memberId: caller.memberId, role: caller.role, partyId: caller.partyId }, payload };
      try {
        const handle = temporal.workflow.getHandle(row.workflowId);
        const view = await withTimeline(prisma, await withDeadline(() => handle.executeUpdate(actionUpdates[action], { args: [request], updateId })));
        res.setHeader('ETag', etagOf(view)).json(view);
      } catch (err) {
        throw translateWorkflowError(err);
      }
    },
    );
  }

  return router;
}
