// The embedded mode's Temporal: a Temporal CLI dev server run by this process, persisted in
// the data folder, on free ports. It stops when the process stops.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { serverExecutable } from './executables';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  dataDir: string;
  namespace: string;
  cliPath?: string;
  ui?: boolean;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const uiPort = options.ui ? await freePort() : undefined;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: serverExecutable('temporal', options.cliPath),
      dbFilename: path.join(options.dataDir, 'temporal.sqlite'),
      namespace: options.namespace,
      ui: options.ui ?? false,
      ...(uiPort ? { uiPort } : {}),
      log: { format: 'json', level: 'error' },
    },
  });
  return {
    address: env.address,
    uiUrl: uiPort ? `http://localhost:${uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
