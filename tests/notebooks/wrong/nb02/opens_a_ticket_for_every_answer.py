# Exercise 2.5 — opens a ticket after every answer "to be safe": the backoffice drowns in tickets nobody needs.
# expect: an ordinary question should still be answered normally, with no ticket
# rule: 2.5/ordinary-unchanged


class GuardedAgent(GuardedAgent):
    def ask(self, question, history=None):
        reply = super().ask(question, history)
        if reply.finished:
            self.backoffice.open_ticket(None, f"Answered: {question[:200]}")
        return reply
