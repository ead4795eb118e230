import fc from 'fast-check';
import type { BriefState } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';
import { CLOCKS } from '../../workflows/domain/vocabulary';
import { fireDueClocks, isOverdue, nextClockDeadline, viewBrief } from '../../workflows/domain/sla';
import { applyAction } from '../../workflows/domain/transitions';
import { actors, HOUR, isoAt, MINUTE, newState, T0, TARGETS } from './fixtures';
import { dataOf } from '../support/events';

function idGenerator() {
  let n = 0;
  const next = jest.fn(() => `esc-${++n}`);
  return next;
}

const ACK_WARN = T0 + 0.75 * TARGETS.acknowledge;
const ACK_DUE = T0 + TARGETS.acknowledge;

const types = (events: TimelineEvent[]) => events.map((e) => e.type);

function acknowledged(at = T0 + HOUR): BriefState {
  const state = newState();
  applyAction(state, 'acknowledge', {}, actors.agency, at);
  return state;
}

describe('fireDueClocks', () => {
  it('emits nothing before 75% of the target', () => {
    const state = newState();
    const ids = idGenerator();
    expect(fireDueClocks(state, ACK_WARN - 1, ids)).toEqual([]);
    expect(state.clocks.acknowledge.warnedAt).toBeNull();
    expect(ids).not.toHaveBeenCalled();
  });

  it('emits one sla_warning at 75% of the target, and not again', () => {
    const state = newState();
    const ids = idGenerator();
    const events = fireDueClocks(state, ACK_WARN, ids);
    expect(events).toEqual([
      { seq: 2, type: 'sla_warning', actor: null, at: isoAt(ACK_WARN), data: { clock: 'acknowledge', share: 0.75, dueAt: isoAt(ACK_DUE), round: 1 } },
    ]);
    expect(state.clocks.acknowledge.warnedAt).toBe(isoAt(ACK_WARN));
    expect(state.timeline.at(-1)).toEqual(events[0]);
    expect(fireDueClocks(state, ACK_WARN, ids)).toEqual([]);
    expect(fireDueClocks(state, ACK_DUE - 1, ids)).toEqual([]);
    expect(ids).not.toHaveBeenCalled();
  });

  it('at the target emits sla_breached and a level-1 escalation with a generated id, once', () => {
    const state = newState();
    const ids = idGenerator();
    fireDueClocks(state, ACK_WARN, ids);
    const events = fireDueClocks(state, ACK_DUE, ids);
    expect(types(events)).toEqual(['sla_breached', 'escalation_raised']);
    expect(events[0]).toMatchObject({ actor: null, data: { clock: 'acknowledge', dueAt: isoAt(ACK_DUE), round: 1 } });
    expect(events[1]).toMatchObject({ actor: null, data: { escalationId: 'esc-1', clock: 'acknowledge', level: 1, round: 1 } });
    expect(events.map((e) => e.seq)).toEqual([3, 4]);
    expect(ids).toHaveBeenCalledTimes(1);
    expect(state.clocks.acknowledge.breachedAt).toBe(isoAt(ACK_DUE));

    expect(fireDueClocks(state, ACK_DUE + 10 * HOUR, ids)).toEqual([]);
    expect(ids).toHaveBeenCalledTimes(1);
  });

  it('catches up on a missed warning and breach in one call, in order', () => {
    const state = newState();
    const events = fireDueClocks(state, ACK_DUE + HOUR, idGenerator());
    expect(types(events)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('ignores paused clocks, even past their original due instant', () => {
    const state = newState();
    applyAction(state, 'askClarification', { question: '?' }, actors.agency, T0 + MINUTE);
    expect(fireDueClocks(state, ACK_DUE + 10 * HOUR, idGenerator())).toEqual([]);
  });

  it('ignores finished clocks', () => {
    const state = newState();
    applyAction(state, 'cancel', { reason: 'x' }, actors.manager, T0 + MINUTE);
    expect(fireDueClocks(state, T0 + 1000 * HOUR, idGenerator())).toEqual([]);
  });

  it('fires again for a new round of a restarted clock', () => {
    const state = acknowledged(T0);
    applyAction(state, 'deliver', { summary: 'v1' }, actors.agency, T0 + HOUR);
    const ids = idGenerator();
    fireDueClocks(state, T0 + HOUR + TARGETS.review, ids);
    applyAction(state, 'requestChanges', { reason: 'again' }, actors.manager, T0 + 30 * HOUR);
    applyAction(state, 'deliver', { summary: 'v2' }, actors.agency, T0 + 31 * HOUR);
    const events = fireDueClocks(state, T0 + 31 * HOUR + TARGETS.review, ids);
    expect(types(events)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
    expect(events.every((e) => dataOf(e).clock === 'review' && dataOf(e).round === 2)).toBe(true);
    expect(dataOf(events[2]).escalationId).toBe('esc-2');
  });

  it('for any increasing check instants, a running clock warns at most once and breaches at most once, at the right times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 * HOUR }), { maxLength: 15 }), (steps) => {
        const state = newState();
        const ids = idGenerator();
        const fired: TimelineEvent[] = [];
        let now = T0;
        for (const step of steps) {
          now += step;
          const events = fireDueClocks(state, now, ids);
          for (const e of events) expect(e.at).toBe(isoAt(now));
          fired.push(...events);
        }
        const count = (type: string) => fired.filter((e) => e.type === type).length;
        expect(count('sla_warning')).toBe(now >= ACK_WARN ? 1 : 0);
        expect(count('sla_breached')).toBe(now >= ACK_DUE ? 1 : 0);
        expect(count('escalation_raised')).toBe(count('sla_breached'));
        expect(ids).toHaveBeenCalledTimes(count('sla_breached'));
        expect(fired.every((e) => dataOf(e).clock === 'acknowledge')).toBe(true);
      }),
    );
  });
});

