// Records the histories that test/replay/program.test.ts replays against the current program
// workflow:
//
//   HISTORY_SET=v2-held-notice npm run record:programs
//
// Sets: v1-initial (before the notice to the owner of a held program), v2-held-notice (each
// declined brief planned into a notice and delivered, the second delivery given up on).
//
// It starts a Temporal dev server (in memory), runs each scenario against programWorkflow, its
// briefs as child brief workflows, with stub activities, and writes the program's history to
// test/replay/program/<set>/<scenario>.json. The rules of record.ts hold here too: record only to
// ADD histories, never to make a failing replay pass.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { actionUpdates } from '../../workflows/brief/definitions';
import { briefWorkflowId } from '../../workflows/domain/ids';
import type { Actor } from '../../workflows/domain/vocabulary';
import {
  addProgramBriefUpdate,
  dropProgramBriefUpdate,
  programQuery,
  replaceProgramBriefUpdate,
  type ProgramHeldNoticeInput,
  type ProgramSnapshot,
  type ProgramSpec,
} from '../../workflows/program/definitions';
import type { programWorkflow } from '../../workflows/program/workflow';
import { briefInput } from '../support/briefs';
import { PROGRAM_SCENARIOS, replayProgramId, replayProgramWorkflowId, type ProgramScenario } from './program-scenarios';
import { historySetFolder, recordHistories, runRecording } from './run-histories';

const TASK_QUEUE = 'replay-recording-programs';
const manager: Actor = { memberId: 'm-manager', role: 'manager', partyId: 'party-shop' };
const agency: Actor = { memberId: 'm-agency', role: 'member', partyId: 'party-agency' };

const spec = (key: string, dependsOn: string[] = []) => {
  const { id: _id, ...brief } = briefInput({ title: `Replay program: ${key}` });
  return { key, dependsOn, brief };
};

// The activities only answer: a history holds their results, not their effects.
let client: Client | undefined;
let noticesDelivered = 0;
const activities = {
  async recordEvents() {},
  async notify() {},
  async planNotifications() {
    return [];
  },
  // The second notice's delivery fails for good, so that a history holds the outbox's give-up too.
  async deliverNotification({ id }: { id: string }) {
    if (!id.startsWith('notice-')) return;
    noticesDelivered += 1;
    if (noticesDelivered === 2) throw ApplicationFailure.create({ type: 'PermanentDeliveryFailure', message: 'mailbox unavailable', nonRetryable: true });
  },
  async notificationFailed() {},
  async recordProgram() {},
  async cancelProgramBrief({ workflowId, reason }: { workflowId: string; reason: string }) {
    await client?.workflow.getHandle(workflowId).executeUpdate(actionUpdates.cancel, { args: [{ actor: manager, payload: { reason } }] });
  },
  async planProgramHeldNotice({ briefId }: ProgramHeldNoticeInput) {
    return [{ id: `notice-${briefId}`, notBefore: null }];
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function whenProgram(c: Client, workflowId: string, ready: (s: ProgramSnapshot) => boolean): Promise<ProgramSnapshot> {
  for (let i = 0; i < 600; i++) {
    const s = await c.workflow.getHandle(workflowId).query(programQuery);
    if (ready(s)) return s;
    await sleep(50);
  }
  throw new Error(`${workflowId} never reached the expected state`);
}

const stateOf = (s: ProgramSnapshot, key: string) => s.state.nodes.find((n) => n.key === key)?.state;
const briefOf = (s: ProgramSnapshot, key: string) => s.state.nodes.find((n) => n.key === key)?.briefId as string;

async function run(c: Client, briefId: string, outcome: 'approve' | 'decline'): Promise<void> {
  const handle = c.workflow.getHandle(briefWorkflowId(briefId));
  if (outcome === 'decline') {
    await handle.executeUpdate(actionUpdates.decline, { args: [{ actor: agency, payload: { reason: 'no capacity' } }] });
    return;
  }
  await handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: agency, payload: {} }] });
  await handle.executeUpdate(actionUpdates.deliver, { args: [{ actor: agency, payload: { summary: 'done', links: [] } }] });
  await handle.executeUpdate(actionUpdates.approve, { args: [{ actor: manager, payload: {} }] });
}

const scenarios: Record<ProgramScenario, (c: Client, workflowId: string) => Promise<void>> = {
  // a -> (b, c) -> d: a is declined and replaced; c is declined and dropped; a brief is added at run time.
  launch: async (c, workflowId) => {
    const handle = c.workflow.getHandle(workflowId);
    let s = await whenProgram(c, workflowId, (x) => stateOf(x, 'a') === 'running');
    await run(c, briefOf(s, 'a'), 'decline');
    await whenProgram(c, workflowId, (x) => stateOf(x, 'a') === 'failed');
    await handle.executeUpdate(replaceProgramBriefUpdate, { args: [{ actor: manager, key: 'a', brief: spec('a').brief }] });
    s = await whenProgram(c, workflowId, (x) => stateOf(x, 'a') === 'running');
    await handle.executeUpdate(addProgramBriefUpdate, { args: [{ actor: manager, brief: spec('e', ['a']) }] });
    await run(c, briefOf(s, 'a'), 'approve');
    s = await whenProgram(c, workflowId, (x) => stateOf(x, 'b') === 'running' && stateOf(x, 'c') === 'running' && stateOf(x, 'e') === 'running');
    await run(c, briefOf(s, 'b'), 'approve');
    await run(c, briefOf(s, 'c'), 'decline');
    await run(c, briefOf(s, 'e'), 'approve');
    await whenProgram(c, workflowId, (x) => stateOf(x, 'c') === 'failed');
    await handle.executeUpdate(dropProgramBriefUpdate, { args: [{ actor: manager, key: 'c' }] });
    s = await whenProgram(c, workflowId, (x) => stateOf(x, 'd') === 'running');
    await run(c, briefOf(s, 'd'), 'approve');
  },
};

runRecording(() =>
  recordHistories({
    folder: historySetFolder('program'),
    taskQueue: TASK_QUEUE,
    activities,
    scenarios: PROGRAM_SCENARIOS,
    record: async (c, scenario) => {
      client = c;
      const program: ProgramSpec = { id: replayProgramId(scenario), name: 'Replay launch', ownerId: manager.memberId, targetDate: null, template: null, briefs: [spec('a'), spec('b', ['a']), spec('c', ['a']), spec('d', ['b', 'c'])] };
      const handle = await c.workflow.start<typeof programWorkflow>('programWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: replayProgramWorkflowId(scenario),
        args: [{ program, briefTaskQueue: TASK_QUEUE }],
      });
      await scenarios[scenario](c, handle.workflowId);
      return handle;
    },
  }),
);
