// Clocks in business time under an SLA policy, on the time-skipping server: due instants on an
// office calendar (Mon-Fri 09:00-17:00 Europe/Berlin), the warning, breach and every escalation
// level at their instants, pauses (clarification, hold, nights and weekends) moving the due instant
// by exactly the paused business time, acknowledgement stopping the chain and re-escalating a
// target later, and a changed policy applied to a running brief without resetting its clocks.
//
// Server time can only move forward, so each test first skips to the next working-week instant it
// starts from. Events happen at their instant or at most TOLERANCE later (a timer fires a few
// milliseconds after the instant it was set for), never earlier.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgeEscalationUpdate, applySlaUpdate, escalationAcknowledgedSignal } from '../../workflows/brief/definitions';
import type { BriefView } from '../../workflows/domain/brief';
import type { EventOf } from '../../workflows/domain/events';
import { addBusinessTime, businessTimeBetween, zonedInstant, type Calendar } from '../../workflows/domain/calendar';
import type { BriefSla } from '../../workflows/domain/policy';
import { viewBrief } from '../../workflows/domain/sla';
import {
  acceptedUpdates,
  act,
  actors,
  type BriefHandle,
  briefInput,
  callsWhen,
  DAY,
  eventsOf,
  hasEvent,
  HOUR,
  MINUTE,
  recordedEvents,
  startBrief,
  TOLERANCE,
  view,
  viewWhen,
  withRecorded,
  withTimeSkippingServer,
  withWorker,
} from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const BERLIN = 'Europe/Berlin';
const OFFICE: Calendar = {
  name: 'Berlin office',
  timezone: BERLIN,
  workingHours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: [],
};

function policy(overrides: Partial<BriefSla> = {}): BriefSla {
  return {
    policyId: 'policy-office',
    policyName: 'Office hours',
    policyVersion: 1,
    calendarId: 'calendar-berlin',
    calendarVersion: 1,
    calendar: OFFICE,
    policyTargets: {
      acknowledge: { P1: 'PT1H', P2: 'PT4H', P3: 'P1D', P4: 'P2D' },
      deliver: { P1: 'P1D', P2: 'P2D', P3: 'P5D', P4: 'P10D' },
      review: { P1: 'PT4H', P2: 'P1D', P3: 'P2D', P4: 'P3D' },
    },
    warnAt: 0.75,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] },
    agreement: 'external',
    reescalate: true,
    ...overrides,
  };
}

/** The next instant, at or after the server's time, that falls on `weekday` (0 = Sunday) at `time` in Berlin. */
async function nextBerlin(weekday: number, time: string): Promise<number> {
  const now = await env.currentTimeMs();
  for (let day = 0; day < 8; day++) {
    const date = new Date(now + day * DAY).toISOString().slice(0, 10);
    const at = zonedInstant(BERLIN, date, time);
    if (at > now + MINUTE && new Date(at).getUTCDay() === weekday) return at;
  }
  throw new Error('no such day in the coming week');
}

async function skipUntil(at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

const ms = Date.parse;
const iso = (t: number) => new Date(t).toISOString();
const berlin = (t: number) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: BERLIN, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(t));

/** Expects the ISO instant `at` to be `expected` or at most TOLERANCE later. */
function expectAt(at: string | null | undefined, expected: number): void {
  expect(at).toBeTruthy();
  const late = ms(at as string) - expected;
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThan(TOLERANCE);
}

const escalations = (v: BriefView): EventOf<'escalation_raised'>[] => eventsOf(v, 'escalation_raised');

