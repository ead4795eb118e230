// Limits that hold across API replicas, on PostgreSQL: two API instances with their own database
// connections share one rate limit; requests are limited per client address before
// authentication (X-Forwarded-For counts only with HANDOFF_TRUST_PROXY), per member over all of
// its keys, on /metrics and on the action pages per link token; a member's sixth escalation
// stream is refused while five are open over both instances, and a client that does not read has
// its stream closed once its unsent output passes the bound.
// Requests come from different loopback addresses (127.0.0.x), so each case has its own address.
import http from 'node:http';
import net from 'node:net';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp, type HandoffApp } from '../../api/app';
import type { Config } from '../../lib/config';
import { openDatabase, type Database } from '../../lib/db/database';
import { newId } from '../../lib/ids';
import { generateApiKey } from '../../lib/keys';
import { close, listen, portOf } from '../../lib/http-server';
import { createLogger } from '../../lib/logger';
import { StreamLeases } from '../../lib/stream-leases';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { expectProblem } from './directory';

const PER_KEY = 5;
const PER_MEMBER = 8;
const MAX_STREAMS = 5;

interface Instance {
  app: HandoffApp;
  server: Server;
  url: string;
}

/** A request from a given loopback address, answered as the fetch-based client would. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; from?: string } = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The remaining count of one named policy in a draft-8 RateLimit header. */
function remaining(res: ApiResponse, name: string): number | undefined {
  const match = new RegExp(`"${name}";\\s*r=(\\d+)`).exec(res.headers.get('ratelimit') ?? '');
  return match ? Number(match[1]) : undefined;
}

interface OpenStream {
  status: number;
  body?: unknown;
  close(): void;
}

/** Opens an escalation stream and waits for its answer; a 200 stays open until close(). */
function openStream(url: string, key: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/v1/escalations/stream`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${key}` }, agent: false }, (res) => {
      if (res.statusCode === 200) {
        res.resume();
        resolve({ status: 200, close: () => req.destroy() });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), close: () => req.destroy() }));
    });
    req.on('error', reject);
  });
}

