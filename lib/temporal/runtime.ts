// Temporal connections for the entry points, with the SDK's own logs forwarded into pino and its
// metrics served to Prometheus.
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';

let installed = false;

/**
 * Installs the Temporal SDK's runtime once per process: its logs forwarded into pino, and with
 * `metricsPort` its metrics (workflow and activity task latencies, slots, cache, polls) served in
 * Prometheus format at http://<host>:<metricsPort>/metrics.
 */
export function installTemporalRuntime(logger: Logger, options: { level?: LogLevel; metricsPort?: number } = {}): void {
  if (installed) return;
  installed = true;
  const target = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(options.level ?? 'WARN', ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'ERROR' ? 'error' : entryLevel === 'WARN' ? 'warn' : entryLevel === 'INFO' ? 'info' : 'debug';
      target[method](meta ?? {}, message);
    }),
    ...(options.metricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${options.metricsPort}`, countersTotalSuffix: true } } } } : {}),
  });
  if (options.metricsPort) logger.info({ url: `http://0.0.0.0:${options.metricsPort}/metrics` }, 'Temporal SDK metrics served');
}

export interface TemporalClients {
  client: Client;
  workerConnection: NativeConnection;
  close(): Promise<void>;
}

/** How to reach the cluster securely: TLS (with a client certificate for mTLS) and an API key. */
export interface TemporalSecurity {
  tls: Config['temporal']['tls'];
  apiKey: string | undefined;
}

/** The TLS and API key options of both connections (client and worker), with the PEM files read. */
export function securityOptions({ tls, apiKey }: TemporalSecurity): { tls?: TLSConfig; apiKey?: string } {
  if (!tls) return {};
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`);
    }
  };
  return {
    tls: {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caPath ? { serverRootCACertificate: read(tls.caPath, 'TEMPORAL_TLS_CA') } : {}),
      ...(tls.certPath && tls.keyPath ? { clientCertPair: { crt: read(tls.certPath, 'TEMPORAL_TLS_CERT'), key: read(tls.keyPath, 'TEMPORAL_TLS_KEY') } } : {}),
    },
    ...(apiKey ? { apiKey } : {}),
  };
}

export async function connectTemporal(
  address: string,
  namespace: string,
  options: { worker: boolean; security?: TemporalSecurity },
): Promise<TemporalClients> {
  const security = options.security ? securityOptions(options.security) : {};
  const connection = await Connection.connect({ address, ...security });
  const client = new Client({ connection, namespace });
  const workerConnection = options.worker ? await NativeConnection.connect({ address, ...security }) : undefined;
  return {
    client,
    get workerConnection(): NativeConnection {
      if (!workerConnection) throw new Error('this process connected without a worker connection');
      return workerConnection;
    },
    async close() {
      await workerConnection?.close();
      await connection.close();
    },
  };
}
