// The baseline: the least a workflow driven like a brief can cost Temporal. One update handler,
// no activities, no timers; it ends after the number of updates it was started for (a brief
// takes three: acknowledge, deliver, approve). Deterministic code only, as in workflows/.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** One step of the baseline; answers how many steps are done. */
export const stepUpdate = defineUpdate<number, [string]>('step');

export async function baselineWorkflow(steps: number): Promise<number> {
  let done = 0;
  setHandler(stepUpdate, () => {
    done += 1;
    return done;
  });
  await condition(() => done >= steps);
  return done;
}
