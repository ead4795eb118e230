import { Router } from 'express';
import { z } from 'zod';
import type { RouteCatalog } from '../openapi/route';
import type { ApiDeps } from '../context';

const CHECK_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const Check = z.enum(['ok', 'unavailable']);
const HealthSchema = z
  .object({ status: Check, checks: z.object({ database: Check, temporal: Check }) })
  .meta({ id: 'Health', example: { status: 'ok', checks: { database: 'ok', temporal: 'ok' } } });

export function healthRouter({ db, temporal }: ApiDeps, catalog: RouteCatalog): Router {
  const router = Router();
  catalog.mount(
    router,
    {
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Whether the database and Temporal answer',
      tag: 'Operations',
      roles: 'public',
      responses: {
        200: { description: 'Both answer', schema: HealthSchema },
        503: { description: 'One of them does not', schema: HealthSchema },
      },
    },
    async (_req, res) => {
    const [database, workflowEngine] = await Promise.allSettled([
      withTimeout(db.ping(), CHECK_TIMEOUT_MS),
      temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const checks = {
      database: database.status === 'fulfilled' ? 'ok' : 'unavailable',
      temporal: workflowEngine.status === 'fulfilled' ? 'ok' : 'unavailable',
    };
    const ok = checks.database === 'ok' && checks.temporal === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  },
  );
  return router;
}
