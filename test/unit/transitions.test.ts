import fc from 'fast-check';
import type { BriefState } from '../../workflows/domain/brief';
import type { Actor, BriefStatus } from '../../workflows/domain/vocabulary';
import { ROLES, STATUSES, TERMINAL_STATUSES } from '../../workflows/domain/vocabulary';
import { elapsedMs } from '../../workflows/domain/clock';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import { ActionRejected, applyAction, checkAction, initialState, RULES } from '../../workflows/domain/transitions';
import { actors, AGENCY, briefInput, HOUR, isoAt, MINUTE, newState, OTHER_AGENCY, T0, TARGETS } from './fixtures';

const ACTIONS = Object.keys(RULES) as ActionName[];
const NON_TERMINAL = STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

const PAYLOADS: { [A in ActionName]: ActionPayloads[A] } = {
  acknowledge: { note: 'on it' },
  decline: { reason: 'no capacity' },
  askClarification: { question: 'Which colours?' },
  answerClarification: { answer: 'Red and gold' },
  deliver: { summary: 'first draft', links: ['https://example.com/v1'] },
  approve: { note: 'lovely' },
  requestChanges: { reason: 'bigger logo' },
  cancel: { reason: 'campaign dropped' },
  comment: { body: 'ping' },
  hold: { reason: 'waiting for photos' },
  resume: {},
  review: { decision: 'approve', note: 'fine' },
  handOverReview: { to: 'm-colleague' },
};

/** The state machine as the README describes it: who may act, and from which statuses. */
const EXPECTED: Record<ActionName, { roles: string[]; from: readonly BriefStatus[] }> = {
  acknowledge: { roles: ['member'], from: ['awaiting_ack'] },
  decline: { roles: ['member'], from: ['awaiting_ack', 'in_progress'] },
  askClarification: { roles: ['member'], from: ['awaiting_ack', 'in_progress'] },
  answerClarification: { roles: ['manager'], from: ['clarification_requested'] },
  deliver: { roles: ['member'], from: ['in_progress', 'changes_requested'] },
  approve: { roles: ['manager'], from: ['in_review'] },
  requestChanges: { roles: ['manager'], from: ['in_review'] },
  cancel: { roles: ['manager'], from: NON_TERMINAL },
  comment: { roles: ['manager', 'member'], from: NON_TERMINAL },
  hold: { roles: ['manager'], from: NON_TERMINAL },
  resume: { roles: ['manager'], from: NON_TERMINAL },
  review: { roles: ['manager', 'admin'], from: ['in_review'] },
  handOverReview: { roles: ['manager', 'admin'], from: ['in_review'] },
};

function stateIn(status: BriefStatus): BriefState {
  const state = newState();
  state.status = status;
  return state;
}

function rejection(fn: () => unknown): ActionRejected | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ActionRejected) return err;
    throw err;
  }
}

function act<A extends ActionName>(state: BriefState, action: A, actor: Actor, now: number, payload?: ActionPayloads[A]) {
  return applyAction(state, action, payload ?? (PAYLOADS[action] as ActionPayloads[A]), actor, now);
}

const actorOfRole = (role: (typeof ROLES)[number]): Actor => ({ memberId: `m-${role}`, role, partyId: role === 'member' ? AGENCY : 'party-shop' });

describe('RULES', () => {
  it('match the documented state machine', () => {
    for (const action of ACTIONS) {
      const rule = RULES[action];
      expect([...rule.roles].sort()).toEqual([...EXPECTED[action].roles].sort());
      const legal = STATUSES.filter((s) => (rule.from ? rule.from.includes(s) : !TERMINAL_STATUSES.includes(s)));
      expect(legal).toEqual(STATUSES.filter((s) => EXPECTED[action].from.includes(s)));
    }
  });

  it('allow nothing once a brief is terminal', () => {
    for (const status of TERMINAL_STATUSES) {
      for (const action of ACTIONS) {
        for (const role of ROLES) expect(rejection(() => checkAction(stateIn(status), action, actorOfRole(role)))).toBeDefined();
      }
    }
  });
});

