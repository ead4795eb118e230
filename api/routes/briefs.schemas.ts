// The zod schemas of the brief routes: request validation and the documented answers.
import { z } from 'zod';
import { CLOCKS, EVENT_TYPES, PRIORITIES, STATUSES } from '../../workflows/domain/vocabulary';
import { REVIEW_DECISIONS } from '../../workflows/domain/review';
import { isSlaTarget, SLA_TARGET_RULE } from '../../workflows/domain/duration';
import type { ActionName } from '../../workflows/domain/transitions';
import { PageQuery } from '../pagination';
import { idString, nonBlankText } from '../validate';

const Id = idString().meta({ example: '3f0c2d8e-8a51-4c8e-b7f4-1d2a9c6e5b10' });
const Timestamp = z.iso.datetime().meta({ example: '2026-11-27T11:00:00.000Z' });
const duration = z.string().refine(isSlaTarget, SLA_TARGET_RULE).meta({ example: 'PT4H' });
const text = nonBlankText;

export const BriefParams = z.object({ id: Id });

const ReviewRuleSchema = z
  .union([z.enum(['any', 'all']), z.strictObject({ quorum: z.number().int().min(1).max(100) })])
  .meta({ description: 'any: the first decision wins; all: every reviewer approves; {quorum: k}: k approvals (the stage fails once k is out of reach).', example: 'all' });

const ReviewerRefSchema = z.union([
  Id.meta({ description: 'A member (a manager or an admin).' }),
  z.strictObject({ partyId: Id, role: z.enum(['manager', 'admin']) }).meta({ description: "Every active member of a party with this role, as they are when the plan is set." }),
]);

export const ReviewPlanBody = z
  .strictObject({
    stages: z
      .array(
        z.strictObject({
          name: text(200).meta({ example: 'Brand and legal' }),
          reviewers: z.array(ReviewerRefSchema).min(1, 'a stage needs at least one reviewer').max(50),
          rule: ReviewRuleSchema,
          target: duration.optional().meta({ description: "The stage's review clock in business time (warning, breach and escalation as in the SLA policy); the policy's review target when absent." }),
          onDeadline: z.enum(['escalate', 'approve']).optional().meta({ description: 'At the deadline: escalate (the default) or approve automatically (recorded as an automatic decision).' }),
        }),
      )
      .min(1, 'a review plan needs at least one stage')
      .max(10),
    resumeAtFailedStage: z.boolean().optional().meta({ description: 'After a failed stage, the next delivery starts review at that stage instead of stage 1.' }),
    allowOwnParty: z.boolean().optional().meta({ description: "Lets reviewers of the brief's own party approve its delivery." }),
  })
  .meta({
    id: 'ReviewPlanInput',
    description: 'Ordered stages of reviewers a delivery passes through before the brief is approved.',
    example: {
      stages: [
        { name: 'Brand and legal', reviewers: ['m-brand', 'm-legal'], rule: 'all', target: 'P1D' },
        { name: 'Shop owners', reviewers: ['m-shop-1', 'm-shop-2', 'm-shop-3'], rule: { quorum: 2 }, onDeadline: 'escalate' },
      ],
      resumeAtFailedStage: true,
    },
  });

export const CreateBriefBody = z
  .object({
    title: text(200).meta({ example: 'Christmas landing page' }),
    description: text(20_000).meta({ example: 'Hero banner and three teasers for the Christmas campaign.' }),
    partyId: Id.meta({ description: 'The party the brief goes to.' }),
    priority: z.enum(PRIORITIES).default('P3'),
    dueAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'Delivery deadline; the deliver clock counts to it.', example: '2026-12-10T17:00:00+01:00' }),
    deliverables: z.array(text(500)).max(100).default([]).meta({ example: ['banner 1920x600', 'three teasers'] }),
    reviewerId: Id.optional().meta({ description: 'A manager who reviews deliveries; the creating manager when omitted.' }),
    slaPolicyId: z.string().min(1).max(100).optional().meta({
      description:
        "The SLA policy the brief runs under (its calendar, targets, warning and escalation chain). Default: the party's default policy, else the system default policy, else the built-in `default`.",
      example: 'default',
    }),
    targets: z
      .object({ acknowledge: duration.optional(), deliver: duration.optional(), review: duration.optional() })
      .default({})
      .meta({
        description:
          "SLA targets for this brief, overriding its policy's targets for its priority. Counted in business time of the policy's calendar: P1D is one working day; a week (P1W) counts as 7 days.",
      }),
    reviewPlan: ReviewPlanBody.optional().meta({ description: 'Stages of review for its deliveries; without one, its reviewer (else its manager) reviews alone.' }),
  })
  .meta({ id: 'CreateBrief' });

