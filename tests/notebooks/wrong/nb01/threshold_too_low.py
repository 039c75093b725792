# Exercise 1.4 — threshold too low
# expect: invented answers still passed
# The right measure, a threshold so low that invented answers (p around 0.1-0.3) still pass.
# Overlays the solution notebook's namespace: the learner's other names come from there.
# ruff: noqa: F821
CONFIDENCE_THRESHOLD = 0.05
