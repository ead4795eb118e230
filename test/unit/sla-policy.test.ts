// Clocks under an SLA policy, as pure functions: business-time thresholds on an office calendar,
// the escalation chain (levels, repeats, acknowledgement and re-escalation), hold and resume, a
// changed policy applied to a running brief, and the preview schedule.
import fc from 'fast-check';
import type { BriefState } from '../../workflows/domain/brief';
import { addBusinessTime, businessTimeBetween, CALENDAR_24X7, zonedInstant, type Calendar } from '../../workflows/domain/calendar';
import { elapsedMs, escalationOffsets, nextDeadline } from '../../workflows/domain/clock';
import { applyPolicy } from '../../workflows/domain/edit';
import { agreementFor, toBusinessDuration, type BriefSla } from '../../workflows/domain/policy';
import { clockSchedule } from '../../workflows/domain/schedule';
import { acknowledgeEscalation, checkEscalationAcknowledgement, fireDueClocks, nextClockDeadline, viewBrief } from '../../workflows/domain/sla';
import { applyAction, ActionRejected, emit } from '../../workflows/domain/transitions';
import { actors, DAY, HOUR, isoAt, MINUTE, newState } from './fixtures';
import { dataOf } from '../support/events';

const BERLIN = 'Europe/Berlin';
const weekdays = (hours: [string, string][]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, hours]));
const OFFICE: Calendar = { name: 'Berlin office', timezone: BERLIN, workingHours: weekdays([['09:00', '17:00']]), holidays: ['2025-12-24'] };

function policy(overrides: Partial<BriefSla> = {}): BriefSla {
  return {
    policyId: 'policy-office',
    policyName: 'Office hours',
    policyVersion: 1,
    calendarId: 'calendar-berlin',
    calendarVersion: 1,
    calendar: OFFICE,
    policyTargets: { acknowledge: { P2: 'PT4H', P3: 'P1D' }, deliver: { P2: 'P2D' }, review: { P2: 'P1D' } },
    warnAt: 0.75,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] },
    agreement: 'external',
    reescalate: true,
    ...overrides,
  };
}

const at = (date: string, time: string) => zonedInstant(BERLIN, date, time);
/** Friday 5 December 2025, 15:00 in Berlin. */
const FRIDAY_15 = at('2025-12-05', '15:00');
const MONDAY = (time: string) => at('2025-12-08', time);

function stateAt(start: number, sla: BriefSla = policy(), priority: 'P2' | 'P3' = 'P2'): BriefState {
  return newState({ sla, priority }, start);
}

/** Fires every due deadline up to `until`, one deadline at a time, as the workflow does. */
function runUntil(state: BriefState, until: number): void {
  let n = 0;
  for (let next = nextClockDeadline(state); next !== undefined && next <= until; next = nextClockDeadline(state)) {
    fireDueClocks(state, next, () => `esc-${++n}`);
  }
}

