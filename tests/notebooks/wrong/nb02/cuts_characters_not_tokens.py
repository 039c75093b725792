# Exercise 2.4 — "about four characters per token": true for prose, not for a log full of digits and punctuation.
# expect: Characters are not tokens
# rule: 2.4/input-at-most-max


def guard_input(text, *, max_tokens=2_000):
    if len(text) <= max_tokens * 4:
        return text, None
    return text[-max_tokens * 4 :], f"Your message was too long; I kept the last {max_tokens * 4:,} characters."
