// The receiver the README shows (Notifications › Webhooks and their signature), run as it is
// written, in a Node process of its own, against real deliveries of the outbox: it accepts what
// Handoff signs with the member's secret, acts once per Idempotency-Key, and refuses a delivery
// signed with another secret. The snippet checks signatures its own way (node:crypto), so what
// Handoff signs must be what the README says it signs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeliverNotification, createPlanNotifications, type OutboxDeps } from '../../activities/deliver';
import type { PlanInput } from '../../activities/types';
import { createMailer } from '../../activities/notifications/mailer';
import type { Database } from '../../lib/db/database';
import { openTestDatabase } from '../support/database';
import { freePort } from '../support/processes';
import { createLogger } from '../../lib/logger';
import type { TimelineEvent } from '../../workflows/domain/events';
import { looseEvent } from '../support/events';
import { outboundPolicy } from '../../lib/outbound';

const README = path.resolve(__dirname, '..', '..', 'README.md');
const SECRET = 'whsec_readme_receiver_secret';

/** The README's receiver: the one js code block that reads HANDOFF_WEBHOOK_SECRET. */
function receiverSnippet(): string {
  const blocks = [...readFileSync(README, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes('HANDOFF_WEBHOOK_SECRET'));
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

let dir: string;
let db: Database;
let deps: OutboxDeps;
let receiver: ChildProcess;
let receiverUrl: string;
let stdout = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-readme-receiver-'));
  // The snippet as written; only its port is moved to a free one.
  const snippet = receiverSnippet();
  expect(snippet.match(/\.listen\(8080\)/g)).toHaveLength(1);
  const port = await freePort();
  const file = path.join(dir, 'receiver.mjs');
  writeFileSync(file, snippet.replace('.listen(8080)', `.listen(${port}, '127.0.0.1')`));
  receiver = spawn(process.execPath, [file], { env: { ...process.env, NODE_OPTIONS: '', HANDOFF_WEBHOOK_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  receiver.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  receiverUrl = `http://127.0.0.1:${port}/handoff`;
  // Up once it answers: an unsigned request is refused.
  await until(async () => (await fetch(receiverUrl, { method: 'POST', body: '{}' }).catch(() => undefined))?.status === 401);

  db = await openTestDatabase();
  await db.prisma.party.create({ data: { id: 'shop', name: 'Shop', kind: 'ecommerce' } });
  await db.prisma.party.create({ data: { id: 'agency', name: 'Pixelwerk', kind: 'agency' } });
  const webhookOnly = { brief_assigned: ['webhook'], comment: ['webhook'] };
  await db.prisma.member.createMany({
    data: [
      { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'en' },
      { id: 'paula', partyId: 'agency', name: 'Paula', email: 'paula@pixel.example', role: 'member', locale: 'de', webhookUrl: receiverUrl, webhookSecret: SECRET, notificationPreferences: webhookOnly },
      // Her webhook points at the same receiver, but Handoff signs it with another secret.
      { id: 'piet', partyId: 'agency', name: 'Piet', email: 'piet@pixel.example', role: 'member', locale: 'en', webhookUrl: receiverUrl, webhookSecret: 'whsec_someone_else', notificationPreferences: webhookOnly },
    ],
  });
  deps = {
    prisma: db.prisma,
    mailer: createMailer({ from: 'Handoff <handoff@shop.example>', outboxDir: path.join(dir, 'outbox') }),
    logger: createLogger('silent'),
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 7 * 24 * 3600_000,
    webhookDisableAfter: 5,
    outbound: outboundPolicy('127.0.0.1/32'),
  };
}, 60_000);

afterAll(async () => {
  receiver?.kill();
  deps?.mailer.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(ready: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out; the receiver printed: ${JSON.stringify(stdout)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

function planInput(event: Partial<Parameters<typeof looseEvent>[0]>): PlanInput {
  return {
    workflowId: 'brief-b-readme',
    event: looseEvent({ seq: 1, type: 'brief_created', actor: 'mara', at: new Date().toISOString(), data: {}, ...event }),
    audience: ['party_members'],
    brief: { id: 'b-readme', title: 'Frühjahrskampagne', partyId: 'agency', managerId: 'mara', reviewerId: null, priority: 'P2', status: 'awaiting_ack', dueAt: null },
  };
}

/** Plans an event's rows and delivers each once; answers the rows as they stand after. */
async function deliverEvent(event: Partial<TimelineEvent>) {
  const planned = await run(createPlanNotifications(deps), planInput(event));
  for (const { id } of planned) await run(createDeliverNotification(deps), { id });
  return db.prisma.notification.findMany({ where: { id: { in: planned.map((p) => p.id) } } });
}

const printedLines = () => stdout.split('\n').filter(Boolean);

describe("the README's webhook receiver", () => {
  test('accepts a delivery signed with its secret and acts on it once per Idempotency-Key; refuses one signed with another secret', async () => {
    const assigned = await deliverEvent({ seq: 1, type: 'brief_created' });
    const byRecipient = Object.fromEntries(assigned.map((r) => [r.recipientId, r]));
    expect(byRecipient.paula).toMatchObject({ channel: 'webhook', status: 'sent' });
    // The snippet answered 401 to Piet's delivery: refused for good.
    expect(byRecipient.piet).toMatchObject({ channel: 'webhook', status: 'failed' });
    expect(byRecipient.piet.lastError).toMatch(/401/);
    await until(() => printedLines().length >= 1);
    expect(printedLines()).toEqual(['brief_assigned Frühjahrskampagne']);

    // A delivery cut off mid-send goes again with the same Idempotency-Key: accepted, not acted on twice.
    await db.prisma.notification.update({ where: { id: byRecipient.paula.id }, data: { status: 'pending' } });
    await run(createDeliverNotification(deps), { id: byRecipient.paula.id });
    expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: byRecipient.paula.id } })).toMatchObject({ status: 'sent', attempts: 2 });

    // The next notification is acted on; by the time its line is printed, the repeat's would have been.
    const commented = await deliverEvent({ seq: 2, type: 'comment_added', data: { body: 'Neue Farben', role: 'manager' } });
    expect(commented.find((r) => r.recipientId === 'paula')).toMatchObject({ status: 'sent' });
    await until(() => printedLines().length >= 2);
    expect(printedLines()).toEqual(['brief_assigned Frühjahrskampagne', 'comment Frühjahrskampagne']);
  });
});
