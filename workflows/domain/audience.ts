// Who hears about each event. Roles resolve against the brief's party and its manager.
import type { TimelineEvent } from './brief';

export type Audience = 'party_members' | 'party_leads' | 'manager' | 'reviewer';

function clockOwner(clock: unknown): Audience[] {
  return clock === 'review' ? ['reviewer'] : ['party_members'];
}

export function audienceFor(event: TimelineEvent): Audience[] {
  switch (event.type) {
    case 'brief_created':
    case 'clarification_answered':
    case 'changes_requested':
    case 'brief_edited':
    case 'approved':
    case 'cancelled':
      return ['party_members'];
    case 'acknowledged':
    case 'declined':
    case 'clarification_requested':
      return ['manager'];
    case 'delivered':
      return ['reviewer'];
    case 'comment_added':
      return event.data.role === 'member' ? ['manager'] : ['party_members'];
    case 'sla_warning':
      return clockOwner(event.data.clock);
    case 'escalation_raised':
      return ['party_leads', 'manager', ...(event.data.clock === 'review' ? (['reviewer'] as Audience[]) : [])];
    case 'sla_breached':
    case 'escalation_acknowledged':
      return [];
  }
}
