// What the read model keeps of a brief, decoded: the snapshot of its state (briefs.snapshot) and
// the events of its timeline (brief_events). Both were written by every release so far, so the
// schemas take every shape they ever had: fields added over time are optional, and fields this
// release does not know pass through. Anything else fails loudly, naming the brief, rather than
// handing a malformed state on to a view, a message or a resumed workflow.
import { z } from 'zod';
import type { BriefState } from '../workflows/domain/brief';
import { WEEKDAYS } from '../workflows/domain/calendar';
import type { EventData, TimelineEvent } from '../workflows/domain/events';
import { CLOCKS, PRIORITIES, ROLES, STATUSES, type BriefEventType } from '../workflows/domain/vocabulary';
import { REVIEW_DECISIONS } from '../workflows/domain/review';

/**
 * The version of the snapshot this release writes. 1: snapshots written before they carried a
 * version (none of them says so). 2: the same state, with snapshotVersion.
 */
export const SNAPSHOT_VERSION = 2;

/** A brief's state as briefs.snapshot stores it. */
export type StoredSnapshot = BriefState & { snapshotVersion: number };

export function storedSnapshot(state: BriefState): StoredSnapshot {
  return { ...state, snapshotVersion: SNAPSHOT_VERSION };
}

export class SnapshotDecodeError extends Error {
  constructor(
    readonly briefId: string,
    detail: string,
  ) {
    super(`the recorded state of brief ${briefId} cannot be read: ${detail}`);
    this.name = 'SnapshotDecodeError';
  }
}

const instant = z.string();
const clockName = z.enum(CLOCKS);
const priority = z.enum(PRIORITIES);
const perClock = <T extends z.ZodType>(value: T) => z.object({ acknowledge: value, deliver: value, review: value });

// ---------------------------------------------------------------------------------------------
// Events

// Review plans, added after the first releases: absent in older briefs.
const reviewRule = z.union([z.enum(['any', 'all']), z.looseObject({ quorum: z.number() })]);
const reviewPlan = z.looseObject({
  stages: z.array(
    z.looseObject({
      name: z.string(),
      reviewers: z.array(z.union([z.string(), z.looseObject({ partyId: z.string(), role: z.enum(ROLES) })])),
      members: z.array(z.string()),
      rule: reviewRule,
      target: z.string().optional(),
      onDeadline: z.enum(['escalate', 'approve']).optional(),
    }),
  ),
  resumeAtFailedStage: z.boolean().optional(),
  allowOwnParty: z.boolean().optional(),
});
const reviewDecision = z.enum(REVIEW_DECISIONS);
const delegation = z.enum(['out_of_office', 'handover']);
const reviewNote = z.looseObject({ reviewerId: z.string(), note: z.string(), stage: z.string() });

const editedFields = z.looseObject({
  title: z.string().optional(),
  description: z.string().optional(),
  dueAt: instant.nullish(),
  reviewerId: z.string().nullish(),
  managerId: z.string().optional(),
  priority: priority.optional(),
  targetsMs: perClock(z.number()).optional(),
  reviewPlan: reviewPlan.nullish(),
});

const appliedPolicy = {
  policyId: z.string(),
  policyVersion: z.number(),
  calendarId: z.string().nullable(),
  calendarVersion: z.number(),
};

