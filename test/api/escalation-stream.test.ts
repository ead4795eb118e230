// GET /v1/escalations/stream against the real product (API, worker, Temporal dev server,
// PostgreSQL): raised and acknowledged escalations arrive as Server-Sent Events with ids, within
// a second of the clock's due instant; a reconnection with Last-Event-ID gets exactly what it
// missed, and one with an id the feed never had is told so; a re-escalation names the escalation it
// follows; filters and visibility hold; shutdown ends open streams. P1 acknowledge clocks run out
// after two seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory, type Member } from '../support/directory';
import { eventually, type ApiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';

const QUICK_TARGETS = JSON.stringify({ acknowledge: { P1: 'PT2S' } });

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
}

/** A Server-Sent Events client over fetch that keeps every event and comment it receives. */
class EventStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  private constructor(readonly response: Response) {}

  static async open(url: string, key: string, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const controller = new AbortController();
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers }, signal: controller.signal });
    const stream = new EventStream(response);
    stream.abort.signal.addEventListener('abort', () => controller.abort());
    if (response.status === 200) stream.done = stream.read();
    return stream;
  }

  private async read(): Promise<void> {
    const reader = this.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
          this.block(buffer.slice(0, end));
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      this.ended = true;
    }
  }

  private block(text: string): void {
    const event: SseEvent = { data: '', receivedAt: Date.now() };
    const data: string[] = [];
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      const [, field, value] = /^([^:]+):? ?(.*)$/.exec(line) ?? [];
      if (field === 'id') event.id = value;
      if (field === 'event') event.event = value;
      if (field === 'data') data.push(value);
      if (field === 'retry') this.retry = Number(value);
    }
    if (data.length) this.events.push({ ...event, data: data.join('\n') });
  }

  /** The escalations received so far, as [event, escalation id]. */
  get received(): [string | undefined, string][] {
    return this.events.map((e) => [e.event, JSON.parse(e.data).id as string]);
  }

  async waitFor(count: number, timeoutMs = 30_000): Promise<SseEvent[]> {
    await eventually(async () => (this.events.length >= count ? true : this.ended ? false : undefined), timeoutMs, 20);
    return this.events;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

describe('the escalation stream', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let manager: Member;
  let agencyWatcher: Member;
  let agencyA: string;
  let agencyB: string;
  const streams: EventStream[] = [];

  async function open(member: Member, path = '/v1/escalations/stream', headers: Record<string, string> = {}): Promise<EventStream> {
    const stream = await EventStream.open(handoff.url, member.key, path, headers);
    streams.push(stream);
    expect(stream.response.status).toBe(200);
    return stream;
  }

  async function quickBrief(client: ApiClient, partyId: string): Promise<string> {
    const res = await client.post('/v1/briefs', { title: 'Feed fix', description: 'The product feed misses prices', partyId, priority: 'P1' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function escalationOf(briefId: string): Promise<{ id: string; briefId: string }> {
    return eventually(async () => (await manager.client.get(`/v1/escalations?briefId=${briefId}`)).body.items?.[0] as { id: string; briefId: string } | undefined, 30_000);
  }

  /**
   * Acknowledges an escalation and cancels its brief: under a policy that re-escalates, the brief
   * would otherwise raise a new escalation a full target (two seconds) later, into later tests' streams.
   */
  async function acknowledge(escalation: { id: string; briefId: string }): Promise<ApiResponse> {
    const ack = await manager.client.post(`/v1/escalations/${escalation.id}/acknowledge`, {});
    const cancel = await manager.client.post(`/v1/briefs/${escalation.briefId}/cancel`, { reason: 'Done with this test' });
    expect([ack.status, cancel.status]).toEqual([200, 200]);
    return ack;
  }

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'postgres', extraEnv: { HANDOFF_SLA_TARGETS: QUICK_TARGETS, HANDOFF_RATE_LIMIT: '100000' } });
    const dir = directory(handoff.url);
    const shop = await dir.party('Shop', 'ecommerce');
    agencyA = await dir.party('Pixelwerk');
    agencyB = await dir.party('Northstar');
    manager = await dir.member(shop, 'manager');
    agencyWatcher = await dir.member(agencyA, 'watcher');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await handoff?.cleanup();
    await env?.teardown();
  }, 60_000);

  test('sends a raised escalation within a second of its due instant, then its acknowledgement, each with an id', async () => {
    const stream = await open(manager);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-cache');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    const briefId = await quickBrief(manager.client, agencyA);
    const [raised] = await stream.waitFor(1);
    expect(stream.retry).toBe(1000);
    const escalation = JSON.parse(raised.data);
    expect(raised.event).toBe('escalation.raised');
    expect(raised.id).toMatch(/^\d+$/);
    expect(escalation).toMatchObject({ briefId, partyId: agencyA, clock: 'acknowledge', level: 1, state: 'open', agreement: expect.any(String), round: 1, repeat: 0 });
    // The data is the Escalation exactly as the list shows it.
    const listed = await manager.client.get(`/v1/escalations?briefId=${briefId}`);
    expect(listed.body.items).toEqual([escalation]);

    const dueAt = Date.parse((await manager.client.get(`/v1/briefs/${briefId}`)).body.sla.acknowledge.dueAt);
    expect(raised.receivedAt - dueAt).toBeGreaterThanOrEqual(0);
    expect(raised.receivedAt - dueAt).toBeLessThan(1000);

    const ack = await acknowledge(escalation);
    const [, acknowledged] = await stream.waitFor(2);
    expect(acknowledged.event).toBe('escalation.acknowledged');
    expect(BigInt(acknowledged.id!)).toBeGreaterThan(BigInt(raised.id!));
    expect(JSON.parse(acknowledged.data)).toEqual(ack.body);
    expect(stream.events).toHaveLength(2);
  }, 60_000);

  test('a reconnection with Last-Event-ID gets exactly the events it missed, then live ones', async () => {
    const first = await open(manager);
    await quickBrief(manager.client, agencyA);
    const [seen] = await first.waitFor(1);
    await first.close();

    // Missed while disconnected: the acknowledgement, and a second escalation with its acknowledgement.
    const { id: firstEscalation, briefId: firstBrief } = JSON.parse(seen.data);
    await acknowledge({ id: firstEscalation, briefId: firstBrief });
    const second = await escalationOf(await quickBrief(manager.client, agencyB));
    await acknowledge(second);
    const missed = [
      ['escalation.acknowledged', firstEscalation],
      ['escalation.raised', second.id],
      ['escalation.acknowledged', second.id],
    ];

    const resumed = await open(manager, '/v1/escalations/stream', { 'last-event-id': seen.id! });
    await resumed.waitFor(3);
    const third = await quickBrief(manager.client, agencyA);
    await resumed.waitFor(4);
    expect(resumed.received).toEqual([...missed, ['escalation.raised', (await escalationOf(third)).id]]);
    const ids = resumed.events.map((e) => BigInt(e.id!));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(ids[0]).toBeGreaterThan(BigInt(seen.id!));

    // The same from ?lastEventId= for clients that cannot set the header; the header wins over it.
    const byQuery = await open(manager, `/v1/escalations/stream?lastEventId=${seen.id}`);
    await byQuery.waitFor(4);
    expect(byQuery.received).toEqual(resumed.received);
    const both = await open(manager, `/v1/escalations/stream?lastEventId=0`, { 'last-event-id': resumed.events[2].id! });
    await both.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(both.received).toEqual([resumed.received[3]]);
    // Nothing repeats while they stay open.
    expect(new Set(resumed.events.map((e) => e.id)).size).toBe(resumed.events.length);
  }, 90_000);

  test('keeps to the filters and to what the caller may see', async () => {
    const watcherAll = await open(agencyWatcher);
    const watcherOfB = await open(agencyWatcher, `/v1/escalations/stream?partyId=${agencyB}`);
    const managerOfB = await open(manager, `/v1/escalations/stream?partyId=${agencyB}&clock=acknowledge&level=1`);
    const acknowledgedOnly = await open(manager, '/v1/escalations/stream?state=acknowledged');
    const raisedOnly = await open(manager, '/v1/escalations/stream?state=open');
    const otherClock = await open(manager, '/v1/escalations/stream?clock=review');
    const otherLevel = await open(manager, '/v1/escalations/stream?level=2');

    const ofA = await escalationOf(await quickBrief(manager.client, agencyA));
    const ofB = await escalationOf(await quickBrief(manager.client, agencyB));
    const briefOnly = await open(manager, `/v1/escalations/stream?briefId=${ofB.briefId}&since=2020-01-01T00:00:00Z`);
    await acknowledge(ofA);
    await acknowledge(ofB);

    await raisedOnly.waitFor(2);
    await acknowledgedOnly.waitFor(2);
    await watcherAll.waitFor(2);
    await managerOfB.waitFor(2);
    await briefOnly.waitFor(2);
    // Give anything that should not come the time to arrive anyway.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(raisedOnly.received).toEqual([
      ['escalation.raised', ofA.id],
      ['escalation.raised', ofB.id],
    ]);
    expect(acknowledgedOnly.received).toEqual([
      ['escalation.acknowledged', ofA.id],
      ['escalation.acknowledged', ofB.id],
    ]);
    expect(watcherAll.received).toEqual([
      ['escalation.raised', ofA.id],
      ['escalation.acknowledged', ofA.id],
    ]);
    expect(watcherOfB.received).toEqual([]);
    expect(managerOfB.received).toEqual([
      ['escalation.raised', ofB.id],
      ['escalation.acknowledged', ofB.id],
    ]);
    // since replays from that instant: the raised event of this brief came before the stream opened.
    expect(briefOnly.received).toEqual([
      ['escalation.raised', ofB.id],
      ['escalation.acknowledged', ofB.id],
    ]);
    expect(otherClock.received).toEqual([]);
    expect(otherLevel.received).toEqual([]);
  }, 90_000);

  test('readers that join while escalations are written each get every event once, in id order', async () => {
    const since = new Date().toISOString();
    const briefs = await Promise.all([agencyA, agencyB, agencyA, agencyB].map((party) => quickBrief(manager.client, party)));
    const readers: EventStream[] = [];
    // Joining every 250 ms from before the first escalation until after the last acknowledgement.
    const joining = (async () => {
      for (let i = 0; i < 14; i++) {
        readers.push(await open(manager, `/v1/escalations/stream?since=${encodeURIComponent(since)}`));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const escalations = await Promise.all(briefs.map((id) => escalationOf(id)));
    await Promise.all(escalations.map((e) => acknowledge(e)));
    await joining;
    for (const reader of readers) await reader.waitFor(8);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const expected = readers[0].events.map((e) => e.id);
    expect(expected).toHaveLength(8);
    expect(expected.map((id) => BigInt(id!))).toEqual(expected.map((id) => BigInt(id!)).sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(readers[0].received.map(([, id]) => id))).toEqual(new Set(escalations.map((e) => e.id)));
    for (const reader of readers) expect(reader.events.map((e) => e.id)).toEqual(expected);
  }, 60_000);

  test('answers who may not stream, and requests that are not valid, with problems', async () => {
    const dir = directory(handoff.url);
    const member = await dir.member(agencyA, 'member');
    const stream = (key: string | undefined, path = '/v1/escalations/stream', headers: Record<string, string> = {}) =>
      fetch(`${handoff.url}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), accept: 'text/event-stream', ...headers } });
    const cases: [string, Promise<Response>, number][] = [
      ['anonymous', stream(undefined), 401],
      ['a member', stream(member.key), 403],
      ['a bad Last-Event-ID', stream(manager.key, undefined, { 'last-event-id': 'yesterday' }), 400],
      ['a bad lastEventId', stream(manager.key, '/v1/escalations/stream?lastEventId=-1'), 400],
      ['a bad level', stream(manager.key, '/v1/escalations/stream?level=0'), 400],
      ['no Accept: text/event-stream', stream(manager.key, undefined, { accept: '*/*' }), 400],
    ];
    for (const [what, answer, status] of cases) {
      const res = await answer;
      expect({ what, status: res.status, type: res.headers.get('content-type') }).toEqual({ what, status, type: expect.stringMatching(/^application\/problem\+json/) });
      await res.text();
    }
  });

  test('a re-escalation arrives marked as one, naming the acknowledged escalation it follows', async () => {
    const stream = await open(manager);
    const briefId = await quickBrief(manager.client, agencyA);
    const ofBrief = () => stream.events.filter((e) => JSON.parse(e.data).briefId === briefId);
    await eventually(async () => (ofBrief().length >= 1 ? true : undefined), 30_000, 20);
    const first = JSON.parse(ofBrief()[0].data);
    expect(first).toMatchObject({ state: 'open', reescalation: false, follows: null });

    // Acknowledged, the step still not done: two seconds (the target) later it escalates again.
    expect((await manager.client.post(`/v1/escalations/${first.id}/acknowledge`, {})).status).toBe(200);
    await eventually(async () => (ofBrief().length >= 3 ? true : undefined), 30_000, 20);
    const [, acknowledged, again] = ofBrief();
    expect(acknowledged.event).toBe('escalation.acknowledged');
    expect(JSON.parse(acknowledged.data)).toMatchObject({ id: first.id, state: 'acknowledged', reescalation: false, follows: null });
    expect(again.event).toBe('escalation.raised');
    const reescalation = JSON.parse(again.data);
    expect(reescalation).toMatchObject({ briefId, clock: 'acknowledge', level: 1, state: 'open', reescalation: true, follows: first.id });
    expect(reescalation.id).not.toBe(first.id);
    // As the list shows it.
    const listed = await manager.client.get(`/v1/escalations?briefId=${briefId}`);
    expect(listed.body.items).toEqual([reescalation, { ...first, state: 'acknowledged', acknowledgedAt: expect.any(String), acknowledgedBy: manager.id }]);
    await acknowledge(reescalation);
  }, 60_000);

  test('a Last-Event-ID newer than the newest event is answered with a comment saying so, then the events from now on', async () => {
    const newest = (await handoff.db.prisma.escalationFeedEntry.findFirst({ orderBy: { id: 'desc' } }))?.id ?? 0n;
    expect(newest).toBeGreaterThan(0n);
    const unknown = String(newest + 1_000_000n);
    const byHeader = await open(manager, '/v1/escalations/stream', { 'last-event-id': unknown });
    const byQuery = await open(manager, `/v1/escalations/stream?lastEventId=${unknown}`);
    const known = await open(manager, '/v1/escalations/stream', { 'last-event-id': String(newest) });
    const comment = `unknown Last-Event-ID ${unknown}; streaming from now`;
    await eventually(async () => (byHeader.comments.includes(comment) && byQuery.comments.includes(comment) ? true : undefined), 5_000, 20);

    const escalation = await escalationOf(await quickBrief(manager.client, agencyB));
    for (const stream of [byHeader, byQuery, known]) await stream.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // From now: the new escalation only, nothing from before.
    expect(byHeader.received).toEqual([['escalation.raised', escalation.id]]);
    expect(byQuery.received).toEqual([['escalation.raised', escalation.id]]);
    // An id the feed knows resumes after it, without a comment.
    expect(known.received).toEqual([['escalation.raised', escalation.id]]);
    expect(known.comments.filter((c) => c.startsWith('unknown'))).toEqual([]);
    // The comment came before any event.
    expect(byHeader.comments[0]).toBe(comment);
    await acknowledge(escalation);
  }, 60_000);

  test('sends a heartbeat comment every 15 seconds', async () => {
    const stream = await open(manager);
    await eventually(async () => (stream.comments.includes('heartbeat') ? true : undefined), 17_000, 100);
    expect(stream.events).toEqual([]);
  }, 30_000);

  test('shutting the API down ends open streams at once', async () => {
    const stream = await open(agencyWatcher);
    await eventually(async () => (stream.retry !== undefined ? true : undefined));
    const started = Date.now();
    await handoff.cleanup();
    expect(Date.now() - started).toBeLessThan(5_000);
    await eventually(async () => (stream.ended ? true : undefined), 2_000);
    handoff = undefined as unknown as TestHandoff;
  }, 30_000);
});
