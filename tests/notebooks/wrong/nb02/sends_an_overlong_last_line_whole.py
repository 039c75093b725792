# Exercise 2.4 — keeps the last line whatever its size: a one-line paste goes out at full length.
# expect: should fit in max_tokens
# rule: 2.4/input-long-last-line
_guard_input = guard_input


def guard_input(text, *, max_tokens=2_000):
    last = text.rstrip().rpartition("\n")[2]
    if count_tokens(last) > max_tokens:
        return last, "Your message was cut to its last line."
    return _guard_input(text, max_tokens=max_tokens)
