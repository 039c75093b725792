# Exercise 2.5 — guards the input but lets BudgetExceeded escape: the customer gets an error page.
# expect: a budget refusal reached the customer as an exception
# rule: 2.5/refusal-answered


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        text, notice = guard_input(question, max_tokens=self.max_input_tokens)
        reply = SupportAgent.ask(self, text, history)
        if notice:
            reply.answer = f"{notice}\n\n{reply.answer}"
        return reply