/** Each type's data, checked against the event types of the domain. */
const EVENT_DATA: { [T in BriefEventType]: z.ZodType<EventData[T]> } = {
  brief_created: z.looseObject({ title: z.string(), partyId: z.string(), priority }),
  acknowledged: z.looseObject({ note: z.string().optional() }),
  declined: z.looseObject({ reason: z.string().optional() }),
  clarification_requested: z.looseObject({ question: z.string() }),
  clarification_answered: z.looseObject({ answer: z.string(), question: z.string().optional() }),
  delivered: z.looseObject({ version: z.number(), summary: z.string(), links: z.array(z.string()), submittedBy: z.string(), submittedAt: instant }),
  changes_requested: z.looseObject({ reason: z.string().optional(), revision: z.number(), reasons: z.array(reviewNote).optional(), stage: z.string().optional() }),
  approved: z.looseObject({ note: z.string().optional(), revision: z.number(), changes: z.array(reviewNote).optional(), automatic: z.boolean().optional() }),
  cancelled: z.looseObject({ reason: z.string().optional() }),
  comment_added: z.looseObject({ body: z.string(), role: z.enum(ROLES) }),
  sla_warning: z.looseObject({ clock: clockName, share: z.number(), dueAt: instant.nullable(), round: z.number(), reviewers: z.array(z.string()).optional() }),
  sla_breached: z.looseObject({ clock: clockName, dueAt: instant.nullable(), round: z.number() }),
  escalation_raised: z.looseObject({
    escalationId: z.string(),
    clock: clockName,
    level: z.number(),
    round: z.number(),
    dueAt: instant.nullish(),
    repeat: z.number().optional(),
    agreement: z.enum(['internal', 'external']).optional(),
    notify: z.array(z.string()).optional(),
    reescalation: z.boolean().optional(),
    follows: z.string().optional(),
  }),
  escalation_acknowledged: z.looseObject({ escalationId: z.string(), clock: clockName.optional() }),
  brief_edited: z.looseObject({ changes: editedFields, before: editedFields }),
  brief_held: z.looseObject({ reason: z.string().optional() }),
  brief_resumed: z.looseObject({ note: z.string().optional(), heldSince: instant.optional() }),
  sla_policy_applied: z.looseObject({ ...appliedPolicy, before: z.looseObject(appliedPolicy).nullable() }),
  review_stage_opened: z.looseObject({ stage: z.number(), name: z.string(), reviewers: z.array(z.string()), revision: z.number(), dueAt: instant.nullable() }),
  review_decided: z.looseObject({
    stage: z.number(),
    name: z.string(),
    reviewerId: z.string(),
    decision: reviewDecision,
    note: z.string().optional(),
    revision: z.number(),
    delegation: delegation.optional(),
    automatic: z.boolean().optional(),
  }),
  review_handed_over: z.looseObject({ stage: z.number(), name: z.string(), reviewerId: z.string(), to: z.string(), revision: z.number() }),
  review_stage_closed: z.looseObject({
    stage: z.number(),
    name: z.string(),
    outcome: z.enum(['passed', 'failed', 'skipped']),
    revision: z.number(),
    timedOut: z.boolean().optional(),
  }),
};

const event = <T extends BriefEventType>(type: T) =>
  z.looseObject({ seq: z.number().int(), type: z.literal(type), actor: z.string().nullable(), at: instant, data: EVENT_DATA[type] });

export const timelineEventSchema: z.ZodType<TimelineEvent> = z.discriminatedUnion('type', [
  event('brief_created'),
  event('acknowledged'),
  event('declined'),
  event('clarification_requested'),
  event('clarification_answered'),
  event('delivered'),
  event('changes_requested'),
  event('approved'),
  event('cancelled'),
  event('comment_added'),
  event('sla_warning'),
  event('sla_breached'),
  event('escalation_raised'),
  event('escalation_acknowledged'),
  event('brief_edited'),
  event('brief_held'),
  event('brief_resumed'),
  event('sla_policy_applied'),
  event('review_stage_opened'),
  event('review_decided'),
  event('review_handed_over'),
  event('review_stage_closed'),
]);

