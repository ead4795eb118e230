// When the database or Temporal cannot be reached the API says so with 503, not 500.
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { loadConfig } from '../../lib/config';
import { openDatabase, type Database } from '../../lib/db/database';
import { openTestDatabase } from '../support/database';
import { bootstrapAdmin } from '../../services/directory-setup';
import { close, listen, portOf } from '../../lib/http-server';
import { createLogger } from '../../lib/logger';
import { ADMIN_KEY } from '../support/handoff';
import { apiClient } from '../support/http';

const DEAD_ADDRESS = '127.0.0.1:1';
const config = loadConfig({ HANDOFF_DATA_DIR: '/tmp/handoff-unused' });
const logger = createLogger('silent');

async function serve(db: Database, connection: Connection): Promise<{ url: string; server: Server }> {
  const app = createApp({ db, temporal: new Client({ connection }), config, logger });
  const server = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${portOf(server)}`, server };
}

describe('with Temporal unreachable', () => {
  let db: Database;
  let connection: Connection;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    await bootstrapAdmin(db.prisma, ADMIN_KEY);
    await db.prisma.party.create({ data: { id: 'agency', name: 'Agency', kind: 'agency' } });
    const manager = await db.prisma.member.create({ data: { id: 'mgr', partyId: 'agency', name: 'M', email: 'm@x.example', role: 'manager' } });
    expect(manager.id).toBe('mgr');
    connection = Connection.lazy({ address: DEAD_ADDRESS, connectTimeout: '1s' });
    ({ server, url } = await serve(db, connection));
  });

  afterAll(async () => {
    await close(server);
    await connection.close().catch(() => undefined);
    await db.close();
  });

  test('health answers 503 and names Temporal', async () => {
    const res = await apiClient(url).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'ok', temporal: 'unavailable' });
  });

  test('creating a brief answers 503 problem+json', async () => {
    const admin = apiClient(url, ADMIN_KEY);
    const key = await admin.post('/v1/members/mgr/api-keys');
    expect(key.status).toBe(201);
    const res = await apiClient(url, key.body.key).post('/v1/briefs', { title: 't', description: 'd', partyId: 'agency' });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toMatch(/unavailable$/);
  });
});

describe('with the database unreachable', () => {
  let db: Database;
  let connection: Connection;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/handoff' });
    connection = Connection.lazy({ address: DEAD_ADDRESS, connectTimeout: '1s' });
    ({ server, url } = await serve(db, connection));
  });

  afterAll(async () => {
    await close(server);
    await connection.close().catch(() => undefined);
    await db.close().catch(() => undefined);
  });

  test('an authenticated route answers 503 problem+json', async () => {
    const res = await apiClient(url, ADMIN_KEY).get('/v1/parties');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 503, title: expect.any(String) });
  });

  test('health answers 503 and names the database', async () => {
    const res = await apiClient(url).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toBe('unavailable');
  });
});
