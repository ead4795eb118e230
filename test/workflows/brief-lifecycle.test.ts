// The brief workflow's state machine on the time-skipping server, with stub activities: the
// revision loop to approval, cancel and decline, and the rejection of illegal updates before
// they enter history.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BriefView, ClockState } from '../../workflows/domain/brief';
import type { Actor, BriefStatus } from '../../workflows/domain/vocabulary';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import { acknowledgeEscalationUpdate, escalationAcknowledgedSignal, syncUpdate } from '../../workflows/brief/definitions';
import {
  acceptedUpdates,
  act,
  actors,
  between,
  type BriefHandle,
  briefInput,
  callsWhen,
  expectRecordedExactlyOnce,
  type Harness,
  HOUR,
  recordedEvents,
  resultOf,
  SECOND,
  settled,
  skipTo,
  startBrief,
  TARGETS,
  TOLERANCE,
  view,
  viewWhen,
  withRecorded,
  withTimeSkippingServer,
  withWorker,
} from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const types = (v: BriefView) => v.timeline.map((e) => e.type);
const last = (v: BriefView) => v.timeline[v.timeline.length - 1];
const clockStates = (v: BriefView): Record<string, ClockState> => ({
  acknowledge: v.sla.acknowledge.state,
  deliver: v.sla.deliver.state,
  review: v.sla.review.state,
});

/** Waits until a notification went out for every event whose audience is not empty. */
async function notificationsFor(h: Harness, seqs: number[]) {
  await callsWhen(() => seqs.every((seq) => h.acts.notified.some((n) => n.event.seq === seq)));
  return new Map(h.acts.notified.map((n) => [n.event.type + '#' + n.event.seq, n.audience]));
}

