// The whole life of a brief through the HTTP API, run against each database.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../support/temporal';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { directory } from '../support/directory';
import { apiClient, eventually, type ApiClient } from '../support/http';
import { backfillScorecardFacts } from '../../services/scorecards/write';

interface Directory {
  admin: ApiClient;
  manager: ApiClient;
  agencyLead: ApiClient;
  otherAgency: ApiClient;
  watcher: ApiClient;
  anonymous: ApiClient;
  agencyId: string;
  otherAgencyId: string;
  managerId: string;
}

async function setUpDirectory(url: string): Promise<Directory> {
  const dir = directory(url);
  const { admin } = dir;
  const party = (name: string, kind: string) => dir.party(name, kind);
  const member = async (partyId: string, body: { name: string; email: string; role: string } & Record<string, unknown>) => dir.memberWith(partyId, body);
  const shop = await party('Shop', 'ecommerce');
  const agencyId = await party('Pixelwerk', 'agency');
  const otherAgencyId = await party('Northstar', 'agency');
  const manager = await member(shop, { name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'de' });
  const watcher = await member(shop, { name: 'Tom', email: 'tom@shop.example', role: 'watcher' });
  const agencyLead = await member(agencyId, { name: 'Paula', email: 'paula@pixel.example', role: 'member', isLead: true });
  const otherAgency = await member(otherAgencyId, { name: 'Nora', email: 'nora@north.example', role: 'member' });
  return {
    admin,
    manager: manager.client,
    agencyLead: agencyLead.client,
    otherAgency: otherAgency.client,
    watcher: watcher.client,
    anonymous: apiClient(url),
    agencyId,
    otherAgencyId,
    managerId: manager.id,
  };
}

