// A brief and its actors, shared by the unit and the workflow tests.
import type { BriefInput } from '../../workflows/domain/brief';
import type { Actor } from '../../workflows/domain/vocabulary';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const AGENCY = 'party-agency';
export const OTHER_AGENCY = 'party-other';
export const SHOP = 'party-shop';

export const actors = {
  manager: { memberId: 'm-manager', role: 'manager', partyId: SHOP },
  agency: { memberId: 'm-agency', role: 'member', partyId: AGENCY },
  otherAgency: { memberId: 'm-other', role: 'member', partyId: OTHER_AGENCY },
  watcher: { memberId: 'm-watcher', role: 'watcher', partyId: SHOP },
  admin: { memberId: 'm-admin', role: 'admin', partyId: SHOP },
} satisfies Record<string, Actor>;

export const TARGETS = { acknowledge: 4 * HOUR, deliver: 48 * HOUR, review: 24 * HOUR };

export function briefInput(overrides: Partial<BriefInput> = {}): BriefInput {
  return {
    id: 'brief-1',
    title: 'Christmas landing page',
    description: 'Hero, three teasers, newsletter box',
    partyId: AGENCY,
    managerId: actors.manager.memberId,
    reviewerId: 'm-reviewer',
    priority: 'P2',
    dueAt: null,
    deliverables: ['landing page'],
    targetsMs: { ...TARGETS },
    ...overrides,
  };
}
