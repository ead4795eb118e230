// Sends email through SMTP, or, without SMTP configured, writes each message as an .eml file
// into the outbox folder so nothing is lost and a user can open it.
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
}

function messageId(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@handoff>`;
}

/** What nodemailer sends: the same for SMTP and the outbox, so a retry produces the same message. */
function mailOptions(from: string, email: Email): SendMailOptions {
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    ...(email.html === undefined ? {} : { html: email.html }),
    messageId: messageId(email.idempotencyKey),
  };
}

export function createMailer({ smtpUrl, from, outboxDir }: MailerOptions): Mailer {
  if (smtpUrl) {
    const transport = nodemailer.createTransport(smtpUrl);
    return {
      async send(email) {
        await transport.sendMail(mailOptions(from, email));
        return { transport: 'smtp' };
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(email) {
      const info = await transport.sendMail(mailOptions(from, email));
      await mkdir(outboxDir, { recursive: true });
      const file = path.join(outboxDir, `${email.idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`);
      await writeFile(file, info.message as Buffer);
      return { transport: 'file', location: file };
    },
    close: () => transport.close(),
  };
}
