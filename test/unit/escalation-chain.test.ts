// The escalation chain in detail: what an escalation says about the step it escalates, a worker
// that catches up late, acknowledgements (of the right clock, while paused, after the step is
// done, unknown ones) and re-escalations that repeat, with the chain going on after each at the
// offsets its policy gives.
import type { BriefState } from '../../workflows/domain/brief';
import { applyAction } from '../../workflows/domain/transitions';
import { acknowledgeEscalation, checkEscalationAcknowledgement, escalationsOf, fireDueClocks, viewBrief } from '../../workflows/domain/sla';
import { actors, HOUR, isoAt, MINUTE, newState, refusal, T0, TARGETS } from './fixtures';
import { MONDAY, nextEscalationId, policy, raisedEscalations, runUntil, stateAt, TUESDAY, WEDNESDAY } from './policy-fixtures';
import { dataOf } from '../support/events';

describe('what an escalation says about its step', () => {
  test('a worker that catches up late still names when the step was due, so the notice says how late it is', () => {
    const state = stateAt(MONDAY('09:00'));
    // Down from before the warning until two hours after the 13:00 deadline.
    const events = fireDueClocks(state, MONDAY('15:00'), nextEscalationId(state));
    expect(events.map((e) => e.type)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
    const [, breached, escalation] = events;
    expect(breached.data).toStrictEqual({ clock: 'acknowledge', dueAt: isoAt(MONDAY('13:00')), round: 1 });
    expect(escalation.data).toStrictEqual({
      escalationId: 'esc-1',
      clock: 'acknowledge',
      level: 1,
      round: 1,
      repeat: 0,
      agreement: 'external',
      notify: ['party_lead', 'manager'],
      dueAt: isoAt(MONDAY('13:00')),
    });
    expect(state.clocks.acknowledge.breachedAt).toBe(isoAt(MONDAY('15:00')));
  });

  test('a clock from a run before escalation chains were recorded escalates once at its breach, as such briefs always did', () => {
    // A brief without a policy whose clock state lacks the chain's record (nextStep, raised, ack).
    const state = newState();
    for (const field of ['nextStep', 'raised', 'ack'] as const) delete state.clocks.acknowledge[field];
    const breachAt = T0 + TARGETS.acknowledge;
    const events = fireDueClocks(state, breachAt + 2 * HOUR, nextEscalationId(state));
    expect(events.map((e) => e.type)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
    // Briefs without a policy say less: no repeat, agreement or notify list.
    expect(events[2].data).toStrictEqual({ escalationId: 'esc-1', clock: 'acknowledge', level: 1, round: 1, dueAt: isoAt(breachAt) });
    expect(fireDueClocks(state, breachAt + 30 * 24 * HOUR, nextEscalationId(state))).toEqual([]);
    expect(viewBrief(state, breachAt + 3 * HOUR).sla.acknowledge).toMatchObject({ state: 'breached', escalationLevel: 1, nextEscalationAt: null });
  });
});

describe('acknowledging an escalation', () => {
  test('what a refusal says: an escalation the brief never raised, and one already acknowledged', () => {
    const state = stateAt(MONDAY('09:00'));
    runUntil(state, MONDAY('13:00'));
    expect(refusal(() => checkEscalationAcknowledgement(state, 'esc-404'))).toMatchObject({ kind: 'NotFound', message: 'the brief raised no escalation esc-404' });
    acknowledgeEscalation(state, 'esc-1', 'm-lead', MONDAY('13:30'));
    expect(refusal(() => checkEscalationAcknowledgement(state, 'esc-1'))).toMatchObject({ kind: 'IllegalTransition', message: 'the escalation is already acknowledged' });
  });

  test('an acknowledgement of an escalation the brief never raised (as a signal, which has no validator) does not make it known', () => {
    const state = stateAt(MONDAY('09:00'));
    runUntil(state, MONDAY('13:00'));
    expect(acknowledgeEscalation(state, 'esc-404', 'm-lead', MONDAY('13:30'))).toBeUndefined();
    expect(refusal(() => checkEscalationAcknowledgement(state, 'esc-404')).kind).toBe('NotFound');
    // The brief's own escalation is still open, its chain untouched.
    expect(checkEscalationAcknowledgement(state, 'esc-1')).toBeUndefined();
    expect(state.clocks.acknowledge.ack).toBeNull();
  });

  test('in a timeline of an older run, only a raised escalation is known; an acknowledgement alone names none', () => {
    const state = stateAt(MONDAY('09:00'));
    runUntil(state, MONDAY('13:00'));
    state.timeline.push({ seq: state.seq + 1, type: 'escalation_acknowledged', actor: 'm-lead', at: isoAt(MONDAY('13:30')), data: { escalationId: 'esc-elsewhere' } });
    delete state.escalations;
    expect(escalationsOf(state)).toStrictEqual({ 'esc-1': false });
  });

  test('stops the chain of the clock that raised it, not of another clock that escalated earlier', () => {
    const state = stateAt(MONDAY('09:00'));
    const next = nextEscalationId(state);
    fireDueClocks(state, MONDAY('13:00'), next);
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('14:00'));
    // The deliver clock (P2D from Monday 14:00) breaches Wednesday 14:00 and escalates too.
    fireDueClocks(state, WEDNESDAY('14:00'), next);
    expect(raisedEscalations(state).map((e) => e.id)).toEqual(['esc-1', 'esc-2']);
    expect(acknowledgeEscalation(state, 'esc-2', 'm-lead', WEDNESDAY('14:30'))).toBe('deliver');
    expect(state.clocks.deliver.ack).toMatchObject({ escalationId: 'esc-2', memberId: 'm-lead', index: 0 });
    expect(viewBrief(state, WEDNESDAY('14:30')).sla.deliver).toMatchObject({ escalationAcknowledged: true });
  });

  test('after its step is done, the acknowledgement is recorded but the finished clock stays as it was', () => {
    const state = stateAt(MONDAY('09:00'));
    runUntil(state, MONDAY('13:00'));
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('14:00'));
    const finished = structuredClone(state.clocks.acknowledge);
    expect(acknowledgeEscalation(state, 'esc-1', 'm-lead', MONDAY('14:30'))).toBe('acknowledge');
    expect(state.clocks.acknowledge).toStrictEqual(finished);
    expect(refusal(() => checkEscalationAcknowledgement(state, 'esc-1')).kind).toBe('IllegalTransition');
  });

  test('while the brief is on hold, the chain stops; the re-escalation comes a full target of running time after the acknowledgement', () => {
    const state = stateAt(MONDAY('09:00'));
    runUntil(state, MONDAY('13:00'));
    applyAction(state, 'hold', {}, actors.manager, MONDAY('13:15'));
    acknowledgeEscalation(state, 'esc-1', 'm-lead', MONDAY('13:30'));
    expect(state.clocks.acknowledge.ack).toMatchObject({ escalationId: 'esc-1', elapsedMs: 4 * HOUR + 15 * MINUTE });
    applyAction(state, 'resume', {}, actors.manager, MONDAY('14:15'));
    // 4 hours of running time after the 4 h 15 min counted at the acknowledgement: 17:00 Monday (2 h 45 min
    // after the resume), then 1 h 15 min on Tuesday.
    runUntil(state, TUESDAY('17:00'));
    expect(raisedEscalations(state).map(({ at, reescalation }) => [isoAt(at), reescalation])).toEqual([
      [isoAt(MONDAY('13:00')), false],
      [isoAt(TUESDAY('10:15')), true],
    ]);
  });
});