describe('checkAction matrix', () => {
  const cases = ACTIONS.flatMap((action) => STATUSES.flatMap((status) => ROLES.map((role) => [action, status, role] as const)));

  it.each(cases)('%s from %s by a %s', (action, status, role) => {
    const state = stateIn(status);
    // Resuming needs a brief on hold; holding one that is not.
    if (action === 'resume') state.hold = { since: isoAt(T0), by: actors.manager.memberId, reason: null };
    const before = structuredClone(state);
    const err = rejection(() => checkAction(state, action, actorOfRole(role)));
    const rule = EXPECTED[action];
    if (!rule.roles.includes(role)) {
      expect(err?.kind).toBe('Forbidden');
    } else if (!rule.from.includes(status)) {
      expect(err?.kind).toBe('IllegalTransition');
    } else {
      expect(err).toBeUndefined();
    }
    expect(state).toEqual(before);
  });

  it.each(ACTIONS.filter((a) => EXPECTED[a].roles.includes('member')))(
    'a member of another party may not %s, in any status',
    (action) => {
      for (const status of STATUSES) {
        const err = rejection(() => checkAction(stateIn(status), action, actors.otherAgency));
        expect(err?.kind).toBe('Forbidden');
        expect(err?.name).toBe('ActionRejected');
      }
    },
  );

  it('rejections are ActionRejected errors with a readable message', () => {
    const err = rejection(() => checkAction(stateIn('approved'), 'cancel', actors.manager));
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toBe('cannot cancel a brief that is approved');
  });
});

describe('initialState', () => {
  it('awaits acknowledgement with the acknowledge clock running and one brief_created event', () => {
    const state = initialState(briefInput(), T0);
    expect(state.status).toBe('awaiting_ack');
    expect(state.revision).toBe(0);
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', targetMs: TARGETS.acknowledge, dueAt: isoAt(T0 + TARGETS.acknowledge) });
    expect(state.clocks.deliver.phase).toBe('pending');
    expect(state.clocks.review.phase).toBe('pending');
    expect(state.timeline).toEqual([
      { seq: 1, type: 'brief_created', actor: actors.manager.memberId, at: isoAt(T0), data: { title: 'Christmas landing page', partyId: AGENCY, priority: 'P2' } },
    ]);
    expect(state.seq).toBe(1);
    expect(state.createdAt).toBe(isoAt(T0));
  });
});

