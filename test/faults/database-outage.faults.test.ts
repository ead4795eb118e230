// PostgreSQL is unreachable for 20 seconds: the proxies the worker and the API reach it through
// reset every connection and refuse new ones, while briefs are being driven through their
// lifecycles and SLA clocks fall due. The API answers 503 problem+json meanwhile and 200 again
// after; the worker's activities retry; afterwards no event is missing (brief_events seqs
// contiguous and the same as the workflows'), the read model matches every workflow, every brief
// reaches where its actions lead, and every notification went out once.
import { randomBytes } from 'node:crypto';
import { expectedOutboxRows, notificationProblems, readModelDifferences, report, settledRowCount, workflowTimelines } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { apiClient, eventually, type ApiClient } from '../support/http';
import { untilAnswered } from '../support/retrying-client';

const OUTAGE_MS = 20_000;
const CLOCK_BRIEFS = 20;
const LIFECYCLE_BRIEFS = 12;
/** Acknowledge targets from 6 s to 30 s: clocks fall due before, during and after the outage. */
const targetSeconds = (i: number) => 6 + Math.round((24 * i) / (CLOCK_BRIEFS - 1));

let stack: FaultStack;
/** Stops the test's clients once it is over, passed or failed. */
const clients = new AbortController();

beforeAll(async () => {
  stack = await startFaultStack();
}, 240_000);

afterAll(async () => {
  clients.abort();
  await stack?.cleanup();
});

