// SLA clocks of the brief workflow on the time-skipping server, with stub activities:
// reminders at 75 % of a target, escalation at breach, pauses while a clarification is open.
//
// Instants are compared with the clock's own startedAt (the workflow's time). The test server's
// clock keeps moving in real time while a workflow task runs, so a timer fires a few
// milliseconds after the instant it was set for: events are checked to happen at the instant
// or at most TOLERANCE later, never before.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BriefView } from '../../workflows/domain/brief';
import type { ClockName } from '../../workflows/domain/vocabulary';
import {
  act,
  actors,
  between,
  briefInput,
  callsWhen,
  DAY,
  eventsOf,
  expectRecordedExactlyOnce,
  hasEvent,
  HOUR,
  SECOND,
  skipTo,
  startBrief,
  TARGETS,
  TOLERANCE,
  view,
  viewWhen,
  withTimeSkippingServer,
  withWorker,
  type BriefHandle,
} from './support';
import { dataOf } from '../support/events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

/** Expects `at` to lie `offsetMs` after `from`, or a little later, never earlier. */
function expectAtOffset(from: string, at: string, offsetMs: number): void {
  const actual = between(from, at);
  expect(actual).toBeGreaterThanOrEqual(offsetMs);
  expect(actual).toBeLessThan(offsetMs + TOLERANCE);
}

describe('reminders', () => {
  test('remind the party members at 75 % of the acknowledge target, not before', async () => {
    await withWorker(env, async (h) => {
      const brief = briefInput();
      const handle = await startBrief(h, brief);
      const created = await view(handle);
      const { startedAt, dueAt } = created.sla.acknowledge;
      expect(startedAt).toBe(created.createdAt);
      expect(between(startedAt!, dueAt!)).toBe(TARGETS.acknowledge);
      const warnAfter = 0.75 * TARGETS.acknowledge;

      await skipTo(env, startedAt!, warnAfter - SECOND);
      const before = await view(handle);
      expect(eventsOf(before, 'sla_warning')).toEqual([]);
      expect(before.sla.acknowledge).toMatchObject({ state: 'running', warnedAt: null });

      await skipTo(env, startedAt!, warnAfter + SECOND);
      const after = await viewWhen(handle, hasEvent('sla_warning'));
      const warnings = eventsOf(after, 'sla_warning');
      expect(warnings).toHaveLength(1);
      const [warning] = warnings;
      expect(warning).toMatchObject({ actor: null, data: { clock: 'acknowledge', share: 0.75, dueAt, round: 1 } });
      expectAtOffset(startedAt!, warning.at, warnAfter);
      expect(after.sla.acknowledge).toMatchObject({ state: 'running', warnedAt: warning.at, breachedAt: null, dueAt });
      expect(after.status).toBe('awaiting_ack');

      await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'sla_warning'));
      const reminders = h.acts.notified.filter((n) => n.event.type === 'sla_warning');
      expect(reminders).toHaveLength(1);
      expect(reminders[0]).toMatchObject({
        workflowId: handle.workflowId,
        event: warning,
        audience: ['party_members'],
        brief: { id: brief.id, partyId: brief.partyId, managerId: brief.managerId, status: 'awaiting_ack' },
      });

      const final = await act(handle, 'acknowledge', actors.agency, {});
      expect(eventsOf(final, 'sla_warning')).toHaveLength(1);
      expect(final.sla.acknowledge.state).toBe('met');
      expectRecordedExactlyOnce(h.acts, final.timeline);
    });
  });

  test('remind the reviewer at 75 % of the review target of each delivery', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await act(handle, 'acknowledge', actors.agency, {});
      const delivered = await act(handle, 'deliver', actors.agency, { summary: 'v1' });
      const { startedAt } = delivered.sla.review;
      await skipTo(env, startedAt!, 0.75 * TARGETS.review + SECOND);
      const warned = await viewWhen(handle, hasEvent('sla_warning', { clock: 'review' }));
      const [warning] = eventsOf(warned, 'sla_warning');
      expectAtOffset(startedAt!, warning.at, 0.75 * TARGETS.review);
      expect(warning.data).toMatchObject({ clock: 'review', round: 1 });
      await callsWhen(() => h.acts.notified.some((n) => n.event.seq === warning.seq));
      expect(h.acts.notified.find((n) => n.event.seq === warning.seq)?.audience).toEqual(['reviewer']);
    });
  });
});

