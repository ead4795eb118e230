// Applies an SLA policy to the briefs running under it, a page at a time: read a page of briefs
// (in createdAt, id order), apply the policy to each through its brief's workflow, a few at once,
// then write the progress. A long application continues as new with its cursor between pages.
// Its outcome is the database's: the workflow carries only the cursor and answers only counts.
import { ActivityFailure, ApplicationFailure, CancellationScope, continueAsNew, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BriefCursor, PolicyApplicationActivities, PolicyApplicationBrief, PolicyApplicationCounts } from '../../activities/types';
import { POLICY_APPLICATION_PAGE_SIZE, type PolicyApplicationInput } from './definitions';

/** Briefs of a page applied at once: each is an update of a brief's workflow. */
const APPLY_CONCURRENCY = 4;

// Database reads and writes: retried while the database is away.
const { readPolicyApplicationPage, recordPolicyApplicationProgress, finishPolicyApplication } = proxyActivities<PolicyApplicationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A brief that refuses or does not answer in time is recorded as failed by the activity itself;
// what is retried here is the database around it.
const { applyPolicyToBrief } = proxyActivities<PolicyApplicationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function policyApplicationWorkflow(input: PolicyApplicationInput): Promise<PolicyApplicationCounts> {
  const { applicationId } = input;
  let next: BriefCursor | undefined;
  try {
    next = await applyPages(input);
  } catch (err) {
    // The row must not stay `running`: record why it ended, also when it was cancelled.
    await CancellationScope.nonCancellable(() => finishPolicyApplication({ applicationId, error: failureMessage(err) }));
    throw err;
  }
  if (next) return continueAsNew<typeof policyApplicationWorkflow>({ ...input, after: next });
  return finishPolicyApplication({ applicationId });
}

/** Goes through the pages; answers the cursor to continue as new from, or undefined when every page is done. */
async function applyPages(input: PolicyApplicationInput): Promise<BriefCursor | undefined> {
  const { applicationId } = input;
  const limit = input.pageSize ?? POLICY_APPLICATION_PAGE_SIZE;
  let after = input.after ?? null;
  for (;;) {
    const briefs = await readPolicyApplicationPage({ applicationId, after, limit });
    await eachAtMost(APPLY_CONCURRENCY, briefs, ({ briefId, workflowId }) => applyPolicyToBrief({ applicationId, briefId, workflowId }));
    if (briefs.length > 0) {
      await recordPolicyApplicationProgress({ applicationId });
      const last = briefs[briefs.length - 1];
      after = { createdAt: last.createdAt, id: last.briefId };
    }
    if (briefs.length < limit || !after) return undefined;
    if (historyIsLong(input)) return after;
  }
}

function historyIsLong(input: PolicyApplicationInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && info.historyLength >= input.continueAsNewAfterEvents);
}

/** Runs `apply` on every brief, at most `concurrency` at once. */
async function eachAtMost(concurrency: number, briefs: PolicyApplicationBrief[], apply: (brief: PolicyApplicationBrief) => Promise<unknown>): Promise<void> {
  let index = 0;
  const lane = async () => {
    while (index < briefs.length) await apply(briefs[index++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, briefs.length) }, lane));
}

function failureMessage(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(err);
}
