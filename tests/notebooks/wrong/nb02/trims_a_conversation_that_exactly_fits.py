# Exercise 2.4 — "fits" taken as strictly under the window: prompt + reserve == window loses its oldest message.
# expect: prompt + reserve exactly fills the window
# rule: 2.4/history-fits-unchanged


def fit_history(messages, *, context_window, reserve, tools=None):
    if count_message_tokens(messages, tools) + reserve < context_window:
        return list(messages)
    head, rest = messages[:1], messages[1:]
    while len(rest) > 1:  # drop first, then look
        rest = rest[1:]
        while len(rest) > 1 and rest[0]["role"] == "tool":
            rest = rest[1:]
        if count_message_tokens(head + rest, tools) + reserve <= context_window:
            break
    return head + rest
