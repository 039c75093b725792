# Exercise 2.4 — sends the last line alone: the question survives, every line of context around it is thrown away.
# expect: the rest of the room should hold the paste's beginning
# rule: 2.4/input-keeps-the-start


def guard_input(text, *, max_tokens=2_000):
    if count_tokens(text) <= max_tokens:
        return text, None
    last = text.rstrip().rpartition("\n")[2]
    return last, "Your message was long: I only read its last line."
