// Replays the recorded histories of test/replay/histories against the current workflow code: a
// change that would break briefs already in flight fails here. See record.ts for when (and when
// not) to record histories.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from './history-json';
import { bySetOrder, RECORDED_SINCE, REPLAY_SCENARIOS, replayWorkflowId, type ReplayScenario } from './scenarios';

const HISTORIES = path.join(__dirname, 'histories');
/** One folder per recording: every version of the workflow that briefs may still be running on. */
const sets = readdirSync(HISTORIES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort(bySetOrder);
const files = sets.flatMap((set) =>
  readdirSync(path.join(HISTORIES, set))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${set}/${f}`),
);

/** happy-path.json and continue-as-new.run-2.json belong to happy-path and continue-as-new. */
const scenarioOf = (file: string) => {
  const name = path.basename(file);
  return REPLAY_SCENARIOS.find((s) => name === `${s}.json` || name.startsWith(`${s}.run-`));
};

function load(file: string) {
  const scenario = scenarioOf(file) as ReplayScenario;
  return { history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'))), workflowId: replayWorkflowId(scenario) };
}

const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// The divergent replays log their nondeterminism errors as warnings; only errors are of interest.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });

// Bundling takes a moment: once per workflow module for the whole file.
let current: WorkflowBundleWithSourceMap;
let divergent: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [current, divergent] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/divergent-workflows'), logger: quietLogger }),
  ]);
}, 60_000);

describe('recorded histories', () => {
  test('exist for every scenario in every set since it was added, and every file belongs to one', () => {
    expect(sets.length).toBeGreaterThan(0);
    expect(files.filter((f) => !scenarioOf(f))).toEqual([]);
    // Each scenario names the set it was first recorded in, and that set exists.
    expect(Object.values(RECORDED_SINCE).filter((since) => !sets.includes(since))).toEqual([]);
    for (const set of sets) {
      const inSet = files.filter((f) => f.startsWith(`${set}/`));
      const expected = REPLAY_SCENARIOS.filter((scenario) => bySetOrder(RECORDED_SINCE[scenario], set) <= 0);
      for (const scenario of expected) expect({ set, scenario, files: inSet.filter((f) => scenarioOf(f) === scenario).length > 0 }).toEqual({ set, scenario, files: true });
      // A set recorded before a scenario existed cannot hold it.
      for (const scenario of REPLAY_SCENARIOS.filter((sc) => !expected.includes(sc))) expect(inSet.filter((f) => scenarioOf(f) === scenario)).toEqual([]);
      // The edit-brief scenario holds accepted edits (updates named edit).
      for (const file of inSet.filter((f) => scenarioOf(f) === 'edit-brief')) {
        const edits = (load(file).history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'edit');
        expect({ file, edits: edits.length }).toEqual({ file, edits: 3 });
      }
      // From v6 on, escalations are acknowledged through the acknowledgeEscalation update (before, the signal).
      if (bySetOrder(set, 'v6-escalation-update') >= 0) {
        for (const file of inSet.filter((f) => scenarioOf(f) === 'acknowledge-breach-cancel' || scenarioOf(f) === 'sla-policy')) {
          const acks = (load(file).history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'acknowledgeEscalation');
          expect({ file, acks: acks.length }).toEqual({ file, acks: 1 });
        }
      }
      // The continue-as-new scenario did continue as new: several runs, all but the last one ending so.
      const runs = inSet.filter((f) => scenarioOf(f) === 'continue-as-new');
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (const file of runs) {
        const events = load(file).history.events ?? [];
        const last = events[events.length - 1];
        if (file === runs[runs.length - 1]) expect(last.workflowExecutionCompletedEventAttributes).toBeTruthy();
        else expect(last.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      }
    }
  });

  test.each(files)('%s replays against the current briefWorkflow', async (file) => {
    const { history, workflowId } = load(file);
    await expect(Worker.runReplayHistory({ workflowBundle: current, replayName: file }, history, workflowId)).resolves.toBeUndefined();
  });
});

describe('the replay check', () => {
  test.each(files.filter((f) => !f.includes('.run-') || f.endsWith('.run-1.json')))(
    'fails with DeterminismViolationError when %s is replayed against a different briefWorkflow',
    async (file) => {
      const { history, workflowId } = load(file);
      const replay = Worker.runReplayHistory({ workflowBundle: divergent, replayName: file }, history, workflowId);
      await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
      await expect(replay).rejects.toThrow(/nondeterminism/i);
    },
  );
});
