// The bench's command line.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['lifecycle', 'baseline', 'timers', 'growth', 'programs', 'scale', 'reports'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  briefs: number;
  concurrency: number;
  timers: number;
  open: number;
  /** Comments and revision rounds of the growth scenario's one brief. */
  comments: number;
  rounds: number;
  /** Briefs of the programs scenario's one program. */
  programBriefs: number;
  /** Briefs of scorecard history the reports scenario writes into the database. */
  reportBriefs: number;
  only: Scenario[];
  /** Append the run to bench/results/results.jsonl (off for trial runs and the test). */
  record: boolean;
}

export const USAGE = `npm run bench -- [options]

  --briefs N        lifecycle: briefs through create, acknowledge, deliver, approve (500)
  --concurrency C   requests (or baseline workflows) in flight (50)
  --timers M        timers: unacknowledged briefs due a few seconds after creation (1000)
  --open K          scale: open briefs with clocks days away (10000)
  --comments N      growth: comments on its one brief (200)
  --rounds R        growth: revision rounds (deliver + request changes) (20)
  --program-briefs N programs: briefs of its one program, in layers of five (50)
  --report-briefs N reports: briefs of scorecard history (12 weeks, 20 parties) written
                    straight into the database, then the scorecards asked for (100000)
  --only LIST       scenarios to run, comma-separated: ${SCENARIOS.join(', ')}
                    (ratios = lifecycle,baseline); all by default
  --no-record       do not append the run to bench/results/results.jsonl

Without TEMPORAL_ADDRESS and DATABASE_URL it starts a fresh embedded Handoff (a temporary data
folder); with both set, it migrates DATABASE_URL and starts the API and one worker against them.
Progress goes to stderr; the last line of stdout is one JSON object with the figures.`;

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer of at least ${min}, not ${text}`);
  return value;
}

/** Parses the options; throws with a message for the user when they are wrong. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      briefs: { type: 'string' },
      concurrency: { type: 'string' },
      timers: { type: 'string' },
      open: { type: 'string' },
      comments: { type: 'string' },
      rounds: { type: 'string' },
      'program-briefs': { type: 'string' },
      'report-briefs': { type: 'string' },
      only: { type: 'string' },
      'no-record': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const only = new Set<Scenario>();
  for (const name of (values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (name === 'ratios') {
      only.add('lifecycle');
      only.add('baseline');
    } else if ((SCENARIOS as readonly string[]).includes(name)) only.add(name as Scenario);
    else throw new Error(`--only: unknown scenario ${name}; known are ${SCENARIOS.join(', ')} and ratios`);
  }
  return {
    briefs: count('briefs', values.briefs, 500, 1),
    concurrency: count('concurrency', values.concurrency, 50, 1),
    timers: count('timers', values.timers, 1000, 1),
    open: count('open', values.open, 10000, 1),
    comments: count('comments', values.comments, 200, 0),
    rounds: count('rounds', values.rounds, 20, 0),
    programBriefs: count('program-briefs', values['program-briefs'], 50, 1),
    reportBriefs: count('report-briefs', values['report-briefs'], 100_000, 1),
    only: SCENARIOS.filter((s) => only.has(s)),
    record: !values['no-record'],
  };
}
