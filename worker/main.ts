// `npm run start:worker`: a worker alone, for production (add more to scale out).
import { loadConfig, requireProductionConfig } from '../lib/config';
import { startHandoff, stopOnSignals } from '../start/handoff';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../lib/temporal/runtime';

async function main() {
  const config = loadConfig();
  requireProductionConfig(config);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat ?? 'json' });
  installTemporalRuntime(logger, { metricsPort: config.worker.metricsPort });
  const handoff = await startHandoff({ config, logger, api: false, worker: true, prepareDatabase: false, requireWorkflowBundle: true, versionedByDefault: true, onWorkerFailure: () => process.exit(1) });
  stopOnSignals(handoff, logger);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
