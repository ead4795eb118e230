// Programs: named sets of briefs with dependencies (a directed acyclic graph). Pure: the graph's
// problems (duplicate keys, unknown references, cycles), which briefs may start, what holds the
// others, the critical path with the projected finish from what remains of each brief, and the
// instant a target date means.
import { zonedInstant } from './calendar';

/**
 * The most briefs a program holds, those added while it runs included: its workflow's history
 * then stays far below Temporal's limits (a brief adds about 13 events and its input) without
 * continuing as new.
 */
export const MAX_PROGRAM_BRIEFS = 200;

/** A brief of a program as the graph sees it. */
export interface ProgramNode {
  key: string;
  dependsOn: readonly string[];
}

/** Where a brief of a program stands. */
export type NodeState =
  /** Not started: waiting for its dependencies. */
  | 'waiting'
  /** Its workflow runs. */
  | 'running'
  | 'approved'
  /** Declined or cancelled: its dependents are held until the owner replaces or drops it. */
  | 'failed'
  /** Dropped by the owner: it no longer holds anything. */
  | 'dropped'
  /** The program was cancelled before it started. */
  | 'cancelled';

export interface GraphProblem {
  /** duplicate, unknown, cycle, self */
  kind: 'duplicate' | 'unknown' | 'cycle' | 'self';
  /** The offending keys: the duplicated key; the brief and the unknown key it names; the keys of a cycle in order. */
  keys: string[];
  message: string;
}

/** Every problem of a graph: duplicate keys, references to unknown keys, and each cycle once. */
export function graphProblems(nodes: readonly ProgramNode[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const keys = new Set<string>();
  for (const node of nodes) {
    if (keys.has(node.key)) problems.push({ kind: 'duplicate', keys: [node.key], message: `key "${node.key}" is used twice` });
    keys.add(node.key);
  }
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (dep === node.key) problems.push({ kind: 'self', keys: [node.key], message: `"${node.key}" depends on itself` });
      else if (!keys.has(dep)) problems.push({ kind: 'unknown', keys: [node.key, dep], message: `"${node.key}" depends on "${dep}", which is not in the program` });
    }
  }
  for (const cycle of cycles(nodes)) problems.push({ kind: 'cycle', keys: cycle, message: `a cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  return problems;
}

/** The cycles of the graph (each once, starting at its first key in the program's order); self-loops and unknown keys are left out. */
function cycles(nodes: readonly ProgramNode[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.key, n.dependsOn.filter((d) => d !== n.key && nodes.some((m) => m.key === d))]));
  const order = new Map(nodes.map((n, i) => [n.key, i]));
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (key: string) => {
    state.set(key, 'open');
    path.push(key);
    for (const dep of deps.get(key) ?? []) {
      if (state.get(dep) === 'open') {
        const cycle = path.slice(path.indexOf(dep));
        // The same cycle found from another key: rotate it to start at its earliest key.
        const start = cycle.reduce((best, k, i) => ((order.get(k) ?? 0) < (order.get(cycle[best]) ?? 0) ? i : best), 0);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const id = rotated.join('\u0000');
        if (!seen.has(id)) {
          seen.add(id);
          found.push(rotated);
        }
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    path.pop();
    state.set(key, 'done');
  };
  for (const node of nodes) if (!state.has(node.key)) visit(node.key);
  return found;
}

/** The keys in an order where every brief comes after its dependencies (the graph must be valid). */
export function topologicalOrder(nodes: readonly ProgramNode[]): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const visit = (key: string) => {
    if (done.has(key)) return;
    done.add(key);
    for (const dep of byKey.get(key)?.dependsOn ?? []) visit(dep);
    order.push(key);
  };
  for (const node of nodes) visit(node.key);
  return order;
}

/** A dependency no longer holds its dependents once approved or dropped. */
const releases = (state: NodeState | undefined) => state === 'approved' || state === 'dropped';

/** The waiting briefs whose dependencies are all approved (or dropped): they start now. */
export function readyToStart(nodes: readonly ProgramNode[], states: Readonly<Record<string, NodeState>>): string[] {
  return nodes.filter((n) => states[n.key] === 'waiting' && n.dependsOn.every((d) => releases(states[d]))).map((n) => n.key);
}

/** For each waiting brief, the dependencies that hold it: not yet approved (or failed, waiting for the owner). */
export function blockedBy(nodes: readonly ProgramNode[], states: Readonly<Record<string, NodeState>>): Record<string, string[]> {
  const blocked: Record<string, string[]> = {};
  for (const node of nodes) {
    if (states[node.key] !== 'waiting') continue;
    const holding = node.dependsOn.filter((d) => !releases(states[d]));
    if (holding.length) blocked[node.key] = holding;
  }
  return blocked;
}

/** Whether the program has nothing left to do: every brief approved, dropped or cancelled. */
export function programDone(nodes: readonly ProgramNode[], states: Readonly<Record<string, NodeState>>): boolean {
  return nodes.every((n) => ['approved', 'dropped', 'cancelled'].includes(states[n.key]));
}

export interface Projection {
  /** When each brief is projected to be approved (epoch ms). */
  finishAt: Record<string, number>;
  /** The chain of briefs that decides the program's finish, first to last. */
  criticalPath: string[];
  /** When the last brief is projected to be approved. */
  finishAtMs: number;
}

/**
 * Projects the program's finish from what remains: each brief starts when its last dependency is
 * projected to finish (or now), and takes its remaining business time on its own calendar
 * (`advance`: the instant `remainingMs` of business time after `start`). Approved and dropped
 * briefs are done now. The critical path ends at the brief that finishes last and follows, at
 * each step back, the dependency that finishes last (the earlier key in the program on a tie).
 */
export function project(
  nodes: readonly ProgramNode[],
  remainingMs: Readonly<Record<string, number>>,
  now: number,
  advance: (key: string, start: number, remainingMs: number) => number,
): Projection {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const finishAt: Record<string, number> = {};
  const via: Record<string, string | undefined> = {};
  for (const key of topologicalOrder(nodes)) {
    const deps = byKey.get(key)?.dependsOn ?? [];
    let start = now;
    let last: string | undefined;
    for (const dep of deps) {
      if (finishAt[dep] > start) {
        start = finishAt[dep];
        last = dep;
      }
    }
    const remaining = remainingMs[key] ?? 0;
    finishAt[key] = remaining > 0 ? advance(key, start, remaining) : start;
    via[key] = last;
  }
  let end: string | undefined;
  for (const node of nodes) if (end === undefined || finishAt[node.key] > finishAt[end]) end = node.key;
  const criticalPath: string[] = [];
  // Nothing remains (every brief done): no path holds the program up.
  if (end !== undefined && finishAt[end] > now) for (let key: string | undefined = end; key !== undefined; key = via[key]) criticalPath.unshift(key);
  return { finishAt, criticalPath, finishAtMs: end === undefined ? now : finishAt[end] };
}

/**
 * The instant a target date means: a date alone (2027-01-15) is the end of that day where the
 * owner lives (their time zone, else UTC), so "done by the 15th" holds all through the 15th there.
 */
export function targetInstant(value: string, timezone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(zonedInstant(timezone, value, '23:59:59') + 999).toISOString();
  return new Date(value).toISOString();
}