describe('limits shared by API replicas', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let secondDb: Database;
  const instances: Instance[] = [];

  /** An API instance on the test stack's database with its own settings (the database client: the stack's, or another connection pool). */
  async function instance(overrides: Partial<Config>, db: Database = handoff.db): Promise<Instance> {
    const config = { ...handoff.config, ...overrides };
    const app = createApp({ db, temporal: handoff.temporal.client, config, logger: createLogger('silent') });
    const server = await listen(app, 0, '127.0.0.1');
    const created = { app, server, url: `http://127.0.0.1:${portOf(server)}` };
    instances.push(created);
    return created;
  }

  const limits = (changes: Partial<Config['rateLimits']>): Config['rateLimits'] => ({ ...handoff.config.rateLimits, ...changes });

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, {
      database: 'postgres',
      extraEnv: { HANDOFF_RATE_LIMIT: String(PER_KEY), HANDOFF_RATE_LIMIT_PER_MEMBER: String(PER_MEMBER) },
    });
    secondDb = await openDatabase({ databaseUrl: handoff.config.databaseUrl });
  }, 60_000);

  afterAll(async () => {
    for (const { app, server } of instances) {
      app.escalationFeed.close();
      await close(server, 1000);
    }
    await secondDb?.close();
    await handoff?.cleanup();
    await env?.teardown();
  });

  /** A member with keys, written straight to the database so that no request is spent on set-up. */
  async function memberWithKeys(role: 'admin' | 'member', keys: number): Promise<{ memberId: string; keys: string[] }> {
    const { prisma } = handoff.db;
    const party = await prisma.party.create({ data: { id: newId(), name: `Party ${newId()}`, kind: 'agency' } });
    const member = await prisma.member.create({ data: { id: newId(), partyId: party.id, name: `A ${role}`, email: `${newId()}@example.test`, role } });
    const plain: string[] = [];
    for (let i = 0; i < keys; i++) {
      const { key, prefix, hash } = generateApiKey();
      await prisma.apiKey.create({ data: { id: newId(), memberId: member.id, prefix, hash } });
      plain.push(key);
    }
    return { memberId: member.id, keys: plain };
  }

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  test('two API instances with their own database connections share one limit per key: the sixth request over both is 429 on either', async () => {
    const a = await instance({});
    const b = await instance({}, secondDb);
    const { keys } = await memberWithKeys('member', 1);
    for (let i = 1; i <= PER_KEY; i++) {
      const res = await send(`${(i % 2 ? a : b).url}/v1/me`, { headers: bearer(keys[0]) });
      expect({ request: i, status: res.status, remaining: remaining(res, 'api-key') }).toEqual({ request: i, status: 200, remaining: PER_KEY - i });
    }
    for (const { url } of [a, b]) {
      const limited = await send(`${url}/v1/me`, { headers: bearer(keys[0]) });
      expectProblem(limited, 429, 'rate-limited', '/v1/me');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(remaining(limited, 'api-key')).toBe(0);
    }
  });

  test("a member's keys share one budget: once the member has made its requests, its other keys are limited too", async () => {
    const { keys } = await memberWithKeys('member', 3);
    for (let i = 0; i < PER_KEY; i++) expect((await send(`${handoff.url}/v1/me`, { headers: bearer(keys[0]) })).status).toBe(200);
    for (let i = 0; i < PER_MEMBER - PER_KEY; i++) expect((await send(`${handoff.url}/v1/me`, { headers: bearer(keys[1]) })).status).toBe(200);
    const limited = await send(`${handoff.url}/v1/me`, { headers: bearer(keys[2]) });
    expectProblem(limited, 429, 'rate-limited', '/v1/me');
    expect((limited.body as { detail: string }).detail).toContain('member');
    expect(remaining(limited, 'member')).toBe(0);
    // The third key itself had requests left.
    expect(remaining(limited, 'api-key')).toBe(PER_KEY - 1);
  });

  test('every request counts against its client address before authentication: unauthenticated requests and public routes get 429 too', async () => {
    const { url } = await instance({ rateLimits: limits({ perAddress: 4 }) });
    const from = '127.0.0.11';
    for (let i = 0; i < 4; i++) expectProblem(await send(`${url}/v1/me`, { from }), 401, 'unauthenticated');
    const limited = await send(`${url}/v1/me`, { from });
    expectProblem(limited, 429, 'rate-limited', '/v1/me');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(remaining(limited, 'address')).toBe(0);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/"address";\s*q=4;\s*w=60/);
    expect((await send(`${url}/healthz`, { from })).status).toBe(429);
    // Another address is not affected.
    expectProblem(await send(`${url}/v1/me`, { from: '127.0.0.12' }), 401, 'unauthenticated');
  });

  test('X-Forwarded-For names the client only with HANDOFF_TRUST_PROXY: without it, changing the header does not escape the limit', async () => {
    const trusting = await instance({ rateLimits: limits({ perAddress: 3 }), trustProxy: ['loopback'] });
    const from = '127.0.0.13';
    const forwarded = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 3; i++) expect((await send(`${trusting.url}/v1/me`, { from, headers: forwarded('198.51.100.1') })).status).toBe(401);
    expect((await send(`${trusting.url}/v1/me`, { from, headers: forwarded('198.51.100.1') })).status).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect((await send(`${trusting.url}/v1/me`, { from, headers: forwarded('198.51.100.2') })).status).toBe(401);

    const direct = await instance({ rateLimits: limits({ perAddress: 3 }), trustProxy: false });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await send(`${direct.url}/v1/me`, { from: '127.0.0.14', headers: forwarded(`203.0.113.${i}`) })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test('/metrics is limited per address', async () => {
    const { url } = await instance({ rateLimits: limits({ metrics: 2 }) });
    const { keys } = await memberWithKeys('admin', 1);
    for (let i = 0; i < 2; i++) expect((await send(`${url}/metrics`, { from: '127.0.0.15', headers: bearer(keys[0]) })).status).toBe(200);
    const limited = await send(`${url}/metrics`, { from: '127.0.0.15', headers: bearer(keys[0]) });
    expectProblem(limited, 429, 'rate-limited', '/metrics');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('an action page is limited per link token, whichever address asks', async () => {
    const { url } = await instance({ rateLimits: limits({ perLink: 3 }) });
    const token = `guessed-${newId()}`;
    for (const from of ['127.0.0.16', '127.0.0.17', '127.0.0.18']) expect((await send(`${url}/view/${token}`, { from })).status).toBe(400);
    const limited = await send(`${url}/actions/${token}`, { from: '127.0.0.19' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(String(limited.body)).toContain('Too many requests');
    // Another token from the same address is answered.
    expect((await send(`${url}/view/other-${newId()}`, { from: '127.0.0.19' })).status).toBe(400);
    // The token is counted by its hash: the database never holds it.
    expect(await handoff.db.prisma.rateLimitCounter.count({ where: { key: { contains: token } } })).toBe(0);
  });

  test("a member's sixth escalation stream over two instances is refused with 429 while five are open; closing one lets another in", async () => {
    const streams = { maxPerMember: MAX_STREAMS, maxBufferedBytes: handoff.config.streams.maxBufferedBytes };
    const a = await instance({ streams });
    const b = await instance({ streams }, secondDb);
    const { memberId, keys } = await memberWithKeys('admin', 2);
    const open: OpenStream[] = [];
    for (let i = 0; i < MAX_STREAMS; i++) {
      const stream = await openStream((i % 2 ? b : a).url, keys[i % 2]);
      expect({ stream: i + 1, status: stream.status }).toEqual({ stream: i + 1, status: 200 });
      open.push(stream);
    }
    for (const { url } of [a, b]) {
      const refused = await openStream(url, keys[1]);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ type: 'https://handoff.dev/problems/rate-limited', status: 429 });
    }
    const leases = new StreamLeases(handoff.db.prisma, 45_000);
    expect(await leases.count(memberId)).toBe(MAX_STREAMS);

    open.shift()?.close();
    await eventually(async () => ((await leases.count(memberId)) === MAX_STREAMS - 1 ? true : undefined));
    const next = await openStream(b.url, keys[0]);
    expect(next.status).toBe(200);
    open.push(next);
    expect((await openStream(a.url, keys[0])).status).toBe(429);
    for (const stream of open) stream.close();
    await eventually(async () => ((await leases.count(memberId)) === 0 ? true : undefined));
  }, 30_000);

  test('a client that does not read has its stream closed once its unsent output passes the bound', async () => {
    const bound = 64 * 1024;
    const { app, server } = await instance({ streams: { maxPerMember: MAX_STREAMS, maxBufferedBytes: bound } });
    const { memberId, keys } = await memberWithKeys('admin', 1);
    const { prisma } = handoff.db;
    const member = await prisma.member.findUniqueOrThrow({ where: { id: memberId } });
    const briefId = newId();
    const now = new Date();
    await prisma.brief.create({
      data: { id: briefId, workflowId: `brief-${briefId}`, title: 'Loud', partyId: member.partyId, managerId: memberId, priority: 'P1', status: 'awaiting_ack', revision: 1, lastSeq: 0, snapshot: {}, createdAt: now, updatedAt: now },
    });
    // Escalations of 32 kB each (a long `follows`): 400 events are about 13 MB, more than the kernel's socket buffers hold.
    const filler = 'x'.repeat(32 * 1024);
    const escalations = Array.from({ length: 400 }, () => ({ id: newId(), briefId, partyId: member.partyId, clock: 'acknowledge', level: 1, state: 'open', raisedAt: now, follows: filler }));
    await prisma.escalation.createMany({ data: escalations });
    const newest = (await prisma.escalationFeedEntry.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;

    const socket = net.connect(portOf(server), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write(`GET /v1/escalations/stream?lastEventId=${newest} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${keys[0]}\r\n\r\n`);
    await eventually(async () => (app.escalationFeed.size === 1 ? true : undefined));
    await prisma.escalationFeedEntry.createMany({
      data: escalations.map((e) => ({ escalationId: e.id, kind: 'raised', at: now, briefId, partyId: e.partyId, clock: e.clock, level: e.level })),
    });
    // Closed by the server: the feed lets go of the stream and the member's place is free again.
    await eventually(async () => (app.escalationFeed.size === 0 ? true : undefined), 20_000);
    await eventually(async () => ((await new StreamLeases(prisma, 45_000).count(memberId)) === 0 ? true : undefined));
    socket.destroy();
  }, 60_000);
});
