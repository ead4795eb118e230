// Assembles a running Handoff from its parts: database, Temporal (an address or a dev server
// of its own), worker and API. The entry points and the integration tests all start here.
import path from 'node:path';
import type { Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { linkSecret } from './action-links';
import { createMailer } from '../activities/notify';
import { createApp } from '../api/app';
import { createWorker, workerTuning } from '../worker/worker';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { bootstrapAdmin, seedDemoDirectory, type DemoKey } from './directory-setup';
import { close, listen, portOf } from './http-server';
import type { Logger } from './logger';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { connectTemporal, type TemporalClients } from './temporal/runtime';

export interface HandoffOptions {
  config: Config;
  logger: Logger;
  api: boolean;
  worker: boolean;
  /** Apply pending migrations and set up the directory (bootstrap admin, demo seed). */
  prepareDatabase: boolean;
  /** Production workers load the prebuilt workflow bundle. */
  preferWorkflowBundle?: boolean;
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
    const temporal = await connectTemporal(address, config.temporal.namespace, { worker: options.worker });
    stack.push(() => temporal.close());

    if (options.worker) {
      const mailer = createMailer({ smtpUrl: config.smtp.url, from: config.smtp.from, outboxDir: path.join(config.dataDir, 'outbox'), messageIdHost: new URL(config.publicUrl).hostname });
      stack.push(async () => mailer.close());
      const worker: Worker = await createWorker({
        connection: temporal.workerConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        activities: createActivities({
          prisma: db.prisma,
          mailer,
          logger: logger.child({ component: 'activities' }),
          publicUrl: config.publicUrl,
          actionLinkSecret: linkSecret(db.prisma, config.actionLinks.secret),
          actionLinkTtlMs: config.actionLinks.ttlMs,
          webhookDisableAfter: config.webhookDisableAfter,
        }),
        preferBundle: options.preferWorkflowBundle,
        options: workerTuning(config),
      });
      const running = worker.run();
      stack.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      running.catch((err: unknown) => {
        logger.fatal({ err: String(err) }, 'worker stopped');
        options.onWorkerFailure?.(err);
      });
      logger.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
    }

    let url: string | undefined;
    if (options.api) {
      const app = createApp({ db, temporal: temporal.client, config, logger });
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
