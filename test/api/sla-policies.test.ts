// SLA policies through the running API: create (system defaults filled in), list (the built-in
// `default` first, isDefault on the system default), read, change, validation naming the field,
// the preview of a policy's deadlines, a party's default policy, applying a policy to running
// briefs (an application followed until it has finished, a page of briefs at a time), and who may
// do what.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_SLA_TARGETS } from '../../lib/config';
import { policyApplicationWorkflowId } from '../../workflows/domain/ids';
import { POLICY_APPLICATION_PAGE_SIZE } from '../../workflows/policy-application/definitions';
import { startTestHandoff, type TestHandoff } from '../support/handoff';
import type { ApiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';
import { directory, expectProblem, type DirectoryHelper, type Member } from './directory';

const ESCALATION = {
  levels: [
    { after: 'PT0S', notify: ['party_lead', 'manager'] },
    { after: 'PT4H', notify: ['watchers'] },
  ],
};

describe('SLA policies', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let d: DirectoryHelper;
  let admin: ApiClient;
  let shop: string;
  let agency: string;
  let manager: Member;
  let watcher: Member;
  let member: Member;
  let berlin: string;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    d = directory(handoff.url);
    admin = d.admin;
    shop = await d.party('Shop', 'ecommerce');
    agency = await d.party('Pixelwerk', 'agency');
    manager = await d.member(shop, 'manager');
    watcher = await d.member(shop, 'watcher');
    member = await d.member(agency, 'member');
    const weekday = [['09:00', '17:00']];
    const calendar = await admin.post('/v1/calendars', {
      name: 'Berlin office',
      timezone: 'Europe/Berlin',
      workingHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
    });
    expect(calendar.status).toBe(201);
    berlin = calendar.body.id;
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  const create = (body: Record<string, unknown>) => admin.post('/v1/sla-policies', { name: 'Agencies', escalation: ESCALATION, ...body });
  const patch = (client: ApiClient, id: string, body: unknown) => client.request('PATCH', `/v1/sla-policies/${id}`, body);
  const defaults = async () => (await admin.get('/v1/sla-policies?limit=200')).body.items.filter((p: { isDefault: boolean }) => p.isDefault).map((p: { id: string }) => p.id);

  /** Follows an application until it is no longer running; answers every state seen, the last one finished. */
  async function followApplication(href: string): Promise<any[]> {
    const seen: any[] = [];
    const deadline = Date.now() + 150_000;
    for (;;) {
      const res = await admin.get(href);
      expect(res.status).toBe(200);
      seen.push(res.body);
      if (res.body.status !== 'running') return seen;
      if (Date.now() > deadline) throw new Error(`the application ${href} is still running`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const finishedApplication = async (href: string) => (await followApplication(href)).pop();

  /** Starts applying a policy to its running briefs and follows the application until it has finished. */
  async function applyToRunning(policyId: string) {
    const started = await admin.post(`/v1/sla-policies/${policyId}/apply-to-running`);
    expect(started.status).toBe(202);
    expect(started.body.href).toBe(`/v1/sla-policies/${policyId}/applications/${started.body.applicationId}`);
    expect(started.headers.get('location')).toBe(started.body.href);
    const seen = [started.body, ...(await followApplication(started.body.href))];
    return { started, seen, finished: seen[seen.length - 1] };
  }

  test('an admin creates a policy; clocks and priorities left out take the system defaults', async () => {
    const res = await create({ calendarId: berlin, targets: { acknowledge: { P2: 'PT2H' }, deliver: { P1: 'P2DT4H' } }, escalation: { ...ESCALATION, repeatEvery: 'PT4H' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/sla-policies/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Agencies',
      calendarId: berlin,
      targets: {
        acknowledge: { ...DEFAULT_SLA_TARGETS.acknowledge, P2: 'PT2H' },
        deliver: { ...DEFAULT_SLA_TARGETS.deliver, P1: 'P2DT4H' },
        review: DEFAULT_SLA_TARGETS.review,
      },
      warnAt: 0.75,
      escalation: { ...ESCALATION, repeatEvery: 'PT4H', maxRepeats: 3 },
      isDefault: false,
      version: 1,
      builtIn: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await watcher.client.get(`/v1/sla-policies/${res.body.id}`)).body).toEqual(res.body);
    const round = await create({ calendarId: '24x7' });
    expect(round.body).toMatchObject({ calendarId: '24x7', targets: DEFAULT_SLA_TARGETS });
    const events = (await admin.get(`/v1/audit?targetType=sla_policy&targetId=${res.body.id}`)).body.items;
    expect(events).toEqual([expect.objectContaining({ action: 'sla_policy.created', before: null, after: expect.objectContaining({ name: 'Agencies' }) })]);
  });

  test('lists the built-in default policy first; isDefault moves to the policy marked so, one at a time', async () => {
    const first = await manager.client.get('/v1/sla-policies?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      expect.objectContaining({ id: 'default', builtIn: true, calendarId: '24x7', targets: DEFAULT_SLA_TARGETS, warnAt: 0.75, escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] }, version: 1 }),
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(await defaults()).toEqual(['default']);

    const a = await create({ name: 'Default A', isDefault: true });
    expect(a.body.isDefault).toBe(true);
    expect(await defaults()).toEqual([a.body.id]);
    const b = await create({ name: 'Default B', isDefault: true });
    expect(await defaults()).toEqual([b.body.id]);
    expect((await admin.get(`/v1/sla-policies/${a.body.id}`)).body.isDefault).toBe(false);
    expect((await admin.get('/v1/sla-policies/default')).body.isDefault).toBe(false);

    // Unmarking the system default makes the built-in one the default again; the version stays.
    const unset = await patch(admin, b.body.id, { isDefault: false });
    expect(unset.body).toMatchObject({ isDefault: false, version: 1 });
    expect(await defaults()).toEqual(['default']);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const next: { body: { items: { id: string }[]; nextCursor: string | null } } = await watcher.client.get(`/v1/sla-policies?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...next.body.items.map((p) => p.id));
      cursor = next.body.nextCursor;
    } while (cursor);
    expect(pages[0]).toBe('default');
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
  });

  test('a change increments the version and is audited; the built-in policy cannot be changed (409)', async () => {
    const { body: created } = await create({ name: 'Suppliers' });
    const changed = await patch(admin, created.id, { name: 'Suppliers 2027', calendarId: berlin, warnAt: 0.5, targets: { review: { P4: 'P5D' } } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Suppliers 2027', calendarId: berlin, warnAt: 0.5, version: 2, targets: { review: { P4: 'P5D' }, acknowledge: DEFAULT_SLA_TARGETS.acknowledge } });
    const back = await patch(admin, created.id, { calendarId: null, escalation: { levels: [{ after: 'PT1H', notify: [manager.id] }], maxRepeats: 0 } });
    expect(back.body).toMatchObject({ calendarId: '24x7', version: 3, escalation: { levels: [{ after: 'PT1H', notify: [manager.id] }], maxRepeats: 0 } });
    const same = await patch(admin, created.id, { name: 'Suppliers 2027' });
    expect(same.body.version).toBe(3);
    const events = (await admin.get(`/v1/audit?targetType=sla_policy&targetId=${created.id}`)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['sla_policy.updated', 'sla_policy.updated', 'sla_policy.created']);
    expect(events[1]).toMatchObject({ before: { name: 'Suppliers', version: 1 }, after: { name: 'Suppliers 2027', version: 2 } });

    expectProblem(await patch(admin, 'default', { name: 'Mine' }), 409, 'conflict');
    expectProblem(await patch(admin, 'no-such-policy', { name: 'Mine' }), 404, 'not-found');
    expectProblem(await admin.get('/v1/sla-policies/no-such-policy'), 404, 'not-found');
  });

  test.each([
    ['a target in weeks', { targets: { acknowledge: { P1: 'P1W' } } }, 'body.targets.acknowledge.P1'],
    ['a target of zero', { targets: { deliver: { P2: 'PT0S' } } }, 'body.targets.deliver.P2'],
    ['an unknown clock', { targets: { approve: { P2: 'PT1H' } } }, 'body.targets'],
    ['an unknown priority', { targets: { review: { P9: 'PT1H' } } }, 'body.targets.review'],
    ['a warning at the target', { warnAt: 1 }, 'body.warnAt'],
    ['an unknown calendar', { calendarId: 'no-such-calendar' }, 'body.calendarId'],
    ['no escalation levels', { escalation: { levels: [] } }, 'body.escalation.levels'],
    ['eleven escalation levels', { escalation: { levels: Array.from({ length: 11 }, () => ({ after: 'PT0S', notify: ['manager'] })) } }, 'body.escalation.levels'],
    ['a level that notifies nobody', { escalation: { levels: [{ after: 'PT0S', notify: [] }] } }, 'body.escalation.levels.0.notify'],
    ['levels out of order', { escalation: { levels: [{ after: 'P1D', notify: ['manager'] }, { after: 'PT4H', notify: ['watchers'] }] } }, 'body.escalation.levels[1].after'],
    ['a recipient that is neither a role nor a member', { escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }, { after: 'PT1H', notify: ['nobody'] }] } }, 'body.escalation.levels[1].notify[0]'],
    ['a repeat of zero', { escalation: { ...ESCALATION, repeatEvery: 'PT0S' } }, 'body.escalation.repeatEvery'],
    ['too many repeats', { escalation: { ...ESCALATION, repeatEvery: 'PT1H', maxRepeats: 101 } }, 'body.escalation.maxRepeats'],
  ])('%s answers 400 naming the field', async (_what, body, path) => {
    const res = await create(body);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  test("previews a clock on a Mon-Fri 09:00-17:00 Berlin calendar: 4 business hours from Friday 15:00 end Monday 11:00", async () => {
    const { body: policy } = await create({ name: 'Berlin hours', calendarId: berlin, targets: { acknowledge: { P2: 'PT4H' } }, escalation: { ...ESCALATION, repeatEvery: 'PT4H', maxRepeats: 1 } });
    const res = await manager.client.get(`/v1/sla-policies/${policy.id}/preview?start=${encodeURIComponent('2026-11-27T15:00:00+01:00')}&priority=P2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      policyId: policy.id,
      policyVersion: 1,
      start: '2026-11-27T14:00:00.000Z',
      priority: 'P2',
      calendar: { id: berlin, name: 'Berlin office', timezone: 'Europe/Berlin' },
    });
    expect(res.body.clocks.acknowledge).toEqual({
      target: 'PT4H',
      dueAt: '2026-11-30T10:00:00.000Z', // Monday 11:00 in Berlin
      warnAt: '2026-11-30T09:00:00.000Z', // three business hours in: Monday 10:00
      escalations: [
        { level: 1, repeat: 0, at: '2026-11-30T10:00:00.000Z' },
        { level: 2, repeat: 0, at: '2026-11-30T14:00:00.000Z' }, // Monday 15:00
        { level: 2, repeat: 1, at: '2026-12-01T10:00:00.000Z' }, // Tuesday 11:00
      ],
    });
    expect(res.body.clocks.deliver.target).toBe(DEFAULT_SLA_TARGETS.deliver.P2);
    expect(Object.keys(res.body.clocks).sort()).toEqual(['acknowledge', 'deliver', 'review']);

    // The built-in policy counts round the clock, from now at P3 unless told otherwise.
    const builtIn = await watcher.client.get('/v1/sla-policies/default/preview');
    expect(builtIn.status).toBe(200);
    expect(builtIn.body).toMatchObject({ policyId: 'default', priority: 'P3', calendar: { id: '24x7', timezone: 'UTC' } });
    expect(Math.abs(Date.parse(builtIn.body.start) - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(builtIn.body.clocks.acknowledge.dueAt) - Date.parse(builtIn.body.start)).toBe(24 * 3600_000); // P1D

    const badStart = await manager.client.get(`/v1/sla-policies/${policy.id}/preview?start=friday`);
    expectProblem(badStart, 400, 'validation');
    expect(badStart.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.start']);
    const badPriority = await manager.client.get(`/v1/sla-policies/${policy.id}/preview?priority=P7`);
    expect(badPriority.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.priority']);
    expectProblem(await manager.client.get('/v1/sla-policies/no-such-policy/preview'), 404, 'not-found');
  });

  test("previews a brief's own targets (the new-brief form): 2 business hours from Friday 16:00 end Monday 10:00", async () => {
    const { body: policy } = await create({ name: 'Berlin hours, own targets', calendarId: berlin });
    const start = encodeURIComponent('2026-11-27T16:00:00+01:00');
    const res = await manager.client.get(`/v1/sla-policies/${policy.id}/preview?start=${start}&priority=P2&deliver=PT2H`);
    expect(res.status).toBe(200);
    expect(res.body.clocks.deliver).toMatchObject({ target: 'PT2H', dueAt: '2026-11-30T09:00:00.000Z' }); // Monday 10:00 in Berlin
    // The clocks without a target of their own keep the policy's.
    expect(res.body.clocks.acknowledge.target).toBe(DEFAULT_SLA_TARGETS.acknowledge.P2);
    const bad = await manager.client.get(`/v1/sla-policies/${policy.id}/preview?review=soon`);
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.review']);
  });

  test("a party's default policy is set on creation or by PATCH, checked, shown and audited", async () => {
    const { body: policy } = await create({ name: 'Logistics' });
    const party = await admin.post('/v1/parties', { name: 'Speedy Freight', kind: 'logistics', defaultSlaPolicyId: policy.id });
    expect(party.status).toBe(201);
    expect(party.body).toMatchObject({ kind: 'logistics', defaultSlaPolicyId: policy.id });
    const unknown = await admin.post('/v1/parties', { name: 'Nowhere', kind: 'agency', defaultSlaPolicyId: 'no-such-policy' });
    expectProblem(unknown, 400, 'validation');
    expect(unknown.body.errors).toEqual([{ path: 'body.defaultSlaPolicyId', message: expect.any(String) }]);

    const renamed = await admin.request('PATCH', `/v1/parties/${party.body.id}`, { name: 'Speedy Freight GmbH', defaultSlaPolicyId: 'default' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Speedy Freight GmbH', defaultSlaPolicyId: 'default' });
    const cleared = await admin.request('PATCH', `/v1/parties/${party.body.id}`, { defaultSlaPolicyId: null });
    expect(cleared.body).toMatchObject({ name: 'Speedy Freight GmbH', defaultSlaPolicyId: null });
    expect((await manager.client.get(`/v1/parties/${party.body.id}`)).body.defaultSlaPolicyId).toBeNull();
    const badPatch = await admin.request('PATCH', `/v1/parties/${party.body.id}`, { defaultSlaPolicyId: 'no-such-policy' });
    expect(badPatch.body.errors).toEqual([{ path: 'body.defaultSlaPolicyId', message: expect.any(String) }]);
    expectProblem(await manager.client.request('PATCH', `/v1/parties/${party.body.id}`, { name: 'Mine' }), 403, 'forbidden');
    expectProblem(await admin.request('PATCH', '/v1/parties/no-such-party', { name: 'Mine' }), 404, 'not-found');

    const events = (await admin.get(`/v1/audit?targetType=party&targetId=${party.body.id}`)).body.items;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['party.updated', 'party.updated', 'party.created']);
    expect(events[0]).toMatchObject({ before: { defaultSlaPolicyId: 'default' }, after: { defaultSlaPolicyId: null } });
  });

  test('applies a changed policy to its running briefs; ended and other briefs are left alone', async () => {
    const { body: policy } = await create({ name: 'Running', calendarId: berlin });
    const brief = await manager.client.post('/v1/briefs', { title: 'Winter campaign', description: 'Banners for the winter sale', partyId: agency, slaPolicyId: policy.id });
    expect(brief.status).toBe(201);
    expect(brief.body.slaPolicy).toMatchObject({ id: policy.id, version: 1, calendarId: berlin, calendarName: 'Berlin office', timezone: 'Europe/Berlin' });
    expect(brief.body.sla.acknowledge.targetMs).toBe(8 * 3600_000);
    await patch(admin, policy.id, { targets: { acknowledge: { P3: 'PT2H' } } });
    // The running brief keeps the version it started with until the policy is applied to it.
    expect((await manager.client.get(`/v1/briefs/${brief.body.id}`)).body.slaPolicy.version).toBe(1);

    const { started, finished } = await applyToRunning(policy.id);
    expect(started.body).toMatchObject({ applicationId: expect.any(String), policyId: policy.id, policyVersion: 2, progress: { total: 1 } });
    expect(['running', 'completed']).toContain(started.body.status);
    expect(finished).toMatchObject({
      applicationId: started.body.applicationId,
      policyId: policy.id,
      policyVersion: 2,
      status: 'completed',
      progress: { total: 1, done: 1, applied: 1, skipped: 0, failed: 0 },
      finishedAt: expect.any(String),
      applied: [brief.body.id],
      skipped: [],
      failed: [],
    });
    const events = (await admin.get(`/v1/audit?targetType=sla_policy&targetId=${policy.id}`)).body.items;
    expect(events[0]).toMatchObject({ action: 'sla_policy.applied_to_running', after: { applicationId: started.body.applicationId, policyVersion: 2, applied: [brief.body.id], skipped: [], failed: [] } });
    const after = await manager.client.get(`/v1/briefs/${brief.body.id}`);
    expect(after.body.slaPolicy).toMatchObject({ id: policy.id, version: 2 });
    expect(after.body.sla.acknowledge).toMatchObject({ targetMs: 2 * 3600_000, startedAt: brief.body.sla.acknowledge.startedAt });
    expect(after.body.timeline.map((e: { type: string }) => e.type)).toEqual(['brief_created', 'sla_policy_applied']);

    const none = await applyToRunning('default');
    expect(none.finished).toMatchObject({ policyId: 'default', policyVersion: 1, status: 'completed', failed: [] });
    expect(none.finished.applied).not.toContain(brief.body.id);
    expectProblem(await admin.post('/v1/sla-policies/no-such-policy/apply-to-running'), 404, 'not-found');
    // An application is read under its own policy only.
    expectProblem(await admin.get(`/v1/sla-policies/default/applications/${started.body.applicationId}`), 404, 'not-found');
    expectProblem(await admin.get(`/v1/sla-policies/${policy.id}/applications/no-such-application`), 404, 'not-found');
  });

  test('a repeat under the same Idempotency-Key answers the same application, which applies the policy once', async () => {
    const { body: policy } = await create({ name: 'Once' });
    const brief = await manager.client.post('/v1/briefs', { title: 'Spring campaign', description: 'Banners for spring', partyId: agency, slaPolicyId: policy.id });
    await patch(admin, policy.id, { targets: { acknowledge: { P3: 'PT3H' } } });
    const key = { 'idempotency-key': `apply-${policy.id}` };
    const first = await admin.post(`/v1/sla-policies/${policy.id}/apply-to-running`, {}, key);
    const repeat = await admin.post(`/v1/sla-policies/${policy.id}/apply-to-running`, {}, key);
    expect(first.status).toBe(202);
    expect(repeat.status).toBe(202);
    expect(repeat.body.applicationId).toBe(first.body.applicationId);
    expect(repeat.headers.get('location')).toBe(first.headers.get('location'));
    const finished = await finishedApplication(first.body.href);
    expect(finished).toMatchObject({ status: 'completed', applied: [brief.body.id] });
    const timeline = (await manager.client.get(`/v1/briefs/${brief.body.id}`)).body.timeline.map((e: { type: string }) => e.type);
    expect(timeline.filter((t: string) => t === 'sla_policy_applied')).toHaveLength(1);
  });

  test('goes through the briefs a page at a time, writing its progress after each page', async () => {
    const { body: policy } = await create({ name: 'Many briefs' });
    const count = POLICY_APPLICATION_PAGE_SIZE + 5;
    const ids: string[] = [];
    for (let i = 0; i < count; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, count - i) }, (_, j) =>
          manager.client.post('/v1/briefs', { title: `Product page ${i + j}`, description: 'Copy and photos', partyId: agency, slaPolicyId: policy.id }),
        ),
      );
      for (const res of batch) {
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
    }
    await patch(admin, policy.id, { targets: { acknowledge: { P3: 'PT6H' } } });

    const { started, finished, seen } = await applyToRunning(policy.id);
    expect(started.body.progress.total).toBe(count);
    expect(finished).toMatchObject({ status: 'completed', policyVersion: 2, progress: { total: count, done: count, applied: count, skipped: 0, failed: 0 }, skipped: [], failed: [] });
    // In the order of the pages: the briefs' createdAt, then id.
    const order = await handoff.db.prisma.brief.findMany({ where: { id: { in: ids } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } });
    expect(finished.applied).toEqual(order.map((b) => b.id));
    // Progress moves a page at a time, and only forwards.
    const done = seen.map((s) => s.progress.done);
    expect(done.filter((d) => ![0, POLICY_APPLICATION_PAGE_SIZE, count].includes(d))).toEqual([]);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    // Two pages read, and the progress written after each.
    const history = await handoff.temporal.client.workflow.getHandle(policyApplicationWorkflowId(started.body.applicationId)).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled.filter((name) => name === 'readPolicyApplicationPage')).toHaveLength(2);
    expect(scheduled.filter((name) => name === 'recordPolicyApplicationProgress')).toHaveLength(2);
    expect(scheduled.filter((name) => name === 'applyPolicyToBrief')).toHaveLength(count);
    const sample = await manager.client.get(`/v1/briefs/${ids[count - 1]}`);
    expect(sample.body.slaPolicy).toMatchObject({ id: policy.id, version: 2 });
  }, 180_000);

  test('a brief runs under the policy it names, else its party\'s default, else the system default; an unknown policy is refused', async () => {
    const { body: named } = await create({ name: 'Named', targets: { acknowledge: { P2: 'PT3H' } } });
    const { body: partyDefault } = await create({ name: 'Party default', targets: { acknowledge: { P2: 'PT5H' } } });
    const { body: systemDefault } = await create({ name: 'System default', isDefault: true, targets: { acknowledge: { P2: 'PT7H' } } });
    const it = await admin.post('/v1/parties', { name: 'Shop IT', kind: 'it', defaultSlaPolicyId: partyDefault.id });
    const send = (partyId: string, extra: Record<string, unknown> = {}) =>
      manager.client.post('/v1/briefs', { title: 'Checkout fix', description: 'Fix the checkout button', partyId, priority: 'P2', ...extra });

    const explicit = await send(it.body.id, { slaPolicyId: named.id });
    expect(explicit.body.slaPolicy).toMatchObject({ id: named.id, agreement: 'internal' });
    expect(explicit.body.sla.acknowledge.targetMs).toBe(3 * 3600_000);
    const byParty = await send(it.body.id);
    expect(byParty.body.slaPolicy).toMatchObject({ id: partyDefault.id, agreement: 'internal' });
    expect(byParty.body.sla.acknowledge.targetMs).toBe(5 * 3600_000);
    const bySystem = await send(agency);
    expect(bySystem.body.slaPolicy).toMatchObject({ id: systemDefault.id, agreement: 'external', calendarId: null, timezone: 'UTC' });
    expect(bySystem.body.sla.acknowledge.targetMs).toBe(7 * 3600_000);
    const row = await handoff.db.prisma.brief.findUniqueOrThrow({ where: { id: bySystem.body.id } });
    expect(row).toMatchObject({ slaPolicyId: systemDefault.id, agreement: 'external' });

    const unknown = await send(agency, { slaPolicyId: 'no-such-policy' });
    expectProblem(unknown, 400, 'validation');
    expect(unknown.body.errors).toEqual([{ path: 'body.slaPolicyId', message: 'no SLA policy with this id' }]);
    // Back to the built-in default for the other tests.
    await patch(admin, systemDefault.id, { isDefault: false });
    const builtIn = await send(agency);
    expect(builtIn.body.slaPolicy).toMatchObject({ id: 'default', calendarId: null });
  });

  test('only admins write; members do not read policies', async () => {
    const { body: policy } = await create({ name: 'Guarded' });
    for (const client of [manager.client, watcher.client, member.client]) {
      expectProblem(await client.post('/v1/sla-policies', { name: 'Mine', escalation: ESCALATION }), 403, 'forbidden');
      expectProblem(await patch(client, policy.id, { name: 'Mine' }), 403, 'forbidden');
      expectProblem(await client.post(`/v1/sla-policies/${policy.id}/apply-to-running`), 403, 'forbidden');
      expectProblem(await client.get(`/v1/sla-policies/${policy.id}/applications/any`), 403, 'forbidden');
    }
    expectProblem(await member.client.get('/v1/sla-policies'), 403, 'forbidden');
    expectProblem(await member.client.get(`/v1/sla-policies/${policy.id}`), 403, 'forbidden');
    expectProblem(await member.client.get(`/v1/sla-policies/${policy.id}/preview`), 403, 'forbidden');
  });
});
