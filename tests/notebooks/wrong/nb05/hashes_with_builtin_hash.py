# Exercise 5.1 — Python's built-in hash(): equal within one kernel, different in the next process (and not SHA-256).
# expect: should be a hex SHA-256 digest
# rule: 5.1/hash-sha256
import json


def prompt_hash(template, response_format=None):
    return format(hash(json.dumps([template, response_format], sort_keys=True)) & (2**64 - 1), "x")
