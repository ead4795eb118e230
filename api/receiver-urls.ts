// Webhook and chat URLs are checked when they are saved: a URL whose host is, or resolves to, an
// address that leads inside (loopback, private, link-local, metadata endpoints...) and that the
// operator did not allow is a 400 naming the field. A name that does not resolve now is kept:
// the check at send time, on the address actually connected to, is the one that holds.
import { checkOutboundUrl, OutboundRefusedError, outboundPolicy, type OutboundPolicy } from '../lib/outbound';
import type { ApiDeps } from './context';
import { fieldError } from './errors';

const RESOLVE_TIMEOUT_MS = 5_000;

/** The policy the API checks URLs by: the deps' own (tests inject a resolver) or the configured allow list. */
export function apiOutboundPolicy(deps: Pick<ApiDeps, 'config' | 'outbound'>): OutboundPolicy {
  return deps.outbound ?? outboundPolicy(deps.config.outboundAllow);
}

/** Throws a 400 naming the first field (body.<name>) whose URL may not be reached. */
export async function checkReceiverUrls(policy: OutboundPolicy, fields: Record<string, string | null | undefined>): Promise<void> {
  for (const [name, url] of Object.entries(fields)) {
    if (!url) continue;
    try {
      await Promise.race([checkOutboundUrl(url, policy), new Promise((resolve) => setTimeout(resolve, RESOLVE_TIMEOUT_MS).unref())]);
    } catch (err) {
      // Which address a name resolves to is not told: the answer would map an internal network.
      if (err instanceof OutboundRefusedError) throw fieldError(`body.${name}`, 'address not allowed: only http(s) URLs of public addresses (not loopback, private, link-local or other internal ones)');
      // Not resolvable now (no such name yet, DNS down): checked again at each send.
    }
  }
}
