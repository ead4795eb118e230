// The activities against a real database (PGlite), a real SMTP server and a real webhook
// receiver: each one idempotent under retries.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotify } from '../../activities/legacy/notify';
import { createMailer } from '../../activities/notifications/mailer';
import { createRecordEvents } from '../../activities/record-events';
import type { NotifyInput } from '../../activities/types';
import type { Database } from '../../lib/db/database';
import { decodeSnapshot, SNAPSHOT_VERSION } from '../../services/snapshot';
import { openTestDatabase } from '../support/database';
import { createLogger } from '../../lib/logger';
import { audienceFor } from '../../workflows/domain/audience';
import type { BriefInput } from '../../workflows/domain/brief';
import { applyAction, initialState } from '../../workflows/domain/transitions';
import { startHttpReceiver, startSmtpReceiver } from '../support/receivers';
import { outboundPolicy } from '../../lib/outbound';

const logger = createLogger('silent');
let db: Database;

beforeAll(async () => {
  db = await openTestDatabase();
  await db.prisma.party.create({ data: { id: 'shop', name: 'Shop', kind: 'ecommerce' } });
  await db.prisma.party.create({ data: { id: 'agency', name: 'Pixelwerk', kind: 'agency' } });
  await db.prisma.member.createMany({
    data: [
      { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'de' },
      { id: 'paula', partyId: 'agency', name: 'Paula', email: 'paula@pixel.example', role: 'member', locale: 'de', isLead: true },
      { id: 'piet', partyId: 'agency', name: 'Piet', email: 'piet@pixel.example', role: 'member', locale: 'en' },
    ],
  });
});

afterAll(async () => {
  await db.close();
});

function briefInput(id: string): BriefInput {
  return {
    id,
    title: 'Spring campaign',
    description: 'Banners',
    partyId: 'agency',
    managerId: 'mara',
    reviewerId: null,
    priority: 'P2',
    dueAt: null,
    deliverables: [],
    targetsMs: { acknowledge: 3_600_000, deliver: 86_400_000, review: 3_600_000 },
  };
}

