// Jest global setup: what every test file of the run would otherwise build for itself, built
// once: the web app, the workflow bundle (which worker processes load too) and a migrated PGlite to copy.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWebApp } from '../../web/build';
import { migratedPgliteDump, PGLITE_TEMPLATE_ENV } from './database';
import { bundleWorkflows, SHARED_BUNDLE_ENV } from './workflow-bundle';

export default async function globalSetup(): Promise<void> {
  // The pages the API serves are those of the source as it is now.
  await buildWebApp();
  if (process.env[SHARED_BUNDLE_ENV] && process.env[PGLITE_TEMPLATE_ENV]) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-test-run-'));
  // Read by the global teardown (globals set here reach it, not the test files).
  (globalThis as { handoffTestRunDir?: string }).handoffTestRunDir = dir;
  const [bundle, dump] = await Promise.all([bundleWorkflows(), migratedPgliteDump()]);
  writeFileSync(path.join(dir, 'workflow-bundle.js'), bundle.code);
  writeFileSync(path.join(dir, 'pglite.tar'), Buffer.from(await dump.arrayBuffer()));
  process.env[SHARED_BUNDLE_ENV] = path.join(dir, 'workflow-bundle.js');
  // Production workers the tests start as processes (worker/main.ts) load the same bundle.
  process.env.HANDOFF_WORKFLOW_BUNDLE = path.join(dir, 'workflow-bundle.js');
  // Several of them run at once: none serves metrics unless its test gives it a port.
  process.env.HANDOFF_WORKER_METRICS_PORT = '0';
  process.env[PGLITE_TEMPLATE_ENV] = path.join(dir, 'pglite.tar');
}
