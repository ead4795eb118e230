// timers: M briefs under a 24x7 policy whose acknowledge target is a few seconds, created C at a
// time and never acknowledged. Each breach raises a level-1 escalation at the due instant; the
// bench reads the escalation stream (GET /v1/escalations/stream, fed from the table the
// escalation is written to in the same transaction) and notes how late each arrives against the
// brief's sla.acknowledge.dueAt. Breaches fire while later briefs are still being created.
import { randomBytes } from 'node:crypto';
import { apiClient, FailureLog } from '../api-client';
import type { BenchContext, ScenarioResult } from '../context';
import { watchEscalationFeed } from '../db-watch';
import { inPool, sleep } from '../pool';
import { note, Progress } from '../progress';
import { openEventStream } from '../receivers';
import { latencySummary, percentile, round } from '../stats';

export interface TimerFigures {
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

/** The acknowledge target of the timer briefs' policy. */
export const TIMER_TARGET = 'PT5S';
/** Give up on the stragglers once nothing arrived for this long after every brief was due. */
const STALL_MS = 30_000;

export async function timers(ctx: BenchContext): Promise<ScenarioResult<TimerFigures>> {
  const { url, directory } = ctx.stack;
  const admin = apiClient(url, directory.keys.admin);
  const manager = apiClient(url, directory.keys.manager);
  const count = ctx.options.timers;
  const policy = await admin.post<{ id: string }>('/v1/sla-policies', {
    name: `Bench timers ${randomBytes(3).toString('hex')} (24x7)`,
    targets: { acknowledge: { P2: TIMER_TARGET } },
    escalation: { levels: [{ after: 'PT0S', notify: ['party_lead', 'manager'] }] },
  });

  const arrivals = new Map<string, { receivedAt: number; raisedAt: number }>();
  const dueAt = new Map<string, number>();
  let lastArrivalAt = Date.now();
  const escalated = new Progress('timers: breach escalations on the stream', count, 'escalations');
  const stream = openEventStream(`${url}/v1/escalations/stream?state=open&clock=acknowledge&level=1&partyId=${directory.agencyPartyId}`, directory.keys.watcher);
  stream.onEvent((event) => {
    if (event.event !== 'escalation.raised' || arrivals.has(event.data.briefId)) return;
    arrivals.set(event.data.briefId, { receivedAt: event.receivedAt, raisedAt: Date.parse(event.data.raisedAt) });
    lastArrivalAt = event.receivedAt;
    escalated.tick();
  });
  await stream.opened;
  const database = ctx.stack.databaseUrl
    ? await watchEscalationFeed(ctx.stack.databaseUrl, { partyId: directory.agencyPartyId, clock: 'acknowledge', level: 1 })
    : undefined;

  const failures = new FailureLog();
  const created = new Progress('timers: creating', count, 'briefs');
  const createMs: number[] = [];
  const began = Date.now();
  await inPool(count, ctx.options.concurrency, async (index) => {
    try {
      const answer = await manager.call<{ id: string; sla: { acknowledge: { dueAt: string } } }>('POST', '/v1/briefs', {
        title: `Feed fix ${index + 1}`,
        description: 'Umlauts break the product feed.',
        partyId: directory.agencyPartyId,
        priority: 'P2',
        slaPolicyId: policy.id,
      });
      dueAt.set(answer.body.id, Date.parse(answer.body.sla.acknowledge.dueAt));
      createMs.push(answer.ms);
    } catch (err) {
      failures.record(err);
    } finally {
      created.tick();
    }
  });
  const createdSec = (Date.now() - began) / 1000;
  if (dueAt.size === 0) throw new Error(`timers: no brief could be created: ${failures.summary()?.examples.join('; ')}`);
  const lastDue = Math.max(...dueAt.values());
  while ([...dueAt.keys()].some((id) => !arrivals.has(id))) {
    const now = Date.now();
    if (now > lastDue + STALL_MS && now - lastArrivalAt > STALL_MS) break;
    await sleep(200);
  }
  stream.close();
  await database?.stop();

  const stoppedAt = Date.now();
  const missing = [...dueAt.keys()].filter((id) => !arrivals.has(id));
  if (missing.length) note(`timers: ${missing.length} of ${dueAt.size} breaches never reached the stream; counted as late as the wait`);
  // A breach that never arrived is at least as late as the wait: counted so, not left out.
  const lateness = [...dueAt].map(([id, due]) => (arrivals.get(id)?.receivedAt ?? stoppedAt) - due);
  const raisedLateness = [...dueAt].flatMap(([id, due]) => {
    const arrival = arrivals.get(id);
    return arrival ? [arrival.raisedAt - due] : [];
  });
  const streamAfterRaised = [...arrivals].flatMap(([id, a]) => (dueAt.has(id) ? [a.receivedAt - a.raisedAt] : []));
  const databaseLateness = database ? [...dueAt].flatMap(([id, due]) => (database.seen.has(id) ? [(database.seen.get(id) as number) - due] : [])) : undefined;
  return {
    figures: {
      latenessP50Ms: round(percentile(lateness, 50)),
      latenessP99Ms: round(percentile(lateness, 99)),
      latenessMaxMs: round(percentile(lateness, 100)),
    },
    detail: {
      briefs: dueAt.size,
      target: TIMER_TARGET,
      failures: failures.summary(),
      missing: missing.length,
      createdSec: round(createdSec),
      dueSpanSec: round((lastDue - Math.min(...dueAt.values())) / 1000),
      createMs: latencySummary(createMs),
      // raisedAt is the workflow's clock when the breach fired: timer and workflow-task delay.
      raisedLatenessMs: latencySummary(raisedLateness),
      // From raisedAt to the bench reading it: read-model write, the feed's 200 ms poll, SSE.
      streamAfterRaisedMs: latencySummary(streamAfterRaised),
      // External mode only: when the escalation's feed row became visible in the database (polled every 50 ms).
      ...(databaseLateness ? { databaseLatenessMs: latencySummary(databaseLateness) } : {}),
    },
  };
}