interface BreachCase {
  clock: ClockName;
  /** Brings a new brief to the point where this clock runs. */
  reach: (handle: BriefHandle) => Promise<void>;
  extraAudience: string[];
}

const breachCases: BreachCase[] = [
  { clock: 'acknowledge', reach: async () => undefined, extraAudience: [] },
  {
    clock: 'deliver',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
    },
    extraAudience: [],
  },
  {
    clock: 'review',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
      await act(handle, 'deliver', actors.agency, { summary: 'first cut', links: ['https://figma.example/1'] });
    },
    extraAudience: ['reviewer'],
  },
];

describe('escalation', () => {
  test.each(breachCases)(
    'raises one level-1 escalation to the party leads and the manager exactly when the $clock clock breaches',
    async ({ clock, reach, extraAudience }) => {
      await withWorker(env, async (h) => {
        const handle = await startBrief(h);
        await reach(handle);
        const running = await view(handle);
        const { startedAt, dueAt, targetMs } = running.sla[clock];
        expect(running.sla[clock].state).toBe('running');
        expect(targetMs).toBe(TARGETS[clock]);
        expect(between(startedAt!, dueAt!)).toBe(targetMs);

        await skipTo(env, startedAt!, targetMs - SECOND);
        const before = await viewWhen(handle, hasEvent('sla_warning', { clock }));
        expect(eventsOf(before, 'sla_breached')).toEqual([]);
        expect(eventsOf(before, 'escalation_raised')).toEqual([]);
        expect(before.sla[clock].state).toBe('running');

        await skipTo(env, startedAt!, targetMs + SECOND);
        const breached = await viewWhen(handle, hasEvent('escalation_raised'));
        const [breach] = eventsOf(breached, 'sla_breached');
        const [escalation] = eventsOf(breached, 'escalation_raised');
        expect(breach).toMatchObject({ actor: null, data: { clock, dueAt, round: 1 } });
        expect(escalation).toMatchObject({ actor: null, at: breach.at, seq: breach.seq + 1, data: { clock, level: 1, round: 1 } });
        expect(escalation.data.escalationId).toMatch(UUID);
        expectAtOffset(startedAt!, breach.at, targetMs);
        expect(breached.sla[clock]).toMatchObject({ state: 'breached', breachedAt: breach.at, dueAt });
        expect(breached.sla[clock].remainingMs).toBeLessThanOrEqual(0);
        expect(breached.status).toBe(running.status);

        await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'escalation_raised'));
        const escalations = h.acts.notified.filter((n) => n.event.type === 'escalation_raised');
        expect(escalations).toHaveLength(1);
        expect(escalations[0].event).toEqual(escalation);
        expect(escalations[0].audience).toEqual(expect.arrayContaining(['party_leads', 'manager', ...extraAudience]));
        expect(escalations[0].audience).toHaveLength(2 + extraAudience.length);
        // The breach itself is recorded but not notified: the escalation carries the news.
        expect(h.acts.notified.filter((n) => n.event.type === 'sla_breached')).toEqual([]);
        expect(h.acts.recorded.some((r) => r.events.some((e) => e.type === 'sla_breached') && r.overdue)).toBe(true);

        // A breached clock escalates once, however long the brief stays overdue.
        await env.sleep(3 * targetMs);
        const later = await act(handle, 'comment', actors.manager, { body: 'any news?' });
        expect(eventsOf(later, 'escalation_raised')).toHaveLength(1);
        expect(eventsOf(later, 'sla_breached')).toHaveLength(1);
        expect(later.sla[clock].state).toBe('breached');
        expectRecordedExactlyOnce(h.acts, later.timeline);
      });
    },
  );

  test('escalates the deliver clock again in a revision round, with round 2', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await act(handle, 'acknowledge', actors.agency, {});
      await skipTo(env, (await view(handle)).sla.deliver.startedAt!, TARGETS.deliver + SECOND);
      await viewWhen(handle, hasEvent('escalation_raised', { clock: 'deliver' }));
      await act(handle, 'deliver', actors.agency, { summary: 'late v1' });
      const changes = await act(handle, 'requestChanges', actors.manager, { reason: 'bigger logo' });
      const { startedAt } = changes.sla.deliver;
      expect(changes.sla.deliver).toMatchObject({ state: 'running', breachedAt: null, warnedAt: null });
      await skipTo(env, startedAt!, TARGETS.deliver + SECOND);
      const again = await viewWhen(handle, (v) => eventsOf(v, 'escalation_raised').length === 2);
      const [first, second] = eventsOf(again, 'escalation_raised');
      expect(first.data).toMatchObject({ clock: 'deliver', round: 1, level: 1 });
      expect(second.data).toMatchObject({ clock: 'deliver', round: 2, level: 1 });
      expect(second.data.escalationId).not.toBe(first.data.escalationId);
      expectAtOffset(startedAt!, second.at, TARGETS.deliver);
    });
  });
});

