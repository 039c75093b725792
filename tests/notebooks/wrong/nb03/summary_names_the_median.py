# Exercise 3.1 — calls the 50th percentile "median": every dashboard that reads p50 breaks.
# expect: has no key 'p50'
# rule: 3.1/summary-keys

import math


def latency_summary(log):
    entries = list(log)
    ok = [e.latency_s for e in entries if e.ok]
    nan = math.nan
    return {
        "requests": len(entries),
        "errors": len(entries) - len(ok),
        "median": percentile(ok, 50) if ok else nan,
        "p95": percentile(ok, 95) if ok else nan,
        "p99": percentile(ok, 99) if ok else nan,
    }