describe('re-escalation', () => {
  const chain = policy({
    escalation: {
      levels: [
        { after: 'PT0S', notify: ['party_lead'] },
        { after: 'PT1H', notify: ['manager'] },
        { after: 'PT2H', notify: ['watchers'] },
      ],
    },
  });

  /** Acknowledges the latest escalation raised, as the workflow does. */
  function acknowledgeLatest(state: BriefState, now: number): void {
    const latest = raisedEscalations(state).at(-1)!;
    checkEscalationAcknowledgement(state, latest.id);
    acknowledgeEscalation(state, latest.id, 'm-watcher', now);
  }

  test('does not come before it is due, whenever the clocks are checked', () => {
    const state = stateAt(MONDAY('09:00'), chain);
    const next = nextEscalationId(state);
    fireDueClocks(state, MONDAY('13:00'), next);
    acknowledgeLatest(state, MONDAY('13:30'));
    // Level 2 was due at 14:00; the acknowledged chain stands still until Tuesday 09:30.
    for (const time of [MONDAY('14:00'), MONDAY('16:59'), TUESDAY('09:29')]) expect(fireDueClocks(state, time, next)).toEqual([]);
    expect(fireDueClocks(state, TUESDAY('09:30'), next).map((e) => [e.type, dataOf(e).level, dataOf(e).reescalation])).toEqual([['escalation_raised', 1, true]]);
  });

  test('of a later level: the chain goes on after it at the policy offsets, counted from the re-escalation', () => {
    const state = stateAt(MONDAY('09:00'), chain);
    runUntil(state, MONDAY('14:00'));
    // Level 2 (an hour after the breach) is acknowledged at 14:30, with 5 h 30 min counted.
    acknowledgeLatest(state, MONDAY('14:30'));
    // Re-raised 4 working hours later (Tuesday 10:30); level 3 follows an hour after it, as it follows level 2.
    runUntil(state, TUESDAY('17:00'));
    expect(raisedEscalations(state).map(({ at, level, reescalation }) => [isoAt(at), level, reescalation])).toEqual([
      [isoAt(MONDAY('13:00')), 1, false],
      [isoAt(MONDAY('14:00')), 2, false],
      [isoAt(TUESDAY('10:30')), 2, true],
      [isoAt(TUESDAY('11:30')), 3, false],
    ]);
  });

  test('again and again: each time the step is acknowledged and re-raised, the next level follows the latest re-escalation at its offset', () => {
    const state = stateAt(MONDAY('09:00'), chain);
    runUntil(state, MONDAY('14:00'));
    acknowledgeLatest(state, MONDAY('14:30'));
    runUntil(state, TUESDAY('10:30'));
    // The re-raised level 2 is acknowledged too, before level 3 (due 11:30).
    acknowledgeLatest(state, TUESDAY('10:45'));
    // Re-raised again a full target later (Tuesday 14:45); level 3 an hour after that.
    runUntil(state, WEDNESDAY('17:00'));
    expect(raisedEscalations(state).map(({ at, level, reescalation }) => [isoAt(at), level, reescalation])).toEqual([
      [isoAt(MONDAY('13:00')), 1, false],
      [isoAt(MONDAY('14:00')), 2, false],
      [isoAt(TUESDAY('10:30')), 2, true],
      [isoAt(TUESDAY('14:45')), 2, true],
      [isoAt(TUESDAY('15:45')), 3, false],
    ]);
  });
});
