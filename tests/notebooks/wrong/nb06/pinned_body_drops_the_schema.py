# Exercise 6.5 — pastes a pinned_body that leaves out response_format: the strict schema is never asked for.
# expect: notebook 05
# rule: 6.5/same-as-05
_pinned_with_schema = pinned_body


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    return _pinned_with_schema(messages, model=model, tools=tools, response_format=None, max_output=max_output)
