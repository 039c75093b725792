# Exercise 1.4 — threshold too high
# expect: correct answers that the model was sure of
# rule: 1.4/threshold-separates
# "Better safe than sorry": a threshold so high that answers the model was sure of go to a person too.
CONFIDENCE_THRESHOLD = 0.99
