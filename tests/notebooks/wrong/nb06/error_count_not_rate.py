# Exercise 6.7 — compares the number of error pages with a target that is a rate.
# expect: errors
# rule: 6.7/measured-from-scorecard
_report = slo_report


def slo_report(card, slo):
    frame = _report(card, slo)
    frame.loc["errors", "measured"] = card.user_errors
    frame.loc["errors", "met"] = bool(card.user_errors <= slo.max_error_rate)
    return frame
