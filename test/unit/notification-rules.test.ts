// Who is told of what, and how: the notification event of each brief event, the channels each
// role gets by default and how stored preferences override them, which notifications are urgent
// (sent at once, not held for quiet hours), and whom an escalation level names.
import { escalationAudience } from '../../workflows/domain/audience';
import { EVENT_TYPES, type BriefEventType } from '../../workflows/domain/vocabulary';
import { briefWorkflowId } from '../../workflows/domain/ids';
import {
  CHANNELS,
  defaultPreferences,
  isUrgent,
  NOTIFICATION_EVENTS,
  notificationEventOf,
  preferencesOf,
  type NotificationEvent,
} from '../../workflows/domain/notifications';

describe('the notification event of a brief event', () => {
  const EXPECTED: Record<BriefEventType, NotificationEvent | undefined> = {
    brief_created: 'brief_assigned',
    acknowledged: 'acknowledged',
    declined: 'declined',
    clarification_requested: 'clarification_asked',
    clarification_answered: 'clarification_answered',
    delivered: 'delivery_submitted',
    changes_requested: 'changes_requested',
    approved: 'approved',
    cancelled: 'cancelled',
    comment_added: 'comment',
    sla_warning: 'reminder',
    sla_breached: undefined,
    escalation_raised: 'escalation',
    escalation_acknowledged: undefined,
    brief_edited: 'brief_changed',
    brief_held: 'brief_changed',
    brief_resumed: 'brief_changed',
    sla_policy_applied: undefined,
    review_stage_opened: 'review_requested',
    review_decided: undefined,
    review_handed_over: 'review_requested',
    review_stage_closed: undefined,
  };

  test.each(EVENT_TYPES.map((type) => [type, EXPECTED[type]]))('%s is notified as %s', (type, expected) => {
    expect(notificationEventOf(type)).toBe(expected);
  });

  test('members choose channels for exactly the events the README lists, through email, webhook and chat', () => {
    expect(NOTIFICATION_EVENTS).toEqual([
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
    ]);
    expect(CHANNELS).toEqual(['email', 'webhook', 'chat']);
  });
});

describe('preferences', () => {
  test.each(['admin', 'manager', 'member'] as const)('a %s gets every event through every channel by default', (role) => {
    const prefs = defaultPreferences(role);
    expect(Object.keys(prefs).sort()).toEqual([...NOTIFICATION_EVENTS].sort());
    for (const event of NOTIFICATION_EVENTS) expect(prefs[event]).toEqual(['email', 'webhook', 'chat']);
  });

  test('a watcher follows escalations only', () => {
    const prefs = defaultPreferences('watcher');
    expect(prefs.escalation).toEqual(['email', 'webhook', 'chat']);
    for (const event of NOTIFICATION_EVENTS.filter((e) => e !== 'escalation')) expect(prefs[event]).toEqual([]);
  });

  test("each event's channels are a list of their own: changing one changes no other, nor the next member's defaults", () => {
    const prefs = defaultPreferences('member');
    prefs.comment.splice(0);
    expect(prefs.reminder).toEqual(['email', 'webhook', 'chat']);
    expect(defaultPreferences('member').comment).toEqual(['email', 'webhook', 'chat']);
    const watcher = defaultPreferences('watcher');
    watcher.comment.push('email');
    expect(watcher.reminder).toEqual([]);
  });

  test('stored preferences override the defaults of the role event by event; none stored means the defaults', () => {
    expect(preferencesOf('member', { comment: [], reminder: ['chat'] })).toEqual({ ...defaultPreferences('member'), comment: [], reminder: ['chat'] });
    expect(preferencesOf('watcher', { approved: ['email'] })).toEqual({ ...defaultPreferences('watcher'), approved: ['email'] });
    expect(preferencesOf('manager', null)).toEqual(defaultPreferences('manager'));
    expect(preferencesOf('manager', undefined)).toEqual(defaultPreferences('manager'));
  });
});

describe('urgency', () => {
  test('escalations are urgent whatever the priority', () => {
    for (const priority of ['P1', 'P2', 'P3', 'P4'] as const) expect(isUrgent('escalation', priority)).toBe(true);
  });

  test('everything about P1 and P2 briefs is urgent; reminders and updates of P3 and P4 briefs wait for working hours', () => {
    for (const event of NOTIFICATION_EVENTS) {
      expect(isUrgent(event, 'P1')).toBe(true);
      expect(isUrgent(event, 'P2')).toBe(true);
      if (event === 'escalation') continue;
      expect(isUrgent(event, 'P3')).toBe(false);
      expect(isUrgent(event, 'P4')).toBe(false);
    }
  });
});

describe("an escalation level's notify list", () => {
  test('names roles, which resolve against the brief, and members by id', () => {
    expect(escalationAudience(['party_lead', 'party_members', 'manager', 'reviewer', 'watchers', 'm-42'])).toEqual([
      'party_leads',
      'party_members',
      'manager',
      'reviewer',
      'watchers',
      'member:m-42',
    ]);
    expect(escalationAudience([])).toEqual([]);
  });
});

describe('workflow ids', () => {
  test("a brief's workflow is named after the brief", () => {
    expect(briefWorkflowId('7d3b0c1e')).toBe('brief-7d3b0c1e');
  });
});
