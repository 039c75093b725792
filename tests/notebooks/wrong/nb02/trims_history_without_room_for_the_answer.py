# Exercise 2.4 — fits the prompt to the whole window: the model has no tokens left to answer with.
# expect: should leave room for the answer
# rule: 2.4/history-room-for-answer
_fit_history = fit_history


def fit_history(messages, *, context_window, reserve, tools=None):
    return _fit_history(messages, context_window=context_window, reserve=0, tools=tools)
