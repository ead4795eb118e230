// Assembles a running Handoff from its parts: database, Temporal (an address or a dev server
// of its own), worker and API. The entry points and the integration tests all start here.
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { linkSecret } from '../services/action-links';
import { createMailer } from '../activities/notifications/mailer';
import { createApp } from '../api/app';
import { webAppBuilt } from '../api/web-app';
import { buildWebApp } from '../web/build';
import { createDeliveryWorker, createWorker, deploymentVersionOf, requirePrebuiltBundle, WORKFLOW_BUNDLE_PATH, workerTuning } from '../worker/worker';
import { describeDeployment, promote } from '../worker/versioning';
import type { Config } from '../lib/config';
import { openDatabase, type Database } from '../lib/db/database';
import { bootstrapAdmin, seedDemoDirectory, type DemoKey } from '../services/directory-setup';
import { close, listen, portOf } from '../lib/http-server';
import type { Logger } from '../lib/logger';
import { outboundPolicy } from '../lib/outbound';
import { startDevServer, type DevServer } from '../lib/temporal/dev-server';
import { connectTemporal, type TemporalClients } from '../lib/temporal/runtime';
import { ensureBriefSearchAttributes } from '../lib/temporal/search-attributes';
import { keepReconcilerSchedule } from '../worker/reconciler-schedule';
import { keepScorecardSchedule } from '../worker/scorecard-schedule';
import { backfillScorecardFacts } from '../services/scorecards/write';

type WorkflowBundleOption = NonNullable<WorkerOptions['workflowBundle']>;

export interface HandoffOptions {
  config: Config;
  logger: Logger;
  api: boolean;
  worker: boolean;
  /** Apply pending migrations and set up the directory (bootstrap admin, demo seed). */
  prepareDatabase: boolean;
  /** Production workers load the prebuilt workflow bundle (config.workflowBundlePath) and refuse to start without it. */
  requireWorkflowBundle?: boolean;
  /** Whether the workers poll as a deployment version when HANDOFF_WORKER_VERSIONING is unset (start:worker: yes). */
  versionedByDefault?: boolean;
  /** Workflow code already bundled (tests bundle once for a whole run). */
  workflowBundle?: WorkflowBundleOption;
  /** An already open database (tests share one between processes' parts). */
  db?: Database;
  /** Called when the worker stops on its own with an error; entry points exit so a supervisor restarts them. */
  onWorkerFailure?: (err: unknown) => void;
  /** Called as soon as the embedded dev server runs (before the rest has started). */
  onDevServer?: (devServer: DevServer) => void;
}

export interface RunningHandoff {
  config: Config;
  db: Database;
  temporal: TemporalClients;
  devServer?: DevServer;
  url?: string;
  demoKeys: DemoKey[];
  stop(): Promise<void>;
}

