// Edits and policy changes of a brief whose clocks run under an SLA policy, on the Berlin office
// calendar: a new priority moves the clocks to its targets (and leaves a clock with its own target
// alone), a new dueAt moves only the first delivery round, and a changed policy recounts paused
// clocks and the first delivery round too.
import { elapsedMs } from '../../workflows/domain/clock';
import { applyEdit, applyPolicy, checkApplyPolicy, checkChanges } from '../../workflows/domain/edit';
import { viewBrief } from '../../workflows/domain/sla';
import { applyAction } from '../../workflows/domain/transitions';
import { actors, HOUR, isoAt, MINUTE, newState, refusal, TARGETS } from './fixtures';
import { at, MONDAY, OFFICE, policy, WEDNESDAY } from './policy-fixtures';

const THURSDAY = (time: string) => at('2025-12-11', time);

describe('checkChanges', () => {
  test('a target must be at least a millisecond: zero is refused', () => {
    expect(refusal(() => checkChanges({ targetsMs: { ...TARGETS, acknowledge: 0 } }))).toMatchObject({ kind: 'InvalidInput', message: 'invalid changes: targetsMs' });
    expect(() => checkChanges({ targetsMs: { ...TARGETS, acknowledge: 1 } })).not.toThrow();
  });
});

describe('an edit of a brief under a policy', () => {
  test("a new priority moves the running clock to the policy's target for it, counted from the round's start", () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    expect(state.clocks.acknowledge).toMatchObject({ targetMs: 4 * HOUR, dueAt: isoAt(MONDAY('13:00')) });
    const [event] = applyEdit(state, { priority: 'P3' }, actors.manager, MONDAY('10:00'));
    expect(event.data).toMatchObject({ changes: { priority: 'P3' }, before: { priority: 'P2' } });
    // P3 acknowledges in P1D: a working day from Monday 09:00, which ends with Monday's working time.
    expect(state.clocks.acknowledge).toMatchObject({ target: 'P1D', targetMs: 8 * HOUR, dueAt: isoAt(MONDAY('17:00')), warnMs: 6 * HOUR });
    expect(elapsedMs(state.clocks.acknowledge, MONDAY('10:00'), state.brief.sla)).toBe(HOUR);
  });

  test('a clock with a target of its own keeps it when the priority changes', () => {
    const state = newState({ sla: policy(), priority: 'P2', targetOverrides: { acknowledge: 'PT2H' } }, MONDAY('09:00'));
    expect(state.clocks.acknowledge).toMatchObject({ targetMs: 2 * HOUR, dueAt: isoAt(MONDAY('11:00')) });
    applyEdit(state, { priority: 'P3' }, actors.manager, MONDAY('10:00'));
    expect(state.clocks.acknowledge).toMatchObject({ target: 'PT2H', targetMs: 2 * HOUR, dueAt: isoAt(MONDAY('11:00')) });
  });

  test('a new dueAt leaves the acknowledge clock alone: only the first delivery round counts to the dueAt', () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    const acknowledge = structuredClone(state.clocks.acknowledge);
    applyEdit(state, { dueAt: isoAt(WEDNESDAY('12:00')) }, actors.manager, MONDAY('10:00'));
    expect(state.clocks.acknowledge).toStrictEqual(acknowledge);
    // Acknowledged Monday 11:00, the deliver clock counts the working time until Wednesday 12:00.
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('11:00'));
    expect(state.clocks.deliver).toMatchObject({ targetMs: 6 * HOUR + 8 * HOUR + 3 * HOUR, dueAt: isoAt(WEDNESDAY('12:00')) });
  });
});

