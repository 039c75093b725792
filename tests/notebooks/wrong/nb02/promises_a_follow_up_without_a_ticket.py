# Exercise 2.5 — relies on the kit's give_up: "a colleague will follow up", and no colleague is told.
# expect: should open one ticket in the backoffice
# rule: 2.5/give-up-ticket


class GuardedAgent(GuardedAgent):
    def give_up(self, reply):
        return SupportAgent.give_up(self, reply)
