// Managers edit a brief's editable fields until it ends: title, description, dueAt, reviewer,
// manager (a reassignment, e.g. when a manager leaves) and priority (with the SLA targets that follow from it). A change of dueAt or of a target moves
// the running clocks. Pure and synchronous, like the state machine it sits beside.
import type { BriefInput, BriefState, Clock, TargetsMs } from './brief';
import type { EditedFields, TimelineEvent } from './events';
import type { Actor, ClockName, Priority, Role } from './vocabulary';
import { CLOCKS, isTerminal, PRIORITIES } from './vocabulary';
import { businessTimeBetween } from './calendar';
import { businessTarget, elapsedMs, reapplyClock, retargetClock } from './clock';
import { slaOf, type BriefSla } from './policy';
import { ActionRejected, emit, policyTarget, syncPauses } from './transitions';
import type { ReviewPlan } from './review';

/** What an edit may change. Absent fields stay as they are; null clears dueAt or reviewerId. */
export interface BriefChanges {
  title?: string;
  description?: string;
  /** The delivery deadline (ISO 8601); null removes it. */
  dueAt?: string | null;
  /** A manager who reviews deliveries; null leaves the review to the brief's manager. */
  reviewerId?: string | null;
  /** The manager the brief belongs to from now on: their notifications and reviews follow. */
  managerId?: string;
  priority?: Priority;
  /**
   * The clocks' targets after the edit, in milliseconds. The API sends them with a change of
   * priority: the new priority's defaults for the clocks without an override of their own.
   */
  targetsMs?: TargetsMs;
  /** The review plan (resolved by the API), or null for none; only before the first delivery. */
  reviewPlan?: ReviewPlan | null;
}

export type EditableField = keyof BriefChanges;
export const EDITABLE_FIELDS = ['title', 'description', 'dueAt', 'reviewerId', 'managerId', 'priority', 'targetsMs', 'reviewPlan'] as const satisfies readonly EditableField[];

/** Who may edit: managers, while the brief has not ended (approved, declined or cancelled). */
export const EDIT_ROLES: readonly Role[] = ['manager'];

/** Throws ActionRejected when the actor may not edit the brief now. */
export function checkEdit(state: BriefState, actor: Actor): void {
  if (!EDIT_ROLES.includes(actor.role)) throw new ActionRejected('Forbidden', `role ${actor.role} may not edit a brief`);
  if (isTerminal(state.status)) throw new ActionRejected('IllegalTransition', `cannot edit a brief that is ${state.status}`);
}

/**
 * Throws ActionRejected (PreconditionFailed) unless the brief is still at the version the editor
 * saw: the sequence number of its last event.
 */
export function checkExpectedSeq(state: BriefState, expectedSeq: number): void {
  if (state.seq !== expectedSeq) {
    throw new ActionRejected('PreconditionFailed', `the brief has changed: it is at event ${state.seq}, the edit expected ${expectedSeq}`);
  }
}

const isText = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
const isInstant = (v: unknown) => typeof v === 'string' && Number.isFinite(Date.parse(v));
const isTarget = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * Throws ActionRejected (InvalidInput) for changes no brief can take. The API validates them
 * first; this keeps anything else that sends the update from failing the workflow task.
 */
export function checkChanges(changes: BriefChanges): void {
  const problems = [
    changes.title !== undefined && !isText(changes.title) ? 'title' : undefined,
    changes.description !== undefined && !isText(changes.description) ? 'description' : undefined,
    changes.dueAt !== undefined && changes.dueAt !== null && !isInstant(changes.dueAt) ? 'dueAt' : undefined,
    changes.reviewerId !== undefined && changes.reviewerId !== null && !isText(changes.reviewerId) ? 'reviewerId' : undefined,
    changes.managerId !== undefined && !isText(changes.managerId) ? 'managerId' : undefined,
    changes.priority !== undefined && !PRIORITIES.includes(changes.priority) ? 'priority' : undefined,
    changes.targetsMs !== undefined && !(changes.targetsMs && CLOCKS.every((c) => isTarget(changes.targetsMs?.[c]))) ? 'targetsMs' : undefined,
    changes.reviewPlan !== undefined && changes.reviewPlan !== null && !isPlan(changes.reviewPlan) ? 'reviewPlan' : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length) throw new ActionRejected('InvalidInput', `invalid changes: ${problems.join(', ')}`);
}