describe('clocks in business time', () => {
  it('a P2 brief created Friday 15:00 on Mon-Fri 09:00-17:00 with a 4-hour target is due Monday 11:00, warned Monday 10:00', () => {
    const state = stateAt(FRIDAY_15);
    const clock = state.clocks.acknowledge;
    expect(clock).toMatchObject({ phase: 'running', targetMs: 4 * HOUR, target: 'PT4H', dueAt: isoAt(MONDAY('11:00')) });
    expect(viewBrief(state, FRIDAY_15).sla.acknowledge.warnsAt).toBe(isoAt(MONDAY('10:00')));
    // On Saturday it stands still: 2 hours counted, 2 to go.
    const saturday = viewBrief(state, FRIDAY_15 + DAY).sla.acknowledge;
    expect(saturday).toMatchObject({ state: 'paused', pausedFor: ['outside_working_hours'], elapsedMs: 2 * HOUR, remainingMs: 2 * HOUR });
  });

  it('a business day is the same time on the next working day: P1D from Friday 15:00 is Monday 15:00 (8 working hours)', () => {
    const state = stateAt(FRIDAY_15, policy(), 'P3');
    expect(state.clocks.acknowledge).toMatchObject({ target: 'P1D', targetMs: 8 * HOUR, dueAt: isoAt(MONDAY('15:00')) });
  });

  it('warns, breaches and raises every level and repeat at its business-time instant', () => {
    const sla = policy({
      escalation: {
        levels: [
          { after: 'PT0S', notify: ['party_lead'] },
          { after: 'PT2H', notify: ['watchers'] },
        ],
        repeatEvery: 'PT4H',
        maxRepeats: 2,
      },
    });
    const state = stateAt(FRIDAY_15, sla);
    runUntil(state, MONDAY('23:00') + 2 * DAY);
    const fired = state.timeline.filter((e) => e.actor === null).map((e) => [e.type, e.at, dataOf(e).level ?? null, dataOf(e).repeat ?? null]);
    expect(fired).toEqual([
      ['sla_warning', isoAt(MONDAY('10:00')), null, null],
      ['sla_breached', isoAt(MONDAY('11:00')), null, null],
      ['escalation_raised', isoAt(MONDAY('11:00')), 1, 0],
      ['escalation_raised', isoAt(MONDAY('13:00')), 2, 0],
      // Four working hours after 13:00 is 17:00; four more run from Tuesday 09:00 to 13:00.
      ['escalation_raised', isoAt(MONDAY('17:00')), 2, 1],
      ['escalation_raised', isoAt(at('2025-12-09', '13:00')), 2, 2],
    ]);
    expect(nextClockDeadline(state)).toBeUndefined();
    const raised = state.timeline.filter((e) => e.type === 'escalation_raised');
    expect(raised.map((e) => e.data.notify)).toEqual([['party_lead'], ['watchers'], ['watchers'], ['watchers']]);
    expect(raised.every((e) => e.data.agreement === 'external' && e.data.clock === 'acknowledge')).toBe(true);
  });

  it('a holiday counts no time: from the day before Christmas Eve the clock skips the 24th', () => {
    const state = stateAt(at('2025-12-23', '15:00'));
    // 2 hours on Tuesday the 23rd; Wednesday the 24th is a holiday; 2 more on Thursday the 25th.
    expect(state.clocks.acknowledge.dueAt).toBe(isoAt(at('2025-12-25', '11:00')));
  });

  it('escalation levels never come before the previous one, whatever their afters say', () => {
    const sla = policy({ escalation: { levels: [{ after: 'PT2H', notify: ['manager'] }, { after: 'PT1H', notify: ['watchers'] }] } });
    expect(escalationOffsets(sla, MONDAY('11:00')).map((s) => s.ms)).toEqual([2 * HOUR, 2 * HOUR]);
  });
});

