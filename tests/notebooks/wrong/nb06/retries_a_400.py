# Exercise 6.4 — retries every failure, a 400 or an empty quota included.
# expect: notebook 04
# rule: 6.4/same-as-04
def is_retryable(failure):
    return True
