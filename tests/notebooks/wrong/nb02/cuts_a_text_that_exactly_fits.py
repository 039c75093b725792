# Exercise 2.4 — uses < where the rule says "at most": a message of exactly max_tokens tokens is cut anyway.
# expect: a message of exactly max_tokens
# rule: 2.4/input-fits-unchanged
_guard_input = guard_input


def guard_input(text, *, max_tokens=2_000):
    if count_tokens(text) >= max_tokens:
        return _guard_input(text, max_tokens=max_tokens - 1)[0], "Your message was cut."
    return text, None
