# Exercise 1.4 — threshold too low
# expect: invented answers still passed
# rule: 1.4/threshold-separates
# The right measure, a threshold so low that invented answers (p around 0.1-0.3) still pass.
CONFIDENCE_THRESHOLD = 0.05
