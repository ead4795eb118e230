// Builds the Temporal worker that runs brief workflows and their activities.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BriefActivities } from '../activities/types';
import { ConfigError, type Config } from '../lib/config';
import { bundleInThread } from './bundle-in-thread';
import { buildIdOf, deploymentOptions } from './versioning';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Where `npm run build:workflows` writes the prebuilt bundle that production loads. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: BriefActivities;
  /** Load this prebuilt bundle and refuse to start without it (production); unset: bundle from source. */
  bundlePath?: string;
  options?: Partial<WorkerOptions>;
  /**
   * Poll as a version of this Worker Deployment (see versioning.ts); the build id defaults to one
   * derived from the workflow code the worker loads. Unset: an unversioned worker.
   */
  versioning?: { deploymentName: string; buildId?: string };
}

export async function createWorker({ connection, namespace, taskQueue, activities, bundlePath, options, versioning }: WorkerDeps): Promise<Worker> {
  if (bundlePath) requirePrebuiltBundle(bundlePath);
  const { code, source } = await workflowCode(bundlePath, options);
  let deployment: Pick<WorkerOptions, 'workerDeploymentOptions'> = {};
  if (versioning) {
    if (!versioning.buildId && code === undefined) throw new ConfigError('a versioned worker that bundles from workflowsPath needs HANDOFF_BUILD_ID');
    const buildId = versioning.buildId ?? buildIdOf(code as string);
    deployment = { workerDeploymentOptions: deploymentOptions({ deploymentName: versioning.deploymentName, buildId }) };
  }
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...source,
    ...deployment,
    ...options,
  });
}

/** The workflow code a worker loads (for its build id), and the option that loads it. */
async function workflowCode(bundlePath: string | undefined, options: Partial<WorkerOptions> | undefined): Promise<{ code: string | undefined; source: Partial<WorkerOptions> }> {
  const given = options?.workflowBundle;
  if (given) return { code: 'code' in given ? given.code : readFileSync(given.codePath, 'utf8'), source: {} };
  if (options?.workflowsPath) return { code: undefined, source: {} };
  if (bundlePath) return { code: readFileSync(bundlePath, 'utf8'), source: { workflowBundle: { codePath: bundlePath } } };
  const code = await bundleInThread(WORKFLOWS_PATH);
  return { code, source: { workflowBundle: { code } } };
}

/** The version a worker polls as (undefined: unversioned). */
export function deploymentVersionOf(worker: Worker): WorkerDeploymentVersion | undefined {
  const options = worker.options.workerDeploymentOptions;
  return options?.useWorkerVersioning ? options.version : undefined;
}

/**
 * A production worker never bundles on its own: a bundle made at start could differ from the one
 * deployed beside it (and webpack would hold memory for the worker's life).
 */
export function requirePrebuiltBundle(bundlePath: string): void {
  if (existsSync(bundlePath)) return;
  throw new ConfigError(
    `the prebuilt workflow bundle ${bundlePath} is missing: build it with npm run build:workflows (the Docker image does), or set HANDOFF_WORKFLOW_BUNDLE to where it is`,
  );
}

/**
 * The worker of the delivery queue: activities only (the outbox's sends), with slots of their own
 * and a rate the server enforces for the queue across all workers, so that a flood of
 * notifications never takes the slots of the read-model writes and participants' actions.
 *
 * It polls as the same version as the brief worker beside it: an activity-only worker needs no
 * versioning, but as part of the version a brief's deliveries go to the workers of the brief's
 * own version (the activities' inputs are the ones its workflow code wrote), and the old
 * version's delivery workers drain with the rest.
 */
export function createDeliveryWorker(
  { connection, namespace, taskQueue, activities }: Omit<WorkerDeps, 'bundlePath' | 'options' | 'versioning'>,
  config: Pick<Config, 'worker'>,
  version?: WorkerDeploymentVersion,
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(version ? { workerDeploymentOptions: deploymentOptions(version) } : {}),
    maxConcurrentActivityTaskExecutions: config.worker.deliveryActivities,
    maxTaskQueueActivitiesPerSecond: config.worker.deliveriesPerSecond,
    shutdownGraceTime: config.worker.shutdownGraceMs,
  });
}

/** The worker options Handoff's configuration sets (see Config.worker). */
export function workerTuning({ worker }: Pick<Config, 'worker'>): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: worker.maxWorkflowTasks,
    maxConcurrentLocalActivityExecutions: worker.maxWorkflowTasks,
    maxConcurrentActivityTaskExecutions: worker.maxActivities,
    shutdownGraceTime: worker.shutdownGraceMs,
  };
}