describe('nextClockDeadline', () => {
  it('is the acknowledge warning, then its breach, then nothing', () => {
    const state = newState();
    expect(nextClockDeadline(state)).toBe(ACK_WARN);
    fireDueClocks(state, ACK_WARN, idGenerator());
    expect(nextClockDeadline(state)).toBe(ACK_DUE);
    fireDueClocks(state, ACK_DUE, idGenerator());
    expect(nextClockDeadline(state)).toBeUndefined();
  });

  it('moves to the deliver clock after acknowledgement', () => {
    const state = acknowledged(T0 + HOUR);
    expect(nextClockDeadline(state)).toBe(T0 + HOUR + 0.75 * TARGETS.deliver);
  });

  it('is the earliest deadline across clocks', () => {
    const state = acknowledged(T0 + HOUR);
    // Force a second running clock with an earlier warning.
    state.clocks.review = { ...state.clocks.deliver, targetMs: HOUR, dueAt: isoAt(T0 + 2 * HOUR) };
    expect(nextClockDeadline(state)).toBe(T0 + HOUR + 0.75 * HOUR);
  });

  it('is undefined while clocks are paused and once the brief is over', () => {
    const paused = newState();
    applyAction(paused, 'askClarification', { question: '?' }, actors.agency, T0 + MINUTE);
    expect(nextClockDeadline(paused)).toBeUndefined();

    const cancelled = acknowledged();
    applyAction(cancelled, 'cancel', { reason: 'x' }, actors.manager, T0 + 2 * HOUR);
    expect(nextClockDeadline(cancelled)).toBeUndefined();
  });
});

describe('isOverdue', () => {
  it('is false while every running clock is within its target', () => {
    const state = newState();
    fireDueClocks(state, ACK_WARN, idGenerator());
    expect(isOverdue(state)).toBe(false);
  });

  it('is true while a breached clock is running or paused', () => {
    const state = newState();
    fireDueClocks(state, ACK_DUE, idGenerator());
    expect(isOverdue(state)).toBe(true);
    applyAction(state, 'askClarification', { question: '?' }, actors.agency, ACK_DUE + MINUTE);
    expect(isOverdue(state)).toBe(true);
  });

  it('is false once the breached step is done or the brief has ended', () => {
    const done = newState();
    fireDueClocks(done, ACK_DUE, idGenerator());
    applyAction(done, 'acknowledge', {}, actors.agency, ACK_DUE + MINUTE);
    expect(isOverdue(done)).toBe(false);

    const cancelled = newState();
    fireDueClocks(cancelled, ACK_DUE, idGenerator());
    applyAction(cancelled, 'cancel', { reason: 'x' }, actors.manager, ACK_DUE + MINUTE);
    expect(isOverdue(cancelled)).toBe(false);
  });
});

describe('viewBrief', () => {
  it('shows the brief, its status and one view per clock', () => {
    const state = acknowledged(T0 + HOUR);
    const view = viewBrief(state, T0 + 2 * HOUR);
    expect(view).toMatchObject({
      id: 'brief-1',
      title: 'Christmas landing page',
      partyId: state.brief.partyId,
      managerId: actors.manager.memberId,
      reviewerId: 'm-reviewer',
      priority: 'P2',
      status: 'in_progress',
      revision: 0,
      dueAt: null,
      deliverables: ['landing page'],
      deliveries: [],
      clarification: null,
      createdAt: isoAt(T0),
      updatedAt: isoAt(T0 + HOUR),
    });
    expect(Object.keys(view.sla).sort()).toEqual([...CLOCKS].sort());
    expect(view.sla.acknowledge).toMatchObject({ state: 'met', elapsedMs: HOUR, completedAt: isoAt(T0 + HOUR) });
    expect(view.sla.deliver).toMatchObject({
      state: 'running',
      dueAt: isoAt(T0 + HOUR + TARGETS.deliver),
      targetMs: TARGETS.deliver,
      elapsedMs: HOUR,
      remainingMs: TARGETS.deliver - HOUR,
      startedAt: isoAt(T0 + HOUR),
      warnedAt: null,
      breachedAt: null,
      completedAt: null,
    });
    expect(view.sla.review).toMatchObject({ state: 'pending', dueAt: null, elapsedMs: 0 });
    expect(view.timeline.map((e) => e.type)).toEqual(['brief_created', 'acknowledged']);
  });

  it('shows the open clarification and paused clocks without dueAt', () => {
    const state = newState();
    applyAction(state, 'askClarification', { question: 'Which colours?' }, actors.agency, T0 + HOUR);
    const view = viewBrief(state, T0 + 5 * HOUR);
    expect(view.clarification).toMatchObject({ question: 'Which colours?', returnTo: 'awaiting_ack' });
    expect(view.sla.acknowledge).toMatchObject({ state: 'paused', dueAt: null, elapsedMs: HOUR });
  });

  it('shows breached clocks as breached', () => {
    const state = newState();
    fireDueClocks(state, ACK_DUE, idGenerator());
    const view = viewBrief(state, ACK_DUE + HOUR);
    expect(view.sla.acknowledge).toMatchObject({ state: 'breached', breachedAt: isoAt(ACK_DUE), remainingMs: -HOUR });
  });
});
