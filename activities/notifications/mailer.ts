// Sends email through SMTP, or, without SMTP configured, writes each message as an .eml file
// into the outbox folder so nothing is lost and a user can open it.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface Email {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to text; with it the message is multipart/alternative. */
  html?: string;
  /** Stable per notification: used as Message-ID and outbox file name. */
  idempotencyKey: string;
}

export interface MailResult {
  transport: 'smtp' | 'file';
  location?: string;
}

export interface Mailer {
  send(email: Email): Promise<MailResult>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  /** The host name Message-IDs end in: the installation's public one. Default: the domain of `from`. */
  messageIdHost?: string;
}

/** A host name as the right side of a Message-ID; anything else falls back to `localhost`. */
function idHost(host: string | undefined, from: string): string {
  const candidate = host ?? /@([^\s>]+)>?\s*$/.exec(from)?.[1];
  return candidate && /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])$/.test(candidate) ? candidate.toLowerCase() : 'localhost';
}

/**
 * The Message-ID of a notification: a digest of its idempotency key (so every retry carries the
 * same one) at the public host name. Short enough for one header line; sent as prepared so that
 * nodemailer never folds it even for a long host name.
 */
export function messageIdFor(key: string, host: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${host}>`;
}

/** What nodemailer sends: the same for SMTP and the outbox, so a retry produces the same message. */
function mailOptions(from: string, host: string, email: Email): SendMailOptions {
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    ...(email.html === undefined ? {} : { html: email.html }),
    headers: { 'Message-ID': { prepared: true, value: messageIdFor(email.idempotencyKey, host) } },
  };
}

export function createMailer({ smtpUrl, from, outboxDir, messageIdHost }: MailerOptions): Mailer {
  const host = idHost(messageIdHost, from);
  if (smtpUrl) {
    const transport = nodemailer.createTransport(smtpUrl);
    return {
      async send(email) {
        await transport.sendMail(mailOptions(from, host, email));
        return { transport: 'smtp' };
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(email) {
      const info = await transport.sendMail(mailOptions(from, host, email));
      await mkdir(outboxDir, { recursive: true });
      const file = path.join(outboxDir, `${email.idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`);
      await writeFile(file, info.message as Buffer);
      return { transport: 'file', location: file };
    },
    close: () => transport.close(),
  };
}
