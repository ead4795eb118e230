// The monthly scorecard email on the time-skipping server, with the real activities, PGlite and a
// real SMTP server: the workflow is started for three months in a row the way its schedule starts
// it (at 06:00 UTC on the 1st, no month given; the time-skipping server implements no Schedules,
// so worker/scorecard-schedule.ts is tested against the dev server in
// test/integration/scorecard-schedule.test.ts). Each run sends one email per recipient who opted
// in: a party's lead gets the party's scorecard, a manager the comparison of all parties, in their
// language, with the change against the month before; members who did not opt in, who lead no
// party or were deactivated get none; and a rerun of a month sends nothing twice.
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDeliverNotification, createNotificationFailed, type OutboxDeps } from '../../activities/deliver';
import { createMailer } from '../../activities/notifications/mailer';
import { createPlanScorecardEmails } from '../../activities/scorecard-emails';
import type { Database } from '../../lib/db/database';
import { createLogger } from '../../lib/logger';
import { outboundPolicy } from '../../lib/outbound';
import { monthBefore, type MonthlyScorecardsInput, type MonthlyScorecardsSummary } from '../../workflows/scorecards/definitions';
import type { monthlyScorecardsWorkflow } from '../../workflows/scorecards/workflow';
import { openTestDatabase } from '../support/database';
import { header, parseEmail, type ParsedEmail } from '../support/parse-email';
import { startSmtpReceiver, type SmtpReceiver } from '../support/receivers';
import { timeSkippingEnv } from '../support/temporal';
import { workflowBundle } from '../support/workflow-bundle';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let env: TestWorkflowEnvironment;
let db: Database;
let smtp: SmtpReceiver;
let deps: OutboxDeps;

