# Exercise 1.5 — ignores confidence
# expect: take the safe path
# rule: 1.5/low-confidence
# Schema and grounding, but no confidence gate: confident-sounding invented answers go out.


class GuardedAgent(GuardedAgent):
    threshold = 0.0
