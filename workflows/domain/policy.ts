// SLA policies: the targets of each clock per priority, the calendar they count in, the share of
// a target at which the owner is warned, and the escalation chain after a breach. Pure data and
// pure functions, shared by the API (which resolves a brief's policy) and the workflow (which
// runs its clocks under it).
import type { Calendar } from './calendar';
import { CALENDAR_24X7, parseBusinessDuration } from './calendar';
import type { ClockName, Priority } from './vocabulary';
import { CLOCKS, PRIORITIES } from './vocabulary';
import { parseDuration } from './duration';

/** Internal teams work under an internal agreement (OLA); agencies and suppliers under an external one (SLA). */
export type Agreement = 'internal' | 'external';
export const AGREEMENTS: readonly Agreement[] = ['internal', 'external'];

export const INTERNAL_PARTY_KINDS: readonly string[] = ['ecommerce', 'it', 'logistics', 'marketing', 'customer_service'];

export function agreementFor(partyKind: string): Agreement {
  return INTERNAL_PARTY_KINDS.includes(partyKind) ? 'internal' : 'external';
}

/**
 * Who an escalation level notifies: roles resolved against the brief's party and team, or member
 * ids. party_lead: the party's leads (its members when it names none); party_members: the
 * party's members; manager: the brief's manager; reviewer: its reviewer (else the manager);
 * watchers: watchers of the brief's party and watchers of scope `all` (every party).
 */
export const NOTIFY_ROLES = ['party_lead', 'party_members', 'manager', 'reviewer', 'watchers'] as const;
export type NotifyRole = (typeof NOTIFY_ROLES)[number];

export interface EscalationLevel {
  /** Business time after the breach (ISO 8601, e.g. PT0S, PT4H, P1D). */
  after: string;
  /** Roles (NOTIFY_ROLES) and member ids. */
  notify: string[];
}

export interface EscalationPolicy {
  levels: EscalationLevel[];
  /** Repeat the last level this often (business time) after it was raised. */
  repeatEvery?: string;
  /** How often the last level is repeated; 3 when repeatEvery is given without it. */
  maxRepeats?: number;
}

export type PolicyTargets = Record<ClockName, Partial<Record<Priority, string>>>;

/** What a brief carries of its policy: enough to run its clocks without reading the database. */
export interface BriefSla {
  policyId: string;
  policyName: string;
  policyVersion: number;
  /** The calendar the clocks count in; its id is null for the built-in 24x7. */
  calendarId: string | null;
  calendarVersion: number;
  calendar: Calendar;
  /** The policy's targets for every priority, so a change of priority finds its targets. */
  policyTargets: PolicyTargets;
  warnAt: number;
  escalation: EscalationPolicy;
  agreement: Agreement;
  /**
   * Whether an acknowledged escalation re-escalates when its step is still not done a full
   * target after the acknowledgement.
   */
  reescalate: boolean;
}

export const DEFAULT_WARN_AT = 0.75;
export const DEFAULT_MAX_REPEATS = 3;
export const DEFAULT_ESCALATION: EscalationPolicy = { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] };
export const BUILT_IN_POLICY_ID = 'default';

/** The ISO target of each clock for a priority: the brief's own override, else the policy's, else the fallback table's. */
export function targetsFor(
  policyTargets: PolicyTargets,
  priority: Priority,
  overrides: Partial<Record<ClockName, string>>,
  fallback: Record<ClockName, Record<Priority, string>>,
): Record<ClockName, string> {
  return Object.fromEntries(CLOCKS.map((c) => [c, overrides[c] ?? policyTargets[c]?.[priority] ?? fallback[c][priority]])) as Record<ClockName, string>;
}

/** A policy's targets with every clock and priority filled in from a fallback table. */
export function completeTargets(targets: PolicyTargets, fallback: Record<ClockName, Record<Priority, string>>): Record<ClockName, Record<Priority, string>> {
  return Object.fromEntries(
    CLOCKS.map((c) => [c, Object.fromEntries(PRIORITIES.map((p) => [p, targets[c]?.[p] ?? fallback[c][p]]))]),
  ) as Record<ClockName, Record<Priority, string>>;
}

/** Business durations an SLA accepts: whole working days and/or time (P2D, PT4H, P1DT2H). */
export function isBusinessDuration(text: string): boolean {
  return parseBusinessDuration(text) !== undefined;
}

/**
 * A target as a business duration. SLA targets of briefs and of the configured defaults may also
 * be written with weeks or fractional days (any exact ISO 8601 duration): a week counts as 7 days
 * (P1W = P7D, which on a business calendar is 7 working days) and fractional days as time
 * (P1.5D = PT36H).
 */
export function toBusinessDuration(text: string): string {
  if (isBusinessDuration(text)) return text;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(T.*)?$/.exec(text);
  if (m && (m[1] !== undefined || m[2] !== undefined)) {
    const candidate = `P${Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0)}D${m[3] ?? ''}`;
    if (isBusinessDuration(candidate)) return candidate;
  }
  const ms = parseDuration(text);
  if (ms === undefined) throw new RangeError(`"${text}" is not an ISO 8601 duration`);
  return `PT${ms / 1000}S`;
}

/**
 * The policy of briefs created before policies existed: wall-clock time (24x7), a warning at 75 %
 * and one escalation at the breach, never re-escalated.
 */
function legacySla(): BriefSla {
  return {
    policyId: 'legacy',
    policyName: 'legacy',
    policyVersion: 0,
    calendarId: null,
    calendarVersion: 0,
    calendar: CALENDAR_24X7,
    policyTargets: { acknowledge: {}, deliver: {}, review: {} },
    warnAt: DEFAULT_WARN_AT,
    escalation: DEFAULT_ESCALATION,
    agreement: 'external',
    reescalate: false,
  };
}

/** The rules of briefs without a policy (see legacySla). */
export const LEGACY_SLA: BriefSla = Object.freeze(legacySla()) as BriefSla;

/** The policy a brief's clocks run under. */
export function slaOf(state: { brief: { sla?: BriefSla } }): BriefSla {
  return state.brief.sla ?? LEGACY_SLA;
}
