// Against the running product (API, worker, database, Temporal dev server): a brief under a 24x7
// policy of a few seconds that nobody acknowledges is escalated at its due instant, and the
// escalation arrives on the live stream and in GET /v1/escalations within one second of it.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { directory } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { devServerEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let handoff: TestHandoff;

beforeAll(async () => {
  env = await devServerEnv();
  handoff = await startTestHandoff(env, { database: 'postgres' });
}, 120_000);

afterAll(async () => {
  await handoff?.cleanup();
  await env?.teardown();
});

interface StreamEvent {
  id: string;
  event: string;
  data: { id: string; briefId: string; level: number; clock: string; agreement: string };
  receivedAt: number;
}

/** Reads a Server-Sent Events stream, noting when each event arrived. */
function openStream(url: string, key: string) {
  const controller = new AbortController();
  const events: StreamEvent[] = [];
  const opened = fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: controller.signal }).then(async (res) => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((line) => line && !line.startsWith(':'))
                .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
            );
            if (fields.data) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data), receivedAt: Date.now() });
          }
        }
      } catch {
        // aborted at the end of the test
      }
    })();
  });
  return { events, opened, close: () => controller.abort() };
}

test('an unacknowledged brief under a 24x7 policy of seconds escalates on the stream and in the list within a second of its due instant', async () => {
  const dir = directory(handoff.url);
  const shop = await dir.party('Shop', 'ecommerce');
  const agency = await dir.party('Pixel agency', 'agency');
  const manager = await dir.member(shop, 'manager');
  const lead = await dir.member(shop, 'watcher', 'Head of IT');

  const policy = await dir.admin.post('/v1/sla-policies', {
    name: 'Seconds (24x7)',
    targets: { acknowledge: { P2: 'PT3S' } },
    warnAt: 0.5,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }, { after: 'PT2S', notify: ['watchers'] }] },
  });
  expect(policy.status).toBe(201);

  const stream = openStream(`${handoff.url}/v1/escalations/stream`, lead.key);
  await stream.opened;
  try {
    const created = await manager.client.post('/v1/briefs', {
      title: 'Size chart',
      description: 'New size chart for shoes',
      partyId: agency,
      priority: 'P2',
      slaPolicyId: policy.body.id,
    });
    expect(created.status).toBe(201);
    expect(created.body.slaPolicy).toMatchObject({ id: policy.body.id, calendarId: null, agreement: 'external' });
    const briefId = created.body.id as string;
    const dueAt = Date.parse(created.body.sla.acknowledge.dueAt);
    expect(dueAt - Date.parse(created.body.createdAt)).toBe(3000);

    // The list shows it within a second of the due instant.
    let listedAt: number | undefined;
    while (listedAt === undefined && Date.now() < dueAt + 5000) {
      const list = await lead.client.get(`/v1/escalations?briefId=${briefId}&level=1`);
      expect(list.status).toBe(200);
      if (list.body.items.length > 0) {
        listedAt = Date.now();
        expect(list.body.items[0]).toMatchObject({ briefId, partyId: agency, clock: 'acknowledge', level: 1, state: 'open', agreement: 'external' });
      } else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listedAt).toBeDefined();
    expect((listedAt as number) - dueAt).toBeLessThan(1000);

    // The stream delivered level 1 within a second, then level 2 two seconds later.
    const deadline = Date.now() + 10_000;
    while (stream.events.filter((e) => e.data.briefId === briefId).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const raised = stream.events.filter((e) => e.data.briefId === briefId && e.event === 'escalation.raised');
    expect(raised.map((e) => e.data.level)).toEqual([1, 2]);
    expect(raised[0].receivedAt - dueAt).toBeLessThan(1000);
    expect(raised[0].receivedAt).toBeGreaterThanOrEqual(dueAt);
    expect(raised[1].receivedAt - (dueAt + 2000)).toBeLessThan(1000);
    expect(raised[0].data).toMatchObject({ clock: 'acknowledge', agreement: 'external' });
  } finally {
    stream.close();
  }
}, 60_000);
