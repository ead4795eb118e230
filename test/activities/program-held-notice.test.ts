// The notice to a program's owner through the outbox, against a real database (PGlite) and a
// real SMTP server: a retried plan writes one row and a retried delivery sends one email; the
// reason comes from the brief's recorded end; the owner's channel choice for that outcome is
// honoured; a notice overtaken by the owner's replace or drop is dropped, not sent; German for a
// German owner.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDeliverNotification, type OutboxDeps } from '../../activities/deliver';
import { createPlanProgramHeldNotice, programHeldNoticeKey } from '../../activities/program-held-notice';
import { createMailer } from '../../activities/notifications/mailer';
import type { Database } from '../../lib/db/database';
import { createLogger } from '../../lib/logger';
import { outboundPolicy } from '../../lib/outbound';
import type { ProgramHeldNoticeInput, ProgramSnapshot } from '../../workflows/program/definitions';
import { openTestDatabase } from '../support/database';
import { header, parseEmail } from '../support/parse-email';
import { startSmtpReceiver } from '../support/receivers';

let db: Database;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let deps: OutboxDeps;

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

/** A program recorded with brief `a` (declined as `briefId`) holding b; its node in `state`. */
async function recordProgram(id: string, briefId: string, node: { state: string; briefId: string } = { state: 'failed', briefId }) {
  const brief = (key: string, dependsOn: string[]) => ({ key, dependsOn, brief: { title: `Brief ${key}`, partyId: 'agency' } });
  const snapshot = {
    program: { id, name: 'Winter launch', ownerId: 'mara', targetDate: null, template: null, briefs: [brief('a', []), brief('b', ['a'])] },
    state: { status: 'running', nodes: [{ key: 'a', replaced: [], outcome: 'declined', ...node }, { key: 'b', state: 'waiting', briefId: null, replaced: [], outcome: null }], outputs: {}, seq: 5, updatedAt: new Date().toISOString() },
  } as unknown as ProgramSnapshot;
  await db.prisma.program.create({
    data: { id, workflowId: `program-${id}`, name: 'Winter launch', ownerId: 'mara', status: 'running', partyIds: ['agency'], lastSeq: 5, snapshot: snapshot as object, createdAt: new Date(), updatedAt: new Date() },
  });
}

const notice = (programId: string, briefId: string, ownerId = 'mara'): ProgramHeldNoticeInput => ({
  workflowId: `program-${programId}`,
  programId,
  ownerId,
  key: 'a',
  briefId,
  outcome: 'declined',
  held: ['b'],
});

beforeAll(async () => {
  db = await openTestDatabase();
  smtp = await startSmtpReceiver();
  await db.prisma.party.create({ data: { id: 'shop', name: 'Shop', kind: 'ecommerce' } });
  await db.prisma.party.create({ data: { id: 'agency', name: 'Pixelwerk', kind: 'agency' } });
  await db.prisma.member.createMany({
    data: [
      { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'en' },
      { id: 'max', partyId: 'shop', name: 'Max', email: 'max@shop.example', role: 'manager', locale: 'de' },
      { id: 'quiet', partyId: 'shop', name: 'Quinn', email: 'quinn@shop.example', role: 'manager', locale: 'en', notificationPreferences: { declined: ['chat'] } },
    ],
  });
  deps = {
    prisma: db.prisma,
    mailer: createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent', messageIdHost: 'handoff.shop.example' }),
    logger: createLogger('silent'),
    publicUrl: 'https://handoff.shop.example/',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 3_600_000,
    webhookDisableAfter: 5,
    outbound: outboundPolicy(''),
  };
}, 60_000);

afterAll(async () => {
  deps?.mailer.close();
  await smtp?.stop();
  await db?.close();
});

/** A brief of the agency that ended `outcome` (declined by default), its end recorded with `reason`, by `actorId`. */
async function declinedBrief(id: string, reason?: string, { outcome = 'declined', actorId = null }: { outcome?: 'declined' | 'cancelled'; actorId?: string | null } = {}) {
  await db.prisma.brief.create({
    data: { id, workflowId: `brief-${id}`, title: 'Supplier data', partyId: 'agency', managerId: 'mara', priority: 'P3', status: outcome, revision: 1, lastSeq: 2, snapshot: {}, createdAt: new Date(), updatedAt: new Date() },
  });
  await db.prisma.briefEvent.create({ data: { id: `${id}-2`, briefId: id, seq: 2, type: outcome, actorId, at: new Date(), data: reason === undefined ? {} : { reason } } });
}

