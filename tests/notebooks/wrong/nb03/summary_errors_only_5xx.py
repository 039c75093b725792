# Exercise 3.1 — counts only HTTP 5xx as errors: 429s and timeouts disappear from the report.
# expect: latency_summary(log)['errors'] is wrong
# rule: 3.1/summary-errors-not-ok


def latency_summary(log):
    entries = list(log)
    ok = [e.latency_s for e in entries if e.ok]
    errors = sum(1 for e in entries if isinstance(e.status, int) and e.status >= 500)
    return {"requests": len(entries), "errors": errors, **{f"p{p}": percentile(ok, p) for p in (50, 95, 99)}}
