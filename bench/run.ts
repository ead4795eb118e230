// `npm run bench`: measures Handoff's speed, timer accuracy, scale and history growth against
// the raw limit of the same Temporal server, and prints one JSON object on the last line of
// stdout (progress goes to stderr). See README.md, "Performance".
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { apiClient } from './api-client';
import type { BenchContext } from './context';
import { appendResult, codeVersion, describeMachine, memoryOf } from './machine';
import { parseOptions, USAGE, type BenchOptions, type Scenario } from './options';
import { note } from './progress';
import { startWebhookReceiver } from './receivers';
import { baseline, startBaselineWorker, warmUpBaseline, type BaselineFigures } from './scenarios/baseline';
import { growth } from './scenarios/growth';
import { programs } from './scenarios/programs';
import { reports } from './scenarios/reports';
import { lifecycle, warmUpLifecycle, type LifecycleFigures } from './scenarios/lifecycle';
import { scale } from './scenarios/scale';
import { timers } from './scenarios/timers';
import { startEmbeddedStack, startExternalStack, type Stack } from './stack';
import { round } from './stats';

function countFiles(folder: string): number {
  try {
    return readdirSync(folder).length;
  } catch {
    return 0;
  }
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress } = process.env;
  if (!!databaseUrl !== !!temporalAddress) {
    process.stderr.write('set both TEMPORAL_ADDRESS and DATABASE_URL to measure against them, or neither for the embedded stack\n');
    return 2;
  }
  // The SDK's own log lines (bundling, the baseline worker's state) stay out of the progress.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const machine = describeMachine();
  const code = codeVersion();
  const startedAt = new Date();
  const { record, ...shownOptions } = options;
  const scenarios = new Set<Scenario>(options.only);
  note(
    `scenarios ${options.only.join(', ')}; briefs ${options.briefs}, concurrency ${options.concurrency}, timers ${options.timers}, open ${options.open}, report briefs ${options.reportBriefs}; ` +
      `load average ${machine.loadAverage.start} on ${machine.cores} cores`,
  );

  /** The figures so far: an interrupted run still prints those of the scenarios it finished. */
  const results: Record<string, unknown> = {};
  const detail: Record<string, unknown> = {};
  const output = (extra: Record<string, unknown> = {}) => ({
    ...results,
    mode: stack?.mode,
    options: shownOptions,
    durationSec: round((Date.now() - startedAt.getTime()) / 1000),
    ...extra,
    detail,
  });

  const webhook = await startWebhookReceiver();
  let stack: Stack | undefined;
  let connection: Connection | undefined;
  const stopAll = async () => {
    await connection?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await webhook.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      note(`${signal}: stopping the stack; the figures so far follow (not recorded)`);
      process.stdout.write(`${JSON.stringify(output({ interrupted: signal }))}\n`);
      void stopAll().then(() => process.exit(130));
    });
  }

  try {
    note(databaseUrl ? `starting the API and a worker against ${temporalAddress} and the given database` : 'starting a fresh embedded Handoff');
    const stackStarted = Date.now();
    const started = databaseUrl && temporalAddress ? await startExternalStack(databaseUrl, temporalAddress) : await startEmbeddedStack();
    stack = started;
    note(`stack ready in ${((Date.now() - stackStarted) / 1000).toFixed(1)} s at ${started.url} (Temporal ${started.temporalAddress})`);
    // Resident memory right after the start, before any brief: what the processes cost empty.
    const memoryAtStart = Object.fromEntries(Object.entries(started.pids).map(([role, pid]) => [role, memoryOf(pid)?.currentMb]));
    // Paula Pixel, the agency's lead, takes her notifications by webhook too.
    await apiClient(started.url, started.directory.keys.member).put(`/v1/members/${started.directory.memberId}/notification-preferences`, { webhookUrl: webhook.url });
    connection = await Connection.connect({ address: started.temporalAddress });
    const ctx: BenchContext = { stack: started, temporal: new Client({ connection, namespace: started.namespace }), options };
    const done = (name: string, result: { figures: object; detail: Record<string, unknown> }) => {
      results[name] = result.figures;
      detail[name] = result.detail;
      note(`${name}: ${JSON.stringify(result.figures)}`);
    };

    let lifecycleActionP50: number | undefined;
    if (scenarios.has('lifecycle')) {
      await warmUpLifecycle(ctx);
      const result = await lifecycle(ctx);
      lifecycleActionP50 = result.actionP50Ms;
      done('lifecycle', result);
    }
    if (scenarios.has('baseline')) {
      const worker = await startBaselineWorker(ctx);
      try {
        await warmUpBaseline(ctx, worker);
        done('baseline', await baseline(ctx, worker));
      } finally {
        await worker.stop();
      }
    }
    if (results.lifecycle && results.baseline) {
      const life = results.lifecycle as LifecycleFigures;
      const base = results.baseline as BaselineFigures;
      results.ratios = {
        actionsPerSec: round(life.actionsPerSec / base.actionsPerSec, 2),
        // The HTTP actions (acknowledge, deliver, approve) against the raw updates they become.
        updateLatencyP50: round((lifecycleActionP50 as number) / base.updateP50Ms, 2),
      };
      note(`ratios: ${JSON.stringify(results.ratios)}`);
    }
    if (scenarios.has('timers')) done('timers', await timers(ctx));
    if (scenarios.has('growth')) done('growth', await growth(ctx));
    if (scenarios.has('programs')) done('programs', await programs(ctx));
    if (scenarios.has('scale')) done('scale', await scale(ctx));
    // Last: it fills the database with briefs the others would count (and restarts the embedded stack).
    if (scenarios.has('reports')) done('reports', await reports(ctx));

    detail.stack = {
      mode: started.mode,
      processesMemoryMb: Object.fromEntries(Object.entries(started.pids).map(([role, pid]) => [role, memoryOf(pid)])),
      processesMemoryAtStartMb: memoryAtStart,
      emailsWritten: countFiles(path.join(started.dataDir, 'outbox')),
      webhooks: webhook.received(),
    };
    machine.loadAverage.end = round(os.loadavg()[0], 2);
    const line = output();
    note(`done in ${line.durationSec} s`);
    if (record) appendResult({ date: startedAt.toISOString(), commit: code.commit, dirty: code.dirty, machine, ...line });
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (stack) process.stderr.write(`last lines of the stack:\n${stack.recentOutput()}\n`);
    return 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
