// The program workflow on the time-skipping server, with its briefs' real workflows as children
// and stub activities: only roots start; a brief starts once all its dependencies are approved,
// with their last deliveries; parallel branches; a declined brief holds its dependents until it
// is replaced or dropped, and its owner is sent one notice naming what it holds (none for the
// briefs the program's own cancel ends); cancelling ends what runs and what waits; a brief added
// at run time.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { actionUpdates } from '../../workflows/brief/definitions';
import type { BriefView } from '../../workflows/domain/brief';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { ActionName, ActionPayloads } from '../../workflows/domain/transitions';
import type { Actor } from '../../workflows/domain/vocabulary';
import {
  addProgramBriefUpdate,
  cancelProgramUpdate,
  dropProgramBriefUpdate,
  programQuery,
  programWorkflowId,
  replaceProgramBriefUpdate,
  type ProgramHeldNoticeInput,
  type ProgramRecord,
  type ProgramSnapshot,
  type ProgramState,
  type ProgramSpec,
} from '../../workflows/program/definitions';
import type { programWorkflow } from '../../workflows/program/workflow';
import { actors, briefInput, recordingActivities, withTimeSkippingServer, workflowBundle } from './support';

let env: TestWorkflowEnvironment;
withTimeSkippingServer((server) => (env = server));

const spec = (key: string, dependsOn: string[] = []) => {
  const { id: _id, ...brief } = briefInput({ title: `Brief ${key}` });
  return { key, dependsOn, brief };
};

/** The owner's notices: each plan call, and each delivery of a planned row. */
interface Notices {
  planned: ProgramHeldNoticeInput[];
  delivered: string[];
}

