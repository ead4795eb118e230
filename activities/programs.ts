// The activities of a program's workflow (workflows/program): record the program into the read
// model, and cancel a running brief when the program is cancelled.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../lib/db/database';
import type { Prisma } from '../lib/db/generated/client';
import type { Logger } from '../lib/logger';
import { actionUpdates } from '../workflows/brief/definitions';
import { programWorkflowId, type ProgramSnapshot } from '../workflows/program/definitions';
import type { ProgramActivities } from './types';

export interface ProgramDeps {
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
}

export function createProgramActivities({ prisma, temporal, logger }: ProgramDeps): ProgramActivities {
  return {
    async recordProgram({ program, state }: ProgramSnapshot): Promise<void> {
      const row = {
        name: program.name,
        ownerId: program.ownerId,
        status: state.status,
        targetDate: program.targetDate ? new Date(program.targetDate) : null,
        template: program.template,
        partyIds: [...new Set(program.briefs.map((b) => b.brief.partyId))],
        lastSeq: state.seq,
        snapshot: { program, state } as unknown as Prisma.InputJsonValue,
        updatedAt: new Date(state.updatedAt),
      };
      await prisma.$transaction(async (tx) => {
        const existing = await tx.program.findUnique({ where: { id: program.id }, select: { lastSeq: true } });
        if (!existing) await tx.program.create({ data: { ...row, id: program.id, workflowId: programWorkflowId(program.id), createdAt: new Date(state.updatedAt) } });
        // A retried or late write never takes the program back.
        else if (existing.lastSeq < state.seq) await tx.program.update({ where: { id: program.id }, data: row });
      });
    },

    async cancelProgramBrief({ workflowId, actorId, reason }): Promise<void> {
      const owner = await prisma.member.findUnique({ where: { id: actorId } });
      const actor = { memberId: actorId, role: 'manager' as const, partyId: owner?.partyId ?? '' };
      try {
        await temporal.workflow.getHandle(workflowId).executeUpdate(actionUpdates.cancel, { args: [{ actor, payload: { reason } }], updateId: `program-cancel-${workflowId}` });
      } catch (err) {
        // The brief ended meanwhile (approved, declined) or is gone: nothing to cancel.
        if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) {
          logger.info({ workflowId, error: String(err) }, 'program brief not cancelled: it has ended');
          return;
        }
        throw err;
      }
    },
  };
}