describe('business time on an office calendar', () => {
  test('a P2 brief created Friday 15:00 with a 4-hour acknowledge target is due Monday 11:00; warning, breach and every level fire at their instants', async () => {
    await withWorker(env, async (h) => {
      const sla = policy({
        escalation: {
          levels: [
            { after: 'PT0S', notify: ['party_lead', 'manager'] },
            { after: 'PT2H', notify: ['watchers', 'm-head-of-it'] },
          ],
          repeatEvery: 'PT1H',
          maxRepeats: 2,
        },
      });
      const friday = await nextBerlin(5, '15:00');
      await skipUntil(friday);
      const handle = await startBrief(h, briefInput({ priority: 'P2', sla }));
      const created = await view(handle);
      const start = ms(created.createdAt);
      expect(start - friday).toBeLessThan(TOLERANCE);

      // Friday 15:00-17:00 counts 2 hours, Monday 09:00-11:00 the other 2.
      const monday11 = zonedInstant(BERLIN, new Date(friday + 3 * DAY).toISOString().slice(0, 10), '11:00');
      const clock = created.sla.acknowledge;
      expect(berlin(ms(clock.dueAt as string))).toBe('Mon 11:00');
      expect(ms(clock.dueAt as string)).toBe(addBusinessTime(OFFICE, start, 4 * HOUR));
      expectAt(clock.dueAt, monday11);
      expect(clock).toMatchObject({ state: 'running', targetMs: 4 * HOUR, pausedFor: [] });
      expect(berlin(ms(clock.warnsAt as string))).toBe('Mon 10:00');
      expect(created.slaPolicy).toMatchObject({ id: 'policy-office', calendarName: 'Berlin office', timezone: BERLIN, agreement: 'external' });

      // Saturday: the clock stands still outside working hours. (The brief as the API renders it:
      // the recorded state at the time of reading. A query answers at the workflow's last task.)
      await skipUntil(friday + DAY);
      const saturday = viewBrief(h.acts.recorded[h.acts.recorded.length - 1].state, friday + DAY);
      expect(saturday.sla.acknowledge).toMatchObject({ state: 'paused', pausedFor: ['outside_working_hours'], dueAt: clock.dueAt });
      expect(saturday.sla.acknowledge.elapsedMs).toBe(businessTimeBetween(OFFICE, start, friday + DAY));
      expect(saturday.sla.acknowledge.remainingMs).toBe(4 * HOUR - saturday.sla.acknowledge.elapsedMs);
      expect(Math.abs(saturday.sla.acknowledge.remainingMs - 2 * HOUR)).toBeLessThan(TOLERANCE);
      expect(eventsOf(await view(handle), 'sla_warning')).toEqual([]);

      const due = ms(clock.dueAt as string);
      const expected = [
        { type: 'sla_warning', at: due - HOUR },
        { type: 'sla_breached', at: due },
        { type: 'escalation_raised', at: due, level: 1, repeat: 0 },
        { type: 'escalation_raised', at: due + 2 * HOUR, level: 2, repeat: 0 },
        { type: 'escalation_raised', at: due + 3 * HOUR, level: 2, repeat: 1 },
        { type: 'escalation_raised', at: due + 4 * HOUR, level: 2, repeat: 2 },
      ];
      // Just before each instant nothing has fired yet; just after, exactly that has.
      const systemEvents = (v: BriefView) => v.timeline.filter((e) => e.actor === null);
      for (const instant of [...new Set(expected.map((e) => e.at))]) {
        await skipUntil(instant - MINUTE);
        expect(systemEvents(await view(handle))).toHaveLength(expected.filter((e) => e.at < instant).length);
        await skipUntil(instant + MINUTE);
        await viewWhen(handle, (v) => systemEvents(v).length === expected.filter((e) => e.at <= instant).length);
      }
      const after = await viewWhen(handle, (v) => escalations(v).length === 4);
      const fired = after.timeline.filter((e) => e.actor === null);
      expect(fired.map((e) => e.type)).toEqual(expected.map((e) => e.type));
      fired.forEach((event, i) => expectAt(event.at, expected[i].at));
      expect(escalations(after).map((e) => [e.data.level, e.data.repeat, e.data.agreement])).toEqual([
        [1, 0, 'external'],
        [2, 0, 'external'],
        [2, 1, 'external'],
        [2, 2, 'external'],
      ]);
      expect(after.sla.acknowledge).toMatchObject({ state: 'breached', escalationLevel: 2, nextEscalationAt: null });

      // Each level notifies whom it names.
      await callsWhen(() => h.acts.notified.filter((n) => n.event.type === 'escalation_raised').length === 4);
      const audiences = h.acts.notified.filter((n) => n.event.type === 'escalation_raised').map((n) => n.audience);
      expect(audiences).toEqual([['party_leads', 'manager'], ['watchers', 'member:m-head-of-it'], ['watchers', 'member:m-head-of-it'], ['watchers', 'member:m-head-of-it']]);
    });
  });
});

