// The Temporal Schedule of the monthly scorecard email (worker/scorecard-schedule.ts) against a
// real dev server (the time-skipping server implements no Schedules: CreateSchedule answers
// UNIMPLEMENTED): created once per task queue by the first worker and brought to the configured
// cron expression by later ones, paused when off; a run it starts reports the month before its
// scheduled start and sends through the outbox to a real SMTP server.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDeliverNotification, createNotificationFailed, type OutboxDeps } from '../../activities/deliver';
import { createMailer } from '../../activities/notifications/mailer';
import { createPlanScorecardEmails } from '../../activities/scorecard-emails';
import type { Database } from '../../lib/db/database';
import { createLogger } from '../../lib/logger';
import { outboundPolicy } from '../../lib/outbound';
import { keepScorecardSchedule, scorecardScheduleId } from '../../worker/scorecard-schedule';
import type { MonthlyScorecardsSummary } from '../../workflows/scorecards/definitions';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/http';
import { startSmtpReceiver, type SmtpReceiver } from '../support/receivers';
import { devServerEnv } from '../support/temporal';
import { workflowBundle } from '../support/workflow-bundle';

const logger = createLogger('silent');
let env: TestWorkflowEnvironment;
let db: Database;
let smtp: SmtpReceiver;
let deps: OutboxDeps;

beforeAll(async () => {
  env = await devServerEnv();
  db = await openTestDatabase();
  smtp = await startSmtpReceiver();
  await db.prisma.party.create({ data: { id: 'shop', name: 'Shop', kind: 'ecommerce' } });
  await db.prisma.member.create({ data: { id: 'mara', partyId: 'shop', name: 'Mara', email: 'mara@shop.example', role: 'manager', locale: 'en', scorecardEmail: true } });
  deps = {
    prisma: db.prisma,
    mailer: createMailer({ smtpUrl: smtp.url, from: 'Handoff <handoff@shop.example>', outboxDir: '/nonexistent' }),
    logger,
    publicUrl: 'https://handoff.shop.example',
    actionLinkSecret: async () => 'test-link-secret-test-link-secret',
    actionLinkTtlMs: 3_600_000,
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

/** The instant `cron` (minute hour day-of-month, UTC) next fires after `after`. */
function nextMonthly(after: number, day: number, hour: number, minute: number): number {
  const d = new Date(after);
  const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), day, hour, minute);
  return thisMonth > after ? thisMonth : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, day, hour, minute);
}

test('created once per task queue, brought to the configured spec by later workers, paused when off', async () => {
  const taskQueue = `scorecards-${randomUUID()}`;
  const options = { taskQueue, deliveryTaskQueue: `${taskQueue}-deliveries`, cron: '0 6 1 * *' };
  await keepScorecardSchedule(env.client, options, logger);
  // A second worker with the same settings: no error, still one schedule.
  await keepScorecardSchedule(env.client, options, logger);
  const handle = env.client.schedule.getHandle(scorecardScheduleId(taskQueue));
  let described = await handle.describe();
  expect(described.scheduleId).toBe(`handoff-scorecards-${taskQueue}`);
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyScorecardsWorkflow', taskQueue, args: [{ deliveryTaskQueue: `${taskQueue}-deliveries` }] });
  expect(described.info.nextActionTimes[0].getTime()).toBe(nextMonthly(Date.now(), 1, 6, 0));
  expect(described.state.paused).toBe(false);
  const ids: string[] = [];
  for await (const schedule of env.client.schedule.list()) if (schedule.scheduleId.endsWith(taskQueue)) ids.push(schedule.scheduleId);
  expect(ids).toEqual([`handoff-scorecards-${taskQueue}`]);

  // A later worker with another spec brings it there.
  await keepScorecardSchedule(env.client, { ...options, cron: '30 7 2 * *' }, logger);
  described = await handle.describe();
  expect(described.info.nextActionTimes[0].getTime()).toBe(nextMonthly(Date.now(), 2, 7, 30));

  // Off pauses it; set again, it runs again.
  await keepScorecardSchedule(env.client, { ...options, cron: null }, logger);
  expect((await handle.describe()).state.paused).toBe(true);
  await keepScorecardSchedule(env.client, options, logger);
  expect((await handle.describe()).state.paused).toBe(false);
  await handle.delete();
  // Off without a schedule: nothing to pause, no error.
  await keepScorecardSchedule(env.client, { ...options, cron: null }, logger);
}, 60_000);

test('a run the schedule starts reports the month before its scheduled start and sends through the outbox', async () => {
  const taskQueue = `scorecards-${randomUUID()}`;
  const deliveryTaskQueue = `${taskQueue}-deliveries`;
  const activities = { planScorecardEmails: createPlanScorecardEmails(deps), notificationFailed: createNotificationFailed(deps), deliverNotification: createDeliverNotification(deps) };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  const deliveries = await Worker.create({ connection: env.nativeConnection, taskQueue: deliveryTaskQueue, activities: { deliverNotification: activities.deliverNotification } });
  await worker.runUntil(() =>
    deliveries.runUntil(async () => {
      await keepScorecardSchedule(env.client, { taskQueue, deliveryTaskQueue, cron: '0 6 1 * *' }, logger);
      const handle = env.client.schedule.getHandle(scorecardScheduleId(taskQueue));
      // A backfill of a past month's run: scheduled for 1 March 06:00 UTC, started now.
      await handle.backfill({ start: new Date(Date.UTC(2026, 2, 1, 5, 59)), end: new Date(Date.UTC(2026, 2, 1, 6, 1)), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      const workflowId = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId, 15_000);
      const run = env.client.workflow.getHandle(workflowId);
      const summary: MonthlyScorecardsSummary = await run.result();
      const scheduledAt = (await run.describe()).typedSearchAttributes.getAll().find((pair) => pair.key.name === 'TemporalScheduledStartTime')?.value;
      expect(scheduledAt).toEqual(new Date(Date.UTC(2026, 2, 1, 6, 0)));
      // February: the month before the scheduled start, not before the run's actual start.
      expect(summary).toEqual({ month: '2026-02', planned: 1, failed: 0 });
      expect(smtp.messages.map((m) => m.to)).toEqual([['mara@shop.example']]);
      await handle.delete();
    }),
  );
}, 60_000);
