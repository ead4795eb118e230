// Events as tests write and read them. Readers must cope with every shape of event ever recorded
// (older ones lack fields added later), so tests may hand them events trimmed to what a test is
// about, or carrying fields of another type; and tests read fields across types.
import type { TimelineEvent } from '../../workflows/domain/events';
import type { BriefEventType } from '../../workflows/domain/vocabulary';

/** An event whose data need not match its type's shape. */
export function looseEvent(event: { seq: number; type: BriefEventType; actor: string | null; at: string; data: object }): TimelineEvent {
  return event as TimelineEvent;
}

/** An event's data, whatever its type. */
export function dataOf(event: TimelineEvent): Readonly<Record<string, unknown>> {
  return event.data;
}
