// Posts a notification as JSON to a member's webhook. A stable Idempotency-Key header lets
// receivers drop repeats.

export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export async function postWebhook(url: string, idempotencyKey: string, body: unknown, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'user-agent': 'Handoff' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const transient = response.status >= 500 || response.status === 408 || response.status === 429;
  const message = `webhook answered ${response.status}`;
  throw transient ? new Error(message) : new PermanentDeliveryError(message);
}
