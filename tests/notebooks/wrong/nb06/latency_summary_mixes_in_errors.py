# Exercise 6.3 — pastes a latency_summary whose percentiles include the fast errors: an outage improves the p50.
# expect: notebook 03
# rule: 6.3/same-as-03
def latency_summary(log):
    entries = list(log)
    errors = sum(1 for e in entries if not e.ok)
    summary = {"requests": len(entries), "errors": errors}
    for p in (50, 95, 99):
        summary[f"p{p}"] = percentile([e.latency_s for e in entries], p) if entries else math.nan
    return summary
