# Exercise 1.5 — ignores confidence
# expect: take the safe path
# Schema and grounding, but no confidence gate: confident-sounding invented answers go out.
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821


class GuardedAgent(GuardedAgent):
    threshold = 0.0
