// The webhook signature against answers computed outside Handoff, so that a change to what is
// signed (the "<timestamp>.<body>" string, its encoding, the hash) cannot pass by signing and
// verifying with the same changed helper.
import { signWebhook, verifyWebhookSignature } from '../../activities/notifications/signature';

const SECRET = 'whsec_known_answer_0123456789';
const TIMESTAMP = 1_790_000_000;
/** Raw bytes as sent, with a non-ASCII character: the HMAC covers the UTF-8 encoding. */
const BODY = '{"id":"n-1","event":"brief_assigned","brief":{"title":"Frühjahrskampagne"}}';

/**
 * HMAC-SHA256(SECRET, "1790000000." + BODY) in hex, computed once with OpenSSL and checked with
 * Python (both gave the same digest):
 *   printf '%s' '1790000000.{"id":"n-1","event":"brief_assigned","brief":{"title":"Frühjahrskampagne"}}' \
 *     | openssl dgst -sha256 -hmac 'whsec_known_answer_0123456789'
 *   python3 -c 'import hmac, hashlib; print(hmac.new(b"whsec_known_answer_0123456789",
 *     ("1790000000." + BODY).encode("utf-8"), hashlib.sha256).hexdigest())'
 */
const EXPECTED_V1 = '853b61e1717f5b2d178c8069c3fdee14330ca53fa1788d07d46a17b3051b22a8';
/** The same HMAC over "1790000000" + BODY, without the dot (Python as above): what a receiver must refuse. */
const WITHOUT_DOT_V1 = 'ed45d004552aefda847a999abb6ad59c583cf48b4084112868df6fd5dbac3a57';

describe('webhook signature, known answers', () => {
  test('signs "<timestamp>.<body>" with HMAC-SHA256 in hex, as the README documents', () => {
    expect(signWebhook(SECRET, BODY, TIMESTAMP)).toBe(`t=1790000000,v1=${EXPECTED_V1}`);
  });

  test('accepts the independently computed signature and refuses one over the body without the dot', () => {
    expect(verifyWebhookSignature(SECRET, `t=${TIMESTAMP},v1=${EXPECTED_V1}`, BODY, { nowSec: TIMESTAMP })).toBe(true);
    expect(verifyWebhookSignature(SECRET, `t=${TIMESTAMP},v1=${WITHOUT_DOT_V1}`, BODY, { nowSec: TIMESTAMP })).toBe(false);
  });
});
