# Exercise 2.5 — guards the input but drops the notice: the customer thinks the whole paste was read.
# expect: the customer should read the input notice first
# rule: 2.5/input-guarded


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        text, _ = guard_input(question, max_tokens=self.max_input_tokens)
        return super().ask(text, history)
