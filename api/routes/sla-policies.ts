// SLA policies: targets per clock and priority in business time, the calendar they count in, the
// warning share and the escalation chain. The built-in `default` policy (the configured targets,
// round the clock) is listed first and cannot be changed; it is the system default until a
// policy is marked isDefault.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import type { z } from 'zod';
import type { Prisma } from '../../lib/db/generated/client';
import { newId } from '../../lib/ids';
import { BUILT_IN_CALENDAR_ID, builtInPolicy, findPolicy, slaOfPolicy, type PolicyRow } from '../../services/policies';
import { applicationOutcomes, policySnapshot } from '../../services/policy-applications';
import { CLOCKS, TERMINAL_STATUSES } from '../../workflows/domain/vocabulary';
import { policyApplicationWorkflowId } from '../../workflows/domain/ids';
import type { policyApplicationWorkflow } from '../../workflows/policy-application/workflow';
import { BUILT_IN_POLICY_ID, DEFAULT_MAX_REPEATS, NOTIFY_ROLES, type EscalationPolicy } from '../../workflows/domain/policy';
import { clockSchedule } from '../../workflows/domain/schedule';
import { audit } from '../../services/audit';
import type { ApiDeps } from '../context';
import { idempotentId } from '../idempotency';
import { conflict, fieldError, notFound } from '../errors';
import type { RouteCatalog } from '../openapi/route';
import { listPage, PageQuery, pageSchema } from '../pagination';
import {
  CreatePolicyBody,
  durationOrder,
  type EscalationInput,
  LocationHeader,
  PolicyApplicationParams,
  PolicyApplicationSchema,
  policyApplicationHref,
  policyApplicationJson,
  PolicyIdParams,
  policyJson,
  PolicySchema,
  PreviewQuery,
  PreviewSchema,
  UpdatePolicyBody,
} from './sla.schemas';

const READERS = ['admin', 'manager', 'watcher'] as const;

/** What is stored of an escalation chain: maxRepeats made explicit when the last level repeats. */
function storedEscalation(input: z.infer<typeof EscalationInput>): EscalationPolicy {
  const levels = input.levels.map((l) => ({ after: l.after, notify: l.notify }));
  if (input.repeatEvery === undefined) return input.maxRepeats === undefined ? { levels } : { levels, maxRepeats: input.maxRepeats };
  return { levels, repeatEvery: input.repeatEvery, maxRepeats: input.maxRepeats ?? DEFAULT_MAX_REPEATS };
}

export function slaPoliciesRouter({ db, temporal, config }: ApiDeps, catalog: RouteCatalog): Router {
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

  catalog.route(
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
    async ({ body, caller }, _req, res) => {
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

  catalog.route(
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
    async ({ query }, _req, res) => {
      const defaultId = await systemDefaultId();
      const policies = await listPage({
        query,
        where: {},
        by: 'createdAt',
        direction: 'asc',
        find: (window) => prisma.slaPolicy.findMany(window),
        item: (p: PolicyRow) => policyJson(p, config.slaTargets, p.id === defaultId),
        // The built-in sits at the epoch, before every stored policy.
        first: [builtIn()],
      });
      res.json(policies);
    },
  );

  catalog.route(
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
    async ({ params: { id } }, _req, res) => {
      res.json(await json(await readable(id)));
    },
  );

  catalog.route(
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
    async ({ params: { id }, body, caller }, _req, res) => {
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

  catalog.route(
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
    async ({ params: { id }, query }, _req, res) => {
      const policy = await readable(id);
      // The agreement (internal or external) does not move deadlines: any party kind will do.
      const sla = await slaOfPolicy(prisma, config.slaTargets, policy, 'agency');
      const start = query.start ? Date.parse(query.start) : Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const clocks = Object.fromEntries(
        CLOCKS.map((clock) => {
          const target = query[clock] ?? (sla.policyTargets[clock][query.priority] as string);
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

  catalog.route(
    router,
    {
      method: 'post',
      path: '/v1/sla-policies/:id/apply-to-running',
      operationId: 'applySlaPolicyToRunning',
      summary: 'Apply an SLA policy to its running briefs',
      description:
        'Starts an application of the policy (and its calendar) as they are now to every brief under it that has not ended; a brief\'s clocks are recomputed from the time they have run, never reset. The application goes through the briefs a page at a time in the background: follow it at `href` (the Location header) until `status` is no longer `running`; it then lists the briefs `applied`, `skipped` (their workflow had ended) and `failed` (the workflow refused or did not answer in time). Briefs created after it started already run under the policy as it is.',
      tag: 'SLA policies',
      roles: ['admin'],
      params: PolicyIdParams,
      idempotent: true,
      responses: { 202: { description: 'The application, started', schema: PolicyApplicationSchema, headers: LocationHeader } },
    },
    async ({ params: { id }, caller }, _req, res) => {
      const policy = await readable(id);
      // A repeat under the same Idempotency-Key names the same application, and so the same workflow.
      const applicationId = typeof res.locals.idempotencyKey === 'string' ? idempotentId(caller.memberId, res.locals.idempotencyKey) : newId();
      const startedAt = new Date();
      const total = await prisma.brief.count({ where: { slaPolicyId: id, status: { notIn: [...TERMINAL_STATUSES] }, createdAt: { lte: startedAt } } });
      await prisma.slaPolicyApplication.createMany({
        data: [
          {
            id: applicationId,
            policyId: policy.id,
            policyVersion: policy.version,
            policy: policySnapshot(policy) as unknown as Prisma.InputJsonValue,
            actorId: caller.memberId,
            actorRole: caller.role,
            actorPartyId: caller.partyId,
            status: 'running',
            total,
            startedAt,
          },
        ],
        skipDuplicates: true,
      });
      try {
        await temporal.workflow.start<typeof policyApplicationWorkflow>('policyApplicationWorkflow', {
          workflowId: policyApplicationWorkflowId(applicationId),
          taskQueue: config.temporal.taskQueue,
          args: [{ applicationId }],
          // An application runs once: its id is never started again, also after it has finished.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const row = await prisma.slaPolicyApplication.findUniqueOrThrow({ where: { id: applicationId } });
      const href = policyApplicationHref(policy.id, applicationId);
      res.status(202).location(href).json(policyApplicationJson(row, row.status === 'running' ? undefined : await applicationOutcomes(prisma, applicationId)));
    },
  );

  catalog.route(
    router,
    {
      method: 'get',
      path: '/v1/sla-policies/:id/applications/:applicationId',
      operationId: 'getSlaPolicyApplication',
      summary: 'Follow an application of an SLA policy to its running briefs',
      description:
        'Its progress, written after each page of briefs; once it has finished, the briefs `applied`, `skipped` (their workflow had ended) and `failed` (with the reason). An application of another policy is 404.',
      tag: 'SLA policies',
      roles: ['admin'],
      params: PolicyApplicationParams,
      responses: { 200: { description: 'The application', schema: PolicyApplicationSchema } },
    },
    async ({ params: { id, applicationId } }, _req, res) => {
      const row = await prisma.slaPolicyApplication.findUnique({ where: { id: applicationId } });
      if (!row || row.policyId !== id) throw notFound('SLA policy application');
      res.json(policyApplicationJson(row, row.status === 'running' ? undefined : await applicationOutcomes(prisma, applicationId)));
    },
  );

  return router;
}
