// The running product with a real SMTP server, for the tests of what people are sent: a Temporal
// dev server, the API and worker over a database, and SMTP_URL at an SMTP receiver, started before
// a file's tests and stopped after them.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { directory, type DirectoryHelper, type Member } from './directory';
import { startTestHandoff, type TestHandoff } from './handoff';
import { startSmtpReceiver, type SmtpReceiver } from './receivers';
import { devServerEnv } from './temporal';

export interface MailStack {
  env: TestWorkflowEnvironment;
  handoff: TestHandoff;
  smtp: SmtpReceiver;
  dir: DirectoryHelper;
  /** A member with an address made of their name, in English. */
  person(partyId: string, name: string, role: string): Promise<Member>;
}

/** Starts the stack before the file's tests (handing it to `use`) and stops it after them. */
export function withMailStack(database: 'pglite' | 'postgres', use: (stack: MailStack) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  let handoff: TestHandoff | undefined;
  let smtp: SmtpReceiver | undefined;
  beforeAll(async () => {
    env = await devServerEnv();
    smtp = await startSmtpReceiver();
    handoff = await startTestHandoff(env, { database, extraEnv: { SMTP_URL: smtp.url } });
    const dir = directory(handoff.url);
    const person = (partyId: string, name: string, role: string) => dir.memberWith(partyId, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.test`, role, locale: 'en' });
    use({ env, handoff, smtp, dir, person });
  }, 120_000);
  afterAll(async () => {
    await handoff?.cleanup();
    await smtp?.stop();
    await env?.teardown();
  });
}
