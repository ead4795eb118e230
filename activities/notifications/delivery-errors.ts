// Why a delivery failed, in the terms Temporal retries by: transient failures (the receiver is
// down, slow or rate-limiting) are worth another attempt, permanent ones (the receiver refuses
// the message) are not. Shared by the webhook, chat and email channels.

export type DeliveryErrorKind = 'transient' | 'permanent';

export interface DeliveryErrorOptions {
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  readonly kind: DeliveryErrorKind;
  readonly status?: number;
  /** How long the receiver asked us to wait before the next attempt (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(kind: DeliveryErrorKind, message: string, options: DeliveryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  get permanent(): boolean {
    return this.kind === 'permanent';
  }
}

/**
 * A delivery the receiver refused for good. Every permanent DeliveryError is one, so the older
 * notify activity, which tests `instanceof PermanentDeliveryError`, reads both kinds right.
 */
export class PermanentDeliveryError extends DeliveryError {
  override name = 'PermanentDeliveryError';

  constructor(message: string, options: DeliveryErrorOptions = {}) {
    super('permanent', message, options);
  }
}

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The verdict on an HTTP answer: undefined for 2xx; a transient DeliveryError for 5xx, 408 and
 * 429 (with Retry-After when the receiver sent one); a permanent one for everything else,
 * redirects included, since a webhook URL should name its final address.
 */
export function classifyResponse(status: number, headers: HeaderBag = {}, receiver = 'receiver', nowMs = Date.now()): DeliveryError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const message = `${receiver} answered ${status}`;
  if (status >= 500 || status === 408 || status === 429) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), nowMs);
    return new DeliveryError('transient', message, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  return new PermanentDeliveryError(message, { status });
}

// Network failures that a later attempt may not meet: refused or reset connections, timeouts,
// DNS lookups that failed (a receiver's name may come back).
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  // nodemailer
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
]);

// Failures no retry mends: an address that is not a URL, a scheme fetch does not speak, a
// receiver whose address leads inside (lib/outbound.ts).
const PERMANENT_CODES = new Set(['ERR_INVALID_URL', 'ERR_INVALID_ARG_VALUE', 'EENVELOPE', 'EOUTBOUND_REFUSED']);

function causes(err: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  for (let e = err; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) {
    chain.push(e as Record<string, unknown>);
  }
  return chain;
}

/**
 * Turns whatever a send threw into a DeliveryError. Network failures and timeouts are
 * transient; an SMTP server's 5xx reply and malformed addresses are permanent; anything not
 * recognised is treated as transient so Temporal's retry policy (bounded) decides.
 */
export function classifyError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const chain = causes(err);
  const message = err instanceof Error ? err.message : String(err);
  const detail = chain
    .slice(1)
    .map((e) => (typeof e.code === 'string' ? e.code : typeof e.message === 'string' ? e.message : ''))
    .filter(Boolean)
    .join(': ');
  const full = detail ? `${message}: ${detail}` : message;

  if (chain.some((e) => e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new DeliveryError('transient', `timed out: ${full}`, { cause: err });
  }
  const smtpCode = chain.map((e) => e.responseCode).find((c): c is number => typeof c === 'number');
  if (smtpCode !== undefined) {
    return smtpCode >= 500 ? new PermanentDeliveryError(full, { cause: err }) : new DeliveryError('transient', full, { cause: err });
  }
  const codes = chain.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  if (codes.some((c) => PERMANENT_CODES.has(c))) return new PermanentDeliveryError(full, { cause: err });
  if (codes.some((c) => TRANSIENT_CODES.has(c))) return new DeliveryError('transient', full, { cause: err });
  return new DeliveryError('transient', full, { cause: err });
}
