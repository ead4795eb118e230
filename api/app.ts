// The HTTP API: Express with JSON bodies, security headers, rate limits shared by every replica
// (per client address on every route, per API key and per member after authentication, see
// rate-limits.ts), bearer-key authentication and Idempotency-Key support on every /v1 route, problem+json errors, and the OpenAPI
// document built from the same route declarations that mount the routes.
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import { withoutLinkTokens } from '../lib/logger';
import { authenticate } from './auth';
import type { ApiDeps } from './context';
import { errorHandler, notFoundHandler } from './errors';
import { EscalationFeed } from './escalation-feed';
import { idempotency } from './idempotency';
import { callerLimiter, databaseLimiter, onPath } from './rate-limits';
import { docsAssets, docsPage } from './openapi/docs-page';
import { buildOpenApiDocument } from './openapi/document';
import { RouteCatalog } from './openapi/route';
import { actionLinksRouter } from './routes/action-links';
import { adminRouter } from './routes/admin';
import { briefsRouter } from './routes/briefs';
import { programsRouter } from './routes/programs';
import { calendarsRouter, holidayImportBodyParser } from './routes/calendars';
import { directoryRouter } from './routes/directory';
import { outOfOfficeRouter } from './routes/out-of-office';
import { escalationsRouter } from './routes/escalations';
import { healthRouter } from './routes/health';
import { metricsRouter } from './routes/metrics';
import { notificationsRouter } from './routes/notifications';
import { reportsRouter } from './routes/reports';
import { sessionRouters } from './routes/sessions';
import { slaPoliciesRouter } from './routes/sla-policies';
import { webAppRouter } from './web-app';

export const BODY_LIMIT = '1mb';

export interface HandoffApp extends Express {
  catalog: RouteCatalog;
  /** The live escalation feed; closing it ends every open stream, so shutdown does not wait on them. */
  escalationFeed: EscalationFeed;
}

function openApiRouter(deps: ApiDeps, catalog: RouteCatalog): Router {
  const router = Router();
  let document: unknown;
  catalog.mount(
    router,
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tag: 'Operations',
      roles: 'public',
      responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }) } },
    },
    (_req, res) => {
      // Relative: the document is right whichever host or proxy serves it.
      document ??= buildOpenApiDocument(catalog);
      res.json(document);
    },
  );
  catalog.mount(
    router,
    {
      method: 'get',
      path: '/docs',
      operationId: 'apiReference',
      summary: 'Interactive API reference',
      tag: 'Operations',
      roles: 'public',
      responses: { 200: { description: 'An HTML page rendering /openapi.json', contentType: 'text/html', schema: z.string() } },
    },
    docsPage,
  );
  router.use(docsAssets());
  return router;
}

export function createApp(deps: ApiDeps): HandoffApp {
  const app = express() as unknown as HandoffApp;
  const catalog = new RouteCatalog();
  app.catalog = catalog;
  app.escalationFeed = new EscalationFeed({ prisma: deps.db.prisma, logger: deps.logger });
  app.disable('x-powered-by');
  // Whose address counts for the limits per address (HANDOFF_TRUST_PROXY; false: the connecting peer).
  app.set('trust proxy', deps.config.trustProxy);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customSuccessObject: (req, res, value: Record<string, unknown>) => ({ ...value, route: routeOf(req) }),
      customErrorObject: (req, res, _err, value: Record<string, unknown>) => ({ ...value, route: routeOf(req) }),
      serializers: {
        // Only the method and path: no headers (they carry keys), no query, no body, no link token.
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: withoutLinkTokens(req.url.split('?')[0]) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Referrer-Policy same-origin, not helmet's no-referrer: under no-referrer a browser sends
  // `Origin: null` with same-origin POSTs, and the web app's CSRF check needs the real origin.
  // Other sites still get no referrer (no page address, no sign-in link, ever leaves).
  app.use(helmet({ referrerPolicy: { policy: 'same-origin' } }));
  // Before anything else that does work: every request counts against its client address.
  app.use(databaseLimiter({ prisma: deps.db.prisma, logger: deps.logger, name: 'address', limit: deps.config.rateLimits.perAddress, what: 'from this address' }));
  if (deps.config.corsOrigins.length) {
    const any = deps.config.corsOrigins.includes('*');
    app.use(
      cors({
        origin: any ? '*' : deps.config.corsOrigins,
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id'],
        exposedHeaders: ['ETag', 'Location', 'X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(holidayImportBodyParser(BODY_LIMIT));
  app.use(webAppRouter(catalog));
  app.use(healthRouter(deps, catalog));
  app.use(openApiRouter(deps, catalog));
  app.use(onPath('/metrics', databaseLimiter({ prisma: deps.db.prisma, logger: deps.logger, name: 'metrics', limit: deps.config.rateLimits.metrics, what: 'to /metrics from this address' })));
  app.use(metricsRouter(deps, catalog));
  // The pages behind the links in emails: no API key (the signed link is the credential).
  app.use(actionLinksRouter(deps, catalog));
  // Signing in to the web app: no key or session yet.
  const sessions = sessionRouters(deps, catalog);
  app.use(sessions.signIn);
  // A bearer key, or the web app's session cookie (with its CSRF rules).
  app.use('/v1', authenticate(deps.db.prisma, { ...deps.config.sessions, publicUrl: deps.config.publicUrl }));
  app.use('/v1', callerLimiter(deps.db.prisma, deps.logger, { perKey: deps.config.rateLimitPerMinute, perMember: deps.config.rateLimits.perMember }));
  app.use('/v1', idempotency(deps.db.prisma, deps.logger));
  app.use(sessions.session);
  app.use(directoryRouter(deps, catalog));
  app.use(outOfOfficeRouter(deps, catalog));
  app.use(briefsRouter(deps, catalog));
  app.use(programsRouter(deps, catalog));
  app.use(notificationsRouter(deps, catalog));
  app.use(escalationsRouter(deps, catalog, app.escalationFeed));
  app.use(calendarsRouter(deps, catalog));
  app.use(slaPoliciesRouter(deps, catalog));
  app.use(adminRouter(deps, catalog));
  app.use(reportsRouter(deps, catalog));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

function routeOf(req: unknown): string | undefined {
  return (req as { route?: { path?: string } }).route?.path;
}
