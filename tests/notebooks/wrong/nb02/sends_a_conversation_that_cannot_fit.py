# Exercise 2.4 — when nothing fits, sends what is left anyway: the API answers 400 instead of the caller deciding.
# expect: should raise ValueError
# rule: 2.4/history-too-long
_fit_history = fit_history


def fit_history(messages, *, context_window, reserve, tools=None):
    try:
        return _fit_history(messages, context_window=context_window, reserve=reserve, tools=tools)
    except ValueError:
        head = [m for m in messages if m["role"] in ("system", "developer")]
        return head + messages[-1:]
