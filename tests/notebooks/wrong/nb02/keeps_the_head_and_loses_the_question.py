# Exercise 2.4 — keeps the first tokens: the question at the end of the paste is gone.
# expect: (the last line of the paste) must survive the cut
# rule: 2.4/input-keeps-last-line


def guard_input(text, *, max_tokens=2_000):
    if count_tokens(text) <= max_tokens:
        return text, None
    return truncate_tokens(text, max_tokens), f"Your message was cut to {max_tokens:,} tokens."
