// The activity contracts the workflows call. Workflows import this file for types only.
import type { Audience } from '../workflows/domain/audience';
import type { BriefState, BriefView, TimelineEvent } from '../workflows/domain/brief';

export interface RecordEventsInput {
  workflowId: string;
  events: TimelineEvent[];
  /** The brief's whole live state after these events; the API renders it with live clocks. */
  state: BriefState;
  overdue: boolean;
  nextDueAt: string | null;
}

export interface NotifyInput {
  workflowId: string;
  event: TimelineEvent;
  audience: Audience[];
  brief: Pick<BriefView, 'id' | 'title' | 'partyId' | 'managerId' | 'reviewerId' | 'priority' | 'status' | 'dueAt'>;
  /** The attempt after which a failing delivery is recorded as failed instead of retried. */
  maxAttempts: number;
}

export interface BriefActivities {
  recordEvents(input: RecordEventsInput): Promise<void>;
  notify(input: NotifyInput): Promise<void>;
}
