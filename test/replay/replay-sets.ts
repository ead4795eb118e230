// The replay tests every workflow type has, declared from its recorded histories: one folder per
// recording (a set: v1-initial, v2-…, in recording order), each holding a history per scenario
// (<scenario>.json, or <scenario>.run-<n>.json per run when it continued as new). A test file
// calls declareReplaySets() once with its workflow type's folder, scenarios and divergent fixture:
// - histories exist for every scenario in every set (since the set it was first recorded in),
//   none for a scenario in a set recorded before it existed, and every file belongs to a scenario;
// - the scenarios that continue as new did: several runs, all but the last one ending so;
// - the type's own checks of each set (checkSet);
// - every recorded history replays against the current workflow bundle;
// - every history (the first run of one that continued as new) fails to replay against the
//   divergent fixture with DeterminismViolationError, which proves the replays can fail at all.
// A replay failure means the changed workflow code would break workflows in flight: see record.ts
// for what to do about it (never re-record to make it pass).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { quietBundlerLogger, workflowBundle } from '../support/workflow-bundle';
import { historyFromJSON } from './history-json';
import { bySetOrder } from './scenarios';

export type HistoryEvents = NonNullable<History['events']>;

/** One set of recorded histories, for the checks a workflow type adds (ReplaySetsOptions.checkSet). */
export interface ReplaySet<S extends string> {
  /** The set's folder name, e.g. v1-initial (compare with bySetOrder). */
  name: string;
  /** Its files, as `<set>/<file>`, sorted. */
  files: string[];
  /** Its files of one scenario (the runs in order). */
  filesOf(scenario: S): string[];
  /** The events of one of its files. */
  events(file: string): HistoryEvents;
}

export interface ReplaySetsOptions<S extends string> {
  /** The workflow type, as the test names say it, e.g. 'policyApplicationWorkflow'. */
  workflowType: string;
  /** What the describe blocks call it: 'recorded <label> histories', 'the <label> replay check'; none: 'recorded histories', 'the replay check'. */
  label?: string;
  /** The folder of the sets (one subfolder per recording). */
  folder: string;
  scenarios: readonly S[];
  /** The workflow id a scenario was recorded with. */
  workflowId(scenario: S): string;
  /** A module (resolved path) exporting a workflow of the same type whose commands differ from the current one's. */
  divergentWorkflowsPath: string;
  /**
   * The set each scenario was first recorded in: sets recorded before it lack it, every later
   * set has it, and each named set exists. None: every set has every scenario.
   */
  recordedSince?: Record<S, string>;
  /** Scenarios whose workflow continues as new: several runs in every set that has them, all but the last ending with ContinuedAsNew. */
  continuingAsNew?: readonly S[];
  /** The workflow type's own checks of a set's histories (jest expectations). */
  checkSet?(set: ReplaySet<S>): void;
}

/** The sets, files and histories under a folder of recorded histories. */
export function recordedHistories<S extends string>({ folder, scenarios, workflowId }: Pick<ReplaySetsOptions<S>, 'folder' | 'scenarios' | 'workflowId'>) {
  const sets = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(bySetOrder);
  const files = sets.flatMap((set) =>
    readdirSync(path.join(folder, set))
      .filter((f) => f.endsWith('.json'))
      .sort(runOrder)
      .map((f) => `${set}/${f}`),
  );
  /** happy-path.json and continue-as-new.run-2.json belong to happy-path and continue-as-new. */
  const scenarioOf = (file: string): S | undefined => {
    const name = path.basename(file);
    return scenarios.find((s) => name === `${s}.json` || name.startsWith(`${s}.run-`));
  };
  const histories = new Map<string, History>();
  const load = (file: string) => {
    const scenario = scenarioOf(file);
    if (!scenario) throw new Error(`${file} belongs to no scenario`);
    let history = histories.get(file);
    if (!history) {
      history = historyFromJSON(JSON.parse(readFileSync(path.join(folder, file), 'utf8')));
      histories.set(file, history);
    }
    return { history, workflowId: workflowId(scenario) };
  };
  return { sets, files, scenarioOf, load };
}

