// Managers' edits of a running brief (the edit update) on the time-skipping server, with stub
// activities: a new priority or dueAt moves the running clock's warning and breach to the new
// instants, and an edit based on an outdated version, by the wrong role or with malformed changes
// is refused before it enters history.
//
// As in brief-clocks.test.ts, instants are compared with the clock's own startedAt (the
// workflow's time); a timer fires at its instant or at most TOLERANCE later, never before.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../workflows/domain/vocabulary';
import type { BriefChanges } from '../../workflows/domain/edit';
import {
  acceptedUpdates,
  act,
  actors,
  between,
  briefInput,
  callsWhen,
  DAY,
  edit,
  eventsOf,
  expectRecordedExactlyOnce,
  hasEvent,
  HOUR,
  lastSeq,
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
  type Harness,
} from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** Expects `at` to lie `offsetMs` after `from`, or a little later, never earlier. */
function expectAtOffset(from: string, at: string, offsetMs: number): void {
  const actual = between(from, at);
  expect(actual).toBeGreaterThanOrEqual(offsetMs);
  expect(actual).toBeLessThan(offsetMs + TOLERANCE);
}

describe('a new priority moves the running clock', () => {
  test('a shorter target: the acknowledge clock warns and breaches at the new instants, and the read model gets the new next deadline', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      const created = await view(handle);
      const startedAt = created.sla.acknowledge.startedAt!;
      await skipTo(env, startedAt, HOUR);

      const targetsMs = { ...TARGETS, acknowledge: 2 * HOUR };
      const edited = await edit(handle, actors.manager, { priority: 'P1', targetsMs }, lastSeq(created));
      expect(edited.priority).toBe('P1');
      expect(edited.sla.acknowledge).toMatchObject({ state: 'running', startedAt, targetMs: 2 * HOUR, dueAt: iso(Date.parse(startedAt) + 2 * HOUR) });
      expect(edited.sla.acknowledge.elapsedMs).toBeGreaterThanOrEqual(HOUR);
      const [event] = eventsOf(edited, 'brief_edited');
      expect(event).toMatchObject({
        seq: 2,
        actor: actors.manager.memberId,
        data: { changes: { priority: 'P1', targetsMs }, before: { priority: 'P2', targetsMs: TARGETS } },
      });
      // The answer comes once the edit is recorded, with the clock's next instant (the warning at 75 % of 2 h).
      const recorded = h.acts.recorded.find((r) => r.events.some((e) => e.type === 'brief_edited'));
      expect(recorded).toMatchObject({ state: { brief: { priority: 'P1', targetsMs } }, nextDueAt: iso(Date.parse(startedAt) + 1.5 * HOUR) });

      await skipTo(env, startedAt, 2 * HOUR - SECOND);
      const warned = await viewWhen(handle, hasEvent('sla_warning'));
      expectAtOffset(startedAt, eventsOf(warned, 'sla_warning')[0].at, 1.5 * HOUR);
      expect(eventsOf(warned, 'sla_breached')).toEqual([]);

      await skipTo(env, startedAt, 2 * HOUR + SECOND);
      const breached = await viewWhen(handle, hasEvent('sla_breached', { clock: 'acknowledge' }));
      const [breach] = eventsOf(breached, 'sla_breached');
      expectAtOffset(startedAt, breach.at, 2 * HOUR);
      expect(breach.data).toMatchObject({ clock: 'acknowledge', dueAt: edited.sla.acknowledge.dueAt, round: 1 });
      expect(breached.sla.acknowledge.state).toBe('breached');

      await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'brief_edited'));
      expect(h.acts.notified.find((n) => n.event.type === 'brief_edited')).toMatchObject({
        event,
        audience: ['party_members'],
        brief: { priority: 'P1', status: 'awaiting_ack' },
      });

      const final = await act(handle, 'acknowledge', actors.agency, {});
      expectRecordedExactlyOnce(h.acts, final.timeline);
    });
  });

  test('a longer target: the old instants pass quietly and the clock breaches at the new one', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      const created = await view(handle);
      const startedAt = created.sla.acknowledge.startedAt!;
      await skipTo(env, startedAt, HOUR);
      const edited = await edit(handle, actors.manager, { priority: 'P4', targetsMs: { ...TARGETS, acknowledge: 2 * DAY } }, lastSeq(created));
      expect(edited.sla.acknowledge.dueAt).toBe(iso(Date.parse(startedAt) + 2 * DAY));

      // Past the old breach instant (4 h): nothing has fired.
      await skipTo(env, startedAt, TARGETS.acknowledge + HOUR);
      const quiet = await view(handle);
      expect(quiet.timeline.map((e) => e.type)).toEqual(['brief_created', 'brief_edited']);

      await skipTo(env, startedAt, 2 * DAY + SECOND);
      const breached = await viewWhen(handle, hasEvent('sla_breached'));
      expectAtOffset(startedAt, eventsOf(breached, 'sla_warning')[0].at, 0.75 * 2 * DAY);
      expectAtOffset(startedAt, eventsOf(breached, 'sla_breached')[0].at, 2 * DAY);
    });
  });
});