/** A row of brief_events as its timeline event. */
export function decodeRecordedEvent(
  briefId: string,
  row: { seq: number; type: string; actorId: string | null; at: Date; data: unknown },
): TimelineEvent {
  const parsed = timelineEventSchema.safeParse({ seq: row.seq, type: row.type, actor: row.actorId, at: row.at.toISOString(), data: row.data });
  if (!parsed.success) throw new SnapshotDecodeError(briefId, `event ${row.seq} (${row.type}): ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// State

const calendar = z.looseObject({
  name: z.string(),
  timezone: z.string(),
  workingHours: z.partialRecord(z.enum(WEEKDAYS), z.array(z.tuple([z.string(), z.string()]))),
  holidays: z.array(z.string()),
});

const briefSla = z.looseObject({
  policyId: z.string(),
  policyName: z.string(),
  policyVersion: z.number(),
  calendarId: z.string().nullable(),
  calendarVersion: z.number(),
  calendar,
  policyTargets: perClock(z.partialRecord(priority, z.string())),
  warnAt: z.number(),
  escalation: z.looseObject({
    levels: z.array(z.looseObject({ after: z.string(), notify: z.array(z.string()) })),
    repeatEvery: z.string().optional(),
    maxRepeats: z.number().optional(),
  }),
  agreement: z.enum(['internal', 'external']),
  reescalate: z.boolean(),
});

const briefInput = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  partyId: z.string(),
  managerId: z.string(),
  reviewerId: z.string().nullable(),
  priority,
  dueAt: instant.nullable(),
  deliverables: z.array(z.string()),
  targetsMs: perClock(z.number()),
  // Added with SLA policies: briefs created before lack them.
  targetOverrides: z.partialRecord(clockName, z.string()).optional(),
  sla: briefSla.optional(),
  reviewPlan: reviewPlan.optional(),
  program: z
    .looseObject({
      id: z.string(),
      name: z.string(),
      key: z.string(),
      inputs: z.array(
        z.looseObject({
          key: z.string(),
          briefId: z.string(),
          title: z.string(),
          delivery: z.looseObject({ version: z.number(), summary: z.string(), links: z.array(z.string()), submittedBy: z.string(), submittedAt: instant }).nullable(),
        }),
      ),
    })
    .optional(),
});

const clock = z.looseObject({
  phase: z.enum(['pending', 'running', 'paused', 'done', 'stopped']),
  targetMs: z.number(),
  round: z.number(),
  startedAt: instant.nullable(),
  accumulatedMs: z.number(),
  runningSince: instant.nullable(),
  dueAt: instant.nullable(),
  warnedAt: instant.nullable(),
  breachedAt: instant.nullable(),
  completedAt: instant.nullable(),
  // Added with SLA policies: clocks of briefs created before lack them.
  target: z.string().nullish(),
  warnMs: z.number().optional(),
  steps: z.array(z.looseObject({ level: z.number(), repeat: z.number(), ms: z.number() })).optional(),
  nextStep: z.number().optional(),
  raised: z.array(z.looseObject({ escalationId: z.string(), level: z.number(), repeat: z.number(), index: z.number(), at: instant })).optional(),
  ack: z.looseObject({ escalationId: z.string(), memberId: z.string(), at: instant, elapsedMs: z.number(), index: z.number() }).nullish(),
  stretches: z.array(z.tuple([instant, instant])).optional(),
  pausedFor: z.array(z.enum(['clarification', 'hold'])).optional(),
});

const briefStateSchema: z.ZodType<BriefState> = z.looseObject({
  brief: briefInput,
  status: z.enum(STATUSES),
  revision: z.number(),
  deliveries: z.array(z.looseObject({ version: z.number(), summary: z.string(), links: z.array(z.string()), submittedBy: z.string(), submittedAt: instant })),
  clocks: perClock(clock),
  openClarification: z.looseObject({ question: z.string(), askedBy: z.string(), askedAt: instant, returnTo: z.enum(STATUSES) }).nullable(),
  // Added later: absent in the states of older briefs.
  hold: z.looseObject({ since: instant, by: z.string(), reason: z.string().nullable() }).nullish(),
  escalations: z.record(z.string(), z.boolean()).optional(),
  review: z
    .looseObject({
      revision: z.number(),
      current: z.number().nullable(),
      failedStage: z.number().nullable(),
      stages: z.array(
        z.looseObject({
          status: z.enum(['waiting', 'open', 'passed', 'failed', 'skipped']),
          openedAt: instant.nullable(),
          closedAt: instant.nullable(),
          timedOut: z.boolean().optional(),
          decisions: z.array(
            z.looseObject({
              reviewerId: z.string(),
              decision: reviewDecision,
              note: z.string().optional(),
              at: instant,
              by: z.string().nullable(),
              delegation: delegation.optional(),
              automatic: z.boolean().optional(),
            }),
          ),
          handovers: z.record(z.string(), z.string()),
        }),
      ),
    })
    .nullish(),
  // Empty since the read model keeps the timeline; whole in snapshots of older workers.
  timeline: z.array(timelineEventSchema),
  seq: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

/**
 * A brief's state from its stored snapshot (without snapshotVersion). Throws SnapshotDecodeError,
 * naming the brief, for a snapshot of no known version or shape.
 */
export function decodeSnapshot(briefId: string, snapshot: unknown): BriefState {
  if (!isRecord(snapshot)) throw new SnapshotDecodeError(briefId, 'the snapshot is not an object');
  const { snapshotVersion = 1, ...state } = snapshot;
  // A later release's snapshot (written beside this one during a rolling deploy) is read as far as
  // this release knows it: versions only ever add fields, and unknown ones pass through.
  if (typeof snapshotVersion !== 'number' || !Number.isInteger(snapshotVersion) || snapshotVersion < 1) {
    throw new SnapshotDecodeError(briefId, `snapshot version ${String(snapshotVersion)} is not a version`);
  }
  const parsed = briefStateSchema.safeParse(state);
  if (!parsed.success) throw new SnapshotDecodeError(briefId, `snapshot version ${snapshotVersion}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
