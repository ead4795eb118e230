// The Handoff the bench measures, always in processes of its own so their memory can be read:
// - embedded (default): `node start/embedded.ts` on a fresh temporary data folder: API, worker
//   and PGlite in one node process, and the Temporal dev server it starts as its child;
// - external (TEMPORAL_ADDRESS and DATABASE_URL set): `npm run db:migrate`, then the production
//   API and one production worker as two processes against that server and database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { LOCK_FILE, type LockHolder } from '../lib/data-lock';
import { pgliteExecutor } from '../lib/db/database';
import type { SqlExecutor } from '../prisma/migrate';
import { generateApiKey } from '../lib/keys';
import { WORKFLOW_BUNDLE_PATH } from '../worker/worker';
import { createDirectory, demoDirectory, type BenchDirectory } from './directory';
import { ROOT } from './machine';
import { sleep } from './pool';
import { note } from './progress';

export interface Stack {
  mode: 'embedded' | 'external';
  url: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  dataDir: string;
  /** The database, when the bench may read it directly (external mode; PGlite lives inside the embedded process). */
  databaseUrl?: string;
  directory: BenchDirectory;
  /** The process that runs the brief workflows and activities (embedded: the one node process). */
  workerPid: number;
  /** The stack's processes by role, for the memory detail. */
  pids: Record<string, number | undefined>;
  /** The stack's last lines of output, for error messages. */
  recentOutput(): string;
  /**
   * Runs `work` on the stack's database itself. External: on a connection of its own beside the
   * running stack. Embedded: PGlite admits one process, so Handoff stops, the bench opens its
   * data folder, and Handoff starts again on the same folder and port with `restartEnv` added
   * (the url stays; the process ids and the dev server's address are updated).
   */
  withDatabase<T>(work: (db: SqlExecutor) => Promise<T>, restartEnv?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Extra Node.js options for the stack's processes, from BENCH_NODE_ARGS (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/profiles` to see where their time goes).
 */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/** The stack's environment: logs at warn (the bench measures the product, not log shipping), no rate limit to speak of, emails to files. */
function stackEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HANDOFF_RATE_LIMIT: '1000000',
    // The bench drives everything from one address and a few members: the limits are counted but never reached.
    HANDOFF_RATE_LIMIT_PER_ADDRESS: '10000000',
    HANDOFF_RATE_LIMIT_METRICS: '1000000',
    HANDOFF_RATE_LIMIT_PER_LINK: '1000000',
    HANDOFF_MAX_STREAMS_PER_MEMBER: '10000',
    // The bench's webhook receiver listens on 127.0.0.1, which Handoff reaches only when allowed.
    HANDOFF_OUTBOUND_ALLOW: '127.0.0.1/32',
    SMTP_URL: '',
    ...extra,
  };
}

/** Keeps the last lines a process printed; its pipes must be read or it blocks. */
class OutputTail {
  private lines: string[] = [];
  /** Everything until the start is over (the banner with the demo keys is read from it). */
  private head = '';
  private keepingHead = true;

  attach(child: ChildProcess, label: string): void {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (this.keepingHead) this.head += text;
        for (const line of text.split('\n')) if (line.trim()) this.lines.push(`${label}: ${line}`);
        if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
      });
    }
  }

  startOutput(): string {
    return this.head;
  }

  stopKeepingHead(): void {
    this.keepingHead = false;
    this.head = '';
  }

  recent(): string {
    return this.lines.slice(-40).join('\n');
  }
}

async function stopChild(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const READY = /Handoff is ready at (http:\/\/localhost:\d+)/;

interface EmbeddedProcess {
  child: ChildProcess;
  url: string;
  output: OutputTail;
  devServerPid: number | undefined;
}

/** Starts `start/embedded.ts` on the data folder and waits for its banner. */
async function launchEmbedded(dataDir: string, extraEnv: Record<string, string>): Promise<EmbeddedProcess> {
  const env = stackEnv({ PORT: '0', HANDOFF_DATA_DIR: dataDir, HANDOFF_TEMPORAL_UI_PORT: '0', TEMPORAL_ADDRESS: '', DATABASE_URL: '', HANDOFF_SEED_DEMO: 'true', ...extraEnv });
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', 'start/embedded.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail();
  output.attach(child, 'handoff');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the embedded start was not ready within 120 s:\n${output.recent()}`)), 120_000);
      const check = () => {
        const found = READY.exec(output.startOutput());
        if (found) {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve(found[1]);
        }
      };
      child.stdout?.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the embedded start exited with ${code}:\n${output.recent()}`));
      });
    });
    const holder = JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
    return { child, url, output, devServerPid: holder.devServerPid };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

