// The first webhook form, still used by the notify activity of briefs started before the
// outbox: unsigned; like the outbox's webhooks it reaches only public addresses (or allowed
// ones) and never follows a redirect. Transient failures are DeliveryErrors, permanent ones
// PermanentDeliveryErrors.
import type { OutboundPolicy } from '../../lib/outbound';
import { USER_AGENT, postJson } from '../notifications/webhook';

export async function postWebhook(url: string, idempotencyKey: string, body: unknown, outbound: OutboundPolicy, timeoutMs = 10_000): Promise<void> {
  await postJson(url, JSON.stringify(body), { 'idempotency-key': idempotencyKey, 'user-agent': USER_AGENT }, timeoutMs, 'webhook', outbound);
}
