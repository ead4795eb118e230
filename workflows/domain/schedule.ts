// When a clock's deadlines fall if its step starts at an instant and nothing pauses it but the
// calendar: what a manager previews before sending a brief ("due Monday 11:00"). The same
// thresholds the workflow runs on (see clock.ts), turned into instants.
import type { EscalationStep } from './brief';
import { addBusinessTime } from './calendar';
import { businessTarget, escalationOffsets } from './clock';
import type { BriefSla } from './policy';

export interface ClockSchedule {
  targetMs: number;
  dueAt: number;
  warnAt: number;
  escalations: { level: number; repeat: number; at: number }[];
}

/** The deadlines of a clock whose step starts at `start` with an ISO business-duration target. */
export function clockSchedule(sla: BriefSla, targetIso: string, start: number): ClockSchedule {
  const cal = sla.calendar;
  const targetMs = businessTarget(sla, start, targetIso);
  const at = (threshold: number) => addBusinessTime(cal, start, threshold);
  // The due instant is the end of the target's working time (Friday 17:00), not the next start.
  const dueAt = at(targetMs);
  const steps: EscalationStep[] = escalationOffsets(sla, dueAt);
  return {
    targetMs,
    dueAt,
    warnAt: at(Math.round(sla.warnAt * targetMs)),
    escalations: steps.map((s) => ({ level: s.level, repeat: s.repeat, at: at(targetMs + s.ms) })),
  };
}
