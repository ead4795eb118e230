// What a failed delivery says to callers who are not admins: the kind of failure, never the
// detail the worker stored (addresses, host names, what a receiver answered), which would let a
// member probe what sits behind Handoff through the webhook URL they set.

/** Texts Handoff itself writes, with nothing of a receiver in them: shown as they are. */
const OWN_TEXTS = new Set(['the webhook is disabled or gone', 'the chat webhook is gone']);

const BY_CODE: [pattern: RegExp, text: string][] = [
  [/^address not allowed/, 'address not allowed'],
  [/^timed out|TimeoutError|ETIMEDOUT|UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT/, 'timed out'],
  [/ECONNREFUSED/, 'connection refused'],
  [/ECONNRESET|EPIPE|socket hang up|UND_ERR_SOCKET|UND_ERR_CLOSED/, 'connection reset'],
  [/ENOTFOUND|EAI_AGAIN|EDNS/, 'host not found'],
  [/EHOSTUNREACH|ENETUNREACH|ENETDOWN/, 'host unreachable'],
  [/CERT|TLS|SSL|self[- ]signed/i, 'TLS handshake failed'],
];

/** The generic form of a stored delivery error. */
export function publicDeliveryError(detail: string): string {
  if (OWN_TEXTS.has(detail)) return detail;
  if (detail.startsWith('an earlier attempt stopped while posting')) return 'an earlier attempt stopped while posting; not posted again';
  const answered = /^((?:chat )?webhook) answered (\d{3})$/.exec(detail);
  if (answered) return `${answered[1]} answered ${answered[2]}`;
  for (const [pattern, text] of BY_CODE) if (pattern.test(detail)) return text;
  if (/^\d{3}[ -]/.test(detail) || /SMTP|EENVELOPE|ESOCKET|ECONNECTION/.test(detail)) return 'the mail server did not accept the message';
  return 'delivery failed';
}
