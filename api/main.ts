// `npm run start:api`: the API alone, for production (several replicas may run).
import { loadConfig, requireProductionConfig } from '../lib/config';
import { startHandoff, stopOnSignals } from '../start/handoff';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../lib/temporal/runtime';

async function main() {
  const config = loadConfig();
  requireProductionConfig(config);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat ?? 'json' });
  installTemporalRuntime(logger);
  const handoff = await startHandoff({ config, logger, api: true, worker: false, prepareDatabase: false });
  stopOnSignals(handoff, logger);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
