// Who hears about each event. Roles resolve against the brief's party and its manager.
import type { TimelineEvent } from './events';

/**
 * party_members / party_leads: of the brief's party (its members when it names no lead);
 * manager, reviewer: the brief's (the reviewer defaults to the manager); watchers: watchers of
 * the brief's party and watchers of scope `all`; member:<id>: one member named by a policy.
 */
export type Audience = 'party_members' | 'party_leads' | 'manager' | 'reviewer' | 'watchers' | `member:${string}`;

/** An escalation level's `notify` entries (policy roles and member ids) as audiences. */
export function escalationAudience(notify: readonly string[]): Audience[] {
  return notify.map((entry): Audience => {
    switch (entry) {
      case 'party_lead':
        return 'party_leads';
      case 'party_members':
      case 'manager':
      case 'reviewer':
      case 'watchers':
        return entry;
      default:
        return `member:${entry}`;
    }
  });
}

function clockOwner(clock: unknown): Audience[] {
  return clock === 'review' ? ['reviewer'] : ['party_members'];
}

/**
 * Who hears about an event. Under a review plan (`reviewPlan`), a delivery tells the manager, and
 * the stage that opens with it tells its reviewers (review_stage_opened).
 */
export function audienceFor(event: TimelineEvent, { reviewPlan = false }: { reviewPlan?: boolean } = {}): Audience[] {
  switch (event.type) {
    case 'brief_edited':
      // A reassignment tells the new manager too (the brief already names them).
      return event.data.changes?.managerId !== undefined ? ['party_members', 'manager'] : ['party_members'];
    case 'brief_created':
    case 'clarification_answered':
    case 'changes_requested':
    case 'brief_held':
    case 'brief_resumed':
    case 'approved':
    case 'cancelled':
      return ['party_members'];
    case 'acknowledged':
    case 'declined':
    case 'clarification_requested':
      return ['manager'];
    case 'delivered':
      return reviewPlan ? ['manager'] : ['reviewer'];
    case 'comment_added':
      return event.data.role === 'member' ? ['manager'] : ['party_members'];
    case 'sla_warning':
      // Under a review plan, the reviewers of the open stage who have not decided yet.
      if (event.data.clock === 'review' && Array.isArray(event.data.reviewers)) return event.data.reviewers.map((id): Audience => `member:${id}`);
      return clockOwner(event.data.clock);
    case 'review_stage_opened':
      return event.data.reviewers.map((id): Audience => `member:${id}`);
    case 'review_handed_over':
      return [`member:${event.data.to}`];
    case 'escalation_raised':
      // Under a policy, the level names whom it notifies; older briefs escalate to the party's leads and the manager.
      if (Array.isArray(event.data.notify)) return escalationAudience(event.data.notify.map(String));
      return ['party_leads', 'manager', ...(event.data.clock === 'review' ? (['reviewer'] as Audience[]) : [])];
    case 'sla_breached':
    case 'escalation_acknowledged':
    case 'sla_policy_applied':
    case 'review_decided':
    case 'review_stage_closed':
      return [];
  }
}
