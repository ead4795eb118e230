// SLA policies: targets per clock and priority in business time, the calendar they count in, the
// warning share and the escalation chain. The built-in `default` policy (the configured targets,
// round the clock) is listed first and cannot be changed; it is the system default until a
// policy is marked isDefault.
import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import type { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, builtInPolicy, findPolicy, slaOfPolicy, type PolicyRow } from '../../lib/policies';
import { CLOCKS, type Actor } from '../../workflows/domain/brief';
import { applySlaUpdate } from '../../workflows/brief/definitions';
import { BUILT_IN_POLICY_ID, DEFAULT_MAX_REPEATS, NOTIFY_ROLES, type EscalationPolicy } from '../../workflows/domain/policy';
import { clockSchedule } from '../../workflows/domain/schedule';
import { audit } from '../audit';
import { requireRole } from '../auth';
import type { ApiDeps } from '../context';
import { conflict, fieldError, notFound } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { after, decodeCursor, page, PageQuery, pageSchema } from '../pagination';
import { parse } from '../validate';
import {
  ApplyResultSchema,
  CreatePolicyBody,
  durationOrder,
  type EscalationInput,
  PolicyIdParams,
  policyJson,
  PolicySchema,
  PreviewQuery,
  PreviewSchema,
  UpdatePolicyBody,
} from './sla.schemas';

const READERS = ['admin', 'manager', 'watcher'] as const;
const APPLY_DEADLINE_MS = 10_000;
const APPLY_CONCURRENCY = 4;
const ENDED_STATUSES = ['approved', 'declined', 'cancelled'];

/** What is stored of an escalation chain: maxRepeats made explicit when the last level repeats. */
function storedEscalation(input: z.infer<typeof EscalationInput>): EscalationPolicy {
  const levels = input.levels.map((l) => ({ after: l.after, notify: l.notify }));
  if (input.repeatEvery === undefined) return input.maxRepeats === undefined ? { levels } : { levels, maxRepeats: input.maxRepeats };
  return { levels, repeatEvery: input.repeatEvery, maxRepeats: input.maxRepeats ?? DEFAULT_MAX_REPEATS };
}

