// A deploy under Worker Deployment Versioning, on a real Temporal dev server with real workers:
// unversioned workers hand over to the first versioned ones, a new version's workers take no
// brief until `npm run deploy:promote` makes it current, and from then on the old version's
// workers, though still running, get no workflow task: a brief the new version has advanced is
// never again replayed by the old code.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../lib/config';
import type { Database } from '../../lib/db/database';
import { createLogger } from '../../lib/logger';
import { startHandoff, type RunningHandoff } from '../../start/handoff';
import { describeDeployment } from '../../worker/versioning';
import { briefWorkflowId } from '../../workflows/domain/ids';
import { openTestDatabase } from '../support/database';
import { directory } from '../support/directory';
import { ADMIN_KEY } from '../support/handoff';
import { eventually, type ApiClient } from '../support/http';
import { ROOT } from '../support/processes';
import { devServerEnv } from '../support/temporal';
import { workflowBundle } from '../support/workflow-bundle';

const V1 = '1.0.0+aaaaaaaaaaaa';
const V2 = '1.1.0+bbbbbbbbbbbb';
/** What handled a workflow task: a version's build id, or unversioned. */
const UNVERSIONED = 'unversioned';

describe('worker versioning', () => {
  const suffix = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-versioning-'));
  const deploymentName = `handoff-test-${suffix}`;
  const shared = {
    PORT: '0',
    HANDOFF_DATA_DIR: dataDir,
    TEMPORAL_TASK_QUEUE: `handoff-versioning-${suffix}`,
    HANDOFF_DEPLOYMENT_NAME: deploymentName,
    HANDOFF_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    HANDOFF_SEED_DEMO: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
  let env: TestWorkflowEnvironment;
  let db: Database;
  const running: RunningHandoff[] = [];

  /** The API, or one worker (with its delivery worker) of the given settings, in this process. */
  async function start(parts: 'api' | 'worker', extra: Record<string, string> = {}): Promise<RunningHandoff> {
    const config = loadConfig({ ...shared, TEMPORAL_ADDRESS: env.address, ...extra });
    const handoff = await startHandoff({
      config,
      logger: createLogger(config.logLevel),
      api: parts === 'api',
      worker: parts === 'worker',
      prepareDatabase: parts === 'api',
      db,
      workflowBundle: await workflowBundle(),
    });
    running.push(handoff);
    return handoff;
  }

  async function stop(handoff: RunningHandoff): Promise<void> {
    running.splice(running.indexOf(handoff), 1);
    await handoff.stop();
  }

  beforeAll(async () => {
    env = await devServerEnv();
    db = await openTestDatabase();
  });

  afterAll(async () => {
    for (const handoff of running.reverse()) await handoff.stop();
    await db?.close();
    await env?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Each workflow task of a brief, in order: who completed it, and when it was handed to that worker. */
  async function workflowTasks(briefId: string): Promise<{ handler: string; startedAt: number }[]> {
    const events = (await env.client.workflow.getHandle(briefWorkflowId(briefId)).fetchHistory()).events ?? [];
    const timeOf = (eventId: unknown) => {
      const event = events.find((e) => Number(e.eventId) === Number(eventId));
      return Number(event?.eventTime?.seconds ?? 0) * 1000 + Math.floor((event?.eventTime?.nanos ?? 0) / 1e6);
    };
    return events
      .map((event) => event.workflowTaskCompletedEventAttributes)
      .filter((attributes): attributes is temporal.api.history.v1.IWorkflowTaskCompletedEventAttributes => !!attributes)
      .map((attributes) => ({ handler: attributes.deploymentVersion?.buildId || UNVERSIONED, startedAt: timeOf(attributes.startedEventId) }));
  }

  /** Who completed each workflow task of a brief, in order. */
  const taskHandlers = async (briefId: string) => (await workflowTasks(briefId)).map((task) => task.handler);

  /** Resolves once the brief's last workflow task has been completed by `handler`. */
  const lastTaskBy = (briefId: string, handler: string) =>
    eventually(async () => ((await taskHandlers(briefId)).at(-1) === handler ? true : undefined), 20_000, 200);

  const currentVersion = async (handoff: RunningHandoff) =>
    (await describeDeployment({ workflowService: handoff.temporal.client.workflowService, namespace: 'default', identity: 'test' }, deploymentName)).currentBuildId;

  /** The build ids of the workers polling the brief queue. */
  async function pollingVersions(handoff: RunningHandoff): Promise<string[]> {
    const { pollers } = await handoff.temporal.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: shared.TEMPORAL_TASK_QUEUE }, taskQueueType: 1 });
    return (pollers ?? []).map((poller) => poller.deploymentOptions?.buildId || UNVERSIONED);
  }

  function promoteCommand(...args: string[]) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'worker/promote.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', TEMPORAL_ADDRESS: env.address, HANDOFF_DEPLOYMENT_NAME: deploymentName },
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  test('a new version takes over the briefs when promoted, and the old one never handles a task again', async () => {
    const api = await start('api');
    const dir = directory(api.url as string);
    const shop = await dir.party('Shop', 'ecommerce');
    const agency = await dir.party('Pixelwerk', 'agency');
    const manager = (await dir.member(shop, 'manager')).client;
    const member = (await dir.member(agency, 'member')).client;
    const newBrief = async (client: ApiClient, title: string) => {
      const res = await client.post('/v1/briefs', { title, description: 'Across a deploy', partyId: agency, priority: 'P2' });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const comment = async (briefId: string, body: string) => expect((await manager.post(`/v1/briefs/${briefId}/comments`, { body })).status).toBe(200);

    // Before versioning: an unversioned worker runs the first brief.
    const unversioned = await start('worker', { HANDOFF_WORKER_VERSIONING: 'off' });
    const first = await newBrief(manager, 'Started before versioning');
    await lastTaskBy(first, UNVERSIONED);

    // The first versioned worker makes itself current (the deployment has no current version)
    // and takes over the brief the unversioned worker started.
    await start('worker', { HANDOFF_WORKER_VERSIONING: 'on', HANDOFF_BUILD_ID: V1 });
    expect(await currentVersion(api)).toBe(V1);
    expect((await member.post(`/v1/briefs/${first}/acknowledge`, {})).status).toBe(200);
    await lastTaskBy(first, V1);
    await stop(unversioned);

    // A new version's workers poll, but take nothing until it is promoted: a worker starting
    // leaves a current version in place (HANDOFF_PROMOTE_ON_START=initial, the default).
    await start('worker', { HANDOFF_WORKER_VERSIONING: 'on', HANDOFF_BUILD_ID: V2 });
    expect(await currentVersion(api)).toBe(V1);
    const second = await newBrief(manager, 'Started on v1');
    await comment(first, 'still on v1');
    await lastTaskBy(second, V1);
    await lastTaskBy(first, V1);
    expect(await taskHandlers(second)).not.toContain(V2);
    // npm run deploy:promote: the new version becomes current.
    const promoted = promoteCommand('--build-id', V2, '--wait', 'PT30S');
    const promotedAt = Date.now();
    expect(promoted.stderr).toBe('');
    expect(promoted.stdout.trim()).toBe(`deployment ${deploymentName}: version ${V2} is now current (before: ${V1})`);
    expect(promoteCommand('--build-id', V2).stdout.trim()).toBe(`deployment ${deploymentName}: version ${V2} was current already`);
    expect(await currentVersion(api)).toBe(V2);

    // Briefs started before move to the new version at their next task; new briefs start on it;
    // the v1 worker, still running, gets none of their tasks.
    expect(await pollingVersions(api)).toEqual(expect.arrayContaining([V1, V2]));
    for (let round = 1; round <= 3; round++) {
      await comment(first, `after the deploy ${round}`);
      await comment(second, `after the deploy ${round}`);
    }
    const third = await newBrief(manager, 'Started on v2');
    expect((await member.post(`/v1/briefs/${second}/acknowledge`, {})).status).toBe(200);
    expect((await member.post(`/v1/briefs/${third}/acknowledge`, {})).status).toBe(200);
    for (const briefId of [first, second, third]) await lastTaskBy(briefId, V2);

    // Every workflow task handed out after the promotion went to the new version.
    for (const briefId of [first, second, third]) {
      const late = (await workflowTasks(briefId)).filter((task) => task.startedAt >= promotedAt);
      expect(late.length).toBeGreaterThan(0);
      expect(late.filter((task) => task.handler !== V2)).toEqual([]);
    }
    expect(new Set(await taskHandlers(third))).toEqual(new Set([V2]));
    // The new version's delivery workers send what its briefs notify.
    const sent = await eventually(async () => {
      const { items } = (await manager.get(`/v1/briefs/${third}/notifications`)).body as { items: { status: string }[] };
      return items.length > 0 && items.every((n) => n.status === 'sent') ? items : undefined;
    }, 20_000, 200);
    expect(sent.length).toBeGreaterThan(0);
    // Once a version has handled a brief, no earlier one handles it again.
    const order = [UNVERSIONED, V1, V2];
    for (const briefId of [first, second, third]) {
      const handlers = await taskHandlers(briefId);
      expect(handlers.map((h) => order.indexOf(h))).toEqual([...handlers.map((h) => order.indexOf(h))].sort((a, b) => a - b));
    }

    // The briefs auto-upgrade (patches keep their histories replaying on the new code).
    const { raw } = await env.client.workflow.getHandle(briefWorkflowId(first)).describe();
    expect(raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId).toBe(V2);
    expect(raw.workflowExecutionInfo?.versioningInfo?.behavior).toBe(2 /* VERSIONING_BEHAVIOR_AUTO_UPGRADE */);
  }, 180_000);

  test('deploy:promote refuses a version whose workers never poll, and says why', () => {
    const result = promoteCommand('--build-id', '9.9.9+nobodypolls', '--wait', 'PT2S');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`version 9.9.9+nobodypolls of deployment ${deploymentName} could not be made current`);
  }, 60_000);
});
