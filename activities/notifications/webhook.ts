// Posts notifications as JSON to a member's webhook. A stable Idempotency-Key header lets
// receivers drop repeats; a Handoff-Signature header (when the member set a secret) lets them
// tell Handoff's deliveries from forgeries.
import { outboundRequest, type OutboundPolicy } from '../../lib/outbound';
import { classifyError, classifyResponse, DeliveryError, PermanentDeliveryError } from './delivery-errors';
import { SIGNATURE_HEADER, signWebhook } from './signature';

export { DeliveryError, PermanentDeliveryError };

export const USER_AGENT = 'Handoff';

/**
 * POSTs a JSON text to a public address (or one the operator allowed) and throws a
 * DeliveryError unless the answer is 2xx; an address that leads inside is a permanent failure.
 * Redirects are not followed: a receiver's URL should name its final address, a POST silently
 * turned into a GET would look delivered, and a redirect could point inside.
 */
export async function postJson(url: string, json: string, headers: Record<string, string>, timeoutMs: number, receiver: string, outbound: OutboundPolicy): Promise<{ status: number }> {
  let response: { status: number; headers: Record<string, string | string[] | undefined> };
  try {
    response = await outboundRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers }, body: json, timeoutMs },
      outbound,
    );
  } catch (err) {
    throw classifyError(err);
  }
  const failure = classifyResponse(response.status, response.headers, receiver);
  if (failure) throw failure;
  return { status: response.status };
}

export interface WebhookDelivery {
  url: string;
  /** Serialised once: the signature covers exactly the bytes sent. */
  body: unknown;
  /** Stable per notification, the same on every retry. */
  idempotencyKey: string;
  /** The member's signing secret; null sends the delivery unsigned. */
  secret: string | null;
  /** The notification event type, sent as Handoff-Event. */
  event: string;
  timeoutMs?: number;
  /** Which addresses the webhook may reach. */
  outbound: OutboundPolicy;
}

/** Delivers one notification to a webhook; throws DeliveryError (transient or permanent). */
export async function sendWebhook({ url, body, idempotencyKey, secret, event, timeoutMs = 10_000, outbound }: WebhookDelivery): Promise<{ status: number }> {
  const json = JSON.stringify(body);
  const headers: Record<string, string> = { 'Idempotency-Key': idempotencyKey, 'Handoff-Event': event };
  // Signed at each attempt, so a retry hours later still carries a fresh timestamp.
  if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, json, Math.floor(Date.now() / 1000));
  return postJson(url, json, headers, timeoutMs, 'webhook', outbound);
}
