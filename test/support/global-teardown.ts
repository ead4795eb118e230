// Jest global teardown: removes what the global setup built.
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const dir = (globalThis as { handoffTestRunDir?: string }).handoffTestRunDir;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