describe('pauses move the due instant by exactly the paused business time', () => {
  test('a clarification and a hold across a night', async () => {
    await withWorker(env, async (h) => {
      const monday = await nextBerlin(1, '09:00');
      await skipUntil(monday);
      const handle = await startBrief(h, briefInput({ priority: 'P2', sla: policy() }));
      const created = await view(handle);
      const due0 = ms(created.sla.acknowledge.dueAt as string);
      expectAt(iso(due0), monday + 4 * HOUR);

      // A question from 10:00 to 10:30 moves the due instant by the 30 minutes it was open.
      await skipUntil(monday + HOUR);
      const asked = await act(handle, 'askClarification', actors.agency, { question: 'Which colours?' });
      expect(asked.sla.acknowledge).toMatchObject({ state: 'paused', pausedFor: ['clarification'], dueAt: null });
      await skipUntil(monday + HOUR + 30 * MINUTE);
      const answered = await act(handle, 'answerClarification', actors.manager, { answer: 'Red and gold' });
      const [question] = eventsOf(answered, 'clarification_requested');
      const [answer] = eventsOf(answered, 'clarification_answered');
      const due1 = ms(answered.sla.acknowledge.dueAt as string);
      expect(due1 - due0).toBe(ms(answer.at) - ms(question.at));

      // On hold from 11:00 until Tuesday 10:00: 6 working hours on Monday and 1 on Tuesday.
      await skipUntil(monday + 2 * HOUR);
      const held = await act(handle, 'hold', actors.manager, { reason: 'waiting for photos' });
      expect(held.hold).toMatchObject({ by: actors.manager.memberId, reason: 'waiting for photos' });
      expect(held.sla.acknowledge).toMatchObject({ state: 'paused', pausedFor: ['hold'], dueAt: null });
      await skipUntil(monday + DAY + HOUR);
      const overnight = await view(handle);
      expect(eventsOf(overnight, 'sla_breached')).toEqual([]);
      const resumed = await act(handle, 'resume', actors.manager, {});
      expect(resumed.hold).toBeNull();
      const [heldEvent] = eventsOf(resumed, 'brief_held');
      const [resumedEvent] = eventsOf(resumed, 'brief_resumed');
      const pausedBusiness = businessTimeBetween(OFFICE, ms(heldEvent.at), ms(resumedEvent.at));
      expect(pausedBusiness).toBeGreaterThan(7 * HOUR - TOLERANCE);
      expect(pausedBusiness).toBeLessThan(7 * HOUR + TOLERANCE);
      const due2 = ms(resumed.sla.acknowledge.dueAt as string);
      // The remaining business time at the hold is what is left after the resume.
      expect(businessTimeBetween(OFFICE, ms(heldEvent.at), due1)).toBe(businessTimeBetween(OFFICE, ms(resumedEvent.at), due2));
      expect(berlin(due2)).toBe('Tue 12:30');
      expect(resumed.sla.acknowledge.elapsedMs + (resumed.sla.acknowledge.remainingMs ?? 0)).toBe(4 * HOUR);

      // Holding refuses a second hold; resuming one that is not on hold is refused too.
      await expect(act(handle, 'resume', actors.manager, {})).rejects.toThrow();

      await skipUntil(due2 + MINUTE);
      const breached = await viewWhen(handle, hasEvent('sla_breached'));
      expectAt(eventsOf(breached, 'sla_breached')[0].at, due2);
    });
  });
});