/** The fields a manager may edit (PATCH /v1/briefs/:id). */
export const EDITABLE = ['title', 'description', 'dueAt', 'reviewerId', 'managerId', 'priority', 'reviewPlan'] as const;

export const EditBriefBody = z
  .strictObject({
    title: text(200).optional().meta({ example: 'Christmas landing page (final)' }),
    description: text(20_000).optional().meta({ example: 'Hero banner and four teasers for the Christmas campaign.' }),
    dueAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .optional()
      .meta({
        description: 'New delivery deadline, in the future; null removes it. Before the first delivery the deliver clock is then due exactly at it.',
        example: '2026-12-12T17:00:00+01:00',
      }),
    reviewerId: Id.nullable().optional().meta({ description: "A manager who reviews deliveries; null leaves the review to the brief's manager." }),
    managerId: Id.optional().meta({
      description: "Reassigns the brief to another active manager (e.g. when its manager leaves): the manager's notifications, and the review when no reviewer is named, go to them from now on.",
    }),
    reviewPlan: ReviewPlanBody.nullable().optional().meta({ description: 'A new review plan, or null for none: only before the first delivery (409 after).' }),
    priority: z.enum(PRIORITIES).optional().meta({
      description: "New priority. The clocks without a target of their own move to the new priority's default targets, keeping the time counted.",
      example: 'P1',
    }),
  })
  .refine((body) => EDITABLE.some((field) => body[field] !== undefined), `name at least one of ${EDITABLE.join(', ')}`)
  .meta({
    id: 'EditBrief',
    description: `The fields to change, at least one; absent fields stay as they are. Only ${EDITABLE.join(', ')} can be edited.`,
  });

export const IfMatchHeader = z.object({
  'if-match': z.string().meta({
    description: "The brief's ETag as last read (GET /v1/briefs/{id}, or the answer of a change). Required: without it 428, with an outdated one 412.",
    example: '"Wq3bC1n2o4YtVd9Ek0xZfA"',
  }),
});

export const ETagHeader = z.object({
  ETag: z.string().meta({
    description: "The brief's version (strong): it changes with every event of its timeline. Send it as If-Match to edit the brief.",
    example: '"Wq3bC1n2o4YtVd9Ek0xZfA"',
  }),
});

