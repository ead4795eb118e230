// `npm start` as a new user runs it: one process with API, worker, a Temporal dev server and
// PGlite, everything persisted under the data folder and still there after a restart; a banner
// that says where everything is; readable log lines, the dev server's among them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient, eventually } from '../support/http';
import { keyOf, startEmbedded, stopEmbedded } from '../support/embedded';

/** A pretty log line: time, level, message. */
const LOG_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;

describe('npm start (embedded mode)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('serves the API with a seeded demo directory and keeps everything across a restart', async () => {
    const first = await startEmbedded({ dataDir, env: { LOG_LEVEL: 'debug' } });
    let briefId: string;
    let managerKey: string;
    let memberKey: string;
    try {
      const output = first.output();
      expect((await apiClient(first.url).get('/healthz')).status).toBe(200);
      managerKey = keyOf(output, 'Mara Manager');
      memberKey = keyOf(output, 'Paula Pixel');
      const manager = apiClient(first.url, managerKey);
      const parties = await manager.get('/v1/parties');
      expect(parties.body.items.map((p: { kind: string }) => p.kind).sort()).toEqual(['agency', 'agency', 'ecommerce', 'it', 'logistics']);
      const agency = parties.body.items.find((p: { name: string }) => p.name === 'Pixelwerk Agentur');
      // The banner lists every party with its id, as the README's walkthrough needs them.
      expect(output).toMatch(new RegExp(`Pixelwerk Agentur\\s+${agency.id}`));
      const created = await manager.post('/v1/briefs', { title: 'Size chart', description: 'New size chart for shoes', partyId: agency.id });
      expect(created.status).toBe(201);
      briefId = created.body.id;

      // The banner says where everything is.
      const ui = /^ {2}Temporal UI\s+(http:\/\/localhost:\d+)$/m.exec(output)?.[1];
      expect(ui).toBeDefined();
      expect((await fetch(ui as string)).status).toBe(200);
      expect(output).toMatch(new RegExp(`^ {2}API reference\\s+${first.url}/docs$`, 'm'));
      expect(output).toMatch(new RegExp(`^ {2}Emails\\s+written to ${dataDir}/outbox \\(SMTP_URL is not set\\)$`, 'm'));
      expect(output).toMatch(new RegExp(`^ {2}Data\\s+${dataDir}$`, 'm'));

      // Log lines are for people, and the dev server's own lines are among them.
      const logLines = output.split('\n').filter((l) => LOG_LINE.test(l));
      expect(logLines.some((l) => l.includes('API listening'))).toBe(true);
      expect(logLines.some((l) => l.includes('"component":"temporal-server"'))).toBe(true);
      expect(output.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
      // Keys never reach the log stream, only the one-time listing.
      expect(logLines.filter((l) => l.includes(managerKey))).toEqual([]);

      // A browser pointed at the address finds its way.
      const home = await fetch(`${first.url}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await home.text();
      // The web app: its page, the script it names (served by the same process), and the banner says where.
      expect(page).toContain('<div id="app"></div>');
      expect(page).toContain('href="/docs"');
      const script = /<script type="module" src="(\/assets\/[\w.-]+\.js)"><\/script>/.exec(page)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(`${first.url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(output).toMatch(new RegExp(`^ {2}App\\s+${first.url}/ `, 'm'));
    } finally {
      expect(await stopEmbedded(first)).toBe(0);
    }

    const second = await startEmbedded({ dataDir, env: { LOG_FORMAT: 'json' } });
    try {
      expect(second.output()).not.toContain('Demo directory created');
      // LOG_FORMAT=json gives the production format.
      // (pino writes JSON asynchronously: the line may follow the banner.)
      await eventually(async () => second.output().split('\n').find((l) => l.startsWith('{') && l.includes('"msg":"API listening"')));
      const read = await apiClient(second.url, managerKey).get(`/v1/briefs/${briefId}`);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('awaiting_ack');
      const acknowledged = await apiClient(second.url, memberKey).post(`/v1/briefs/${briefId}/acknowledge`, {});
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.status).toBe('in_progress');
    } finally {
      const code = await stopEmbedded(second);
      if (code !== 0) console.log(second.output().slice(-6000));
      expect(code).toBe(0);
    }
  }, 180_000);
});