describe('escalation acknowledgement', () => {
  test('stops the chain; the step still not done a full target later re-escalates and the chain goes on from there', async () => {
    await withWorker(env, async (h) => {
      const sla = policy({
        escalation: {
          levels: [
            { after: 'PT0S', notify: ['party_lead'] },
            { after: 'PT1H', notify: ['manager'] },
            { after: 'PT3H', notify: ['watchers'] },
          ],
        },
      });
      const monday = await nextBerlin(1, '09:00');
      await skipUntil(monday);
      const handle = await startBrief(h, briefInput({ priority: 'P1', sla }));
      const due = ms((await view(handle)).sla.acknowledge.dueAt as string);
      expectAt(iso(due), monday + HOUR);

      await skipUntil(due + MINUTE);
      const breached = await viewWhen(handle, (v) => escalations(v).length === 1);
      const [level1] = escalations(breached);
      expect(level1.data).toMatchObject({ level: 1, clock: 'acknowledge' });

      // Acknowledged at 10:30: level 2 (due 11:00) is not raised.
      await skipUntil(due + 30 * MINUTE);
      await handle.signal(escalationAcknowledgedSignal, { escalationId: String(level1.data.escalationId), memberId: actors.watcher.memberId });
      const acked = await viewWhen(handle, hasEvent('escalation_acknowledged'));
      const ackAt = ms(eventsOf(acked, 'escalation_acknowledged')[0].at);
      expect(acked.sla.acknowledge).toMatchObject({ escalationAcknowledged: true, escalationLevel: 1 });
      await skipUntil(due + HOUR + 10 * MINUTE);
      expect(escalations(await view(handle))).toHaveLength(1);

      // A full target (1 hour) after the acknowledgement it re-escalates at level 1...
      await skipUntil(ackAt + HOUR + MINUTE);
      const again = await viewWhen(handle, (v) => escalations(v).length === 2);
      const reescalation = escalations(again)[1];
      expect(reescalation.data).toMatchObject({ level: 1, reescalation: true });
      expectAt(reescalation.at, ackAt + HOUR);
      // ...and the chain goes on: level 2 an hour later, level 3 two hours after that.
      await skipUntil(ackAt + 4 * HOUR + MINUTE);
      const chain = await viewWhen(handle, (v) => escalations(v).length === 4);
      const [, , level2, level3] = escalations(chain);
      expect(level2.data).toMatchObject({ level: 2 });
      expectAt(level2.at, ms(reescalation.at) + HOUR);
      expect(level3.data).toMatchObject({ level: 3 });
      expectAt(level3.at, ms(reescalation.at) + 3 * HOUR);
    });
  });
});

describe('the acknowledgeEscalation update', () => {
  test('answers once the acknowledgement is recorded, with when the chain re-escalates; refuses an unknown or acknowledged escalation before it enters history', async () => {
    await withWorker(env, async (h) => {
      const monday = await nextBerlin(1, '09:00');
      await skipUntil(monday);
      const handle = await startBrief(h, briefInput({ priority: 'P1', sla: policy() }));
      const due = ms((await view(handle)).sla.acknowledge.dueAt as string);
      await skipUntil(due + MINUTE);
      const [raised] = escalations(await viewWhen(handle, (v) => escalations(v).length === 1));
      const escalationId = String(raised.data.escalationId);

      const refused = async (ack: { escalationId: string; memberId: string }, type: string) => {
        const before = await view(handle);
        const recordCalls = h.acts.recorded.length;
        const updateId = `refused-${randomUUID()}`;
        const error = await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [ack], updateId }).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((error as WorkflowUpdateFailedError).cause).toMatchObject({ type, nonRetryable: true });
        expect((await acceptedUpdates(handle)).map((u) => u.id)).not.toContain(updateId);
        expect((await view(handle)).timeline).toEqual(before.timeline);
        expect(h.acts.recorded.length).toBe(recordCalls);
      };
      await refused({ escalationId: 'not-raised-here', memberId: actors.watcher.memberId }, 'NotFound');

      // Acknowledged at 10:30: the answer comes after the read model has the event.
      await skipUntil(due + 30 * MINUTE);
      const answered = withRecorded(handle.workflowId, await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [{ escalationId, memberId: actors.watcher.memberId }] }));
      const ack = answered.timeline[answered.timeline.length - 1];
      expect(ack).toMatchObject({ type: 'escalation_acknowledged', actor: actors.watcher.memberId, data: { escalationId, clock: 'acknowledge' } });
      expect(recordedEvents(h.acts).map((e) => e.seq)).toContain(ack.seq);
      // A full target (one working hour) after the acknowledgement, in the answer and in the read model's state.
      expect(answered.sla.acknowledge).toMatchObject({ escalationAcknowledged: true, escalationLevel: 1, nextEscalationAt: iso(ms(ack.at) + HOUR) });
      const recorded = h.acts.recorded.find((r) => r.events.some((e) => e.seq === ack.seq));
      expect(viewBrief(recorded!.state, ms(ack.at) + MINUTE).sla.acknowledge).toMatchObject({ escalationAcknowledged: true, nextEscalationAt: iso(ms(ack.at) + HOUR) });

      await refused({ escalationId, memberId: actors.manager.memberId }, 'IllegalTransition');

      // It re-escalates then, naming the escalation it follows.
      await skipUntil(ms(ack.at) + HOUR + MINUTE);
      const again = escalations(await viewWhen(handle, (v) => escalations(v).length === 2))[1];
      expect(again.data).toMatchObject({ level: 1, reescalation: true, follows: escalationId });
      expectAt(again.at, ms(ack.at) + HOUR);
    });
  });
});

