# Exercise 6.5 — "pins" whatever name it is given, aliases included: the alias moves when the provider says so.
# expect: notebook 05
# rule: 6.5/same-as-05
def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
