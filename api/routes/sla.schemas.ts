// The request and answer schemas of calendars and SLA policies, and how rows become answers.
import { z } from 'zod';
import { BUILT_IN_CALENDAR_ID, BUILT_IN_CREATED_AT, type CalendarRow, type PolicyRow, type SlaTargets } from '../../services/policies';
import { APPLICATION_STATUSES, type ApplicationOutcomes } from '../../services/policy-applications';
import { CLOCKS, PRIORITIES, type ClockName, type Priority } from '../../workflows/domain/vocabulary';
import { CALENDAR_24X7, parseBusinessDuration, WEEKDAYS, type Weekday } from '../../workflows/domain/calendar';
import { BUILT_IN_POLICY_ID, completeTargets, DEFAULT_WARN_AT, NOTIFY_ROLES, type PolicyTargets } from '../../workflows/domain/policy';
import { isSlaTarget, SLA_TARGET_RULE } from '../../workflows/domain/duration';
import { idString, nonBlankText } from '../validate';

export const MAX_HOLIDAYS = 5000;
export const MAX_INTERVALS_PER_DAY = 12;
export const MAX_LEVELS = 10;
export const MAX_NOTIFY = 20;
/** The longest business duration accepted anywhere in a policy: ten years of days or of hours. */
const MAX_DURATION_DAYS = 3650;
const MAX_DURATION_MS = 3650 * 24 * 3600_000;

const Timestamp = z.iso.datetime().meta({ example: '2026-11-26T09:00:00.000Z' });
const Id = idString().meta({ example: '3f0c2a4e-8d5b-4a8e-9a52-6e7b1c9d0f11' });
export const CalendarIdParams = z.object({ id: idString().meta({ example: BUILT_IN_CALENDAR_ID }) });
export const PolicyIdParams = z.object({ id: idString().meta({ example: BUILT_IN_POLICY_ID }) });

// ---------------------------------------------------------------------------------------------
// Calendars

const ClockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time HH:MM from 00:00 to 24:00');
const Interval = z.tuple([ClockTime, ClockTime]).meta({ description: 'From and to, local time; "24:00" ends a day.', example: ['09:00', '17:00'] });
const DayHours = z.array(Interval).max(MAX_INTERVALS_PER_DAY);

export const WorkingHours = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, DayHours.optional()])) as Record<Weekday, z.ZodOptional<typeof DayHours>>)
  .meta({
    id: 'WorkingHours',
    description: 'Per weekday (mon..sun), ordered, non-overlapping working intervals in local time. Days left out have no working time.',
    example: { mon: [['09:00', '12:30'], ['13:30', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '15:00']] },
  });

const LocalDate = z.iso.date().meta({ example: '2026-12-24' });
const Holidays = z.array(LocalDate).max(MAX_HOLIDAYS).meta({ description: 'Local dates without working time.', example: ['2026-12-24', '2026-12-25', '2026-12-26'] });
const TimeZone = z.string().min(1).max(100).meta({ description: 'An IANA time zone.', example: 'Europe/Berlin' });

export const CreateCalendarBody = z
  .object({
    name: nonBlankText(200).meta({ example: 'Berlin office' }),
    timezone: TimeZone,
    workingHours: WorkingHours,
    holidays: Holidays.default([]),
  })
  .meta({ id: 'CreateCalendar' });

export const UpdateCalendarBody = z
  .object({
    name: nonBlankText(200).optional().meta({ example: 'Berlin office (winter)' }),
    timezone: TimeZone.optional(),
    workingHours: WorkingHours.optional(),
    holidays: Holidays.optional(),
  })
  .meta({ id: 'UpdateCalendar', description: 'The fields to change; a change increments the version.' });

export const CalendarSchema = z
  .object({
    id: idString().meta({ example: '3f0c2a4e-8d5b-4a8e-9a52-6e7b1c9d0f11' }),
    name: z.string(),
    timezone: z.string(),
    workingHours: WorkingHours,
    holidays: z.array(z.string()),
    version: z.number().int().min(1),
    builtIn: z.boolean().meta({ description: 'The built-in `24x7` calendar (UTC, round the clock, no holidays) cannot be changed.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Calendar' });

export const ImportHolidaysQuery = z.object({
  fromYear: z.coerce.number().int().min(1900).max(2200).optional().meta({ description: 'Leave out dates before this year.', example: 2026 }),
  untilYear: z.coerce
    .number()
    .int()
    .min(1900)
    .max(2200)
    .optional()
    .meta({ description: 'Last year yearly recurrences (RRULE:FREQ=YEARLY) are expanded into; this year + 10 by default.', example: 2030 }),
  strict: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description: 'Refuse the whole file (400) when an event cannot be read, instead of reporting it in `unsupported`.' }),
});

