# Exercise 2.4 — drops the oldest message one at a time: a tool result can lose the call it answers (a 400).
# expect: left a tool result without the assistant message that called it
# rule: 2.4/history-no-orphan-tool


def fit_history(messages, *, context_window, reserve, tools=None):
    kept = list(messages)
    while len(kept) > 2 and count_message_tokens(kept, tools) + reserve > context_window:
        del kept[1]
    return kept
