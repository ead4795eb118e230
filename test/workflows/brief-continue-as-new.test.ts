// Continue-as-new of the brief workflow on the time-skipping server, with stub activities: the
// brief's whole state survives the new run, and the read model still gets every event exactly
// once, in order.
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BriefView } from '../../workflows/domain/brief';
import {
  act,
  actors,
  between,
  type BriefHandle,
  callsWhen,
  eventsOf,
  expectRecordedExactlyOnce,
  type Harness,
  hasEvent,
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
  withTimeSkippingServer,
  withWorker,
} from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

interface Run {
  runId: string;
  historyLength: number;
  continuedAs?: string;
}

/** Follows the chain of runs from the first one, by the ContinuedAsNew event that ends each. */
async function runsOf(handle: BriefHandle): Promise<Run[]> {
  const runs: Run[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const run: WorkflowHandle = env.client.workflow.getHandle(handle.workflowId, runId);
    const events = (await run.fetchHistory()).events ?? [];
    const continued = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes;
    runs.push({ runId, historyLength: events.length, continuedAs: continued?.newExecutionRunId ?? undefined });
    runId = continued?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** Every event with someone to tell was notified exactly once. */
async function expectNotifiedExactlyOnce(h: Harness, timeline: BriefView['timeline']): Promise<void> {
  const silent = new Set(['sla_breached', 'escalation_acknowledged']);
  const expected = timeline.filter((e) => !silent.has(e.type)).map((e) => e.seq);
  await callsWhen(() => expected.every((seq) => h.acts.notified.some((n) => n.event.seq === seq)));
  expect(h.acts.notified.map((n) => n.event.seq).sort((a, b) => a - b)).toEqual(expected);
}

describe('continue-as-new', () => {
  test('starts a new run once history holds continueAsNewAfterEvents events, keeping timeline, seq numbering and clocks; actions still work', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h, undefined, { continueAsNewAfterEvents: 40 });
      const created = await view(handle);
      await skipTo(env, created.createdAt, HOUR);
      const acknowledged = await act(handle, 'acknowledge', actors.agency, {});
      await settled(handle);
      const { deliver: deliverBefore, acknowledge: acknowledgeBefore } = acknowledged.sla;

      for (let i = 1; i <= 30; i++) {
        const author = i % 2 ? actors.agency : actors.manager;
        const commented = await act(handle, 'comment', author, { body: `comment ${i}` });
        expect(commented.timeline[commented.timeline.length - 1]).toMatchObject({ seq: 2 + i, type: 'comment_added', actor: author.memberId });
        // The workflow continues as new only in a quiet moment: let each comment's notification finish.
        await settled(handle);
      }

      const runs = await runsOf(handle);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs[0].runId).toBe(handle.firstExecutionRunId);
      expect((await handle.describe()).runId).toBe(runs[runs.length - 1].runId);
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
      for (const run of runs.slice(0, -1)) {
        expect(run.continuedAs).toBeDefined();
        expect(run.historyLength).toBeGreaterThanOrEqual(40);
      }

      const after = await view(handle);
      expect(after.timeline.map((e) => e.seq)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
      expect(eventsOf(after, 'comment_added').map((e) => e.data.body)).toEqual(Array.from({ length: 30 }, (_, i) => `comment ${i + 1}`));
      expect(after).toMatchObject({ status: 'in_progress', createdAt: created.createdAt, id: created.id });
      expect(after.sla.acknowledge).toEqual(acknowledgeBefore);
      expect(after.sla.deliver).toMatchObject({
        state: 'running',
        startedAt: deliverBefore.startedAt,
        dueAt: deliverBefore.dueAt,
        targetMs: TARGETS.deliver,
      });

      // The new run keeps the clocks' timers: the deliver reminder comes on time.
      await skipTo(env, deliverBefore.startedAt!, 0.75 * TARGETS.deliver + SECOND);
      await callsWhen(() => h.acts.notified.some((n) => n.event.type === 'sla_warning'));
      await settled(handle);
      const warned = await viewWhen(handle, hasEvent('sla_warning', { clock: 'deliver' }));
      const [warning] = eventsOf(warned, 'sla_warning');
      expect(warning.seq).toBe(33);
      expect(between(deliverBefore.startedAt!, warning.at)).toBeGreaterThanOrEqual(0.75 * TARGETS.deliver);
      expect(between(deliverBefore.startedAt!, warning.at)).toBeLessThan(0.75 * TARGETS.deliver + TOLERANCE);

      const delivered = await act(handle, 'deliver', actors.agency, { summary: 'after the new run', links: ['https://figma.example/v1'] });
      await settled(handle);
      expect(delivered).toMatchObject({ status: 'in_review', revision: 1 });
      expect(delivered.timeline[delivered.timeline.length - 1]).toMatchObject({ seq: 34, type: 'delivered' });
      await act(handle, 'approve', actors.manager, { note: 'fine' });
      const result = await resultOf(handle);
      expect(result.status).toBe('approved');
      expect(result.timeline.map((e) => e.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
      expect(result.timeline.slice(0, 32)).toEqual(after.timeline);
      expect(result.sla).toMatchObject({ acknowledge: { state: 'met' }, deliver: { state: 'met' }, review: { state: 'met' } });

      expectRecordedExactlyOnce(h.acts, result.timeline);
      await expectNotifiedExactlyOnce(h, result.timeline);
    });
  });

  test('hands recordEvents every event exactly once, in seq order, across runs and clock firings', async () => {
    await withWorker(env, async (h) => {
      const handle = await startBrief(h, undefined, { continueAsNewAfterEvents: 25 });
      const created = await view(handle);
      /** Acts, then lets the brief settle (and continue as new, when due) before the next step. */
      const step = async (...args: Parameters<typeof act>) => {
        const result = await act(...args);
        await settled(handle);
        return result;
      };
      const skip = async (ms: number) => {
        await env.sleep(ms);
        await settled(handle);
      };

      // The acknowledge clock warns and breaches while comments keep the runs turning over.
      for (let i = 1; i <= 6; i++) {
        await step(handle, 'comment', actors.manager, { body: `nudge ${i}` });
        await skip(TARGETS.acknowledge / 4);
      }
      expect(eventsOf(await view(handle), 'escalation_raised')).toHaveLength(1);
      await step(handle, 'askClarification', actors.agency, { question: 'Which market?' });
      await skip(TARGETS.acknowledge);
      await step(handle, 'answerClarification', actors.manager, { answer: 'DACH' });
      await step(handle, 'acknowledge', actors.agency, {});
      for (let i = 1; i <= 4; i++) await step(handle, 'comment', actors.agency, { body: `progress ${i}` });
      const delivered = await step(handle, 'deliver', actors.agency, { summary: 'v1' });
      await skipTo(env, delivered.sla.review.startedAt!, TARGETS.review + SECOND);
      await settled(handle);
      expect(eventsOf(await view(handle), 'escalation_raised').map((e) => e.data.clock)).toEqual(['acknowledge', 'review']);
      await step(handle, 'requestChanges', actors.manager, { reason: 'more contrast' });
      await step(handle, 'deliver', actors.agency, { summary: 'v2' });
      await act(handle, 'approve', actors.manager, {});
      const result = await resultOf(handle);

      expect((await runsOf(handle)).length).toBeGreaterThanOrEqual(3);
      expect(result.createdAt).toBe(created.createdAt);
      expect(result.status).toBe('approved');
      expect(eventsOf(result, 'escalation_raised').map((e) => e.data.clock)).toEqual(['acknowledge', 'review']);

      expectRecordedExactlyOnce(h.acts, result.timeline);
      for (const call of h.acts.recorded) {
        // Each batch is non-empty and comes with the state as of its last event, without the
        // timeline: the events travel once, in their batch.
        expect(call.events.length).toBeGreaterThan(0);
        expect(call.state.seq).toBe(call.events[call.events.length - 1].seq);
        expect(call.state.timeline).toEqual([]);
        expect(call.workflowId).toBe(handle.workflowId);
      }
      expect(recordedEvents(h.acts)).toHaveLength(result.timeline.length);
      await expectNotifiedExactlyOnce(h, result.timeline);
    });
  });
});
