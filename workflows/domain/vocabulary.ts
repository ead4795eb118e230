// The words a brief is described in: priorities, statuses, clocks, roles and event types, and who
// acts. A leaf: the state, the events and the policies are built from it, and it imports nothing.

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ROLES = ['admin', 'manager', 'member', 'watcher'] as const;
export type Role = (typeof ROLES)[number];

export const CLOCKS = ['acknowledge', 'deliver', 'review'] as const;
export type ClockName = (typeof CLOCKS)[number];

export const STATUSES = [
  'awaiting_ack',
  'in_progress',
  'clarification_requested',
  'in_review',
  'changes_requested',
  'approved',
  'declined',
  'cancelled',
] as const;
export type BriefStatus = (typeof STATUSES)[number];

export const TERMINAL_STATUSES: readonly BriefStatus[] = ['approved', 'declined', 'cancelled'];

export function isTerminal(status: BriefStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const EVENT_TYPES = [
  'brief_created',
  'acknowledged',
  'declined',
  'clarification_requested',
  'clarification_answered',
  'delivered',
  'changes_requested',
  'approved',
  'cancelled',
  'comment_added',
  'sla_warning',
  'sla_breached',
  'escalation_raised',
  'escalation_acknowledged',
  'brief_edited',
  'brief_held',
  'brief_resumed',
  'sla_policy_applied',
  'review_stage_opened',
  'review_decided',
  'review_handed_over',
  'review_stage_closed',
] as const;
export type BriefEventType = (typeof EVENT_TYPES)[number];

/** Who performs an action. Resolved by the API from the caller's key. */
export interface Actor {
  memberId: string;
  role: Role;
  partyId: string;
}
