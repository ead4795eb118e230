// A program's state and the changes people make to it: pure and synchronous, so that update
// validators can refuse a change before it enters history (a cycle, an unknown key, a brief in
// the wrong state).
import type { BriefView } from '../domain/brief';
import { graphProblems, MAX_PROGRAM_BRIEFS, readyToStart, type ProgramNode } from '../domain/program';
import { ActionRejected } from '../domain/steps';
import type { Actor } from '../domain/vocabulary';
import type { ProgramBriefSpec, ProgramNodeState, ProgramSpec, ProgramState } from './definitions';

export function initialProgramState(program: ProgramSpec, now: number): ProgramState {
  return {
    status: 'running',
    nodes: program.briefs.map((b) => ({ key: b.key, state: 'waiting', briefId: null, replaced: [], outcome: null })),
    outputs: {},
    seq: 1,
    updatedAt: new Date(now).toISOString(),
  };
}

const touch = (state: ProgramState, now: number) => {
  state.seq += 1;
  state.updatedAt = new Date(now).toISOString();
};

export const nodesOf = (program: ProgramSpec): ProgramNode[] => program.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn }));
export const statesOf = (state: ProgramState) => Object.fromEntries(state.nodes.map((n) => [n.key, n.state]));
const nodeOf = (state: ProgramState, key: string): ProgramNodeState => {
  const node = state.nodes.find((n) => n.key === key);
  if (!node) throw new ActionRejected('NotFound', `the program has no brief "${key}"`);
  return node;
};

/** The keys that start now. */
export const startable = (program: ProgramSpec, state: ProgramState): string[] => (state.status === 'running' ? readyToStart(nodesOf(program), statesOf(state)) : []);

/** A started brief's workflow id is recorded with its node. */
export function markStarted(state: ProgramState, key: string, briefId: string, now: number): void {
  Object.assign(nodeOf(state, key), { state: 'running', briefId });
  touch(state, now);
}

/** A brief ended: approved passes its last delivery on; declined or cancelled holds its dependents (or, when the program is cancelled, ends it). */
export function markEnded(state: ProgramState, key: string, briefId: string, view: Pick<BriefView, 'status' | 'title' | 'deliveries'> | null, now: number): void {
  const node = nodeOf(state, key);
  if (node.briefId !== briefId) return; // a replaced brief's late end
  const outcome = view?.status ?? 'cancelled';
  node.outcome = outcome;
  if (outcome === 'approved') {
    node.state = 'approved';
    const delivery = view?.deliveries.at(-1) ?? null;
    state.outputs[key] = { key, briefId, title: view?.title ?? key, delivery };
  } else {
    node.state = state.status === 'cancelled' ? 'cancelled' : 'failed';
  }
  touch(state, now);
}

const requireOwner = (program: ProgramSpec, actor: Actor) => {
  if (actor.role !== 'admin' && !(actor.role === 'manager')) throw new ActionRejected('Forbidden', `role ${actor.role} may not change a program`);
  void program;
};
const requireRunning = (state: ProgramState) => {
  if (state.status !== 'running') throw new ActionRejected('IllegalTransition', `the program is ${state.status}`);
};

export function checkCancel(program: ProgramSpec, state: ProgramState, actor: Actor): void {
  requireOwner(program, actor);
  requireRunning(state);
}

/** Cancels the program: briefs not started are cancelled; answers the running briefs to cancel. */
export function cancelProgram(program: ProgramSpec, state: ProgramState, actor: Actor, now: number): ProgramNodeState[] {
  checkCancel(program, state, actor);
  state.status = 'cancelled';
  for (const node of state.nodes) if (node.state === 'waiting' || node.state === 'failed') node.state = 'cancelled';
  touch(state, now);
  return state.nodes.filter((n) => n.state === 'running');
}

export function checkAddBrief(program: ProgramSpec, state: ProgramState, actor: Actor, spec: ProgramBriefSpec): void {
  requireOwner(program, actor);
  requireRunning(state);
  if (program.briefs.length >= MAX_PROGRAM_BRIEFS) throw new ActionRejected('InvalidInput', `a program holds at most ${MAX_PROGRAM_BRIEFS} briefs`);
  const problems = graphProblems([...nodesOf(program), { key: spec.key, dependsOn: spec.dependsOn }]);
  if (problems.length) throw new ActionRejected('InvalidInput', problems.map((p) => p.message).join('; '));
}

export function addBrief(program: ProgramSpec, state: ProgramState, actor: Actor, spec: ProgramBriefSpec, now: number): void {
  checkAddBrief(program, state, actor, spec);
  program.briefs.push(spec);
  state.nodes.push({ key: spec.key, state: 'waiting', briefId: null, replaced: [], outcome: null });
  touch(state, now);
}

export function checkReplace(program: ProgramSpec, state: ProgramState, actor: Actor, key: string): void {
  requireOwner(program, actor);
  requireRunning(state);
  const node = nodeOf(state, key);
  if (node.state !== 'failed') throw new ActionRejected('IllegalTransition', `brief "${key}" is ${node.state}: only a declined or cancelled brief is replaced`);
}

/** A new brief takes the failed one's place: it starts at once (its dependencies were approved). */
export function replaceBrief(program: ProgramSpec, state: ProgramState, actor: Actor, key: string, brief: ProgramBriefSpec['brief'], now: number): void {
  checkReplace(program, state, actor, key);
  const node = nodeOf(state, key);
  if (node.briefId) node.replaced.push(node.briefId);
  Object.assign(node, { state: 'waiting', briefId: null, outcome: null });
  const spec = program.briefs.find((b) => b.key === key) as ProgramBriefSpec;
  spec.brief = brief;
  touch(state, now);
}

export function checkDrop(program: ProgramSpec, state: ProgramState, actor: Actor, key: string): void {
  requireOwner(program, actor);
  requireRunning(state);
  const node = nodeOf(state, key);
  if (node.state !== 'failed' && node.state !== 'waiting') throw new ActionRejected('IllegalTransition', `brief "${key}" is ${node.state}: only a declined, cancelled or not yet started brief is dropped`);
}

/** Drops a brief: the briefs that waited on it alone start. */
export function dropBrief(program: ProgramSpec, state: ProgramState, actor: Actor, key: string, now: number): void {
  checkDrop(program, state, actor, key);
  nodeOf(state, key).state = 'dropped';
  touch(state, now);
}

/** The program ends when nothing is left to run: every brief approved, dropped or cancelled. */
export function finished(state: ProgramState): boolean {
  return state.nodes.every((n) => ['approved', 'dropped', 'cancelled'].includes(n.state));
}
