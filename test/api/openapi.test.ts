// The OpenAPI 3.1 document at /openapi.json against the running API: valid per
// @readme/openapi-parser, complete (every route Express serves is in it, found both through the
// route catalog and by walking Express's own router stack), consistently documented, and the
// Swagger UI reference at /docs with its files.
import { compileErrors, validate } from '@readme/openapi-parser';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Router } from 'express';
import type { OpenAPIV3_1 } from 'openapi-types';
import { createApp } from '../../api/app';
import { ADMIN_KEY, startTestHandoff, type TestHandoff } from '../support/handoff';
import { apiClient } from '../support/http';
import { devServerEnv } from '../support/temporal';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Doc = OpenAPIV3_1.Document;
type Operation = OpenAPIV3_1.OperationObject;

/** "METHOD /path/{param}" for every operation of the document. */
function documentedOperations(doc: Doc): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (operation) operations.set(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return operations;
}

interface Walked {
  /** "METHOD /express/:path" for every route layer. */
  routes: string[];
  /** Middleware mounted at a path other than "/" that is neither a route nor a router. */
  mounts: { path: string; name: string }[];
}

/**
 * Walks Express 5's router stack (router 2.x layers: `rawPath`, `route`, nested routers'
 * `handle.stack`) independently of the route catalog, so a route mounted without the catalog
 * shows up too.
 */
function walkRouterStack(stack: any[], prefix = '', out: Walked = { routes: [], mounts: [] }): Walked {
  for (const layer of stack) {
    const raw: unknown = layer.rawPath;
    if (typeof raw !== 'string') throw new Error(`a layer (${layer.name}) is mounted at a non-string path: ${String(raw)}`);
    const path = raw === '/' ? prefix : `${prefix}${raw}`;
    if (layer.route) {
      const route = layer.route as { path: string; methods: Record<string, boolean> };
      for (const [method, on] of Object.entries(route.methods)) {
        if (on && method !== '_all') out.routes.push(`${method.toUpperCase()} ${prefix}${route.path}`);
      }
      if (route.methods._all) out.routes.push(`ALL ${prefix}${route.path}`);
    } else if (Array.isArray(layer.handle?.stack)) {
      walkRouterStack(layer.handle.stack, path, out);
    } else if (raw !== '/') {
      out.mounts.push({ path, name: layer.name as string });
    }
  }
  return out;
}

const toOpenApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');
const sorted = (values: Iterable<string>) => [...values].sort();

