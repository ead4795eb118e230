// Managers' edits of a brief (workflows/domain/edit.ts): who may edit when, what the brief_edited
// event records, and how a new dueAt or target moves the clocks, to the millisecond.
import fc from 'fast-check';
import type { BriefState } from '../../workflows/domain/brief';
import type { Actor, BriefStatus } from '../../workflows/domain/vocabulary';
import { CLOCKS, ROLES, STATUSES, TERMINAL_STATUSES } from '../../workflows/domain/vocabulary';
import { elapsedMs } from '../../workflows/domain/clock';
import { applyEdit, checkChanges, checkEdit, checkExpectedSeq, type BriefChanges } from '../../workflows/domain/edit';
import { fireDueClocks, nextClockDeadline, viewBrief } from '../../workflows/domain/sla';
import { ActionRejected, applyAction, type ActionName, type ActionPayloads } from '../../workflows/domain/transitions';
import { actors, AGENCY, DAY, HOUR, isoAt, MINUTE, newState, SECOND, T0, TARGETS } from './fixtures';

const NON_TERMINAL = STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

function rejection(fn: () => unknown): ActionRejected | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ActionRejected) return err;
    throw err;
  }
}

const PAYLOADS: { [A in ActionName]: ActionPayloads[A] } = {
  acknowledge: {},
  decline: { reason: 'no capacity' },
  askClarification: { question: 'Which colours?' },
  answerClarification: { answer: 'Red and gold' },
  deliver: { summary: 'draft' },
  approve: {},
  requestChanges: { reason: 'bigger logo' },
  cancel: { reason: 'dropped' },
  comment: { body: 'ping' },
  hold: {},
  resume: {},
  review: { decision: 'approve' },
  handOverReview: { to: 'm-colleague' },
};

function act(state: BriefState, action: ActionName, actor: Actor, now: number) {
  return applyAction(state, action, PAYLOADS[action], actor, now);
}

const edit = (state: BriefState, changes: BriefChanges, now: number, actor: Actor = actors.manager) => applyEdit(state, changes, actor, now);

const actorOfRole = (role: (typeof ROLES)[number]): Actor => ({ memberId: `m-${role}`, role, partyId: role === 'member' ? AGENCY : 'party-shop' });

/** A brief driven through real actions to a status. */
function reach(status: BriefStatus, dueAt: string | null = null): BriefState {
  const state = newState({ dueAt });
  const steps: Partial<Record<BriefStatus, [ActionName, Actor][]>> = {
    awaiting_ack: [],
    in_progress: [['acknowledge', actors.agency]],
    clarification_requested: [['acknowledge', actors.agency], ['askClarification', actors.agency]],
    in_review: [['acknowledge', actors.agency], ['deliver', actors.agency]],
    changes_requested: [['acknowledge', actors.agency], ['deliver', actors.agency], ['requestChanges', actors.manager]],
    approved: [['acknowledge', actors.agency], ['deliver', actors.agency], ['approve', actors.manager]],
    declined: [['decline', actors.agency]],
    cancelled: [['cancel', actors.manager]],
  };
  steps[status]!.forEach(([action, actor], i) => act(state, action, actor, T0 + (i + 1) * HOUR));
  expect(state.status).toBe(status);
  return state;
}

