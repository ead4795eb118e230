// `npm run bench` with tiny figures: every scenario runs on a fresh embedded stack and the last
// line of stdout is one JSON object with exactly the figures the benchmark promises, as numbers.
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

const FIGURES: Record<string, string[]> = {
  lifecycle: ['briefsPerSec', 'apiP50Ms', 'apiP99Ms', 'temporalActionsPerBrief', 'historyEventsPerBrief', 'historyBytesPerBrief', 'actionsPerSec'],
  baseline: ['actionsPerSec', 'updateP50Ms', 'updateP99Ms'],
  ratios: ['actionsPerSec', 'updateLatencyP50'],
  timers: ['latenessP50Ms', 'latenessP99Ms', 'latenessMaxMs'],
  scale: ['openBriefs', 'startPerSec', 'workerRssMb', 'apiListP50Ms'],
  growth: ['historyBytes', 'largestPayloadBytes', 'continuedAsNew'],
  programs: ['historyBytes', 'largestPayloadBytes'],
  reports: ['scorecardFirstMs', 'scorecardAfterChangeMs', 'scorecardP50Ms', 'scorecardP95Ms', 'detailP50Ms', 'csvP50Ms'],
};

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
    // The embedded stack, whatever the developer's shell points at.
    delete env.TEMPORAL_ADDRESS;
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm run bench with tiny figures prints every scenario figure as a number on the last line of stdout', async () => {
  const { code, stdout, stderr } = await runBench(['--briefs', '3', '--concurrency', '3', '--timers', '3', '--open', '5', '--comments', '4', '--rounds', '1', '--program-briefs', '6', '--report-briefs', '2000', '--no-record']);
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]);
  for (const [scenario, fields] of Object.entries(FIGURES)) {
    expect(Object.keys(result[scenario]).sort()).toEqual([...fields].sort());
    for (const field of fields) {
      expect({ scenario, field, value: Number.isFinite(result[scenario][field]) }).toEqual({ scenario, field, value: true });
    }
  }
  expect(result.scale.openBriefs).toBeGreaterThanOrEqual(5);
  expect(result.growth.largestPayloadBytes).toBeGreaterThan(0);
  expect(result.programs.historyBytes).toBeGreaterThan(result.programs.largestPayloadBytes);
  expect(result.options).toMatchObject({ briefs: 3, concurrency: 3, timers: 3, open: 5, reportBriefs: 2000 });
  // The generated history lies in the default period over twenty parties: the list of
  // scorecards counts every brief of it (and the other scenarios' briefs), and has weeks.
  expect(result.detail.reports).toMatchObject({ briefs: 2000, parties: 20 });
  expect(result.detail.reports.receivedInReport).toBeGreaterThanOrEqual(2000);
  expect(result.detail.reports.receivedInReport).toBeLessThanOrEqual(result.detail.reports.rows.scorecardBriefs);
  expect(result.detail.reports.rows.scorecardSteps).toBeGreaterThan(2000 * 3);
  expect(result.detail.reports.rows.escalations).toBeGreaterThan(0);
  expect(result.detail.reports.scorecards).toBeGreaterThanOrEqual(20);
  expect(result.detail.reports.weeks).toBeGreaterThan(result.detail.reports.scorecards);
  expect(result.detail.reports.generateSec).toBeGreaterThan(0);
  for (const figure of ['scorecardFirstMs', 'scorecardAfterChangeMs', 'scorecardP50Ms', 'detailP50Ms', 'csvP50Ms']) expect(result.reports[figure]).toBeGreaterThan(0);
  expect(result.reports.scorecardP95Ms).toBeGreaterThanOrEqual(result.reports.scorecardP50Ms);

  // Progress: an n/N counter with a rate for each phase, on stderr.
  for (const phase of ['lifecycle', 'baseline', 'timers: creating', 'growth', 'scale: creating open briefs', 'reports: timing requests']) {
    expect(stderr).toMatch(new RegExp(`\\[bench\\] ${phase}: \\d+/\\d+ \\w+, [\\d.]+/s`));
  }
}, 420_000);
