// The workflow code bundled once for a whole jest run. Bundling takes webpack some seconds of CPU;
// the global setup builds the bundle into a file before the first test file and every worker the
// tests create loads that file. A test run without the global setup (a single file started some
// other way) bundles once per file instead.
import { readFileSync } from 'node:fs';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/worker';

/** Where the global setup left the bundle for this run. */
export const SHARED_BUNDLE_ENV = 'HANDOFF_TEST_WORKFLOW_BUNDLE';

export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The bundle of workflows/: the run's shared file when there is one, else bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const shared = process.env[SHARED_BUNDLE_ENV];
  bundle ??= shared ? Promise.resolve({ code: readFileSync(shared, 'utf8') } as WorkflowBundleWithSourceMap) : bundleWorkflows();
  return bundle;
}
