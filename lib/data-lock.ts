// One Handoff per data folder: a lock file naming the process that holds the folder (and the
// Temporal dev server it runs), so a second start on the same folder stops at once with a clear
// message instead of colliding on the database. A lock left by a process that died is taken
// over, and a dev server that outlived its process is stopped first: it still holds the
// folder's Temporal database.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'handoff.lock';

export interface LockHolder {
  pid: number;
  startedAt: string;
  devServerPid?: number;
}

export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the data folder ${dataDir} is in use by another Handoff (pid ${holder.pid}, running since ${holder.startedAt}); ` +
        'stop that one first, or set HANDOFF_DATA_DIR to another folder',
    );
  }
}

export interface DataLock {
  file: string;
  /** Records the dev server this process runs, so that a later start can stop it if this process dies. */
  recordDevServer(pid: number | undefined): void;
  release(): void;
}

/** Whether a process runs under this id (one we may not signal counts as running). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, where the system shows it (Linux); undefined elsewhere. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, startedAt: String(parsed.startedAt), devServerPid: parsed.devServerPid } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written: treat as a lock of nobody.
    return { pid: -1, startedAt: 'unknown' };
  }
}

/** A holder is alive while its process runs, and still is Node (not a recycled pid). */
function holds(holder: LockHolder): boolean {
  if (holder.pid <= 0 || holder.pid === process.pid || !isRunning(holder.pid)) return false;
  const cmd = commandLine(holder.pid);
  return cmd === undefined || /node/.test(cmd);
}

/** Stops a dev server left behind by a holder that died, if it still runs on this folder. */
function stopLeftoverDevServer(holder: LockHolder, dataDir: string): void {
  const pid = holder.devServerPid;
  if (!pid || !isRunning(pid)) return;
  const cmd = commandLine(pid);
  if (cmd === undefined || !cmd.includes('start-dev') || !cmd.includes(dataDir)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

export function lockDataDir(dataDir: string): DataLock {
  const file = path.join(dataDir, LOCK_FILE);
  const self: LockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(self), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const holder = readHolder(file);
    if (!holder) continue;
    if (holds(holder)) throw new DataDirInUse(dataDir, holder);
    stopLeftoverDevServer(holder, dataDir);
    try {
      unlinkSync(file);
    } catch {
      // another start took it over meanwhile: the next attempt sees its lock
    }
  }
  const ours = () => readHolder(file)?.pid === process.pid;
  return {
    file,
    recordDevServer(pid) {
      if (ours()) writeFileSync(file, JSON.stringify({ ...self, devServerPid: pid }));
    },
    release() {
      if (!ours()) return;
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
