# Exercise 5.4 — the default cap is 256 tokens, not the documented 512: long policy answers get cut off.
# expect: cap the output at max_output = 512
# rule: 5.4/max-completion-tokens


def pinned_body(messages, *, model, tools, response_format=None, max_output=256):
    if model not in CATALOG.snapshots():
        raise ValueError(f"{model!r} is not a pinned snapshot")
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