describe('the deliver clock', () => {
  test("counts to the brief's dueAt on the first round, even months away, and by the deliver target in revision rounds", async () => {
    await withWorker(env, async (h) => {
      // 60 days: more than a 32-bit millisecond timer could hold.
      const dueAt = new Date((await env.currentTimeMs()) + 60 * DAY).toISOString();
      const handle = await startBrief(h, briefInput({ dueAt }));
      await env.sleep(HOUR);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      const ackAt = acknowledged.timeline[acknowledged.timeline.length - 1].at;
      expect(acknowledged.sla.deliver).toMatchObject({ state: 'running', startedAt: ackAt, dueAt, targetMs: between(ackAt, dueAt) });

      await skipTo(env, dueAt, SECOND);
      const breached = await viewWhen(handle, hasEvent('sla_breached', { clock: 'deliver' }));
      const [warning] = eventsOf(breached, 'sla_warning');
      expectAtOffset(ackAt, warning.at, 0.75 * between(ackAt, dueAt));
      expectAtOffset(dueAt, eventsOf(breached, 'sla_breached')[0].at, 0);

      await act(handle, 'deliver', actors.agency, { summary: 'late' });
      const changes = await act(handle, 'requestChanges', actors.manager, { reason: 'again' });
      const { startedAt, dueAt: revisionDue } = changes.sla.deliver;
      expect(changes.sla.deliver).toMatchObject({ state: 'running', targetMs: TARGETS.deliver });
      expect(between(startedAt!, revisionDue!)).toBe(TARGETS.deliver);
    });
  });

  test('breaches at once when the brief is acknowledged after its dueAt', async () => {
    await withWorker(env, async (h) => {
      const dueAt = new Date((await env.currentTimeMs()) + HOUR).toISOString();
      const handle = await startBrief(h, briefInput({ dueAt }));
      await env.sleep(2 * HOUR);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      const ackAt = acknowledged.timeline[acknowledged.timeline.length - 1].at;
      expect(acknowledged.sla.deliver).toMatchObject({ targetMs: 0, dueAt: ackAt });
      const breached = await viewWhen(handle, hasEvent('escalation_raised', { clock: 'deliver' }));
      expect(breached.timeline.slice(-3).map((e) => [e.type, dataOf(e).clock])).toEqual([
        ['sla_warning', 'deliver'],
        ['sla_breached', 'deliver'],
        ['escalation_raised', 'deliver'],
      ]);
      expectAtOffset(ackAt, eventsOf(breached, 'sla_breached')[0].at, 0);
    });
  });
});

interface PauseCase {
  clock: 'acknowledge' | 'deliver';
  reach: (handle: BriefHandle) => Promise<void>;
  returnsTo: BriefView['status'];
}

