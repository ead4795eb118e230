// The rules a brief runs under when nobody set up a policy: the built-in `default` policy (the
// configured targets, round the clock, one escalation at the breach to the party lead and the
// manager), the rules of briefs created before policies existed, the agreement a party works
// under, and SLA targets written with weeks.
import { briefSlaFromRows, builtInPolicy, type SlaTargets } from '../../services/policies';
import { audienceFor } from '../../workflows/domain/audience';
import { CALENDAR_24X7 } from '../../workflows/domain/calendar';
import { agreementFor, AGREEMENTS, BUILT_IN_POLICY_ID, toBusinessDuration } from '../../workflows/domain/policy';
import { acknowledgeEscalation, fireDueClocks, nextClockDeadline, viewBrief } from '../../workflows/domain/sla';
import { HOUR, isoAt, newState, T0, TARGETS } from './fixtures';
import { nextEscalationId, runUntil } from './policy-fixtures';

const SLA_TARGETS: SlaTargets = {
  acknowledge: { P1: 'PT1H', P2: 'PT4H', P3: 'P1D', P4: 'P2D' },
  deliver: { P1: 'P1D', P2: 'P3D', P3: 'P5D', P4: 'P10D' },
  review: { P1: 'PT4H', P2: 'P1D', P3: 'P2D', P4: 'P3D' },
};

describe('the built-in policy', () => {
  test('is called default, counts round the clock, warns at 75 % and escalates once at the breach to the party lead and the manager', () => {
    const row = builtInPolicy(SLA_TARGETS);
    expect(row.id).toBe(BUILT_IN_POLICY_ID);
    expect(BUILT_IN_POLICY_ID).toBe('default');
    const sla = briefSlaFromRows('built-in', null, 'agency', SLA_TARGETS);
    expect(sla).toMatchObject({ policyId: 'default', calendar: CALENDAR_24X7, warnAt: 0.75, agreement: 'external' });

    const state = newState({ sla, priority: 'P2' }, T0);
    runUntil(state, T0 + 30 * 24 * HOUR);
    const escalations = state.timeline.filter((e) => e.type === 'escalation_raised');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ at: isoAt(T0 + 4 * HOUR), data: { level: 1, repeat: 0, notify: ['party_lead', 'manager'] } });
    expect(audienceFor(escalations[0])).toEqual(['party_leads', 'manager']);
  });
});

describe('briefs created before policies existed', () => {
  test('never re-escalate: an acknowledged escalation stops the chain for good', () => {
    const state = newState({}, T0);
    fireDueClocks(state, T0 + TARGETS.acknowledge, nextEscalationId(state));
    const [escalation] = state.timeline.filter((e) => e.type === 'escalation_raised');
    acknowledgeEscalation(state, String(escalation.data.escalationId), 'm-lead', T0 + TARGETS.acknowledge + HOUR);
    expect(nextClockDeadline(state)).toBeUndefined();
    expect(fireDueClocks(state, T0 + 365 * 24 * HOUR, nextEscalationId(state))).toEqual([]);
    expect(viewBrief(state, T0 + 10 * HOUR).sla.acknowledge).toMatchObject({ escalationAcknowledged: true, nextEscalationAt: null });
    // They show no policy.
    expect(viewBrief(state, T0).slaPolicy).toBeNull();
  });
});

describe('agreements', () => {
  test('are internal or external', () => {
    expect(AGREEMENTS).toEqual(['internal', 'external']);
  });

  test.each(['ecommerce', 'it', 'logistics', 'marketing', 'customer_service'])('parties of kind %s work under an internal agreement', (kind) => {
    expect(agreementFor(kind)).toBe('internal');
  });

  test.each(['agency', 'supplier', 'marketplace', ''])('parties of kind %j work under an external one', (kind) => {
    expect(agreementFor(kind)).toBe('external');
  });
});

describe('targets written with weeks', () => {
  test.each([
    ['P10W', 'P70D'],
    ['P1W10D', 'P17D'],
    ['P2WT4H', 'P14DT4H'],
  ])('%s counts as %s', (text, expected) => {
    expect(toBusinessDuration(text)).toBe(expected);
  });

  test.each(['P', 'PT', 'P1DT', 'XP1W', 'P1Wx', 'P1WT', 'P1M', 'four hours'])('%j is refused as not an ISO 8601 duration', (text) => {
    expect(() => toBusinessDuration(text)).toThrow(new RangeError(`"${text}" is not an ISO 8601 duration`));
  });
});
