import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never written to a log line, whatever a caller passes in. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'key',
  'apiKey',
  'password',
  'secret',
  '*.key',
  '*.password',
  '*.secret',
  'smtpUrl',
  'databaseUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'handoff' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