describe('who may edit, and when', () => {
  it.each(NON_TERMINAL)('a manager may edit a brief that is %s', (status) => {
    const state = reach(status);
    expect(() => checkEdit(state, actors.manager)).not.toThrow();
    const events = edit(state, { title: 'New title' }, T0 + 10 * HOUR);
    expect(events).toHaveLength(1);
    expect(state.brief.title).toBe('New title');
  });

  it.each(TERMINAL_STATUSES)('nobody may edit a brief that is %s, and the attempt leaves no trace', (status) => {
    const state = reach(status);
    const before = structuredClone(state);
    for (const role of ROLES) {
      const err = rejection(() => edit(state, { title: 'Too late' }, T0 + 10 * HOUR, actorOfRole(role)));
      expect(err?.kind).toBe(role === 'manager' ? 'IllegalTransition' : 'Forbidden');
    }
    expect(rejection(() => checkEdit(state, actors.manager))?.message).toBe(`cannot edit a brief that is ${status}`);
    expect(state).toEqual(before);
  });

  it.each(['member', 'watcher', 'admin'] as const)('the role %s may not edit, in any status', (role) => {
    for (const status of STATUSES) {
      const state = reach(status);
      const before = structuredClone(state);
      const err = rejection(() => edit(state, { title: 'Mine now' }, T0 + 10 * HOUR, actorOfRole(role)));
      expect(err?.kind).toBe('Forbidden');
      expect(err?.message).toBe(`role ${role} may not edit a brief`);
      expect(state).toEqual(before);
    }
  });
});

describe('checkExpectedSeq', () => {
  it('passes at the current seq and refuses any other as PreconditionFailed', () => {
    const state = reach('in_progress');
    expect(state.seq).toBe(2);
    expect(() => checkExpectedSeq(state, 2)).not.toThrow();
    for (const stale of [0, 1, 3]) {
      const err = rejection(() => checkExpectedSeq(state, stale));
      expect(err?.kind).toBe('PreconditionFailed');
      expect(err?.message).toBe(`the brief has changed: it is at event 2, the edit expected ${stale}`);
    }
  });
});

describe('checkChanges', () => {
  it('accepts every well-formed change', () => {
    expect(() =>
      checkChanges({ title: 't', description: 'd', dueAt: isoAt(T0), reviewerId: 'm-x', priority: 'P1', targetsMs: { acknowledge: 1, deliver: 2, review: 3 } }),
    ).not.toThrow();
    expect(() => checkChanges({ dueAt: null, reviewerId: null })).not.toThrow();
    expect(() => checkChanges({})).not.toThrow();
  });

  it('refuses malformed changes as InvalidInput, naming them, before anything changes', () => {
    const malformed = {
      title: ' ',
      description: 3,
      dueAt: 'next tuesday',
      reviewerId: '',
      priority: 'P9',
      targetsMs: { acknowledge: 1, deliver: -1, review: 3 },
    } as unknown as BriefChanges;
    const err = rejection(() => checkChanges(malformed));
    expect(err?.kind).toBe('InvalidInput');
    expect(err?.message).toBe('invalid changes: title, description, dueAt, reviewerId, priority, targetsMs');
    const state = reach('in_progress');
    const before = structuredClone(state);
    expect(rejection(() => edit(state, { dueAt: 'soon' }, T0 + 2 * HOUR))?.kind).toBe('InvalidInput');
    expect(state).toEqual(before);
  });
});

