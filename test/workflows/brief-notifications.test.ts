// The brief workflow's side of the notification outbox, on the time-skipping server with stub
// activities: each event is planned into outbox rows; rows held for quiet hours are delivered at
// the instant they were held until, urgent ones at once; a delivery that keeps failing is retried
// with backoff until the delivery deadline and then recorded as failed; a brief that ends still
// delivers what it holds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/activity';
import type { BriefWorkflowInput } from '../../workflows/brief/definitions';
import {
  act,
  actors,
  briefInput,
  callsWhen,
  HOUR,
  MINUTE,
  SECOND,
  startBrief,
  TOLERANCE,
  view,
  withTimeSkippingServer,
  withWorker,
} from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const RETRY: NonNullable<BriefWorkflowInput['deliveryRetry']> = { initialIntervalMs: 10 * SECOND, maximumIntervalMs: HOUR, deadlineMs: 24 * HOUR };

describe('the notification outbox', () => {
  test('a row held for quiet hours is delivered at the instant it was held until; an urgent one at once', async () => {
    let releaseAt = 0;
    await withWorker(
      env,
      async (h) => {
        const handle = await startBrief(h, briefInput({ priority: 'P3' }), { deliveryRetry: RETRY });
        const created = await view(handle);
        await callsWhen(() => h.acts.deliveries.some((d) => d.id === 'now-1'));
        const now = h.acts.deliveries.find((d) => d.id === 'now-1')!;
        expect(now.scheduledAt - Date.parse(created.createdAt)).toBeLessThan(TOLERANCE);
        expect(h.acts.deliveries.some((d) => d.id === 'held-1')).toBe(false);

        // Ten hours of quiet, skipped: delivered at the instant, not before.
        await env.sleep(releaseAt - (await env.currentTimeMs()) - MINUTE);
        expect(h.acts.deliveries.some((d) => d.id === 'held-1')).toBe(false);
        await env.sleep(2 * MINUTE);
        await callsWhen(() => h.acts.deliveries.some((d) => d.id === 'held-1'));
        const held = h.acts.deliveries.find((d) => d.id === 'held-1')!;
        expect(held.scheduledAt).toBeGreaterThanOrEqual(releaseAt);
        expect(held.scheduledAt - releaseAt).toBeLessThan(TOLERANCE);
      },
      {
        plan: (input) => {
          if (input.event.type !== 'brief_created') return [];
          releaseAt = Date.parse(input.event.at) + 10 * HOUR;
          return [
            { id: 'now-1', notBefore: null },
            { id: 'held-1', notBefore: new Date(releaseAt).toISOString() },
          ];
        },
      },
    );
  });

  test('a delivery that keeps failing is retried with growing pauses until the deadline, then recorded as failed', async () => {
    await withWorker(
      env,
      async (h) => {
        const handle = await startBrief(h, briefInput({ priority: 'P1' }), { deliveryRetry: RETRY });
        await view(handle);
        // A day of retries, skipped.
        await env.sleep(25 * HOUR);
        await callsWhen(() => h.acts.failed.length === 1, 30_000);
        const attempts = h.acts.deliveries.filter((d) => d.id === 'flaky-1');
        expect(attempts.length).toBeGreaterThan(10);
        // An attempt's scheduled time is when the retry was decided (the previous attempt's failure),
        // so the pause before attempt n shows between attempts n and n + 1: 10 s, 20 s, 40 s, ...
        // doubling up to an hour.
        const pauses = attempts.slice(2).map((a, i) => a.scheduledAt - attempts[i + 1].scheduledAt);
        expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
        expect(pauses[0]).toBeGreaterThanOrEqual(10 * SECOND);
        expect(pauses[1]).toBeGreaterThanOrEqual(20 * SECOND);
        expect(pauses[2]).toBeGreaterThanOrEqual(40 * SECOND);
        expect(Math.max(...pauses)).toBeLessThanOrEqual(HOUR + TOLERANCE);
        expect(attempts[attempts.length - 1].scheduledAt - attempts[0].scheduledAt).toBeLessThanOrEqual(24 * HOUR);
        expect(h.acts.failed[0].id).toBe('flaky-1');
        expect(h.acts.failed[0].error).toMatch(/receiver down/);
      },
      {
        plan: (input) => (input.event.type === 'brief_created' ? [{ id: 'flaky-1', notBefore: null }] : []),
        onDeliver: async () => {
          throw ApplicationFailure.retryable('receiver down', 'TransientDeliveryFailure');
        },
      },
    );
  });

  test('a brief that ends still delivers the rows it holds, then completes', async () => {
    await withWorker(
      env,
      async (h) => {
        const handle = await startBrief(h, briefInput({ priority: 'P4' }), { deliveryRetry: RETRY });
        await view(handle);
        await act(handle, 'cancel', actors.manager, { reason: 'dropped' });
        await env.sleep(3 * HOUR);
        await handle.result();
        expect(h.acts.deliveries.map((d) => d.id)).toContain('held-2');
      },
      {
        plan: (input) => (input.event.type === 'brief_created' ? [{ id: 'held-2', notBefore: new Date(Date.parse(input.event.at) + 2 * HOUR).toISOString() }] : []),
      },
    );
  });
});