export const HolidayImportSchema = z
  .object({
    calendar: CalendarSchema,
    imported: z.array(z.string()).meta({ description: 'Dates added to the calendar.', example: ['2026-12-25'] }),
    duplicates: z.array(z.string()).meta({ description: 'Dates of the file the calendar already had.', example: ['2026-12-24'] }),
    unsupported: z.array(z.string()).meta({ description: 'Events that could not be read, and why.' }),
  })
  .meta({ id: 'HolidayImport' });

export const calendarJson = (row: CalendarRow) => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
  workingHours: row.workingHours as Record<string, [string, string][]>,
  holidays: row.holidays as string[],
  version: row.version,
  builtIn: false,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** The built-in 24x7 calendar as a row. */
export const BUILT_IN_CALENDAR: CalendarRow = {
  id: BUILT_IN_CALENDAR_ID,
  name: CALENDAR_24X7.name,
  timezone: CALENDAR_24X7.timezone,
  workingHours: CALENDAR_24X7.workingHours,
  holidays: [],
  version: 1,
  createdAt: BUILT_IN_CREATED_AT,
  updatedAt: BUILT_IN_CREATED_AT,
};

export const builtInCalendarJson = () => ({ ...calendarJson(BUILT_IN_CALENDAR), builtIn: true });

// ---------------------------------------------------------------------------------------------
// SLA policies

const durationText = z.string().max(40);
const parsedDuration = (text: string) => {
  const parsed = parseBusinessDuration(text);
  return parsed && parsed.days <= MAX_DURATION_DAYS && parsed.timeMs <= MAX_DURATION_MS ? parsed : undefined;
};
const BUSINESS_DURATION_SHAPE = /^P(?:\d+D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$/;
const BUSINESS_RULE = 'a business duration: whole days and/or time, such as P2D, PT4H or P1DT2H (no W, M or Y; up to 3650 days or hours)';

/** A business duration; `positive` ones must be longer than zero. */
const businessDuration = (positive: boolean) =>
  durationText.regex(BUSINESS_DURATION_SHAPE, BUSINESS_RULE).refine((text) => {
    if (!BUSINESS_DURATION_SHAPE.test(text)) return true; // reported by the pattern
    const parsed = parsedDuration(text);
    return parsed !== undefined && (!positive || parsed.days > 0 || parsed.timeMs > 0);
  }, positive ? `${BUSINESS_RULE}, longer than zero` : BUSINESS_RULE);

/** Days first, then time: how escalation levels are ordered. */
export function durationOrder(text: string): [number, number] {
  const parsed = parsedDuration(text);
  return parsed ? [parsed.days, parsed.timeMs] : [0, 0];
}

const Target = businessDuration(true).meta({ example: 'PT4H' });
const PerPriority = z.strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, Target.optional()])) as Record<Priority, z.ZodOptional<typeof Target>>);
export const TargetsInput = z
  .strictObject(Object.fromEntries(CLOCKS.map((c) => [c, PerPriority.optional()])) as Record<ClockName, z.ZodOptional<typeof PerPriority>>)
  .meta({
    id: 'SlaTargetsInput',
    description: 'Business-time targets per clock and priority. Clocks and priorities left out take the system defaults.',
    example: { acknowledge: { P1: 'PT1H', P2: 'PT4H' }, deliver: { P2: 'P3D' } },
  });

const FullPerPriority = z.object(Object.fromEntries(PRIORITIES.map((p) => [p, z.string()])) as Record<Priority, z.ZodString>);
const TargetsSchema = z
  .object(Object.fromEntries(CLOCKS.map((c) => [c, FullPerPriority])) as Record<ClockName, typeof FullPerPriority>)
  .meta({ id: 'SlaTargets', description: 'Every clock and priority, the system defaults filled in.' });

