# Exercise 2.5 — checks the ceiling after the model call instead of before: one more paid request than allowed.
# expect: should send exactly
# rule: 2.5/step-ceiling


class GuardedAgent(GuardedAgent):
    def __init__(self, client, *, max_steps=6, **kwargs):
        super().__init__(client, max_steps=max_steps + 1, **kwargs)
