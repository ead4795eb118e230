// One workflow per program: it starts each brief's workflow as a child once all its dependencies
// are approved (with their last deliveries passed on), follows each brief to its end, and takes
// the owner's changes (cancel, add, replace, drop) as updates checked before they enter history.
// The program is recorded into the read model after every change; the workflow ends when every
// brief is approved, dropped or cancelled. A brief of the running program declined or cancelled
// holds its dependents, and the owner is sent a notice of it (owner-notices.ts).
import { allHandlersFinished, ApplicationFailure, condition, ParentClosePolicy, proxyActivities, setHandler, startChild, uuid4 } from '@temporalio/workflow';
import type { ProgramActivities } from '../../activities/types';
import type { BriefView } from '../domain/brief';
import { briefWorkflowId } from '../domain/ids';
import { ActionRejected } from '../domain/steps';
import type { briefWorkflow } from '../brief/workflow';
import {
  addProgramBriefUpdate,
  cancelProgramUpdate,
  dropProgramBriefUpdate,
  programQuery,
  replaceProgramBriefUpdate,
  syncProgramUpdate,
  type ProgramAnswer,
  type ProgramSnapshot,
  type ProgramState,
  type ProgramWorkflowInput,
} from './definitions';
import { ownerNotices } from './owner-notices';
import { addBrief, cancelProgram, checkAddBrief, checkCancel, checkDrop, checkReplace, dropBrief, finished, initialProgramState, markEnded, markStarted, replaceBrief, startable } from './state';

const { recordProgram, cancelProgramBrief } = proxyActivities<ProgramActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Refusals of the program's rules leave the workflow as failures the API can read. */
function asFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ActionRejected) throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true });
    throw err;
  }
}

export async function programWorkflow(input: ProgramWorkflowInput): Promise<ProgramState> {
  const { program } = input;
  const state = input.state ?? initialProgramState(program, Date.now());
  const snapshot = (): ProgramSnapshot => ({ program, state });
  let recordedSeq = 0;
  // The spec goes to the read model with the first record of a run and after it changes.
  let specChanged = true;
  const ended: { key: string; briefId: string; view: BriefView | null }[] = [];
  let running = 0;
  const toCancel: { workflowId: string; actorId: string; reason: string }[] = [];
  const notices = ownerNotices(input, program, state);
  const answered = async (): Promise<ProgramAnswer> => {
    const seq = state.seq;
    await condition(() => recordedSeq >= seq);
    return { status: state.status, seq: state.seq };
  };

  setHandler(programQuery, snapshot);
  setHandler(syncProgramUpdate, answered);
  setHandler(
    cancelProgramUpdate,
    async ({ actor, reason }) => {
      const stillRunning = asFailure(() => cancelProgram(program, state, actor, Date.now()));
      for (const node of stillRunning) if (node.briefId) toCancel.push({ workflowId: briefWorkflowId(node.briefId), actorId: actor.memberId, reason });
      // The answer shows the running briefs cancelled (or approved, had one just finished).
      await condition(() => stillRunning.every((node) => node.state !== 'running'));
      return answered();
    },
    { validator: ({ actor }) => asFailure(() => checkCancel(program, state, actor)) },
  );
  setHandler(
    addProgramBriefUpdate,
    async ({ actor, brief }) => {
      asFailure(() => addBrief(program, state, actor, brief, Date.now()));
      specChanged = true;
      return answered();
    },
    { validator: ({ actor, brief }) => asFailure(() => checkAddBrief(program, state, actor, brief)) },
  );
  setHandler(
    replaceProgramBriefUpdate,
    async ({ actor, key, brief }) => {
      asFailure(() => replaceBrief(program, state, actor, key, brief, Date.now()));
      specChanged = true;
      return answered();
    },
    { validator: ({ actor, key }) => asFailure(() => checkReplace(program, state, actor, key)) },
  );
  setHandler(
    dropProgramBriefUpdate,
    async ({ actor, key }) => {
      asFailure(() => dropBrief(program, state, actor, key, Date.now()));
      return answered();
    },
    { validator: ({ actor, key }) => asFailure(() => checkDrop(program, state, actor, key)) },
  );

  for (;;) {
    // Start every brief whose dependencies are all approved, with what they delivered.
    for (const key of startable(program, state)) {
      const spec = program.briefs.find((b) => b.key === key);
      if (!spec) continue;
      const briefId = uuid4();
      const inputs = spec.dependsOn.map((dep) => state.outputs[dep]).filter((o) => o !== undefined);
      const child = await startChild<typeof briefWorkflow>('briefWorkflow', {
        workflowId: briefWorkflowId(briefId),
        ...(input.briefTaskQueue ? { taskQueue: input.briefTaskQueue } : {}),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ ...(input.briefOptions ?? {}), brief: { ...spec.brief, id: briefId, program: { id: program.id, name: program.name, key, inputs } } }],
      });
      markStarted(state, key, briefId, Date.now());
      running += 1;
      child.result().then(
        (view) => ended.push({ key, briefId, view }),
        () => ended.push({ key, briefId, view: null }),
      );
    }
    while (ended.length) {
      const { key, briefId, view } = ended.shift() as (typeof ended)[number];
      running -= 1;
      markEnded(state, key, briefId, view, Date.now());
      notices.noteEnded(key, briefId);
    }
    while (toCancel.length) {
      const next = toCancel.shift() as (typeof toCancel)[number];
      await cancelProgramBrief(next);
    }
    if (state.seq > recordedSeq) {
      const seq = state.seq;
      const { outputs: _outputs, ...recorded } = state;
      const withSpec = specChanged;
      specChanged = false;
      await recordProgram({ programId: program.id, ...(withSpec ? { program } : {}), state: recorded });
      recordedSeq = seq;
      continue;
    }
    // After the record: the notice reads the program as recorded.
    if (notices.pending) {
      await notices.send();
      continue;
    }
    if (state.status === 'running' && finished(state)) {
      state.status = 'completed';
      state.seq += 1;
      state.updatedAt = new Date().toISOString();
      continue;
    }
    const over = () => state.status !== 'running' && running === 0 && !notices.delivering && allHandlersFinished();
    if (over()) break;
    await condition(() => ended.length > 0 || toCancel.length > 0 || notices.pending || state.seq > recordedSeq || startable(program, state).length > 0 || over());
  }
  return state;
}
