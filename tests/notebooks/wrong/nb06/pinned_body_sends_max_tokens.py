# Exercise 6.5 — pins the snapshot but still sends max_tokens, which the newer snapshot rejects.
# expect: notebook 05
# rule: 6.5/same-as-05
def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    if model not in CATALOG.snapshots():
        raise ValueError(f"{model!r} is not a pinned snapshot")
    body = {"model": model, "messages": messages, "tools": tools, "max_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
