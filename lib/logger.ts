import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** JSON lines for machines (production), or readable lines for a person at a terminal (npm start). */
export type LogFormat = 'json' | 'pretty';

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

/**
 * A URL or path with the token of an action link (/actions/<token>, /view/<token>) or of a sign-in
 * link (/signin/<token>) replaced by its route parameter: a link token is a credential and never
 * goes to a log line.
 */
export function withoutLinkTokens(url: string): string {
  return url.replace(/^\/(actions|view|signin)\/[^/?#]*/, '/$1/:token');
}

export interface LoggerOptions {
  format?: LogFormat;
  /** Colours in the pretty format; by default when stdout is a terminal. */
  colorize?: boolean;
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const settings = { level, base: { service: 'handoff' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (options.format === 'pretty') {
    const stream = pretty({
      colorize: options.colorize ?? process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      // One line per entry: its fields follow the message.
      singleLine: true,
      errorLikeObjectKeys: [],
      sync: true,
      destination: destination ?? 1,
    });
    return pino(settings, stream);
  }
  return pino(settings, destination);
}