const pauseCases: PauseCase[] = [
  { clock: 'acknowledge', reach: async () => undefined, returnsTo: 'awaiting_ack' },
  {
    clock: 'deliver',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
    },
    returnsTo: 'in_progress',
  },
];

describe('clarifications', () => {
  test.each(pauseCases)(
    'pause the $clock clock: no reminder or breach while open, and the due instant moves by exactly the paused time',
    async ({ clock, reach, returnsTo }) => {
      await withWorker(env, async (h) => {
        const handle = await startBrief(h);
        await reach(handle);
        const running = await view(handle);
        const { startedAt, dueAt: originalDue, targetMs } = running.sla[clock];
        const countedBeforePause = targetMs / 8;

        await skipTo(env, startedAt!, countedBeforePause);
        const asked = await act(handle, 'askClarification', actors.agency, { question: 'Which colours?' });
        const askedAt = asked.clarification!.askedAt;
        const counted = between(startedAt!, askedAt);
        expect(counted).toBeGreaterThanOrEqual(countedBeforePause);
        expect(asked.status).toBe('clarification_requested');
        expect(asked.clarification).toMatchObject({ question: 'Which colours?', askedBy: actors.agency.memberId, returnTo: returnsTo });
        expect(asked.sla[clock]).toMatchObject({ state: 'paused', dueAt: null, elapsedMs: counted, remainingMs: targetMs - counted });

        // Far longer than the whole target: nothing fires while the question is open.
        await env.sleep(2 * targetMs);
        const waiting = await view(handle);
        expect(eventsOf(waiting, 'sla_warning')).toEqual([]);
        expect(eventsOf(waiting, 'sla_breached')).toEqual([]);
        expect(waiting.sla[clock]).toMatchObject({ state: 'paused', dueAt: null, elapsedMs: counted, warnedAt: null, breachedAt: null });

        const answered = await act(handle, 'answerClarification', actors.manager, { answer: 'Red and gold' });
        const answer = answered.timeline[answered.timeline.length - 1];
        expect(answer).toMatchObject({ type: 'clarification_answered', data: { answer: 'Red and gold', question: 'Which colours?' } });
        const pausedMs = between(askedAt, answer.at);
        expect(pausedMs).toBeGreaterThanOrEqual(2 * targetMs);
        expect(answered.status).toBe(returnsTo);
        expect(answered.clarification).toBeNull();
        const newDue = answered.sla[clock].dueAt!;
        expect(between(originalDue!, newDue)).toBe(pausedMs);
        expect(answered.sla[clock]).toMatchObject({ state: 'running', startedAt, warnedAt: null, breachedAt: null });
        // The update answers once the answer is recorded, a moment after it was given.
        const elapsedSinceAnswer = answered.sla[clock].elapsedMs - counted;
        expect(elapsedSinceAnswer).toBeGreaterThanOrEqual(0);
        expect(elapsedSinceAnswer).toBeLessThan(TOLERANCE);

        // The reminder comes at 75 % of the counted time, the breach at the moved due instant.
        const warnAfterAnswer = 0.75 * targetMs - counted;
        await skipTo(env, newDue, -SECOND);
        const beforeDue = await viewWhen(handle, hasEvent('sla_warning'));
        expectAtOffset(answer.at, eventsOf(beforeDue, 'sla_warning')[0].at, warnAfterAnswer);
        expect(eventsOf(beforeDue, 'sla_breached')).toEqual([]);

        await skipTo(env, newDue, SECOND);
        const breached = await viewWhen(handle, hasEvent('sla_breached'));
        const [breach] = eventsOf(breached, 'sla_breached');
        expect(breach.data).toMatchObject({ clock, dueAt: newDue });
        expectAtOffset(newDue, breach.at, 0);
        expect(breached.sla[clock].state).toBe('breached');
        expect(eventsOf(breached, 'escalation_raised')).toHaveLength(1);

        const final = await act(handle, 'comment', actors.agency, { body: 'sorry' });
        expectRecordedExactlyOnce(h.acts, final.timeline);
      });
    },
  );
});