const Notify = z
  .array(z.string().min(1).max(100).meta({ description: `One of ${NOTIFY_ROLES.join(', ')}, or a member id.`, example: 'party_lead' }))
  .min(1)
  .max(MAX_NOTIFY);

const Level = z.object({
  after: businessDuration(false).meta({ description: 'Business time after the breach; PT0S is at the breach.', example: 'PT0S' }),
  notify: Notify,
});

export const EscalationInput = z
  .object({
    levels: z.array(Level).min(1).max(MAX_LEVELS),
    repeatEvery: businessDuration(true).optional().meta({ description: 'Repeat the last level this often after it was raised.', example: 'PT4H' }),
    maxRepeats: z.number().int().min(0).max(100).optional().meta({ description: 'How often the last level repeats; 3 when repeatEvery is given without it.', example: 3 }),
  })
  .meta({
    id: 'EscalationPolicy',
    example: {
      levels: [
        { after: 'PT0S', notify: ['party_lead', 'manager'] },
        { after: 'PT4H', notify: ['watchers'] },
      ],
      repeatEvery: 'PT4H',
      maxRepeats: 3,
    },
  });

const WarnAt = z.number().gt(0).lt(1).meta({ description: 'The share of a target at which the owner is warned.', example: DEFAULT_WARN_AT });
const CalendarRef = idString().meta({ description: 'A calendar id; `24x7` (or none) for round the clock.', example: BUILT_IN_CALENDAR_ID });

export const CreatePolicyBody = z
  .object({
    name: nonBlankText(200).meta({ example: 'Agencies, Berlin hours' }),
    calendarId: CalendarRef.optional(),
    targets: TargetsInput.default({}),
    warnAt: WarnAt.default(DEFAULT_WARN_AT),
    escalation: EscalationInput,
    isDefault: z.boolean().default(false).meta({ description: 'Make this the system default (the previous default stops being one).' }),
  })
  .meta({ id: 'CreateSlaPolicy' });

export const UpdatePolicyBody = z
  .object({
    name: nonBlankText(200).optional().meta({ example: 'Agencies, Berlin hours (2027)' }),
    calendarId: CalendarRef.nullable().optional(),
    targets: TargetsInput.optional(),
    warnAt: WarnAt.optional(),
    escalation: EscalationInput.optional(),
    isDefault: z.boolean().optional(),
  })
  .meta({ id: 'UpdateSlaPolicy', description: 'The fields to change; a change other than isDefault increments the version. Targets and escalation are replaced as a whole.' });

