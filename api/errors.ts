// Errors leave the API as RFC 9457 problem+json documents, through one middleware, with a
// closed set of types.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ZodError } from 'zod';
import { withoutLinkTokens, type Logger } from '../lib/logger';

export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'Invalid request' },
  'malformed-body': { status: 400, title: 'Malformed request body' },
  unauthenticated: { status: 401, title: 'Missing or unknown API key' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  csrf: { status: 403, title: 'Cross-site request refused' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Not possible in the current state' },
  gone: { status: 410, title: 'The link was used or has expired' },
  'precondition-failed': { status: 412, title: 'The resource has changed' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'idempotency-mismatch': { status: 422, title: 'Idempotency-Key reused for a different request' },
  'precondition-required': { status: 428, title: 'If-Match is required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'A dependency is unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  /** Sent as Retry-After (seconds) with the problem. */
  retryAfterSeconds?: number;
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'ApiError';
  }
  get status(): number {
    return PROBLEM_TYPES[this.type].status;
  }
}

export const notFound = (what = 'resource') => new ApiError('not-found', `${what} not found`);
export const forbidden = (detail: string) => new ApiError('forbidden', detail);
export const conflict = (detail: string) => new ApiError('conflict', detail);
export const unavailable = (detail: string) => new ApiError('unavailable', detail);
export const rateLimited = (detail: string, retryAfterSeconds: number) => Object.assign(new ApiError('rate-limited', detail), { retryAfterSeconds });

export function validationError(error: ZodError, where: 'body' | 'query' | 'params'): ApiError {
  const errors = error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message }));
  return new ApiError('validation', `invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

export function fieldError(path: string, message: string): ApiError {
  return new ApiError('validation', `invalid ${path}`, [{ path, message }]);
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'P1001', 'P1002', 'P1017', 'P2024']);

/** Whether an error means the database or Temporal cannot be reached right now. */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { name?: string; code?: unknown; message?: string; cause?: unknown; errors?: unknown[] };
  if (e.name === 'PrismaClientInitializationError') return true;
  // The workflow did not answer an update within the API's deadline.
  if (e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4) from the Temporal client.
  if ((e.name === 'ServiceError' || e.name === 'ConnectionError') && (e.code === 14 || e.code === 4 || e.code === undefined)) return true;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /ECONNREFUSED|Connection terminated|connect ETIMEDOUT|Can't reach database|Failed to connect|Connection refused|timeout exceeded when trying to connect/i.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

export function sendProblem(res: Parameters<ErrorRequestHandler>[2], instance: string, type: ProblemType, detail: string, errors?: FieldError[]) {
  const { status, title } = PROBLEM_TYPES[type];
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: `https://handoff.dev/problems/${type}`, title, status, detail, instance, ...(errors ? { errors } : {}) });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, withoutLinkTokens(req.originalUrl), 'not-found', `no route for ${req.method} ${withoutLinkTokens(req.path)}`);
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    // A link token is a credential: problems (which may be logged or kept) name the route, not the token.
    const instance = withoutLinkTokens(req.originalUrl);
    if (err instanceof ApiError) {
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
      return sendProblem(res, instance, err.type, err.detail, err.errors);
    }
    const bodyError = err as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') return sendProblem(res, instance, 'payload-too-large', 'the request body is larger than allowed');
    if (bodyError.type === 'entity.parse.failed' || bodyError.type === 'encoding.unsupported' || bodyError.type === 'charset.unsupported') {
      return sendProblem(res, instance, 'malformed-body', 'the request body is not valid JSON');
    }
    // Errors from Express and its middleware that carry their own client-error status.
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (status === 404) return sendProblem(res, instance, 'not-found', 'not found');
      if (status === 413) return sendProblem(res, instance, 'payload-too-large', 'the request body is larger than allowed');
      // body-parser's own errors carry a type; a body that does not inflate fails in zlib (Z_*).
      if (bodyError.type || /^Z_/.test(String((err as { code?: unknown }).code ?? ''))) {
        return sendProblem(res, instance, 'malformed-body', 'the request body could not be read');
      }
      return sendProblem(res, instance, 'validation', 'the request could not be understood (check the URL encoding)');
    }
    if (isUnavailable(err)) {
      logger.warn({ err: describe(err), path: withoutLinkTokens(req.path) }, 'dependency unavailable');
      return sendProblem(res, instance, 'unavailable', 'the database or the workflow engine cannot be reached; try again shortly');
    }
    logger.error({ err: describe(err), path: withoutLinkTokens(req.path) }, 'unhandled error');
    return sendProblem(res, instance, 'internal', 'an unexpected error occurred');
  };
}

function describe(err: unknown): { name?: string; message?: string; stack?: string } {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) };
}
