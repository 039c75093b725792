# Exercise 1.4 — threshold as a percentage
# expect: strictly between 0 and 1
# rule: 1.4/threshold-range
# "50% sure": the threshold is written in per cent, so every answer falls below it.
CONFIDENCE_THRESHOLD = 50
