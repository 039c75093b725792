# Exercise 6.6 — a hand-built body on the alias "wf-chat" with max_tokens: the model update breaks it.
# expect: unsupported_parameter
# rule: 6.6/pinned-snapshot
class HardenedAgent(HardenedAgent):
    def request_body(self, messages):
        window = min(self.catalog.resolve(self.model).context_window, self.context_budget)
        fitted = fit_history(messages, context_window=window, reserve=self.max_tokens, tools=self.tools)
        model = "wf-chat" if self.model.startswith("wf-chat") else self.model
        return {
            "model": model,
            "messages": fitted,
            "tools": self.tools,
            "max_tokens": self.max_tokens,
            "response_format": ANSWER_FORMAT,
            "logprobs": True,
        }