describe('recordEvents', () => {
  test('records each event and delivery once however often it is retried', async () => {
    const recordEvents = createRecordEvents({ prisma: db.prisma });
    const state = initialState(briefInput('b-record'), Date.parse('2026-11-02T09:00:00Z'));
    const actor = { memberId: 'paula', role: 'member' as const, partyId: 'agency' };
    applyAction(state, 'acknowledge', {}, actor, Date.parse('2026-11-02T09:10:00Z'));
    applyAction(state, 'deliver', { summary: 'v1', links: ['https://x.example/1'] }, actor, Date.parse('2026-11-02T10:00:00Z'));
    const input = { workflowId: 'brief-b-record', events: state.timeline, state, overdue: false, nextDueAt: null };
    const env = new MockActivityEnvironment();
    await env.run(recordEvents, input);
    await env.run(recordEvents, input);

    expect(await db.prisma.briefEvent.count({ where: { briefId: 'b-record' } })).toBe(3);
    expect(await db.prisma.delivery.count({ where: { briefId: 'b-record' } })).toBe(1);
    const row = await db.prisma.brief.findUniqueOrThrow({ where: { id: 'b-record' } });
    expect(row).toMatchObject({ status: 'in_review', revision: 1, lastSeq: 3, partyId: 'agency' });
    // The snapshot says which version of it this is, and reads back as the state it was written from.
    expect(row.snapshot).toMatchObject({ snapshotVersion: SNAPSHOT_VERSION });
    expect(decodeSnapshot('b-record', row.snapshot)).toEqual(JSON.parse(JSON.stringify(state)));
  });

  test('never moves the read model back to an older state', async () => {
    const recordEvents = createRecordEvents({ prisma: db.prisma });
    const state = initialState(briefInput('b-order'), Date.parse('2026-11-02T09:00:00Z'));
    const older = structuredClone(state);
    applyAction(state, 'acknowledge', {}, { memberId: 'paula', role: 'member', partyId: 'agency' }, Date.parse('2026-11-02T09:10:00Z'));
    const env = new MockActivityEnvironment();
    await env.run(recordEvents, { workflowId: 'brief-b-order', events: state.timeline, state, overdue: false, nextDueAt: null });
    await env.run(recordEvents, { workflowId: 'brief-b-order', events: older.timeline, state: older, overdue: false, nextDueAt: null });
    expect((await db.prisma.brief.findUniqueOrThrow({ where: { id: 'b-order' } })).status).toBe('in_progress');
  });

  test('a new branch of history replaces the events a reset undid, with the deliveries they recorded, and audits them', async () => {
    const recordEvents = createRecordEvents({ prisma: db.prisma });
    const paula = { memberId: 'paula', role: 'member' as const, partyId: 'agency' };
    const state = initialState(briefInput('b-reset'), Date.parse('2026-11-02T09:00:00Z'));
    applyAction(state, 'acknowledge', {}, paula, Date.parse('2026-11-02T09:10:00Z'));
    const branch = structuredClone(state);
    applyAction(state, 'deliver', { summary: 'v1' }, paula, Date.parse('2026-11-02T10:00:00Z'));
    const env = new MockActivityEnvironment();
    await env.run(recordEvents, { workflowId: 'brief-b-reset', events: state.timeline, state, overdue: false, nextDueAt: null });
    expect(await db.prisma.delivery.count({ where: { briefId: 'b-reset' } })).toBe(1);

    const [comment] = applyAction(branch, 'comment', { body: 'instead' }, paula, Date.parse('2026-11-02T10:30:00Z'));
    await env.run(recordEvents, { workflowId: 'brief-b-reset', events: [comment], state: branch, overdue: false, nextDueAt: null, branch: 'run-2' });
    const events = await db.prisma.briefEvent.findMany({ where: { briefId: 'b-reset' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['brief_created', 'acknowledged', 'comment_added']);
    expect(await db.prisma.delivery.count({ where: { briefId: 'b-reset' } })).toBe(0);
    const [audited] = await db.prisma.auditEvent.findMany({ where: { action: 'brief.workflow_reset', targetId: 'b-reset' } });
    expect(audited.before).toMatchObject({ undone: [{ seq: 3, type: 'delivered' }] });
  });
});

describe('notify', () => {
  function notifyInput(briefId: string, seq = 1): NotifyInput {
    const state = initialState(briefInput(briefId), Date.parse('2026-11-02T09:00:00Z'));
    const event = { ...state.timeline[0], seq };
    return {
      workflowId: `brief-${briefId}`,
      event,
      audience: ['party_members'],
      brief: { id: briefId, title: 'Spring campaign', partyId: 'agency', managerId: 'mara', reviewerId: null, priority: 'P2', status: 'awaiting_ack', dueAt: null },
      maxAttempts: 3,
    };
  }

  test('sends one email per recipient in their language over SMTP, and none again on retry', async () => {
    const smtp = await startSmtpReceiver();
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent' });
    const notify = createNotify({ prisma: db.prisma, mailer, logger, publicUrl: 'https://handoff.shop.example', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      const input = notifyInput('b-mail');
      const env = new MockActivityEnvironment();
      await env.run(notify, input);
      await env.run(notify, input);
      expect(smtp.messages).toHaveLength(2);
      const toPaula = smtp.messages.find((m) => m.to.includes('paula@pixel.example'));
      const toPiet = smtp.messages.find((m) => m.to.includes('piet@pixel.example'));
      expect(toPaula?.raw).toContain('Neues Briefing');
      expect(toPiet?.raw).toContain('New brief for you');
      expect(toPiet?.raw).toContain('https://handoff.shop.example/v1/briefs/b-mail');
      const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-mail' } });
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.status === 'sent' && r.transport === 'smtp' && r.attempts === 1)).toBe(true);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  test('without SMTP writes each email as an .eml file in the outbox and records that', async () => {
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const mailer = createMailer({ from: 'Handoff <handoff@localhost>', outboxDir });
    const notify = createNotify({ prisma: db.prisma, mailer, logger, publicUrl: 'http://localhost:3000', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      await new MockActivityEnvironment().run(notify, notifyInput('b-eml'));
      const files = readdirSync(outboxDir);
      expect(files).toHaveLength(2);
      expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
      expect(files.map((f) => readFileSync(path.join(outboxDir, f), 'utf8')).join('\n')).toContain('Subject:');
      const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-eml' } });
      expect(rows.map((r) => r.transport)).toEqual(['file', 'file']);
    } finally {
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });

  test('posts a webhook with a stable Idempotency-Key, retrying after failures without duplicates', async () => {
    const receiver = await startHttpReceiver();
    await db.prisma.member.update({ where: { id: 'piet' }, data: { webhookUrl: receiver.url } });
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const mailer = createMailer({ from: 'Handoff <handoff@localhost>', outboxDir });
    const notify = createNotify({ prisma: db.prisma, mailer, logger, publicUrl: 'http://localhost:3000', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      receiver.failNext(1, 503);
      const input = notifyInput('b-hook');
      await expect(new MockActivityEnvironment({ attempt: 1 }).run(notify, input)).rejects.toThrow(/not yet delivered/);
      await new MockActivityEnvironment({ attempt: 2 }).run(notify, input);
      await new MockActivityEnvironment({ attempt: 3 }).run(notify, input);
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0].headers['idempotency-key']).toBe('brief-b-hook:1:piet:webhook');
      expect(receiver.requests[0].body).toMatchObject({ event: { type: 'brief_created' }, brief: { id: 'b-hook' } });
      const hook = await db.prisma.notification.findFirstOrThrow({ where: { briefId: 'b-hook', channel: 'webhook' } });
      expect(hook).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(readdirSync(outboxDir)).toHaveLength(2);
    } finally {
      await db.prisma.member.update({ where: { id: 'piet' }, data: { webhookUrl: null } });
      rmSync(outboxDir, { recursive: true, force: true });
      await receiver.stop();
    }
  });

  test('records a webhook as failed at once when the receiver refuses it with a 4xx', async () => {
    const receiver = await startHttpReceiver();
    await db.prisma.member.update({ where: { id: 'piet' }, data: { webhookUrl: receiver.url } });
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const notify = createNotify({ prisma: db.prisma, mailer: createMailer({ from: 'h@localhost', outboxDir }), logger, publicUrl: 'http://localhost:3000', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      receiver.failNext(1, 410);
      await new MockActivityEnvironment().run(notify, notifyInput('b-gone'));
      const hook = await db.prisma.notification.findFirstOrThrow({ where: { briefId: 'b-gone', channel: 'webhook' } });
      expect(hook.status).toBe('failed');
      expect(hook.lastError).toContain('410');
    } finally {
      await db.prisma.member.update({ where: { id: 'piet' }, data: { webhookUrl: null } });
      rmSync(outboxDir, { recursive: true, force: true });
      await receiver.stop();
    }
  });

  test('does not notify the person who acted', async () => {
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const notify = createNotify({ prisma: db.prisma, mailer: createMailer({ from: 'h@localhost', outboxDir }), logger, publicUrl: 'http://localhost:3000', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      const input = notifyInput('b-self');
      input.event = { ...input.event, type: 'comment_added', actor: 'paula', data: { body: 'hi', role: 'member' } };
      input.audience = ['party_members', 'manager'];
      await new MockActivityEnvironment().run(notify, input);
      const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-self' } });
      expect(rows.map((r) => r.recipientId).sort()).toEqual(['mara', 'piet']);
    } finally {
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });

  test("an escalation level notifies whom it names: watchers of the brief's party and watchers of scope all wherever they sit, and named members", async () => {
    await db.prisma.party.create({ data: { id: 'other', name: 'Other agency', kind: 'agency' } });
    await db.prisma.party.create({ data: { id: 'it', name: 'IT', kind: 'it' } });
    await db.prisma.member.createMany({
      data: [
        { id: 'wanda', partyId: 'shop', name: 'Wanda', email: 'wanda@shop.example', role: 'watcher', scope: 'all' },
        // An e-commerce watcher kept to the shop's own briefs, and an IT lead who watches every party.
        { id: 'wes', partyId: 'shop', name: 'Wes', email: 'wes@shop.example', role: 'watcher', scope: 'party' },
        { id: 'ines', partyId: 'it', name: 'Ines', email: 'ines@it.example', role: 'watcher', scope: 'all' },
        { id: 'walt', partyId: 'agency', name: 'Walt', email: 'walt@pixel.example', role: 'watcher' },
        { id: 'wim', partyId: 'other', name: 'Wim', email: 'wim@other.example', role: 'watcher' },
        { id: 'ivo', partyId: 'shop', name: 'Ivo', email: 'ivo@shop.example', role: 'manager' },
      ],
    });
    const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-outbox-'));
    const notify = createNotify({ prisma: db.prisma, mailer: createMailer({ from: 'h@localhost', outboxDir }), logger, publicUrl: 'http://localhost:3000', outbound: outboundPolicy('127.0.0.1/32') });
    try {
      const input = notifyInput('b-escalation');
      input.event = { ...input.event, type: 'escalation_raised', actor: null, data: { escalationId: 'e-1', clock: 'acknowledge', level: 2, round: 1, notify: ['watchers', 'ivo'] } };
      input.audience = audienceFor(input.event);
      expect(input.audience).toEqual(['watchers', 'member:ivo']);
      await new MockActivityEnvironment().run(notify, input);
      const rows = await db.prisma.notification.findMany({ where: { briefId: 'b-escalation' } });
      expect(rows.map((r) => r.recipientId).sort()).toEqual(['ines', 'ivo', 'walt', 'wanda']);
    } finally {
      rmSync(outboxDir, { recursive: true, force: true });
    }
  });
});
