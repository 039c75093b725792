# Exercise 2.5 — opens the ticket with no order: the colleague who follows up has to ask the customer again.
# expect: should open a ticket for that order
# rule: 2.5/give-up-ticket


class GuardedAgent(GuardedAgent):
    def give_up(self, reply):
        reply = SupportAgent.give_up(self, reply)
        self.backoffice.open_ticket(None, f"Stopped after {reply.steps} model calls: {reply.question[:200]}")
        reply.answer = "I couldn't finish this, so I've opened a ticket: a colleague will reply by email."
        return reply
