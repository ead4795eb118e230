// Shared builders for the pure unit tests: a brief, actors and a fixed starting instant.
import type { BriefInput, BriefState } from '../../workflows/domain/brief';
import { briefInput } from '../support/briefs';
import { ActionRejected, initialState } from '../../workflows/domain/transitions';

export { actors, AGENCY, briefInput, DAY, HOUR, MINUTE, OTHER_AGENCY, SECOND, SHOP, TARGETS } from '../support/briefs';

/** Monday 6 January 2025, 09:00 UTC. */
export const T0 = Date.parse('2025-01-06T09:00:00.000Z');

export function newState(overrides: Partial<BriefInput> = {}, now = T0): BriefState {
  return initialState(briefInput(overrides), now);
}

export const isoAt = (epochMs: number) => new Date(epochMs).toISOString();

/** The ActionRejected that `fn` throws; fails the test when it throws nothing or something else. */
export function refusal(fn: () => unknown): ActionRejected {
  try {
    fn();
  } catch (err) {
    if (err instanceof ActionRejected) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