describe('a new dueAt moves the deliver clock', () => {
  test('before the first delivery the deliver clock breaches exactly at the new dueAt, not at the old one', async () => {
    await withWorker(env, async (h) => {
      const now = await env.currentTimeMs();
      const oldDue = iso(now + 3 * DAY);
      const handle = await startBrief(h, briefInput({ dueAt: oldDue }));
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      expect(acknowledged.sla.deliver).toMatchObject({ state: 'running', dueAt: oldDue });
      const startedAt = acknowledged.sla.deliver.startedAt!;

      const newDue = iso(Date.parse(oldDue) + 2 * DAY + 123);
      const edited = await edit(handle, actors.manager, { dueAt: newDue }, lastSeq(acknowledged));
      expect(edited.dueAt).toBe(newDue);
      expect(edited.sla.deliver).toMatchObject({ state: 'running', startedAt, dueAt: newDue, targetMs: between(startedAt, newDue) });
      expect(eventsOf(edited, 'brief_edited')[0].data).toEqual({ changes: { dueAt: newDue }, before: { dueAt: oldDue } });

      await skipTo(env, oldDue, HOUR);
      const quiet = await view(handle);
      expect(eventsOf(quiet, 'sla_breached')).toEqual([]);
      expect(quiet.sla.deliver.state).toBe('running');

      await skipTo(env, newDue, SECOND);
      const breached = await viewWhen(handle, hasEvent('sla_breached', { clock: 'deliver' }));
      const [breach] = eventsOf(breached, 'sla_breached');
      expectAtOffset(newDue, breach.at, 0);
      expect(breach.data).toMatchObject({ clock: 'deliver', dueAt: newDue, round: 1 });
      expectAtOffset(startedAt, eventsOf(breached, 'sla_warning')[0].at, 0.75 * between(startedAt, newDue));
    });
  });
});

describe('refused edits leave no trace', () => {
  /** Sends the edit, expects it refused with this failure type, and no trace of it anywhere. */
  async function expectRefused(h: Harness, handle: BriefHandle, actor: Actor, changes: BriefChanges, expectedSeq: number, type: string) {
    const before = await view(handle);
    const recordCalls = h.acts.recorded.length;
    const updateId = `refused-edit-${randomUUID()}`;
    const error = await edit(handle, actor, changes, expectedSeq, updateId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (error as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type, nonRetryable: true });

    expect((await acceptedUpdates(handle)).map((u) => u.id)).not.toContain(updateId);
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(updateId);
    const after = await view(handle);
    expect(after).toMatchObject({ title: before.title, priority: before.priority, dueAt: before.dueAt, updatedAt: before.updatedAt });
    expect(after.timeline).toEqual(before.timeline);
    expect(h.acts.recorded.length).toBe(recordCalls);
    return cause as ApplicationFailure;
  }

  test('an edit based on an outdated version is refused as PreconditionFailed; the same edit at the current version goes through', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      const created = await view(handle);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      expect(lastSeq(acknowledged)).toBe(2);

      const stale = await expectRefused(h, handle, actors.manager, { title: 'Renamed' }, lastSeq(created), 'PreconditionFailed');
      expect(stale.message).toBe('the brief has changed: it is at event 2, the edit expected 1');
      await expectRefused(h, handle, actors.manager, { title: 'Renamed' }, 3, 'PreconditionFailed');

      const edited = await edit(handle, actors.manager, { title: 'Renamed' }, 2);
      expect(edited.title).toBe('Renamed');
      expect(lastSeq(edited)).toBe(3);
      // The version moved on: an edit still based on event 2 is now outdated.
      await expectRefused(h, handle, actors.manager, { title: 'Renamed again' }, 2, 'PreconditionFailed');
      expectRecordedExactlyOnce(h.acts, (await view(handle)).timeline);
    });
  });

  test('members, watchers and admins may not edit; malformed changes are refused as InvalidInput', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      const seq = lastSeq(await view(handle));
      for (const actor of [actors.agency, actors.watcher, actors.admin]) {
        const forbidden = await expectRefused(h, handle, actor, { title: 'Mine' }, seq, 'Forbidden');
        expect(forbidden.message).toBe(`role ${actor.role} may not edit a brief`);
      }
      const invalid = await expectRefused(h, handle, actors.manager, { dueAt: 'next tuesday', priority: 'P9' } as unknown as BriefChanges, seq, 'InvalidInput');
      expect(invalid.message).toBe('invalid changes: dueAt, priority');
    });
  });
});
