// `npm start` owns what it starts: whichever process of the chain (npm, node, the Temporal dev
// server) is stopped with SIGTERM, SIGINT or SIGHUP, the API, the worker and the dev server stop
// within seconds and free their ports; a second start on a folder in use refuses at once; a dev
// server left behind by a killed process is cleaned up by the next start.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient } from '../support/http';
import { accepts, childrenOf, isRunning, lockHolder, startEmbedded, stopEmbedded, type Embedded } from '../support/embedded';

interface Chain {
  started: Embedded;
  npm: number;
  node: number;
  devServer: number;
  /** The Temporal dev server's UI port, from the banner. */
  uiPort: number;
}

async function startChain(dataDir: string): Promise<Chain> {
  const started = await startEmbedded({ dataDir, via: 'npm' });
  const npm = started.child.pid as number;
  // npm runs the start script with exec: node is npm's own child, no shell in between.
  const [node] = childrenOf(npm);
  const holder = lockHolder(dataDir);
  expect(holder?.pid).toBe(node);
  expect(holder?.devServerPid).toBeDefined();
  expect(childrenOf(node)).toContain(holder?.devServerPid);
  const uiPort = Number(/Temporal UI\s+http:\/\/localhost:(\d+)/.exec(started.output())?.[1]);
  expect(uiPort).toBeGreaterThan(0);
  return { started, npm, node, devServer: holder?.devServerPid as number, uiPort };
}

/** Everything of the chain is gone within `withinMs`: processes, ports and the lock. */
async function expectAllStopped(chain: Chain, dataDir: string, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  const running = async () =>
    [
      isRunning(chain.node) ? 'node' : undefined,
      isRunning(chain.devServer) ? 'temporal dev server' : undefined,
      (await accepts(chain.started.port)) ? `API port ${chain.started.port}` : undefined,
      (await accepts(chain.uiPort)) ? `UI port ${chain.uiPort}` : undefined,
      lockHolder(dataDir) ? 'lock file' : undefined,
    ].filter(Boolean);
  let left = await running();
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = await running();
  }
  if (left.length) {
    for (const pid of [chain.npm, chain.node, chain.devServer]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    throw new Error(`still there after ${withinMs} ms: ${left.join(', ')}\n${chain.started.output().slice(-3000)}`);
  }
}

describe('npm start owns its processes', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test.each([
    ['npm', 'SIGTERM'],
    ['npm', 'SIGHUP'],
    ['npm', 'SIGINT'],
    ['node', 'SIGINT'],
    ['node', 'SIGHUP'],
    ['temporal dev server', 'SIGTERM'],
  ] as const)('stopping %s with %s stops the API, the worker and the dev server and frees the ports', async (target, signal) => {
    const chain = await startChain(dataDir);
    expect((await apiClient(chain.started.url).get('/healthz')).status).toBe(200);
    const pid = target === 'npm' ? chain.npm : target === 'node' ? chain.node : chain.devServer;
    process.kill(pid, signal);
    await expectAllStopped(chain, dataDir);
    await chain.started.exited;
  }, 120_000);

  test('a second start on a data folder in use says so at once and exits; the first runs on', async () => {
    const first = await startEmbedded({ dataDir });
    try {
      const before = Date.now();
      const second = await startEmbedded({ dataDir, mayExit: true });
      expect(await second.exited).toBe(1);
      expect(Date.now() - before).toBeLessThan(10_000);
      expect(second.output()).toContain('Handoff is already running');
      expect(second.output()).toContain(`pid ${first.child.pid}`);
      expect(second.output()).not.toContain('Handoff is ready');
      expect((await apiClient(first.url).get('/healthz')).status).toBe(200);
    } finally {
      expect(await stopEmbedded(first)).toBe(0);
    }
  }, 120_000);

  test('a start after a killed one takes the folder over and stops the dev server left behind', async () => {
    const killed = await startEmbedded({ dataDir });
    const holder = lockHolder(dataDir);
    const devServer = holder?.devServerPid as number;
    killed.child.kill('SIGKILL');
    await killed.exited;
    // SIGKILL leaves no chance to clean up: the dev server (in its own process group) runs on.
    expect(isRunning(devServer)).toBe(true);
    const next = await startEmbedded({ dataDir });
    try {
      expect(isRunning(devServer)).toBe(false);
      expect(lockHolder(dataDir)?.pid).toBe(next.child.pid);
      expect((await apiClient(next.url).get('/healthz')).status).toBe(200);
    } finally {
      expect(await stopEmbedded(next)).toBe(0);
    }
  }, 120_000);
});
