// The monthly scorecard email through the notification outbox. planScorecardEmails writes one
// outbox row per recipient of a month: each active member who opted in (members.scorecard_email)
// and leads a party that receives briefs gets that party's scorecard, each manager who opted in
// the comparison of all parties (a manager who also leads a party gets one email with both). The
// rows are keyed by month and member, so a rerun of a month plans nothing new and sends nothing
// twice. deliverNotification hands a scorecard row to deliverScorecardEmail, which reads the
// figures of the month and the month before from the scorecard facts and renders them in the
// recipient's language: the workflow carries row ids only.
import type { PrismaClient } from '../lib/db/database';
import type { Notification } from '../lib/db/generated/client';
import type { Logger } from '../lib/logger';
import { localeOf } from '../lib/i18n';
import { memberTimeZone } from '../services/member-zone';
import { scorecardReport, type Figures } from '../services/scorecards/report';
import { monthDays, previousMonth, SCORECARD_EVENT } from '../workflows/scorecards/definitions';
import type { Mailer } from './notifications/mailer';
import { sendOutboxEmail } from './notifications/outbox-email';
import { renderScorecardEmail, type ScorecardLine, type ScorecardLineFigures } from './notifications/scorecard-template';
import type { PlannedDelivery } from './types';

export interface ScorecardEmailDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  logger: Logger;
  publicUrl: string;
}

/** What a scorecard row's delivery needs: the month, and what the recipient was sent it as when planned. */
export interface ScorecardPayload {
  kind: 'scorecard';
  month: string;
  /** The party the recipient leads (its scorecard comes first); null for a manager leading none. */
  leadOf: string | null;
  /** A manager: the comparison of all parties. */
  comparison: boolean;
}

/** The outbox key of a month's scorecard email to a member (one per month and member, email only). */
export function scorecardOutboxKey(month: string, memberId: string): { idempotencyKey: string; id: string } {
  const idempotencyKey = `scorecard:${month}:${memberId}:email`;
  return { idempotencyKey, id: idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_') };
}

const SETTLED = ['sent', 'failed', 'dropped', 'unconfirmed'];

export const createPlanScorecardEmails =
  ({ prisma }: Pick<ScorecardEmailDeps, 'prisma'>) =>
  async ({ month }: { month: string }): Promise<PlannedDelivery[]> => {
    const members = await prisma.member.findMany({
      where: { deactivatedAt: null, scorecardEmail: true, OR: [{ role: 'manager' }, { isLead: true, party: { kind: { not: 'ecommerce' } } }] },
      include: { party: true },
      orderBy: { id: 'asc' },
    });
    const planned: PlannedDelivery[] = [];
    for (const member of members) {
      const { idempotencyKey, id } = scorecardOutboxKey(month, member.id);
      const payload: ScorecardPayload = {
        kind: 'scorecard',
        month,
        leadOf: member.isLead && member.party.kind !== 'ecommerce' ? member.partyId : null,
        comparison: member.role === 'manager',
      };
      const row = await prisma.notification.upsert({
        where: { idempotencyKey },
        create: { id, idempotencyKey, briefId: null, event: SCORECARD_EVENT, recipientId: member.id, channel: 'email', status: 'pending', payload: payload as object },
        update: {},
      });
      if (!SETTLED.includes(row.status)) planned.push({ id: row.id, notBefore: null });
    }
    return planned;
  };

function lineFigures(figures: Figures): ScorecardLineFigures {
  return {
    received: figures.briefs.received,
    acknowledgeOnTimePercent: figures.acknowledge.onTimePercent,
    deliverOnTimePercent: figures.deliver.onTimePercent,
    reviewOnTimePercent: figures.review.onTimePercent,
    acknowledgeMedianMs: figures.acknowledge.medianMs,
    escalations: figures.escalations.total,
  };
}

/** The month's scorecards (of one party, or all) beside the month before's, in the recipient's time zone. */
async function scorecardLines(prisma: PrismaClient, month: string, timezone: string, partyId: string | undefined): Promise<ScorecardLine[]> {
  const report = (m: string) => scorecardReport(prisma, { ...monthDays(m), timezone, ...(partyId ? { partyIds: [partyId] } : {}) });
  const [current, previous] = await Promise.all([report(month), report(previousMonth(month))]);
  const before = new Map(previous.scorecards.map((s) => [`${s.partyId}/${s.agreement}`, s.figures]));
  return current.scorecards.map((s) => {
    const earlier = before.get(`${s.partyId}/${s.agreement}`);
    return { partyId: s.partyId, partyName: s.partyName, agreement: s.agreement, current: lineFigures(s.figures), previous: earlier ? lineFigures(earlier) : null };
  });
}

/** Sends one scorecard row (see deliverNotification): once in effect, under the row's Message-ID on a retry. */
export async function deliverScorecardEmail(deps: ScorecardEmailDeps, row: Notification, attempt: number): Promise<void> {
  const { prisma, logger } = deps;
  const payload = row.payload as unknown as ScorecardPayload;
  const member = await prisma.member.findUniqueOrThrow({ where: { id: row.recipientId }, include: { party: true } });
  // Deactivated, or opted out, since the month was planned: nothing is sent, nor retried.
  const gone = member.deactivatedAt ? 'the recipient is deactivated' : !member.scorecardEmail ? 'the recipient opted out of the scorecard email' : undefined;
  if (gone) {
    await prisma.notification.updateMany({ where: { id: row.id, status: { in: ['pending', 'held', 'sending'] } }, data: { status: 'dropped', lastError: gone } });
    logger.info({ notificationId: row.id, reason: gone }, 'scorecard email dropped');
    return;
  }
  await sendOutboxEmail(deps, row, attempt, 'scorecard email', async () => {
    const locale = localeOf(member.locale);
    const timezone = await memberTimeZone(prisma, member);
    const lines = await scorecardLines(prisma, payload.month, timezone, payload.comparison ? undefined : (payload.leadOf ?? undefined));
    const { from, to } = monthDays(payload.month);
    const base = deps.publicUrl.replace(/\/$/, '');
    const page = payload.comparison || !payload.leadOf ? '/reports' : `/reports/${encodeURIComponent(payload.leadOf)}`;
    const message = renderScorecardEmail({
      recipient: { name: member.name, locale },
      month: payload.month,
      ownParty: payload.leadOf ? { id: payload.leadOf, name: member.party.name } : null,
      lines,
      comparison: payload.comparison,
      reportsUrl: `${base}${page}?from=${from}&to=${to}`,
    });
    return { to: member.email, subject: message.subject, text: message.text, html: message.html };
  });
}
