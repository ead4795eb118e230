// Which Node.js versions still get security fixes: the start command warns on one that does not.
// End-of-life dates from the Node.js release schedule (https://github.com/nodejs/release).

const END_OF_LIFE: Record<number, string> = {
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

/** The oldest major version known; anything older is long past its end of life. */
const OLDEST_KNOWN = 18;

/** A warning when this Node.js version is past its end of life; undefined while it is supported. */
export function nodeSupportWarning(version: string = process.versions.node, today: Date = new Date()): string | undefined {
  const major = Number.parseInt(version.replace(/^v/, ''), 10);
  if (!Number.isFinite(major)) return undefined;
  const endOfLife = END_OF_LIFE[major];
  const advice = 'Handoff runs on Node.js 24 LTS (see .node-version and the README)';
  if (endOfLife === undefined) return major < OLDEST_KNOWN ? `Node.js ${version} is long past its end of life and gets no security fixes; ${advice}` : undefined;
  if (today.getTime() <= Date.parse(`${endOfLife}T23:59:59Z`)) return undefined;
  return `Node.js ${version} reached its end of life on ${endOfLife} and gets no security fixes; ${advice}`;
}
