# Exercise 2.4 — over the window, sends just the system message and the question: the whole chat is forgotten.
# expect: dropped more than it had to
# rule: 2.4/history-drops-oldest


def fit_history(messages, *, context_window, reserve, tools=None):
    if count_message_tokens(messages, tools) + reserve <= context_window:
        return list(messages)
    head = [m for m in messages if m["role"] in ("system", "developer")]
    return head + messages[-1:]