describe('the brief_edited event', () => {
  it('records the changed fields with their new and old values, as one event by the manager', () => {
    const state = reach('in_progress');
    const at = T0 + 5 * HOUR;
    const dueAt = isoAt(T0 + 10 * DAY);
    const events = edit(
      state,
      { title: 'Christmas landing page v2', description: 'Now with snow', dueAt, reviewerId: 'm-boss', priority: 'P1', targetsMs: { ...TARGETS, review: 4 * HOUR } },
      at,
    );
    expect(events).toEqual([
      {
        seq: 3,
        type: 'brief_edited',
        actor: actors.manager.memberId,
        at: isoAt(at),
        data: {
          changes: { title: 'Christmas landing page v2', description: 'Now with snow', dueAt, reviewerId: 'm-boss', priority: 'P1', targetsMs: { ...TARGETS, review: 4 * HOUR } },
          before: { title: 'Christmas landing page', description: 'Hero, three teasers, newsletter box', dueAt: null, reviewerId: 'm-reviewer', priority: 'P2', targetsMs: TARGETS },
        },
      },
    ]);
    expect(state.seq).toBe(3);
    expect(state.timeline[2]).toBe(events[0]);
    expect(state.updatedAt).toBe(isoAt(at));
    expect(state.brief).toMatchObject({ title: 'Christmas landing page v2', dueAt, reviewerId: 'm-boss', priority: 'P1', targetsMs: { ...TARGETS, review: 4 * HOUR } });
    expect(state.status).toBe('in_progress');
  });

  it('leaves out fields given with their current value, and emits nothing for an edit that changes nothing', () => {
    const state = reach('awaiting_ack');
    const [event] = edit(state, { title: state.brief.title, priority: 'P2', targetsMs: { ...TARGETS }, description: 'Shorter' }, T0 + MINUTE);
    expect(event.data).toEqual({ changes: { description: 'Shorter' }, before: { description: 'Hero, three teasers, newsletter box' } });

    const before = structuredClone(state);
    expect(edit(state, { title: state.brief.title, description: 'Shorter', dueAt: null, reviewerId: 'm-reviewer' }, T0 + 2 * MINUTE)).toEqual([]);
    expect(edit(state, {}, T0 + 2 * MINUTE)).toEqual([]);
    expect(state).toEqual(before);
  });

  it('clears dueAt and reviewerId with null', () => {
    const state = reach('awaiting_ack', isoAt(T0 + 5 * DAY));
    const [event] = edit(state, { dueAt: null, reviewerId: null }, T0 + MINUTE);
    expect(event.data).toEqual({ changes: { dueAt: null, reviewerId: null }, before: { dueAt: isoAt(T0 + 5 * DAY), reviewerId: 'm-reviewer' } });
    expect(state.brief).toMatchObject({ dueAt: null, reviewerId: null });
  });

  it('keeps dueAt in UTC ISO form, so the same instant written otherwise is no change', () => {
    const state = reach('awaiting_ack');
    edit(state, { dueAt: '2025-01-10T18:00:00+01:00' }, T0 + MINUTE);
    expect(state.brief.dueAt).toBe('2025-01-10T17:00:00.000Z');
    expect(edit(state, { dueAt: '2025-01-10T17:00:00Z' }, T0 + 2 * MINUTE)).toEqual([]);
  });

  it('shares no object between the event and the brief', () => {
    const state = reach('awaiting_ack');
    const targetsMs = { ...TARGETS, acknowledge: HOUR };
    const [event] = edit(state, { targetsMs }, T0 + MINUTE);
    targetsMs.acknowledge = 1;
    state.brief.targetsMs.acknowledge = 2;
    expect(event.data).toEqual({ changes: { targetsMs: { ...TARGETS, acknowledge: HOUR } }, before: { targetsMs: TARGETS } });
  });
});

