// Reads what a workflow cost from its history: Temporal actions, events, encoded bytes, the
// largest payload, and how long each update spent inside Temporal.
//
// Actions, as counted here (the same for the briefs and the baseline): workflow tasks completed,
// activities scheduled (and their retries), local activities, timers started, updates accepted,
// signals received.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
// A dependency of every @temporalio package (1.24, the same copy the client decodes with).
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export interface ActionCounts {
  workflowTasks: number;
  activities: number;
  activityRetries: number;
  localActivities: number;
  timers: number;
  updates: number;
  signals: number;
  total: number;
}

export function emptyCounts(): ActionCounts {
  return { workflowTasks: 0, activities: 0, activityRetries: 0, localActivities: 0, timers: 0, updates: 0, signals: 0, total: 0 };
}

export function addCounts(into: ActionCounts, more: ActionCounts): ActionCounts {
  for (const key of Object.keys(into) as (keyof ActionCounts)[]) into[key] += more[key];
  return into;
}

export function countActions(history: History): ActionCounts {
  const counts = emptyCounts();
  for (const event of history.events ?? []) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        counts.workflowTasks += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        counts.activities += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        counts.activityRetries += Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') counts.localActivities += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        counts.timers += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        counts.updates += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.signals += 1;
        break;
      default:
        break;
    }
  }
  counts.total = counts.workflowTasks + counts.activities + counts.activityRetries + counts.localActivities + counts.timers + counts.updates + counts.signals;
  return counts;
}

/** The size of the history as Temporal stores and sends it: its encoded protobuf. */
export function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

export interface LargestPayload {
  bytes: number;
  /** Where it was: the event type and the field path, e.g. ACTIVITY_TASK_SCHEDULED recordEvents input. */
  where: string;
}

const isPayload = (value: object): value is temporal.api.common.v1.IPayload => 'data' in value && (value as { data: unknown }).data instanceof Uint8Array;

/** The largest single payload (activity input or result, update argument or result, workflow input, ...) in a history. */
export function largestPayload(history: History): LargestPayload {
  let largest: LargestPayload = { bytes: 0, where: 'none' };
  const visit = (value: unknown, path: string) => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (isPayload(value)) {
      const bytes = temporal.api.common.v1.Payload.encode(value).finish().length;
      if (bytes > largest.bytes) largest = { bytes, where: path };
      return;
    }
    // Long (int64) values are objects too; they hold no payloads.
    if ('low' in value && 'high' in value) return;
    for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`);
  };
  for (const event of history.events ?? []) {
    const type = EventType[event.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(event.eventType);
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
    const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    for (const [key, attributes] of Object.entries(event)) {
      if (key.endsWith('Attributes')) visit(attributes, [type, activity ?? update].filter(Boolean).join(' '));
    }
  }
  return largest;
}

/** Every run of a workflow in order, following its continue-as-new chain from the first run. */
export async function fetchRunChain(client: Client, workflowId: string): Promise<History[]> {
  const latest = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = latest.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started?.continuedExecutionRunId) return [latest];
  const runs: History[] = [];
  let runId: string | null | undefined = started.firstExecutionRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(history);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return runs;
}

/** The id of the first event at which Temporal suggested continuing as new (a workflow task started with the flag), if it did. */
export function continueAsNewSuggestedAt(history: History): number | undefined {
  const event = (history.events ?? []).find((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew);
  return event ? Number(event.eventId) : undefined;
}

const eventMs = (event: HistoryEvent | undefined) => (event?.eventTime ? tsToMs(event.eventTime) : Number.NaN);

/** When the workflow closed (its last event), epoch ms. */
export function closedAt(history: History): number {
  return eventMs(history.events?.[history.events.length - 1]);
}

/** When the run started (its first event), epoch ms. */
export function startedAt(history: History): number {
  return eventMs(history.events?.[0]);
}

export interface UpdateSpan {
  name: string;
  /** The workflow task that took the update in was scheduled: about when the request reached Temporal. */
  arrivedAt: number;
  acceptedAt: number;
  completedAt: number;
  /** The activities scheduled after acceptance that finished before completion (the read-model write among them). */
  activities: { name: string; queuedMs: number; runMs: number }[];
  /** The workflow tasks from the one that took the update in to the one that completed it: waiting for a worker, and running. */
  workflowTasks: { queuedMs: number; runMs: number }[];
}

/** How long each accepted update spent inside Temporal, and in which activities. */
export function updateSpans(history: History): UpdateSpan[] {
  const events = history.events ?? [];
  const byId = new Map<number, HistoryEvent>(events.map((e) => [Number(e.eventId), e]));
  const spans: UpdateSpan[] = [];
  const open = new Map<string, { span: UpdateSpan; acceptedIndex: number; firstTaskId: number }>();
  events.forEach((event, index) => {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      // The accepting workflow task completed just before; its scheduled event is when it was asked for.
      const completed = events.slice(0, index).reverse().find((e) => e.workflowTaskCompletedEventAttributes);
      const scheduled = byId.get(Number(completed?.workflowTaskCompletedEventAttributes?.scheduledEventId));
      const span: UpdateSpan = {
        name: accepted.acceptedRequest?.input?.name ?? '?',
        arrivedAt: eventMs(scheduled ?? event),
        acceptedAt: eventMs(event),
        completedAt: Number.NaN,
        activities: [],
        workflowTasks: [],
      };
      open.set(accepted.protocolInstanceId ?? '', { span, acceptedIndex: index, firstTaskId: Number(scheduled?.eventId ?? event.eventId) });
      spans.push(span);
    }
    const done = event.workflowExecutionUpdateCompletedEventAttributes;
    if (done) {
      const entry = open.get(done.meta?.updateId ?? '');
      if (!entry) return;
      entry.span.completedAt = eventMs(event);
      for (const e of events.slice(entry.acceptedIndex, index)) {
        const result = e.activityTaskCompletedEventAttributes;
        // Only what was asked for after the update was accepted (not an earlier delivery finishing meanwhile).
        if (!result || Number(result.scheduledEventId) < Number(events[entry.acceptedIndex].eventId)) continue;
        const scheduled = byId.get(Number(result.scheduledEventId));
        const started = byId.get(Number(result.startedEventId));
        entry.span.activities.push({
          name: scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
          queuedMs: eventMs(started) - eventMs(scheduled),
          runMs: eventMs(e) - eventMs(started),
        });
      }
      for (const e of events.slice(0, index)) {
        const task = e.workflowTaskCompletedEventAttributes;
        if (!task || Number(task.scheduledEventId) < entry.firstTaskId) continue;
        const scheduled = byId.get(Number(task.scheduledEventId));
        const started = byId.get(Number(task.startedEventId));
        entry.span.workflowTasks.push({ queuedMs: eventMs(started) - eventMs(scheduled), runMs: eventMs(e) - eventMs(started) });
      }
      open.delete(done.meta?.updateId ?? '');
    }
  });
  return spans;
}
