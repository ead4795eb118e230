# Schemathesis hook for fuzz.e2e.test.ts (loaded through SCHEMATHESIS_HOOKS).
#
# Handoff keeps one answer per caller and Idempotency-Key, and answers 422 when the key comes back
# with a different request. Schemathesis draws the optional Idempotency-Key header from a small
# set of values (the documented example above all), so without this hook most generated POSTs
# reuse a key and stop at that 422 before reaching their handler. The hook ties each valid key to
# the request it travels with: a different request gets a different key, the same request the
# same key (a legitimate replay). Invalid keys, and keys too long to take the suffix, are left
# alone, so the header's own validation is still fuzzed. Deterministic, as Hypothesis requires.
import hashlib
import json

import schemathesis

HEADER = "idempotency-key"
SUFFIX_LENGTH = 33  # "-" and 32 hex digits


@schemathesis.hook
def map_case(ctx, case):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() != HEADER or not isinstance(value, str) or not 1 <= len(value) <= 255 - SUFFIX_LENGTH:
            continue
        request = json.dumps([case.method, case.path, case.path_parameters, case.query, case.body], sort_keys=True, default=repr)
        headers[name] = f"{value}-{hashlib.sha256(request.encode()).hexdigest()[:32]}"
    return case
