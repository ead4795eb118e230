// Briefs: create, list and read from the read model, every participant action as an update of
// the brief's workflow, and managers' edits under optimistic concurrency (ETag / If-Match).
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { z } from 'zod';
import type { BriefView } from '../../workflows/domain/brief';
import { ROLES } from '../../workflows/domain/vocabulary';
import { EDIT_ROLES } from '../../workflows/domain/edit';
import { RULES, type ActionName } from '../../workflows/domain/transitions';
import type { ApiDeps } from '../context';
import { ApiError, fieldError, type FieldError } from '../errors';
import { idempotentUpdateId } from '../idempotency';
import type { RouteCatalog } from '../openapi/route';
import { pageSchema } from '../pagination';
import { briefService } from '../services/briefs';
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
  review: 'reviews',
  handOverReview: 'reviews/hand-over',
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
  review: 'Decide on the delivery as a reviewer of the open review stage',
  handOverReview: 'Hand your review of the open stage to a colleague of your party',
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

/** The edit body's problems, with a key that is not editable named as body.<key>. */
function editProblems(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' && issue.path.length === 0
      ? issue.keys.map((key) => ({ path: `body.${key}`, message: `cannot be edited; editable are ${EDITABLE.join(', ')}` }))
      : issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: ['body', ...issue.path.map(String), key].join('.'), message: 'unknown field' }))
      : [{ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }],
  );
}

export function briefsRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const briefs = briefService(deps);
  const router = Router();

  catalog.route(
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
    async ({ body, caller }, _req, res) => {
      const key = res.locals.idempotencyKey;
      const { row, view } = await briefs.create(caller, body, { key: typeof key === 'string' ? key : undefined, updateId: idempotentUpdateId(res) });
      res.status(201).location(`/v1/briefs/${row.id}`).setHeader('ETag', briefETag(row.id, row.lastSeq)).json(view);
    },
  );

  catalog.route(
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
    async ({ query, caller }, _req, res) => {
      res.json(await briefs.list(caller, query));
    },
  );

  catalog.route(
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
      resource: ({ id }, caller) => briefs.visible(caller, id),
      responses: { 200: { description: 'The brief', schema: BriefSchema, headers: ETagHeader } },
    },
    async ({ resource: row }, _req, res) => {
      // The ETag names the brief's state, not the live clock fields computed for this answer: a
      // client that asks with If-None-Match gets 304 while nothing happened, but browsers must
      // not revalidate a stored copy on their own and show its clocks as they were then.
      res
        .setHeader('ETag', briefETag(row.id, row.lastSeq))
        .setHeader('Cache-Control', 'no-store')
        .json(await briefs.view(row));
    },
  );

  catalog.route(
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
      // An invalid edit is refused as such (400) whatever version it names.
      bodyProblems: editProblems,
      resource: ({ id }, caller) => briefs.visible(caller, id),
      errors: [409, 412, 428],
      responses: { 200: { description: 'The brief after the edit, with its new ETag', schema: BriefSchema, headers: ETagHeader } },
    },
    async ({ body, caller, resource: row }, req, res) => {
      checkIfMatch(req.get('if-match'), briefETag(row.id, row.lastSeq));
      const view = await briefs.edit(caller, row, body);
      res.setHeader('ETag', etagOf(view)).json(view);
    },
  );

  for (const action of Object.keys(ACTION_ROUTES) as ActionName[]) {
    catalog.route(
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
        resource: ({ id }, caller) => briefs.visible(caller, id),
        idempotent: true,
        errors: [409],
        responses: { 200: { description: 'The brief after the action', schema: BriefSchema, headers: ETagHeader } },
      },
      async ({ body: payload, caller, resource: row }, _req, res) => {
        const view = await briefs.act(action, caller, row, payload, idempotentUpdateId(res));
        res.setHeader('ETag', etagOf(view)).json(view);
      },
    );
  }

  return router;
}