describe('the revision loop', () => {
  test('delivers, takes a request for changes, delivers revision 2 and is approved; the workflow completes with every clock met', async () => {
    await withWorker(env, async (h) => {
      const brief = briefInput({ reviewerId: 'm-reviewer' });
      const handle = await startBrief(h, brief);
      const created = await view(handle);

      await skipTo(env, created.createdAt, 1 * HOUR);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, { note: 'on it' });
      expect(acknowledged.status).toBe('in_progress');
      expect(last(acknowledged)).toMatchObject({ type: 'acknowledged', actor: actors.agency.memberId, data: { note: 'on it' } });
      expect(acknowledged.sla.acknowledge).toMatchObject({ state: 'met', completedAt: last(acknowledged).at, elapsedMs: between(created.createdAt, last(acknowledged).at) });
      expect(acknowledged.sla.deliver).toMatchObject({ state: 'running', startedAt: last(acknowledged).at, targetMs: TARGETS.deliver });

      await env.sleep(10 * HOUR);
      const first = await act(handle, 'deliver', actors.agency, { summary: 'First cut', links: ['https://figma.example/v1'] });
      expect(first).toMatchObject({ status: 'in_review', revision: 1 });
      expect(first.deliveries).toEqual([
        { version: 1, summary: 'First cut', links: ['https://figma.example/v1'], submittedBy: actors.agency.memberId, submittedAt: last(first).at },
      ]);
      expect(last(first)).toMatchObject({ type: 'delivered', data: first.deliveries[0] });
      expect(first.sla.deliver.state).toBe('met');
      expect(first.sla.review).toMatchObject({ state: 'running', startedAt: last(first).at, targetMs: TARGETS.review });

      await env.sleep(2 * HOUR);
      const changes = await act(handle, 'requestChanges', actors.manager, { reason: 'Bigger logo' });
      expect(changes).toMatchObject({ status: 'changes_requested', revision: 1 });
      expect(last(changes)).toMatchObject({ type: 'changes_requested', actor: actors.manager.memberId, data: { reason: 'Bigger logo', revision: 1 } });
      expect(changes.sla.review).toMatchObject({ state: 'met', completedAt: last(changes).at });
      // A revision round restarts the deliver clock from zero, with the deliver target.
      expect(changes.sla.deliver).toMatchObject({ state: 'running', startedAt: last(changes).at, targetMs: TARGETS.deliver, warnedAt: null });
      expect(between(changes.sla.deliver.startedAt!, changes.sla.deliver.dueAt!)).toBe(TARGETS.deliver);

      await env.sleep(5 * HOUR);
      const second = await act(handle, 'deliver', actors.agency, { summary: 'Bigger logo, new hero', links: ['https://figma.example/v2', 'https://shop.example/preview'] });
      expect(second).toMatchObject({ status: 'in_review', revision: 2 });
      expect(second.deliveries.map((d) => [d.version, d.summary, d.links])).toEqual([
        [1, 'First cut', ['https://figma.example/v1']],
        [2, 'Bigger logo, new hero', ['https://figma.example/v2', 'https://shop.example/preview']],
      ]);
      expect(second.sla.review).toMatchObject({ state: 'running', startedAt: last(second).at });

      const approved = await act(handle, 'approve', actors.manager, { note: 'Ship it' });
      expect(approved.status).toBe('approved');
      expect(last(approved)).toMatchObject({ type: 'approved', actor: actors.manager.memberId, data: { note: 'Ship it', revision: 2 } });

      const result = await resultOf(handle);
      expect(result).toMatchObject({ id: brief.id, status: 'approved', revision: 2, clarification: null });
      expect(result.deliveries).toEqual(second.deliveries);
      expect(clockStates(result)).toEqual({ acknowledge: 'met', deliver: 'met', review: 'met' });
      expect(types(result)).toEqual(['brief_created', 'acknowledged', 'delivered', 'changes_requested', 'delivered', 'approved']);
      expect(result.timeline.filter((e) => e.type.startsWith('sla_'))).toEqual([]);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      // Approved is final: not even a manager can cancel it any more.
      await expect(act(handle, 'cancel', actors.manager, { reason: 'changed my mind' })).rejects.toThrow(WorkflowNotFoundError);

      expectRecordedExactlyOnce(h.acts, result.timeline);
      const lastRecord = h.acts.recorded[h.acts.recorded.length - 1];
      expect(lastRecord).toMatchObject({ workflowId: handle.workflowId, overdue: false, nextDueAt: null, state: { status: 'approved', revision: 2 } });

      const audiences = await notificationsFor(h, [1, 2, 3, 4, 5, 6]);
      expect(Object.fromEntries(audiences)).toEqual({
        'brief_created#1': ['party_members'],
        'acknowledged#2': ['manager'],
        'delivered#3': ['reviewer'],
        'changes_requested#4': ['party_members'],
        'delivered#5': ['reviewer'],
        'approved#6': ['party_members'],
      });
    });
  });

  test('returns from a clarification to where the brief was and goes on to approval', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await act(handle, 'acknowledge', actors.agency, {});
      const asked = await act(handle, 'askClarification', actors.agency, { question: 'Which colours?' });
      expect(asked).toMatchObject({ status: 'clarification_requested', clarification: { question: 'Which colours?', returnTo: 'in_progress' } });
      const answered = await act(handle, 'answerClarification', actors.manager, { answer: 'Red and gold' });
      expect(answered).toMatchObject({ status: 'in_progress', clarification: null });
      await act(handle, 'comment', actors.agency, { body: 'thanks' });
      await act(handle, 'deliver', actors.agency, { summary: 'v1' });
      await act(handle, 'approve', actors.manager, {});
      const result = await resultOf(handle);
      expect(result.status).toBe('approved');
      expect(types(result)).toEqual([
        'brief_created',
        'acknowledged',
        'clarification_requested',
        'clarification_answered',
        'comment_added',
        'delivered',
        'approved',
      ]);
      expect(clockStates(result)).toEqual({ acknowledge: 'met', deliver: 'met', review: 'met' });
      expectRecordedExactlyOnce(h.acts, result.timeline);
      const audiences = await notificationsFor(h, [3, 4, 5]);
      expect(audiences.get('clarification_requested#3')).toEqual(['manager']);
      expect(audiences.get('clarification_answered#4')).toEqual(['party_members']);
      expect(audiences.get('comment_added#5')).toEqual(['manager']);
    });
  });
});

interface Stage {
  status: BriefStatus;
  /** Brings a new brief to this status. */
  reach: (handle: BriefHandle) => Promise<void>;
}

const stages: Record<Exclude<BriefStatus, 'approved' | 'declined' | 'cancelled'>, Stage> = {
  awaiting_ack: { status: 'awaiting_ack', reach: async () => undefined },
  in_progress: {
    status: 'in_progress',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
    },
  },
  clarification_requested: {
    status: 'clarification_requested',
    reach: async (handle) => {
      await act(handle, 'askClarification', actors.agency, { question: 'Budget?' });
    },
  },
  in_review: {
    status: 'in_review',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
      await act(handle, 'deliver', actors.agency, { summary: 'v1' });
    },
  },
  changes_requested: {
    status: 'changes_requested',
    reach: async (handle) => {
      await act(handle, 'acknowledge', actors.agency, {});
      await act(handle, 'deliver', actors.agency, { summary: 'v1' });
      await act(handle, 'requestChanges', actors.manager, { reason: 'more red' });
    },
  },
};

