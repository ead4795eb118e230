// Programs of dependent briefs: start one (its briefs, or a template with its parameters), list
// and read them with each brief's state, what holds it, the critical path and the projected
// finish; cancel one, add a brief, replace or drop a declined one; and the templates.
import { Router } from 'express';
import { ROLES } from '../../workflows/domain/vocabulary';
import type { ApiDeps } from '../context';
import { idempotentUpdateId } from '../idempotency';
import type { RouteCatalog } from '../openapi/route';
import { pageSchema, PageQuery } from '../pagination';
import { programService } from '../services/programs';
import {
  CancelProgramBody,
  CreateProgramBody,
  ListProgramsQuery,
  ProgramBriefBody,
  ProgramBriefParams,
  ProgramParams,
  ProgramSchema,
  ProgramTemplateSchema,
  ReplaceProgramBriefBody,
} from './programs.schemas';

export function programsRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const programs = programService(deps);
  const router = Router();
  const OWNERS = ['manager', 'admin'] as const;

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/program-templates',
      operationId: 'listProgramTemplates',
      summary: 'The program templates',
      description: 'The templates a program can be started from, with their parameters and the briefs they expand to.',
      tag: 'Programs',
      roles: ['manager', 'admin', 'watcher'],
      query: PageQuery,
      responses: { 200: { description: 'Every template', schema: pageSchema(ProgramTemplateSchema, 'ProgramTemplatePage') } },
    },
    (_input, _req, res) => {
      const items = programs.templates().map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        parameters: t.parameters,
        briefs: t.briefs.map((b) => ({ key: b.key, title: b.title, partyId: b.partyId, dependsOn: b.dependsOn ?? [] })),
      }));
      res.json({ items, nextCursor: null });
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/programs',
      operationId: 'createProgram',
      summary: 'Start a program of dependent briefs',
      description:
        'Its briefs start as their dependencies are approved (the roots at once). A cycle, an unknown or duplicate key: 400 naming the offending keys; a template: its parameters, 400 naming an unknown, missing or malformed one.',
      tag: 'Programs',
      roles: ['manager'],
      body: CreateProgramBody,
      idempotent: true,
      responses: { 201: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ body, caller }, _req, res) => {
      const key = res.locals.idempotencyKey;
      const row = await programs.create(caller, body, { key: typeof key === 'string' ? key : undefined, updateId: idempotentUpdateId(res) });
      res.status(201).location(`/v1/programs/${row.id}`).json(await programs.view(caller, row));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/programs',
      operationId: 'listPrograms',
      summary: 'List programs',
      description: "Newest first. A party's members see the programs with a brief of theirs, and only their own briefs of them.",
      tag: 'Programs',
      roles: ROLES,
      query: ListProgramsQuery,
      responses: { 200: { description: 'A page of programs', schema: pageSchema(ProgramSchema, 'ProgramPage') } },
    },
    async ({ query, caller }, _req, res) => {
      res.json(await programs.list(caller, query));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/programs/:id',
      operationId: 'getProgram',
      summary: 'A program',
      description: 'Each brief with its state, what holds it, and its projected finish; the critical path by remaining business time; the projected finish against the target date.',
      tag: 'Programs',
      roles: ROLES,
      params: ProgramParams,
      resource: ({ id }, caller) => programs.visible(caller, id),
      responses: { 200: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ caller, resource: row }, _req, res) => {
      res.json(await programs.view(caller, row));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/programs/:id/cancel',
      operationId: 'cancelProgram',
      summary: 'Cancel a program',
      description: 'Cancels its running briefs and those not yet started; approved ones stay approved. 409 once it has ended.',
      tag: 'Programs',
      roles: OWNERS,
      params: ProgramParams,
      body: CancelProgramBody,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => programs.visible(caller, id),
      responses: { 200: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ body, caller, resource: row }, _req, res) => {
      res.json(await programs.view(caller, await programs.cancel(caller, row, body.reason)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/programs/:id/briefs',
      operationId: 'addProgramBrief',
      summary: 'Add a brief to a running program',
      description: 'It starts once its dependencies are approved (at once when they are). A key in use, an unknown dependency: 400.',
      tag: 'Programs',
      roles: OWNERS,
      params: ProgramParams,
      body: ProgramBriefBody,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => programs.visible(caller, id),
      responses: { 200: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ body, caller, resource: row }, _req, res) => {
      res.json(await programs.view(caller, await programs.addBrief(caller, row, body)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/programs/:id/briefs/:key/replace',
      operationId: 'replaceProgramBrief',
      summary: 'Replace a declined or cancelled brief of a program',
      description: 'A new brief takes its place (the fields given change, e.g. another partyId) and starts at once. 409 unless the brief was declined or cancelled.',
      tag: 'Programs',
      roles: OWNERS,
      params: ProgramBriefParams,
      body: ReplaceProgramBriefBody,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => programs.visible(caller, id),
      responses: { 200: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ body, caller, params, resource: row }, _req, res) => {
      res.json(await programs.view(caller, await programs.replaceBrief(caller, row, params.key, body)));
    },
  );

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/programs/:id/briefs/:key/drop',
      operationId: 'dropProgramBrief',
      summary: 'Drop a declined, cancelled or not yet started brief of a program',
      description: 'The briefs that waited on it alone start. 409 for a brief that runs or was approved.',
      tag: 'Programs',
      roles: OWNERS,
      params: ProgramBriefParams,
      idempotent: true,
      errors: [409],
      resource: ({ id }, caller) => programs.visible(caller, id),
      responses: { 200: { description: 'The program', schema: ProgramSchema } },
    },
    async ({ caller, params, resource: row }, _req, res) => {
      res.json(await programs.view(caller, await programs.dropBrief(caller, row, params.key)));
    },
  );

  return router;
}
