// Helpers for the brief workflow tests: a brief, actors, stub activities that record every call,
// and a worker per test on its own task queue. The workflow code (../../workflows, the module
// production workers load) is bundled once per run (test/support/workflow-bundle.ts) and shared
// by every worker: bundling per Worker.create would cost seconds per test.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import type { BriefActivities, NotifyInput, PlanInput, PlannedDelivery, RecordEventsInput } from '../../activities/types';
import { actionUpdates, briefQuery, editUpdate, type BriefWorkflowInput } from '../../workflows/brief/definitions';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import { actors, briefInput as baseBriefInput, SECOND } from '../support/briefs';
import { noteRecorded, withRecorded } from '../support/recorded-timeline';
import { timeSkippingEnv } from '../support/temporal';
import { workflowBundle } from '../support/workflow-bundle';
import type { BriefInput, BriefView } from '../../workflows/domain/brief';
import { isEvent, type EventOf, type TimelineEvent } from '../../workflows/domain/events';
import { isTerminal, type Actor, type BriefEventType } from '../../workflows/domain/vocabulary';
import type { BriefChanges } from '../../workflows/domain/edit';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import { dataOf } from '../support/events';

export { noteRecorded, withRecorded, workflowBundle };


export { actors, AGENCY, DAY, HOUR, MINUTE, OTHER_AGENCY, SECOND, SHOP, TARGETS } from '../support/briefs';

/** A brief with an id of its own, so that every test starts a workflow of its own. */
export function briefInput(overrides: Partial<BriefInput> = {}): BriefInput {
  return baseBriefInput({ id: randomUUID(), reviewerId: null, deliverables: ['figma', 'html'], ...overrides });
}

/** Stub activities that keep every call, in call order. */
export interface RecordingActivities extends BriefActivities {
  /** One entry per recordEvents call, cloned at the time of the call. */
  recorded: RecordEventsInput[];
  notified: NotifyInput[];
  deliveries: DeliveryAttempt[];
  failed: { id: string; error: string }[];
}

export interface ActivityHooks {
  /** Runs after a notify call was recorded; a test can hold the notification here. */
  onNotify?: (input: NotifyInput) => Promise<void>;
  /** The outbox rows planNotifications answers for an event (none by default). */
  plan?: (input: PlanInput) => PlannedDelivery[];
  /** Runs on every delivery attempt; throw to fail it. */
  onDeliver?: (id: string, attempt: number) => Promise<void>;
}

/** A delivery attempt, at the server time the attempt was scheduled. */
export interface DeliveryAttempt {
  id: string;
  attempt: number;
  scheduledAt: number;
}

export function recordingActivities(hooks: ActivityHooks = {}): RecordingActivities {
  const recorded: RecordEventsInput[] = [];
  const notified: NotifyInput[] = [];
  const deliveries: DeliveryAttempt[] = [];
  const failed: { id: string; error: string }[] = [];
  return {
    recorded,
    notified,
    deliveries,
    failed,
    async recordEvents(input) {
      recorded.push(structuredClone(input));
      noteRecorded(input.workflowId, input.events);
    },
    async notify(input) {
      notified.push(structuredClone(input));
      await hooks.onNotify?.(input);
    },
    // The outbox: planning an event's notifications is what these tests see of it; nothing is delivered.
    async planNotifications(input) {
      const call = { ...structuredClone(input), maxAttempts: 0 };
      notified.push(call);
      await hooks.onNotify?.(call);
      return hooks.plan?.(input) ?? [];
    },
    async deliverNotification({ id }) {
      const { attempt, currentAttemptScheduledTimestampMs } = Context.current().info;
      deliveries.push({ id, attempt, scheduledAt: currentAttemptScheduledTimestampMs });
      await hooks.onDeliver?.(id, attempt);
    },
    async notificationFailed(input) {
      failed.push(input);
    },
  };
}

/** The events recordEvents received, flattened in call order. */
export const recordedEvents = (acts: RecordingActivities) => acts.recorded.flatMap((r) => r.events);

export type BriefHandle = WorkflowHandleWithFirstExecutionRunId<typeof briefWorkflow>;

export interface Harness {
  env: TestWorkflowEnvironment;
  acts: RecordingActivities;
  worker: Worker;
  taskQueue: string;
  /** Every brief this test started; open ones are cancelled when the test ends. */
  started: BriefHandle[];
}

