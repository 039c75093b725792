# Exercise 2.5 — answers the customer with str(refusal): prices, limits and "raise the budget" reach the chat window.
# expect: without prices or internals
# rule: 2.5/refusal-answered


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        text, notice = guard_input(question, max_tokens=self.max_input_tokens)
        try:
            reply = SupportAgent.ask(self, text, history)
        except BudgetExceeded as exc:
            reply = self.start(text, history)
            reply.finished = False
            reply.answer = str(exc)
            self.backoffice.open_ticket(None, f"Budget refused an answer ({exc.scope}): {question[:200]}")
        if notice:
            reply.answer = f"{notice}\n\n{reply.answer}"
        return reply
