# Exercise 6.7 — judges the request path by the time to an answer, which the queue keeps off the page.
# expect: measured
# rule: 6.7/measured-from-scorecard
def slo_report(card, slo):
    rows = {
        "errors": (slo.max_error_rate, card.error_rate),
        "wrong answers": (slo.max_wrong_rate, card.wrong_rate),
        "spend per day": (slo.day_cap_usd, card.worst_day_usd),
        "p95 request path": (slo.p95_page_s, card.p95_answer_s),
        "model-update hits": (slo.max_drift_hits, card.drift_hits),
    }
    return pd.DataFrame([{"target": t, "measured": m, "met": bool(m <= t)} for t, m in rows.values()], index=list(rows))
