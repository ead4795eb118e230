// `npm start`: API, worker, a Temporal dev server and PGlite in one process, persisted under
// HANDOFF_DATA_DIR. Any of them can be swapped for a real one through the environment.
//
// The process owns what it starts: SIGINT, SIGTERM and SIGHUP stop the API, the worker and the
// dev server; so does the end of the process that started it (npm killed by a process manager
// or an IDE), and the end of the dev server. One process holds a data folder at a time.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../lib/config';
import { DataDirInUse, lockDataDir } from '../lib/data-lock';
import { formatDemoKeys } from '../services/directory-setup';
import { startHandoff, stopOnSignals, type RunningHandoff } from './handoff';
import { createLogger } from '../lib/logger';
import { nodeSupportWarning } from '../lib/node-support';
import { installTemporalRuntime } from '../lib/temporal/runtime';

/** How often the process checks that the process that started it is still there. */
const PARENT_CHECK_MS = 500;

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat ?? 'pretty' });
  const unsupported = nodeSupportWarning();
  if (unsupported) logger.warn(unsupported);
  installTemporalRuntime(logger);
  mkdirSync(config.dataDir, { recursive: true });
  const lock = lockDataDir(config.dataDir);
  process.on('exit', () => lock.release());

  // Signals during the start stop what has started so far.
  const running: { handoff?: RunningHandoff } = {};
  const shutdown = stopOnSignals({ stop: async () => running.handoff?.stop() }, logger);
  stopWithParent(() => shutdown('the process that started Handoff ended'));

  const started = Date.now();
  const handoff = await startHandoff({
    config,
    logger,
    api: true,
    worker: true,
    prepareDatabase: true,
    onWorkerFailure: () => process.exit(1),
    onDevServer: (devServer) => {
      lock.recordDevServer(devServer.pid);
      void devServer.exited.then(({ code, signal, requested }) => {
        if (requested) return;
        logger.error({ code, signal }, 'the Temporal dev server stopped');
        shutdown('the Temporal dev server stopped', 1);
      });
    },
  });
  running.handoff = handoff;
  // Keys go to the terminal only, never into the log stream.
  if (handoff.demoKeys.length) process.stdout.write(`${formatDemoKeys(handoff.demoKeys)}\n`);
  process.stdout.write(banner(config, handoff, Date.now() - started));
}

/** What a person needs to get going: where everything is. */
function banner(config: Config, handoff: Pick<RunningHandoff, 'url' | 'devServer'>, startMs: number): string {
  const rows: [string, string][] = [
    [
      'App',
      `${handoff.url}/  (sign in with a member's email: ${config.smtp.url ? 'the link is sent through SMTP_URL' : `the link lands in ${shown(path.join(config.dataDir, 'outbox'))} while SMTP_URL is not set`})`,
    ],
    ['API reference', `${handoff.url}/docs`],
    ...(handoff.devServer?.uiUrl ? [['Temporal UI', handoff.devServer.uiUrl] as [string, string]] : []),
    ['Emails', config.smtp.url ? 'sent through SMTP_URL' : `written to ${shown(path.join(config.dataDir, 'outbox'))} (SMTP_URL is not set)`],
    ['Data', shown(config.dataDir)],
  ];
  return [
    `Handoff is ready at ${handoff.url} (started in ${(startMs / 1000).toFixed(1)} s)`,
    ...rows.map(([label, value]) => `  ${label.padEnd(14)} ${value}`),
    'Stop it with Ctrl-C.',
    '',
  ].join('\n');
}

/** A folder as the user typed it: relative to the working folder when it lies inside it. */
function shown(folder: string): string {
  const relative = path.relative(process.cwd(), folder);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : folder;
}

/**
 * Stops when the process that started this one ends: npm, a shell or a supervisor killed
 * without passing the signal on would otherwise leave Handoff running, holding its ports.
 */
function stopWithParent(stop: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') {
        clearInterval(timer);
        stop();
      }
    }
  }, PARENT_CHECK_MS);
  timer.unref();
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  // Said plainly: the most common reasons are a folder in use and a bad setting.
  console.error(err instanceof DataDirInUse ? `Handoff is already running: ${message}` : message);
  process.exit(1);
});