test('PostgreSQL unreachable for 20 s: 503 meanwhile, 200 after, activities retried and no event missing', async () => {
  const { manager, agent, agencyId } = stack.people;
  const run = randomBytes(4).toString('hex');
  const policy = await stack.admin.post('/v1/sla-policies', {
    name: 'Seconds, round the clock',
    targets: { acknowledge: { P2: 'PT30S' } },
    warnAt: 0.5,
    escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }, { after: 'PT3S', notify: ['party_lead'] }] },
  });
  expect(policy.status).toBe(201);
  const clockBriefs = await Promise.all(
    Array.from({ length: CLOCK_BRIEFS }, (_, i) =>
      manager.client.post('/v1/briefs', { title: `Clock ${i} (${run})`, description: 'Nobody acknowledges this one', partyId: agencyId, priority: 'P2', slaPolicyId: policy.body.id, targets: { acknowledge: `PT${targetSeconds(i)}S` } }),
    ),
  );
  expect(clockBriefs.map((c) => c.status)).toEqual(clockBriefs.map(() => 201));
  const clockIds = clockBriefs.map((c) => c.body.id as string);
  const lastDue = Math.max(...clockBriefs.map((c) => Date.parse(c.body.sla.acknowledge.dueAt))) + 3_000;

  // Briefs driven from creation to approval the whole time, each request retried with its key.
  const by: Record<'manager' | 'agent', ApiClient> = { manager: manager.client, agent: agent.client };
  const steps = [
    { actor: 'agent', route: 'acknowledge', body: { note: 'on it' } },
    { actor: 'agent', route: 'deliveries', body: { summary: 'Draft', links: ['https://files.example/v1.zip'] } },
    { actor: 'manager', route: 'approve', body: { note: 'Ship it' } },
  ] as const;
  let unavailableAnswers = 0;
  const lifecycleIds: string[] = [];
  const lifecycle = async (i: number) => {
    const created = await untilAnswered(() =>
      manager.client.post('/v1/briefs', { title: `Lifecycle ${i} (${run})`, description: 'Landing page', partyId: agencyId, priority: 'P1' }, { 'idempotency-key': `${run}-${i}-create` }),
      { signal: clients.signal },
    );
    expect(created.answer.status).toBe(201);
    unavailableAnswers += created.unavailable;
    lifecycleIds[i] = created.answer.body.id;
    for (const [s, step] of steps.entries()) {
      // A pause between steps spreads the lifecycles over the outage.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const { answer, unavailable } = await untilAnswered(() => by[step.actor].post(`/v1/briefs/${lifecycleIds[i]}/${step.route}`, step.body, { 'idempotency-key': `${run}-${i}-${s}` }), {
        signal: clients.signal,
      });
      unavailableAnswers += unavailable;
      if (answer.status !== 200) throw new Error(`lifecycle ${i} ${step.route}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  const driving = Promise.all(Array.from({ length: LIFECYCLE_BRIEFS }, (_, i) => new Promise((resolve) => setTimeout(resolve, i * 700)).then(() => lifecycle(i))));
  driving.catch(() => clients.abort());

  // The outage, once the first clocks have fired.
  await eventually(async () => ((await stack.db.prisma.briefEvent.count({ where: { briefId: { in: clockIds }, type: 'sla_warning' } })) > 0 ? true : undefined), 30_000, 100);
  await Promise.all([stack.proxies.worker.cut(), stack.proxies.api.cut()]);
  const cutAt = Date.now();

  const reader = apiClient(stack.url, manager.key);
  const [health, read, create] = await Promise.all([
    reader.get('/healthz'),
    reader.get(`/v1/briefs/${clockIds[0]}`),
    reader.post('/v1/briefs', { title: `Sent during the outage ${run}`, description: 'd', partyId: agencyId }),
  ]);
  const answeredAt = Date.now();
  expect(answeredAt - cutAt).toBeLessThan(OUTAGE_MS);
  expect(health.status).toBe(503);
  expect(health.body.checks.database).toBe('unavailable');
  for (const answer of [read, create]) {
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'https://handoff.dev/problems/unavailable', status: 503 });
  }

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + OUTAGE_MS - Date.now())));
  await Promise.all([stack.proxies.worker.restore(), stack.proxies.api.restore()]);
  const restoredAt = Date.now();
  // 200 again, as soon as the database answers.
  await eventually(async () => ((await reader.get(`/v1/briefs/${clockIds[0]}`)).status === 200 ? true : undefined), 30_000, 100);
  const answeringAgainAt = Date.now();
  // A send whose bookkeeping the outage cut off goes out again under its key; one first received from now on may not.
  const repeatWindow = { webhook: stack.webhooks.received.length, email: stack.smtp.messages.length };
  expect((await reader.get('/healthz')).status).toBe(200);

  await driving;
  // Every clock event of every clock brief recorded: warning, breach and two escalations each.
  await eventually(
    async () => {
      const events = await stack.db.prisma.briefEvent.count({ where: { briefId: { in: clockIds }, type: { in: ['sla_warning', 'sla_breached', 'escalation_raised'] } } });
      return events >= CLOCK_BRIEFS * 4 ? true : undefined;
    },
    Math.max(0, lastDue - Date.now()) + 90_000,
    250,
  );
  const allIds = [...clockIds, ...lifecycleIds];
  const finals = await Promise.all(lifecycleIds.map((id) => stack.queryBrief(id)));
  expect(finals.map((b) => b.status)).toEqual(lifecycleIds.map(() => 'approved'));

  // The outage reached the worker: activities failed and were retried.
  let retriedActivities = 0;
  for (const id of allIds) {
    const history = await stack.workflow(id).fetchHistory();
    retriedActivities += (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
  }
  expect(retriedActivities).toBeGreaterThan(0);

  // Nothing missing or out of step: events, clocks, deliveries, escalations.
  const differences: string[] = [];
  for (const id of allIds) differences.push(...(await readModelDifferences(stack, manager.client, id)));
  expect(differences).toEqual([]);
  const clockEvents = await stack.db.prisma.briefEvent.groupBy({ by: ['type'], where: { briefId: { in: clockIds } }, _count: { _all: true } });
  expect(Object.fromEntries(clockEvents.map((g) => [g.type, g._count._all]))).toEqual({
    brief_created: CLOCK_BRIEFS,
    sla_warning: CLOCK_BRIEFS,
    sla_breached: CLOCK_BRIEFS,
    escalation_raised: CLOCK_BRIEFS * 2,
  });

  // Every notification once.
  const timelines = await workflowTimelines(stack, allIds);
  const expectedRows = expectedOutboxRows(stack, timelines).size;
  await eventually(async () => {
    const { rows, open } = await settledRowCount(stack, allIds);
    return rows >= expectedRows && open === 0 ? true : undefined;
  }, 120_000, 500);
  const { problems, tally } = await notificationProblems(stack, timelines, repeatWindow);
  report('database unreachable', {
    outageMs: restoredAt - cutAt,
    answered503InMs: answeredAt - cutAt,
    answering200AfterRestoreMs: answeringAgainAt - restoredAt,
    clientRequestsAnswered503: unavailableAnswers,
    activityAttemptsRetried: retriedActivities,
    events: (await stack.db.prisma.briefEvent.count({ where: { briefId: { in: allIds } } })),
    ...tally,
  });
  expect(problems).toEqual([]);
}, 420_000);
