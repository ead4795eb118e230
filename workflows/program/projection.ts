// A program's projected finish and critical path, from what remains of each brief: pure, so that
// the API (reading the briefs' recorded state) and the tests (reading the briefs' workflows at
// their own clock) project the same way.
import type { ClockView } from '../domain/brief';
import { addBusinessTime, CALENDAR_24X7, type Calendar } from '../domain/calendar';
import { project, type Projection } from '../domain/program';
import { CLOCKS, type ClockName } from '../domain/vocabulary';
import type { ProgramSpec, ProgramState } from './definitions';

/** The clocks of a started brief, as its view shows them at `now`. */
export type LiveClocks = Record<ClockName, Pick<ClockView, 'state' | 'targetMs' | 'remainingMs'>>;

const STILL_TO_RUN = ['pending', 'running', 'paused', 'breached'];

/**
 * What remains of a started brief in business time of its calendar: the remaining time of each
 * clock that runs or is paused, the whole target of each that has not started, nothing for a
 * clock that breached (its work is due now) or is done.
 */
export function remainingOfClocks(clocks: LiveClocks): number {
  return CLOCKS.reduce((sum, c) => {
    const clock = clocks[c];
    if (!STILL_TO_RUN.includes(clock.state)) return sum;
    return sum + Math.max(0, clock.state === 'pending' ? clock.targetMs : clock.remainingMs);
  }, 0);
}

export interface ProgramProjection extends Projection {
  /** Each brief's remaining business time (0 for one that is done). */
  remainingMs: Record<string, number>;
}

/**
 * Projects the program at `now`: approved, dropped and cancelled briefs are done; a started
 * brief has what its clocks leave (`clocksOf` its brief id; a brief not recorded yet counts as
 * not started); a brief not started yet has its whole targets. Each takes that much business
 * time of its own calendar once its dependencies are projected to be done.
 */
export function projectProgram(program: ProgramSpec, state: Pick<ProgramState, 'nodes'>, clocksOf: (briefId: string) => LiveClocks | undefined, now: number): ProgramProjection {
  const remainingMs: Record<string, number> = {};
  const calendars: Record<string, Calendar> = {};
  for (const spec of program.briefs) {
    const node = state.nodes.find((n) => n.key === spec.key);
    calendars[spec.key] = spec.brief.sla?.calendar ?? CALENDAR_24X7;
    const clocks = node?.briefId ? clocksOf(node.briefId) : undefined;
    if (!node || ['approved', 'dropped', 'cancelled'].includes(node.state)) remainingMs[spec.key] = 0;
    else if (clocks) remainingMs[spec.key] = remainingOfClocks(clocks);
    else remainingMs[spec.key] = CLOCKS.reduce((sum, c) => sum + spec.brief.targetsMs[c], 0);
  }
  const nodes = program.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn }));
  return { ...project(nodes, remainingMs, now, (key, start, ms) => addBusinessTime(calendars[key], start, ms)), remainingMs };
}
