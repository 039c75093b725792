# Exercise 1.5 — reask without the error
# expect: tell the model what was wrong
# Re-asks with a bare 'try again': the model never learns what was wrong, and says it again.
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821
REASK = "That answer was not valid. Please try again."