export async function startEmbeddedStack(): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-'));
  let current: EmbeddedProcess | undefined;
  const stop = async () => {
    if (current) await stopChild(current.child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    current = await launchEmbedded(dataDir, {});
    const directory = await demoDirectory(current.url, current.output.startOutput());
    current.output.stopKeepingHead();
    const stack: Stack = {
      mode: 'embedded',
      url: current.url,
      temporalAddress: `127.0.0.1:${devServerPort(current.devServerPid)}`,
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: process.env.TEMPORAL_TASK_QUEUE || 'handoff',
      dataDir,
      directory,
      workerPid: current.child.pid as number,
      pids: { handoff: current.child.pid, temporalDevServer: current.devServerPid },
      recentOutput: () => current?.output.recent() ?? '',
      async withDatabase(work, restartEnv = {}) {
        const { port } = new URL(stack.url);
        await stopChild((current as EmbeddedProcess).child);
        current = undefined;
        const pglite = await PGlite.create({ dataDir: path.join(dataDir, 'pglite') });
        let result: Awaited<ReturnType<typeof work>>;
        try {
          result = await work(pgliteExecutor(pglite));
        } finally {
          await pglite.close();
        }
        current = await launchEmbedded(dataDir, { PORT: port, ...restartEnv });
        current.output.stopKeepingHead();
        stack.url = current.url;
        stack.temporalAddress = `127.0.0.1:${devServerPort(current.devServerPid)}`;
        stack.workerPid = current.child.pid as number;
        stack.pids.handoff = current.child.pid;
        stack.pids.temporalDevServer = current.devServerPid;
        return result;
      },
      stop,
    };
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The gRPC port of the dev server the embedded start runs (from its command line). */
function devServerPort(pid: number | undefined): number {
  if (!pid) throw new Error('the embedded start recorded no Temporal dev server (is `temporal` on PATH?)');
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const port = Number(args[args.indexOf('--port') + 1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no --port in the dev server's command line: ${args.join(' ')}`);
  return port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The newest modification time of a file under a folder. */
function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Production workers load dist/workflow-bundle.js when it exists. One older than the workflow
 * sources would measure old code: rebuild it, as a deploy does (`npm run build:workflows`).
 */
function refreshWorkflowBundle(): void {
  if (!existsSync(WORKFLOW_BUNDLE_PATH)) return;
  if (statSync(WORKFLOW_BUNDLE_PATH).mtimeMs >= newestMtime(path.join(ROOT, 'workflows'))) return;
  note('dist/workflow-bundle.js is older than workflows/: rebuilding it (npm run build:workflows)');
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'worker/build-bundle.ts'], { cwd: ROOT, env: stackEnv({}), encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build:workflows failed:\n${built.stdout}${built.stderr}`);
}

export async function startExternalStack(databaseUrl: string, temporalAddress: string): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-bench-'));
  const givenAdminKey = process.env.HANDOFF_BOOTSTRAP_ADMIN_KEY;
  const adminKey = givenAdminKey || generateApiKey().key;
  const port = await freePort();
  // A task queue of its own: other workers on the same server must not take the bench's briefs.
  const taskQueue = `handoff-bench-${randomBytes(4).toString('hex')}`;
  const env = stackEnv({
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    HANDOFF_DATA_DIR: dataDir,
    HANDOFF_BOOTSTRAP_ADMIN_KEY: adminKey,
    PORT: String(port),
  });

  note('migrating the database (npm run db:migrate)');
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', 'prisma/migrate-cli.ts'], { cwd: ROOT, env, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`npm run db:migrate failed:\n${migrated.stdout}${migrated.stderr}`);
  if (!givenAdminKey && !migrated.stdout.includes('bootstrap admin created')) {
    throw new Error('the database already has an admin: use a fresh database, or set HANDOFF_BOOTSTRAP_ADMIN_KEY to an admin key of it');
  }
  refreshWorkflowBundle();

  const output = new OutputTail();
  const worker = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', 'worker/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  output.attach(worker, 'worker');
  const api = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', 'api/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  output.attach(api, 'api');
  output.stopKeepingHead();
  const stop = async () => {
    await Promise.all([stopChild(api), stopChild(worker)]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = `http://localhost:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      for (const [name, child] of [['worker', worker], ['api', api]] as const) {
        if (child.exitCode !== null) throw new Error(`the ${name} process exited with ${child.exitCode}:\n${output.recent()}`);
      }
      const health = await fetch(`${url}/healthz`).catch(() => undefined);
      if (health?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the API did not answer /healthz within 90 s:\n${output.recent()}`);
      await sleep(250);
    }
    const directory = await createDirectory(url, adminKey);
    return {
      mode: 'external',
      url,
      temporalAddress,
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      taskQueue,
      dataDir,
      databaseUrl,
      directory,
      workerPid: worker.pid as number,
      pids: { worker: worker.pid, api: api.pid },
      recentOutput: () => output.recent(),
      async withDatabase(work) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          return await work({
            exec: async (sql) => {
              await client.query(sql);
            },
            query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
          });
        } finally {
          await client.end();
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
