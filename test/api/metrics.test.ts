// GET /metrics against the real product: Prometheus text that parses, counting an open
// escalation, a breach and briefs by status from the database, each party series named by the
// party's id and name; the same API keys guard it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { METRICS_CONTENT_TYPE } from '../../api/routes/metrics';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory, type Member } from '../support/directory';
import { apiClient, eventually } from '../support/http';
import { devServerEnv } from '../support/temporal';

const QUICK_TARGETS = JSON.stringify({ acknowledge: { P1: 'PT2S' } });
/** A party name with every character the text format escapes in label values: backslash, double quote, line feed. */
const AGENCY_NAME = 'Pixelwerk "Agentur" \\ Köln\nBerlin';
/** The same as it must appear between the label's quotes. */
const AGENCY_NAME_ESCAPED = 'Pixelwerk \\"Agentur\\" \\\\ Köln\\nBerlin';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format strictly enough to fail on anything malformed. */
function parseExposition(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').slice(0, -1)) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types[type[1]] = type[2];
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`not a line of the text format: ${JSON.stringify(line)}`);
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    expect(types[sample[1]]).toBeDefined();
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('GET /metrics', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let manager: Member;
  let agencyId: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_SLA_TARGETS: QUICK_TARGETS } });
    const dir = directory(handoff.url);
    const shop = await dir.party('Shop', 'ecommerce');
    agencyId = await dir.party(AGENCY_NAME);
    manager = await dir.member(shop, 'manager');
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  async function scrape(key = manager.key) {
    const res = await fetch(`${handoff.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
    return parseExposition(await res.text());
  }

  test('counts open escalations, breaches, warnings and briefs by status from the database', async () => {
    const before = await scrape();
    expect(before.types).toEqual({
      handoff_escalations_open: 'gauge',
      handoff_sla_breaches_total: 'counter',
      handoff_sla_warnings_total: 'counter',
      handoff_briefs: 'gauge',
      handoff_programs: 'gauge',
      handoff_program_briefs: 'gauge',
      handoff_program_escalations_open: 'gauge',
      handoff_reconciler_repairs_total: 'counter',
    });
    expect(valueOf(before.samples, 'handoff_briefs', { status: 'awaiting_ack' })).toBe(0);

    const quick = await manager.client.post('/v1/briefs', { title: 'Feed fix', description: 'Prices missing', partyId: agencyId, priority: 'P1' });
    const slow = await manager.client.post('/v1/briefs', { title: 'Returns page', description: 'New copy', partyId: agencyId, priority: 'P3' });
    expect([quick.status, slow.status]).toEqual([201, 201]);
    await eventually(async () => ((await manager.client.get(`/v1/escalations?briefId=${quick.body.id}`)).body.items?.length ? true : undefined), 30_000);

    const after = await scrape();
    // Every series of the party carries its name beside its id, escaped as the format requires.
    for (const name of ['handoff_escalations_open', 'handoff_sla_breaches_total', 'handoff_sla_warnings_total']) {
      const series = after.samples.filter((s) => s.name === name && s.labels.party === agencyId);
      expect({ name, partyNames: series.map((s) => s.labels.party_name) }).toEqual({ name, partyNames: [AGENCY_NAME_ESCAPED] });
    }
    expect(AGENCY_NAME_ESCAPED.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))).toBe(AGENCY_NAME);
    expect(valueOf(after.samples, 'handoff_escalations_open', { level: '1', party: agencyId })).toBe(1);
    expect(valueOf(after.samples, 'handoff_sla_breaches_total', { clock: 'acknowledge', party: agencyId })).toBe(1);
    expect(valueOf(after.samples, 'handoff_sla_warnings_total', { clock: 'acknowledge', party: agencyId })).toBe(1);
    expect(valueOf(after.samples, 'handoff_briefs', { status: 'awaiting_ack' })).toBe(2);
    expect(valueOf(after.samples, 'handoff_briefs', { status: 'approved' })).toBe(0);

    // An acknowledged escalation is no longer open; the breach stays counted.
    const [escalation] = (await manager.client.get(`/v1/escalations?briefId=${quick.body.id}`)).body.items;
    expect((await manager.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {})).status).toBe(200);
    const acknowledged = await scrape();
    expect(valueOf(acknowledged.samples, 'handoff_escalations_open', { level: '1', party: agencyId }) ?? 0).toBe(0);
    expect(valueOf(acknowledged.samples, 'handoff_sla_breaches_total', { clock: 'acknowledge', party: agencyId })).toBe(1);
  }, 60_000);

  test('needs an API key of an admin, a manager or an e-commerce watcher', async () => {
    const dir = directory(handoff.url);
    const shop = (await apiClient(handoff.url, ADMIN_KEY).get('/v1/parties?limit=200')).body.items.find((p: { kind: string }) => p.kind === 'ecommerce').id as string;
    const shopWatcher = await dir.member(shop, 'watcher');
    const agencyWatcher = await dir.member(agencyId, 'watcher');
    const agencyMember = await dir.member(agencyId, 'member');
    await scrape(ADMIN_KEY);
    await scrape(shopWatcher.key);
    for (const [who, headers, status] of [
      ['anonymous', {}, 401],
      ['an unknown key', { authorization: 'Bearer hk_nope' }, 401],
      ['an agency watcher', { authorization: `Bearer ${agencyWatcher.key}` }, 403],
      ['an agency member', { authorization: `Bearer ${agencyMember.key}` }, 403],
    ] as const) {
      const res = await fetch(`${handoff.url}/metrics`, { headers });
      expect({ who, status: res.status, type: res.headers.get('content-type') }).toEqual({ who, status, type: expect.stringMatching(/^application\/problem\+json/) });
      await res.text();
    }
  });
});
