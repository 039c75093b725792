# Exercise 2.5: relies on the kit's give_up: "a colleague will follow up", and no colleague is told.
# ruff: noqa: F821  (the names come from the solution notebook this file is overlaid on)
class GuardedAgent(GuardedAgent):
    def give_up(self, reply):
        return SupportAgent.give_up(self, reply)