describe('the OpenAPI document and the API reference', () => {
  let env: TestWorkflowEnvironment;
  let handoff: TestHandoff;
  let doc: Doc;

  beforeAll(async () => {
    env = await devServerEnv();
    handoff = await startTestHandoff(env, { database: 'pglite' });
    const res = await apiClient(handoff.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body as Doc;
  }, 60_000);

  afterAll(async () => {
    await handoff?.cleanup();
    await env?.teardown();
  });

  test('GET /openapi.json is a valid OpenAPI 3.1 document per @readme/openapi-parser', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as any);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
    expect(doc.info.title).toBeTruthy();
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('every route of the route catalog is documented, and nothing else', () => {
    const app = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: handoff.logger });
    const catalogued = app.catalog.routes.map((r) => `${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`);
    expect(sorted(catalogued)).toEqual(sorted(documentedOperations(doc).keys()));
  });

  test("every route in Express's router stack is documented, and every documented operation is routed", () => {
    const app = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: handoff.logger });
    const walked = walkRouterStack((app as any).router.stack);
    const served = walked.routes
      // Exempt: /docs/init.js is the script of the /docs page (itself documented), not an API operation.
      .filter((route) => route !== 'GET /docs/init.js')
      .map(toOpenApiPath);
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => r.startsWith('ALL '))).toEqual([]);
    expect(sorted(served)).toEqual(sorted(documentedOperations(doc).keys()));
    expect(new Set(served).size).toBe(served.length);

    // Middleware mounted under a path: the /v1 chain (authentication, rate limit, idempotency)
    // answers only with problems or passes on; /docs/assets serves Swagger UI's static files
    // (exempt from the document, checked below). Anything else mounted at a path would serve
    // undocumented content.
    const mounts = walked.mounts.map((m) => m.path);
    expect(mounts.filter((p) => p !== '/v1')).toEqual(['/docs/assets']);
    expect(mounts.filter((p) => p === '/v1')).toHaveLength(3);

    // The walk itself finds a route mounted behind the catalog's back, at any depth.
    const extra = createApp({ db: handoff.db, temporal: handoff.temporal.client, config: handoff.config, logger: handoff.logger });
    extra.use('/extra', Router().use('/deeper', Router().post('/thing/:id', (_req, res) => res.end())));
    extra.get('/sneaky', (_req, res) => res.end());
    const extraRoutes = walkRouterStack((extra as any).router.stack).routes;
    expect(extraRoutes).toEqual(expect.arrayContaining(['POST /extra/deeper/thing/:id', 'GET /sneaky']));
  });

  test('every documented operation is answered by a route of the running server, not the not-found handler', async () => {
    const admin = apiClient(handoff.url, ADMIN_KEY);
    for (const key of documentedOperations(doc).keys()) {
      const [method, template] = key.split(' ');
      const path = template.replace(/\{\w+\}/g, 'does-not-exist');
      const res = await admin.request(method, path, method === 'POST' ? {} : undefined);
      const noRoute = typeof res.body === 'object' && typeof res.body?.detail === 'string' && res.body.detail.startsWith('no route for');
      expect({ key, noRoute, status: res.status }).toEqual({ key, noRoute: false, status: expect.any(Number) });
      expect(res.status).toBeLessThan(500);
    }
  });

  test('every operation has an id, a summary, a 2xx answer with a schema, and problem+json for 4xx/5xx', () => {
    const operations = documentedOperations(doc);
    const operationIds = new Set<string>();
    for (const [key, operation] of operations) {
      expect({ key, summary: typeof operation.summary === 'string' && operation.summary.trim().length > 0 }).toEqual({ key, summary: true });
      expect(operation.operationId).toBeTruthy();
      operationIds.add(operation.operationId as string);

      const responses = Object.entries(operation.responses ?? {}) as [string, OpenAPIV3_1.ResponseObject][];
      const successes = responses.filter(([status]) => /^2\d\d$/.test(status));
      const withSchema = successes.filter(([, r]) => Object.values(r.content ?? {}).some((media) => media.schema !== undefined));
      // 204 No Content has no body to describe (DELETE /v1/session).
      const noContent = successes.length > 0 && successes.every(([status]) => status === '204');
      expect({ key, successWithSchema: withSchema.length > 0 || noContent }).toEqual({ key, successWithSchema: true });

      for (const [status, response] of responses) {
        if (!/^[45]\d\d$/.test(status)) continue;
        // /healthz documents its 503 as its own Health body: it is the health answer, not an error.
        if (key === 'GET /healthz' && status === '503') continue;
        // The pages behind email links are for people in a browser: their errors are HTML pages too.
        if (key.endsWith(' /actions/{token}') || key === 'GET /view/{token}') {
          expect({ key, status, types: Object.keys(response.content ?? {}) }).toEqual({ key, status, types: ['text/html'] });
          continue;
        }
        expect({ key, status, types: Object.keys(response.content ?? {}) }).toEqual({ key, status, types: ['application/problem+json'] });
        expect(response.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }

      const statuses = responses.map(([s]) => s);
      expect({ key, has500: statuses.includes('500') }).toEqual({ key, has500: true });
      const authenticated = !(Array.isArray(operation.security) && operation.security.length === 0);
      if (authenticated) {
        expect({ key, statuses: ['401', '403', '429'].filter((s) => statuses.includes(s)) }).toEqual({ key, statuses: ['401', '403', '429'] });
      }
      if (operation.requestBody) {
        expect({ key, statuses: ['400', '413'].filter((s) => statuses.includes(s)) }).toEqual({ key, statuses: ['400', '413'] });
      }
      if (key.startsWith('POST /v1/') && authenticated) {
        // Every /v1 POST with a caller goes through the Idempotency-Key middleware (the sign-in
        // routes have no caller yet, and the middleware keeps answers per caller).
        const headers = (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[];
        expect({ key, idempotencyKey: headers.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key') }).toEqual({ key, idempotencyKey: true });
        expect({ key, has422: statuses.includes('422') }).toEqual({ key, has422: true });
      }
    }
    expect(operationIds.size).toBe(operations.size);
  });

  test('the Problem schema describes the problem+json shape', () => {
    const problem = doc.components?.schemas?.Problem as OpenAPIV3_1.SchemaObject;
    expect(problem).toBeDefined();
    expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'errors']));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance']));
  });

  test('the CreateBrief schema carries examples', () => {
    const createBrief = doc.components?.schemas?.CreateBrief as OpenAPIV3_1.SchemaObject;
    expect(createBrief).toBeDefined();
    expect(doc.paths?.['/v1/briefs']?.post?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateBrief' } } },
    });
    const properties = createBrief.properties as Record<string, OpenAPIV3_1.SchemaObject>;
    const withExamples = Object.entries(properties).filter(([, p]) => p.example !== undefined || (Array.isArray(p.examples) && p.examples.length > 0));
    expect(withExamples.map(([name]) => name)).toEqual(expect.arrayContaining(['title', 'description', 'partyId', 'deliverables']));
    expect(properties.title.example ?? properties.title.examples?.[0]).toEqual(expect.any(String));
  });

  test('every request body schema carries an example, on itself or on one of its properties', () => {
    const resolve = (schema: any): any => (schema?.$ref ? doc.components?.schemas?.[schema.$ref.split('/').pop()] : schema);
    const hasExample = (schema: any, depth = 0): boolean => {
      const s = resolve(schema);
      if (!s || depth > 4) return false;
      if (s.example !== undefined || (Array.isArray(s.examples) && s.examples.length > 0)) return true;
      return Object.values((s.properties ?? {}) as Record<string, unknown>).some((p) => hasExample(p, depth + 1));
    };
    const missing: string[] = [];
    for (const [key, operation] of documentedOperations(doc)) {
      const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
      if (!body) continue;
      const media = body.content['application/json'];
      if (!(media?.example !== undefined || Object.keys(media?.examples ?? {}).length > 0 || hasExample(media?.schema))) {
        missing.push(`${key} (${String((media?.schema as any)?.$ref ?? 'inline')})`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('GET /docs is an HTML page that loads the Swagger UI bundle, which is served', async () => {
    const anonymous = apiClient(handoff.url);
    const page = await anonymous.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = page.body as string;
    expect(html).toMatch(/<!doctype html>/i);

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    const sources = scripts.map((m) => /\bsrc="([^"]+)"/.exec(m[1])?.[1]);
    expect(sources).toContain('/docs/assets/swagger-ui-bundle.js');
    // helmet's Content-Security-Policy allows only same-origin scripts: no inline script, no CDN.
    expect(sources.every((src) => typeof src === 'string' && src.startsWith('/'))).toBe(true);
    expect(scripts.every((m) => m[2].trim() === '')).toBe(true);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);

    for (const src of sources as string[]) {
      const script = await fetch(`${handoff.url}${src}`);
      expect({ src, status: script.status }).toEqual({ src, status: 200 });
      expect(script.headers.get('content-type')).toMatch(/^(application|text)\/javascript/);
      expect((await script.text()).length).toBeGreaterThan(0);
    }
    const bundle = await (await fetch(`${handoff.url}/docs/assets/swagger-ui-bundle.js`)).text();
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).toContain('SwaggerUIBundle');
    const init = await (await fetch(`${handoff.url}/docs/init.js`)).text();
    expect(init).toContain('/openapi.json');

    for (const href of [...html.matchAll(/<link\b[^>]*href="([^"]+)"/gi)].map((m) => m[1])) {
      const css = await fetch(`${handoff.url}${href}`);
      expect({ href, status: css.status }).toEqual({ href, status: 200 });
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect((await css.text()).length).toBeGreaterThan(0);
    }
  });
});
