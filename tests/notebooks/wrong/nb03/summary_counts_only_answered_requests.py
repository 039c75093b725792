# Exercise 3.1 — "requests" counts the answered ones only: the error rate reads 12 of 30 instead of 12 of 42.
# expect: latency_summary(log)['requests'] is wrong
# rule: 3.1/summary-counts-requests

import math


def latency_summary(log):
    entries = list(log)
    ok = [e.latency_s for e in entries if e.ok]
    summary = {"requests": len(ok), "errors": len(entries) - len(ok)}
    for p in (50, 95, 99):
        summary[f"p{p}"] = percentile(ok, p) if ok else math.nan
    return summary
