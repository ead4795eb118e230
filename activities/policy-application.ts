// The activities of a policy application (workflows/policy-application): read a page of the
// briefs running under the policy, apply the policy to one brief through its workflow, and keep
// the application's progress in sla_policy_applications, where the API reads it.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { audit } from '../services/audit';
import type { PrismaClient } from '../lib/db/database';
import type { Logger } from '../lib/logger';
import { slaOfPolicy, type SlaTargets } from '../services/policies';
import { applicationOutcomes, policyOfSnapshot } from '../services/policy-applications';
import { applySlaUpdate } from '../workflows/brief/definitions';
import { TERMINAL_STATUSES, type Actor, type Role } from '../workflows/domain/vocabulary';
import type {
  ApplyPolicyToBriefInput,
  PolicyApplicationActivities,
  PolicyApplicationBrief,
  PolicyApplicationCounts,
  PolicyApplicationOutcome,
  PolicyApplicationPageInput,
} from './types';

export interface PolicyApplicationDeps {
  prisma: PrismaClient;
  /** Reaches the briefs' workflows, as the API would. */
  temporal: Client;
  logger: Logger;
  slaTargets: SlaTargets;
}

/** How long a brief's workflow may take to take the policy before the brief counts as failed. */
export const APPLY_DEADLINE_MS = 10_000;
export const UNKNOWN_POLICY_APPLICATION = 'UnknownPolicyApplication';

/** The update id of an application's change to one brief: a retried activity reaches the same update instead of applying twice. */
export const policyApplicationUpdateId = (applicationId: string, briefId: string) => `policy-application-${applicationId}-${briefId}`;

async function applicationOf(prisma: PrismaClient, applicationId: string) {
  const application = await prisma.slaPolicyApplication.findUnique({ where: { id: applicationId } });
  if (!application) throw ApplicationFailure.create({ type: UNKNOWN_POLICY_APPLICATION, message: `no SLA policy application ${applicationId}`, nonRetryable: true });
  return application;
}

/** The counts of the outcomes recorded so far. */
async function countOutcomes(prisma: PrismaClient, applicationId: string): Promise<PolicyApplicationCounts> {
  const groups = await prisma.slaPolicyApplicationBrief.groupBy({ by: ['outcome'], where: { applicationId }, _count: { _all: true } });
  const of = (outcome: PolicyApplicationOutcome) => groups.find((g) => g.outcome === outcome)?._count._all ?? 0;
  const counts = { applied: of('applied'), skipped: of('skipped'), failed: of('failed') };
  return { done: counts.applied + counts.skipped + counts.failed, ...counts };
}

/**
 * Briefs under the policy that have not ended, created before the application started (briefs
 * created since run under the policy as it is already), after the cursor in (createdAt, id) order.
 */
