# Exercise 3.1 — every entry's latency goes into the percentiles, 40 ms 429s included: p50 "improves" in an outage.
# expect: Only successful entries (entry.ok) go into the percentiles
# rule: 3.1/summary-ok-latency-only


def latency_summary(log):
    entries = list(log)
    seconds = [e.latency_s for e in entries]
    errors = sum(1 for e in entries if not e.ok)
    return {"requests": len(entries), "errors": errors, **{f"p{p}": percentile(seconds, p) for p in (50, 95, 99)}}
