// scale: K open briefs waiting with live clocks (acknowledge targets days away), spread over the
// parties that receive briefs, created C at a time; then a manager lists one party's briefs
// awaiting acknowledgement a few dozen times. The worker's peak resident memory is read from
// /proc (VmHWM: the peak over the process's life, so over the whole run).
import { apiClient, FailureLog } from '../api-client';
import type { BenchContext, ScenarioResult } from '../context';
import { memoryOf } from '../machine';
import { inPool, sleep } from '../pool';
import { Progress } from '../progress';
import { latencySummary, median, perSecond, round } from '../stats';

export interface ScaleFigures {
  openBriefs: number;
  startPerSec: number;
  workerRssMb: number;
  apiListP50Ms: number;
}

const LIST_REQUESTS = 40;
/** Time for the last briefs' notifications to go out before the listing is timed. */
const SETTLE_MS = 5_000;
const TERMINAL = new Set(['approved', 'declined', 'cancelled']);

/** Open briefs in the read model, as GET /metrics counts them. */
async function openBriefs(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  let open = 0;
  for (const match of (await response.text()).matchAll(/^handoff_briefs\{status="([a-z_]+)"\} (\d+)$/gm)) {
    if (!TERMINAL.has(match[1])) open += Number(match[2]);
  }
  return open;
}

export async function scale(ctx: BenchContext): Promise<ScenarioResult<ScaleFigures>> {
  const { url, directory, workerPid } = ctx.stack;
  const manager = apiClient(url, directory.keys.manager);
  const count = ctx.options.open;
  const before = memoryOf(workerPid);
  const failures = new FailureLog();
  const progress = new Progress('scale: creating open briefs', count, 'briefs');
  const createMs: number[] = [];
  const began = Date.now();
  await inPool(count, ctx.options.concurrency, async (index) => {
    try {
      const answer = await manager.call('POST', '/v1/briefs', {
        title: `Product data update ${index + 1}`,
        description: 'Update sizes and materials of the autumn collection.',
        partyId: directory.partyIds[index % directory.partyIds.length],
        priority: 'P2',
        targets: { acknowledge: 'P3D' },
      });
      createMs.push(answer.ms);
    } catch (err) {
      failures.record(err);
    } finally {
      progress.tick();
    }
  });
  const createdMs = Date.now() - began;

  await sleep(SETTLE_MS);
  const listMs: number[] = [];
  for (let i = 0; i < LIST_REQUESTS; i++) {
    listMs.push((await manager.call('GET', `/v1/briefs?partyId=${directory.agencyPartyId}&status=awaiting_ack`)).ms);
  }
  const after = memoryOf(workerPid);
  const open = await openBriefs(url, directory.keys.manager);
  return {
    figures: {
      openBriefs: open,
      startPerSec: round(perSecond(createMs.length, createdMs), 2),
      workerRssMb: after?.peakMb ?? Number.NaN,
      apiListP50Ms: round(median(listMs)),
    },
    detail: {
      created: createMs.length,
      failures: failures.summary(),
      createdSec: round(createdMs / 1000),
      createMs: latencySummary(createMs),
      listMs: latencySummary(listMs),
      workerRssBeforeMb: before?.currentMb,
      workerRssAfterMb: after?.currentMb,
      workerRssPerOpenBriefKb: before && after && createMs.length ? round(((after.currentMb - before.currentMb) * 1024) / createMs.length, 1) : undefined,
    },
  };
}
