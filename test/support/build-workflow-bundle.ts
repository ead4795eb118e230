// Builds dist/workflow-bundle.js as `npm run build:workflows` does, but writes it to a temporary
// file first and renames it into place, so that a worker starting at the same moment never reads
// half a bundle. Run by buildWorkflowBundle() in test/support/processes.ts.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from '../../worker/worker';

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
  mkdirSync(path.dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  const temporary = `${WORKFLOW_BUNDLE_PATH}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, WORKFLOW_BUNDLE_PATH);
  console.log(`workflow bundle written to ${WORKFLOW_BUNDLE_PATH} (${code.length} bytes)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
