// The notice to a program's owner that a declined or cancelled brief holds others, through the
// notification outbox. planProgramHeldNotice writes one row per (program run's ended brief,
// owner, channel) under a key of the program's workflow id and the ended brief's id, so a retried
// plan sends nothing twice; it reads the reason from the brief's recorded events. The notice is
// email only, sent when the owner takes that outcome's notifications (declined, cancelled) by
// email, and at once: a held program waits for its owner, as escalations do. deliverNotification
// sends the row through deliverProgramHeldNotice once in effect, reading names and titles from the
// read model, and drops it when the owner has replaced or dropped the brief (or the program ended)
// before it went out.
import type { PrismaClient } from '../lib/db/database';
import type { Notification } from '../lib/db/generated/client';
import { localeOf } from '../lib/i18n';
import type { Logger } from '../lib/logger';
import { programPath } from '../web/src/paths';
import { preferencesOf, type Preferences } from '../workflows/domain/notifications';
import { PROGRAM_HELD_NOTICE_EVENT, type ProgramHeldNoticeInput, type ProgramSnapshot } from '../workflows/program/definitions';
import type { Mailer } from './notifications/mailer';
import { sendOutboxEmail } from './notifications/outbox-email';
import { renderProgramHeldNotice } from './notifications/program-held-template';
import type { PlannedDelivery } from './types';

export interface ProgramHeldNoticeDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
}

/** What the row's delivery needs: the notice's input without the ids that key it, and the reason as recorded. */
export interface ProgramHeldNoticePayload {
  kind: 'program_held';
  programId: string;
  key: string;
  briefId: string;
  outcome: ProgramHeldNoticeInput['outcome'];
  reason: string | null;
  held: string[];
}

