// What each action of the state machine records in its event (the data the timeline, the read
// model and the notifications show), and what a refusal says (the API passes it on as the
// problem's detail).
import type { BriefState } from '../../workflows/domain/brief';
import type { Actor } from '../../workflows/domain/vocabulary';
import { applyAction, checkAction } from '../../workflows/domain/transitions';
import { actors, DAY, HOUR, isoAt, newState, refusal, T0, TARGETS } from './fixtures';
import { dataOf } from '../support/events';

const watcher: Actor = actors.watcher;

describe('what a refusal says', () => {
  test('a role that may not act is named with the action', () => {
    const err = refusal(() => checkAction(newState(), 'acknowledge', watcher));
    expect(err).toMatchObject({ kind: 'Forbidden', message: 'role watcher may not acknowledge' });
    expect(refusal(() => checkAction(newState(), 'approve', actors.agency)).message).toBe('role member may not approve');
  });

  test("a member of another party is told the action is for the brief's own party", () => {
    const err = refusal(() => checkAction(newState(), 'askClarification', actors.otherAgency));
    expect(err).toMatchObject({ kind: 'Forbidden', message: "askClarification is for the brief's own party" });
  });

  test('hold on a brief on hold, and resume on one that is not, say why', () => {
    const state = newState();
    expect(refusal(() => checkAction(state, 'resume', actors.manager))).toMatchObject({ kind: 'IllegalTransition', message: 'the brief is not on hold' });
    applyAction(state, 'hold', {}, actors.manager, T0 + HOUR);
    expect(refusal(() => checkAction(state, 'hold', actors.manager))).toMatchObject({ kind: 'IllegalTransition', message: 'the brief is already on hold' });
  });
});

describe('the acknowledge clock', () => {
  test('counts its own target even when the brief has a dueAt (only the first delivery round counts to the dueAt)', () => {
    const state = newState({ dueAt: isoAt(T0 + 3 * DAY) });
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', targetMs: TARGETS.acknowledge, dueAt: isoAt(T0 + TARGETS.acknowledge) });
  });
});

