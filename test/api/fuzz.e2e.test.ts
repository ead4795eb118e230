// A schema-driven fuzzer against the running API: Schemathesis (from PyPI, the version pinned in
// .ci/run) reads /openapi.json, generates valid and invalid requests for every operation, and
// checks each answer against the document. A 5xx, or an answer the document does not allow,
// fails the test with Schemathesis' report, each failure with a curl line that reproduces it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../api/app';
import { createLogger } from '../../lib/logger';
import type { Role } from '../../workflows/domain/vocabulary';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient, type ApiResponse } from '../support/http';
import { devServerEnv } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const HOOKS = path.join(__dirname, 'fuzz-hooks.py');
const PINNED_VERSION = /schemathesis==([\w.]+)/.exec(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'))?.[1];

/**
 * What every answer is checked for. Left out, on purpose:
 * - positive_data_acceptance wants 2xx for every schema-valid request, but validity here also
 *   depends on state the document cannot express: partyId and reviewerId must name existing
 *   records, a cursor must be one the API issued (both 400), and an Idempotency-Key that comes
 *   back with another request gets 422. Those answers are documented.
 * - unsupported_method wants 405 for methods a path does not declare; the API answers 404
 *   problem+json for any method and path it has no route for, and the document promises no 405.
 *   allow_header_conformance only judges 405 answers.
 * - object_level_authorization needs a second identity per object; test/api/authorization-matrix
 *   covers who sees what.
 */
const CHECKS = [
  'not_a_server_error', // no 5xx
  'status_code_conformance', // every status is one the operation documents
  'content_type_conformance', // ... with a documented content type
  'response_schema_conformance', // ... and a body that matches the documented schema
  'response_headers_conformance', // ... and documented headers
  'negative_data_rejection', // requests that break the document are refused with a 4xx
  'missing_required_header', // a request without the API key is refused with 401
  'ignored_auth', // ... and the key is not ignored
  'use_after_free', // stateful: nothing deleted comes back
  'ensure_resource_availability', // stateful: what a POST created can be read
];

/**
 * Per operation and phase. With the seed, every run generates the same data (the API state it meets may differ).
 * 25 keeps the three runs (manager, admin, agency member) at about two and a half minutes each with some eighty operations.
 */
const MAX_EXAMPLES = 25;
const SEED = 20261126;
/** The slowest correct answer (a brief's workflow start plus an update) takes well under a second. */
const REQUEST_TIMEOUT_S = 5;
/**
 * A run past this is interrupted (SIGINT: Schemathesis still prints its report), and killed 20 s
 * later. The manager's run covers eighty operations: on a two-core machine it took about four
 * minutes (coverage 98 s, fuzzing 119 s, then the stateful phase); this leaves room for that.
 */
const RUN_TIMEOUT_MS = 420_000;
/**
 * The longest the API itself waits on Temporal before answering (UPDATE_DEADLINE_MS in
 * api/routes/briefs.ts), plus a margin. After a request the fuzzer gave up on, the test waits
 * this long before stopping the API, so no call to Temporal outlives its connection and fails
 * in whatever test file jest runs next.
 */
const API_LONGEST_WAIT_MS = 35_000;

interface Result {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the API under test answers from this same process.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      output += `\n[interrupted after ${options.timeoutMs} ms]\n`;
      child.kill('SIGINT');
      kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      resolve({ code, output });
    });
  });
}

