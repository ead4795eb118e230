// The embedded mode's Temporal: a Temporal CLI dev server run by this process, persisted in
// the data folder. Its gRPC port is a free one; its web UI listens on a stable port (8233 unless
// configured). Its own log lines go through Handoff's logger. It stops when this process stops.
//
// With a `temporal` executable (TEMPORAL_CLI_PATH or on PATH) the server is this process's own
// child: in a process group of its own, so that a Ctrl-C in the terminal reaches Handoff, which
// stops the worker first and the server last. Without one, the SDK downloads and runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from '../logger';
import { serverExecutable } from './executables';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  /** The server's process id, when this process started it itself. */
  pid: number | undefined;
  /** Settles when the server process has ended (never for the SDK's server); `requested` when stop() ended it. */
  exited: Promise<DevServerExit>;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  dataDir: string;
  namespace: string;
  cliPath?: string;
  /** Port of the web UI (0 picks a free one); without it the server runs headless. */
  uiPort?: number;
  logger?: Logger;
  /** How long the server may take to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface DevServerExit {
  code: number | null;
  signal: string | null;
  requested: boolean;
}

const STOP_GRACE_MS = 5_000;

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const executable = serverExecutable('temporal', options.cliPath);
  const uiPort = options.uiPort === undefined ? undefined : await uiPortFor(options.uiPort, options.logger);
  if (executable.type !== 'existing-path') return startWithSdk(options, uiPort);
  return startOwn(executable.path, options, uiPort);
}

/** The configured UI port, or a free one (with a warning) when something else holds it. */
async function uiPortFor(preferred: number, logger: Logger | undefined): Promise<number> {
  if (preferred === 0) return freePort();
  if (await isFree(preferred)) return preferred;
  const port = await freePort();
  logger?.warn(`port ${preferred} for the Temporal UI is in use; the UI listens on ${port} instead (set HANDOFF_TEMPORAL_UI_PORT to choose)`);
  return port;
}

async function startOwn(executable: string, options: DevServerOptions, uiPort: number | undefined): Promise<DevServer> {
  const port = await freePort();
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace,
    '--log-format',
    'json',
    '--log-level',
    'warn',
    // No calls home: the server would otherwise check for a newer version.
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch']),
  ];
  const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Whatever way this process ends, the server does not outlive it.
  const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.on('exit', killOnExit);
  let requested = false;
  const exited = new Promise<DevServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal, requested });
    });
  });
  const recent: string[] = [];
  const log = options.logger?.child({ component: 'temporal-server' });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (log) forwardLine(log, line);
    });
  }
  const address = `127.0.0.1:${port}`;
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  try {
    await Promise.race([
      whenReady(address, options.namespace, options.startTimeoutMs ?? 60_000),
      spawnError,
      exited.then(({ code, signal }) => {
        throw new Error(`the Temporal dev server (${executable}) exited with ${code ?? signal} while starting:\n${recent.join('\n')}`);
      }),
    ]);
  } catch (err) {
    killOnExit();
    await exited;
    throw err;
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://localhost:${uiPort}`,
    pid: child.pid,
    exited,
    stop: () => {
      requested = true;
      return stopChild(child, exited);
    },
  };
}

/** The server's JSON log lines at their own level; its plain banner lines at debug. */
function forwardLine(log: Logger, line: string): void {
  if (!line.trim()) return;
  let entry: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === 'object') entry = parsed as Record<string, unknown>;
  } catch {
    // a plain line
  }
  if (!entry) {
    log.debug(line);
    return;
  }
  const { level, msg, ts: _ts, ...fields } = entry;
  const method = level === 'error' || level === 'dpanic' || level === 'panic' || level === 'fatal' ? 'error' : level === 'warn' ? 'warn' : level === 'info' ? 'info' : 'debug';
  log[method](fields, typeof msg === 'string' ? msg : line);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Resolves once the server accepts connections and knows the namespace. */
async function whenReady(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (await accepts(host, port)) {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 }).catch((err: unknown) => {
        lastError = err;
        return undefined;
      });
      if (connection) {
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return;
        } catch (err) {
          lastError = err;
        } finally {
          await connection.close();
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Temporal dev server did not answer within ${timeoutMs / 1000} s${lastError ? `: ${String(lastError)}` : ''}`);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Without an executable: the SDK downloads the CLI (needs internet) and runs it. */
async function startWithSdk(options: DevServerOptions, uiPort: number | undefined): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      dbFilename: path.join(options.dataDir, 'temporal.sqlite'),
      namespace: options.namespace,
      ui: uiPort !== undefined,
      ...(uiPort !== undefined ? { uiPort } : {}),
      log: { format: 'json', level: 'error' },
    },
  });
  return {
    address: env.address,
    uiUrl: uiPort === undefined ? undefined : `http://localhost:${uiPort}`,
    pid: undefined,
    exited: new Promise(() => undefined),
    stop: () => env.teardown(),
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
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
