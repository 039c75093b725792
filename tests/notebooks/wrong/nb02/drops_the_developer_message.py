# Exercise 2.4 — keeps only role "system" at the head: the developer instructions are the first thing trimmed.
# expect: system/developer message(s) the conversation opens with
# rule: 2.4/history-keeps-head-and-latest


def fit_history(messages, *, context_window, reserve, tools=None):
    if count_message_tokens(messages, tools) + reserve <= context_window:
        return list(messages)
    head, rest = messages[:1], messages[1:]
    while len(rest) > 1 and (
        count_message_tokens(head + rest, tools) + reserve > context_window or rest[0]["role"] == "tool"
    ):
        rest = rest[1:]
    return head + rest
