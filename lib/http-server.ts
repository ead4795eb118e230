import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

/** Listens on a port (0 picks a free one) and resolves once it is bound. */
export async function listen(app: Express, port: number, host?: string): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Stops accepting connections and waits for in-flight requests to finish. */
export async function close(server: Server, graceMs = 10_000): Promise<void> {
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(timer);
}

export function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
