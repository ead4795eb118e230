// Builds the Temporal worker that runs brief workflows and their activities.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BriefActivities } from '../activities/types';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Where `npm run build:workflows` writes the prebuilt bundle that production loads. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: BriefActivities;
  /** Use the prebuilt bundle when it exists (production); otherwise bundle from source. */
  preferBundle?: boolean;
  options?: Partial<WorkerOptions>;
}

export async function createWorker({ connection, namespace, taskQueue, activities, preferBundle, options }: WorkerDeps): Promise<Worker> {
  const workflowSource =
    preferBundle && existsSync(WORKFLOW_BUNDLE_PATH)
      ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
      : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...workflowSource,
    ...options,
  });
}
