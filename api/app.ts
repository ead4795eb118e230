// The HTTP API: Express with JSON bodies, bearer-key authentication on every /v1 route and
// problem+json errors.
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { authenticate } from './auth';
import type { ApiDeps } from './context';
import { errorHandler, notFoundHandler } from './errors';
import { briefsRouter } from './routes/briefs';
import { directoryRouter } from './routes/directory';
import { escalationsRouter } from './routes/escalations';
import { healthRouter } from './routes/health';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(express.json({ limit: '1mb' }));
  app.use(healthRouter(deps));
  app.use('/v1', authenticate(deps.db.prisma));
  app.use(directoryRouter(deps));
  app.use(briefsRouter(deps));
  app.use(escalationsRouter(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