async function withProgramWorker<T>(fn: (taskQueue: string, recorded: ProgramRecord[], notices: Notices) => Promise<T>): Promise<T> {
  const acts = recordingActivities();
  const recorded: ProgramRecord[] = [];
  const notices: Notices = { planned: [], delivered: [] };
  const taskQueue = `programs-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      recordEvents: acts.recordEvents,
      planNotifications: acts.planNotifications,
      async deliverNotification({ id }: { id: string }) {
        if (id.startsWith('notice-')) notices.delivered.push(id);
        else await acts.deliverNotification({ id });
      },
      notificationFailed: acts.notificationFailed,
      notify: acts.notify,
      async recordProgram(record: ProgramRecord) {
        recorded.push(structuredClone(record));
      },
      async cancelProgramBrief({ workflowId, reason }: { workflowId: string; actorId: string; reason: string }) {
        await env.client.workflow.getHandle(workflowId).executeUpdate(actionUpdates.cancel, { args: [{ actor: actors.manager, payload: { reason } }] });
      },
      async planProgramHeldNotice(input: ProgramHeldNoticeInput) {
        notices.planned.push(structuredClone(input));
        return [{ id: `notice-${input.briefId}`, notBefore: null }];
      },
    },
  });
  return worker.runUntil(() => fn(taskQueue, recorded, notices));
}

async function start(taskQueue: string, briefs: ReturnType<typeof spec>[]) {
  const program: ProgramSpec = { id: randomUUID(), name: 'Winter launch', ownerId: actors.manager.memberId, targetDate: null, template: null, briefs };
  return env.client.workflow.start<typeof programWorkflow>('programWorkflow', { taskQueue, workflowId: programWorkflowId(program.id), args: [{ program, briefTaskQueue: taskQueue }] });
}

type ProgramHandle = Awaited<ReturnType<typeof start>>;

/** Queries the program until `ready` holds (real time). */
async function when(handle: ProgramHandle, ready: (s: ProgramSnapshot) => boolean): Promise<ProgramSnapshot> {
  const until = Date.now() + 15_000;
  for (;;) {
    const s = await handle.query(programQuery);
    if (ready(s)) return s;
    if (Date.now() > until) throw new Error(`program never reached the expected state: ${JSON.stringify(s.state.nodes)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const stateOf = (s: ProgramSnapshot | { state: Pick<ProgramState, 'nodes'> }) => Object.fromEntries(s.state.nodes.map((n) => [n.key, n.state]));
const ended = async (handle: ProgramHandle) => ({ state: await handle.result() });
const briefOf = (s: ProgramSnapshot, key: string) => s.state.nodes.find((n) => n.key === key)?.briefId as string;

function act<A extends ActionName>(briefId: string, action: A, actor: Actor, payload: ActionPayloads[A]): Promise<BriefView> {
  return env.client.workflow.getHandle(briefWorkflowId(briefId)).executeUpdate(actionUpdates[action], { args: [{ actor, payload }] }) as Promise<BriefView>;
}

/** The agency acknowledges and delivers; the manager approves (or the agency declines). */
async function runBrief(briefId: string, outcome: 'approve' | 'decline', summary = 'done'): Promise<void> {
  if (outcome === 'decline') {
    await act(briefId, 'decline', actors.agency, { reason: 'no capacity' });
    return;
  }
  await act(briefId, 'acknowledge', actors.agency, {});
  await act(briefId, 'deliver', actors.agency, { summary, links: [`https://files.example/${summary}`] });
  await act(briefId, 'approve', actors.manager, {});
}

test('only roots start; dependents start once all their dependencies are approved, seeing their deliveries; the program completes', async () => {
  await withProgramWorker(async (taskQueue, recorded) => {
    const handle = await start(taskQueue, [spec('d', ['b', 'c']), spec('b', ['a']), spec('c', ['a']), spec('a')]);
    let s = await when(handle, (x) => stateOf(x).a === 'running');
    expect(stateOf(s)).toEqual({ d: 'waiting', b: 'waiting', c: 'waiting', a: 'running' });
    await runBrief(briefOf(s, 'a'), 'approve', 'supplier-data');
    s = await when(handle, (x) => stateOf(x).b === 'running' && stateOf(x).c === 'running');
    expect(stateOf(s).d).toBe('waiting');
    await runBrief(briefOf(s, 'b'), 'approve', 'enriched');
    s = await when(handle, (x) => stateOf(x).b === 'approved');
    expect(stateOf(s).d).toBe('waiting');
    await runBrief(briefOf(s, 'c'), 'approve', 'imported');
    s = await when(handle, (x) => stateOf(x).d === 'running');
    const d = await env.client.workflow.getHandle(briefWorkflowId(briefOf(s, 'd'))).query<BriefView>('brief');
    expect(d.program).toMatchObject({ id: s.program.id, key: 'd', inputs: [{ key: 'b', delivery: { summary: 'enriched' } }, { key: 'c', delivery: { summary: 'imported' } }] });
    await runBrief(briefOf(s, 'd'), 'approve');
    const done = await ended(handle);
    expect(done.state.status).toBe('completed');
    expect(stateOf(done)).toEqual({ d: 'approved', b: 'approved', c: 'approved', a: 'approved' });
    // Every change was recorded, in order, the last record is the final state without the deliveries
    // passed on, and only the first record carried the program's spec.
    const { outputs: _outputs, ...final } = done.state;
    expect(recorded.at(-1)?.state).toEqual(final);
    expect(recorded.map((r) => r.state.seq)).toEqual([...recorded.map((r) => r.state.seq)].sort((x, y) => x - y));
    expect(recorded.map((r) => r.program !== undefined)).toEqual(recorded.map((_, i) => i === 0));
  });
});

test('a declined brief holds its dependents until replaced; a dropped one releases them; the owner is sent one notice per declined brief', async () => {
  await withProgramWorker(async (taskQueue, _recorded, notices) => {
    const handle = await start(taskQueue, [spec('a'), spec('b', ['a']), spec('c'), spec('d', ['b', 'c'])]);
    let s = await when(handle, (x) => stateOf(x).a === 'running' && stateOf(x).c === 'running');
    await runBrief(briefOf(s, 'a'), 'decline');
    await runBrief(briefOf(s, 'c'), 'decline');
    s = await when(handle, (x) => stateOf(x).a === 'failed' && stateOf(x).c === 'failed');
    expect(stateOf(s).b).toBe('waiting');
    const declined = briefOf(s, 'a');
    // The owner hears of each declined brief with what it holds: a holds b directly and d through b; c holds d.
    const notice = (key: string, held: string[]) => ({ workflowId: handle.workflowId, programId: s.program.id, ownerId: actors.manager.memberId, key, briefId: briefOf(s, key), outcome: 'declined', held });
    await when(handle, () => notices.delivered.length === 2);
    expect([...notices.planned].sort((x, y) => x.key.localeCompare(y.key))).toEqual([notice('a', ['b', 'd']), notice('c', ['d'])]);
    expect([...notices.delivered].sort()).toEqual([`notice-${briefOf(s, 'a')}`, `notice-${briefOf(s, 'c')}`].sort());
    const answer = await handle.executeUpdate(replaceProgramBriefUpdate, { args: [{ actor: actors.manager, key: 'a', brief: spec('a').brief }] });
    expect(answer.status).toBe('running');
    const replaced = await handle.query(programQuery);
    expect(replaced.state.nodes.find((n) => n.key === 'a')?.replaced).toEqual([declined]);
    s = await when(handle, (x) => stateOf(x).a === 'running');
    expect(briefOf(s, 'a')).not.toBe(declined);
    await runBrief(briefOf(s, 'a'), 'approve');
    s = await when(handle, (x) => stateOf(x).b === 'running');
    await runBrief(briefOf(s, 'b'), 'approve');
    s = await when(handle, (x) => stateOf(x).b === 'approved');
    // d still waits for c, which failed: dropping c releases it.
    expect(stateOf(s).d).toBe('waiting');
    await expect(handle.executeUpdate(dropProgramBriefUpdate, { args: [{ actor: actors.manager, key: 'b' }] })).rejects.toMatchObject({ cause: { type: 'IllegalTransition' } });
    await handle.executeUpdate(dropProgramBriefUpdate, { args: [{ actor: actors.manager, key: 'c' }] });
    s = await when(handle, (x) => stateOf(x).d === 'running');
    await runBrief(briefOf(s, 'd'), 'approve');
    expect((await handle.result()).status).toBe('completed');
    // Replacing, dropping and the replacement's approval ask nothing more of the owner.
    expect(notices.planned.map((n) => n.key).sort()).toEqual(['a', 'c']);
    expect(notices.delivered).toHaveLength(2);
  });
});

test('a brief cancelled by its manager holds the program and is noticed as cancelled', async () => {
  await withProgramWorker(async (taskQueue, _recorded, notices) => {
    const handle = await start(taskQueue, [spec('a'), spec('b', ['a'])]);
    let s = await when(handle, (x) => stateOf(x).a === 'running');
    await act(briefOf(s, 'a'), 'cancel', actors.manager, { reason: 'budget cut' });
    s = await when(handle, (x) => stateOf(x).a === 'failed');
    await when(handle, () => notices.delivered.length === 1);
    expect(notices.planned).toEqual([expect.objectContaining({ key: 'a', briefId: briefOf(s, 'a'), outcome: 'cancelled', held: ['b'] })]);
    await handle.executeUpdate(dropProgramBriefUpdate, { args: [{ actor: actors.manager, key: 'a' }] });
    s = await when(handle, (x) => stateOf(x).b === 'running');
    await runBrief(briefOf(s, 'b'), 'approve');
    expect((await handle.result()).status).toBe('completed');
    expect(notices.planned).toHaveLength(1);
  });
});

test('cancelling cancels the running briefs and those not started, keeping the approved ones, with no notice to the owner', async () => {
  await withProgramWorker(async (taskQueue, _recorded, notices) => {
    const handle = await start(taskQueue, [spec('a'), spec('b'), spec('c', ['a', 'b'])]);
    let s = await when(handle, (x) => stateOf(x).a === 'running' && stateOf(x).b === 'running');
    await runBrief(briefOf(s, 'a'), 'approve');
    s = await when(handle, (x) => stateOf(x).a === 'approved');
    await expect(handle.executeUpdate(cancelProgramUpdate, { args: [{ actor: actors.agency, reason: 'x' }] })).rejects.toMatchObject({ cause: { type: 'Forbidden' } });
    await handle.executeUpdate(cancelProgramUpdate, { args: [{ actor: actors.manager, reason: 'Launch moved to spring' }] });
    const done = await ended(handle);
    expect(done.state.status).toBe('cancelled');
    expect(stateOf(done)).toEqual({ a: 'approved', b: 'cancelled', c: 'cancelled' });
    const b = await env.client.workflow.getHandle(briefWorkflowId(briefOf(s, 'b'))).result();
    expect((b as BriefView).status).toBe('cancelled');
    // The program's own cancel ended b and c: the owner did it, nothing holds anything.
    expect(notices).toEqual({ planned: [], delivered: [] });
  });
});

test('a brief added at run time starts once its dependencies are approved; a cycle or unknown key is refused', async () => {
  await withProgramWorker(async (taskQueue) => {
    const handle = await start(taskQueue, [spec('a')]);
    await when(handle, (x) => stateOf(x).a === 'running');
    await expect(handle.executeUpdate(addProgramBriefUpdate, { args: [{ actor: actors.manager, brief: spec('x', ['nope']) }] })).rejects.toMatchObject({ cause: { type: 'InvalidInput' } });
    await expect(handle.executeUpdate(addProgramBriefUpdate, { args: [{ actor: actors.manager, brief: spec('a') }] })).rejects.toMatchObject({ cause: { type: 'InvalidInput' } });
    await handle.executeUpdate(addProgramBriefUpdate, { args: [{ actor: actors.manager, brief: spec('late', ['a']) }] });
    let s = await handle.query(programQuery);
    expect(stateOf(s)).toEqual({ a: 'running', late: 'waiting' });
    await runBrief(briefOf(s, 'a'), 'approve');
    s = await when(handle, (x) => stateOf(x).late === 'running');
    await runBrief(briefOf(s, 'late'), 'approve');
    expect((await handle.result()).status).toBe('completed');
  });
});

