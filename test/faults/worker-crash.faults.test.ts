// The worker is killed (SIGKILL) while 200 briefs are in the middle of their lifecycles and their
// notifications are going out, and started again. Every brief reaches the state its actions lead
// to, the read model matches each workflow field by field, and every notification went out once in
// effect: an outbox row for each event, recipient and channel, each sent, each received under its
// own Idempotency-Key or Message-ID, and only a send cut off by the kill received twice.
import { randomBytes } from 'node:crypto';
import { expectedOutboxRows, notificationProblems, readModelDifferences, report, settledRowCount, workflowTimelines } from '../support/fault-checks';
import { startFaultStack, type FaultStack } from '../support/fault-stack';
import { eventually, type ApiClient, type ApiResponse } from '../support/http';
import { untilAnswered } from '../support/retrying-client';

/** FAULTS_BRIEFS makes a quicker run while working on the test; the suite runs 200. */
const BRIEFS = Number(process.env.FAULTS_BRIEFS ?? 200);
const IN_FLIGHT = 20;
/** The worker is killed once this share of all requests has been answered. */
const KILL_AT = 0.4;
/** How long the webhook receiver takes to answer. */
const WEBHOOK_ANSWER_MS = 1_000;
/** How long the worker stays down. */
const DOWN_MS = 3_000;

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

type Actor = 'manager' | 'agent';
interface Step {
  actor: Actor;
  route: string;
  body: Record<string, unknown>;
}
interface Plan {
  name: string;
  steps: Step[];
  status: string;
  deliveries: number;
}

const acknowledge: Step = { actor: 'agent', route: 'acknowledge', body: { note: 'on it' } };
const deliver = (n: number): Step => ({ actor: 'agent', route: 'deliveries', body: { summary: `Draft ${n}`, links: [`https://files.example/v${n}.zip`] } });
const approve: Step = { actor: 'manager', route: 'approve', body: { note: 'Ship it' } };

/** What happens to brief i: four lifecycles in turn, ending approved, approved after a revision, declined, or waiting for review. */
const PLANS: Plan[] = [
  { name: 'approved', steps: [acknowledge, deliver(1), approve], status: 'approved', deliveries: 1 },
  { name: 'revised', steps: [acknowledge, deliver(1), { actor: 'manager', route: 'request-changes', body: { reason: 'Bigger logo' } }, deliver(2), approve], status: 'approved', deliveries: 2 },
  { name: 'declined', steps: [acknowledge, { actor: 'agent', route: 'comments', body: { body: 'Our designer is ill' } }, { actor: 'agent', route: 'decline', body: { reason: 'No capacity' } }], status: 'declined', deliveries: 0 },
  { name: 'in review', steps: [acknowledge, deliver(1)], status: 'in_review', deliveries: 1 },
];

interface Tally {
  answered: number;
  retries: number;
  unavailable: number;
}

/** Sends until an answer other than 503 comes, with the same Idempotency-Key, as a client does. */
async function send(client: ApiClient, path: string, body: unknown, key: string, tally: Tally): Promise<ApiResponse> {
  const { answer, attempts, unavailable } = await untilAnswered(() => client.post(path, body, { 'idempotency-key': key }), { signal: clients.signal });
  tally.answered += 1;
  tally.retries += attempts - 1;
  tally.unavailable += unavailable;
  return answer;
}