export const ListBriefsQuery = PageQuery.extend({
  status: z.enum(STATUSES).optional(),
  partyId: Id.optional(),
  priority: z.enum(PRIORITIES).optional(),
  overdue: z.enum(['true', 'false']).optional().meta({ description: 'true: briefs with a breached or past-due clock.' }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    // The database takes no NUL in a text: refused here instead of failing the query.
    .refine((q) => !q.includes('\u0000'), 'must not contain NUL characters')
    .optional()
    .meta({ description: 'Search: briefs whose title contains this text (case-insensitive).', example: 'landing page' }),
  mine: z.enum(['true', 'false']).optional().meta({ description: "true: briefs the caller manages or reviews (a manager's own board)." }),
  toReview: z.enum(['true', 'false']).optional().meta({
    description: 'true: briefs whose open review stage waits for a decision of the caller, or of a reviewer out of office who named the caller their delegate.',
  }),
});

const url = z.url({ protocol: /^https?$/ });
export const ACTION_BODIES = {
  acknowledge: z.object({ note: text(5_000).optional().meta({ example: 'On it, first draft by Friday' }) }).meta({ id: 'AcknowledgeBrief' }),
  decline: z.object({ reason: text(5_000).meta({ example: 'No capacity before January' }) }).meta({ id: 'DeclineBrief' }),
  askClarification: z.object({ question: text(5_000).meta({ example: 'Which colours?' }) }).meta({ id: 'AskClarification' }),
  answerClarification: z.object({ answer: text(5_000).meta({ example: 'Red and gold' }) }).meta({ id: 'AnswerClarification' }),
  deliver: z
    .object({ summary: text(10_000).meta({ example: 'First draft' }), links: z.array(url).max(50).default([]).meta({ example: ['https://files.example/v1.zip'] }) })
    .meta({ id: 'Deliver' }),
  approve: z.object({ note: text(5_000).optional().meta({ example: 'Ship it' }) }).meta({ id: 'ApproveBrief' }),
  requestChanges: z.object({ reason: text(5_000).meta({ example: 'Bigger logo' }) }).meta({ id: 'RequestChanges' }),
  cancel: z.object({ reason: text(5_000).meta({ example: 'Campaign dropped' }) }).meta({ id: 'CancelBrief' }),
  comment: z.object({ body: text(10_000).meta({ example: 'Looks great so far' }) }).meta({ id: 'Comment' }),
  hold: z.object({ reason: text(5_000).optional().meta({ example: 'Waiting for the new product photos' }) }).meta({ id: 'HoldBrief' }),
  resume: z.object({ note: text(5_000).optional().meta({ example: 'Photos are in' }) }).meta({ id: 'ResumeBrief' }),
  review: z
    .object({
      decision: z.enum(REVIEW_DECISIONS).meta({
        description:
          'approve; approve_with_changes (approves; the note names changes the party applies without another round); request_changes (the note is the reason, required); not_relevant (the reviewer leaves the stage, a quorum is counted among those who remain).',
      }),
      note: text(5_000).optional().meta({ example: 'Legal disclaimer missing on the landing page' }),
      onBehalfOf: Id.optional().meta({
        description: 'The reviewer you decide for: one who handed you their review, or one out of office who named you their delegate. Found by itself when you stand for only one.',
      }),
    })
    .refine((b) => b.decision !== 'request_changes' || b.note !== undefined, { path: ['note'], message: 'a request for changes needs a reason' })
    .meta({ id: 'ReviewDecision' }),
  handOverReview: z
    .object({
      to: Id.meta({ description: 'A colleague of your party (a manager or admin) who takes over your review of the open stage.' }),
      reviewerId: Id.optional().meta({ description: 'The reviewer whose review is handed over: you, unless you are an admin handing over for someone.' }),
    })
    .meta({ id: 'HandOverReview' }),
} satisfies Record<ActionName, z.ZodType>;

const ClockSchema = z
  .object({
    state: z.enum(['pending', 'running', 'paused', 'met', 'breached', 'stopped']),
    dueAt: Timestamp.nullable(),
    targetMs: z.number().int(),
    elapsedMs: z.number().int(),
    remainingMs: z.number().int(),
    startedAt: Timestamp.nullable(),
    warnedAt: Timestamp.nullable(),
    breachedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    pausedFor: z.array(z.enum(['clarification', 'hold', 'outside_working_hours'])).meta({
      description: 'Why the clock is not counting now: an open clarification, the brief on hold, or its calendar outside working hours.',
    }),
    warnsAt: Timestamp.nullable().meta({ description: 'When the warning is due if the clock runs on; null once warned or while paused.' }),
    escalationLevel: z.number().int().min(0).meta({ description: 'The highest escalation level raised in this round; 0 when none.' }),
    escalationAcknowledged: z.boolean().meta({ description: 'An escalation of this round was acknowledged: the chain stands still until it re-escalates.' }),
    nextEscalationAt: Timestamp.nullable().meta({ description: 'When the next escalation of the chain is raised if the clock runs on; while an acknowledged chain waits, when it re-escalates.' }),
  })
  .meta({
    id: 'SlaClock',
    description:
      'A clock in business time of the calendar of the brief\'s SLA policy: elapsedMs and remainingMs count working time only, dueAt is the instant the target is reached if the clock runs on.',
  });

const SlaPolicyRefSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int().min(0),
    calendarId: z.string().nullable().meta({ description: 'null for the built-in 24x7 calendar.' }),
    calendarName: z.string(),
    timezone: z.string(),
    agreement: z.enum(['internal', 'external']).meta({ description: 'internal for internal teams (OLA), external for agencies and suppliers (SLA).' }),
  })
  .meta({ id: 'BriefSlaPolicy', description: 'The SLA policy and calendar the brief runs under, as they were when it started or were last applied to it.' });

const DeliverySchema = z
  .object({ version: z.number().int().min(1), summary: z.string(), links: z.array(z.string()), submittedBy: Id, submittedAt: Timestamp })
  .meta({ id: 'Delivery' });

