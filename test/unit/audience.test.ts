import { audienceFor, type Audience } from '../../workflows/domain/audience';
import type { TimelineEvent } from '../../workflows/domain/events';
import type { BriefEventType } from '../../workflows/domain/vocabulary';
import { CLOCKS, EVENT_TYPES } from '../../workflows/domain/vocabulary';
import { looseEvent } from '../support/events';

const AUDIENCES: Audience[] = ['party_members', 'party_leads', 'manager', 'reviewer'];

function event(type: BriefEventType, data: Record<string, unknown> = {}): TimelineEvent {
  return looseEvent({ seq: 1, type, actor: null, at: '2025-01-06T09:00:00.000Z', data });
}

describe('audienceFor', () => {
  it.each(EVENT_TYPES)('maps %s to a list of known audiences', (type) => {
    const audience = audienceFor(event(type, { clock: 'deliver', role: 'member', reviewers: ['m-legal'], to: 'm-colleague' }));
    expect(Array.isArray(audience)).toBe(true);
    for (const a of audience) expect(a.startsWith('member:') ? ['member:m-legal', 'member:m-colleague'] : AUDIENCES).toContain(a);
    expect(new Set(audience).size).toBe(audience.length);
  });

  it('tells the party of an edit, and the new manager too when the edit reassigns the brief', () => {
    expect(audienceFor(event('brief_edited', { changes: { title: 'Renamed' }, before: { title: 'Old' } }))).toEqual(['party_members']);
    expect(audienceFor(event('brief_edited', { changes: { managerId: 'm-2' }, before: { managerId: 'm-1' } }))).toEqual(['party_members', 'manager']);
  });

  it.each([
    ['brief_created', ['party_members']],
    ['clarification_answered', ['party_members']],
    ['changes_requested', ['party_members']],
    ['approved', ['party_members']],
    ['cancelled', ['party_members']],
    ['acknowledged', ['manager']],
    ['declined', ['manager']],
    ['clarification_requested', ['manager']],
    ['delivered', ['reviewer']],
    ['sla_breached', []],
    ['escalation_acknowledged', []],
  ] as const)('sends %s to %j', (type, expected) => {
    expect(audienceFor(event(type))).toEqual(expected);
  });

  it('under a review plan, tells the manager of a delivery and each opening stage its reviewers; a handed-over review its new reviewer', () => {
    expect(audienceFor(event('delivered'), { reviewPlan: true })).toEqual(['manager']);
    expect(audienceFor(event('review_stage_opened', { reviewers: ['m-brand', 'm-legal'] }))).toEqual(['member:m-brand', 'member:m-legal']);
    expect(audienceFor(event('review_handed_over', { reviewerId: 'm-legal', to: 'm-legal-2' }))).toEqual(['member:m-legal-2']);
    expect(audienceFor(event('sla_warning', { clock: 'review', reviewers: ['m-shop-1'] }))).toEqual(['member:m-shop-1']);
    expect(audienceFor(event('review_decided'))).toEqual([]);
    expect(audienceFor(event('review_stage_closed'))).toEqual([]);
  });

  it('sends a member comment to the manager and a manager comment to the party', () => {
    expect(audienceFor(event('comment_added', { role: 'member' }))).toEqual(['manager']);
    expect(audienceFor(event('comment_added', { role: 'manager' }))).toEqual(['party_members']);
  });

  it('reminds the owner of the step: the party for acknowledge and deliver, the reviewer for review', () => {
    expect(audienceFor(event('sla_warning', { clock: 'acknowledge' }))).toEqual(['party_members']);
    expect(audienceFor(event('sla_warning', { clock: 'deliver' }))).toEqual(['party_members']);
    expect(audienceFor(event('sla_warning', { clock: 'review' }))).toEqual(['reviewer']);
  });

  it.each(CLOCKS)('sends an escalation on the %s clock to the party leads and the manager', (clock) => {
    const audience = audienceFor(event('escalation_raised', { clock, level: 1 }));
    expect(audience.slice(0, 2)).toEqual(['party_leads', 'manager']);
    expect(audience.includes('reviewer')).toBe(clock === 'review');
  });
});
