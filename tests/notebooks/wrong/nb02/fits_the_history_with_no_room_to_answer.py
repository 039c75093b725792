# Exercise 2.5 — fits the history to the whole window: the request then asks for max_tokens more and gets a 400.
# expect: without leaving max_tokens
# rule: 2.5/history-fitted


class GuardedAgent(GuardedAgent):
    def call_model(self, messages):
        window = self.catalog.resolve(self.model).context_window
        fitted = fit_history(messages, context_window=window, reserve=0, tools=self.tools)
        return SupportAgent.call_model(self, fitted)
