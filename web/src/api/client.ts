// The API client of the web app: openapi-fetch typed by the generated schema (./schema.ts), on the
// same origin with the session cookie. Every state-changing request carries the session's CSRF
// token and an Idempotency-Key, so a double click or a retry never applies an action twice.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Brief = Schemas['Brief'];
export type BriefSummary = Schemas['BriefSummary'];

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const session: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) {
      if (csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
      if (!request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', crypto.randomUUID());
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

/** A problem+json answer of the API. */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  type?: string;
  errors?: { path: string; message: string }[];
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** The data of an openapi-fetch answer, or an ApiProblem thrown for an error answer. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem = (error && typeof error === 'object' ? error : {}) as Partial<Problem>;
    throw new ApiProblem({ ...problem, status: response.status });
  }
  return data as T;
}
