// The SLA policy a brief runs under, resolved from the database: the brief's own policy, else its
// party's default, else the system default, else the built-in one. Built-ins (the `default`
// policy and the `24x7` calendar) live in code, not in rows, so they cannot drift or be deleted.
import type { ClockName, Priority } from '../workflows/domain/vocabulary';
import { CALENDAR_24X7, type Calendar } from '../workflows/domain/calendar';
import {
  agreementFor,
  BUILT_IN_POLICY_ID,
  completeTargets,
  DEFAULT_ESCALATION,
  DEFAULT_WARN_AT,
  type BriefSla,
  type EscalationPolicy,
  type PolicyTargets,
} from '../workflows/domain/policy';
import type { PrismaClient } from '../lib/db/database';

export type SlaTargets = Record<ClockName, Record<Priority, string>>;

export const BUILT_IN_CALENDAR_ID = '24x7';
/** Built-ins were never created: they show the epoch, which also sorts them first in lists. */
export const BUILT_IN_CREATED_AT = new Date(0);

/** A calendars row as Prisma returns it (JSON columns untyped). */
export interface CalendarRow {
  id: string;
  name: string;
  timezone: string;
  workingHours: unknown;
  holidays: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** An sla_policies row as Prisma returns it (JSON columns untyped). */
export interface PolicyRow {
  id: string;
  name: string;
  calendarId: string | null;
  targets: unknown;
  warnAt: number;
  escalation: unknown;
  isDefault: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type PolicyReader = Pick<PrismaClient, 'slaPolicy' | 'calendar'>;

/** The built-in policy: the configured targets, on the 24x7 calendar, one escalation at the breach. */
export function builtInPolicy(slaTargets: SlaTargets): PolicyRow {
  return {
    id: BUILT_IN_POLICY_ID,
    name: 'Built-in default',
    calendarId: null,
    targets: slaTargets,
    warnAt: DEFAULT_WARN_AT,
    escalation: DEFAULT_ESCALATION,
    isDefault: false,
    version: 1,
    createdAt: BUILT_IN_CREATED_AT,
    updatedAt: BUILT_IN_CREATED_AT,
  };
}

/** The domain calendar of a row; the built-in 24x7 for none. */
export function calendarOfRow(row: CalendarRow | null): Calendar {
  if (!row) return CALENDAR_24X7;
  return {
    name: row.name,
    timezone: row.timezone,
    workingHours: row.workingHours as Calendar['workingHours'],
    holidays: row.holidays as string[],
  };
}

/** What a brief carries of a policy (and its calendar) as they are now. */
export function briefSlaFromRows(policy: PolicyRow | 'built-in', calendar: CalendarRow | null, partyKind: string, slaTargets: SlaTargets): BriefSla {
  const row = policy === 'built-in' ? builtInPolicy(slaTargets) : policy;
  return {
    policyId: row.id,
    policyName: row.name,
    policyVersion: row.version,
    calendarId: calendar?.id ?? null,
    calendarVersion: calendar?.version ?? 1,
    calendar: calendarOfRow(calendar),
    policyTargets: completeTargets(row.targets as PolicyTargets, slaTargets),
    warnAt: row.warnAt,
    escalation: row.escalation as EscalationPolicy,
    agreement: agreementFor(partyKind),
    reescalate: true,
  };
}

/** A policy by id, `default` being the built-in one; undefined when there is none. */
export async function findPolicy(prisma: PolicyReader, slaTargets: SlaTargets, id: string): Promise<PolicyRow | undefined> {
  if (id === BUILT_IN_POLICY_ID) return builtInPolicy(slaTargets);
  return (await prisma.slaPolicy.findUnique({ where: { id } })) ?? undefined;
}

/** The policy that applies when neither the brief nor its party names one. */
export async function systemDefaultPolicy(prisma: PolicyReader, slaTargets: SlaTargets): Promise<PolicyRow> {
  return (await prisma.slaPolicy.findFirst({ where: { isDefault: true }, orderBy: { updatedAt: 'desc' } })) ?? builtInPolicy(slaTargets);
}

/** The policy with its calendar, as a brief carries it. */
export async function slaOfPolicy(prisma: PolicyReader, slaTargets: SlaTargets, policy: PolicyRow, partyKind: string): Promise<BriefSla> {
  const calendar = policy.calendarId ? await prisma.calendar.findUnique({ where: { id: policy.calendarId } }) : null;
  return briefSlaFromRows(policy.id === BUILT_IN_POLICY_ID ? 'built-in' : policy, calendar, partyKind, slaTargets);
}

/** A brief names a policy that does not exist (the API answers 400 on body.slaPolicyId). */
export class UnknownPolicyError extends Error {
  override name = 'UnknownPolicyError';
  constructor(readonly policyId: string) {
    super(`no SLA policy with id ${policyId}`);
  }
}

/**
 * The SLA of a new brief: the policy it names (UnknownPolicyError when there is none), else
 * its party's default policy, else the system default, else the built-in one.
 */
export async function resolveBriefSla(
  prisma: PolicyReader,
  slaTargets: SlaTargets,
  brief: { slaPolicyId?: string; party: { kind: string; defaultSlaPolicyId: string | null } },
): Promise<BriefSla> {
  let policy: PolicyRow | undefined;
  if (brief.slaPolicyId !== undefined) {
    policy = await findPolicy(prisma, slaTargets, brief.slaPolicyId);
    if (!policy) throw new UnknownPolicyError(brief.slaPolicyId);
  } else if (brief.party.defaultSlaPolicyId) {
    policy = await findPolicy(prisma, slaTargets, brief.party.defaultSlaPolicyId);
  }
  policy ??= await systemDefaultPolicy(prisma, slaTargets);
  return slaOfPolicy(prisma, slaTargets, policy, brief.party.kind);
}