describe('what each action records', () => {
  /** Applies actions in turn, an hour apart, and answers the data of the last one's event. */
  function recorded(steps: [Parameters<typeof applyAction>[1], unknown, Actor][], state: BriefState = newState()) {
    let events: ReturnType<typeof applyAction> = [];
    steps.forEach(([action, payload, actor], i) => {
      events = applyAction(state, action, payload as never, actor, T0 + (i + 1) * HOUR);
    });
    expect(events).toHaveLength(1);
    return { event: events[0], state };
  }

  test('an acknowledgement with and without a note (an absent note is no key at all)', () => {
    expect(recorded([['acknowledge', { note: 'on it' }, actors.agency]]).event.data).toStrictEqual({ note: 'on it' });
    expect(recorded([['acknowledge', {}, actors.agency]]).event.data).toStrictEqual({});
  });

  test('a question records its text; the answer records both', () => {
    expect(recorded([['askClarification', { question: 'Which colours?' }, actors.agency]]).event).toMatchObject({
      type: 'clarification_requested',
      actor: actors.agency.memberId,
    });
    expect(recorded([['askClarification', { question: 'Which colours?' }, actors.agency]]).event.data).toStrictEqual({ question: 'Which colours?' });
    const { event } = recorded([
      ['askClarification', { question: 'Which colours?' }, actors.agency],
      ['answerClarification', { answer: 'Red and gold' }, actors.manager],
    ]);
    expect(event).toMatchObject({ type: 'clarification_answered', actor: actors.manager.memberId });
    expect(event.data).toStrictEqual({ answer: 'Red and gold', question: 'Which colours?' });
  });

  test('a decline and a cancellation record their reason', () => {
    expect(recorded([['decline', { reason: 'no capacity' }, actors.agency]]).event).toMatchObject({ type: 'declined' });
    expect(recorded([['decline', { reason: 'no capacity' }, actors.agency]]).event.data).toStrictEqual({ reason: 'no capacity' });
    const cancelled = recorded([['cancel', { reason: 'campaign dropped' }, actors.manager]]).event;
    expect(cancelled).toMatchObject({ type: 'cancelled', actor: actors.manager.memberId });
    expect(cancelled.data).toStrictEqual({ reason: 'campaign dropped' });
  });

  test('approval and a request for changes record the revision they are about', () => {
    const delivered: [Parameters<typeof applyAction>[1], unknown, Actor][] = [
      ['acknowledge', {}, actors.agency],
      ['deliver', { summary: 'v1' }, actors.agency],
    ];
    expect(recorded([...delivered, ['approve', { note: 'lovely' }, actors.manager]]).event.data).toStrictEqual({ note: 'lovely', revision: 1 });
    expect(recorded([...delivered, ['approve', {}, actors.manager]]).event.data).toStrictEqual({ revision: 1 });
    expect(recorded([...delivered, ['requestChanges', { reason: 'bigger logo' }, actors.manager]]).event.data).toStrictEqual({ reason: 'bigger logo', revision: 1 });
  });

  test('a comment records its body and the role of its author', () => {
    expect(recorded([['comment', { body: 'ping' }, actors.manager]]).event.data).toStrictEqual({ body: 'ping', role: 'manager' });
    expect(recorded([['comment', { body: 'pong' }, actors.agency]]).event.data).toStrictEqual({ body: 'pong', role: 'member' });
  });

  test('a hold records its reason when given, and the brief shows who held it since when', () => {
    const withReason = recorded([['hold', { reason: 'waiting for photos' }, actors.manager]]);
    expect(withReason.event).toMatchObject({ type: 'brief_held', actor: actors.manager.memberId });
    expect(withReason.event.data).toStrictEqual({ reason: 'waiting for photos' });
    expect(withReason.state.hold).toStrictEqual({ since: isoAt(T0 + HOUR), by: actors.manager.memberId, reason: 'waiting for photos' });
    const withoutReason = recorded([['hold', {}, actors.manager]]);
    expect(withoutReason.event.data).toStrictEqual({});
    expect(withoutReason.state.hold).toStrictEqual({ since: isoAt(T0 + HOUR), by: actors.manager.memberId, reason: null });
  });

  test('resuming records since when the brief was held, and the note when given', () => {
    const { event, state } = recorded([
      ['hold', { reason: 'waiting for photos' }, actors.manager],
      ['resume', { note: 'photos are in' }, actors.manager],
    ]);
    expect(event).toMatchObject({ type: 'brief_resumed', actor: actors.manager.memberId, at: isoAt(T0 + 2 * HOUR) });
    expect(event.data).toStrictEqual({ note: 'photos are in', heldSince: isoAt(T0 + HOUR) });
    expect(state.hold).toBeNull();
    // The hold stood the acknowledge clock still for its hour: due an hour later.
    expect(state.clocks.acknowledge.dueAt).toBe(isoAt(T0 + TARGETS.acknowledge + HOUR));
    expect(
      recorded([
        ['hold', {}, actors.manager],
        ['resume', {}, actors.manager],
      ]).event.data,
    ).toStrictEqual({ heldSince: isoAt(T0 + HOUR) });
  });

  test('a delivery records its version, summary, links, author and instant', () => {
    const { event } = recorded([
      ['acknowledge', {}, actors.agency],
      ['deliver', { summary: 'first draft', links: ['https://files.example/v1.zip'] }, actors.agency],
    ]);
    expect(event.data).toStrictEqual({
      version: 1,
      summary: 'first draft',
      links: ['https://files.example/v1.zip'],
      submittedBy: actors.agency.memberId,
      submittedAt: isoAt(T0 + 2 * HOUR),
    });
    expect(
      dataOf(
        recorded([
          ['acknowledge', {}, actors.agency],
          ['deliver', { summary: 'no links' }, actors.agency],
        ]).event,
      ).links,
    ).toStrictEqual([]);
  });

  test('events are stamped with the instant of the action', () => {
    const { event } = recorded([['comment', { body: 'ping' }, actors.manager]]);
    expect(event.at).toBe(isoAt(T0 + HOUR));
  });
});
