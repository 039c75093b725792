# Exercise 2.4 — cuts silently: the customer never learns that most of their message was not read.
# expect: the customer should be told their message was cut
# rule: 2.4/input-notice
_guard_input = guard_input


def guard_input(text, *, max_tokens=2_000):
    return _guard_input(text, max_tokens=max_tokens)[0], None
