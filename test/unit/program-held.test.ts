// What a failed brief of a program holds (workflows/program/held.ts): its waiting dependents,
// direct and through other waiting ones, in the program's order; never a dependent that started.
import type { ProgramSpec, ProgramState } from '../../workflows/program/definitions';
import { heldBy } from '../../workflows/program/held';

const program = (briefs: [string, string[]][]): ProgramSpec =>
  ({ id: 'p', name: 'P', ownerId: 'm', targetDate: null, template: null, briefs: briefs.map(([key, dependsOn]) => ({ key, dependsOn, brief: {} })) }) as unknown as ProgramSpec;
const state = (states: Record<string, string>): ProgramState =>
  ({ status: 'running', nodes: Object.entries(states).map(([key, s]) => ({ key, state: s, briefId: null, replaced: [], outcome: null })), outputs: {}, seq: 1, updatedAt: '' }) as unknown as ProgramState;

test('a failed brief holds its waiting dependents, direct and transitive, in the program order', () => {
  // d is listed first: the order is the program's, not the graph's.
  const p = program([['d', ['b', 'c']], ['a', []], ['b', ['a']], ['c', []], ['e', ['c']]]);
  expect(heldBy(p, state({ d: 'waiting', a: 'failed', b: 'waiting', c: 'running', e: 'waiting' }), 'a')).toEqual(['d', 'b']);
  expect(heldBy(p, state({ d: 'waiting', a: 'approved', b: 'approved', c: 'failed', e: 'waiting' }), 'c')).toEqual(['d', 'e']);
});

test('a dependent that is not waiting is not held, nor are the briefs behind it', () => {
  const p = program([['a', []], ['b', ['a']], ['c', ['b']]]);
  expect(heldBy(p, state({ a: 'failed', b: 'dropped', c: 'waiting' }), 'a')).toEqual([]);
  expect(heldBy(p, state({ a: 'failed', b: 'waiting', c: 'waiting' }), 'c')).toEqual([]);
});