describe('cancel', () => {
  const cases: { stage: Stage; clocks: Record<string, ClockState> }[] = [
    { stage: stages.awaiting_ack, clocks: { acknowledge: 'stopped', deliver: 'pending', review: 'pending' } },
    { stage: stages.in_progress, clocks: { acknowledge: 'met', deliver: 'stopped', review: 'pending' } },
    { stage: stages.clarification_requested, clocks: { acknowledge: 'stopped', deliver: 'pending', review: 'pending' } },
    { stage: stages.in_review, clocks: { acknowledge: 'met', deliver: 'met', review: 'stopped' } },
    { stage: stages.changes_requested, clocks: { acknowledge: 'met', deliver: 'stopped', review: 'met' } },
  ];

  test.each(cases)('ends a brief that is $stage.status: running clocks stop, the workflow completes', async ({ stage, clocks }) => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await stage.reach(handle);
      const before = await view(handle);
      expect(before.status).toBe(stage.status);
      await env.sleep(HOUR);

      const cancelled = await act(handle, 'cancel', actors.manager, { reason: 'campaign dropped' });
      const event = last(cancelled);
      expect(cancelled.status).toBe('cancelled');
      expect(event).toMatchObject({ type: 'cancelled', actor: actors.manager.memberId, data: { reason: 'campaign dropped' } });
      expect(clockStates(cancelled)).toEqual(clocks);
      for (const name of ['acknowledge', 'deliver', 'review'] as const) {
        if (clocks[name] === 'stopped') expect(cancelled.sla[name]).toMatchObject({ completedAt: event.at, dueAt: before.sla[name].dueAt });
      }

      const result = await resultOf(handle);
      expect(result.status).toBe('cancelled');
      expect(clockStates(result)).toEqual(clocks);
      expect(result.timeline).toEqual(cancelled.timeline);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expectRecordedExactlyOnce(h.acts, result.timeline);
      expect(h.acts.recorded[h.acts.recorded.length - 1]).toMatchObject({ nextDueAt: null, overdue: false, state: { status: 'cancelled' } });
      const audiences = await notificationsFor(h, [event.seq]);
      expect(audiences.get(`cancelled#${event.seq}`)).toEqual(['party_members']);
    });
  });

  test('stops a breached clock: it stays breached and the brief is no longer overdue', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await env.sleep(TARGETS.acknowledge + HOUR);
      const cancelled = await act(handle, 'cancel', actors.manager, { reason: 'no answer' });
      expect(cancelled.sla.acknowledge).toMatchObject({ state: 'breached', completedAt: last(cancelled).at });
      expect(types(cancelled)).toEqual(['brief_created', 'sla_warning', 'sla_breached', 'escalation_raised', 'cancelled']);
      await handle.result();
      expect(h.acts.recorded[h.acts.recorded.length - 1]).toMatchObject({ overdue: false, nextDueAt: null });
    });
  });
});

describe('decline', () => {
  const cases: { stage: Stage; clocks: Record<string, ClockState> }[] = [
    { stage: stages.awaiting_ack, clocks: { acknowledge: 'stopped', deliver: 'pending', review: 'pending' } },
    { stage: stages.in_progress, clocks: { acknowledge: 'met', deliver: 'stopped', review: 'pending' } },
  ];

  test.each(cases)('ends a brief that is $stage.status for good', async ({ stage, clocks }) => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await stage.reach(handle);
      const declined = await act(handle, 'decline', actors.agency, { reason: 'fully booked' });
      expect(declined.status).toBe('declined');
      expect(last(declined)).toMatchObject({ type: 'declined', actor: actors.agency.memberId, data: { reason: 'fully booked' } });
      expect(clockStates(declined)).toEqual(clocks);

      const result = await resultOf(handle);
      expect(result.status).toBe('declined');
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expectRecordedExactlyOnce(h.acts, result.timeline);
      const audiences = await notificationsFor(h, [last(declined).seq]);
      expect(audiences.get(`declined#${last(declined).seq}`)).toEqual(['manager']);

      // Terminal: the workflow is over and takes no further action.
      await expect(act(handle, 'cancel', actors.manager, { reason: 'too late' })).rejects.toThrow(WorkflowNotFoundError);
    });
  });
});