test('a retried plan keeps one row, keyed by the program workflow and the ended brief; a retried delivery sends one email', async () => {
  await declinedBrief('brief-1', 'No capacity before March');
  await recordProgram('p1', 'brief-1');
  const plan = createPlanProgramHeldNotice(deps);
  const first = await run(plan, notice('p1', 'brief-1'));
  const again = await run(plan, notice('p1', 'brief-1'));
  const { id, idempotencyKey } = programHeldNoticeKey('program-p1', 'brief-1', 'mara', 'email');
  expect(first).toEqual([{ id, notBefore: null }]);
  expect(again).toEqual(first);
  const row = await db.prisma.notification.findUniqueOrThrow({ where: { idempotencyKey } });
  expect(row).toMatchObject({ briefId: null, event: 'program_brief_held', recipientId: 'mara', channel: 'email', status: 'pending' });
  expect(row.payload).toMatchObject({ reason: 'No capacity before March', held: ['b'], key: 'a', outcome: 'declined' });

  const deliver = createDeliverNotification(deps);
  await run(deliver, { id });
  await run(deliver, { id });
  expect((await db.prisma.notification.findUniqueOrThrow({ where: { id } })).status).toBe('sent');
  const mails = smtp.messages.filter((m) => m.to.includes('mara@shop.example')).map((m) => parseEmail(m.raw));
  expect(mails).toHaveLength(1);
  expect(header(mails[0], 'Subject')).toBe('[Handoff] Program “Winter launch”: “Supplier data” was declined — replace or drop it');
  expect(mails[0].text).toContain('(Pixelwerk) was declined');
  expect(mails[0].text).toContain('> No capacity before March');
  expect(mails[0].text).toContain('- Brief b (b)');
  expect(mails[0].text).toContain('Open the program: https://handoff.shop.example/programs/p1');
  // Planned again after it went out (a replayed plan): nothing more to send.
  expect(await run(plan, notice('p1', 'brief-1'))).toEqual([]);
});

test('the owner in German; one who takes declines by chat only gets no email; a notice overtaken by a replacement is dropped', async () => {
  await declinedBrief('brief-2');
  await recordProgram('p2', 'brief-2');
  const plan = createPlanProgramHeldNotice(deps);
  const deliver = createDeliverNotification(deps);
  const [toMax] = await run(plan, notice('p2', 'brief-2', 'max'));
  await run(deliver, { id: toMax.id });
  const german = smtp.messages.filter((m) => m.to.includes('max@shop.example')).map((m) => parseEmail(m.raw));
  expect(german.map((m) => header(m, 'Subject'))).toEqual(['[Handoff] Programm „Winter launch“: „Supplier data“ wurde abgelehnt – ersetzen oder streichen Sie es']);
  expect(german[0].text).toContain('Ein Briefing des Programms wartet darauf.');
  expect(german[0].text).not.toContain('Begründung');

  expect(await run(plan, notice('p2', 'brief-2', 'quiet'))).toEqual([]);

  await declinedBrief('brief-3');
  await recordProgram('p3', 'brief-3', { state: 'running', briefId: 'brief-4' });
  const [overtaken] = await run(plan, notice('p3', 'brief-3'));
  await run(deliver, { id: overtaken.id });
  expect(await db.prisma.notification.findUniqueOrThrow({ where: { id: overtaken.id } })).toMatchObject({ status: 'dropped', lastError: 'the brief was replaced meanwhile' });
  expect(smtp.messages.filter((m) => m.raw.includes('p3'))).toEqual([]);
});

test('an owner who cancelled the brief themselves is not told of it; cancelled by another manager, they are', async () => {
  await declinedBrief('brief-5', 'Wrong supplier', { outcome: 'cancelled', actorId: 'mara' });
  await recordProgram('p5', 'brief-5');
  const plan = createPlanProgramHeldNotice(deps);
  expect(await run(plan, { ...notice('p5', 'brief-5'), outcome: 'cancelled' })).toEqual([]);

  await declinedBrief('brief-6', 'Wrong supplier', { outcome: 'cancelled', actorId: 'max' });
  await recordProgram('p6', 'brief-6');
  const planned = await run(plan, { ...notice('p6', 'brief-6'), outcome: 'cancelled' });
  expect(planned).toHaveLength(1);
  expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: planned[0].id } })).payload).toMatchObject({ outcome: 'cancelled', reason: 'Wrong supplier' });
});
