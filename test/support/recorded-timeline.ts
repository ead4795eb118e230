// The timeline as the read model keeps it, for tests that run the workflow with stub activities:
// the workflow keeps only the events it has not recorded yet, so its answers (update results, the
// query, its result) are completed from what recordEvents received.
import type { BriefView } from '../../workflows/domain/brief';
import type { TimelineEvent } from '../../workflows/domain/events';

/** Every event recordEvents received, by workflow id. */
const recordedTimelines = new Map<string, Map<number, TimelineEvent>>();

export function noteRecorded(workflowId: string, events: TimelineEvent[]): void {
  const timeline = recordedTimelines.get(workflowId) ?? new Map<number, TimelineEvent>();
  recordedTimelines.set(workflowId, timeline);
  for (const event of events) timeline.set(event.seq, structuredClone(event));
}

/** A view the workflow answered, with the whole timeline: what was recorded, then what it still holds. */
export function withRecorded(workflowId: string, v: BriefView): BriefView {
  const recorded = [...(recordedTimelines.get(workflowId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  const last = recorded.length ? recorded[recorded.length - 1].seq : 0;
  return { ...v, timeline: [...recorded, ...v.timeline.filter((e) => e.seq > last)] };
}

