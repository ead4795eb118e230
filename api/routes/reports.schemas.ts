// The scorecard reports' schemas: the period and filters they are asked for, and the figures
// they answer with (see services/scorecards/report.ts for how each figure is counted).
import { z } from 'zod';
import { PRIORITIES } from '../../workflows/domain/vocabulary';
import { PageQuery } from '../pagination';
import { idString } from '../validate';

/** The longest period a report covers, in days between from and to. */
export const MAX_REPORT_SPAN_DAYS = 731;
/** The default period: twelve weeks up to today. */
export const DEFAULT_REPORT_DAYS = 83;

const Agreement = z.enum(['external', 'internal']).meta({ description: 'external (an SLA with an agency or supplier) or internal (an OLA with an internal team).' });
const Day = z.iso.date().meta({ description: 'A date (YYYY-MM-DD) in the report\'s time zone.', example: '2026-11-02' });
const IsoWeek = z
  .string()
  .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'not an ISO week (YYYY-Www)')
  .meta({ description: 'An ISO week (YYYY-Www) of the briefs\' creation in the report\'s time zone.', example: '2026-W45' });

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(knownTimeZone, 'not an IANA time zone')
  .meta({ description: "The IANA time zone the dates and weeks are read in; default the caller's own, else UTC.", example: 'Europe/Berlin' });

const ReportFilters = z.object({
  from: Day.optional().meta({ description: `First day of the period (briefs created from then on); default \`to\` minus ${DEFAULT_REPORT_DAYS} days (twelve weeks).` }),
  to: Day.optional().meta({ description: `Last day of the period, inclusive; default today. At most ${MAX_REPORT_SPAN_DAYS} days after \`from\`.` }),
  agreement: Agreement.optional(),
  priority: z.enum(PRIORITIES).optional(),
  timezone: TimeZone.optional(),
  programId: idString().optional().meta({ description: "Only the briefs of this program (GET /v1/programs/{id}); 404 for a program the caller may not see." }),
});

export const ScorecardReportQuery = ReportFilters.extend({
  partyId: idString().optional().meta({ description: "Only this party's scorecards; 404 for a party the caller may not see." }),
});

/** The figures a brief row can be traced to. */
export const TRACE_PATTERN = /^((acknowledge|deliver|review)\.(onTime|late)|approved|declined|cancelled|open|clarified|escalated|held|rounds\.[1-9]\d{0,2})$/;

export const ScorecardBriefsQuery = PageQuery.extend(ReportFilters.shape).extend({
  trace: z
    .string()
    .regex(TRACE_PATTERN, 'not a figure: acknowledge|deliver|review.onTime|late, approved, declined, cancelled, open, clarified, escalated, held or rounds.N')
    .optional()
    .meta({ description: 'Only the briefs behind this figure: `acknowledge.onTime`, `deliver.late`, `approved`, `escalated`, `rounds.3`, ...', example: 'deliver.late' }),
  week: IsoWeek.optional(),
});

export const PartyParams = z.object({ partyId: idString().meta({ example: 'b57f59f6-907f-4dc0-b3c1-e431ab3efe42' }) });

const Ms = z.number().min(0).meta({ description: 'Business time in milliseconds.' });

const StepFigures = z
  .object({
    side: z.enum(['party', 'ecommerce']).meta({ description: 'Whose step it is: the party (acknowledge, deliver) or the e-commerce team (review).' }),
    counted: z.number().int().min(0).meta({ description: 'Steps done, plus steps not done whose clock breached.' }),
    onTime: z.number().int().min(0).meta({ description: 'Steps done without breaching their target.' }),
    onTimePercent: z.number().nullable().meta({ description: '100 × onTime / counted, one decimal; null when nothing was counted.' }),
    done: z.number().int().min(0),
    medianMs: Ms.nullable(),
    p90Ms: Ms.nullable(),
    histogram: z
      .array(z.object({ upToMs: z.number().int().nullable().meta({ description: 'Upper edge (inclusive) of the bucket; null: longer than the last edge.' }), count: z.number().int().min(0) }))
      .meta({ description: 'Done steps by business time: up to 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 16 h, 24 h, 40 h, and longer.' }),
  })
  .meta({ id: 'ScorecardStepFigures' });

