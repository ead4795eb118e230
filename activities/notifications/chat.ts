// Posts a notification to a chat channel through a Slack-compatible incoming webhook (Slack,
// Mattermost, Rocket.Chat and others accept the same JSON).
import type { OutboundPolicy } from '../../lib/outbound';
import { postJson } from './webhook';

export interface ChatMessage {
  /** Fallback shown in notifications and by clients without blocks. */
  text: string;
  blocks: unknown[];
}

export interface ChatDelivery {
  url: string;
  message: ChatMessage;
  timeoutMs?: number;
  /** Which addresses the incoming webhook may be at. */
  outbound: OutboundPolicy;
}

/** Throws DeliveryError: transient for 5xx, 408, 429 and network failures, permanent otherwise. */
export async function sendChat({ url, message, timeoutMs = 10_000, outbound }: ChatDelivery): Promise<void> {
  await postJson(url, JSON.stringify({ text: message.text, blocks: message.blocks }), {}, timeoutMs, 'chat webhook', outbound);
}
