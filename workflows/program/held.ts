// What a failed brief of a program holds: pure, for the workflow's notice to the owner and for
// tests.
import { topologicalOrder } from '../domain/program';
import type { ProgramSpec, ProgramState } from './definitions';

/**
 * The briefs `key` holds: the waiting ones that depend on it directly or through other waiting
 * ones, in the program's order. (A dependent that started or ended is no longer held by it.)
 */
export function heldBy(program: ProgramSpec, state: ProgramState, key: string): string[] {
  const nodes = program.briefs.map((b) => ({ key: b.key, dependsOn: b.dependsOn }));
  const waiting = new Set(state.nodes.filter((n) => n.state === 'waiting').map((n) => n.key));
  const held = new Set<string>();
  // Dependencies come first in this order, so one pass reaches every transitive dependent.
  for (const dependent of topologicalOrder(nodes)) {
    const node = nodes.find((n) => n.key === dependent);
    if (waiting.has(dependent) && node?.dependsOn.some((d) => d === key || held.has(d))) held.add(dependent);
  }
  return program.briefs.map((b) => b.key).filter((k) => held.has(k));
}
