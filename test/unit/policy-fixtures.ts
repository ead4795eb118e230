// A brief under an SLA policy on a Berlin office calendar (Monday to Friday 09:00-17:00), for the
// pure tests of clocks and escalation chains.
import type { BriefState } from '../../workflows/domain/brief';
import { zonedInstant, type Calendar } from '../../workflows/domain/calendar';
import type { BriefSla } from '../../workflows/domain/policy';
import { fireDueClocks, nextClockDeadline } from '../../workflows/domain/sla';
import { newState } from './fixtures';

export const BERLIN = 'Europe/Berlin';
const weekdays = (hours: [string, string][]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, hours]));
export const OFFICE: Calendar = { name: 'Berlin office', timezone: BERLIN, workingHours: weekdays([['09:00', '17:00']]), holidays: ['2025-12-24'] };

/** A 4-hour acknowledge target (P2), a warning at 75 %, one escalation at the breach, re-escalation on. */
export function policy(overrides: Partial<BriefSla> = {}): BriefSla {
  return {
    policyId: 'policy-office',
    policyName: 'Office hours',
    policyVersion: 1,
    calendarId: 'calendar-berlin',
    calendarVersion: 1,
    calendar: OFFICE,
    policyTargets: { acknowledge: { P2: 'PT4H', P3: 'P1D' }, deliver: { P2: 'P2D' }, review: { P2: 'P1D' } },
    warnAt: 0.75,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] },
    agreement: 'external',
    reescalate: true,
    ...overrides,
  };
}

/** An instant of Berlin wall-clock time. */
export const at = (date: string, time: string) => zonedInstant(BERLIN, date, time);
/** Monday 8 December 2025 in Berlin; the week after is ordinary (no holiday before the 24th). */
export const MONDAY = (time: string) => at('2025-12-08', time);
export const TUESDAY = (time: string) => at('2025-12-09', time);
export const WEDNESDAY = (time: string) => at('2025-12-10', time);

export function stateAt(start: number, sla: BriefSla = policy(), priority: 'P2' | 'P3' = 'P2'): BriefState {
  return newState({ sla, priority }, start);
}

const escalationCounts = new WeakMap<BriefState, number>();
/** The next escalation id of a brief: esc-1, esc-2, ... */
export const nextEscalationId = (state: BriefState) => () => {
  const n = (escalationCounts.get(state) ?? 0) + 1;
  escalationCounts.set(state, n);
  return `esc-${n}`;
};

/** Fires every due deadline up to `until`, one deadline at a time, as the workflow does. */
export function runUntil(state: BriefState, until: number): void {
  for (let next = nextClockDeadline(state); next !== undefined && next <= until; next = nextClockDeadline(state)) {
    fireDueClocks(state, next, nextEscalationId(state));
  }
}

/** The escalations raised so far: when, at which level, and whether as a re-escalation. */
export const raisedEscalations = (state: BriefState) =>
  state.timeline.filter((e) => e.type === 'escalation_raised').map((e) => ({ at: new Date(e.at).getTime(), level: e.data.level, reescalation: e.data.reescalation === true, id: String(e.data.escalationId) }));
