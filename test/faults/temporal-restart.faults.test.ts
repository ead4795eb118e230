// The Temporal server is stopped (SIGKILL) while briefs have running SLA clocks, and started again
// on its file database half a minute later. Every clock still fires: warnings, breaches and both
// escalation levels, each once, never early, and late by no more than the time Temporal was away
// (plus a small margin); those due after the restart are on time. Meanwhile the API answers 503
// problem+json for what needs Temporal (a create, an action, the health check) and keeps serving
// reads from the read model; afterwards the same requests, retried with their Idempotency-Keys,
// succeed once.
import { randomBytes } from 'node:crypto';
import { notificationProblems, readModelDifferences, report, settledRowCount, workflowTimelines, expectedOutboxRows } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { apiClient, eventually } from '../support/http';
import { untilAnswered } from '../support/retrying-client';

const BRIEFS = 30;
/** The acknowledge targets spread from 10 s to 60 s: clocks fall due before, during and after the downtime. */
const targetSeconds = (i: number) => 10 + Math.round((50 * i) / (BRIEFS - 1));
const SECOND_LEVEL_AFTER_MS = 5_000;
/** How long Temporal is away: longer than the API's 30 s deadline for an update, so an action meets it away. */
const DOWN_MS = 35_000;
/**
 * What a clock may be late beyond the downtime. The server fires the overdue timers as it starts,
 * but the worker's pollers back off while it is away (the SDK retries polls up to 10 s apart, with
 * 20 % jitter), so the workflow tasks are picked up up to 12 s later (1-8 s measured), and then
 * the backlog of every clock due meanwhile is worked off on two busy cores.
 */
const MARGIN_MS = 15_000;

let stack: FaultStack;
/** Whether the test still watches the database for clock events (until it is over, passed or failed). */
let watching = true;

beforeAll(async () => {
  stack = await startFaultStack();
}, 240_000);

afterAll(async () => {
  watching = false;
  await stack?.cleanup();
});

interface Expected {
  briefId: string;
  type: 'sla_warning' | 'sla_breached' | 'escalation_raised';
  level?: number;
  due: number;
}

