# Exercise 3.1 — one pass to count, another to collect the latencies: a generator is empty the second time.
# expect: read the log more than once
# rule: 3.1/summary-any-iterable

import math


def latency_summary(log):
    requests = sum(1 for _ in log)
    ok = [e.latency_s for e in log if e.ok]
    summary = {"requests": requests, "errors": requests - len(ok)}
    for p in (50, 95, 99):
        summary[f"p{p}"] = percentile(ok, p) if ok else math.nan
    return summary