/**
 * Runs `fn` with a fresh worker on a task queue of its own and stub activities that record their
 * calls. Briefs left open are cancelled at the end, so their timers cannot fire in later tests.
 */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  fn: (h: Harness) => Promise<T>,
  hooks: ActivityHooks = {},
): Promise<T> {
  const acts = recordingActivities(hooks);
  const taskQueue = `briefs-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      recordEvents: acts.recordEvents,
      notify: acts.notify,
      planNotifications: acts.planNotifications,
      deliverNotification: acts.deliverNotification,
      notificationFailed: acts.notificationFailed,
    },
  });
  const h: Harness = { env, acts, worker, taskQueue, started: [] };
  return worker.runUntil(async () => {
    let failed = false;
    try {
      return await fn(h);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // A cleanup that trips over a failed test's leftovers must not hide why the test failed.
      await finishBriefs(h).catch((err: unknown) => {
        if (!failed) throw err;
      });
    }
  });
}

/**
 * Ends every brief of a test gracefully: a manager cancels the ones still open and the workflow
 * completes. (Terminating a run while the worker is inside one of its tasks leaves the
 * time-skipping server's clock locked, and every later env.sleep would then take real time.)
 */
async function finishBriefs(h: Harness): Promise<void> {
  for (const handle of h.started) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') continue;
    await settled(handle);
    const brief = await handle.query(briefQuery);
    if (!isTerminal(brief.status)) await act(handle, 'cancel', actors.manager, { reason: 'test over' });
    await handle.result();
  }
}

export async function startBrief(h: Harness, brief: BriefInput = briefInput(), extra: Omit<BriefWorkflowInput, 'brief'> = {}): Promise<BriefHandle> {
  const handle = await h.env.client.workflow.start<typeof briefWorkflow>('briefWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: briefWorkflowId(brief.id),
    args: [{ brief, ...extra }],
  });
  h.started.push(handle);
  return handle;
}

export function act<A extends ActionName>(
  handle: BriefHandle,
  action: A,
  actor: Actor,
  payload: ActionPayloads[A],
  updateId?: string,
): Promise<BriefView> {
  return handle.executeUpdate(actionUpdates[action], { args: [{ actor, payload }], ...(updateId ? { updateId } : {}) }).then((v) => withRecorded(handle.workflowId, v));
}

/** A manager's (or anyone's) edit of the brief, based on the version whose last event is expectedSeq. */
export function edit(handle: BriefHandle, actor: Actor, changes: BriefChanges, expectedSeq: number, updateId?: string): Promise<BriefView> {
  return handle.executeUpdate(editUpdate, { args: [{ actor, expectedSeq, changes }], ...(updateId ? { updateId } : {}) }).then((v) => withRecorded(handle.workflowId, v));
}

/** The workflow's result (the brief as it ended), with its whole timeline. */
export const resultOf = async (handle: BriefHandle): Promise<BriefView> => withRecorded(handle.workflowId, await handle.result());

/** The sequence number of the brief's last event: what an editor passes as expectedSeq. */
export const lastSeq = (v: BriefView): number => v.timeline[v.timeline.length - 1].seq;

export const view = async (handle: BriefHandle): Promise<BriefView> => withRecorded(handle.workflowId, await handle.query(briefQuery));

/**
 * Queries the brief until `ready` holds (the workflow task that a skipped-to timer triggers may
 * still be running when env.sleep returns). Real time, not server time.
 */
export async function viewWhen(handle: BriefHandle, ready: (v: BriefView) => boolean, timeoutMs = 10_000): Promise<BriefView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(handle);
    if (ready(v)) return v;
    if (Date.now() > until) throw new Error(`brief never reached the expected state; timeline: ${JSON.stringify(v.timeline.map((e) => e.type))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits (in real time) until `ready` holds for the stub activities' calls. */
export async function callsWhen(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error('the expected activity calls never came');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const hasEvent = (type: BriefEventType, match: Record<string, unknown> = {}) => (v: BriefView) =>
  v.timeline.some((e) => e.type === type && Object.entries(match).every(([k, val]) => dataOf(e)[k] === val));

export const eventsOf = <T extends BriefEventType>(v: BriefView, type: T): EventOf<T>[] => v.timeline.filter(isEvent(type));

/** Skips server time so that it stands `offsetMs` after the ISO instant `from`. */
export async function skipTo(env: TestWorkflowEnvironment, from: string, offsetMs: number): Promise<void> {
  const target = Date.parse(from) + offsetMs;
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

/** recordEvents saw every event of the timeline exactly once, in seq order, and nothing else. */
export function expectRecordedExactlyOnce(acts: RecordingActivities, timeline: TimelineEvent[]): void {
  const events = recordedEvents(acts);
  expect(events.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
  expect(events).toEqual(timeline);
}

/** The updates the server accepted into the history of the handle's (latest) run. */
export async function acceptedUpdates(handle: BriefHandle): Promise<{ id: string; name: string }[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest)
    .filter((request) => request != null)
    .map((request) => ({ id: request.meta?.updateId ?? '', name: request.input?.name ?? '' }));
}

/**
 * Waits (in real time) until the brief's current run has nothing in flight: no workflow task
 * and no activity pending, so it is parked on its clocks. A continue-as-new that was due has
 * happened by then. (On the time-skipping server a query that races a continue-as-new can go
 * unanswered forever, so tests that continue as new settle before they query.)
 */
export async function settled(handle: BriefHandle, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const description = await handle.describe();
    // A workflow task's own commands (patch markers, search attribute upserts) follow its
    // completion in history; they do not mean work is in flight.
    const events = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.markerRecordedEventAttributes == null && e.upsertWorkflowSearchAttributesEventAttributes == null,
    );
    const lastEvent = events[events.length - 1];
    const parked =
      description.status.name === 'RUNNING' &&
      (description.raw.pendingActivities ?? []).length === 0 &&
      lastEvent != null &&
      (lastEvent.workflowTaskCompletedEventAttributes != null ||
        lastEvent.timerStartedEventAttributes != null ||
        lastEvent.timerCanceledEventAttributes != null);
    if (parked || description.status.name !== 'RUNNING') return;
    if (Date.now() > until) throw new Error('the brief never settled');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Milliseconds between two ISO instants. */
export const between = (from: string, to: string) => Date.parse(to) - Date.parse(from);

/** Reminders and breaches are asserted at their instant or at most this much later. */
export const TOLERANCE = 2 * SECOND;

/**
 * One time-skipping server per test file, with the workflow bundle built once; `use` receives
 * the server before the first test.
 */
export function withTimeSkippingServer(use: (env: TestWorkflowEnvironment) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnv();
    use(env);
    await workflowBundle();
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });
}
