// The rules of programs the API applies before a program's workflow sees them: a graph without
// cycles or unknown keys, briefs resolved as a new brief is (party, policy, targets, plan), a
// template expanded with its parameters; and the program as people read it: each brief's state,
// what holds it, the critical path and the projected finish against the target date.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { z } from 'zod';
import type { PrismaClient } from '../../lib/db/database';
import type { Prisma } from '../../lib/db/generated/client';
import { decodeSnapshot } from '../../services/snapshot';
import { expandTemplate, loadTemplates, type ProgramTemplate } from '../../services/programs/templates';
import type { BriefInput } from '../../workflows/domain/brief';
import { viewBrief } from '../../workflows/domain/sla';
import { blockedBy, graphProblems, MAX_PROGRAM_BRIEFS, targetInstant } from '../../workflows/domain/program';
import {
  addProgramBriefUpdate,
  cancelProgramUpdate,
  dropProgramBriefUpdate,
  programWorkflowId,
  replaceProgramBriefUpdate,
  syncProgramUpdate,
  type ProgramBriefSpec,
  type ProgramSnapshot,
  type ProgramSpec,
} from '../../workflows/program/definitions';
import { projectProgram } from '../../workflows/program/projection';
import type { programWorkflow } from '../../workflows/program/workflow';
import { canSeeParty, seesAllParties, type Caller } from '../auth';
import type { ApiDeps } from '../context';
import { ApiError, conflict, notFound, type FieldError } from '../errors';
import { idempotentId } from '../idempotency';
import { listPage } from '../pagination';
import type { CreateProgramBody, ListProgramsQuery, ProgramBriefBody, ReplaceProgramBriefBody } from '../routes/programs.schemas';
import { translateWorkflowError } from '../workflow-errors';
import { briefService } from './briefs';

const UPDATE_DEADLINE_MS = 30_000;
export type ProgramRow = NonNullable<Awaited<ReturnType<PrismaClient['program']['findUnique']>>>;

const actorOf = (caller: Caller) => ({ memberId: caller.memberId, role: caller.role, partyId: caller.partyId });
const validation = (errors: FieldError[]) => new ApiError('validation', `invalid ${errors[0].path}`, errors);

/** The program's graph problems as field errors: cycles and unknown keys name the offending keys. */
function graphErrors(briefs: { key: string; dependsOn: string[] }[], at: string): FieldError[] {
  return graphProblems(briefs).map((p) => {
    const index = briefs.findIndex((b) => b.key === p.keys[0]);
    const path = p.kind === 'unknown' || p.kind === 'self' ? `${at}.${index}.dependsOn` : p.kind === 'duplicate' ? `${at}.${briefs.map((b) => b.key).lastIndexOf(p.keys[0])}.key` : at;
    return { path, message: p.message };
  });
}

/** The program's row if the caller may see it (a party's members: a program with a brief of theirs); 404 otherwise. */
export async function visibleProgram(prisma: PrismaClient, caller: Caller, id: string): Promise<ProgramRow> {
  const row = await prisma.program.findUnique({ where: { id } });
  if (!row || !(seesAllParties(caller) || row.partyIds.some((p) => canSeeParty(caller, p)))) throw notFound('program');
  return row;
}

