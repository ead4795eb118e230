// Builds the OpenAPI 3.1 document from the route catalog: the zod schemas that validate
// requests are the schemas the document shows.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PROBLEM_TYPES } from '../errors';
import { openApiPath, type RouteCatalog, type RouteDoc } from './route';

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: 'https://handoff.dev/problems/validation' }),
    title: z.string().meta({ example: 'Invalid request' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'invalid body.title' }),
    instance: z.string().meta({ example: '/v1/briefs' }),
    errors: z
      .array(z.object({ path: z.string().meta({ example: 'body.title' }), message: z.string().meta({ example: 'Too small: expected string to have >=1 characters' }) }))
      .optional(),
  })
  .meta({ id: 'Problem', description: `RFC 9457 problem details. Types: ${Object.keys(PROBLEM_TYPES).join(', ')}.` });

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input: the `errors` list names each offending field',
  401: 'Missing, unknown, expired or revoked API key, or no (longer a) session',
  403: "The caller's role may not do this, or a request with the session cookie lacks its CSRF proofs (type csrf)",
  404: 'No such record, or one the caller may not see',
  409: 'Not possible in the current state',
  410: 'Gone: the link was used or has expired',
  412: 'If-Match does not match the current ETag',
  413: 'Request body too large',
  422: 'Idempotency-Key reused with a different request',
  428: 'If-Match is required',
  429: 'Rate limit exceeded; see Retry-After',
  500: 'Unexpected error',
  503: 'The database or Temporal cannot be reached',
};

const problemResponse = (status: number) => ({
  description: STATUS_TEXT[status] ?? 'Error',
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'Repeats of a request with the same key (per caller, kept 48 hours) return the first answer; a different request under the same key answers 422.', example: 'order-4711-brief' }),
});

function errorStatuses(doc: RouteDoc): number[] {
  const statuses = new Set<number>([500, 503, ...(doc.errors ?? [])]);
  if (doc.roles !== 'public') [401, 403, 429].forEach((s) => statuses.add(s));
  // An Idempotency-Key header that is no key (empty, too long) is a 400 too.
  if (doc.params || doc.query || doc.body || doc.idempotent) statuses.add(400);
  if (doc.body) statuses.add(413);
  if (doc.params) statuses.add(404);
  if (doc.idempotent) statuses.add(422);
  return [...statuses].sort();
}

function toRouteConfig(doc: RouteDoc): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: response.headers } : {}),
      ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
    };
  }
  for (const status of errorStatuses(doc)) {
    responses[String(status)] ??= doc.errorContentType
      ? { description: STATUS_TEXT[status] ?? 'Error', content: { [doc.errorContentType]: { schema: z.string() } } }
      : problemResponse(status);
  }
  const headers = doc.idempotent ? (doc.headers ? doc.headers.extend(IdempotencyKeyHeader.shape) : IdempotencyKeyHeader) : doc.headers;
  const roles = doc.roles === 'public' ? 'No authentication.' : `Roles: ${doc.roles.join(', ')}.`;
  return {
    method: doc.method,
    path: openApiPath(doc.path),
    operationId: doc.operationId,
    summary: doc.summary,
    description: [doc.description, roles].filter(Boolean).join('\n\n'),
    tags: [doc.tag],
    ...(doc.roles === 'public' ? { security: [] } : {}),
    request: {
      ...(doc.params ? { params: doc.params } : {}),
      ...(doc.query ? { query: doc.query } : {}),
      ...(headers ? { headers } : {}),
      ...(doc.body ? { body: { required: !doc.body.safeParse({}).success, content: { 'application/json': { schema: doc.body } } } } : {}),
    },
    responses,
  };
}

export function buildOpenApiDocument(catalog: RouteCatalog, serverUrl = '/'): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key created by an admin: `Authorization: Bearer hk_...`',
  });
  registry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: 'handoff_session',
    description:
      'The web app\'s session, set by POST /v1/session. POST, PUT, PATCH and DELETE with the cookie need an Origin (or Referer) of the app\'s own origin and the session\'s CSRF token in X-CSRF-Token (else 403 `csrf`).',
  });
  for (const doc of catalog.routes) registry.registerPath(toRouteConfig(doc));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Handoff API',
      version: '1.0.0',
      description:
        'Briefs between an e-commerce team and the agencies, vendors and departments it depends on: acknowledgement, clarification, delivery, review and approval on SLA clocks.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }, { cookieAuth: [] }],
  });
}