describe('applying a changed policy to a running brief', () => {
  test('recomputes the clock from its recorded time under the new calendar and target, without resetting it', async () => {
    await withWorker(env, async (h) => {
      const monday = await nextBerlin(1, '09:00');
      await skipUntil(monday);
      const handle = await startBrief(h, briefInput({ priority: 'P2', sla: policy() }));
      // 30 minutes counted, then a 30-minute question, then running again from 10:00.
      await skipUntil(monday + 30 * MINUTE);
      await act(handle, 'askClarification', actors.agency, { question: 'Which colours?' });
      await skipUntil(monday + HOUR);
      const answered = await act(handle, 'answerClarification', actors.manager, { answer: 'Red' });
      const stretch = ms(eventsOf(answered, 'clarification_requested')[0].at) - ms(answered.createdAt);
      const answeredAt = ms(eventsOf(answered, 'clarification_answered')[0].at);

      // At 11:00 an admin applies version 2: 08:00-18:00 and a 6-hour acknowledge target.
      await skipUntil(monday + 2 * HOUR);
      const longDays: Calendar = { ...OFFICE, name: 'Berlin long days', workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:00', '18:00']]])) };
      const v2 = policy({ policyVersion: 2, calendar: longDays, calendarVersion: 2, policyTargets: { ...policy().policyTargets, acknowledge: { P2: 'PT6H' } } });
      await expect(handle.executeUpdate(applySlaUpdate, { args: [{ actor: actors.manager, sla: v2 }] })).rejects.toThrow();
      const applied = withRecorded(handle.workflowId, await handle.executeUpdate(applySlaUpdate, { args: [{ actor: actors.admin, sla: v2 }] }));
      const [event] = eventsOf(applied, 'sla_policy_applied');
      expect(event.data).toMatchObject({ policyId: 'policy-office', policyVersion: 2, before: { policyVersion: 1 } });
      const clock = applied.sla.acknowledge;
      expect(clock.targetMs).toBe(6 * HOUR);
      // What was counted stays counted (recounted from the recorded stretches): 6 h - 1.5 h from 11:00 is 15:30.
      // Due when the 30 minutes before the question and the time since the answer make 6 hours.
      expect(ms(clock.dueAt as string)).toBe(answeredAt + 6 * HOUR - stretch);
      expect(clock.elapsedMs).toBeGreaterThan(90 * MINUTE - TOLERANCE);
      // (The time-skipping server lands within TOLERANCE of each instant it skips to.)
      expect(Math.abs(ms(clock.dueAt as string) - (monday + 6 * HOUR + 30 * MINUTE))).toBeLessThan(TOLERANCE);
      expect(applied.slaPolicy).toMatchObject({ version: 2, calendarName: 'Berlin long days' });

      await skipUntil(ms(clock.dueAt as string) + MINUTE);
      const breached = await viewWhen(handle, hasEvent('sla_breached'));
      expectAt(eventsOf(breached, 'sla_breached')[0].at, ms(clock.dueAt as string));
    });
  });
});

export type { BriefHandle };
