// Real peers for notifications: an SMTP server that keeps what it receives, and an HTTP
// server that records webhook deliveries and can be told to fail.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtpReceiver(): Promise<{ url: string; messages: CapturedMail[]; stop(): Promise<void> }> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CapturedRequest {
  headers: IncomingHttpHeaders;
  body: any;
}

export async function startHttpReceiver(): Promise<{
  url: string;
  requests: CapturedRequest[];
  /** Answer the next `times` requests with `status`. */
  failNext(times: number, status: number): void;
  stop(): Promise<void>;
}> {
  const requests: CapturedRequest[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 500 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures.left > 0) {
        failures.left -= 1;
        res.writeHead(failures.status).end('failing on purpose');
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: req.headers, body: text ? JSON.parse(text) : undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/handoff`,
    requests,
    failNext(times, status) {
      failures = { left: times, status };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
