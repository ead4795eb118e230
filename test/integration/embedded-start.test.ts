// `npm start` as a new user runs it: one process with API, worker, a Temporal dev server and
// PGlite, everything persisted under the data folder and still there after a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient } from '../support/http';

const ROOT = path.resolve(__dirname, '..', '..');
const READY = /Handoff is ready at (http:\/\/localhost:\d+)/;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function start(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/embedded.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0', HANDOFF_DATA_DIR: dataDir, LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: '', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  started.child.kill('SIGTERM');
  return exited;
}

function keyOf(output: string, memberName: string): string {
  const line = output.split('\n').find((l) => l.includes(memberName) && l.includes('hk_'));
  if (!line) throw new Error(`no key printed for ${memberName}`);
  return line.trim().split(/\s+/).pop() as string;
}

describe('npm start (embedded mode)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('serves the API with a seeded demo directory and keeps everything across a restart', async () => {
    const first = await start(dataDir);
    let briefId: string;
    let managerKey: string;
    let memberKey: string;
    try {
      expect((await apiClient(first.url).get('/healthz')).status).toBe(200);
      managerKey = keyOf(first.output(), 'Mara Manager');
      memberKey = keyOf(first.output(), 'Paula Pixel');
      const manager = apiClient(first.url, managerKey);
      const parties = await manager.get('/v1/parties');
      expect(parties.body.items.map((p: { kind: string }) => p.kind).sort()).toEqual(['agency', 'agency', 'ecommerce', 'it', 'logistics']);
      const agency = parties.body.items.find((p: { name: string }) => p.name === 'Pixelwerk Agentur');
      const created = await manager.post('/v1/briefs', { title: 'Size chart', description: 'New size chart for shoes', partyId: agency.id });
      expect(created.status).toBe(201);
      briefId = created.body.id;
      // Keys never reach the log stream, only the one-time listing.
      expect(first.output().split('\n').filter((l) => l.includes(managerKey) && l.startsWith('{'))).toEqual([]);
    } finally {
      expect(await stop(first)).toBe(0);
    }

    const second = await start(dataDir);
    try {
      expect(second.output()).not.toContain('Demo directory created');
      const read = await apiClient(second.url, managerKey).get(`/v1/briefs/${briefId}`);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('awaiting_ack');
      const acknowledged = await apiClient(second.url, memberKey).post(`/v1/briefs/${briefId}/acknowledge`, {});
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.status).toBe('in_progress');
    } finally {
      const code = await stop(second);
      if (code !== 0) console.log(second.output().slice(-6000));
      expect(code).toBe(0);
    }
  }, 150_000);
});
