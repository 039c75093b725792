# exercise: 5.4
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# Any model name goes through, so production keeps following whatever the alias points at today.


def pinned_body(messages, *, model, tools, response_format=None, max_output=512):
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body
