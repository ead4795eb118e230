// Real peers for notifications: an SMTP server that keeps what it receives, and an HTTP
// server that records webhook and chat deliveries, verifies their signatures, and can be told
// to fail, rate-limit or answer slowly.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../activities/notifications/signature';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpReceiver {
  url: string;
  messages: CapturedMail[];
  /**
   * Transactions whose sender went away before the message was complete (a worker killed in the
   * middle of one). smtp-server reports them as 'error' events, which it would throw with nobody
   * listening; here they are counted and dropped, as a real mail server drops them.
   */
  readonly cutOff: number;
  stop(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: CapturedMail[] = [];
  let cutOff = 0;
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
  server.on('error', () => {
    cutOff += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get cutOff() {
      return cutOff;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CapturedRequest {
  /** The request's path (and query), e.g. /hooks/handoff/paula: one receiver can stand for several members. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  body: any;
  /** The body exactly as received, as signatures cover it. */
  rawBody: string;
  /** The status the receiver answered with. */
  status: number;
  /** Whether Handoff-Signature verified with the receiver's secret; undefined without a secret. */
  signatureValid?: boolean;
}

export interface HttpReceiverOptions {
  /** Verify each request's Handoff-Signature with this secret. */
  secret?: string;
  /** The status of a successful answer (Slack answers 200 "ok"). */
  successStatus?: number;
}

export interface HttpReceiver {
  url: string;
  /** The requests answered with success, in order. */
  requests: CapturedRequest[];
  /** Every request, failed ones included, in order. */
  received: CapturedRequest[];
  /** Answer the next `times` requests with `status` (and headers, e.g. Retry-After). */
  failNext(times: number, status: number, headers?: Record<string, string>): void;
  /** Answer 429 with Retry-After (seconds or an HTTP date) to the next `times` requests. */
  rateLimitNext(times: number, retryAfter: string): void;
  /** Hold the answer to the next `times` requests for `ms`. */
  delayNext(times: number, ms: number): void;
  stop(): Promise<void>;
}

export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: CapturedRequest[] = [];
  const received: CapturedRequest[] = [];
  let failures: { left: number; status: number; headers: Record<string, string> } = { left: 0, status: 500, headers: {} };
  let delays: { left: number; ms: number } = { left: 0, ms: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const failing = failures.left > 0;
      if (failing) failures.left -= 1;
      const status = failing ? failures.status : (options.successStatus ?? 204);
      const headers = failing ? failures.headers : {};
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
      const captured: CapturedRequest = {
        url: req.url ?? '',
        headers: req.headers,
        body,
        rawBody,
        status,
        ...(options.secret === undefined ? {} : { signatureValid: verifyWebhookSignature(options.secret, typeof signature === 'string' ? signature : undefined, rawBody) }),
      };
      received.push(captured);
      if (!failing) requests.push(captured);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, headers).end(failing ? 'failing on purpose' : status === 204 ? undefined : 'ok');
      };
      if (delays.left > 0) {
        delays.left -= 1;
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, delays.ms);
        timers.add(timer);
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/handoff`,
    requests,
    received,
    failNext(times, status, headers = {}) {
      failures = { left: times, status, headers };
    },
    rateLimitNext(times, retryAfter) {
      failures = { left: times, status: 429, headers: { 'Retry-After': retryAfter } };
    },
    delayNext(times, ms) {
      delays = { left: times, ms };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A captured message's text as a reader sees it: quoted-printable soft line breaks joined and
 * =XX escapes decoded (as UTF-8), so links and umlauts can be searched for.
 */
export function decodeQuotedPrintable(raw: string): string {
  return Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}