describe('pauses', () => {
  it('hold pauses every running clock and resume moves the due instant by the paused business time', () => {
    const state = stateAt(MONDAY('09:00'));
    applyAction(state, 'hold', { reason: 'photos' }, actors.manager, MONDAY('10:00'));
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'paused', pausedFor: ['hold'], dueAt: null });
    expect(nextDeadline(state.clocks.acknowledge, policy())).toBeUndefined();
    expect(() => applyAction(state, 'hold', {}, actors.manager, MONDAY('10:30'))).toThrow(ActionRejected);
    // Resumed Tuesday 10:00: held 7 working hours (10-17 Monday) + 1 (9-10 Tuesday).
    applyAction(state, 'resume', {}, actors.manager, at('2025-12-09', '10:00'));
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', pausedFor: [], dueAt: isoAt(at('2025-12-09', '13:00')) });
    expect(state.hold).toBeNull();
    expect(() => applyAction(state, 'resume', {}, actors.manager, at('2025-12-09', '10:30'))).toThrow('not on hold');
  });

  it('a clock started while the brief is on hold starts paused; a clarification and a hold pause it for both reasons', () => {
    const state = stateAt(MONDAY('09:00'));
    applyAction(state, 'askClarification', { question: 'Colours?' }, actors.agency, MONDAY('09:30'));
    applyAction(state, 'hold', {}, actors.manager, MONDAY('10:00'));
    expect(state.clocks.acknowledge.pausedFor).toEqual(['clarification', 'hold']);
    applyAction(state, 'answerClarification', { answer: 'Red' }, actors.manager, MONDAY('11:00'));
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'paused', pausedFor: ['hold'] });
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('12:00'));
    expect(state.clocks.deliver).toMatchObject({ phase: 'paused', pausedFor: ['hold'], dueAt: null });
    applyAction(state, 'resume', {}, actors.manager, MONDAY('13:00'));
    // P2D from 12:00 Monday is Wednesday 12:00; it ran from 13:00, an hour later.
    expect(state.clocks.deliver).toMatchObject({ phase: 'running', target: 'P2D', dueAt: isoAt(at('2025-12-10', '13:00')) });
    expect(state.clocks.acknowledge.stretches).toEqual([[isoAt(MONDAY('09:00')), isoAt(MONDAY('09:30'))]]);
  });

  it('for any pauses, elapsed plus remaining is the target and due instants move by exactly the paused business time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 36 * 60 }), { minLength: 1, maxLength: 8 }), (gapsInMinutes) => {
        const state = stateAt(MONDAY('09:00'));
        let now = MONDAY('09:00');
        let paused = 0;
        let onHold = false;
        let holdStart = now;
        for (const gap of gapsInMinutes) {
          now += gap * MINUTE;
          if (state.clocks.acknowledge.phase !== 'running' && state.clocks.acknowledge.phase !== 'paused') break;
          if (onHold) paused += businessTimeBetween(OFFICE, holdStart, now);
          else holdStart = now;
          applyAction(state, onHold ? 'resume' : 'hold', {}, actors.manager, now);
          onHold = !onHold;
          runUntil(state, now);
        }
        const clock = state.clocks.acknowledge;
        if (clock.phase === 'running' && !clock.breachedAt) {
          expect(clock.dueAt).toBe(isoAt(addBusinessTime(OFFICE, MONDAY('09:00'), 4 * HOUR + paused)));
          expect(elapsedMs(clock, now, policy()) + (4 * HOUR - elapsedMs(clock, now, policy()))).toBe(4 * HOUR);
        }
      }),
    );
  });
});

