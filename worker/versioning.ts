// Worker Deployment Versioning: every worker polls as one version (deployment name + build id) of
// the deployment, and the server gives workflow tasks only to the workers of the deployment's
// current version. A worker of an older build therefore never picks up a brief whose history a
// newer build has written (with patches it does not know), even while it still runs: a deploy
// starts the new workers, makes their version current, and lets the old ones drain and stop.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { WorkerDeploymentOptions } from '@temporalio/worker';

type WorkflowService = Connection['workflowService'];

/** gRPC's NOT_FOUND: the deployment does not exist until a versioned worker first polls. */
const NOT_FOUND = 5;
/** RoutingConfigUpdateState IN_PROGRESS: the task queues have not all learnt the new current version yet. */
const ROUTING_UPDATE_IN_PROGRESS = 1;

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The build id of workers running this workflow code: HANDOFF_BUILD_ID when set, else the package
 * version and a hash of the workflow bundle. The hash names exactly the code that decides what a
 * history holds, needs no git in the image, and is the same for every worker started from the
 * same build; workers whose activities alone changed stay one version, which is safe, since only
 * workflow code must match a history.
 */
export function buildIdOf(workflowCode: string, explicit?: string): string {
  return explicit ?? `${packageVersion()}+${createHash('sha256').update(workflowCode).digest('hex').slice(0, 12)}`;
}

/**
 * The workers' deployment options. AUTO_UPGRADE, not PINNED: briefs run for weeks, and a pinned
 * brief would keep its first version's workers alive for as long as it runs (every version ever
 * deployed, side by side). Auto-upgrading briefs move to the current version at their next
 * workflow task, and the `patched(...)` branches in the workflow keep each history replaying on
 * the new code (the replay sets under test/replay prove it for every recorded version).
 */
export function deploymentOptions(version: WorkerDeploymentVersion): WorkerDeploymentOptions {
  return { useWorkerVersioning: true, version, defaultVersioningBehavior: 'AUTO_UPGRADE' };
}

export interface DeploymentTarget {
  workflowService: WorkflowService;
  namespace: string;
  /** Who changed the deployment, as the server records it. */
  identity: string;
}

export interface DeploymentState {
  /** The current version's build id; undefined: unversioned workers get the tasks. */
  currentBuildId: string | undefined;
  /** Whether a change of the current version is still on its way to the deployment's task queues. */
  routingUpdateInProgress: boolean;
  conflictToken: Uint8Array | undefined;
}

export async function describeDeployment({ workflowService, namespace }: DeploymentTarget, deploymentName: string): Promise<DeploymentState> {
  try {
    const { conflictToken, workerDeploymentInfo } = await workflowService.describeWorkerDeployment({ namespace, deploymentName });
    return {
      currentBuildId: workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId || undefined,
      routingUpdateInProgress: workerDeploymentInfo?.routingConfigUpdateState === ROUTING_UPDATE_IN_PROGRESS,
      conflictToken: conflictToken ?? undefined,
    };
  } catch (err) {
    if ((err as { code?: number }).code === NOT_FOUND) return { currentBuildId: undefined, routingUpdateInProgress: false, conflictToken: undefined };
    throw err;
  }
}

export interface PromoteOptions {
  /** initial: only while the deployment has no current version (the first versioned deploy). */
  when: 'always' | 'initial';
  /** How long to wait for the version's workers to poll every task queue of the deployment. */
  waitMs: number;
  intervalMs?: number;
}

export type PromoteResult = { promoted: true; previousBuildId: string | undefined } | { promoted: false; currentBuildId: string | undefined };

/**
 * Makes `version` the deployment's current one. The server refuses while the version's workers
 * have not yet polled every task queue the current version polls; that refusal is retried until
 * `waitMs` has passed. Each attempt carries the conflict token of the state it was decided on,
 * so two workers starting at once cannot undo each other's decision. Resolves once every task
 * queue of the deployment routes to the version: from then on the old version's workers get no
 * workflow task.
 */
export async function promote(target: DeploymentTarget, version: WorkerDeploymentVersion, options: PromoteOptions): Promise<PromoteResult> {
  const deadline = Date.now() + options.waitMs;
  let promoted: PromoteResult | undefined;
  for (;;) {
    const state = await describeDeployment(target, version.deploymentName);
    if (state.currentBuildId === version.buildId) {
      promoted ??= { promoted: false, currentBuildId: state.currentBuildId };
      if (!state.routingUpdateInProgress) return promoted;
      if (Date.now() >= deadline) throw new Error(`version ${version.buildId} of deployment ${version.deploymentName} is current, but not yet on all its task queues`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
      continue;
    }
    if (options.when === 'initial' && state.currentBuildId !== undefined) return { promoted: false, currentBuildId: state.currentBuildId };
    try {
      await target.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: target.namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity: target.identity,
        ...(state.conflictToken ? { conflictToken: state.conflictToken } : {}),
      });
      promoted = { promoted: true, previousBuildId: state.currentBuildId };
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(`version ${version.buildId} of deployment ${version.deploymentName} could not be made current: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }
}
