// Continue-as-new as production meets it: on a real dev server that suggests it early (a small
// history limit through dynamic config), while a notification is held for quiet hours and while
// participants' updates are in flight. The held delivery survives every new run and is sent
// exactly once, at its instant; every update lands exactly once.
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../support/temporal';
import {
  act,
  actors,
  type BriefHandle,
  briefInput,
  callsWhen,
  eventsOf,
  expectRecordedExactlyOnce,
  resultOf,
  SECOND,
  startBrief,
  view,
  withWorker,
  workflowBundle,
} from './support';

/** The server suggests continue-as-new once a run's history holds this many events (4 Ki by default). */
const SUGGEST_AFTER_EVENTS = 60;
/** How long the quiet-hour delivery is held: long enough for the runs to turn over first. */
const HOLD_MS = 40 * SECOND;
const LANES = 3;
/** Enough to turn the runs over many times; the participants stop as soon as the scenario happened. */
const MAX_COMMENTS_PER_LANE = 120;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS } });
  await workflowBundle();
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

interface Run {
  runId: string;
  /** Whether the server suggested continue-as-new to one of the run's workflow tasks. */
  suggested: boolean;
  /** When the run ended by continuing as new (server time, ms). */
  continuedAt?: number;
}

/** Follows the chain of runs from the first one, by the ContinuedAsNew event that ends each. */
async function runsOf(handle: BriefHandle): Promise<Run[]> {
  const runs: Run[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId) {
    const run: WorkflowHandle = env.client.workflow.getHandle(handle.workflowId, runId);
    const events = (await run.fetchHistory()).events ?? [];
    const last = events[events.length - 1];
    const continued = last?.workflowExecutionContinuedAsNewEventAttributes;
    runs.push({
      runId,
      suggested: events.some((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew === true),
      ...(continued ? { continuedAt: Number(last.eventTime?.seconds ?? 0) * 1000 + Math.floor((last.eventTime?.nanos ?? 0) / 1e6) } : {}),
    });
    runId = continued?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** A participant's update, by the test's clock (the dev server runs on the same one). */
interface Update {
  body: string;
  sentAt: number;
  doneAt: number;
}

const handoversOf = (runs: Run[]) => runs.filter((r) => r.continuedAt !== undefined).map((r) => r.continuedAt!);
/** Some update was sent before a run ended and answered after: it landed in the next run. */
const inFlightAcross = (updates: Update[], handovers: number[]) => updates.some((u) => handovers.some((at) => u.sentAt < at && at < u.doneAt));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('continue-as-new suggested by the server', () => {
  test('a delivery held for quiet hours is carried through every new run and sent exactly once at its instant; updates in flight land once', async () => {
    let releaseAt = 0;
    await withWorker(
      env,
      async (h) => {
        // P3: not urgent, so the stub's plan holds the party's notification (as quiet hours do).
        // No continueAsNewAfterEvents: only the server's suggestion turns the runs over.
        const handle = await startBrief(h, briefInput({ priority: 'P3' }));
        await view(handle);
        // The row sent at once was handed out together with the held one: the workflow holds it now.
        await callsWhen(() => h.acts.deliveries.some((d) => d.id === 'now-1'));
        expect(releaseAt).toBeGreaterThan(Date.now());

        // Several participants comment at once, at a human pace: each pauses for up to twice as long
        // as its last comment took (at least 0.4 s), so the brief has quiet moments to continue as new in (it waits
        // for one) and updates are in flight when it does. They go on until the runs turned over
        // twice with an update in flight across a handover, or until shortly before the release.
        const updates: Update[] = [];
        let seen = false;
        let stopped = false;
        const participant = async (lane: number) => {
          for (let i = 1; !seen && i <= MAX_COMMENTS_PER_LANE && Date.now() < releaseAt - 2 * SECOND; i++) {
            const body = `lane ${lane} comment ${i}`;
            const sentAt = Date.now();
            await act(handle, 'comment', lane % 2 ? actors.manager : actors.agency, { body });
            const doneAt = Date.now();
            updates.push({ body, sentAt, doneAt });
            await pause(Math.random() * Math.max(400, 2 * (doneAt - sentAt)));
          }
        };
        const watcher = async () => {
          while (!seen && !stopped) {
            await pause(500);
            const turnedOver = handoversOf(await runsOf(handle));
            seen = turnedOver.length >= 2 && inFlightAcross(updates, turnedOver);
          }
        };
        await Promise.all([
          watcher(),
          Promise.all(Array.from({ length: LANES }, (_, lane) => participant(lane))).finally(() => (stopped = true)),
        ]);

        const runs = await runsOf(handle);
        const handovers = handoversOf(runs);
        // The runs turned over on the server's suggestion, while the delivery was still held...
        expect(runs.length).toBeGreaterThanOrEqual(3);
        expect(runs.slice(0, -1).every((r) => r.suggested)).toBe(true);
        expect(handovers[0]).toBeLessThan(releaseAt);
        // ...and with an update in flight across at least one handover (sent before, answered after).
        expect(inFlightAcross(updates, handovers)).toBe(true);

        // The brief ends; its workflow completes only once what it holds has gone out.
        await act(handle, 'cancel', actors.manager, { reason: 'season over' });
        const result = await resultOf(handle);

        const held = h.acts.deliveries.filter((d) => d.id === 'held-1');
        expect(held).toHaveLength(1);
        expect(held[0].scheduledAt).toBeGreaterThanOrEqual(releaseAt);
        expect(held[0].scheduledAt).toBeGreaterThan(handovers[0]);
        expect(h.acts.deliveries.filter((d) => d.id === 'now-1')).toHaveLength(1);

        expect(eventsOf(result, 'comment_added').map((e) => e.data.body).sort()).toEqual(updates.map((u) => u.body).sort());
        expectRecordedExactlyOnce(h.acts, result.timeline);
      },
      {
        plan: (input) => {
          if (input.event.type !== 'brief_created') return [];
          releaseAt = Date.parse(input.event.at) + HOLD_MS;
          return [
            { id: 'now-1', notBefore: null },
            { id: 'held-1', notBefore: new Date(releaseAt).toISOString() },
          ];
        },
      },
    );
  }, 120_000);
});
