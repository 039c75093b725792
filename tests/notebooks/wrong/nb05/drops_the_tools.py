# Exercise 5.4 — the tools are left out of the body: the agent can no longer look an order up.
# expect: send the tools as given
# rule: 5.4/body-as-given


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    if model not in CATALOG.snapshots():
        raise ValueError(f"{model!r} is not a pinned snapshot")
    body = {"model": model, "messages": messages, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
