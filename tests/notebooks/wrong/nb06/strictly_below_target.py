# Exercise 6.7 — a value exactly on its target counts as a miss.
# expect: a value exactly on its target meets it
# rule: 6.7/on-target-meets
_report = slo_report


def slo_report(card, slo):
    frame = _report(card, slo)
    frame["met"] = [bool(m < t) for m, t in zip(frame["measured"], frame["target"], strict=True)]
    return frame
