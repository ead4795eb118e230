// A reminder overtaken by its deadline while Handoff could not work, on the time-skipping server
// with the production activities (read model, outbox, and a mailer writing .eml files) over
// PGlite. The brief is assigned; then Handoff's database goes down until 2 h 15 min after the
// acknowledgement was due: the warning (at 45 min) fires on time but cannot be recorded, so the
// brief's workflow is held up until the database is back, and then breaches and escalates. The
// workflow plans the warning as it always did; the outbox drops it (recorded with its reason,
// never sent), and the escalation raised at the breach says how late the step is.
//
// (A worker that is down altogether cannot be shown here: the time-skipping server does not move
// its clock while a workflow or activity task is waiting for a worker. The outbox tests show the
// same decision for a warning whose event comes after its deadline, as it does then.)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createMailer, type Mailer } from '../../activities/notifications/mailer';
import { DEFAULT_SLA_TARGETS } from '../../lib/config';
import type { Database } from '../../lib/db/database';
import { openTestDatabase } from '../support/database';
import { createLogger } from '../../lib/logger';
import type { briefWorkflow } from '../../workflows/brief/workflow';
import type { BriefInput } from '../../workflows/domain/brief';
import { CALENDAR_24X7 } from '../../workflows/domain/calendar';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { actors, AGENCY, HOUR, MINUTE, SECOND, SHOP, view, withTimeSkippingServer, workflowBundle } from './support';
import { outboundPolicy } from '../../lib/outbound';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

let db: Database;
let outboxDir: string;
let mailer: Mailer;

beforeAll(async () => {
  db = await openTestDatabase();
  outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-stale-reminder-'));
  mailer = createMailer({ from: 'Handoff <handoff@shop.example>', outboxDir, messageIdHost: 'handoff.shop.example' });
  await db.prisma.party.createMany({ data: [{ id: SHOP, name: 'Shop', kind: 'ecommerce' }, { id: AGENCY, name: 'Pixelwerk', kind: 'agency' }] });
  await db.prisma.member.createMany({
    data: [
      { id: actors.manager.memberId, partyId: SHOP, name: 'Mara Manager', email: 'mara@shop.example', role: 'manager', locale: 'en', timezone: 'Europe/Berlin' },
      { id: actors.agency.memberId, partyId: AGENCY, name: 'Paula Pixel', email: 'paula@pixelwerk.example', role: 'member', locale: 'de', timezone: 'Europe/Berlin' },
    ],
  });
}, 60_000);

afterAll(async () => {
  mailer?.close();
  await db?.close();
  if (outboxDir) rmSync(outboxDir, { recursive: true, force: true });
});

/** Until this server instant the read model cannot be written: recording fails and is retried when it is back. */
let databaseBackAt = 0;

/** The production activities; recording the brief's events fails while the database is down, as it would. */
function activities() {
  const real = createActivities({
    prisma: db.prisma,
    mailer,
    logger: createLogger('silent'),
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'stale-reminder-test-secret',
    actionLinkTtlMs: 7 * 24 * HOUR,
    webhookDisableAfter: 5,
    outbound: outboundPolicy('127.0.0.1/32'),
    temporal: env.client,
    slaTargets: DEFAULT_SLA_TARGETS,
    briefRuns: { taskQueue: 'stale-reminder', deliveryTaskQueue: 'stale-reminder', searchAttributes: () => false },
  });
  return {
    ...real,
    async recordEvents(input: Parameters<typeof real.recordEvents>[0]) {
      // A first attempt asks to be retried when the database is back, by the server's clock (the
      // worker's own clock does not skip).
      const { attempt } = Context.current().info;
      const now = await env.currentTimeMs();
      if (attempt === 1 && now < databaseBackAt) {
        throw ApplicationFailure.create({ type: 'DatabaseUnavailable', message: 'the database is down', nextRetryDelay: databaseBackAt - now });
      }
      return real.recordEvents(input);
    },
  };
}

/** The emails written to the outbox for a brief's notification event, as raw messages. */
async function emailsOf(briefId: string, event: string): Promise<{ recipientId: string; raw: string }[]> {
  const rows = await db.prisma.notification.findMany({ where: { briefId, event, channel: 'email', status: 'sent' } });
  return rows.map((row) => ({ recipientId: row.recipientId, raw: readFileSync(path.join(outboxDir, `${row.id}.eml`), 'utf8') }));
}

