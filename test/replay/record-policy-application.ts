// Records the histories that test/replay/policy-application.test.ts replays against the current
// policy application workflow:
//
//   HISTORY_SET=v2-my-change npm run record:policy-applications
//
// It starts a Temporal dev server (in memory), runs each scenario against policyApplicationWorkflow
// with stub activities, and writes every run's history to
// test/replay/policy-application/<set>/<scenario>.json (<scenario>.run-<n>.json per run when it
// continues as new). The rules of record.ts hold here too: record only to ADD histories (a new
// scenario, a new path, a new workflow version in a new set), never to make a failing replay pass.
import type { PolicyApplicationActivities, PolicyApplicationBrief, PolicyApplicationOutcome } from '../../activities/types';
import type { PolicyApplicationInput } from '../../workflows/policy-application/definitions';
import type { policyApplicationWorkflow } from '../../workflows/policy-application/workflow';
import { POLICY_APPLICATION_SCENARIOS, replayApplicationId, replayPolicyApplicationWorkflowId, type PolicyApplicationScenario } from './policy-application-scenarios';
import { historySetFolder, recordHistories, runRecording } from './run-histories';

const TASK_QUEUE = 'replay-recording-policy-applications';

/** Three briefs under the policy: one takes it, one's workflow has ended, one refuses it. */
const BRIEFS: (PolicyApplicationBrief & { outcome: PolicyApplicationOutcome })[] = [
  { briefId: 'brief-a', workflowId: 'brief-brief-a', createdAt: '2026-11-27T09:00:00.000Z', outcome: 'applied' },
  { briefId: 'brief-b', workflowId: 'brief-brief-b', createdAt: '2026-11-27T09:05:00.000Z', outcome: 'skipped' },
  { briefId: 'brief-c', workflowId: 'brief-brief-c', createdAt: '2026-11-27T09:10:00.000Z', outcome: 'failed' },
];

// The activities only answer: a history holds their results, not their effects.
const done = new Map<string, Set<string>>();
const activities: PolicyApplicationActivities = {
  async readPolicyApplicationPage({ after, limit }) {
    const start = after ? BRIEFS.findIndex((b) => b.briefId === after.id) + 1 : 0;
    return BRIEFS.slice(start, start + limit).map(({ briefId, workflowId, createdAt }) => ({ briefId, workflowId, createdAt }));
  },
  async applyPolicyToBrief({ applicationId, briefId }) {
    if (!done.has(applicationId)) done.set(applicationId, new Set());
    done.get(applicationId)!.add(briefId);
    return BRIEFS.find((b) => b.briefId === briefId)!.outcome;
  },
  async recordPolicyApplicationProgress({ applicationId }) {
    return counts(applicationId);
  },
  async finishPolicyApplication({ applicationId }) {
    return counts(applicationId);
  },
};

function counts(applicationId: string) {
  const ids = [...(done.get(applicationId) ?? [])];
  const of = (outcome: PolicyApplicationOutcome) => BRIEFS.filter((b) => ids.includes(b.briefId) && b.outcome === outcome).length;
  return { done: ids.length, applied: of('applied'), skipped: of('skipped'), failed: of('failed') };
}

const scenarios: Record<PolicyApplicationScenario, Omit<PolicyApplicationInput, 'applicationId'>> = {
  // Two pages (two briefs, then one), every outcome once.
  'three-briefs': { pageSize: 2 },
  // A brief per page, continuing as new after each: four runs, the last one reading an empty page.
  'continue-as-new': { pageSize: 1, continueAsNewAfterEvents: 1 },
};

runRecording(() =>
  recordHistories({
    folder: historySetFolder('policy-application'),
    taskQueue: TASK_QUEUE,
    activities,
    scenarios: POLICY_APPLICATION_SCENARIOS,
    record: (client, scenario) =>
      client.workflow.start<typeof policyApplicationWorkflow>('policyApplicationWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: replayPolicyApplicationWorkflowId(scenario),
        args: [{ applicationId: replayApplicationId(scenario), ...scenarios[scenario] }],
      }),
  }),
);
