"""Schemathesis hooks for test/system/schemathesis.test.ts: the bearer token of each operation.

The test passes a JSON object "METHOD /path/{template}" -> token in FAULTLINE_SCHEMATHESIS_TOKENS
(chosen from the operation's x-auth: a customer's, an admin's or a service token); operations
without an entry are called without a token.
"""

import json
import os

import schemathesis

TOKENS = json.loads(os.environ.get("FAULTLINE_SCHEMATHESIS_TOKENS", "{}"))


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    token = TOKENS.get(f"{case.operation.method.upper()} {case.operation.path}")
    if token:
        if case.headers is None:
            case.headers = {}
        case.headers["Authorization"] = f"Bearer {token}"
