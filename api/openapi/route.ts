// Every route is declared once, with the zod schemas that validate it; the same declaration
// mounts it on the router and describes it in the OpenAPI document.
import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../../workflows/domain/brief';

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

export class RouteCatalog {
  readonly routes: RouteDoc[] = [];

  /** Mounts a documented route on a router. */
  mount(router: Router, doc: RouteDoc, handler: RequestHandler): void {
    if (this.routes.some((r) => r.operationId === doc.operationId)) throw new Error(`operationId ${doc.operationId} is used twice`);
    this.routes.push(doc);
    router[doc.method](doc.path, handler);
  }
}

/** /v1/briefs/:id -> /v1/briefs/{id} */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}
