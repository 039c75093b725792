# Exercise 5.4 — only the catalog's aliases are refused: "gpt-4o" or a typo goes to the provider as a model name.
# expect: is not a pinned snapshot
# rule: 5.4/snapshot-only


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    if model in CATALOG.aliases():
        raise ValueError(f"{model!r} is an alias")
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
