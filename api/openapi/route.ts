// Every route is declared once, with the zod schemas that validate it; the same declaration
// mounts it on the router, enforces its roles, parses its input and describes it in the OpenAPI
// document.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../../workflows/domain/vocabulary';
import { callerOf, type Caller } from '../auth';
import { ApiError, forbidden, validationError, type FieldError } from '../errors';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  headers?: z.ZodObject;
}

export interface RouteDoc {
  method: Method;
  /** Express path, e.g. /v1/briefs/:id */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Roles allowed; 'public' routes need no key. */
  roles: readonly Role[] | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  headers?: z.ZodObject;
  responses: Record<number, ResponseDoc>;
  /** Error statuses the route can answer besides the ones every route shares. */
  errors?: number[];
  /** The content type of its error answers when they are not problem+json (the HTML pages of action links). */
  errorContentType?: string;
  /** POSTs that create or act accept an Idempotency-Key. */
  idempotent?: boolean;
}

/** What a declared schema parses to; `undefined` where the route declares none. */
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A route that needs an API key: its declaration is what is enforced. */
export interface KeyedRoute<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined, R>
  extends Omit<RouteDoc, 'roles' | 'params' | 'query' | 'body'> {
  roles: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The object the path names, looked up before the role check: a caller who may not see it gets
   * 404 whatever their role, so no one learns from a 403 that another party's object exists.
   * It throws the 404 (or its own 403); what it returns reaches the handler as `resource`.
   */
  resource?: (params: Parsed<P>, caller: Caller) => Promise<R>;
  /** How the body's problems are named, where the route names them more precisely than by path. */
  bodyProblems?: (error: z.ZodError) => FieldError[];
  /** Outside /v1, where no guard has found the caller yet: the middleware that authenticates, run first. */
  authenticate?: RequestHandler;
}

/** What a keyed route's handler receives: its caller and its input, parsed by the declared schemas. */
export interface RouteInput<P, Q, B, R> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  caller: Caller;
  resource: R;
}

export type RouteHandler<P, Q, B, R> = (input: RouteInput<P, Q, B, R>, req: Request, res: Response) => Promise<void> | void;

/** A route without a key (pages, health, the document): described here, its handler answers everything itself. */
export type PublicRoute = RouteDoc & { roles: 'public' };

function parsed<S extends z.ZodType | undefined>(schema: S | undefined, data: unknown, where: 'body' | 'query' | 'params', problems?: (error: z.ZodError) => FieldError[]): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data as Parsed<S>;
  if (!problems) throw validationError(result.error, where);
  const errors = problems(result.error);
  throw new ApiError('validation', `invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

function requireRoles(caller: Caller, roles: readonly Role[]): void {
  if (!roles.includes(caller.role)) throw forbidden(`this needs one of the roles: ${roles.join(', ')}`);
}

export class RouteCatalog {
  readonly routes: RouteDoc[] = [];

  private register(doc: RouteDoc): void {
    if (this.routes.some((r) => r.operationId === doc.operationId)) throw new Error(`operationId ${doc.operationId} is used twice`);
    this.routes.push(doc);
  }

  /**
   * Mounts a route that needs an API key. In order: no caller is 401; without a `resource`, a
   * role not declared is 403, then params, query and body are parsed (400 naming each bad
   * field); with one, params and query are parsed, the resource is looked up (404), then the
   * role is checked and the body parsed.
   */
  route<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined, R = undefined>(
    router: Router,
    declaration: KeyedRoute<P, Q, B, R>,
    handler: RouteHandler<P, Q, B, R>,
  ): void {
    const { resource: find, bodyProblems, authenticate, ...doc } = declaration;
    this.register(doc);
    router[doc.method](doc.path, ...(authenticate ? [authenticate] : []), async (req: Request, res: Response) => {
      const caller = callerOf(res);
      if (!find) requireRoles(caller, doc.roles);
      const params = parsed(doc.params, req.params, 'params');
      const query = parsed(doc.query, req.query, 'query');
      const resource = find ? await find(params, caller) : (undefined as R);
      if (find) requireRoles(caller, doc.roles);
      const body = parsed(doc.body, req.body, 'body', bodyProblems);
      await handler({ params, query, body, caller, resource }, req, res);
    });
  }

  /** Mounts a documented route that needs no key: its handler answers everything itself (pages answer in HTML). */
  mount(router: Router, doc: PublicRoute, handler: RequestHandler): void {
    this.register(doc);
    router[doc.method](doc.path, handler);
  }
}

/** /v1/briefs/:id -> /v1/briefs/{id} */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}