const isPlan = (plan: ReviewPlan) =>
  Array.isArray(plan.stages) && plan.stages.length > 0 && plan.stages.every((s) => isText(s.name) && Array.isArray(s.members) && s.members.length > 0 && s.members.every(isText));

/** Throws ActionRejected (IllegalTransition) for a new review plan once the brief has a delivery. */
export function checkPlanChange(state: BriefState, changes: BriefChanges): void {
  if (changes.reviewPlan !== undefined && state.deliveries.length > 0) {
    throw new ActionRejected('IllegalTransition', 'the review plan can only be changed before the first delivery');
  }
}

const sameTargets = (a: TargetsMs, b: TargetsMs) => CLOCKS.every((c) => a[c] === b[c]);
const samePlan = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const normalDueAt = (dueAt: string | null) => (dueAt === null ? null : new Date(Date.parse(dueAt)).toISOString());

/**
 * Whether the deliver clock is in its first round (before any delivery: status in_progress, or
 * clarification_requested after the acknowledgement). That round counts to the brief's dueAt
 * when the brief has one, and to the configured deliver target otherwise; revisions always
 * count the configured target.
 */
function deliverFollowsDueAt(clock: Clock): boolean {
  return clock.round === 1 && (clock.phase === 'running' || clock.phase === 'paused');
}

/**
 * Applies an edit. Returns the one brief_edited event it emitted, with the changed fields' new
 * values (`changes`) and their old ones (`before`); fields equal to the current value are left
 * out, and an edit that changes nothing emits nothing.
 *
 * Clocks move with the edit, keeping the time they have counted:
 * - a changed target of a clock applies to it if it is running, paused or pending;
 * - the deliver clock in its first round counts to the brief's dueAt: a new dueAt makes it due
 *   exactly then (were it paused, then that much later as it stays paused), and removing the
 *   dueAt sets it back to the configured deliver target;
 * - clocks that ended, and warnings or breaches that happened, are history and stay as they are.
 */
export function applyEdit(state: BriefState, changes: BriefChanges, actor: Actor, now: number): TimelineEvent[] {
  checkEdit(state, actor);
  checkChanges(changes);
  checkPlanChange(state, changes);
  const { brief } = state;
  const next: BriefChanges = { ...changes, ...(changes.dueAt !== undefined ? { dueAt: normalDueAt(changes.dueAt) } : {}) };
  const changed: EditedFields = {};
  const before: EditedFields = {};
  for (const field of EDITABLE_FIELDS) {
    const value = next[field];
    if (value === undefined) continue;
    const current = brief[field];
    if (field === 'targetsMs' ? sameTargets(value as TargetsMs, current as TargetsMs) : field === 'reviewPlan' ? samePlan(value, current) : value === current) continue;
    setField(changed, field, field === 'targetsMs' ? { ...(value as TargetsMs) } : field === 'reviewPlan' ? structuredCopy(value) : value);
    setField(before, field, field === 'targetsMs' ? { ...(current as TargetsMs) } : field === 'reviewPlan' ? (structuredCopy(current) ?? null) : current);
  }
  if (Object.keys(changed).length === 0) return [];

  const oldTargets = brief.targetsMs;
  const oldPolicyTargets = CLOCKS.map((c) => policyTarget(state, c));
  const { reviewPlan, ...rest } = changed;
  Object.assign(brief, copied(rest) as Partial<BriefInput>);
  // null removes the plan: the brief is reviewed by its reviewer (else its manager) alone.
  if (reviewPlan !== undefined) {
    if (reviewPlan === null) delete brief.reviewPlan;
    else brief.reviewPlan = structuredCopy(reviewPlan);
  }
  // Under a policy the clocks follow its targets for the new priority; otherwise targetsMs.
  const retargeted = new Set<ClockName>(
    brief.sla ? CLOCKS.filter((c, i) => policyTarget(state, c) !== oldPolicyTargets[i]) : CLOCKS.filter((c) => brief.targetsMs[c] !== oldTargets[c]),
  );
  moveClocks(state, 'dueAt' in changed, retargeted, now);
  return [emit(state, 'brief_edited', actor.memberId, now, { changes: changed, before })];
}

/** A deep copy of plain data (a review plan), so that the brief and its events never share it. */
const structuredCopy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

