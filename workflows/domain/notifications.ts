// What members are notified of and through which channels: the event types a member chooses
// channels for, the defaults per role, and which notifications are urgent (sent at once) and which
// wait for the recipient's working hours. Pure data and functions, shared by the API and the
// activities.
import type { BriefEventType, Priority, Role } from './vocabulary';

/** The event types a member chooses channels for. */
export const NOTIFICATION_EVENTS = [
  'brief_assigned',
  'reminder',
  'escalation',
  'clarification_asked',
  'clarification_answered',
  'delivery_submitted',
  'changes_requested',
  'approved',
  'cancelled',
  'acknowledged',
  'declined',
  'comment',
  'brief_changed',
  'review_requested',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const CHANNELS = ['email', 'webhook', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export type Preferences = Record<NotificationEvent, Channel[]>;

/** The notification event type of a brief event; undefined for events nobody is notified of. */
export function notificationEventOf(type: BriefEventType): NotificationEvent | undefined {
  switch (type) {
    case 'brief_created':
      return 'brief_assigned';
    case 'sla_warning':
      return 'reminder';
    case 'escalation_raised':
      return 'escalation';
    case 'clarification_requested':
      return 'clarification_asked';
    case 'clarification_answered':
      return 'clarification_answered';
    case 'delivered':
      return 'delivery_submitted';
    case 'changes_requested':
      return 'changes_requested';
    case 'approved':
      return 'approved';
    case 'cancelled':
      return 'cancelled';
    case 'acknowledged':
      return 'acknowledged';
    case 'declined':
      return 'declined';
    case 'comment_added':
      return 'comment';
    case 'review_stage_opened':
    case 'review_handed_over':
      return 'review_requested';
    case 'brief_edited':
    case 'brief_held':
    case 'brief_resumed':
      return 'brief_changed';
    default:
      return undefined;
  }
}

const all = (channels: Channel[]): Preferences => Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, [...channels]])) as Preferences;

/**
 * Defaults per role: everyone gets email and, where they have set one up, webhook and chat
 * messages for what concerns them; watchers follow escalations only.
 */
export function defaultPreferences(role: Role): Preferences {
  if (role === 'watcher') {
    const prefs = all([]);
    prefs.escalation = ['email', 'webhook', 'chat'];
    return prefs;
  }
  return all(['email', 'webhook', 'chat']);
}

/** A member's preferences: the stored ones over the defaults of their role. */
export function preferencesOf(role: Role, stored: Partial<Preferences> | null | undefined): Preferences {
  return { ...defaultPreferences(role), ...(stored ?? {}) };
}

/**
 * Urgent notifications go out at once: escalations, and everything about P1 and P2 briefs. The
 * others (reminders and updates of P3 and P4 briefs) wait for the recipient's working hours.
 */
export function isUrgent(event: NotificationEvent, priority: Priority): boolean {
  return event === 'escalation' || priority === 'P1' || priority === 'P2';
}