describe('acknowledging an escalation', () => {
  const sla = policy({
    escalation: {
      levels: [
        { after: 'PT0S', notify: ['party_lead'] },
        { after: 'PT1H', notify: ['manager'] },
      ],
    },
  });

  it('stops the chain; a full target later it re-escalates at the acknowledged level and the chain goes on', () => {
    const state = stateAt(MONDAY('09:00'), sla);
    runUntil(state, MONDAY('13:00'));
    const [level1] = state.timeline.filter((e) => e.type === 'escalation_raised');
    expect(acknowledgeEscalation(state, String(level1.data.escalationId), 'm-lead', MONDAY('13:30'))).toBe('acknowledge');
    expect(state.clocks.acknowledge.ack).toMatchObject({ memberId: 'm-lead', index: 0, elapsedMs: 4.5 * HOUR });
    // No level 2 at 14:00. The re-escalation comes 4 working hours after 13:30 (3.5 on Monday, 0.5
    // on Tuesday): Tuesday 09:30; level 2 follows an hour later.
    runUntil(state, at('2025-12-09', '17:00'));
    const raised = state.timeline.filter((e) => e.type === 'escalation_raised').map((e) => [e.at, e.data.level, e.data.reescalation ?? false]);
    expect(raised).toEqual([
      [isoAt(MONDAY('13:00')), 1, false],
      [isoAt(at('2025-12-09', '09:30')), 1, true],
      [isoAt(at('2025-12-09', '10:30')), 2, false],
    ]);
  });

  it('while the acknowledged chain waits, the brief shows when it re-escalates; the re-escalation names the escalation it follows', () => {
    const state = stateAt(MONDAY('09:00'), sla);
    runUntil(state, MONDAY('13:00'));
    expect(viewBrief(state, MONDAY('13:15')).sla.acknowledge).toMatchObject({ escalationAcknowledged: false, nextEscalationAt: isoAt(MONDAY('14:00')) });
    const [level1] = state.timeline.filter((e) => e.type === 'escalation_raised');
    acknowledgeEscalation(state, String(level1.data.escalationId), 'm-lead', MONDAY('13:30'));
    expect(viewBrief(state, MONDAY('13:30')).sla.acknowledge).toMatchObject({ escalationAcknowledged: true, nextEscalationAt: isoAt(at('2025-12-09', '09:30')) });
    runUntil(state, at('2025-12-09', '09:30'));
    const [first, again] = state.timeline.filter((e) => e.type === 'escalation_raised');
    expect(first.data).not.toHaveProperty('reescalation');
    expect(again.data).toMatchObject({ level: 1, reescalation: true, follows: level1.data.escalationId });
    // Re-raised: the chain runs again, level 2 an hour later.
    expect(viewBrief(state, at('2025-12-09', '09:30')).sla.acknowledge).toMatchObject({ escalationAcknowledged: false, nextEscalationAt: isoAt(at('2025-12-09', '10:30')) });
  });

  it('can be acknowledged once, and only when the brief raised it, in any round', () => {
    const state = stateAt(MONDAY('09:00'), sla);
    runUntil(state, MONDAY('13:00'));
    const escalationId = String(state.timeline.find((e) => e.type === 'escalation_raised')?.data.escalationId);
    const rejection = (id: string) => {
      try {
        checkEscalationAcknowledgement(state, id);
        return undefined;
      } catch (err) {
        return err instanceof ActionRejected ? err.kind : err;
      }
    };
    expect(rejection('nope')).toBe('NotFound');
    expect(rejection(escalationId)).toBeUndefined();
    // As the workflow acknowledges: on the clock, then the event.
    acknowledgeEscalation(state, escalationId, 'm-lead', MONDAY('13:30'));
    emit(state, 'escalation_acknowledged', 'm-lead', MONDAY('13:30'), { escalationId, clock: 'acknowledge' });
    expect(rejection(escalationId)).toBe('IllegalTransition');
    // Without its timeline (the workflow keeps only what is not yet recorded), the state still knows.
    state.timeline = [];
    expect(rejection(escalationId)).toBe('IllegalTransition');
    expect(rejection('nope')).toBe('NotFound');
    // The acknowledge clock's round is over once the brief is acknowledged; its escalation is still the brief's.
    const other = stateAt(MONDAY('09:00'), sla);
    runUntil(other, MONDAY('13:00'));
    const earlier = String(other.timeline.find((e) => e.type === 'escalation_raised')?.data.escalationId);
    applyAction(other, 'acknowledge', {}, actors.agency, MONDAY('13:10'));
    expect(checkEscalationAcknowledgement(other, earlier)).toBeUndefined();
  });

  it('a state of an older run, whose timeline was whole and which kept no record of escalations, derives it from the timeline', () => {
    const state = stateAt(MONDAY('09:00'), sla);
    runUntil(state, MONDAY('13:00'));
    const [first] = state.timeline.filter((e) => e.type === 'escalation_raised');
    const escalationId = String(first.data.escalationId);
    emit(state, 'escalation_acknowledged', 'm-lead', MONDAY('13:30'), { escalationId, clock: 'acknowledge' });
    delete state.escalations;
    expect(() => checkEscalationAcknowledgement(state, escalationId)).toThrow(expect.objectContaining({ kind: 'IllegalTransition' }));
    delete state.escalations;
    state.timeline = state.timeline.filter((e) => e.type !== 'escalation_acknowledged');
    expect(checkEscalationAcknowledgement(state, escalationId)).toBeUndefined();
  });

  it('an unknown or earlier-round escalation changes nothing', () => {
    const state = stateAt(MONDAY('09:00'), sla);
    expect(acknowledgeEscalation(state, 'nope', 'm-lead', MONDAY('10:00'))).toBeUndefined();
    expect(state.clocks.acknowledge.ack).toBeNull();
  });

  it('does not re-escalate for a policy without re-escalation', () => {
    const state = stateAt(MONDAY('09:00'), { ...sla, reescalate: false });
    runUntil(state, MONDAY('13:00'));
    const [level1] = state.timeline.filter((e) => e.type === 'escalation_raised');
    acknowledgeEscalation(state, String(level1.data.escalationId), 'm-lead', MONDAY('13:30'));
    expect(nextClockDeadline(state)).toBeUndefined();
  });
});

