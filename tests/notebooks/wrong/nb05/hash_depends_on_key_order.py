# Exercise 5.1 — the response format is serialised without a canonical key order: equal content, different hashes.
# expect: should not depend on the key order of response_format
# rule: 5.1/hash-key-order

import hashlib
import json


def prompt_hash(template, response_format=None):
    return hashlib.sha256((template + json.dumps(response_format)).encode("utf-8")).hexdigest()