const TimelineEventSchema = z
  .object({
    seq: z.number().int().min(1),
    type: z.enum(EVENT_TYPES),
    actor: Id.nullable().meta({ description: 'Member who acted; null for the SLA clocks.' }),
    at: Timestamp,
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEvent' });

const ReviewPlanSchema = z
  .object({
    stages: z.array(
      z.object({
        name: z.string(),
        reviewers: z.array(z.union([z.string(), z.object({ partyId: z.string(), role: z.string() })])),
        members: z.array(Id).meta({ description: 'The members the reviewers stood for when the plan was set.' }),
        rule: z.union([z.enum(['any', 'all']), z.object({ quorum: z.number().int() })]),
        target: z.string().optional(),
        onDeadline: z.enum(['escalate', 'approve']).optional(),
      }),
    ),
    resumeAtFailedStage: z.boolean().optional(),
    allowOwnParty: z.boolean().optional(),
  })
  .meta({ id: 'ReviewPlan' });

const ReviewSchema = z
  .object({
    revision: z.number().int().meta({ description: 'The delivery under review.' }),
    currentStage: z.number().int().nullable().meta({ description: 'Index of the open stage; null when none is open.' }),
    failedStage: z.number().int().nullable(),
    stages: z.array(
      z.object({
        name: z.string(),
        rule: z.union([z.enum(['any', 'all']), z.object({ quorum: z.number().int() })]),
        ruleLabel: z.string().meta({ example: '2 of 3' }),
        status: z.enum(['waiting', 'open', 'passed', 'failed', 'skipped']),
        openedAt: Timestamp.nullable(),
        closedAt: Timestamp.nullable(),
        timedOut: z.boolean().meta({ description: 'The stage passed at its deadline with automatic approvals.' }),
        reviewers: z.array(
          z.object({
            memberId: Id,
            decision: z.enum(REVIEW_DECISIONS).nullable(),
            note: z.string().nullable(),
            at: Timestamp.nullable(),
            by: Id.nullable().meta({ description: 'Who decided: the reviewer, a delegate acting for them (see delegation), null when automatic.' }),
            delegation: z.enum(['out_of_office', 'handover']).nullable(),
            automatic: z.boolean(),
            handedTo: Id.nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Review', description: "The review of the current (or last) delivery under the brief's plan, stage by stage." });

const briefFields = {
  id: Id,
  title: z.string(),
  description: z.string(),
  partyId: Id,
  managerId: Id,
  reviewerId: Id.nullable(),
  priority: z.enum(PRIORITIES),
  status: z.enum(STATUSES),
  revision: z.number().int().min(0),
  dueAt: Timestamp.nullable(),
  deliverables: z.array(z.string()),
  deliveries: z.array(DeliverySchema),
  clarification: z.object({ question: z.string(), askedBy: Id, askedAt: Timestamp, returnTo: z.enum(STATUSES) }).nullable(),
  hold: z.object({ since: Timestamp, by: Id, reason: z.string().nullable() }).nullable().meta({ description: 'Set while a manager has put the brief on hold: its clocks stand still.' }),
  slaPolicy: SlaPolicyRefSchema.nullable(),
  sla: z.object(Object.fromEntries(CLOCKS.map((c) => [c, ClockSchema])) as Record<(typeof CLOCKS)[number], typeof ClockSchema>),
  reviewPlan: ReviewPlanSchema.nullable(),
  review: ReviewSchema.nullable(),
  program: z
    .object({
      id: Id,
      name: z.string(),
      key: z.string(),
      inputs: z.array(
        z.object({
          key: z.string(),
          briefId: Id,
          title: z.string(),
          delivery: z.object({ version: z.number().int(), summary: z.string(), links: z.array(z.string()), submittedBy: Id, submittedAt: Timestamp }).nullable(),
        }),
      ),
    })
    .nullable()
    .meta({ description: 'The program the brief belongs to, its key there, and the last delivery of each brief it depends on; null outside a program.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const BriefSchema = z.object({ ...briefFields, timeline: z.array(TimelineEventSchema) }).meta({ id: 'Brief' });
export const BriefSummarySchema = z.object({ ...briefFields, overdue: z.boolean() }).meta({ id: 'BriefSummary', description: 'A brief as listed: without its timeline.' });