export function slaPoliciesRouter({ db, temporal, config, logger }: ApiDeps, catalog: RouteCatalog): Router {
  const { prisma } = db;
  const router = Router();
  const builtIn = () => builtInPolicy(config.slaTargets);

  /** The id of the system default: the policy marked isDefault, else the built-in one. */
  async function systemDefaultId(): Promise<string> {
    return (await prisma.slaPolicy.findFirst({ where: { isDefault: true }, orderBy: { updatedAt: 'desc' }, select: { id: true } }))?.id ?? BUILT_IN_POLICY_ID;
  }

  async function json(row: PolicyRow) {
    return policyJson(row, config.slaTargets, row.id === (await systemDefaultId()));
  }

  async function readable(id: string): Promise<PolicyRow> {
    const row = await findPolicy(prisma, config.slaTargets, id);
    if (!row) throw notFound('SLA policy');
    return row;
  }

  /** The stored calendar id of a request's calendarId: null for none and for the built-in 24x7. */
  async function calendarIdOf(calendarId: string | null | undefined): Promise<string | null> {
    if (calendarId === undefined || calendarId === null || calendarId === BUILT_IN_CALENDAR_ID) return null;
    if (!(await prisma.calendar.findUnique({ where: { id: calendarId }, select: { id: true } }))) throw fieldError('body.calendarId', 'no calendar with this id');
    return calendarId;
  }

  /** Levels in order of their `after`, and every notify entry a role or an existing member. */
  async function checkEscalation(escalation: z.infer<typeof EscalationInput>): Promise<void> {
    escalation.levels.forEach((level, i) => {
      if (i === 0) return;
      const [days, ms] = durationOrder(level.after);
      const [previousDays, previousMs] = durationOrder(escalation.levels[i - 1].after);
      if (days < previousDays || (days === previousDays && ms < previousMs)) {
        throw fieldError(`body.escalation.levels[${i}].after`, `must not come before the previous level's (${escalation.levels[i - 1].after}); levels are ordered by days, then time`);
      }
    });
    const memberIds = [...new Set(escalation.levels.flatMap((l) => l.notify).filter((n) => !(NOTIFY_ROLES as readonly string[]).includes(n)))];
    const found = new Set((await prisma.member.findMany({ where: { id: { in: memberIds } }, select: { id: true } })).map((m) => m.id));
    escalation.levels.forEach((level, i) =>
      level.notify.forEach((entry, j) => {
        if (!(NOTIFY_ROLES as readonly string[]).includes(entry) && !found.has(entry)) {
          throw fieldError(`body.escalation.levels[${i}].notify[${j}]`, `must be one of ${NOTIFY_ROLES.join(', ')} or the id of a member`);
        }
      }),
    );
  }

  const unsetOtherDefaults = (tx: Prisma.TransactionClient, id: string) => tx.slaPolicy.updateMany({ where: { isDefault: true, id: { not: id } }, data: { isDefault: false } });

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/sla-policies',
      operationId: 'createSlaPolicy',
      summary: 'Create an SLA policy',
      description:
        'Targets are business durations counted in the calendar (whole days and/or time: P2D, PT4H); clocks and priorities left out take the system defaults. Escalation levels notify roles (party_lead, party_members, manager, reviewer, watchers) or members by id, at business times after the breach.',
      tag: 'SLA policies',
      roles: ['admin'],
      body: CreatePolicyBody,
      idempotent: true,
      responses: { 201: { description: 'The policy', schema: PolicySchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const body = parse(CreatePolicyBody, req.body);
      const calendarId = await calendarIdOf(body.calendarId);
      await checkEscalation(body.escalation);
      const id = newId();
      const created = await prisma.$transaction(async (tx) => {
        if (body.isDefault) await unsetOtherDefaults(tx, id);
        const row = await tx.slaPolicy.create({
          data: {
            id,
            name: body.name,
            calendarId,
            targets: body.targets as Prisma.InputJsonValue,
            warnAt: body.warnAt,
            escalation: storedEscalation(body.escalation) as unknown as Prisma.InputJsonValue,
            isDefault: body.isDefault,
          },
        });
        await audit(tx, { actorId: caller.memberId, action: 'sla_policy.created', targetType: 'sla_policy', targetId: id, after: policyJson(row, config.slaTargets, row.isDefault) });
        return row;
      });
      res.status(201).location(`/v1/sla-policies/${id}`).json(await json(created));
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/sla-policies',
      operationId: 'listSlaPolicies',
      summary: 'List SLA policies',
      description: 'Oldest first; the built-in `default` policy comes first. `isDefault` marks the system default.',
      tag: 'SLA policies',
      roles: READERS,
      query: PageQuery,
      responses: { 200: { description: 'A page of SLA policies', schema: pageSchema(PolicySchema, 'SlaPolicyPage') } },
    },
    async (req, res) => {
      requireRole(res, ...READERS);
      const query = parse(PageQuery, req.query, 'query');
      const cursor = decodeCursor(query.cursor);
      // The built-in sits at the epoch, before every stored policy: only the first page has it.
      const first: PolicyRow[] = cursor ? [] : [builtIn()];
      const rows = await prisma.slaPolicy.findMany({
        where: after(cursor, 'createdAt', 'asc'),
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1 - first.length,
      });
      const { items, nextCursor } = page([...first, ...rows], query.limit, (p) => p.createdAt);
      const defaultId = await systemDefaultId();
      res.json({ items: items.map((p) => policyJson(p, config.slaTargets, p.id === defaultId)), nextCursor });
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/sla-policies/:id',
      operationId: 'getSlaPolicy',
      summary: 'Read an SLA policy',
      tag: 'SLA policies',
      roles: READERS,
      params: PolicyIdParams,
      responses: { 200: { description: 'The policy', schema: PolicySchema } },
    },
    async (req, res) => {
      requireRole(res, ...READERS);
      const { id } = parse(PolicyIdParams, req.params, 'params');
      res.json(await json(await readable(id)));
    },
  );

  catalog.mount(
    router,
    {
      method: 'patch',
      path: '/v1/sla-policies/:id',
      operationId: 'updateSlaPolicy',
      summary: 'Change an SLA policy',
      description:
        'Running briefs keep the version they started with until `apply-to-running`. isDefault: false on the system default makes the built-in policy the default again. The built-in `default` policy answers 409.',
      tag: 'SLA policies',
      roles: ['admin'],
      params: PolicyIdParams,
      body: UpdatePolicyBody,
      errors: [409],
      responses: { 200: { description: 'The policy', schema: PolicySchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const { id } = parse(PolicyIdParams, req.params, 'params');
      const body = parse(UpdatePolicyBody, req.body);
      if (id === BUILT_IN_POLICY_ID) throw conflict('the built-in default policy cannot be changed; create a policy and mark it isDefault');
      const before = await prisma.slaPolicy.findUnique({ where: { id } });
      if (!before) throw notFound('SLA policy');
      const changes: Prisma.SlaPolicyUpdateInput = {};
      if (body.name !== undefined && body.name !== before.name) changes.name = body.name;
      if (body.calendarId !== undefined) {
        const calendarId = await calendarIdOf(body.calendarId);
        if (calendarId !== before.calendarId) changes.calendar = calendarId ? { connect: { id: calendarId } } : { disconnect: true };
      }
      if (body.targets !== undefined && JSON.stringify(body.targets) !== JSON.stringify(before.targets)) changes.targets = body.targets as Prisma.InputJsonValue;
      if (body.warnAt !== undefined && body.warnAt !== before.warnAt) changes.warnAt = body.warnAt;
      if (body.escalation !== undefined) {
        await checkEscalation(body.escalation);
        const escalation = storedEscalation(body.escalation);
        if (JSON.stringify(escalation) !== JSON.stringify(before.escalation)) changes.escalation = escalation as unknown as Prisma.InputJsonValue;
      }
      const versioned = Object.keys(changes).length > 0;
      const defaultChanges = body.isDefault !== undefined && body.isDefault !== before.isDefault;
      if (!versioned && !defaultChanges) return void res.json(await json(before));
      const updated = await prisma.$transaction(async (tx) => {
        if (body.isDefault) await unsetOtherDefaults(tx, id);
        const row = await tx.slaPolicy.update({
          where: { id },
          data: { ...changes, ...(defaultChanges ? { isDefault: body.isDefault } : {}), ...(versioned ? { version: { increment: 1 } } : {}), updatedAt: new Date() },
        });
        await audit(tx, {
          actorId: caller.memberId,
          action: 'sla_policy.updated',
          targetType: 'sla_policy',
          targetId: id,
          before: policyJson(before, config.slaTargets, before.isDefault),
          after: policyJson(row, config.slaTargets, row.isDefault),
        });
        return row;
      });
      res.json(await json(updated));
    },
  );

  catalog.mount(
    router,
    {
      method: 'get',
      path: '/v1/sla-policies/:id/preview',
      operationId: 'previewSlaPolicy',
      summary: 'Preview the deadlines of an SLA policy',
      description: "Each clock's due, warning and escalation instants for a priority, as if its step started at `start` (now by default) and nothing paused it.",
      tag: 'SLA policies',
      roles: READERS,
      params: PolicyIdParams,
      query: PreviewQuery,
      responses: { 200: { description: 'The deadlines', schema: PreviewSchema } },
    },
    async (req, res) => {
      requireRole(res, ...READERS);
      const { id } = parse(PolicyIdParams, req.params, 'params');
      const query = parse(PreviewQuery, req.query, 'query');
      const policy = await readable(id);
      // The agreement (internal or external) does not move deadlines: any party kind will do.
      const sla = await slaOfPolicy(prisma, config.slaTargets, policy, 'agency');
      const start = query.start ? Date.parse(query.start) : Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const clocks = Object.fromEntries(
        CLOCKS.map((clock) => {
          const target = sla.policyTargets[clock][query.priority] as string;
          const schedule = clockSchedule(sla, target, start);
          return [
            clock,
            {
              target,
              dueAt: iso(schedule.dueAt),
              warnAt: iso(schedule.warnAt),
              escalations: schedule.escalations.map((e) => ({ level: e.level, repeat: e.repeat, at: iso(e.at) })),
            },
          ];
        }),
      );
      res.json({
        policyId: policy.id,
        policyVersion: policy.version,
        start: iso(start),
        priority: query.priority,
        calendar: { id: sla.calendarId ?? BUILT_IN_CALENDAR_ID, name: sla.calendar.name, timezone: sla.calendar.timezone },
        clocks,
      });
    },
  );

  catalog.mount(
    router,
    {
      method: 'post',
      path: '/v1/sla-policies/:id/apply-to-running',
      operationId: 'applySlaPolicyToRunning',
      summary: 'Apply an SLA policy to its running briefs',
      description:
        "Every brief under this policy that has not ended switches to the policy (and its calendar) as they are now; its clocks are recomputed from the time they have run, never reset. Briefs whose workflow has ended are `skipped`; a brief the workflow refuses or does not answer in time is listed in `failed`.",
      tag: 'SLA policies',
      roles: ['admin'],
      params: PolicyIdParams,
      idempotent: true,
      responses: { 200: { description: 'Which briefs took the policy', schema: ApplyResultSchema } },
    },
    async (req, res) => {
      const caller = requireRole(res, 'admin');
      const { id } = parse(PolicyIdParams, req.params, 'params');
      const policy = await readable(id);
      const briefs = await prisma.brief.findMany({
        where: { slaPolicyId: id, status: { notIn: ENDED_STATUSES } },
        select: { id: true, workflowId: true, party: { select: { kind: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const actor: Actor = { memberId: caller.memberId, role: caller.role, partyId: caller.partyId };
      const applied: string[] = [];
      const skipped: string[] = [];
      const failed: { briefId: string; error: string }[] = [];
      const slaByKind = new Map<string, Awaited<ReturnType<typeof slaOfPolicy>>>();
      for (let i = 0; i < briefs.length; i += APPLY_CONCURRENCY) {
        await Promise.all(
          briefs.slice(i, i + APPLY_CONCURRENCY).map(async (brief) => {
            try {
              let sla = slaByKind.get(brief.party.kind);
              if (!sla) slaByKind.set(brief.party.kind, (sla = await slaOfPolicy(prisma, config.slaTargets, policy, brief.party.kind)));
              const handle = temporal.workflow.getHandle(brief.workflowId);
              await temporal.connection.withDeadline(Date.now() + APPLY_DEADLINE_MS, () => handle.executeUpdate(applySlaUpdate, { args: [{ actor, sla }] }));
              applied.push(brief.id);
            } catch (err) {
              if (err instanceof WorkflowNotFoundError) return void skipped.push(brief.id);
              const e = err as { message?: string; cause?: { message?: string } };
              logger.warn({ briefId: brief.id, policyId: id, err: e.message }, 'applying an SLA policy to a running brief failed');
              failed.push({ briefId: brief.id, error: e.cause?.message || e.message || 'unknown error' });
            }
          }),
        );
      }
      const result = { policyId: policy.id, policyVersion: policy.version, applied, skipped, failed };
      await audit(prisma, { actorId: caller.memberId, action: 'sla_policy.applied_to_running', targetType: 'sla_policy', targetId: policy.id, after: result });
      res.json(result);
    },
  );

  return router;
}
