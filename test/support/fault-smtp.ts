// An SMTP server that keeps what it receives, like startSmtpReceiver in receivers.ts, for senders
// that die: a worker killed in the middle of a message leaves a transaction the server reports as
// an 'error' event, which smtp-server throws when nobody listens (and jest then fails the whole
// file). Here such a message is counted as cut off and dropped, as a real mail server drops it.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { CapturedMail } from './receivers';

export interface FaultSmtpReceiver {
  url: string;
  messages: CapturedMail[];
  /** Transactions whose sender went away before the message was complete. */
  readonly cutOff: number;
  stop(): Promise<void>;
}

export async function startFaultSmtpReceiver(): Promise<FaultSmtpReceiver> {
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