describe('clocks move with the edit, keeping the time they have counted', () => {
  it('a running clock whose target changes is due at runningSince + new target - counted time', () => {
    const state = reach('awaiting_ack');
    const at = T0 + HOUR + 17;
    edit(state, { priority: 'P1', targetsMs: { ...TARGETS, acknowledge: 2 * HOUR } }, at);
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', targetMs: 2 * HOUR, startedAt: isoAt(T0), dueAt: isoAt(T0 + 2 * HOUR) });
    expect(elapsedMs(state.clocks.acknowledge, at)).toBe(HOUR + 17);
    expect(viewBrief(state, at).sla.acknowledge).toMatchObject({ elapsedMs: HOUR + 17, remainingMs: HOUR - 17 });
    // The other clocks are pending: they will start with the new targets.
    expect(state.clocks.deliver).toMatchObject({ phase: 'pending', targetMs: TARGETS.deliver, dueAt: null });
  });

  it('a paused clock keeps no dueAt and, once resumed, is due at resume + new target - counted time', () => {
    const state = newState();
    act(state, 'askClarification', actors.agency, T0 + HOUR);
    edit(state, { priority: 'P1', targetsMs: { ...TARGETS, acknowledge: 3 * HOUR } }, T0 + 2 * HOUR);
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'paused', targetMs: 3 * HOUR, dueAt: null, accumulatedMs: HOUR });
    act(state, 'answerClarification', actors.manager, T0 + 5 * HOUR);
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', dueAt: isoAt(T0 + 5 * HOUR + 2 * HOUR) });
  });

  it('pending clocks start later with the new targets', () => {
    const state = reach('awaiting_ack');
    edit(state, { priority: 'P4', targetsMs: { acknowledge: DAY, deliver: 10 * DAY, review: 3 * DAY } }, T0 + MINUTE);
    act(state, 'acknowledge', actors.agency, T0 + HOUR);
    expect(state.clocks.deliver).toMatchObject({ targetMs: 10 * DAY, dueAt: isoAt(T0 + HOUR + 10 * DAY) });
    act(state, 'deliver', actors.agency, T0 + 2 * HOUR);
    expect(state.clocks.review).toMatchObject({ targetMs: 3 * DAY, dueAt: isoAt(T0 + 2 * HOUR + 3 * DAY) });
  });

  it('a new target also moves the review clock and a revision round of the deliver clock', () => {
    const review = reach('in_review');
    edit(review, { priority: 'P1', targetsMs: { ...TARGETS, review: 4 * HOUR } }, T0 + 3 * HOUR);
    expect(review.clocks.review).toMatchObject({ phase: 'running', targetMs: 4 * HOUR, dueAt: isoAt(T0 + 2 * HOUR + 4 * HOUR) });

    const revision = reach('changes_requested', isoAt(T0 + 20 * DAY));
    const startedAt = T0 + 3 * HOUR;
    expect(revision.clocks.deliver).toMatchObject({ round: 2, targetMs: TARGETS.deliver, startedAt: isoAt(startedAt) });
    // A revision counts the configured target: a new dueAt does not move it, a new target does.
    edit(revision, { dueAt: isoAt(T0 + 30 * DAY) }, T0 + 4 * HOUR);
    expect(revision.clocks.deliver).toMatchObject({ targetMs: TARGETS.deliver, dueAt: isoAt(startedAt + TARGETS.deliver) });
    edit(revision, { priority: 'P1', targetsMs: { ...TARGETS, deliver: DAY } }, T0 + 5 * HOUR);
    expect(revision.clocks.deliver).toMatchObject({ targetMs: DAY, dueAt: isoAt(startedAt + DAY) });
  });

  it('clocks that ended keep their targets', () => {
    const state = reach('in_review');
    const before = structuredClone(state.clocks);
    edit(state, { priority: 'P1', targetsMs: { acknowledge: HOUR, deliver: DAY, review: 24 * HOUR } }, T0 + 3 * HOUR);
    expect(state.clocks.acknowledge).toEqual(before.acknowledge);
    expect(state.clocks.deliver).toEqual(before.deliver);
  });

  describe('the deliver clock before the first delivery counts to the brief dueAt', () => {
    it('a new dueAt makes it due exactly then, with the time counted kept', () => {
      const state = reach('in_progress', isoAt(T0 + 5 * DAY));
      const startedAt = T0 + HOUR;
      expect(state.clocks.deliver).toMatchObject({ round: 1, targetMs: 5 * DAY - HOUR, dueAt: isoAt(T0 + 5 * DAY) });
      const at = T0 + 2 * DAY + 123;
      const newDue = T0 + 7 * DAY + 456;
      edit(state, { dueAt: isoAt(newDue) }, at);
      expect(state.clocks.deliver).toMatchObject({ phase: 'running', startedAt: isoAt(startedAt), targetMs: newDue - startedAt, dueAt: isoAt(newDue) });
      expect(elapsedMs(state.clocks.deliver, at)).toBe(at - startedAt);
      expect(nextClockDeadline(state)).toBe(startedAt + 0.75 * (newDue - startedAt));

      // Earlier, too.
      edit(state, { dueAt: isoAt(T0 + 3 * DAY) }, at + SECOND);
      expect(state.clocks.deliver).toMatchObject({ targetMs: 3 * DAY - HOUR, dueAt: isoAt(T0 + 3 * DAY) });
    });

    it('a first dueAt for a brief without one makes it count to that dueAt', () => {
      const state = reach('in_progress');
      expect(state.clocks.deliver.dueAt).toBe(isoAt(T0 + HOUR + TARGETS.deliver));
      edit(state, { dueAt: isoAt(T0 + 10 * DAY) }, T0 + DAY);
      expect(state.clocks.deliver).toMatchObject({ targetMs: 10 * DAY - HOUR, dueAt: isoAt(T0 + 10 * DAY) });
    });

    it('removing the dueAt sets it back to the configured deliver target', () => {
      const state = reach('in_progress', isoAt(T0 + 5 * DAY));
      edit(state, { dueAt: null }, T0 + DAY);
      expect(state.clocks.deliver).toMatchObject({ targetMs: TARGETS.deliver, dueAt: isoAt(T0 + HOUR + TARGETS.deliver) });
    });

    it('a new priority leaves it counting to the dueAt; without a dueAt it takes the new target', () => {
      const withDue = reach('in_progress', isoAt(T0 + 5 * DAY));
      const before = structuredClone(withDue.clocks.deliver);
      edit(withDue, { priority: 'P1', targetsMs: { ...TARGETS, deliver: DAY } }, T0 + 2 * HOUR);
      expect(withDue.clocks.deliver).toEqual(before);
      expect(withDue.brief.targetsMs.deliver).toBe(DAY);

      const withoutDue = reach('in_progress');
      edit(withoutDue, { priority: 'P1', targetsMs: { ...TARGETS, deliver: DAY } }, T0 + 2 * HOUR);
      expect(withoutDue.clocks.deliver).toMatchObject({ targetMs: DAY, dueAt: isoAt(T0 + HOUR + DAY) });
    });

    it('while paused by a question, a new dueAt leaves the time until it as what remains once the answer comes', () => {
      const state = reach('clarification_requested', isoAt(T0 + 5 * DAY));
      // Acknowledged at T0+1h, asked at T0+2h: one hour counted.
      expect(state.clocks.deliver).toMatchObject({ phase: 'paused', accumulatedMs: HOUR, dueAt: null });
      const at = T0 + 3 * HOUR;
      const newDue = T0 + 6 * DAY;
      edit(state, { dueAt: isoAt(newDue) }, at);
      expect(state.clocks.deliver).toMatchObject({ phase: 'paused', dueAt: null, targetMs: HOUR + (newDue - at) });
      act(state, 'answerClarification', actors.manager, at + 2 * HOUR);
      // The two hours the question stayed open after the edit move the deadline, as any pause does.
      expect(state.clocks.deliver.dueAt).toBe(isoAt(newDue + 2 * HOUR));
    });

    it('a clarification asked before the acknowledgement leaves the deliver clock pending: the acknowledgement counts to the new dueAt', () => {
      const state = reach('awaiting_ack', isoAt(T0 + 5 * DAY));
      act(state, 'askClarification', actors.agency, T0 + HOUR);
      edit(state, { dueAt: isoAt(T0 + 8 * DAY) }, T0 + 2 * HOUR);
      expect(state.clocks.deliver.phase).toBe('pending');
      act(state, 'answerClarification', actors.manager, T0 + 3 * HOUR);
      act(state, 'acknowledge', actors.agency, T0 + 4 * HOUR);
      expect(state.clocks.deliver).toMatchObject({ targetMs: 8 * DAY - 4 * HOUR, dueAt: isoAt(T0 + 8 * DAY) });
    });
  });

  describe('reminders and breaches that happened are history', () => {
    it('a breached clock stays breached and does not breach again, however its target moves', () => {
      const state = reach('awaiting_ack');
      const fired = fireDueClocks(state, T0 + TARGETS.acknowledge, () => 'esc-1');
      expect(fired.map((e) => e.type)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
      const { warnedAt, breachedAt } = state.clocks.acknowledge;

      edit(state, { priority: 'P4', targetsMs: { ...TARGETS, acknowledge: 2 * DAY } }, T0 + 5 * HOUR);
      expect(state.clocks.acknowledge).toMatchObject({ targetMs: 2 * DAY, dueAt: isoAt(T0 + 2 * DAY), warnedAt, breachedAt });
      expect(viewBrief(state, T0 + 5 * HOUR).sla.acknowledge.state).toBe('breached');
      expect(nextClockDeadline(state)).toBeUndefined();
      expect(fireDueClocks(state, T0 + 3 * DAY, () => 'esc-2')).toEqual([]);
    });

    it('a warned clock does not warn again when its target moves later', () => {
      const state = reach('awaiting_ack');
      fireDueClocks(state, T0 + 0.75 * TARGETS.acknowledge, () => 'esc');
      expect(state.clocks.acknowledge.warnedAt).toBe(isoAt(T0 + 0.75 * TARGETS.acknowledge));
      edit(state, { priority: 'P3', targetsMs: { ...TARGETS, acknowledge: DAY } }, T0 + 3 * HOUR + 30 * MINUTE);
      // Only the breach is left, at the new dueAt.
      expect(nextClockDeadline(state)).toBe(T0 + DAY);
    });

    it('a shorter target that has already run out warns and breaches at once', () => {
      const state = reach('awaiting_ack');
      const at = T0 + 2 * HOUR;
      edit(state, { priority: 'P1', targetsMs: { ...TARGETS, acknowledge: HOUR } }, at);
      expect(nextClockDeadline(state)).toBe(T0 + 0.75 * HOUR);
      expect(fireDueClocks(state, at, () => 'esc').map((e) => e.type)).toEqual(['sla_warning', 'sla_breached', 'escalation_raised']);
    });
  });

  it('for any edit at any time, every clock keeps the time it has counted, and a running clock is due at its start + target + time paused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BriefStatus>(...NON_TERMINAL),
        fc.integer({ min: 0, max: 3 * DAY }),
        fc.option(fc.integer({ min: 1, max: 20 * DAY }), { nil: null }),
        fc.record({ acknowledge: fc.integer({ min: SECOND, max: 5 * DAY }), deliver: fc.integer({ min: SECOND, max: 20 * DAY }), review: fc.integer({ min: SECOND, max: 5 * DAY }) }),
        fc.boolean(),
        (status, afterMs, dueInMs, targetsMs, withDueAt) => {
          const state = reach(status, withDueAt ? isoAt(T0 + 8 * DAY) : null);
          const at = T0 + 10 * HOUR + afterMs;
          const counted = Object.fromEntries(CLOCKS.map((c) => [c, elapsedMs(state.clocks[c], at)]));
          const dueAt = dueInMs === null ? null : isoAt(at + dueInMs);
          edit(state, { dueAt, priority: 'P1', targetsMs }, at);
          for (const name of CLOCKS) {
            const clock = state.clocks[name];
            expect(elapsedMs(clock, at)).toBe(counted[name]);
            if (clock.phase === 'running') expect(Date.parse(clock.dueAt!)).toBe(Date.parse(clock.runningSince!) + clock.targetMs - clock.accumulatedMs);
            if (clock.phase === 'paused') expect(clock.dueAt).toBeNull();
          }
          const deliver = state.clocks.deliver;
          if (deliver.round === 1 && deliver.phase === 'running') expect(deliver.dueAt).toBe(dueAt ?? isoAt(Date.parse(deliver.startedAt!) + targetsMs.deliver));
        },
      ),
    );
  });
});