function setField<F extends EditableField>(fields: EditedFields, field: F, value: EditedFields[F]): void {
  fields[field] = value;
}

/** Copies the changed values so that the brief and the event never share an object. */
function copied(values: Partial<Record<EditableField, unknown>>): Partial<Record<EditableField, unknown>> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v && typeof v === 'object' ? { ...v } : v]));
}

function moveClocks(state: BriefState, dueAtChanged: boolean, retargeted: Set<ClockName>, now: number): void {
  const { brief, clocks } = state;
  const sla = slaOf(state);
  /** A clock's target under its configuration: the policy's ISO target counted from the round's start, or targetsMs. */
  const configured = (name: ClockName): { targetMs: number; target: string | null } => {
    const iso = policyTarget(state, name);
    const clock = clocks[name];
    if (iso === undefined) return { targetMs: brief.targetsMs[name], target: null };
    return { targetMs: businessTarget(sla, clock.startedAt ? Date.parse(clock.startedAt) : now, iso), target: iso };
  };
  for (const name of CLOCKS) {
    const clock = clocks[name];
    if (name === 'deliver' && deliverFollowsDueAt(clock)) {
      if (dueAtChanged && brief.dueAt) {
        // Due exactly at the new dueAt: what it has counted plus the (working) time left until then.
        const until = Date.parse(brief.dueAt);
        const left = brief.sla ? businessTimeBetween(sla.calendar, now, until) : Math.max(0, until - now);
        retargetClock(clock, elapsedMs(clock, now, sla) + left, sla, null);
      } else if (dueAtChanged || (retargeted.has(name) && !brief.dueAt)) {
        const { targetMs, target } = configured(name);
        retargetClock(clock, targetMs, sla, target);
      }
      continue;
    }
    if (retargeted.has(name)) {
      const { targetMs, target } = configured(name);
      retargetClock(clock, targetMs, sla, target);
    }
  }
}

/**
 * An admin applies a policy (as it is now, with its calendar) to a running brief. Each running or
 * paused clock is recomputed from what it recorded: its running stretches counted under the new
 * calendar, the new policy's target for its step counted from the round's start (or the working
 * time until the brief's dueAt for a first delivery), and the new escalation chain. Nothing is
 * reset: warnings, breaches and escalations that happened stay, and the chain goes on from the
 * step it had reached. Pending clocks take the new targets when they start.
 */
export function applyPolicy(state: BriefState, sla: BriefSla, actor: Actor, now: number): TimelineEvent[] {
  checkApplyPolicy(state, actor);
  const { brief, clocks } = state;
  const before = brief.sla ? { policyId: brief.sla.policyId, policyVersion: brief.sla.policyVersion, calendarId: brief.sla.calendarId, calendarVersion: brief.sla.calendarVersion } : null;
  brief.sla = sla;
  for (const name of CLOCKS) {
    const clock = clocks[name];
    if (clock.phase !== 'running' && clock.phase !== 'paused') continue;
    const start = clock.startedAt ? Date.parse(clock.startedAt) : now;
    const iso = policyTarget(state, name);
    if (name === 'deliver' && deliverFollowsDueAt(clock) && brief.dueAt) {
      reapplyClock(clock, sla, businessTimeBetween(sla.calendar, start, Date.parse(brief.dueAt)), now, null);
    } else if (iso !== undefined) {
      reapplyClock(clock, sla, businessTarget(sla, start, iso), now, iso);
    } else {
      reapplyClock(clock, sla, clock.targetMs, now, undefined);
    }
  }
  syncPauses(state, now);
  const after = { policyId: sla.policyId, policyVersion: sla.policyVersion, calendarId: sla.calendarId, calendarVersion: sla.calendarVersion };
  return [emit(state, 'sla_policy_applied', actor.memberId, now, { ...after, before })];
}

/** Throws ActionRejected unless the actor may apply a policy to the brief now: admins, until the brief ends. */
export function checkApplyPolicy(state: BriefState, actor: Actor): void {
  if (actor.role !== 'admin') throw new ActionRejected('Forbidden', `role ${actor.role} may not apply an SLA policy`);
  if (isTerminal(state.status)) throw new ActionRejected('IllegalTransition', `cannot apply an SLA policy to a brief that is ${state.status}`);
}
