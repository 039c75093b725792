# Exercise 6.4 — backs off on its own schedule and ignores the wait the 429 asked for.
# expect: notebook 04
# rule: 6.4/same-as-04
def retry_after(response):
    return None
