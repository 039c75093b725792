# Exercise 5.4 — the snapshot is pinned, but the body still sends the deprecated max_tokens.
# expect: max_completion_tokens = max_output and no max_tokens
# rule: 5.4/max-completion-tokens


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    if model not in CATALOG.snapshots():
        raise ValueError(f"{model!r} is not a snapshot")
    body = {"model": model, "messages": messages, "tools": tools, "max_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
