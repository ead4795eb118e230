// What the bench listens with: a webhook receiver on 127.0.0.1 (answers 204 to every delivery)
// and a reader of the escalation stream (Server-Sent Events) that notes when each event arrived.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  /** Deliveries received, and how many carried an Idempotency-Key seen before (retries). */
  received(): { total: number; repeated: number };
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let total = 0;
  let repeated = 0;
  const keys = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      total += 1;
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        if (keys.has(key)) repeated += 1;
        keys.add(key);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/handoff`,
    received: () => ({ total, repeated }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StreamEvent {
  id: string;
  event: string;
  // The escalation as the API lists it; the bench reads briefId, level and raisedAt.
  data: { briefId: string; level: number; clock: string; raisedAt: string };
  /** When the bench read it (epoch ms). */
  receivedAt: number;
}

export interface EventStream {
  /** Resolves once the API answered 200 and the stream is open. */
  opened: Promise<void>;
  onEvent(listener: (event: StreamEvent) => void): void;
  close(): void;
}

export function openEventStream(url: string, key: string): EventStream {
  const controller = new AbortController();
  const listeners: ((event: StreamEvent) => void)[] = [];
  const opened = fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: controller.signal }).then((res) => {
    if (res.status !== 200 || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const receivedAt = Date.now();
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((line) => line && !line.startsWith(':'))
                .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
            ) as Record<string, string>;
            if (!fields.data) continue;
            const event: StreamEvent = { id: fields.id, event: fields.event, data: JSON.parse(fields.data) as StreamEvent['data'], receivedAt };
            for (const listener of listeners) listener(event);
          }
        }
      } catch {
        // closed by the bench
      }
    })();
  });
  return { opened, onEvent: (listener) => listeners.push(listener), close: () => controller.abort() };
}
