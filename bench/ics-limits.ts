// `npm run bench:ics`: how fast a hostile iCalendar feed of about 1 MB is refused. Each feed of
// test/support/hostile-ics.ts (one per limit) is read by the parser in this process and posted to
// POST /v1/calendars/:id/holidays/import of an embedded Handoff, ROUNDS times; the goal is a
// refusal (400) within GOAL_MS at the 99th percentile. Prints one JSON object on the last line of
// stdout and exits 1 when a feed misses the goal or is not refused.
import { ICS_LIMITS, IcsLimitError, readIcsHolidays } from '../workflows/domain/calendar';
import { HOSTILE_ICS } from '../test/support/hostile-ics';
import { note } from './progress';
import { startEmbeddedStack } from './stack';
import { latencySummary, round } from './stats';

const GOAL_MS = 100;
const ROUNDS = Number(process.env.BENCH_ICS_ROUNDS ?? 20);

type Feed = keyof typeof HOSTILE_ICS;

function parserTimes(text: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    try {
      readIcsHolidays(text, { untilYear: 2200 });
    } catch (err) {
      if (!(err instanceof IcsLimitError)) throw err;
    }
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<number> {
  note(`limits ${JSON.stringify(ICS_LIMITS)}; ${ROUNDS} rounds per feed; starting an embedded Handoff`);
  const stack = await startEmbeddedStack();
  const figures: Record<string, { chars: number; statuses: number[]; parser: ReturnType<typeof latencySummary>; api: ReturnType<typeof latencySummary>; withinGoal: boolean }> = {};
  try {
    const headers = { authorization: `Bearer ${stack.directory.keys.admin}` };
    const created = await fetch(`${stack.url}/v1/calendars`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hostile feeds', timezone: 'UTC', workingHours: { mon: [['09:00', '17:00']] } }),
    });
    if (created.status !== 201) throw new Error(`creating a calendar: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    for (const feed of Object.keys(HOSTILE_ICS) as Feed[]) {
      const text = HOSTILE_ICS[feed]();
      const parser = latencySummary(parserTimes(text));
      const times: number[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < ROUNDS; i++) {
        const started = performance.now();
        const res = await fetch(`${stack.url}/v1/calendars/${id}/holidays/import?untilYear=2200`, { method: 'POST', headers: { ...headers, 'content-type': 'text/calendar' }, body: text });
        await res.arrayBuffer();
        times.push(performance.now() - started);
        statuses.add(res.status);
      }
      const api = latencySummary(times);
      figures[feed] = { chars: text.length, statuses: [...statuses], parser, api, withinGoal: api.p99 <= GOAL_MS && statuses.size === 1 && statuses.has(400) };
      note(`${feed}: ${text.length} characters, answered ${[...statuses].join('/')}, parser p50 ${round(parser.p50)} ms, API p50 ${round(api.p50)} ms p99 ${round(api.p99)} ms`);
    }
  } finally {
    await stack.stop();
  }
  const ok = Object.values(figures).every((f) => f.withinGoal);
  process.stdout.write(`${JSON.stringify({ scenario: 'ics-limits', goalMs: GOAL_MS, rounds: ROUNDS, ok, feeds: figures })}\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