interface Rejection<A extends ActionName = ActionName> {
  action: A;
  actor: Actor;
  payload: ActionPayloads[A];
}

const r = <A extends ActionName>(action: A, actor: Actor, payload: ActionPayloads[A]): Rejection => ({ action, actor, payload }) as Rejection;

/** Runs the update, expects it rejected with this failure type, and no trace of it anywhere. */
async function expectRejected(h: Harness, handle: BriefHandle, { action, actor, payload }: Rejection, type: 'IllegalTransition' | 'Forbidden') {
  const before = await view(handle);
  const recordCalls = h.acts.recorded.length;
  const updateId = `rejected-${action}-${randomUUID()}`;
  const error = await act(handle, action, actor, payload, updateId).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type, nonRetryable: true });
  if (type === 'IllegalTransition') expect(cause?.message).toBe(`cannot ${action} a brief that is ${before.status}`);

  const accepted = await acceptedUpdates(handle);
  expect(accepted.map((u) => u.id)).not.toContain(updateId);
  const after = await view(handle);
  expect(after.timeline).toEqual(before.timeline);
  expect(after.status).toBe(before.status);
  expect(after.updatedAt).toBe(before.updatedAt);
  expect(h.acts.recorded.length).toBe(recordCalls);
}

describe('illegal updates', () => {
  const illegal: { stage: Stage; rejections: Rejection[] }[] = [
    {
      stage: stages.awaiting_ack,
      rejections: [
        r('approve', actors.manager, {}),
        r('requestChanges', actors.manager, { reason: 'x' }),
        r('deliver', actors.agency, { summary: 'too early' }),
        r('answerClarification', actors.manager, { answer: 'nobody asked' }),
      ],
    },
    { stage: stages.in_progress, rejections: [r('acknowledge', actors.agency, {}), r('approve', actors.manager, {})] },
    {
      stage: stages.clarification_requested,
      rejections: [
        r('deliver', actors.agency, { summary: 'v1' }),
        r('askClarification', actors.agency, { question: 'again?' }),
        r('acknowledge', actors.agency, {}),
      ],
    },
    {
      stage: stages.in_review,
      rejections: [
        r('deliver', actors.agency, { summary: 'v2' }),
        r('decline', actors.agency, { reason: 'late' }),
        r('askClarification', actors.agency, { question: '?' }),
      ],
    },
    {
      stage: stages.changes_requested,
      rejections: [r('approve', actors.manager, {}), r('decline', actors.agency, { reason: 'no' }), r('requestChanges', actors.manager, { reason: 'more' })],
    },
  ];

  test.each(illegal)('in $stage.status are rejected as IllegalTransition and leave no trace in history or timeline', async ({ stage, rejections }) => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      await stage.reach(handle);
      const acceptedBefore = await acceptedUpdates(handle);
      for (const rejection of rejections) await expectRejected(h, handle, rejection, 'IllegalTransition');
      expect(await acceptedUpdates(handle)).toEqual(acceptedBefore);
    });
  });

  test('by the wrong role or another party are rejected as Forbidden, before the state is even considered', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      // The brief's creation is recorded on its own schedule: wait for it, so that only a
      // rejected update could add a record call.
      while (h.acts.recorded.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const forbidden = [
        r('acknowledge', actors.otherAgency, {}),
        r('comment', actors.otherAgency, { body: 'hello' }),
        r('deliver', actors.otherAgency, { summary: 'not ours, and too early' }),
        r('acknowledge', actors.manager, {}),
        r('approve', actors.agency, {}),
        r('cancel', actors.agency, { reason: 'x' }),
        r('comment', actors.watcher, { body: 'watching' }),
        r('cancel', actors.admin, { reason: 'x' }),
        r('decline', actors.manager, { reason: 'x' }),
      ];
      for (const rejection of forbidden) await expectRejected(h, handle, rejection, 'Forbidden');
      expect(await acceptedUpdates(handle)).toEqual([]);

      // The legal actions still go through afterwards, and are the only ones in history.
      await act(handle, 'acknowledge', actors.agency, {}, 'ack-1');
      const commented = await act(handle, 'comment', actors.manager, { body: 'thanks' }, 'comment-1');
      expect(commented.timeline.map((e) => e.type)).toEqual(['brief_created', 'acknowledged', 'comment_added']);
      expect(await acceptedUpdates(handle)).toEqual([
        { id: 'ack-1', name: 'acknowledge' },
        { id: 'comment-1', name: 'comment' },
      ]);
      expectRecordedExactlyOnce(h.acts, commented.timeline);
    });
  });

  test('leave the clocks running on time', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h);
      const created = await view(handle);
      await expectRejected(h, handle, r('deliver', actors.agency, { summary: 'x' }), 'IllegalTransition');
      await skipTo(env, created.createdAt, TARGETS.acknowledge + SECOND);
      const breached = await act(handle, 'comment', actors.manager, { body: 'hello?' });
      const breach = breached.timeline.find((e) => e.type === 'sla_breached')!;
      expect(between(created.createdAt, breach.at)).toBeGreaterThanOrEqual(TARGETS.acknowledge);
      expect(between(created.createdAt, breach.at)).toBeLessThan(TARGETS.acknowledge + TOLERANCE);
    });
  });
});