export async function startHandoff(options: HandoffOptions): Promise<RunningHandoff> {
  const { config, logger } = options;
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) {
      await stop().catch((err: unknown) => logger.error({ err: String(err) }, 'error while stopping'));
    }
  };
  const bundlePath = options.requireWorkflowBundle ? (config.workflowBundlePath ?? WORKFLOW_BUNDLE_PATH) : undefined;
  // Checked before anything starts, so that a deploy without its bundle fails at once.
  if (bundlePath) requirePrebuiltBundle(bundlePath);
  try {
    const db =
      options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') }));
    if (!options.db) stack.push(() => db.close());

    let demoKeys: DemoKey[] = [];
    if (options.prepareDatabase) {
      const applied = await db.migrate();
      if (applied.length) logger.info({ applied }, 'database migrated');
      const empty = (await db.prisma.party.count()) === 0;
      if (config.bootstrapAdminKey && (await bootstrapAdmin(db.prisma, config.bootstrapAdminKey))) {
        logger.info('bootstrap admin created from HANDOFF_BOOTSTRAP_ADMIN_KEY');
      }
      if (empty && config.seedDemo) demoKeys = await seedDemoDirectory(db.prisma);
    }

    let devServer: DevServer | undefined;
    let address = config.temporal.address;
    if (!address) {
      devServer = await startDevServer({
        dataDir: path.join(config.dataDir, 'temporal'),
        namespace: config.temporal.namespace,
        cliPath: config.temporal.cliPath,
        uiPort: config.temporal.uiPort,
        logger,
      });
      stack.push(() => devServer!.stop());
      options.onDevServer?.(devServer);
      address = devServer.address;
      logger.info({ address, ui: devServer.uiUrl }, 'Temporal dev server started');
    }
    // The embedded dev server is reached in plain text on this machine; a cluster as configured.
    const security = devServer ? undefined : { tls: config.temporal.tls, apiKey: config.temporal.apiKey };
    const temporal = await connectTemporal(address, config.temporal.namespace, { worker: options.worker, security });
    stack.push(() => temporal.close());
    // Briefs are indexed (status, party, due dates) where the namespace has their search attributes.
    const searchAttributes = await ensureBriefSearchAttributes(temporal.client.connection, config.temporal.namespace, logger);

    if (options.worker) {
      const mailer = createMailer({ smtpUrl: config.smtp.url, from: config.smtp.from, outboxDir: path.join(config.dataDir, 'outbox'), messageIdHost: new URL(config.publicUrl).hostname });
      stack.push(async () => mailer.close());
      const activities = createActivities({
        prisma: db.prisma,
        mailer,
        logger: logger.child({ component: 'activities' }),
        publicUrl: config.publicUrl,
        actionLinkSecret: linkSecret(db.prisma, config.actionLinks.secret),
        actionLinkTtlMs: config.actionLinks.ttlMs,
        webhookDisableAfter: config.webhookDisableAfter,
        outbound: outboundPolicy(config.outboundAllow),
        temporal: temporal.client,
        slaTargets: config.slaTargets,
        briefRuns: {
          taskQueue: config.temporal.taskQueue,
          deliveryTaskQueue: config.temporal.deliveryTaskQueue,
          deliveryRetry: config.deliveryRetry,
          searchAttributes: () => searchAttributes,
        },
      });
      const base = { connection: temporal.workerConnection, namespace: config.temporal.namespace, activities };
      const { deploymentName, buildId, promoteOnStart } = config.workerVersioning;
      const versioned = config.workerVersioning.enabled ?? options.versionedByDefault ?? false;
      const worker: Worker = await createWorker({
        ...base,
        taskQueue: config.temporal.taskQueue,
        bundlePath,
        options: { ...workerTuning(config), ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}) },
        versioning: versioned ? { deploymentName, buildId } : undefined,
      });
      const version = deploymentVersionOf(worker);
      // Deliveries run on a queue of their own (briefs started before it deliver on the main one).
      const deliveryWorker = await createDeliveryWorker({ ...base, taskQueue: config.temporal.deliveryTaskQueue }, config, version);
      for (const [w, taskQueue] of [
        [worker, config.temporal.taskQueue],
        [deliveryWorker, config.temporal.deliveryTaskQueue],
      ] as const) {
        const running = w.run();
        stack.push(async () => {
          if (w.getState() === 'RUNNING') w.shutdown();
          await running;
        });
        running.catch((err: unknown) => {
          logger.fatal({ err: String(err), taskQueue }, 'worker stopped');
          options.onWorkerFailure?.(err);
        });
      }
      const target = { workflowService: temporal.client.workflowService, namespace: config.temporal.namespace, identity: `${process.pid}@${os.hostname()}` };
      if (version && promoteOnStart !== 'never') {
        const result = await promote(target, version, { when: promoteOnStart, waitMs: PROMOTE_ON_START_WAIT_MS });
        if (result.promoted) logger.info({ deploymentName, buildId: version.buildId, previousBuildId: result.previousBuildId }, "this worker's version is now the current one");
      }
      if (!version) {
        // Unversioned workers get no workflow task while the deployment has a current version.
        // (A server without Worker Deployments answers with an error: then there is nothing to warn of.)
        const { currentBuildId } = await describeDeployment(target, deploymentName).catch(() => ({ currentBuildId: undefined }));
        if (currentBuildId) logger.warn({ deploymentName, currentBuildId }, 'this worker is unversioned but the deployment has a current version, which gets every workflow task: turn HANDOFF_WORKER_VERSIONING on, or make unversioned workers current (README: Deploying a new version safely)');
      }
      await keepReconcilerSchedule(temporal.client, { taskQueue: config.temporal.taskQueue, intervalMs: config.reconcileIntervalMs }, logger);
      await keepScorecardSchedule(
        temporal.client,
        { taskQueue: config.temporal.taskQueue, deliveryTaskQueue: config.temporal.deliveryTaskQueue, deliveryRetry: config.deliveryRetry, cron: config.scorecardEmailSchedule },
        logger,
      );
      // Scorecard rows for briefs recorded before they existed: in the background, a page at a time.
      const backfill = new AbortController();
      const backfilling = backfillScorecardFacts(db.prisma, logger, { signal: backfill.signal })
        .then((written) => written > 0 && logger.info({ written }, 'scorecard rows backfilled'))
        .catch((err: unknown) => logger.warn({ err: String(err) }, 'scorecard backfill stopped; it resumes at the next start'));
      stack.push(async () => {
        backfill.abort();
        await backfilling;
      });
      logger.info({ taskQueue: config.temporal.taskQueue, deliveryTaskQueue: config.temporal.deliveryTaskQueue, ...(version ? { deploymentName, buildId: version.buildId } : { versioning: 'off' }) }, 'worker running');
    }

    let url: string | undefined;
    if (options.api) {
      if (!webAppBuilt()) {
        // A checkout whose install skipped the build (e.g. --ignore-scripts): build it now.
        const { files, scriptGzipBytes } = await buildWebApp();
        logger.info({ files: files.length, scriptGzipKiB: Math.round(scriptGzipBytes / 1024) }, 'web app built');
      }
      const app = createApp({ db, temporal: temporal.client, config, logger, searchAttributes });
      const server: Server = await listen(app, config.port);
      stack.push(async () => {
        // Open event streams never finish on their own: end them first, then wait for the rest.
        app.escalationFeed.close();
        await close(server);
      });
      url = `http://localhost:${portOf(server)}`;
      logger.info({ url }, 'API listening');
    }

    return { config, db, temporal, devServer, url, demoKeys, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** How long a starting worker waits for the server to see it polling before it makes its version current. */
const PROMOTE_ON_START_WAIT_MS = 60_000;

/** How long a shutdown may take before the process exits regardless. */
export const SHUTDOWN_DEADLINE_MS = 15_000;
/** Signals this soon after the first belong to the same request to stop. */
const REPEAT_WINDOW_MS = 2_000;

/**
 * Stops the process cleanly on SIGINT, SIGTERM and SIGHUP (a closed terminal), and returns a
 * function that does the same for other reasons. A second signal, or a shutdown that takes longer
 * than the deadline, ends the process at once.
 */
export function stopOnSignals(handoff: { stop(): Promise<void> }, logger: Logger): (reason: string, code?: number) => void {
  let stoppingSince: number | undefined;
  const shutdown = (reason: string, code = 0) => {
    if (stoppingSince !== undefined) {
      // A Ctrl-C reaches both npm and node, and npm passes its own on: one keystroke, two signals.
      if (Date.now() - stoppingSince < REPEAT_WINDOW_MS) return;
      logger.warn({ reason }, 'stopping at once');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    handoff.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
  return shutdown;
}