test(`a worker killed while ${BRIEFS} briefs run and notify: after its restart every brief and every notification is there once`, async () => {
  const { manager, agent, agencyId } = stack.people;
  const by: Record<Actor, ApiClient> = { manager: manager.client, agent: agent.client };
  const run = randomBytes(4).toString('hex');
  const plans = Array.from({ length: BRIEFS }, (_, i) => PLANS[i % PLANS.length]);
  const totalRequests = plans.reduce((sum, plan) => sum + 1 + plan.steps.length, 0);
  const tally: Tally = { answered: 0, retries: 0, unavailable: 0 };
  const briefIds: string[] = new Array(BRIEFS);
  // Every webhook answer takes a second: the kill comes while one is held (see below).
  stack.webhooks.delayNext(Number.MAX_SAFE_INTEGER, WEBHOOK_ANSWER_MS);

  const lifecycle = async (i: number) => {
    const created = await send(manager.client, '/v1/briefs', { title: `Brief ${i} (${run})`, description: 'Landing page', partyId: agencyId, priority: 'P2', deliverables: ['page'] }, `${run}-${i}-create`, tally);
    expect(created.status).toBe(201);
    briefIds[i] = created.body.id;
    for (const [s, step] of plans[i].steps.entries()) {
      const answer = await send(by[step.actor], `/v1/briefs/${briefIds[i]}/${step.route}`, step.body, `${run}-${i}-${s}`, tally);
      if (answer.status !== 200) throw new Error(`brief ${i} (${plans[i].name}) step ${step.route}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  };
  const startedAt = Date.now();
  let next = 0;
  const driving = Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BRIEFS) await lifecycle(next++);
    }),
  );
  // One lifecycle gone wrong fails the test: the others stop.
  driving.catch(() => clients.abort());

  // Mid-lifecycle and mid-notification: part of the requests answered, and a webhook received
  // less than half its answer time ago, so its sender is killed waiting for the answer.
  let webhooks = 0;
  let lastWebhookAt = 0;
  await Promise.race([
    eventually(
      async () => {
        if (stack.webhooks.received.length > webhooks) [webhooks, lastWebhookAt] = [stack.webhooks.received.length, Date.now()];
        return tally.answered >= totalRequests * KILL_AT && Date.now() - lastWebhookAt < WEBHOOK_ANSWER_MS / 2 ? true : undefined;
      },
      240_000,
      10,
    ),
    driving,
  ]);
  const receivedBeforeKill = stack.webhooks.received.length + stack.smtp.messages.length;
  await stack.worker.kill('SIGKILL');
  const killedAt = Date.now();
  const answeredAtKill = tally.answered;
  const unsentAtKill = await stack.db.prisma.notification.findMany({ where: { status: { in: ['pending', 'held', 'sending'] } } });
  expect(answeredAtKill).toBeLessThan(totalRequests);
  expect(receivedBeforeKill).toBeGreaterThan(0);
  expect(unsentAtKill.length).toBeGreaterThan(0);

  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  // Everything received until now was sent by the killed worker: a repeat of it later is a send the kill cut off.
  const repeatWindow = { webhook: stack.webhooks.received.length, email: stack.smtp.messages.length };
  const cutOff = new Set([
    ...stack.webhooks.received.filter((r) => unsentAtKill.some((row) => row.idempotencyKey === r.headers['idempotency-key'])).map((r) => String(r.headers['idempotency-key'])),
  ]);
  await stack.worker.start();
  const restartedAt = Date.now();
  stack.webhooks.delayNext(0, 0);

  await driving;
  const drivenAt = Date.now();

  // Every brief where its actions lead.
  const finals = await Promise.all(briefIds.map((id) => stack.queryBrief(id)));
  const wrong = finals.flatMap((brief, i) =>
    brief.status === plans[i].status && brief.deliveries.length === plans[i].deliveries ? [] : [`brief ${i} (${plans[i].name}): ${brief.status} with ${brief.deliveries.length} deliveries`],
  );
  expect(wrong).toEqual([]);

  // Every notification settled: as many outbox rows as the events call for, none pending.
  const timelines = await workflowTimelines(stack, briefIds);
  const expectedRows = expectedOutboxRows(stack, timelines).size;
  await eventually(async () => {
    const { rows, open } = await settledRowCount(stack, briefIds);
    return rows >= expectedRows && open === 0 ? true : undefined;
  }, 240_000, 500);
  const settledAt = Date.now();

  const differences: string[] = [];
  for (let i = 0; i < briefIds.length; i += 10) {
    const batch = await Promise.all(briefIds.slice(i, i + 10).map((id) => readModelDifferences(stack, manager.client, id)));
    differences.push(...batch.flat());
  }
  expect(differences).toEqual([]);

  const { problems, tally: notifications } = await notificationProblems(stack, timelines, repeatWindow);
  report('worker killed', {
    briefs: BRIEFS,
    requests: totalRequests,
    answeredAtKill,
    unsentRowsAtKill: unsentAtKill.length,
    receivedBeforeKill,
    receivedBeforeRestart: repeatWindow,
    webhooksCutOffByKill: cutOff.size,
    emailsCutOffByKill: stack.smtp.cutOff,
    retriedRequests: tally.retries,
    answered503: tally.unavailable,
    workerDownMs: restartedAt - killedAt,
    drivenInMs: drivenAt - startedAt,
    settledAfterRestartMs: settledAt - restartedAt,
    ...notifications,
  });
  expect(problems).toEqual([]);
  // The kill cut sends off mid-way, and each of those went out again under the same key.
  const receipts = (key: string) => stack.webhooks.received.filter((r) => r.headers['idempotency-key'] === key).length;
  expect(cutOff.size).toBeGreaterThan(0);
  expect([...cutOff].filter((key) => receipts(key) < 2)).toEqual([]);
}, 600_000);
