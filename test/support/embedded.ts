// Runs the embedded start (`npm start`, or node on start/embedded.ts) as a user does, in a child
// process, and reads what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { LOCK_FILE, type LockHolder } from '../../lib/data-lock';

export const ROOT = path.resolve(__dirname, '..', '..');
export const READY = /Handoff is ready at (http:\/\/localhost:(\d+))/;

export interface Embedded {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** `npm` runs `npm start` (npm, then node); `node` runs the entry point directly. */
  via?: 'npm' | 'node';
  env?: Record<string, string>;
  /** Resolve on exit instead of failing when the process ends before it is ready. */
  mayExit?: boolean;
}

/** Starts Handoff and resolves once it printed its banner (or, with mayExit, once it exited). */
export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    PORT: '0',
    HANDOFF_DATA_DIR: options.dataDir,
    // A free port: a developer's own Handoff may hold the default 8233.
    HANDOFF_TEMPORAL_UI_PORT: '0',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: '',
    DATABASE_URL: '',
    SMTP_URL: '',
    ...options.env,
  };
  const child =
    options.via === 'npm'
      ? spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, ['--import', 'tsx', 'start/embedded.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 90 s:\n${output}`)), 90_000);
    const check = () => {
      const found = READY.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      if (options.mayExit) resolve(undefined);
      else reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, url: match?.[1] ?? '', port: Number(match?.[2] ?? 0), output: () => output, exited };
}

/** Sends SIGTERM and waits for the exit code. */
export async function stopEmbedded(started: Embedded): Promise<number | null> {
  started.child.kill('SIGTERM');
  return started.exited;
}

/** The lock file's record of who holds the data folder, if any. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie waiting to be reaped does not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The ids of a process's children. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Whether anything accepts connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The API key printed for a demo member in the one-time listing. */
export function keyOf(output: string, memberName: string): string {
  const line = output.split('\n').find((l) => l.includes(memberName) && l.includes('hk_'));
  if (!line) throw new Error(`no key printed for ${memberName}`);
  return line.trim().split(/\s+/).pop() as string;
}
