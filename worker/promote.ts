// `npm run deploy:promote [-- --build-id <id>] [--wait PT2M]`: the step of a deploy that moves the
// briefs to the new workers (README: Deploying a new version safely). Makes a version of the
// Worker Deployment (HANDOFF_DEPLOYMENT_NAME) its current one, once that version's workers poll
// every task queue, then exits 0. The version: --build-id, else HANDOFF_BUILD_ID, else the one
// derived from the prebuilt workflow bundle here (HANDOFF_WORKFLOW_BUNDLE), which is what the
// workers of the same image poll as. Connects as the workers do (TLS, API key).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../lib/config';
import { securityOptions } from '../lib/temporal/runtime';
import { parseDuration } from '../workflows/domain/duration';
import { buildIdOf, promote } from './versioning';
import { requirePrebuiltBundle, WORKFLOW_BUNDLE_PATH } from './worker';

async function main(): Promise<string> {
  const { values } = parseArgs({ options: { 'build-id': { type: 'string' }, wait: { type: 'string', default: 'PT2M' } } });
  const config = loadConfig();
  const { address, namespace, tls, apiKey } = config.temporal;
  if (!address) throw new ConfigError('TEMPORAL_ADDRESS must be set: the Temporal server whose deployment to change');
  const waitMs = parseDuration(values.wait);
  if (waitMs === undefined) throw new ConfigError(`--wait ${values.wait} is not an ISO 8601 duration such as PT2M`);
  const deploymentName = config.workerVersioning.deploymentName;
  const buildId = values['build-id'] ?? config.workerVersioning.buildId ?? bundleBuildId(config.workflowBundlePath ?? WORKFLOW_BUNDLE_PATH);

  const connection = await Connection.connect({ address, connectTimeout: 10_000, ...securityOptions({ tls, apiKey }) });
  try {
    const target = { workflowService: connection.workflowService, namespace, identity: `deploy:promote ${process.pid}@${os.hostname()}` };
    const result = await promote(target, { deploymentName, buildId }, { when: 'always', waitMs });
    return result.promoted
      ? `deployment ${deploymentName}: version ${buildId} is now current (before: ${result.previousBuildId ?? 'unversioned workers'})`
      : `deployment ${deploymentName}: version ${buildId} was current already`;
  } finally {
    await connection.close();
  }
}

function bundleBuildId(bundlePath: string): string {
  requirePrebuiltBundle(bundlePath);
  return buildIdOf(readFileSync(bundlePath, 'utf8'));
}

main().then(
  (message) => {
    console.log(message);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