export const PolicySchema = z
  .object({
    id: idString().meta({ example: BUILT_IN_POLICY_ID }),
    name: z.string(),
    calendarId: z.string().meta({ description: '`24x7` for the built-in calendar.', example: BUILT_IN_CALENDAR_ID }),
    targets: TargetsSchema,
    warnAt: z.number(),
    escalation: EscalationInput,
    isDefault: z.boolean().meta({ description: 'Whether briefs without a policy of their own or of their party run under it.' }),
    version: z.number().int().min(1),
    builtIn: z.boolean().meta({ description: 'The built-in `default` policy cannot be changed.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'SlaPolicy' });

export const PreviewQuery = z.object({
  start: z.iso
    .datetime({ offset: true })
    .refine((v) => {
      const year = new Date(v).getUTCFullYear();
      // Not an instant at all is reported by the format check alone.
      return Number.isNaN(year) || (year >= 1970 && year <= 2200);
    }, 'an instant between 1970 and 2200')
    .optional()
    .meta({ description: 'When each step starts; now by default.', example: '2026-11-27T15:00:00+01:00' }),
  priority: z.enum(PRIORITIES).default('P3').meta({ example: 'P2' }),
  ...Object.fromEntries(
    CLOCKS.map((clock) => [
      clock,
      z.string().refine(isSlaTarget, SLA_TARGET_RULE).optional().meta({ description: `A brief's own ${clock} target instead of the policy's (as in POST /v1/briefs \`targets.${clock}\`).`, example: 'PT4H' }),
    ]),
  ) as Record<ClockName, z.ZodOptional<z.ZodString>>,
});

const ClockPreview = z.object({
  target: z.string().meta({ example: 'PT4H' }),
  dueAt: Timestamp,
  warnAt: Timestamp,
  escalations: z.array(z.object({ level: z.number().int().min(1), repeat: z.number().int().min(0), at: Timestamp })),
});

export const PreviewSchema = z
  .object({
    policyId: Id,
    policyVersion: z.number().int().min(1),
    start: Timestamp,
    priority: z.enum(PRIORITIES),
    calendar: z.object({ id: z.string(), name: z.string(), timezone: z.string() }),
    clocks: z.object(Object.fromEntries(CLOCKS.map((c) => [c, ClockPreview])) as Record<ClockName, typeof ClockPreview>),
  })
  .meta({ id: 'SlaPreview', description: 'Each clock as if its step started at `start` and nothing paused it.' });

export const PolicyApplicationParams = PolicyIdParams.extend({ applicationId: Id });

const Count = z.number().int().min(0);

export const PolicyApplicationSchema = z
  .object({
    applicationId: Id,
    policyId: Id,
    policyVersion: z.number().int().min(1).meta({ description: 'The version applied: the policy as it was when the application started.' }),
    status: z.enum(APPLICATION_STATUSES).meta({ description: '`running` until every brief has been gone through; `failed` when the application could not go on (see `error`).' }),
    progress: z
      .object({
        total: Count.meta({ description: 'Briefs under the policy that had not ended when the application started; once completed, the briefs it went through (briefs that ended meanwhile drop out).' }),
        done: Count.meta({ description: 'Briefs gone through so far, written after each page of briefs.' }),
        applied: Count,
        skipped: Count,
        failed: Count,
      })
      .meta({ example: { total: 240, done: 100, applied: 97, skipped: 2, failed: 1 } }),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    error: z.string().optional().meta({ description: 'Why a failed application stopped.' }),
    href: z.string().meta({ description: 'Where to read the application.', example: '/v1/sla-policies/3f0c2a4e-8d5b-4a8e-9a52-6e7b1c9d0f11/applications/9b1d3c5e-2f4a-4b6c-8d0e-1a2b3c4d5e6f' }),
    applied: z.array(Id).optional().meta({ description: 'Once finished: briefs now running under the policy as it was.' }),
    skipped: z.array(Id).optional().meta({ description: 'Once finished: briefs whose workflow had already ended.' }),
    failed: z
      .array(z.object({ briefId: Id, error: z.string() }))
      .optional()
      .meta({ description: 'Once finished: briefs whose workflow refused the policy or did not answer in time.' }),
  })
  .meta({ id: 'SlaPolicyApplication' });

export const LocationHeader = z.object({
  Location: z.string().meta({ description: 'Where to follow the application: GET it until `status` is no longer `running`.' }),
});

type ApplicationRow = {
  id: string;
  policyId: string;
  policyVersion: number;
  status: string;
  total: number;
  done: number;
  applied: number;
  skipped: number;
  failed: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

export const policyApplicationHref = (policyId: string, applicationId: string) => `/v1/sla-policies/${policyId}/applications/${applicationId}`;

/** An application as answered: its progress, and once it has finished, what it did to each brief. */
export const policyApplicationJson = (row: ApplicationRow, outcomes?: ApplicationOutcomes): z.infer<typeof PolicyApplicationSchema> => ({
  applicationId: row.id,
  policyId: row.policyId,
  policyVersion: row.policyVersion,
  status: row.status as (typeof APPLICATION_STATUSES)[number],
  progress: { total: row.total, done: row.done, applied: row.applied, skipped: row.skipped, failed: row.failed },
  startedAt: row.startedAt.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
  ...(row.error === null ? {} : { error: row.error }),
  href: policyApplicationHref(row.policyId, row.id),
  ...outcomes,
});

export const policyJson = (row: PolicyRow, slaTargets: SlaTargets, isDefault: boolean) => ({
  id: row.id,
  name: row.name,
  calendarId: row.calendarId ?? BUILT_IN_CALENDAR_ID,
  targets: completeTargets(row.targets as PolicyTargets, slaTargets),
  warnAt: row.warnAt,
  escalation: row.escalation as z.infer<typeof EscalationInput>,
  isDefault,
  version: row.version,
  builtIn: row.id === BUILT_IN_POLICY_ID,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});