/** The outbox key of the notice of an ended brief of a program's run to a recipient by a channel. */
export function programHeldNoticeKey(workflowId: string, briefId: string, recipientId: string, channel: string): { idempotencyKey: string; id: string } {
  const idempotencyKey = `${workflowId}:held:${briefId}:${recipientId}:${channel}`;
  return { idempotencyKey, id: idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_') };
}

const SETTLED = ['sent', 'failed', 'dropped', 'unconfirmed'];

/** Who ended the brief and why, as its recorded end says; nulls without them (or before it is recorded). */
async function recordedEnd(prisma: PrismaClient, briefId: string, outcome: ProgramHeldNoticeInput['outcome']): Promise<{ actorId: string | null; reason: string | null }> {
  const ended = await prisma.briefEvent.findFirst({ where: { briefId, type: outcome }, orderBy: { seq: 'desc' }, select: { actorId: true, data: true } });
  const reason = (ended?.data as { reason?: unknown } | null | undefined)?.reason;
  return { actorId: ended?.actorId ?? null, reason: typeof reason === 'string' && reason.trim() !== '' ? reason : null };
}

export const createPlanProgramHeldNotice =
  ({ prisma, logger }: Pick<ProgramHeldNoticeDeps, 'prisma' | 'logger'>) =>
  async (input: ProgramHeldNoticeInput): Promise<PlannedDelivery[]> => {
    const owner = await prisma.member.findUnique({ where: { id: input.ownerId } });
    if (!owner || owner.deactivatedAt) {
      logger.info({ programId: input.programId, ownerId: input.ownerId }, 'program held notice not planned: the owner is gone or deactivated');
      return [];
    }
    const end = await recordedEnd(prisma, input.briefId, input.outcome);
    // As with every notification, whoever acted is not told of their own action: an owner who
    // cancelled the brief themselves knows (the program page shows what it holds).
    if (end.actorId === owner.id) return [];
    const wanted = preferencesOf(owner.role, owner.notificationPreferences as Partial<Preferences> | null)[input.outcome] ?? [];
    // Webhooks and chat posts carry brief events; a program notice has no such contract yet.
    if (!wanted.includes('email') || !owner.email) return [];
    const { idempotencyKey, id } = programHeldNoticeKey(input.workflowId, input.briefId, owner.id, 'email');
    const payload: ProgramHeldNoticePayload = {
      kind: 'program_held',
      programId: input.programId,
      key: input.key,
      briefId: input.briefId,
      outcome: input.outcome,
      reason: end.reason,
      held: input.held,
    };
    const row = await prisma.notification.upsert({
      where: { idempotencyKey },
      // About a program, not the brief: a brief's unsent rows are resumed through its own workflow (activities/reconcile.ts).
      create: { id, idempotencyKey, briefId: null, event: PROGRAM_HELD_NOTICE_EVENT, recipientId: owner.id, channel: 'email', status: 'pending', payload: payload as object },
      update: {},
    });
    return SETTLED.includes(row.status) ? [] : [{ id: row.id, notBefore: null }];
  };

/** Why the notice is no longer worth sending, or undefined while the brief still holds the program. */
function movedOn(snapshot: ProgramSnapshot | undefined, payload: ProgramHeldNoticePayload): string | undefined {
  if (!snapshot) return 'the program is not recorded';
  if (snapshot.state.status !== 'running') return `the program is ${snapshot.state.status}`;
  const node = snapshot.state.nodes.find((n) => n.key === payload.key);
  if (!node || node.briefId !== payload.briefId) return 'the brief was replaced meanwhile';
  if (node.state === 'dropped') return 'the brief was dropped meanwhile';
  return undefined;
}

/**
 * Sends a planned notice (deliverNotification's path for PROGRAM_HELD_NOTICE_EVENT rows): dropped
 * when the owner has replaced or dropped the brief, or the program ended, before it went out.
 */
export async function deliverProgramHeldNotice(deps: ProgramHeldNoticeDeps, row: Notification, attempt: number): Promise<void> {
  const { prisma, logger } = deps;
  const payload = row.payload as unknown as ProgramHeldNoticePayload;
  const member = await prisma.member.findUniqueOrThrow({ where: { id: row.recipientId } });
  const program = await prisma.program.findUnique({ where: { id: payload.programId } });
  const snapshot = program?.snapshot as unknown as ProgramSnapshot | undefined;
  // Once a send may have begun (the row is claimed) it is finished instead, so that what the
  // owner got is never recorded as dropped; a deactivated owner gets nothing either way.
  const gone = member.deactivatedAt ? 'the recipient is deactivated' : row.status === 'sending' ? undefined : movedOn(snapshot, payload);
  if (gone) {
    await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held', 'sending'] } }, data: { status: 'dropped', lastError: gone } });
    logger.info({ notificationId: row.id, reason: gone }, 'program held notice dropped');
    return;
  }
  await sendOutboxEmail(deps, row, attempt, 'program held notice', async () => ({ to: member.email, ...(await render(deps, payload, snapshot, member)) }));
}

/** The notice in the owner's language: the brief as recorded (its spec in the program before that), the held briefs' titles from the program. */
async function render(
  { prisma, publicUrl }: ProgramHeldNoticeDeps,
  payload: ProgramHeldNoticePayload,
  snapshot: ProgramSnapshot | undefined,
  member: { name: string; locale: string | null },
) {
  const specs = snapshot?.program.briefs ?? [];
  const spec = specs.find((b) => b.key === payload.key);
  const brief = await prisma.brief.findUnique({ where: { id: payload.briefId }, select: { title: true, partyId: true } });
  const partyId = brief?.partyId ?? spec?.brief.partyId;
  const party = partyId ? await prisma.party.findUnique({ where: { id: partyId }, select: { name: true } }) : null;
  return renderProgramHeldNotice({
    recipient: { name: member.name, locale: localeOf(member.locale) },
    program: { id: payload.programId, name: snapshot?.program.name ?? payload.programId },
    brief: { key: payload.key, title: brief?.title ?? spec?.brief.title ?? payload.key, partyName: party?.name ?? partyId ?? '' },
    outcome: payload.outcome,
    reason: payload.reason,
    held: payload.held.map((key) => ({ key, title: specs.find((b) => b.key === key)?.brief.title ?? key })),
    programUrl: `${publicUrl.replace(/\/$/, '')}${programPath(payload.programId)}`,
  });
}