/** A message as a reader sees it: quoted-printable soft breaks joined, its bytes decoded as UTF-8. */
function decoded(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const brief: BriefInput = {
  id: randomUUID(),
  title: 'Größentabelle Schuhe',
  description: 'Neue Größentabelle für alle Schuhe',
  partyId: AGENCY,
  managerId: actors.manager.memberId,
  reviewerId: null,
  priority: 'P1',
  dueAt: null,
  deliverables: ['Tabelle'],
  targetsMs: { acknowledge: HOUR, deliver: 24 * HOUR, review: 4 * HOUR },
  sla: {
    policyId: 'default',
    policyName: 'Default',
    policyVersion: 1,
    calendarId: null,
    calendarVersion: 1,
    calendar: CALENDAR_24X7,
    policyTargets: { acknowledge: { P1: 'PT1H' }, deliver: { P1: 'P1D' }, review: { P1: 'PT4H' } },
    warnAt: 0.75,
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] },
    agreement: 'external',
    reescalate: false,
  },
};

test('a warning overtaken by its deadline is dropped, never sent; the breach notice says how late the step is', async () => {
  const taskQueue = `stale-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: activities() });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof briefWorkflow>('briefWorkflow', { taskQueue, workflowId: briefWorkflowId(brief.id), args: [{ brief }] });
    const created = await view(handle);
    await until(async () => ((await emailsOf(brief.id, 'brief_assigned')).length === 1 ? true : undefined), 'the assignment email');
    const dueAt = Date.parse(created.sla.acknowledge.dueAt as string);
    expect(dueAt - Date.parse(created.createdAt)).toBe(HOUR);

    // The database is down from now until 2 h 15 min after the acknowledgement was due.
    databaseBackAt = dueAt + 2 * HOUR + 15 * MINUTE;
    await env.sleep(databaseBackAt - (await env.currentTimeMs()) + SECOND);

    const escalations = await until(async () => {
      const sent = await emailsOf(brief.id, 'escalation');
      return sent.length === 2 ? sent : undefined;
    }, 'both escalation emails');
    // The read model keeps the timeline (the workflow only what it has not recorded yet).
    const timeline = (await db.prisma.briefEvent.findMany({ where: { briefId: brief.id }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, at: e.at.toISOString() }));
    const warning = timeline.find((e) => e.type === 'sla_warning')!;
    // The warning happened on time, before its deadline; it is sending it that came too late.
    expect(Date.parse(warning.at)).toBeLessThan(dueAt);
    expect(timeline.filter((e) => e.type === 'sla_breached' || e.type === 'escalation_raised').map((e) => Date.parse(e.at) >= databaseBackAt)).toEqual([true, true]);

    // The reminder was planned for Paula and recorded as dropped with its reason; nothing was sent.
    const reminders = await db.prisma.notification.findMany({ where: { briefId: brief.id, event: 'reminder' } });
    expect(reminders.map((r) => [r.recipientId, r.channel, r.status, r.sentAt])).toEqual([[actors.agency.memberId, 'email', 'dropped', null]]);
    expect(reminders[0].lastError).toMatch(/^overtaken by its deadline: due /);
    const outbox = readdirSync(outboxDir);
    expect(outbox.filter((file) => file.startsWith(reminders[0].id))).toEqual([]);
    for (const file of outbox) expect(decoded(readFileSync(path.join(outboxDir, file), 'utf8'))).not.toContain('Erinnerung');

    // The escalation at the breach, sent when the database was back: how late, in each reader's language.
    const toPaula = decoded(escalations.find((e) => e.recipientId === actors.agency.memberId)!.raw);
    const toMara = decoded(escalations.find((e) => e.recipientId === actors.manager.memberId)!.raw);
    expect(toPaula).toContain('Eskalationsstufe 1: die Bestätigung ist seit 2 Std. 15 Min. überfällig');
    expect(toPaula).toContain('Von: Handoff (SLA-Frist)');
    expect(toMara).toContain('Escalation level 1: the acknowledgement is overdue by 2 h 15 min');
    expect(toMara).toContain('By: Handoff (SLA clock)');

    await handle.executeUpdate('cancel', { args: [{ actor: actors.manager, payload: { reason: 'test over' } }] });
    await handle.result();
    // However long the brief ran on, the warning stayed unsent.
    expect((await db.prisma.notification.findMany({ where: { briefId: brief.id, event: 'reminder' } })).map((r) => r.status)).toEqual(['dropped']);
  });
}, 120_000);