export function describeLifecycle(database: 'pglite' | 'postgres'): void {
  describe(`a brief's lifecycle through the API (${database})`, () => {
    let env: TestWorkflowEnvironment;
    let handoff: TestHandoff;
    let d: Directory;

    beforeAll(async () => {
      env = await devServerEnv();
      handoff = await startTestHandoff(env, { database });
      d = await setUpDirectory(handoff.url);
    }, 60_000);

    afterAll(async () => {
      await handoff?.cleanup();
      await env?.teardown();
    });

    test('health answers ok when the database and Temporal answer', async () => {
      const res = await apiClient(handoff.url).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });

    test('drives a brief from creation through clarification and a revision round to approval', async () => {
      const created = await d.manager.post('/v1/briefs', {
        title: 'Christmas landing page',
        description: 'Hero banner and three teasers',
        partyId: d.agencyId,
        priority: 'P2',
        deliverables: ['banner', 'teasers'],
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({ status: 'awaiting_ack', revision: 0, priority: 'P2', partyId: d.agencyId, deliveries: [] });
      expect(created.body.sla.acknowledge.state).toBe('running');
      expect(Date.parse(created.body.sla.acknowledge.dueAt)).toBeGreaterThan(Date.now());
      expect(created.body.sla.deliver).toMatchObject({ state: 'pending', dueAt: null });

      // Another party's member cannot see it, nor act on it: 404, as if it did not exist.
      expect((await d.otherAgency.get(`/v1/briefs/${id}`)).status).toBe(404);
      expect((await d.otherAgency.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(404);

      const acknowledged = await d.agencyLead.post(`/v1/briefs/${id}/acknowledge`, { note: 'on it' });
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.status).toBe('in_progress');
      expect(acknowledged.body.sla.acknowledge.state).toBe('met');
      expect(acknowledged.body.sla.deliver.state).toBe('running');

      const asked = await d.agencyLead.post(`/v1/briefs/${id}/clarifications`, { question: 'Which colours?' });
      expect(asked.status).toBe(200);
      expect(asked.body.status).toBe('clarification_requested');
      expect(asked.body.sla.deliver).toMatchObject({ state: 'paused', dueAt: null });

      const answered = await d.manager.post(`/v1/briefs/${id}/clarifications/answer`, { answer: 'Red and gold' });
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('in_progress');
      expect(answered.body.sla.deliver.state).toBe('running');

      const first = await d.agencyLead.post(`/v1/briefs/${id}/deliveries`, { summary: 'First draft', links: ['https://files.example/v1.zip'] });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'in_review', revision: 1 });
      expect(first.body.sla.deliver.state).toBe('met');
      expect(first.body.sla.review.state).toBe('running');

      const changes = await d.manager.post(`/v1/briefs/${id}/request-changes`, { reason: 'Bigger logo' });
      expect(changes.status).toBe(200);
      expect(changes.body.status).toBe('changes_requested');
      expect(changes.body.sla.deliver.state).toBe('running');

      const second = await d.agencyLead.post(`/v1/briefs/${id}/deliveries`, { summary: 'Second draft', links: ['https://files.example/v2.zip'] });
      expect(second.body).toMatchObject({ status: 'in_review', revision: 2 });

      const comment = await d.manager.post(`/v1/briefs/${id}/comments`, { body: 'Looks great' });
      expect(comment.status).toBe(200);

      const approved = await d.manager.post(`/v1/briefs/${id}/approve`, { note: 'Ship it' });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');

      const read = await d.watcher.get(`/v1/briefs/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id, status: 'approved', revision: 2, title: 'Christmas landing page' });
      expect(read.body.deliveries).toEqual([
        expect.objectContaining({ version: 1, summary: 'First draft', links: ['https://files.example/v1.zip'] }),
        expect.objectContaining({ version: 2, summary: 'Second draft', links: ['https://files.example/v2.zip'] }),
      ]);
      expect(read.body.sla.acknowledge.state).toBe('met');
      expect(read.body.sla.deliver.state).toBe('met');
      expect(read.body.sla.review.state).toBe('met');
      expect(read.body.timeline.map((e: { type: string }) => e.type)).toEqual([
        'brief_created',
        'acknowledged',
        'clarification_requested',
        'clarification_answered',
        'delivered',
        'changes_requested',
        'delivered',
        'comment_added',
        'approved',
      ]);
      for (const event of read.body.timeline) {
        expect(event).toEqual(expect.objectContaining({ type: expect.any(String), at: expect.any(String), data: expect.any(Object) }));
      }
      expect(read.body.timeline[1].actor).not.toBeNull();
      expect(read.body.timeline[2].data).toEqual({ question: 'Which colours?' });

      // Terminal: nothing more to do.
      const late = await d.manager.post(`/v1/briefs/${id}/cancel`, { reason: 'too late' });
      expect(late.status).toBe(409);
      expect(late.headers.get('content-type')).toContain('application/problem+json');

      // The read model lists it for its party and for the e-commerce team, not for others.
      const mine = await d.agencyLead.get('/v1/briefs?status=approved');
      expect(mine.body.items.map((b: { id: string }) => b.id)).toContain(id);
      const theirs = await d.otherAgency.get('/v1/briefs');
      expect(theirs.body.items.map((b: { id: string }) => b.id)).not.toContain(id);

      // The scorecards' rows: written with the read model, and the same again when backfilled.
      const prisma = handoff.db.prisma;
      const rows = async () => ({
        brief: await prisma.scorecardBrief.findUnique({ where: { briefId: id }, omit: { updatedAt: true } }),
        steps: await prisma.scorecardStep.findMany({ where: { briefId: id }, orderBy: [{ step: 'asc' }, { round: 'asc' }] }),
      });
      const written = await rows();
      expect(written.brief).toMatchObject({ partyId: d.agencyId, outcome: 'approved', rounds: 2, clarifications: 1, heldMs: 0 });
      expect(written.steps.map((s) => `${s.step}:${s.round}:${s.state}:${s.late}`)).toEqual([
        'acknowledge:1:done:false',
        'answer:1:done:false',
        'deliver:1:done:false',
        'deliver:2:done:false',
        'review:1:done:false',
        'review:2:done:false',
      ]);
      for (const step of written.steps) expect(step.businessMs).toBeGreaterThanOrEqual(0);
      await prisma.scorecardStep.deleteMany({ where: { briefId: id } });
      await prisma.scorecardBrief.delete({ where: { briefId: id } });
      expect(await backfillScorecardFacts(prisma, handoff.logger)).toBeGreaterThanOrEqual(1);
      expect(await rows()).toEqual(written);
    });

    test('raises an escalation when a brief is left unacknowledged past its target', async () => {
      const created = await d.manager.post('/v1/briefs', {
        title: 'Feed fix',
        description: 'Product feed breaks on umlauts',
        partyId: d.agencyId,
        priority: 'P1',
        targets: { acknowledge: 'PT1S' },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const escalation = await eventually(async () => {
        const res = await d.watcher.get('/v1/escalations?state=open');
        expect(res.status).toBe(200);
        return res.body.items.find((e: { briefId: string }) => e.briefId === id);
      });
      expect(escalation).toMatchObject({ clock: 'acknowledge', level: 1, state: 'open' });

      const brief = await d.manager.get(`/v1/briefs/${id}`);
      expect(brief.body.sla.acknowledge.state).toBe('breached');
      expect(brief.body.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['sla_warning', 'sla_breached', 'escalation_raised']));

      const overdue = await d.manager.get('/v1/briefs?overdue=true');
      expect(overdue.body.items.map((b: { id: string }) => b.id)).toContain(id);

      // Members cannot see the escalation feed; another party's watcher would see only its own.
      expect((await d.agencyLead.get('/v1/escalations')).status).toBe(403);
      const ack = await d.watcher.post(`/v1/escalations/${escalation.id}/acknowledge`);
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ state: 'acknowledged' });
      expect((await d.watcher.post(`/v1/escalations/${escalation.id}/acknowledge`)).status).toBe(409);
      const acknowledged = await d.manager.get('/v1/escalations?state=acknowledged');
      expect(acknowledged.body.items.map((e: { id: string }) => e.id)).toContain(escalation.id);

      await eventually(async () => {
        const res = await d.manager.get(`/v1/briefs/${id}`);
        return res.body.timeline.some((e: { type: string }) => e.type === 'escalation_acknowledged') ? true : undefined;
      });
    });

    test('answers each error with its status', async () => {
      expect((await d.anonymous.get('/v1/briefs')).status).toBe(401);
      expect((await apiClient(handoff.url, 'hk_unknown0_xxxxxxxx').get('/v1/briefs')).status).toBe(401);
      expect((await d.agencyLead.post('/v1/briefs', { title: 't', description: 'd', partyId: d.agencyId })).status).toBe(403);
      expect((await d.manager.post('/v1/parties', { name: 'x', kind: 'agency' })).status).toBe(403);

      const invalid = await d.manager.post('/v1/briefs', { title: '', partyId: d.agencyId, priority: 'P9', targets: { acknowledge: '4 hours' } });
      expect(invalid.status).toBe(400);
      const paths = invalid.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['body.title', 'body.description', 'body.priority', 'body.targets.acknowledge']));

      const unknownParty = await d.manager.post('/v1/briefs', { title: 't', description: 'd', partyId: 'nope' });
      expect(unknownParty.status).toBe(400);
      expect(unknownParty.body.errors[0].path).toBe('body.partyId');

      const notJson = await d.manager.request('POST', '/v1/briefs', '{"title":', { 'content-type': 'application/json' });
      expect(notJson.status).toBe(400);

      expect((await d.manager.get('/v1/briefs/does-not-exist')).status).toBe(404);
      expect((await d.manager.get('/v1/nothing-here')).status).toBe(404);

      const created = await d.manager.post('/v1/briefs', { title: 'Stock sync', description: 'Nightly', partyId: d.otherAgencyId });
      const id = created.body.id as string;
      // Illegal transition: delivering before acknowledging.
      const early = await d.otherAgency.post(`/v1/briefs/${id}/deliveries`, { summary: 'done' });
      expect(early.status).toBe(409);
      // Wrong role for the action: the manager cannot acknowledge on the party's behalf.
      expect((await d.manager.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(403);
      // Watchers read but never act.
      expect((await d.watcher.get(`/v1/briefs/${id}`)).status).toBe(200);
      expect((await d.watcher.post(`/v1/briefs/${id}/comments`, { body: 'hi' })).status).toBe(403);
      // Decline is terminal.
      const declined = await d.otherAgency.post(`/v1/briefs/${id}/decline`, { reason: 'no capacity' });
      expect(declined.body.status).toBe('declined');
      expect((await d.otherAgency.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(409);
    });

    test('cancels a running brief and stops its clocks', async () => {
      const created = await d.manager.post('/v1/briefs', { title: 'Returns page', description: 'Copy update', partyId: d.agencyId, priority: 'P4' });
      const cancelled = await d.manager.post(`/v1/briefs/${created.body.id}/cancel`, { reason: 'campaign dropped' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.sla.acknowledge.state).toBe('stopped');
    });
  });
}
