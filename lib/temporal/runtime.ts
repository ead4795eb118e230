// Temporal connections for the entry points, with the SDK's own logs forwarded into pino.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';

let installed = false;

export function forwardTemporalLogs(logger: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const target = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'ERROR' ? 'error' : entryLevel === 'WARN' ? 'warn' : entryLevel === 'INFO' ? 'info' : 'debug';
      target[method](meta ?? {}, message);
    }),
  });
}

export interface TemporalClients {
  client: Client;
  workerConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTemporal(address: string, namespace: string, options: { worker: boolean }): Promise<TemporalClients> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const workerConnection = options.worker ? await NativeConnection.connect({ address }) : undefined;
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
