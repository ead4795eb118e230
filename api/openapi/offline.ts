// The OpenAPI document without a running server: the routers are only declared (nothing touches
// the database or Temporal until a request comes), so the route catalog is complete. The web
// app's typed client is generated from it (web/api-types.ts).
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createApp } from '../app';
import type { ApiDeps } from '../context';
import { buildOpenApiDocument } from './document';

export function offlineOpenApiDocument(): ReturnType<typeof buildOpenApiDocument> {
  const unused = new Proxy({}, { get: () => { throw new Error('the offline OpenAPI document serves no requests'); } });
  const deps: ApiDeps = { db: { prisma: unused } as ApiDeps['db'], temporal: unused as ApiDeps['temporal'], config: loadConfig({}), logger: createLogger('silent') };
  return buildOpenApiDocument(createApp(deps).catalog);
}
