// Where and on what a run happened: the machine, the load on it, the code; and the results file.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'results.jsonl');

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  /** 1-minute load average when the run began and ended: other work on the machine shows here. */
  loadAverage: { start: number; end?: number };
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: { start: Math.round(os.loadavg()[0] * 100) / 100 },
  };
}

export interface CodeVersion {
  commit: string;
  /** Uncommitted changes in the working tree: the run measured them too. */
  dirty: boolean;
}

/** Read-only git queries (no index refresh: other work may run in the same tree). */
export function codeVersion(): CodeVersion {
  const git = (...args: string[]) => execFileSync('git', ['--no-optional-locks', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no').length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export function appendResult(line: object): void {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify(line)}\n`);
}

export interface MemoryStatus {
  /** Peak resident set size (VmHWM), MB. */
  peakMb: number;
  /** Resident set size now (VmRSS), MB. */
  currentMb: number;
}

/** A process's memory from /proc (Linux); undefined when it is gone or the system has no /proc. */
export function memoryOf(pid: number | undefined): MemoryStatus | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakMb: Math.round(kb('VmHWM') / 102.4) / 10, currentMb: Math.round(kb('VmRSS') / 102.4) / 10 };
  } catch {
    return undefined;
  }
}
