// Shared set-up for the API tests: the directory helper, and problem+json checks.
import type { ApiResponse } from '../support/http';

export { directory, type DirectoryHelper, type Member } from '../support/directory';

export const PROBLEM_BASE = 'https://handoff.dev/problems/';

/** Asserts a problem+json answer of the given type and status, and nothing leaking. */
export function expectProblem(res: ApiResponse, status: number, type: string, instance?: string): void {
  expect({ status: res.status, type: res.body?.type }).toEqual({ status, type: `${PROBLEM_BASE}${type}` });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: `${PROBLEM_BASE}${type}`,
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: instance ?? expect.any(String),
    }),
  );
  expect(res.body.title.length).toBeGreaterThan(0);
  expect(res.body.detail.length).toBeGreaterThan(0);
  const allowed = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);
  expect(Object.keys(res.body).filter((k) => !allowed.has(k))).toEqual([]);
  expectNoLeak(JSON.stringify(res.body));
}

/** No HTML and nothing that looks like a stack trace or a source location. */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/<html|<!doctype|<pre>|<body/i);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|at .*:\d+:\d+|\.(ts|js):\d+|node_modules|Error: /);
}