describe('applying a changed policy', () => {
  it('recounts the recorded stretches under the new calendar and keeps what happened', () => {
    const state = stateAt(MONDAY('09:00'));
    applyAction(state, 'askClarification', { question: 'Colours?' }, actors.agency, MONDAY('10:00'));
    applyAction(state, 'answerClarification', { answer: 'Red' }, actors.manager, MONDAY('12:00'));
    runUntil(state, MONDAY('14:00'));
    expect(state.clocks.acknowledge.warnedAt).toBe(isoAt(MONDAY('14:00')));
    // Version 2 works 07:00-19:00 and gives 8 hours. Counted: 09:00-10:00 and 12:00-15:00 = 4 h.
    const longDays: Calendar = { ...OFFICE, name: 'Long days', workingHours: weekdays([['07:00', '19:00']]) };
    const v2 = policy({ policyVersion: 2, calendar: longDays, policyTargets: { ...policy().policyTargets, acknowledge: { P2: 'PT8H' } } });
    expect(() => applyPolicy(state, v2, actors.manager, MONDAY('15:00'))).toThrow(ActionRejected);
    const [event] = applyPolicy(state, v2, actors.admin, MONDAY('15:00'));
    expect(event).toMatchObject({ type: 'sla_policy_applied', data: { policyVersion: 2, before: { policyVersion: 1 } } });
    const clock = state.clocks.acknowledge;
    expect(elapsedMs(clock, MONDAY('15:00'), v2)).toBe(4 * HOUR);
    expect(clock).toMatchObject({ targetMs: 8 * HOUR, dueAt: isoAt(MONDAY('19:00')), warnedAt: isoAt(MONDAY('14:00')), round: 1 });
  });

  it('is refused once the brief has ended', () => {
    const state = stateAt(MONDAY('09:00'));
    applyAction(state, 'cancel', { reason: 'x' }, actors.manager, MONDAY('10:00'));
    expect(() => applyPolicy(state, policy(), actors.admin, MONDAY('11:00'))).toThrow('cancelled');
  });
});

describe('preview schedule', () => {
  it('gives the due, warning and escalation instants of a step started at an instant', () => {
    const sla = policy({ escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }, { after: 'P1D', notify: ['watchers'] }] } });
    const schedule = clockSchedule(sla, 'PT4H', FRIDAY_15);
    expect(schedule).toEqual({
      targetMs: 4 * HOUR,
      dueAt: MONDAY('11:00'),
      warnAt: MONDAY('10:00'),
      escalations: [
        { level: 1, repeat: 0, at: MONDAY('11:00') },
        { level: 2, repeat: 0, at: at('2025-12-09', '11:00') },
      ],
    });
  });

  it('a target that ends exactly at closing time is due then, not when work starts again', () => {
    expect(clockSchedule(policy(), 'PT2H', FRIDAY_15).dueAt).toBe(at('2025-12-05', '17:00'));
  });
});

describe('agreement', () => {
  it('internal teams work under an internal agreement, agencies and suppliers under an external one', () => {
    expect(['it', 'logistics', 'marketing', 'customer_service'].map(agreementFor)).toEqual(['internal', 'internal', 'internal', 'internal']);
    expect(['agency', 'supplier', 'marketplace'].map(agreementFor)).toEqual(['external', 'external', 'external']);
  });
});

describe('targets written with weeks or fractional days', () => {
  it.each([
    ['PT4H', 'PT4H'],
    ['P2D', 'P2D'],
    ['P1W', 'P7D'],
    ['P1W2DT3H', 'P9DT3H'],
    ['P1.5D', 'PT129600S'],
  ])('%s counts as %s', (text, expected) => {
    expect(toBusinessDuration(text)).toBe(expected);
  });

  it('a P1W target on the 24x7 calendar is 7 days', () => {
    const state = stateAt(MONDAY('09:00'), policy({ calendar: CALENDAR_24X7, policyTargets: { acknowledge: { P2: 'P1W' }, deliver: {}, review: {} } }));
    expect(state.clocks.acknowledge).toMatchObject({ targetMs: 7 * DAY, dueAt: isoAt(MONDAY('09:00') + 7 * DAY) });
  });
});