export function programService(deps: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'searchAttributes'>) {
  const {
    db: { prisma },
    temporal,
    config,
  } = deps;
  const briefs = briefService(deps);
  const templates = loadTemplates();
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, fn);
  const briefOptions = { deliveryRetry: config.deliveryRetry, deliveryTaskQueue: config.temporal.deliveryTaskQueue, ...(deps.searchAttributes ? { searchAttributes: deps.searchAttributes } : {}) };

  async function resolveBriefs(caller: Caller, list: z.output<typeof ProgramBriefBody>[], at: string): Promise<ProgramBriefSpec[]> {
    const errors = graphErrors(list, at);
    if (errors.length) throw validation(errors);
    const specs: ProgramBriefSpec[] = [];
    for (const [i, body] of list.entries()) specs.push({ key: body.key, dependsOn: body.dependsOn, brief: await briefs.prepare(caller, body, `${at}.${i}`) });
    return specs;
  }

  /** A template's briefs with its parameters, as brief bodies; party parameters must name parties. */
  async function fromTemplate(template: ProgramTemplate, parameters: Record<string, string>): Promise<{ briefs: z.output<typeof ProgramBriefBody>[]; targetDate?: string }> {
    const { expanded, problems } = expandTemplate(template, parameters);
    const errors: FieldError[] = problems.map((p) => ({ path: `body.parameters.${p.parameter}`, message: p.message }));
    for (const [name, spec] of Object.entries(template.parameters)) {
      if (spec.type !== 'party' || !parameters[name] || errors.some((e) => e.path.endsWith(`.${name}`))) continue;
      if (!(await prisma.party.findUnique({ where: { id: parameters[name] } }))) errors.push({ path: `body.parameters.${name}`, message: 'no party with this id' });
    }
    if (errors.length || !expanded) throw validation(errors);
    return {
      ...(expanded.targetDate ? { targetDate: expanded.targetDate } : {}),
      briefs: expanded.briefs.map((b) => ({ ...b, priority: b.priority ?? 'P3', deliverables: [], targets: {} })),
    };
  }

  /** The program as the caller may see it: a party's members see only their own briefs of it. */
  async function view(caller: Caller, row: ProgramRow) {
    const { program, state } = row.snapshot as unknown as ProgramSnapshot;
    const briefIds = state.nodes.map((n) => n.briefId).filter((id): id is string => id !== null);
    const rows = await prisma.brief.findMany({ where: { id: { in: briefIds } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const now = Date.now();
    const nodes = program.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn }));
    const states = Object.fromEntries(state.nodes.map((n) => [n.key, n.state]));
    // Each started brief's clocks as they stand now, from its recorded state.
    const clocksOf = (briefId: string) => {
      const recorded = byId.get(briefId);
      return recorded ? viewBrief(decodeSnapshot(briefId, recorded.snapshot), now).sla : undefined;
    };
    const projection = projectProgram(program, state, clocksOf, now);
    const remaining = projection.remainingMs;
    const holding = blockedBy(nodes, states);
    const visible = (partyId: string) => canSeeParty(caller, partyId);
    const iso = (ms: number) => new Date(ms).toISOString();
    const running = row.status === 'running';
    const targetMs = program.targetDate ? Date.parse(program.targetDate) : null;
    return {
      id: program.id,
      name: program.name,
      ownerId: program.ownerId,
      status: row.status as 'running' | 'completed' | 'cancelled',
      template: program.template,
      targetDate: targetMs === null ? null : iso(targetMs),
      briefs: program.briefs
        .filter((b) => visible(b.brief.partyId))
        .map((b) => {
          const node = state.nodes.find((n) => n.key === b.key);
          const brief = node?.briefId ? byId.get(node.briefId) : undefined;
          return {
            key: b.key,
            title: b.brief.title,
            partyId: b.brief.partyId,
            dependsOn: b.dependsOn,
            state: node?.state ?? 'waiting',
            // A brief just started is named once it is recorded, so that its id always opens it.
            briefId: brief ? brief.id : null,
            status: brief?.status ?? null,
            blockedBy: holding[b.key] ?? [],
            projectedFinish: running && remaining[b.key] > 0 ? iso(projection.finishAt[b.key]) : null,
            replaced: node?.replaced ?? [],
          };
        }),
      criticalPath: running ? projection.criticalPath.filter((k) => visible(program.briefs.find((b) => b.key === k)?.brief.partyId ?? '')) : [],
      projectedFinish: running ? iso(projection.finishAtMs) : null,
      onTrack: running && targetMs !== null ? projection.finishAtMs <= targetMs : null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async function update(row: ProgramRow, run: (handle: ReturnType<typeof temporal.workflow.getHandle>) => Promise<unknown>): Promise<ProgramRow> {
    try {
      await withDeadline(() => run(temporal.workflow.getHandle(row.workflowId)));
    } catch (err) {
      throw translateWorkflowError(err);
    }
    return (await prisma.program.findUnique({ where: { id: row.id } })) as ProgramRow;
  }

  const requireRunning = (row: ProgramRow) => {
    if (row.status !== 'running') throw conflict(`the program is ${row.status}`);
  };

  return {
    view,
    templates: () => templates,

    async list(caller: Caller, query: z.output<typeof ListProgramsQuery>) {
      const where: Prisma.ProgramWhereInput = {
        ...(query.status ? { status: query.status } : {}),
        ...(seesAllParties(caller) ? {} : { partyIds: { has: caller.partyId } }),
      };
      const page = await listPage({ query, where, by: 'createdAt', direction: 'desc', find: (window) => prisma.program.findMany(window), item: (row) => row });
      return { ...page, items: await Promise.all(page.items.map((row) => view(caller, row))) };
    },

    visible: (caller: Caller, id: string) => visibleProgram(prisma, caller, id),

    async create(caller: Caller, body: z.output<typeof CreateProgramBody>, idempotency: { key?: string; updateId?: string }): Promise<ProgramRow> {
      let name: string;
      let targetDate: string | undefined;
      let list: z.output<typeof ProgramBriefBody>[];
      let template: string | null = null;
      if ('template' in body) {
        const found = templates.find((t) => t.id === body.template);
        if (!found) throw validation([{ path: 'body.template', message: `no template with this id; there are ${templates.map((t) => t.id).join(', ')}` }]);
        const expanded = await fromTemplate(found, body.parameters);
        name = body.name ?? `${found.name}: ${Object.values(body.parameters).find((v) => typeof v === 'string') ?? ''}`.trim();
        targetDate = expanded.targetDate;
        list = expanded.briefs;
        template = found.id;
      } else {
        name = body.name;
        targetDate = body.targetDate;
        list = body.briefs;
      }
      const id = idempotency.key !== undefined ? idempotentId(`program\n${caller.memberId}`, idempotency.key) : randomUUID();
      const program: ProgramSpec = {
        id,
        name,
        ownerId: caller.memberId,
        targetDate: targetDate ? targetInstant(targetDate, (await prisma.member.findUnique({ where: { id: caller.memberId }, select: { timezone: true } }))?.timezone ?? 'UTC') : null,
        template,
        briefs: await resolveBriefs(caller, list, 'body.briefs'),
      };
      const start = new WithStartWorkflowOperation<typeof programWorkflow>('programWorkflow', {
        workflowId: programWorkflowId(id),
        taskQueue: config.temporal.taskQueue,
        args: [{ program, briefTaskQueue: config.temporal.taskQueue, briefOptions }],
        // A repeat under the same Idempotency-Key reaches the running program; one that has ended is never started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      await withDeadline(() => temporal.workflow.executeUpdateWithStart(syncProgramUpdate, { startWorkflowOperation: start, updateId: idempotency.updateId })).catch((err: unknown) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateWorkflowError(err);
      });
      const row = await prisma.program.findUnique({ where: { id } });
      if (!row) throw new Error(`program ${id} is not recorded after its workflow answered`);
      return row;
    },

    async cancel(caller: Caller, row: ProgramRow, reason: string) {
      requireRunning(row);
      return update(row, (h) => h.executeUpdate(cancelProgramUpdate, { args: [{ actor: actorOf(caller), reason }] }));
    },

    async addBrief(caller: Caller, row: ProgramRow, body: z.output<typeof ProgramBriefBody>) {
      requireRunning(row);
      const { program } = row.snapshot as unknown as ProgramSnapshot;
      if (program.briefs.length >= MAX_PROGRAM_BRIEFS) throw conflict(`the program holds ${program.briefs.length} briefs, the most a program may hold`);
      const errors = graphErrors([...program.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn })), { key: body.key, dependsOn: body.dependsOn }], 'body').map((e) => ({
        ...e,
        path: e.path.replace(/^body\.\d+\./, 'body.'),
      }));
      if (errors.length) throw validation(errors);
      const spec: ProgramBriefSpec = { key: body.key, dependsOn: body.dependsOn, brief: await briefs.prepare(caller, body, 'body') };
      return update(row, (h) => h.executeUpdate(addProgramBriefUpdate, { args: [{ actor: actorOf(caller), brief: spec }] }));
    },

    async replaceBrief(caller: Caller, row: ProgramRow, key: string, body: z.output<typeof ReplaceProgramBriefBody>) {
      requireRunning(row);
      const { program } = row.snapshot as unknown as ProgramSnapshot;
      const current = program.briefs.find((b) => b.key === key);
      if (!current) throw notFound('program brief');
      const before = current.brief;
      const merged: z.output<typeof ProgramBriefBody> = {
        key,
        dependsOn: current.dependsOn,
        title: body.title ?? before.title,
        description: body.description ?? before.description,
        partyId: body.partyId ?? before.partyId,
        priority: body.priority ?? before.priority,
        deliverables: body.deliverables ?? before.deliverables,
        targets: before.targetOverrides ?? {},
        ...(body.reviewerId ?? before.reviewerId ? { reviewerId: (body.reviewerId ?? before.reviewerId) as string } : {}),
        ...(body.dueAt ? { dueAt: body.dueAt } : {}),
      };
      const brief: Omit<BriefInput, 'id'> = { ...(await briefs.prepare(caller, merged, 'body')), ...(before.reviewPlan ? { reviewPlan: before.reviewPlan } : {}) };
      return update(row, (h) => h.executeUpdate(replaceProgramBriefUpdate, { args: [{ actor: actorOf(caller), key, brief }] }));
    },

    async dropBrief(caller: Caller, row: ProgramRow, key: string) {
      requireRunning(row);
      return update(row, (h) => h.executeUpdate(dropProgramBriefUpdate, { args: [{ actor: actorOf(caller), key }] }));
    },
  };
}
