import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirInUse, LOCK_FILE, lockDataDir } from '../../lib/data-lock';

describe('lockDataDir', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records this process as the holder and removes the lock on release', () => {
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.recordDevServer(4242);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).devServerPid).toBe(4242);
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder held by a running Node process, naming it', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid, startedAt: '2026-11-27T09:00:00.000Z' }));
      let error: unknown;
      try {
        lockDataDir(dir);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DataDirInUse);
      expect((error as Error).message).toContain(`pid ${holder.pid}`);
      expect((error as Error).message).toContain('HANDOFF_DATA_DIR');
    } finally {
      holder.kill();
    }
  });

  it('takes over the lock of a process that is gone, and a half-written lock', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: gone.pid, startedAt: '2026-11-27T09:00:00.000Z' }));
    lockDataDir(dir).release();
    writeFileSync(path.join(dir, LOCK_FILE), '{"pid":');
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});