export const FiguresSchema = z
  .object({
    briefs: z.object({
      received: z.number().int().min(0),
      open: z.number().int().min(0),
      approved: z.number().int().min(0),
      declined: z.number().int().min(0),
      cancelled: z.number().int().min(0),
    }),
    acknowledge: StepFigures,
    deliver: StepFigures,
    review: StepFigures,
    rounds: z.object({
      approvedBriefs: z.number().int().min(0),
      mean: z.number().nullable().meta({ description: 'Mean deliveries per approved brief (1: approved on the first delivery).' }),
      distribution: z.array(z.object({ rounds: z.number().int().min(0), briefs: z.number().int().min(1) })),
    }),
    clarifications: z.object({
      count: z.number().int().min(0),
      perBrief: z.number().nullable(),
      answered: z.number().int().min(0),
      answerMedianMs: Ms.nullable().meta({ description: "Median business time the e-commerce team took to answer a question." }),
    }),
    escalations: z.object({
      total: z.number().int().min(0),
      acknowledged: z.number().int().min(0),
      byLevel: z.array(z.object({ level: z.number().int().min(1), count: z.number().int().min(1), acknowledged: z.number().int().min(0) })),
    }),
    held: z.object({ briefs: z.number().int().min(0), totalMs: Ms }),
  })
  .meta({ id: 'ScorecardFigures' });

const PartyKind = z.string().meta({ example: 'agency' });

export const ScorecardSchema = z
  .object({
    partyId: z.string(),
    partyName: z.string(),
    partyKind: PartyKind,
    agreement: Agreement,
    figures: FiguresSchema,
    weeks: z
      .array(z.object({ week: IsoWeek, start: z.iso.date().meta({ description: 'The Monday the week starts on.' }), figures: FiguresSchema }))
      .meta({ description: 'The weeks with briefs, ascending.' }),
  })
  .meta({ id: 'Scorecard' });

const Period = {
  from: z.iso.date(),
  to: z.iso.date(),
  timezone: z.string().meta({ example: 'Europe/Berlin' }),
};

export const ScorecardReportSchema = z
  .object({ ...Period, scorecards: z.array(ScorecardSchema).meta({ description: 'One per party and agreement with briefs in the period, by party name, external first.' }) })
  .meta({ id: 'ScorecardReport' });

const StepSummary = z
  .object({
    steps: z.number().int().min(1),
    done: z.number().int().min(0),
    late: z.number().int().min(0),
    businessMs: Ms.meta({ description: 'Business time of the done steps, summed.' }),
    open: z.boolean(),
  })
  .nullable()
  .meta({ id: 'ScorecardStepSummary' });

export const ScorecardBriefRowSchema = z
  .object({
    briefId: z.string(),
    title: z.string(),
    status: z.string(),
    priority: z.enum(PRIORITIES),
    agreement: Agreement,
    createdAt: z.iso.datetime(),
    outcome: z.enum(['open', 'approved', 'declined', 'cancelled']),
    rounds: z.number().int().min(0),
    clarifications: z.number().int().min(0),
    heldMs: Ms,
    acknowledge: StepSummary,
    deliver: StepSummary,
    review: StepSummary,
    answerMedianMs: Ms.nullable(),
    escalations: z.array(z.object({ level: z.number().int().min(1), count: z.number().int().min(1) })),
    programId: z.string().nullable().meta({ description: 'The program the brief belongs to; null outside a program.' }),
  })
  .meta({ id: 'ScorecardBriefRow' });

export const ScorecardDetailSchema = z
  .object({
    ...Period,
    party: z.object({ id: z.string(), name: z.string(), kind: PartyKind }),
    scorecards: z.array(ScorecardSchema).meta({ description: "The party's scorecards over the period, one per agreement with briefs." }),
    briefs: z
      .object({ items: z.array(ScorecardBriefRowSchema), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) })
      .meta({ description: 'The briefs behind the figures (narrowed by `trace` and `week`), newest first.' }),
  })
  .meta({ id: 'ScorecardDetail' });

export type ScorecardReportBody = z.infer<typeof ScorecardReportSchema>;
export type ScorecardDetailBody = z.infer<typeof ScorecardDetailSchema>;

/** The detail as CSV: every brief that matches, not paged. */
export const ScorecardBriefsCsvQuery = ScorecardBriefsQuery.omit({ limit: true, cursor: true });
