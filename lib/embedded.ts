// `npm start`: API, worker, a Temporal dev server and PGlite in one process, persisted under
// HANDOFF_DATA_DIR. Any of them can be swapped for a real one through the environment.
import { mkdirSync } from 'node:fs';
import { loadConfig } from './config';
import { formatDemoKeys } from './directory-setup';
import { startHandoff, stopOnSignals } from './handoff';
import { createLogger } from './logger';
import { forwardTemporalLogs } from './temporal/runtime';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  forwardTemporalLogs(logger);
  mkdirSync(config.dataDir, { recursive: true });
  const started = Date.now();
  const handoff = await startHandoff({ config, logger, api: true, worker: true, prepareDatabase: true, onWorkerFailure: () => process.exit(1) });
  stopOnSignals(handoff, logger);
  // Keys go to the terminal only, never into the log stream.
  if (handoff.demoKeys.length) process.stdout.write(`${formatDemoKeys(handoff.demoKeys)}\n`);
  process.stdout.write(
    `Handoff is ready at ${handoff.url} (${Date.now() - started} ms)` +
      (handoff.devServer?.uiUrl ? `; Temporal UI at ${handoff.devServer.uiUrl}` : '') +
      `; data in ${config.dataDir}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