export const createReadPolicyApplicationPage =
  ({ prisma }: Pick<PolicyApplicationDeps, 'prisma'>) =>
  async ({ applicationId, after, limit }: PolicyApplicationPageInput): Promise<PolicyApplicationBrief[]> => {
    const application = await applicationOf(prisma, applicationId);
    const afterCursor = after
      ? { OR: [{ createdAt: { gt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { gt: after.id } }] }
      : {};
    const rows = await prisma.brief.findMany({
      where: { slaPolicyId: application.policyId, status: { notIn: [...TERMINAL_STATUSES] }, createdAt: { lte: application.startedAt }, ...afterCursor },
      select: { id: true, workflowId: true, createdAt: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map((b) => ({ briefId: b.id, workflowId: b.workflowId, createdAt: b.createdAt.toISOString() }));
  };

/**
 * Runs the applySla update on the brief's workflow and records the outcome: skipped when the
 * workflow has ended, failed (with the workflow's message) when it refuses or does not answer in
 * time. Only the database's errors are thrown, to be retried.
 */
export const createApplyPolicyToBrief =
  ({ prisma, temporal, logger, slaTargets }: PolicyApplicationDeps) =>
  async ({ applicationId, briefId, workflowId }: ApplyPolicyToBriefInput): Promise<PolicyApplicationOutcome> => {
    const application = await applicationOf(prisma, applicationId);
    const brief = await prisma.brief.findUnique({ where: { id: briefId }, select: { createdAt: true, party: { select: { kind: true } } } });
    if (!brief) throw ApplicationFailure.create({ type: 'UnknownBrief', message: `no brief ${briefId}`, nonRetryable: true });
    const sla = await slaOfPolicy(prisma, slaTargets, policyOfSnapshot(application.policy), brief.party.kind);
    const actor: Actor = { memberId: application.actorId, role: application.actorRole as Role, partyId: application.actorPartyId };
    let outcome: PolicyApplicationOutcome = 'applied';
    let error: string | null = null;
    try {
      const handle = temporal.workflow.getHandle(workflowId);
      await temporal.connection.withDeadline(Date.now() + APPLY_DEADLINE_MS, () =>
        handle.executeUpdate(applySlaUpdate, { args: [{ actor, sla }], updateId: policyApplicationUpdateId(applicationId, briefId) }),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        outcome = 'skipped';
      } else {
        const e = err as { message?: string; cause?: { message?: string } };
        logger.warn({ briefId, policyId: application.policyId, applicationId, err: e.message }, 'applying an SLA policy to a running brief failed');
        outcome = 'failed';
        error = e.cause?.message || e.message || 'unknown error';
      }
    }
    await prisma.slaPolicyApplicationBrief.upsert({
      where: { applicationId_briefId: { applicationId, briefId } },
      create: { applicationId, briefId, briefCreatedAt: brief.createdAt, outcome, error },
      update: { outcome, error, at: new Date() },
    });
    return outcome;
  };

export const createRecordPolicyApplicationProgress =
  ({ prisma }: Pick<PolicyApplicationDeps, 'prisma'>) =>
  async ({ applicationId }: { applicationId: string }): Promise<PolicyApplicationCounts> => {
    const counts = await countOutcomes(prisma, applicationId);
    await prisma.slaPolicyApplication.updateMany({ where: { id: applicationId, status: 'running' }, data: counts });
    return counts;
  };

/**
 * Ends a running application, once: its counts as recorded, `completed` (its total now the briefs
 * it went through: briefs that ended meanwhile drop out) or `failed` with the error, and the audit
 * entry with what it did.
 */
export const createFinishPolicyApplication =
  ({ prisma }: Pick<PolicyApplicationDeps, 'prisma'>) =>
  async ({ applicationId, error }: { applicationId: string; error?: string }): Promise<PolicyApplicationCounts> => {
    const counts = await countOutcomes(prisma, applicationId);
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.slaPolicyApplication.updateMany({
        where: { id: applicationId, status: 'running' },
        data: { ...counts, ...(error === undefined ? { status: 'completed', total: counts.done } : { status: 'failed', error }), finishedAt: new Date() },
      });
      if (count === 0) return; // finished before (a retried attempt)
      const application = await tx.slaPolicyApplication.findUniqueOrThrow({ where: { id: applicationId } });
      await audit(tx, {
        actorId: application.actorId,
        action: 'sla_policy.applied_to_running',
        targetType: 'sla_policy',
        targetId: application.policyId,
        after: {
          applicationId,
          status: application.status,
          policyId: application.policyId,
          policyVersion: application.policyVersion,
          ...(await applicationOutcomes(tx, applicationId)),
          ...(error === undefined ? {} : { error }),
        },
      });
    });
    return counts;
  };

export function createPolicyApplicationActivities(deps: PolicyApplicationDeps): PolicyApplicationActivities {
  return {
    readPolicyApplicationPage: createReadPolicyApplicationPage(deps),
    applyPolicyToBrief: createApplyPolicyToBrief(deps),
    recordPolicyApplicationProgress: createRecordPolicyApplicationProgress(deps),
    finishPolicyApplication: createFinishPolicyApplication(deps),
  };
}
