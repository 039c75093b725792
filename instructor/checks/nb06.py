"""Hidden checks of notebook 06: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb06.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks.nb06 import (
    _card,
    _drill,
    _meets,
    _month,
    _no_user_errors,
    _outage,
    _report,
    _reuse,
)
from weekfour.labs.week_four import (
    SLO,
    Visit,
    window_traffic,
)
from weekfour.sandbox import Sandbox
from weekfour.scenarios import Scenario, hallucination

__all__ = [
    "another_month_another_seed",
    "budget_from_notebook_02_at_grading",
    "fallbacks_from_notebook_04_at_grading",
    "guard_from_notebook_01_at_grading",
    "jobs_from_notebook_03_at_grading",
    "pinning_from_notebook_05_at_grading",
    "quota_gone_backup_validated",
    "slo_report_on_a_disaster_and_a_perfect_month",
]


@exercise("6.1", points=1, hidden=True, rules=["6.1/same-as-01"])
def guard_from_notebook_01_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.2", points=1, hidden=True, rules=["6.2/same-as-02"])
def budget_from_notebook_02_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.3", points=1, hidden=True, rules=["6.3/same-as-03"])
def jobs_from_notebook_03_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.4", points=1, hidden=True, rules=["6.4/same-as-04"])
def fallbacks_from_notebook_04_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.5", points=1, hidden=True, rules=["6.5/same-as-05"])
def pinning_from_notebook_05_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.6", points=2, hidden=True, rules=["6.6/breaker-per-provider", "6.6/every-rung-validated"])
def quota_gone_backup_validated(ns: Namespace) -> None:
    rng = ns.rng
    start = round(rng.uniform(1.0, 5.0), 2) * 3600.0
    scenario = hallucination(rate=0.5, injection=1.0) | Scenario(
        name="quota", faults=(_outage(start, start + 3 * 3600.0, "insufficient_quota"),)
    )

    def visits(sb: Sandbox) -> list[Visit]:
        mix = {"status": 40, "refund": 30, "injection": 30}
        return window_traffic(sb, n=40, start=start + 60.0, end=start + 2 * 3600.0, seed=rng.randrange(1_000), mix=mix)

    run = _drill(ns, scenario, visits)
    _no_user_errors(run, "The primary's quota ran out")
    card = run.scorecard()
    backup = float((run.visits["rung"] == "backup").mean())
    if card.wrong_downstream or backup < 0.8:
        raise CheckFailed(
            "With the primary's quota exhausted, the backup should answer, and nothing it invents may pass on.",
            expected={"wrong answers downstream": 0, "answered by the backup": ">= 80%"},
            got={"wrong answers downstream": card.wrong_downstream, "answered by the backup": f"{backup:.0%}"},
        )


@exercise("6.7", points=1, hidden=True, rules=["6.7/five-rows", "6.7/over-target-misses"])
def slo_report_on_a_disaster_and_a_perfect_month(ns: Namespace) -> None:
    slo = SLO(max_error_rate=0.01, max_wrong_rate=0.005, day_cap_usd=0.5, p95_page_s=1.0, max_drift_hits=0)
    rng = ns.rng
    perfect = _card(
        rng, error_rate=0.0, wrong_rate=0.0, worst_day_usd=0.2, p95_page_s=0.01, drift_hits=0, user_errors=0
    )
    disaster = _card(rng, error_rate=0.6, wrong_rate=0.08, worst_day_usd=1.3, p95_page_s=30.0, drift_hits=700)
    for what, card, value in (("a perfect month", perfect, True), ("a disastrous month", disaster, False)):
        got = _report(ns, card, slo)
        if any(v != value for v in got.values()):
            raise CheckFailed(f"slo_report on {what}.", expected={k: value for k in got}, got=got)


@exercise("6.8", points=2, hidden=True, rules=["6.8/replays-hardened"])
def another_month_another_seed(ns: Namespace) -> None:
    run, slo = _month(ns, days=5, n=180)
    _meets(run, slo, "A 5-day production month with another seed")