/** YYYY-MM of the month `offset` months after the one `ms` falls in (UTC). */
function monthAfter(ms: number, offset: number): string {
  const d = new Date(ms);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
  return `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** 06:00 UTC on the 1st of the month after `month`: when the schedule sends `month`'s emails. */
function sendingTime(month: string): number {
  const [year, number] = month.split('-').map(Number);
  return Date.UTC(year, number, 1, 6, 0);
}

/** The months reported: the current one (sent on the next 1st) and the two after it. */
let months: [string, string, string];

/** One brief of a party created mid-`month`, acknowledged after `ackMs` of business time, late or not. */
async function briefWithAcknowledgement(month: string, partyId: string, ackMs: number, late: boolean): Promise<void> {
  const briefId = randomUUID();
  const createdAt = new Date(`${month}-15T10:00:00.000Z`);
  const facts = { partyId, agreement: 'external', priority: 'P2' };
  await db.prisma.scorecardBrief.create({ data: { briefId, ...facts, createdAt, outcome: 'open', factsVersion: 1 } });
  await db.prisma.scorecardStep.create({
    data: { briefId, step: 'acknowledge', round: 1, ...facts, briefCreatedAt: createdAt, startedAt: createdAt, endedAt: new Date(createdAt.getTime() + ackMs), state: 'done', businessMs: ackMs, late },
  });
}

beforeAll(async () => {
  env = await timeSkippingEnv();
  db = await openTestDatabase();
  smtp = await startSmtpReceiver();
  const now = await env.currentTimeMs();
  months = [monthAfter(now, 0), monthAfter(now, 1), monthAfter(now, 2)];
  await db.prisma.party.createMany({
    data: [
      { id: 'shop', name: 'Shop', kind: 'ecommerce' },
      { id: 'pixelwerk', name: 'Pixelwerk', kind: 'agency' },
      { id: 'logistik', name: 'Logistik Nord', kind: 'logistics' },
    ],
  });
  await db.prisma.member.createMany({
    data: [
      { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'en', scorecardEmail: true },
      // A manager who also leads her party: one email all the same.
      { id: 'greta', partyId: 'shop', name: 'Greta', email: 'greta@shop.example', role: 'manager', locale: 'de', isLead: true, scorecardEmail: true },
      { id: 'paula', partyId: 'pixelwerk', name: 'Paula', email: 'paula@pixel.example', role: 'member', locale: 'de', isLead: true, scorecardEmail: true },
      // Opted in but leads no party: nothing.
      { id: 'piet', partyId: 'pixelwerk', name: 'Piet', email: 'piet@pixel.example', role: 'member', locale: 'en', scorecardEmail: true },
      // Leads a party but has not opted in (yet).
      { id: 'lars', partyId: 'logistik', name: 'Lars', email: 'lars@logistik.example', role: 'member', locale: 'en', isLead: true },
      { id: 'dora', partyId: 'shop', name: 'Dora', email: 'dora@shop.example', role: 'manager', locale: 'en', scorecardEmail: true, deactivatedAt: new Date() },
    ],
  });
  // Pixelwerk: one of two acknowledged on time in the first month, its one brief in the second.
  await briefWithAcknowledgement(months[0], 'pixelwerk', 30 * MINUTE, false);
  await briefWithAcknowledgement(months[0], 'pixelwerk', 3 * HOUR, true);
  await briefWithAcknowledgement(months[1], 'pixelwerk', 20 * MINUTE, false);
  // Logistik Nord: briefs in the first and third months.
  await briefWithAcknowledgement(months[0], 'logistik', 2 * HOUR, false);
  await briefWithAcknowledgement(months[2], 'logistik', 45 * MINUTE, false);
  deps = {
    prisma: db.prisma,
    mailer: createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent', messageIdHost: 'handoff.shop.example' }),
    logger: createLogger('silent'),
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 7 * 24 * HOUR,
    webhookDisableAfter: 5,
    outbound: outboundPolicy(''),
  };
  await workflowBundle();
}, 120_000);

afterAll(async () => {
  deps?.mailer.close();
  await smtp?.stop();
  await db?.close();
  await env?.teardown();
});

const TASK_QUEUE = `scorecards-${randomUUID()}`;
const DELIVERY_QUEUE = `${TASK_QUEUE}-deliveries`;
/** As the schedule starts the workflow (worker/scorecard-schedule.ts): no month, the delivery queue. */
const SCHEDULED: MonthlyScorecardsInput = { deliveryTaskQueue: DELIVERY_QUEUE };

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const activities = { planScorecardEmails: createPlanScorecardEmails(deps), notificationFailed: createNotificationFailed(deps), deliverNotification: createDeliverNotification(deps) };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: await workflowBundle(), activities });
  const deliveries = await Worker.create({ connection: env.nativeConnection, taskQueue: DELIVERY_QUEUE, activities: { deliverNotification: activities.deliverNotification } });
  return worker.runUntil(() => deliveries.runUntil(fn));
}

/**
 * A client that leaves the server's clock alone while it waits for a result (env.client lets time
 * run meanwhile, which here skips years ahead once the run is done); the runs set no timers.
 */
const client = () => new Client({ connection: env.connection, namespace: env.namespace });

/** Skips to 06:00 UTC on the 1st after `month` and runs the workflow as the schedule would. */
async function runScheduled(month: string): Promise<MonthlyScorecardsSummary> {
  const wait = sendingTime(month) - (await env.currentTimeMs());
  if (wait > 0) await env.sleep(wait);
  return client().workflow.execute<typeof monthlyScorecardsWorkflow>('monthlyScorecardsWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: `handoff-scorecards-${TASK_QUEUE}-${month}`,
    args: [SCHEDULED],
  });
}

interface Sent {
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

const sentSince = (count: number): Sent[] =>
  smtp.messages.slice(count).map((m) => {
    const parsed: ParsedEmail = parseEmail(m.raw);
    return { to: m.to.join(','), subject: header(parsed, 'Subject'), messageId: header(parsed, 'Message-ID'), text: parsed.text ?? '', html: parsed.html ?? '' };
  });

const byRecipient = (sent: Sent[]) => Object.fromEntries(sent.map((s) => [s.to.split('@')[0], s]));

const monthName = (month: string, locale: string) => {
  const [year, number] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, number - 1, 15)));
};

test('three months of schedule runs: one email per recipient who opted in per month, in their language, never twice', async () => {
  await withWorkers(async () => {
    // The first month, sent on the 1st after it.
    expect(monthBefore(new Date(sendingTime(months[0])))).toBe(months[0]);
    const first = await runScheduled(months[0]);
    expect(first).toEqual({ month: months[0], planned: 3, failed: 0 });
    const firstSent = sentSince(0);
    expect(firstSent.map((s) => s.to).sort()).toEqual(['greta@shop.example', 'mara@shop.example', 'paula@pixel.example']);
    const one = byRecipient(firstSent);

    // A manager: the comparison of every party with briefs, in English.
    expect(one.mara.subject).toBe(`[Handoff] Scorecards for ${monthName(months[0], 'en-GB')}`);
    expect(one.mara.text).toContain('Hello Mara,');
    expect(one.mara.text).toContain('All parties');
    expect(one.mara.text).toMatch(/Logistik Nord \(SLA\)\n {2}Briefs: 1\n {2}Acknowledged on time: 100\.0 %/);
    expect(one.mara.text).toMatch(/Pixelwerk \(SLA\)\n {2}Briefs: 2\n {2}Acknowledged on time: 50\.0 %/);
    // The median of 30 min and 3 h.
    expect(one.mara.text).toContain('Median time to acknowledge: 1 h 45 min');
    expect(one.mara.text).toContain(`Open the scorecards: https://handoff.shop.example/reports?from=${months[0]}-01&to=`);
    expect(one.mara.html).toContain('<td style="padding:4px 12px 4px 0;border-bottom:1px solid #eee;white-space:nowrap">50.0 %</td>');

    // A manager who leads the e-commerce team: the comparison, in German.
    expect(one.greta.subject).toBe(`[Handoff] Scorecards für ${monthName(months[0], 'de-DE')}`);
    expect(one.greta.text).toContain('Hallo Greta,');
    expect(one.greta.text).toContain('Alle Parteien');
    expect(one.greta.text).toContain('Rechtzeitig bestätigt: 50,0 %');

    // An agency's lead: her party's scorecard only, in German, linking to her party's page.
    expect(one.paula.subject).toBe(`[Handoff] Scorecard von Pixelwerk für ${monthName(months[0], 'de-DE')}`);
    expect(one.paula.text).toContain('Rechtzeitig bestätigt: 50,0 %');
    expect(one.paula.text).toContain('Median bis zur Bestätigung: 1 Std. 45 Min.');
    expect(one.paula.text).not.toContain('Logistik');
    expect(one.paula.text).toContain('https://handoff.shop.example/reports/pixelwerk?from=');

    // The second month, against the first: Pixelwerk's one brief was on time.
    const second = await runScheduled(months[1]);
    expect(second).toEqual({ month: months[1], planned: 3, failed: 0 });
    const secondSent = sentSince(3);
    expect(secondSent.map((s) => s.to).sort()).toEqual(['greta@shop.example', 'mara@shop.example', 'paula@pixel.example']);
    const two = byRecipient(secondSent);
    expect(two.mara.subject).toBe(`[Handoff] Scorecards for ${monthName(months[1], 'en-GB')}`);
    expect(two.mara.text).toContain('Acknowledged on time: 100.0 % (+50.0 pts)');
    expect(two.mara.text).toContain('Median time to acknowledge: 20 min (−1 h 25 min)');
    expect(two.mara.text).toContain('Briefs: 1 (−1)');
    expect(two.mara.text).not.toContain('Logistik');
    expect(two.paula.text).toContain('Rechtzeitig bestätigt: 100,0 % (+50,0 Pkt.)');

    // A rerun of a month (by hand, or a schedule's catch-up) plans nothing and sends nothing again.
    const rerun = await client().workflow.execute<typeof monthlyScorecardsWorkflow>('monthlyScorecardsWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `scorecards-rerun-${months[1]}`,
      args: [{ ...SCHEDULED, month: months[1] }],
    });
    expect(rerun).toEqual({ month: months[1], planned: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(6);

    // Lars opts in and Paula opts out before the third month.
    await db.prisma.member.update({ where: { id: 'lars' }, data: { scorecardEmail: true } });
    await db.prisma.member.update({ where: { id: 'paula' }, data: { scorecardEmail: false } });
    const third = await runScheduled(months[2]);
    expect(third).toEqual({ month: months[2], planned: 3, failed: 0 });
    const thirdSent = sentSince(6);
    expect(thirdSent.map((s) => s.to).sort()).toEqual(['greta@shop.example', 'lars@logistik.example', 'mara@shop.example']);
    const three = byRecipient(thirdSent);
    expect(three.lars.subject).toBe(`[Handoff] Logistik Nord's scorecard for ${monthName(months[2], 'en-GB')}`);
    expect(three.lars.text).toContain('Acknowledged on time: 100.0 %');
    // No briefs the month before: no change to show.
    expect(three.mara.text).toMatch(/Logistik Nord \(SLA\)\n {2}Briefs: 1\n {2}Acknowledged on time: 100\.0 %\n/);
    expect(three.mara.text).not.toContain('Pixelwerk');
    expect(smtp.messages).toHaveLength(9);

    // Every email once: nine Message-IDs, one outbox row per (month, member), each sent.
    expect(new Set(sentSince(0).map((s) => s.messageId)).size).toBe(9);
    const rows = await db.prisma.notification.findMany({ where: { event: 'scorecard' }, orderBy: { idempotencyKey: 'asc' } });
    expect(rows.map((r) => [r.idempotencyKey, r.status, r.briefId])).toEqual(
      [
        ...['greta', 'mara', 'paula'].map((m) => `scorecard:${months[0]}:${m}:email`),
        ...['greta', 'mara', 'paula'].map((m) => `scorecard:${months[1]}:${m}:email`),
        ...['greta', 'lars', 'mara'].map((m) => `scorecard:${months[2]}:${m}:email`),
      ]
        .sort()
        .map((key) => [key, 'sent', null]),
    );
  });
}, 120_000);
