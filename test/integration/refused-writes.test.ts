// A write the database refuses for good (here a CHECK constraint an agency's comment can never
// meet) does not block the brief: the activity records it in activity_failures and gives up,
// admins read it at GET /v1/admin/activity-failures, and the brief goes on to approval. A real
// Temporal dev server, PGlite and the real activities.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { directory, type Member } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually } from '../support/http';
import { devServerEnv } from '../support/temporal';

const REFUSED = 'REFUSED-BY-THE-DATABASE';

interface Failure {
  activity: string;
  briefId: string | null;
  workflowId: string;
  sqlState: string | null;
  error: string;
  detail: string;
}

describe('a write the database refuses for good', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let manager: Member;
  let agency: Member;
  let admin: ReturnType<typeof directory>['admin'];
  let partyId: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const dir = directory(handoff.url);
    admin = dir.admin;
    const shop = await dir.party('Shop', 'ecommerce');
    partyId = await dir.party('Pixelwerk');
    manager = await dir.member(shop, 'manager', 'Mara');
    agency = await dir.member(partyId, 'member', 'Paula');
    // Rules the data of one comment can never meet: in the read model's events and in the outbox.
    await handoff.db.prisma.$executeRawUnsafe(`ALTER TABLE brief_events ADD CONSTRAINT refused_comment CHECK (data::text NOT LIKE '%${REFUSED}%')`);
    await handoff.db.prisma.$executeRawUnsafe(`ALTER TABLE notifications ADD CONSTRAINT refused_comment CHECK (payload::text NOT LIKE '%${REFUSED}%')`);
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('is recorded for admins once, and the brief carries on to approval without it', async () => {
    const created = await manager.client.post('/v1/briefs', { title: 'Size charts', description: 'For the shoe category', partyId, priority: 'P3' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await agency.client.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(200);

    const refused = await agency.client.post(`/v1/briefs/${id}/comments`, { body: `Our CMS says ${REFUSED}` });
    expect(refused.status).toBe(200);

    const failures = await eventually(async () => {
      const res = await admin.get(`/v1/admin/activity-failures?briefId=${id}`);
      expect(res.status).toBe(200);
      const items = res.body.items as Failure[];
      return items.length === 2 ? items : undefined;
    }, 30_000);
    expect(failures.map((f) => f.activity).sort()).toEqual(['planNotifications', 'recordEvents']);
    for (const failure of failures) {
      expect(failure).toMatchObject({ briefId: id, workflowId: briefWorkflowId(id), sqlState: '23514' });
      expect(failure.error).toContain('refused_comment');
      expect(failure.detail).toContain(REFUSED);
    }
    // Only admins read them.
    expect((await manager.client.get('/v1/admin/activity-failures')).status).toBe(403);

    // The brief goes on: later events are recorded and notified, and it is approved.
    expect((await agency.client.post(`/v1/briefs/${id}/comments`, { body: 'Fixed on our side' })).status).toBe(200);
    expect((await agency.client.post(`/v1/briefs/${id}/deliveries`, { summary: 'Charts for 40 styles', links: ['https://cdn.example/size-charts.zip'] })).status).toBe(200);
    const approved = await manager.client.post(`/v1/briefs/${id}/approve`, {});
    expect(approved.status).toBe(200);
    const brief = (await manager.client.get(`/v1/briefs/${id}`)).body;
    expect(brief.status).toBe('approved');
    const comments = (brief.timeline as { type: string; data: { body?: string } }[]).filter((e) => e.type === 'comment_added').map((e) => e.data.body);
    expect(comments).toEqual(['Fixed on our side']);
    await handoff.temporal.client.workflow.getHandle(briefWorkflowId(id)).result();
    // Each refusal was tried once, not retried: nothing more was recorded meanwhile.
    expect((await admin.get(`/v1/admin/activity-failures?briefId=${id}`)).body.items).toHaveLength(2);
    const notified = await handoff.db.prisma.notification.count({ where: { briefId: id, event: 'comment' } });
    expect(notified).toBeGreaterThan(0);
  });
});