/** Runs in the order they ran: continue-as-new.run-2.json before continue-as-new.run-10.json. */
const runOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Declares the replay tests of a workflow type (see the top of this file). */
export function declareReplaySets<S extends string>(options: ReplaySetsOptions<S>): void {
  const { workflowType, label, scenarios, recordedSince, continuingAsNew = [], checkSet } = options;
  const { sets, files, scenarioOf, load } = recordedHistories(options);
  const setsSince = recordedSince ? ' since it was added' : '';
  const labelled = label ? `${label} ` : '';

  // The divergent replays log their nondeterminism errors as warnings; only errors are of interest.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });

  // Bundling takes a moment: once per workflow module for the whole file.
  let current: WorkflowBundleWithSourceMap;
  let divergent: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    [current, divergent] = await Promise.all([workflowBundle(), bundleWorkflowCode({ workflowsPath: options.divergentWorkflowsPath, logger: quietBundlerLogger })]);
  }, 60_000);

  describe(`recorded ${labelled}histories`, () => {
    test(`exist for every scenario in every set${setsSince}, and every file belongs to one`, () => {
      expect(sets.length).toBeGreaterThan(0);
      expect(files.filter((f) => !scenarioOf(f))).toEqual([]);
      // Each scenario names the set it was first recorded in, and that set exists.
      if (recordedSince) expect(Object.values<string>(recordedSince).filter((since) => !sets.includes(since))).toEqual([]);
      for (const set of sets) {
        const inSet = files.filter((f) => f.startsWith(`${set}/`));
        const filesOf = (scenario: S) => inSet.filter((f) => scenarioOf(f) === scenario);
        const expected = scenarios.filter((scenario) => !recordedSince || bySetOrder(recordedSince[scenario], set) <= 0);
        for (const scenario of expected) expect({ set, scenario, recorded: filesOf(scenario).length > 0 }).toEqual({ set, scenario, recorded: true });
        // A set recorded before a scenario existed cannot hold it.
        for (const scenario of scenarios.filter((sc) => !expected.includes(sc))) expect(filesOf(scenario)).toEqual([]);
        // The continue-as-new scenarios did continue as new: several runs, all but the last one ending so.
        for (const scenario of continuingAsNew.filter((sc) => expected.includes(sc))) {
          const runs = filesOf(scenario);
          expect({ set, scenario, runs: runs.length >= 2 }).toEqual({ set, scenario, runs: true });
          for (const file of runs) {
            const events = load(file).history.events ?? [];
            const last = events[events.length - 1];
            if (file === runs[runs.length - 1]) expect({ file, completed: last?.workflowExecutionCompletedEventAttributes != null }).toEqual({ file, completed: true });
            else expect({ file, continuedAsNew: last?.workflowExecutionContinuedAsNewEventAttributes != null }).toEqual({ file, continuedAsNew: true });
          }
        }
        checkSet?.({ name: set, files: inSet, filesOf, events: (file) => load(file).history.events ?? [] });
      }
    });

    test.each(files)(`%s replays against the current ${workflowType}`, async (file) => {
      const { history, workflowId } = load(file);
      await expect(Worker.runReplayHistory({ workflowBundle: current, replayName: file }, history, workflowId)).resolves.toBeUndefined();
    });
  });

  describe(`the ${labelled}replay check`, () => {
    test.each(files.filter((f) => !f.includes('.run-') || f.endsWith('.run-1.json')))(
      `fails with DeterminismViolationError when %s is replayed against a different ${workflowType}`,
      async (file) => {
        const { history, workflowId } = load(file);
        const replay = Worker.runReplayHistory({ workflowBundle: divergent, replayName: file }, history, workflowId);
        await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
        await expect(replay).rejects.toThrow(/nondeterminism/i);
      },
    );
  });
}
