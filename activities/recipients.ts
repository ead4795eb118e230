// Who an event concerns: the members of its audience (the party's members or leads, the
// manager, the reviewer, the watchers, a named member), never the member who acted, never a
// deactivated member.
import type { PrismaClient } from '../lib/db/database';
import type { Audience } from '../workflows/domain/audience';
import type { Locale } from '../lib/i18n';
import type { PlanInput } from './types';

export interface Recipient {
  id: string;
  email: string;
  locale: Locale;
  webhookUrl: string | null;
}

/** The events whose notifications a member's delegate receives too while the member is out of office. */
const DELEGATED_EVENTS: ReadonlySet<string> = new Set(['brief_created', 'review_stage_opened', 'review_handed_over', 'sla_warning']);

export async function resolveRecipients(prisma: PrismaClient, input: Pick<PlanInput, 'brief' | 'event' | 'audience'>): Promise<Recipient[]> {
  const { brief, event } = input;
  const select = { id: true, email: true, locale: true, webhookUrl: true } as const;
  const byAudience = async (audience: Audience): Promise<Recipient[]> => {
    switch (audience) {
      case 'party_members':
        return prisma.member.findMany({ where: { deactivatedAt: null, partyId: brief.partyId, role: 'member' }, select });
      case 'party_leads': {
        const leads = await prisma.member.findMany({ where: { deactivatedAt: null, partyId: brief.partyId, isLead: true }, select });
        // A party without a named lead escalates to all of its members.
        return leads.length ? leads : byAudience('party_members');
      }
      case 'manager':
        return prisma.member.findMany({ where: { deactivatedAt: null, id: brief.managerId }, select });
      case 'reviewer':
        return prisma.member.findMany({ where: { deactivatedAt: null, id: brief.reviewerId ?? brief.managerId }, select });
      case 'watchers':
        return prisma.member.findMany({ where: { deactivatedAt: null, role: 'watcher', OR: [{ partyId: brief.partyId }, { scope: 'all' }] }, select });
      default:
        return prisma.member.findMany({ where: { deactivatedAt: null, id: audience.slice('member:'.length) }, select });
    }
  };
  const all = (await Promise.all(input.audience.map(byAudience))).flat();
  const unique = new Map(all.filter((m) => m.id !== event.actor).map((m) => [m.id, m]));
  // What asks a member to act (a new brief, a review, a reminder) reaches their delegate too while they are out of office.
  if (DELEGATED_EVENTS.has(event.type) && unique.size > 0) {
    const now = new Date();
    const away = await prisma.outOfOffice.findMany({ where: { memberId: { in: [...unique.keys()] }, from: { lte: now }, until: { gt: now } }, select: { delegateId: true } });
    if (away.length) {
      const delegates = await prisma.member.findMany({ where: { deactivatedAt: null, id: { in: away.map((a) => a.delegateId) } }, select });
      for (const d of delegates) if (d.id !== event.actor && !unique.has(d.id)) unique.set(d.id, d);
    }
  }
  return [...unique.values()];
}
