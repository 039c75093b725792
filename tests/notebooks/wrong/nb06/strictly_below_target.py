# Exercise 6.7 — a value exactly on its target counts as a miss.
# expect: exactly on every target
# ruff: noqa: F821
_report = slo_report


def slo_report(card, slo):
    frame = _report(card, slo)
    frame["met"] = [bool(m < t) for m, t in zip(frame["measured"], frame["target"], strict=True)]
    return frame
