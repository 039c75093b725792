# Exercise 5.4 — any model name goes through, so production keeps following whatever the alias points at today.
# expect: is not a pinned snapshot
# rule: 5.4/snapshot-only


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
