// The activity contracts the workflows call. Workflows import this file for types only.
import type { Audience } from '../workflows/domain/audience';
import type { BriefState, BriefView, TimelineEvent } from '../workflows/domain/brief';

export interface RecordEventsInput {
  workflowId: string;
  events: TimelineEvent[];
  /**
   * The brief's live state after these events, which the API renders with live clocks; without
   * its timeline (empty), which the read model keeps event by event. (Briefs on older workers
   * send it whole; it is stored as it comes and read from the events all the same.)
   */
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

export type { PlanInput, PlannedDelivery } from './deliver';
import type { PlanInput, PlannedDelivery } from './deliver';

export interface BriefActivities {
  recordEvents(input: RecordEventsInput): Promise<void>;
  /** Briefs started before the outbox notify through this one activity per event. */
  notify(input: NotifyInput): Promise<void>;
  /** The outbox rows of an event: one per recipient and chosen channel, held in quiet hours. */
  planNotifications(input: PlanInput): Promise<PlannedDelivery[]>;
  /** Sends one outbox row; throws (to be retried) on a transient failure. */
  deliverNotification(input: { id: string }): Promise<void>;
  /** Records that an outbox row's delivery was given up on. */
  notificationFailed(input: { id: string; error: string }): Promise<void>;
}