describe('escalation acknowledgements', () => {
  /** Starts a brief and lets its acknowledge clock breach; returns the escalation's id. */
  async function breachedBrief(h: Harness): Promise<{ handle: BriefHandle; escalationId: string }> {
    const handle = await startBrief(h);
    await env.sleep(TARGETS.acknowledge + SECOND);
    const breached = await viewWhen(handle, (v) => v.timeline.some((e) => e.type === 'escalation_raised'));
    const escalation = breached.timeline.find((e) => e.type === 'escalation_raised')!;
    await settled(handle);
    return { handle, escalationId: String(escalation.data.escalationId) };
  }

  test('are recorded in the timeline and told to nobody', async () => {
    await withWorker(env, async (h) => {
      const { handle, escalationId } = await breachedBrief(h);
      await handle.signal(escalationAcknowledgedSignal, { escalationId, memberId: actors.watcher.memberId });
      const synced = withRecorded(handle.workflowId, await handle.executeUpdate(syncUpdate));
      expect(last(synced)).toMatchObject({ seq: 5, type: 'escalation_acknowledged', actor: actors.watcher.memberId, data: { escalationId } });
      expect(synced.sla.acknowledge.state).toBe('breached');
      expectRecordedExactlyOnce(h.acts, synced.timeline);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      expect(last(acknowledged).seq).toBe(6);
      expect(h.acts.notified.map((n) => n.event.type)).not.toContain('escalation_acknowledged');
    });
  });

  test('still reach the read model when they arrive while the last notifications of an ended brief go out', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await withWorker(
      env,
      async (h) => {
        try {
          const { handle, escalationId } = await breachedBrief(h);
          await act(handle, 'cancel', actors.manager, { reason: 'agency unreachable' });
          await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'cancelled'));
          await handle.signal(escalationAcknowledgedSignal, { escalationId, memberId: actors.watcher.memberId });
          await viewWhen(handle, (v) => v.timeline.some((e) => e.type === 'escalation_acknowledged'));
          release();
          const result = await resultOf(handle);
          expect(types(result)).toEqual(['brief_created', 'sla_warning', 'sla_breached', 'escalation_raised', 'cancelled', 'escalation_acknowledged']);
          expectRecordedExactlyOnce(h.acts, result.timeline);
        } finally {
          release();
        }
      },
      { onNotify: async (input) => (input.event.type === 'cancelled' ? held : undefined) },
    );
  });

  test('through the update, arriving while the last notifications of an ended brief go out, are answered once recorded', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await withWorker(
      env,
      async (h) => {
        try {
          const { handle, escalationId } = await breachedBrief(h);
          await act(handle, 'cancel', actors.manager, { reason: 'agency unreachable' });
          await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'cancelled'));
          const answered = withRecorded(handle.workflowId, await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [{ escalationId, memberId: actors.watcher.memberId }] }));
          expect(last(answered)).toMatchObject({ type: 'escalation_acknowledged', actor: actors.watcher.memberId, data: { escalationId } });
          expect(recordedEvents(h.acts).map((e) => e.seq)).toContain(last(answered).seq);
          release();
          const result = await resultOf(handle);
          expect(types(result)).toEqual(['brief_created', 'sla_warning', 'sla_breached', 'escalation_raised', 'cancelled', 'escalation_acknowledged']);
          expectRecordedExactlyOnce(h.acts, result.timeline);
        } finally {
          release();
        }
      },
      { onNotify: async (input) => (input.event.type === 'cancelled' ? held : undefined) },
    );
  });
});
