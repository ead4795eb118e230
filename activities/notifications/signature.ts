// Signs webhook bodies so a receiver can tell Handoff's deliveries from forgeries and replays:
// HMAC-SHA256 over "<timestamp>.<body>" with the secret the member set up, sent as
// `Handoff-Signature: t=<unix seconds>,v1=<hex>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Handoff-Signature';

function digest(secret: string, body: string, timestampSec: number): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/** The Handoff-Signature header value for `body` sent at `timestampSec`. */
export function signWebhook(secret: string, body: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${digest(secret, body, timestampSec)}`;
}

export interface VerifyOptions {
  /** How far the timestamp may lie from now, either way. */
  toleranceSec?: number;
  nowSec?: number;
}

/**
 * Whether `header` is a valid signature of `body` under `secret`, made within the tolerance.
 * Accepts several v1 values (a receiver rotating secrets) and ignores unknown schemes.
 */
export function verifyWebhookSignature(secret: string, header: string | null | undefined, body: string, { toleranceSec = 300, nowSec }: VerifyOptions = {}): boolean {
  if (!header || !secret) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return false;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return false;
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(digest(secret, body, timestamp), 'hex');
  // Compare against every candidate so the time taken does not reveal which one matched.
  let valid = false;
  for (const signature of signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) valid = true;
  }
  return valid;
}