describe('applyAction', () => {
  it('refuses an illegal action and leaves no trace', () => {
    const state = newState();
    const before = structuredClone(state);
    expect(() => act(state, 'deliver', actors.agency, T0 + HOUR)).toThrow(ActionRejected);
    expect(() => act(state, 'acknowledge', actors.otherAgency, T0 + HOUR)).toThrow(ActionRejected);
    expect(state).toEqual(before);
  });

  describe('acknowledge', () => {
    it('meets the acknowledge clock and starts the deliver clock with the configured target when the brief has no dueAt', () => {
      const state = newState();
      const [event] = act(state, 'acknowledge', actors.agency, T0 + HOUR);
      expect(state.status).toBe('in_progress');
      expect(state.clocks.acknowledge).toMatchObject({ phase: 'done', completedAt: isoAt(T0 + HOUR), accumulatedMs: HOUR });
      expect(state.clocks.deliver).toMatchObject({ phase: 'running', round: 1, targetMs: TARGETS.deliver, dueAt: isoAt(T0 + HOUR + TARGETS.deliver) });
      expect(event).toMatchObject({ type: 'acknowledged', actor: actors.agency.memberId, data: { note: 'on it' } });
    });

    it('runs the deliver clock up to the brief dueAt when it has one', () => {
      const dueAt = isoAt(T0 + 72 * HOUR);
      const state = newState({ dueAt });
      act(state, 'acknowledge', actors.agency, T0 + 2 * HOUR);
      expect(state.clocks.deliver).toMatchObject({ phase: 'running', targetMs: 70 * HOUR, dueAt });
    });

    it('gives a zero target when the brief dueAt has already passed', () => {
      const state = newState({ dueAt: isoAt(T0 - HOUR) });
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      expect(state.clocks.deliver).toMatchObject({ targetMs: 0, dueAt: isoAt(T0 + HOUR) });
    });

    it('omits an absent note from the event data', () => {
      const state = newState();
      const [event] = act(state, 'acknowledge', actors.agency, T0, {});
      expect(event.data).toEqual({});
    });
  });

  describe('clarifications', () => {
    it('from awaiting_ack: pauses the acknowledge clock and the answer returns to awaiting_ack with the remaining time', () => {
      const state = newState();
      act(state, 'askClarification', actors.agency, T0 + HOUR);
      expect(state.status).toBe('clarification_requested');
      expect(state.openClarification).toEqual({ question: 'Which colours?', askedBy: actors.agency.memberId, askedAt: isoAt(T0 + HOUR), returnTo: 'awaiting_ack' });
      expect(state.clocks.acknowledge).toMatchObject({ phase: 'paused', dueAt: null, accumulatedMs: HOUR });
      expect(state.clocks.deliver.phase).toBe('pending');

      const [event] = act(state, 'answerClarification', actors.manager, T0 + 5 * HOUR);
      expect(state.status).toBe('awaiting_ack');
      expect(state.openClarification).toBeNull();
      expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', dueAt: isoAt(T0 + 5 * HOUR + TARGETS.acknowledge - HOUR) });
      expect(state.clocks.deliver.phase).toBe('pending');
      expect(event).toMatchObject({ type: 'clarification_answered', data: { answer: 'Red and gold', question: 'Which colours?' } });
    });

    it('from in_progress: pauses the deliver clock and the answer returns to in_progress with the remaining time', () => {
      const state = newState();
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      act(state, 'askClarification', actors.agency, T0 + 3 * HOUR);
      expect(state.openClarification?.returnTo).toBe('in_progress');
      expect(state.clocks.deliver).toMatchObject({ phase: 'paused', dueAt: null, accumulatedMs: 2 * HOUR });
      expect(state.clocks.acknowledge.phase).toBe('done');

      act(state, 'answerClarification', actors.manager, T0 + 10 * HOUR);
      expect(state.status).toBe('in_progress');
      expect(state.clocks.acknowledge.phase).toBe('done');
      expect(state.clocks.deliver).toMatchObject({ phase: 'running', dueAt: isoAt(T0 + 10 * HOUR + TARGETS.deliver - 2 * HOUR) });
      expect(elapsedMs(state.clocks.deliver, T0 + 11 * HOUR)).toBe(3 * HOUR);
    });
  });

  describe('deliveries and revisions', () => {
    it('deliver records numbered versions, raises the revision, meets the deliver clock and starts the review clock', () => {
      const state = newState({ dueAt: isoAt(T0 + 72 * HOUR) });
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      const [delivered] = act(state, 'deliver', actors.agency, T0 + 10 * HOUR);
      expect(state.status).toBe('in_review');
      expect(state.revision).toBe(1);
      expect(state.deliveries).toEqual([
        { version: 1, summary: 'first draft', links: ['https://example.com/v1'], submittedBy: actors.agency.memberId, submittedAt: isoAt(T0 + 10 * HOUR) },
      ]);
      expect(delivered).toMatchObject({ type: 'delivered', data: state.deliveries[0] });
      expect(state.clocks.deliver.phase).toBe('done');
      expect(state.clocks.review).toMatchObject({ phase: 'running', round: 1, targetMs: TARGETS.review, dueAt: isoAt(T0 + 10 * HOUR + TARGETS.review) });

      const [changes] = act(state, 'requestChanges', actors.manager, T0 + 12 * HOUR);
      expect(state.status).toBe('changes_requested');
      expect(changes).toMatchObject({ type: 'changes_requested', data: { reason: 'bigger logo', revision: 1 } });
      expect(state.clocks.review.phase).toBe('done');
      // Revision rounds use the configured target, not the brief's dueAt.
      expect(state.clocks.deliver).toMatchObject({ phase: 'running', round: 2, targetMs: TARGETS.deliver, dueAt: isoAt(T0 + 12 * HOUR + TARGETS.deliver), warnedAt: null, breachedAt: null });

      act(state, 'deliver', actors.agency, T0 + 20 * HOUR, { summary: 'second draft' });
      expect(state.revision).toBe(2);
      expect(state.deliveries.map((d) => [d.version, d.summary, d.links])).toEqual([
        [1, 'first draft', ['https://example.com/v1']],
        [2, 'second draft', []],
      ]);
      expect(state.clocks.review).toMatchObject({ phase: 'running', round: 2 });

      const [approved] = act(state, 'approve', actors.manager, T0 + 21 * HOUR);
      expect(state.status).toBe('approved');
      expect(approved.data).toEqual({ note: 'lovely', revision: 2 });
      expect(state.clocks.review).toMatchObject({ phase: 'done', completedAt: isoAt(T0 + 21 * HOUR) });
    });
  });

  describe('ending a brief', () => {
    it('decline stops the running clock and leaves met and pending clocks alone', () => {
      const state = newState();
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      const [event] = act(state, 'decline', actors.agency, T0 + 2 * HOUR);
      expect(state.status).toBe('declined');
      expect(event).toMatchObject({ type: 'declined', data: { reason: 'no capacity' } });
      expect(state.clocks.acknowledge.phase).toBe('done');
      expect(state.clocks.deliver).toMatchObject({ phase: 'stopped', completedAt: isoAt(T0 + 2 * HOUR), accumulatedMs: HOUR });
      expect(state.clocks.review.phase).toBe('pending');
    });

    it('decline from awaiting_ack stops the acknowledge clock', () => {
      const state = newState();
      act(state, 'decline', actors.agency, T0 + HOUR);
      expect(state.clocks.acknowledge.phase).toBe('stopped');
    });

    it('cancel stops running and paused clocks', () => {
      const state = newState();
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      act(state, 'askClarification', actors.agency, T0 + 2 * HOUR);
      act(state, 'cancel', actors.manager, T0 + 3 * HOUR);
      expect(state.status).toBe('cancelled');
      expect(state.clocks.deliver).toMatchObject({ phase: 'stopped', accumulatedMs: HOUR, completedAt: isoAt(T0 + 3 * HOUR) });
      expect(state.clocks.review.phase).toBe('pending');
    });

    it('cancel during an open clarification closes the clarification', () => {
      const state = newState();
      act(state, 'askClarification', actors.agency, T0 + HOUR);
      act(state, 'cancel', actors.manager, T0 + 2 * HOUR);
      expect(state.openClarification).toBeNull();
    });

    it('cancel during review stops the review clock', () => {
      const state = newState();
      act(state, 'acknowledge', actors.agency, T0 + HOUR);
      act(state, 'deliver', actors.agency, T0 + 2 * HOUR);
      act(state, 'cancel', actors.manager, T0 + 3 * HOUR);
      expect(state.clocks.review.phase).toBe('stopped');
      expect(state.clocks.deliver.phase).toBe('done');
    });
  });

  it('comment records the body and the role of whoever wrote it, without changing status', () => {
    const state = newState();
    const [byMember] = act(state, 'comment', actors.agency, T0 + MINUTE);
    const [byManager] = act(state, 'comment', actors.manager, T0 + 2 * MINUTE);
    expect(state.status).toBe('awaiting_ack');
    expect(byMember).toMatchObject({ type: 'comment_added', actor: actors.agency.memberId, data: { body: 'ping', role: 'member' } });
    expect(byManager.data).toEqual({ body: 'ping', role: 'manager' });
  });

  it('numbers events one by one and keeps updatedAt at the latest event', () => {
    const state = newState();
    const steps: [ActionName, Actor][] = [
      ['comment', actors.manager],
      ['askClarification', actors.agency],
      ['answerClarification', actors.manager],
      ['acknowledge', actors.agency],
      ['deliver', actors.agency],
      ['requestChanges', actors.manager],
      ['deliver', actors.agency],
      ['approve', actors.manager],
    ];
    steps.forEach(([action, actor], i) => {
      const seqBefore = state.seq;
      const events = act(state, action, actor, T0 + (i + 1) * HOUR);
      expect(events.map((e) => e.seq)).toEqual([seqBefore + 1]);
      expect(state.seq).toBe(seqBefore + 1);
      expect(state.updatedAt).toBe(isoAt(T0 + (i + 1) * HOUR));
    });
    expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => i + 1));
  });

  it('for any sequence of attempted actions, accepted ones add exactly one event each and rejected ones change nothing', () => {
    const everyone = Object.values(actors) as Actor[];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...ACTIONS), fc.constantFrom(...everyone), fc.integer({ min: 0, max: 6 * HOUR })), { maxLength: 30 }),
        (attempts) => {
          const state = newState();
          let now = T0;
          for (const [action, actor, step] of attempts) {
            now += step;
            const before = structuredClone(state);
            const err = rejection(() => act(state, action, actor, now));
            if (err) {
              expect(state).toEqual(before);
              const holdState = (action === 'resume' && !before.hold) || (action === 'hold' && !!before.hold);
              // Without a review plan a decision is an approval by a manager, and nothing can be handed over.
              const withoutPlan = action === 'handOverReview' || (action === 'review' && actor.role !== 'manager');
              expect(
                actor.partyId === OTHER_AGENCY || !EXPECTED[action].roles.includes(actor.role) || !EXPECTED[action].from.includes(before.status) || holdState || withoutPlan,
              ).toBe(true);
            } else {
              expect(state.seq).toBe(before.seq + 1);
              expect(state.timeline).toHaveLength(before.timeline.length + 1);
            }
            expect(state.revision).toBe(state.deliveries.length);
            expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => i + 1));
            if (!TERMINAL_STATUSES.includes(state.status)) {
              expect(state.openClarification !== null).toBe(state.status === 'clarification_requested');
            }
          }
        },
      ),
    );
  });
});