describe('applying a changed policy', () => {
  const longDays = { ...OFFICE, name: 'Long days', workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['07:00', '19:00']]])) };

  test('only admins may, and the refusal says so', () => {
    const state = newState({ sla: policy() }, MONDAY('09:00'));
    expect(refusal(() => checkApplyPolicy(state, actors.manager))).toMatchObject({ kind: 'Forbidden', message: 'role manager may not apply an SLA policy' });
    expect(() => checkApplyPolicy(state, actors.admin)).not.toThrow();
  });

  test('a clock paused by an open question is recounted too, and runs to the new target once the answer comes', () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    applyAction(state, 'askClarification', { question: 'Which market?' }, actors.agency, MONDAY('10:00'));
    expect(state.clocks.acknowledge.phase).toBe('paused');
    const v2 = policy({ policyVersion: 2, calendar: longDays, policyTargets: { ...policy().policyTargets, acknowledge: { P2: 'PT8H' } } });
    applyPolicy(state, v2, actors.admin, MONDAY('11:00'));
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'paused', target: 'PT8H', targetMs: 8 * HOUR, dueAt: null, pausedFor: ['clarification'] });
    expect(viewBrief(state, MONDAY('11:00')).sla.acknowledge).toMatchObject({ state: 'paused', pausedFor: ['clarification'], elapsedMs: HOUR, remainingMs: 7 * HOUR });
    // Answered at 12:00: 7 working hours left on the long days, 12:00-19:00.
    applyAction(state, 'answerClarification', { answer: 'DACH' }, actors.manager, MONDAY('12:00'));
    expect(state.clocks.acknowledge).toMatchObject({ phase: 'running', dueAt: isoAt(MONDAY('19:00')) });
  });

  test('in the first delivery round the deliver clock counts the working time until the dueAt under the new calendar', () => {
    const state = newState({ sla: policy(), priority: 'P2', dueAt: isoAt(WEDNESDAY('12:00')) }, MONDAY('09:00'));
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('11:00'));
    expect(state.clocks.deliver.targetMs).toBe(17 * HOUR);
    applyPolicy(state, policy({ policyVersion: 2, calendar: longDays }), actors.admin, MONDAY('12:00'));
    // 07:00-19:00: Monday 11:00-19:00 (8 h), Tuesday 12 h, Wednesday 07:00-12:00 (5 h); still due at the dueAt.
    expect(state.clocks.deliver).toMatchObject({ target: null, targetMs: 25 * HOUR, dueAt: isoAt(WEDNESDAY('12:00')) });
    expect(elapsedMs(state.clocks.deliver, MONDAY('12:00'), state.brief.sla)).toBe(HOUR);
  });

  test('a policy without a target for the brief’s priority keeps the clock’s target and recounts its time', () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    const noP2 = policy({ policyVersion: 2, calendar: longDays, policyTargets: { acknowledge: { P3: 'P1D' }, deliver: {}, review: {} } });
    applyPolicy(state, noP2, actors.admin, MONDAY('10:30'));
    // 09:00-10:30 counts 1 h 30 min on either calendar; the 2 h 30 min left run to 13:00.
    expect(state.clocks.acknowledge).toMatchObject({ targetMs: 4 * HOUR, dueAt: isoAt(MONDAY('13:00')) });
    expect(elapsedMs(state.clocks.acknowledge, MONDAY('10:30'), noP2)).toBe(90 * MINUTE);
  });

  test('pending and finished clocks are left as they are', () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('10:00'));
    const before = { acknowledge: structuredClone(state.clocks.acknowledge), review: structuredClone(state.clocks.review) };
    applyPolicy(state, policy({ policyVersion: 2, calendar: longDays }), actors.admin, THURSDAY('10:00'));
    expect({ acknowledge: state.clocks.acknowledge, review: state.clocks.review }).toStrictEqual(before);
  });
});

describe('a policy applied to a brief created before policies', () => {
  test('gives its running clock the policy calendar and chain, keeping its target when the policy has none for its priority', () => {
    const state = newState({ priority: 'P4' }, MONDAY('09:00'));
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('10:00'));
    const deliverTarget = state.clocks.deliver.targetMs;
    // The policy has no deliver target for P4: the clock keeps its own, counted in office hours from now on.
    applyPolicy(state, policy(), actors.admin, MONDAY('10:00'));
    expect(state.clocks.deliver).toMatchObject({ targetMs: deliverTarget, stretches: [], pausedFor: [], steps: [{ level: 1, repeat: 0, ms: 0 }] });
    expect(state.clocks.deliver.target).toBeUndefined();
    // Due after that much office time, not wall-clock time.
    expect(Date.parse(state.clocks.deliver.dueAt as string)).toBeGreaterThan(MONDAY('10:00') + deliverTarget);
  });

  test('keeps a brief on hold paused, and records that reason on a clock stored without reasons', () => {
    const state = newState({ priority: 'P2' }, MONDAY('09:00'));
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('10:00'));
    applyAction(state, 'hold', { reason: 'waiting for photos' }, actors.manager, MONDAY('11:00'));
    // As briefs from before pause reasons were kept stored it.
    delete state.clocks.deliver.pausedFor;
    applyPolicy(state, policy(), actors.admin, MONDAY('12:00'));
    expect(state.clocks.deliver).toMatchObject({ phase: 'paused', pausedFor: ['hold'], dueAt: null });
  });

  test("counts the acknowledge clock to the policy's target even when the brief has a dueAt; a pending clock waits", () => {
    const state = newState({ priority: 'P2', dueAt: isoAt(WEDNESDAY('17:00')) }, MONDAY('09:00'));
    applyPolicy(state, policy(), actors.admin, MONDAY('10:00'));
    expect(state.clocks.acknowledge).toMatchObject({ target: 'PT4H', targetMs: 4 * HOUR, dueAt: isoAt(MONDAY('13:00')) });
    expect(state.clocks.deliver.phase).toBe('pending');
    expect(state.clocks.deliver.steps).toBeUndefined();
  });
});

describe('a dueAt edited before the brief is acknowledged', () => {
  test('leaves the pending deliver clock alone: it counts to the dueAt once it starts', () => {
    const state = newState({ sla: policy(), priority: 'P2' }, MONDAY('09:00'));
    const pending = structuredClone(state.clocks.deliver);
    applyEdit(state, { dueAt: isoAt(WEDNESDAY('17:00')) }, actors.manager, MONDAY('10:00'));
    expect(state.clocks.deliver).toEqual(pending);
    applyAction(state, 'acknowledge', {}, actors.agency, MONDAY('11:00'));
    expect(state.clocks.deliver.dueAt).toBe(isoAt(WEDNESDAY('17:00')));
  });
});