test('Temporal stopped and restarted on its database: every clock fires, late by at most the downtime, and the API answers 503 meanwhile', async () => {
  const { manager, agent, agencyId } = stack.people;
  const policy = await stack.admin.post('/v1/sla-policies', {
    name: 'Seconds, round the clock',
    targets: { acknowledge: { P2: 'PT30S' } },
    warnAt: 0.5,
    escalation: { levels: [{ after: 'PT0S', notify: ['manager'] }, { after: `PT${SECOND_LEVEL_AFTER_MS / 1000}S`, notify: ['party_lead'] }] },
  });
  expect(policy.status).toBe(201);
  expect(policy.body.calendarId).toBe('24x7');

  const run = randomBytes(4).toString('hex');
  const probe = await manager.client.post('/v1/briefs', { title: `Probe ${run}`, description: 'acknowledged while Temporal is away', partyId: agencyId, priority: 'P2' });
  expect(probe.status).toBe(201);
  const created = await Promise.all(
    Array.from({ length: BRIEFS }, (_, i) =>
      manager.client.post('/v1/briefs', {
        title: `Clock ${i} (${run})`,
        description: 'Nobody acknowledges this one',
        partyId: agencyId,
        priority: 'P2',
        slaPolicyId: policy.body.id,
        targets: { acknowledge: `PT${targetSeconds(i)}S` },
      }),
    ),
  );
  expect(created.map((c) => c.status)).toEqual(created.map(() => 201));
  const expected: Expected[] = created.flatMap(({ body }) => {
    const clock = body.sla.acknowledge;
    const due = Date.parse(clock.dueAt);
    return [
      { briefId: body.id, type: 'sla_warning', due: Date.parse(clock.warnsAt) },
      { briefId: body.id, type: 'sla_breached', due },
      { briefId: body.id, type: 'escalation_raised', level: 1, due },
      { briefId: body.id, type: 'escalation_raised', level: 2, due: due + SECOND_LEVEL_AFTER_MS },
    ];
  });
  const briefIds = created.map((c) => c.body.id as string);

  // When each clock event reaches the database, as seen from here.
  const seenAt = new Map<string, number>();
  const watcher = (async () => {
    while (watching) {
      const rows = await stack.db.prisma.briefEvent
        .findMany({ where: { briefId: { in: briefIds }, type: { in: ['sla_warning', 'sla_breached', 'escalation_raised'] } }, select: { id: true } })
        // A test that failed drops the database while a read may be under way.
        .catch((err: unknown) => (watching ? Promise.reject(err) : []));
      const now = Date.now();
      for (const row of rows) if (!seenAt.has(row.id)) seenAt.set(row.id, now);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();

  // Away: some clocks have fired, most are yet to come.
  await eventually(async () => (seenAt.size > 0 ? true : undefined), 30_000, 100);
  await stack.temporal.kill('SIGKILL');
  const stoppedAt = Date.now();

  const health = await apiClient(stack.url).get('/healthz');
  const createKey = `create-${run}`;
  const createBody = { title: `Sent while Temporal is away ${run}`, description: 'Retried later', partyId: agencyId, priority: 'P2' };
  const ackKey = `ack-${run}`;
  const [createAway, ackAway, readAway] = await Promise.all([
    manager.client.post('/v1/briefs', createBody, { 'idempotency-key': createKey }),
    agent.client.post(`/v1/briefs/${probe.body.id}/acknowledge`, { note: 'on it' }, { 'idempotency-key': ackKey }),
    manager.client.get(`/v1/briefs/${probe.body.id}`),
  ]);
  const answeredAwayAt = Date.now();
  expect(Date.now() - stoppedAt).toBeLessThan(DOWN_MS);
  expect(health.status).toBe(503);
  expect(health.body.checks).toEqual({ database: 'ok', temporal: 'unavailable' });
  for (const answer of [createAway, ackAway]) {
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'https://handoff.dev/problems/unavailable', status: 503 });
  }
  // Reads come from the read model, which does not need Temporal.
  expect([readAway.status, readAway.body.status]).toEqual([200, 'awaiting_ack']);

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + DOWN_MS - Date.now())));
  await stack.temporal.start();
  const restartedAt = Date.now();
  // A send under way when Temporal went away, whose completion it could not take, goes out again (same key) once it is back.
  const repeatWindow = { webhook: stack.webhooks.received.length, email: stack.smtp.messages.length };
  const downMs = restartedAt - stoppedAt;

  // The requests that met Temporal away, retried with their keys: once each.
  const [{ answer: createRetried }, { answer: ackRetried }] = await Promise.all([
    untilAnswered(() => manager.client.post('/v1/briefs', createBody, { 'idempotency-key': createKey }), { timeoutMs: 60_000 }),
    untilAnswered(() => agent.client.post(`/v1/briefs/${probe.body.id}/acknowledge`, { note: 'on it' }, { 'idempotency-key': ackKey }), { timeoutMs: 60_000 }),
  ]);
  expect(createRetried.status).toBe(201);
  expect(ackRetried.status).toBe(200);
  expect(ackRetried.body.timeline.filter((e: { type: string }) => e.type === 'acknowledged')).toHaveLength(1);
  expect(await stack.db.prisma.brief.count({ where: { title: createBody.title } })).toBe(1);

  // Every clock event, and the last of them is the positive signal that nothing more comes.
  const lastDue = Math.max(...expected.map((e) => e.due));
  await eventually(async () => (seenAt.size >= expected.length ? true : undefined), lastDue - Date.now() + 60_000, 200);
  watching = false;
  await watcher;

  const events = await stack.db.prisma.briefEvent.findMany({ where: { briefId: { in: briefIds }, type: { in: ['sla_warning', 'sla_breached', 'escalation_raised'] } } });
  const problems: string[] = [];
  /** awayAtDue: the clock fell due while Temporal was away, or too shortly before to fire. */
  const lateness: { recorded: number; visible: number; awayAtDue: boolean }[] = [];
  for (const want of expected) {
    const matching = events.filter((e) => e.briefId === want.briefId && e.type === want.type && (want.level === undefined || (e.data as { level?: number }).level === want.level));
    if (matching.length !== 1) {
      problems.push(`${want.briefId} ${want.type}${want.level ? ` ${want.level}` : ''}: ${matching.length} events`);
      continue;
    }
    const [event] = matching;
    const at = event.at.getTime();
    const visibleAt = seenAt.get(event.id) as number;
    // Late by at most the margin, plus, for one that fell due while Temporal was away (or so shortly
    // before that it could not fire), the rest of the downtime: never more than the downtime and the margin.
    const caughtByDowntime = want.due + MARGIN_MS >= stoppedAt && want.due < restartedAt;
    const allowed = MARGIN_MS + (caughtByDowntime ? restartedAt - want.due : 0);
    lateness.push({ recorded: at - want.due, visible: visibleAt - want.due, awayAtDue: caughtByDowntime });
    if (at < want.due) problems.push(`${want.briefId} ${want.type}: fired ${want.due - at} ms early`);
    if (visibleAt - want.due > allowed) problems.push(`${want.briefId} ${want.type}${want.level ? ` ${want.level}` : ''} due ${new Date(want.due).toISOString()}: in the database ${visibleAt - want.due} ms late, allowed ${allowed}`);
  }
  const duringDowntime = lateness.filter((l) => l.awayAtDue);
  const max = (values: number[]) => (values.length ? Math.max(...values) : null);
  const p50 = (values: number[]) => (values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] : null);
  const figures = {
    briefs: BRIEFS,
    clockEvents: expected.length,
    dueWhileAway: duringDowntime.length,
    downMs,
    answered503InMs: answeredAwayAt - stoppedAt,
    firstEventAfterRestartMs: Math.min(...[...seenAt.values()].filter((t) => t >= restartedAt)) - restartedAt,
    latenessDueWhileAwayMaxMs: max(duringDowntime.map((l) => l.visible)),
    latenessOtherwiseP50Ms: p50(lateness.filter((l) => !l.awayAtDue).map((l) => l.visible)),
    latenessOtherwiseMaxMs: max(lateness.filter((l) => !l.awayAtDue).map((l) => l.visible)),
    recordedLatenessMaxMs: max(lateness.map((l) => l.recorded)),
  };
  report('temporal restarted (clocks)', figures);
  expect(problems).toEqual([]);
  expect(duringDowntime.length).toBeGreaterThan(0);
  expect(lateness.filter((l) => !l.awayAtDue).length).toBeGreaterThan(0);

  // The read model agrees with every workflow, and every notification went out once (a reminder
  // whose deadline passed while Temporal was away is dropped, not sent late).
  const allBriefs = [...briefIds, probe.body.id, createRetried.body.id];
  const differences: string[] = [];
  for (const id of allBriefs) differences.push(...(await readModelDifferences(stack, manager.client, id)));
  expect(differences).toEqual([]);
  const timelines = await workflowTimelines(stack, allBriefs);
  const expectedRows = expectedOutboxRows(stack, timelines).size;
  await eventually(async () => {
    const { rows, open } = await settledRowCount(stack, allBriefs);
    return rows >= expectedRows && open === 0 ? true : undefined;
  }, 120_000, 500);
  const { problems: notificationIssues, tally } = await notificationProblems(stack, timelines, repeatWindow);

  report('temporal restarted (notifications)', tally);
  expect(notificationIssues).toEqual([]);
}, 420_000);
