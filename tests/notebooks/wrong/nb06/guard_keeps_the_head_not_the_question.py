# Exercise 6.2 — cuts a giant paste to size by keeping its beginning, which drops the question at the end.
# expect: notebook 02
# rule: 6.2/same-as-02
def guard_input(text, *, max_tokens=2_000):
    if count_tokens(text) <= max_tokens:
        return text, None
    return truncate_tokens(text, max_tokens), "Your message was too long; I read the first part."