/** `schemathesis` from PATH (pip's scripts folder, as .ci/run sets it up), else through python3. */
async function findSchemathesis(cwd: string): Promise<string[]> {
  const candidates = [['schemathesis'], ['python3', '-m', 'schemathesis.cli']];
  const tried: string[] = [];
  for (const [command, ...prefix] of candidates) {
    try {
      const { code, output } = await run(command, [...prefix, '--version'], { cwd, env: process.env, timeoutMs: 60_000 });
      if (code === 0) {
        const version = /version (\S+)/.exec(output)?.[1];
        if (version !== PINNED_VERSION) throw new Error(`${command} is schemathesis ${version}; the suite pins ${PINNED_VERSION}: python3 -m pip install schemathesis==${PINNED_VERSION}`);
        return [command, ...prefix];
      }
      tried.push(`${[command, ...prefix].join(' ')}: exit ${code}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      tried.push(`${command}: not found`);
    }
  }
  throw new Error(`Schemathesis is not installed (${tried.join('; ')}): python3 -m pip install schemathesis==${PINNED_VERSION}`);
}

/** The answer, or undefined when there is none within `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The failures and errors of a report, without the progress lines before them. */
function findings(output: string): string {
  const start = output.search(/^=+ (ERRORS|FAILURES) =+$/m);
  const text = start >= 0 ? output.slice(start) : output;
  return text.length > 60_000 ? `${text.slice(0, 60_000)}\n[... ${text.length - 60_000} more characters]` : text;
}

describe('the schema-driven fuzzer', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let workDir: string;
  let command: string[];
  let managerKey: string;
  let memberKey: string;
  let agencyId: string;
  /** The operations a role may call and a manager may not: the manager's key only ever gets 403 there. */
  let onlyFor: (role: Role) => string[];
  let failed = false;
  /** Whether a request was given up on while the API may still be working on it. */
  let abandoned = false;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-fuzz-'));
    command = await findSchemathesis(workDir);
    env = await devServerEnv();
    // The rate limit has its own tests; here it would only turn requests into documented 429s.
    handoff = await startTestHandoff(env, { database: 'pglite', extraEnv: { HANDOFF_RATE_LIMIT: '1000000' } });
    const app = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: createLogger('silent') });
    onlyFor = (role) => app.catalog.routes.filter((r) => r.roles !== 'public' && r.roles.includes(role) && !r.roles.includes('manager')).map((r) => r.operationId);

    // Some data for the fuzzer to find: an e-commerce team with a manager, an agency with a member, briefs.
    const admin = apiClient(handoff.url, ADMIN_KEY);
    const shop = await admin.post('/v1/parties', { name: 'Shop', kind: 'ecommerce' });
    const agency = await admin.post('/v1/parties', { name: 'Pixelwerk Agentur', kind: 'agency' });
    const manager = await admin.post(`/v1/parties/${shop.body.id}/members`, { name: 'Mara', email: 'mara@shop.example', role: 'manager' });
    const member = await admin.post(`/v1/parties/${agency.body.id}/members`, { name: 'Paula', email: 'paula@pixelwerk.example', role: 'member', isLead: true });
    const key = await admin.post(`/v1/members/${manager.body.id}/api-keys`, {});
    const agencyKey = await admin.post(`/v1/members/${member.body.id}/api-keys`, {});
    expect([shop.status, agency.status, manager.status, member.status, key.status, agencyKey.status]).toEqual([201, 201, 201, 201, 201, 201]);
    managerKey = key.body.key as string;
    agencyId = agency.body.id as string;
    memberKey = agencyKey.body.key as string;
    // A few briefs waiting for the agency, so the member's run has something to act on.
    for (const title of ['Christmas landing page', 'Feed fix', 'Returns page']) {
      const brief = await apiClient(handoff.url, managerKey).post('/v1/briefs', { title, description: 'Made for the fuzzer', partyId: agency.body.id });
      expect(brief.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    if (abandoned) await new Promise((resolve) => setTimeout(resolve, API_LONGEST_WAIT_MS));
    await handoff?.cleanup();
    await env?.teardown();
    // Kept when a run failed: it holds the full output.
    if (workDir && !failed) rmSync(workDir, { recursive: true, force: true });
  }, API_LONGEST_WAIT_MS + 60_000);

  async function fuzz(name: string, key: string, only: string[] = []): Promise<void> {
    const args = [
      'run',
      `${handoff.url}/openapi.json`,
      '--url',
      handoff.url,
      '--header',
      `Authorization: Bearer ${key}`,
      ...only.flatMap((operationId) => ['--include-operation-id', operationId]),
      '--checks',
      CHECKS.join(','),
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      // One worker: runs with two here ended in Hypothesis-internal errors, and the API, its worker
      // and Temporal share the machine's two cores anyway.
      '--workers',
      '1',
      '--request-timeout',
      String(REQUEST_TIMEOUT_S),
      // Nothing carried over from earlier runs: the seed alone decides what is generated.
      '--generation-database',
      'none',
      // Shrinking replays a failing request many times; against a request that hangs, that took
      // over four minutes for one failure here. Failures are reported as found, with their curl.
      '--no-shrink',
      // Free text is documented with a lookahead pattern (no NUL, not blank) that stays linear in
      // the input; Hypothesis generates for it by filtering, which trips this generator-side
      // health check. It says nothing about the API, so it is suppressed.
      '--suppress-health-check=filter_too_much',
      '--no-color',
    ];
    const result = await run(command[0], [...command.slice(1), ...args], {
      cwd: workDir,
      env: { ...process.env, SCHEMATHESIS_HOOKS: HOOKS, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const interrupted = result.output.includes('[interrupted after');
    if (interrupted || result.output.includes('Read timed out')) abandoned = true;
    // An interrupted run has not tested everything, whatever it found until then.
    if (result.code === 0 && !interrupted) return;
    failed = true;
    const log = path.join(workDir, `${name}.log`);
    mkdirSync(workDir, { recursive: true }); // tmp cleaners may have taken it during a long run
    writeFileSync(log, result.output);
    const shown = [...command, ...args].map((a) => (a.startsWith('Authorization:') ? "'Authorization: Bearer <key>'" : a)).join(' ');
    throw new Error(`schemathesis exited with ${result.code} (full output: ${log})\n${shown}\n\n${findings(result.output)}`);
  }

  test(
    'finds no 5xx and no answer that contradicts /openapi.json, with a manager key',
    async () => {
      await fuzz('manager', managerKey);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  test(
    'finds none on the operations only admins may call, with the admin key',
    async () => {
      expect(onlyFor('admin')).toEqual(expect.arrayContaining(['createParty', 'listAuditEvents']));
      await fuzz('admin', ADMIN_KEY, onlyFor('admin'));
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  test(
    "finds none on the agency's actions, with an agency member's key",
    async () => {
      expect(onlyFor('member')).toEqual(expect.arrayContaining(['acknowledgeBrief', 'deliverBrief']));
      // The brief list and reads give the stateful phase ids of briefs this member may act on.
      await fuzz('member', memberKey, [...onlyFor('member'), 'listBriefs', 'getBrief']);
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  // The fuzzer found these, with some seeds and not with others; replayed on every run so they stay
  // found until they are fixed, and stay fixed afterwards. Whatever the API decides to answer (refuse or keep the text), it
  // answers at once, without a 5xx, and the brief stays usable.
  test('answers NUL characters and lone surrogates in text and ids without a 5xx', async () => {
    const admin = apiClient(handoff.url, ADMIN_KEY);
    const manager = apiClient(handoff.url, managerKey);
    const problems: string[] = [];
    const probe = async (what: string, answer: Promise<ApiResponse>, expected?: number) => {
      const res = await within(REQUEST_TIMEOUT_S * 1000, answer);
      if (res === undefined) {
        abandoned = true;
        problems.push(`${what}: no answer within ${REQUEST_TIMEOUT_S} s`);
      } else if (res.status >= 500 || (expected !== undefined && res.status !== expected)) problems.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await probe('GET /v1/briefs/a%00b', manager.get('/v1/briefs/a%00b'));
    await probe('GET /v1/briefs?partyId=a%00b', manager.get('/v1/briefs?partyId=a%00b'));
    // JSON escapes, as a client would send them: \u0000 and an unpaired \ud800.
    for (const [name, text] of [
      ['NUL', 'a\\u0000b'],
      ['a lone surrogate', 'a\\ud800b'],
    ]) {
      await probe(`POST /v1/parties, ${name} in the name`, admin.request('POST', '/v1/parties', `{"name":"${text}","kind":"agency"}`));
      await probe(`POST /v1/briefs, ${name} in the title`, manager.request('POST', '/v1/briefs', `{"title":"${text}","description":"d","partyId":"${agencyId}"}`));
      const brief = await manager.post('/v1/briefs', { title: `Comment with ${name}`, description: 'd', partyId: agencyId });
      expect(brief.status).toBe(201);
      await probe(`POST /v1/briefs/:id/comments, ${name} in the body`, manager.request('POST', `/v1/briefs/${brief.body.id}/comments`, `{"body":"${text}"}`));
      await probe(`POST /v1/briefs/:id/comments, a plain comment after the one with ${name}`, manager.post(`/v1/briefs/${brief.body.id}/comments`, { body: 'fine' }), 200);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
