# Exercise 5.1 — only the template is hashed: a new schema (or strict mode) under the same version goes unnoticed.
# expect: prompt_hash should change when the response_format changes
# rule: 5.1/hash-any-change

import hashlib


def prompt_hash(template, response_format=None):
    return hashlib.sha256(template.encode("utf-8")).hexdigest()
