// A TCP proxy on 127.0.0.1 in front of a server (the machine's PostgreSQL), which a test cuts and
// restores: cut() resets every open connection and refuses new ones, as a server that went away
// does; restore() listens on the same port again. The server itself is never touched.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Whether the proxy is cut. */
  readonly isCut: boolean;
  /** Connections passed through so far. */
  readonly connections: number;
  /** Resets the open connections and refuses new ones until restore(). */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  let cut = false;
  let server: Server | undefined;

  const listen = async (onPort: number): Promise<number> => {
    const next = createServer((client) => {
      connections += 1;
      const upstream = connect(target);
      open.add(client);
      open.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(onPort, '127.0.0.1', () => resolve());
    });
    server = next;
    return (next.address() as { port: number }).port;
  };

  const close = async () => {
    const current = server;
    server = undefined;
    // resetAndDestroy sends RST: the peers see the connection break, not end politely.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const boundPort = await listen(port);
  return {
    port: boundPort,
    get isCut() {
      return cut;
    },
    get connections() {
      return connections;
    },
    async cut() {
      cut = true;
      await close();
    },
    async restore() {
      if (!cut) return;
      await listen(boundPort);
      cut = false;
    },
    stop: close,
  };
}

/** The URL of a PostgreSQL database reached through a proxy on 127.0.0.1. */
export function throughProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}
