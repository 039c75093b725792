# Exercise 6.7 — compares the month's total spend with the daily cap.
# expect: spend per day
# rule: 6.7/measured-from-scorecard
_report = slo_report


def slo_report(card, slo):
    frame = _report(card, slo)
    frame.loc["spend per day", "measured"] = card.spend_usd
    frame.loc["spend per day", "met"] = bool(card.spend_usd <= slo.day_cap_usd)
    return frame
