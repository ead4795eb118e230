// The activities of a program's workflow (workflows/program): record the program into the read
// model, and cancel a running brief when the program is cancelled. (The notice to the owner of a
// held program goes through the outbox: program-held-notice.ts.)
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../lib/db/database';
import type { Prisma } from '../lib/db/generated/client';
import type { Logger } from '../lib/logger';
import { actionUpdates } from '../workflows/brief/definitions';
import { programWorkflowId, type ProgramRecord, type ProgramSnapshot, type ProgramSpec } from '../workflows/program/definitions';
import { PERMANENT_DATABASE_ERROR, type ProgramActivities } from './types';

export interface ProgramDeps {
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
}

/** The programs row of a program as recorded: its spec, and its state without the deliveries passed on. */
function rowOf(program: ProgramSpec, state: ProgramRecord['state']) {
  return {
    name: program.name,
    ownerId: program.ownerId,
    status: state.status,
    targetDate: program.targetDate ? new Date(program.targetDate) : null,
    template: program.template,
    partyIds: [...new Set(program.briefs.map((b) => b.brief.partyId))],
    lastSeq: state.seq,
    snapshot: { program, state: { ...state, outputs: {} } } as unknown as Prisma.InputJsonValue,
    updatedAt: new Date(state.updatedAt),
  };
}

export function createProgramActivities({ prisma, temporal, logger }: ProgramDeps): Pick<ProgramActivities, 'recordProgram' | 'cancelProgramBrief'> {
  return {
    async recordProgram({ programId, program: spec, state }: ProgramRecord): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const existing = await tx.program.findUnique({ where: { id: programId }, select: { lastSeq: true, snapshot: true } });
        // A retried or late write never takes the program back.
        if (existing && existing.lastSeq >= state.seq) return;
        // The spec comes with the first record of a run and when it changed; else it is the recorded one.
        const program = spec ?? (existing?.snapshot as unknown as ProgramSnapshot | undefined)?.program;
        if (!program) throw ApplicationFailure.create({ type: PERMANENT_DATABASE_ERROR, message: `program ${programId}: recorded without its spec`, nonRetryable: true });
        const row = rowOf(program, state);
        if (!existing) await tx.program.create({ data: { ...row, id: programId, workflowId: programWorkflowId(programId), createdAt: new Date(state.updatedAt) } });
        else await tx.program.update({ where: { id: programId }, data: row });
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
