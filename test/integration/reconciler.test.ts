// The reconciler against a real Temporal dev server, PGlite and the real worker: briefs are indexed
// by their search attributes; a terminated workflow is resumed from the read model and the brief
// goes on; a read model that drifted is recorded again by the workflow; each repair is audited and
// counted in /metrics; and the schedule repairs on its own within its period.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { directory, type Member } from '../support/directory';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import { eventually, type ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';

interface Repair {
  briefId: string;
  repair: string;
  found: string;
}

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** A stack with its directory: a manager of the shop, a member of an agency. */
async function stackWithPeople(reconcileInterval: string) {
  const handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RECONCILE_INTERVAL: reconcileInterval } });
  const dir = directory(handoff.url);
  const shop = await dir.party('Shop', 'ecommerce');
  const partyId = await dir.party('Pixelwerk');
  const manager = await dir.member(shop, 'manager', 'Mara');
  const agency = await dir.member(partyId, 'member', 'Paula');
  return { handoff, admin: dir.admin, partyId, manager, agency };
}

async function newBrief(manager: Member, partyId: string, title: string): Promise<string> {
  const created = await manager.client.post('/v1/briefs', { title, description: 'Reconciled', partyId, priority: 'P2' });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe('on demand (POST /v1/admin/reconcile)', () => {
  let handoff: TestHandoff;
  let admin: ApiClient;
  let manager: Member;
  let agency: Member;
  let partyId: string;

  beforeAll(async () => {
    // The schedule is off: every repair here is the admin's round.
    ({ handoff, admin, manager, agency, partyId } = await stackWithPeople('PT0S'));
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
  });

  const reconcile = async () => {
    const res = await admin.post('/v1/admin/reconcile', {});
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    return res.body as { checked: number; repaired: number; repairs: Repair[]; byRepair: Record<string, number> };
  };

  test('briefs are found by their search attributes in Temporal', async () => {
    const id = await newBrief(manager, partyId, 'Indexed');
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of env.client.workflow.list({ query: `HandoffStatus = 'awaiting_ack' AND HandoffParty = '${partyId}' AND HandoffPriority = 'P2'` })) ids.push(execution.workflowId);
      return ids.includes(briefWorkflowId(id)) ? ids : undefined;
    }, 15_000);
    expect(found).toContain(briefWorkflowId(id));
    const description = await env.client.workflow.getHandle(briefWorkflowId(id)).describe();
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    expect(attributes).toMatchObject({ HandoffStatus: 'awaiting_ack', HandoffParty: partyId, HandoffPriority: 'P2', HandoffOverdue: false, HandoffRecordedSeq: 1 });
    expect(attributes.HandoffNextDueAt).toBeInstanceOf(Date);
  });

  test('a terminated workflow is resumed from the read model: audited, counted, and the brief goes on to approval', async () => {
    const id = await newBrief(manager, partyId, 'Terminated by an operator');
    expect((await agency.client.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(200);
    await env.client.workflow.getHandle(briefWorkflowId(id)).terminate('an operator ended it by mistake');

    const round = await reconcile();
    expect(round.repairs.filter((r) => r.briefId === id)).toEqual([
      { briefId: id, repair: 'resumed', found: 'the workflow was terminated while the brief was in_progress at event 2' },
    ]);
    expect(round.checked).toBeGreaterThanOrEqual(1);

    // The resumed brief takes actions again, under the clocks it had.
    const delivered = await agency.client.post(`/v1/briefs/${id}/deliveries`, { summary: 'Done', links: ['https://cdn.example/done.zip'] });
    expect(delivered.status).toBe(200);
    expect((await manager.client.post(`/v1/briefs/${id}/approve`, {})).status).toBe(200);
    const brief = (await manager.client.get(`/v1/briefs/${id}`)).body;
    expect(brief.status).toBe('approved');
    expect((brief.timeline as { type: string }[]).map((e) => e.type)).toEqual(expect.arrayContaining(['brief_created', 'acknowledged', 'delivered', 'approved']));

    const audited = await handoff.db.prisma.auditEvent.findMany({ where: { action: 'brief.reconciled', targetId: id } });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actorId: 'system', after: { repair: 'resumed' } });
    const metrics = await admin.get('/metrics');
    expect(metrics.body).toMatch(/^handoff_reconciler_repairs_total\{repair="resumed"\} 1$/m);

    // Nothing left to repair for it.
    expect((await reconcile()).repairs.filter((r) => r.briefId === id)).toEqual([]);
  });

  test('a read model that drifted from its workflow is recorded again by the workflow', async () => {
    const id = await newBrief(manager, partyId, 'Drifted');
    expect((await agency.client.post(`/v1/briefs/${id}/acknowledge`, {})).status).toBe(200);
    // A lost write, as it would look: the read model still at the first event and status.
    await handoff.db.prisma.brief.update({ where: { id }, data: { status: 'awaiting_ack', lastSeq: 1 } });

    const round = await reconcile();
    const repairs = round.repairs.filter((r) => r.briefId === id);
    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatchObject({ repair: 'refreshed' });
    expect(repairs[0].found).toContain('the read model is at event 1, the workflow recorded up to 2');
    expect(repairs[0].found).toContain('the read model shows awaiting_ack, the workflow in_progress');
    const row = await handoff.db.prisma.brief.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'in_progress', lastSeq: 2 });
    expect((await reconcile()).repairs.filter((r) => r.briefId === id)).toEqual([]);
  });

  test('only admins run it', async () => {
    expect((await manager.client.post('/v1/admin/reconcile', {})).status).toBe(403);
    expect((await agency.client.post('/v1/admin/reconcile', {})).status).toBe(403);
  });
});

describe('on its schedule', () => {
  let handoff: TestHandoff;
  let manager: Member;
  let partyId: string;

  beforeAll(async () => {
    ({ handoff, manager, partyId } = await stackWithPeople('PT2S'));
  }, 120_000);

  afterAll(async () => {
    await handoff?.cleanup();
  });

  test('a terminated workflow is resumed within the period', async () => {
    const id = await newBrief(manager, partyId, 'Terminated, found by the schedule');
    await env.client.workflow.getHandle(briefWorkflowId(id)).terminate('an operator ended it by mistake');
    const audited = await eventually(async () => {
      const rows = await handoff.db.prisma.auditEvent.findMany({ where: { action: 'brief.reconciled', targetId: id } });
      return rows.length > 0 ? rows : undefined;
    }, 20_000, 250);
    expect(audited[0].after).toMatchObject({ repair: 'resumed' });
    const description = await env.client.workflow.getHandle(briefWorkflowId(id)).describe();
    expect(description.status.name).toBe('RUNNING');
  });
});
