"""Checks for notebook 06 (week four in production): the five fixes brought over, their composition, the SLOs, and
the month replayed with the checks' own seeds.

6.1-6.5 reuse the checks of the original exercises (notebooks 01-05) on this notebook's namespace: the learner pastes
the same code, so the same behaviour is asked for, and nothing is checked twice in two ways. 6.6 drives the learner's
``build_hardened`` through short drills, each built so that one plausible wrong composition shows in a production
number. 6.7 and 6.8 judge the SLOs with the checks' own arithmetic, never with the learner's ``slo_report``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from grader._registry import CheckRegistry
from grader.checks import CheckFailed, Namespace, NotAttempted, exercise
from weekfour.labs.capstone import (
    DAY_CAP_USD,
    SLO,
    Deployment,
    MonthRun,
    Scorecard,
    Visit,
    long_chat,
    month_sandbox,
    month_traffic,
    replay,
    window_traffic,
)
from weekfour.sandbox import Sandbox
from weekfour.scenarios import CHAT_FAMILY, Scenario, hallucination, model_update, runaway, slow
from weekfour.types import FaultWindow

Check = Callable[[Namespace], None]

# The loosest SLOs the course accepts: a learner's own may be stricter, never looser.
FLOOR = SLO(max_error_rate=0.01, max_wrong_rate=0.005, day_cap_usd=DAY_CAP_USD, p95_page_s=1.0, max_drift_hits=0)
SLO_ROWS = ("errors", "wrong answers", "spend per day", "p95 request path", "model-update hits")


# What each of 6.1-6.5 brings in: the notebook, the names the learner pastes, and the whole exercises those names are.
BRINGS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "6.1": (
        "01",
        ("Answer", "ANSWER_FORMAT", "parse_answer", "grounding_problems", "answer_confidence", "CONFIDENCE_THRESHOLD"),
        ("1.1", "1.2", "1.3", "1.4"),
    ),
    "6.2": ("02", ("cost_of", "worst_case_cost", "HardBudget", "guard_input", "fit_history"), ("2.1", "2.2", "2.4")),
    "6.3": ("03", ("percentile", "latency_summary", "JobQueue"), ("3.1", "3.2")),
    "6.4": ("04", ("is_retryable", "call_with_retries", "serve", "CircuitBreaker"), ("4.1", "4.2", "4.3", "4.4")),
    "6.5": ("05", ("parse_strict", "pinned_body"), ("5.4",)),
}


def _reuse(ns: Namespace, *, hidden: bool) -> None:
    """Run every check (public, or hidden) of the exercises this one brings in, on this notebook's namespace; say
    which notebook's code to fix when one fails. The checks come from the same registry the grader uses, so a
    private checks folder's hidden checks join too."""
    notebook, names, exercises = BRINGS[ns.exercise]
    if not any(name in ns for name in names):
        raise NotAttempted(
            f"Exercise {ns.exercise} is not attempted yet: paste {', '.join(names)} from notebook {notebook} into its "
            "cell (replacing the `raise NotImplementedError(...)` line), run the cell, then run the check again."
        )
    registry = CheckRegistry()
    for original in exercises:
        info = registry.exercise(original)
        if info is None:
            raise LookupError(f"no checks declare exercise {original}, which exercise {ns.exercise} brings in")
        for spec in info.checks:
            if spec.hidden != hidden:
                continue
            try:
                spec.func(ns)
            except CheckFailed as exc:
                where = "a check that runs at grading" if spec.hidden else f"check `{spec.name}`"
                exc.message = f"[exercise {original}'s {where}] {exc.message}"
                exc.hint = exc.hint or (
                    f'Fix it in notebook {notebook} first (check("{original}") there says the same), then paste again.'
                )
                exc.args = (exc.render(),)
                raise


@exercise("6.1", points=1, title="Bring your guard (notebook 01)", rules=["6.1/same-as-01"])
def guard_from_notebook_01(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.1", points=1, hidden=True, rules=["6.1/same-as-01"])
def guard_from_notebook_01_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.2", points=1, title="Bring your budget and input guards (notebook 02)", rules=["6.2/same-as-02"])
def budget_from_notebook_02(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.2", points=1, hidden=True, rules=["6.2/same-as-02"])
def budget_from_notebook_02_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.3", points=1, title="Bring your percentiles and job queue (notebook 03)", rules=["6.3/same-as-03"])
def jobs_from_notebook_03(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.3", points=1, hidden=True, rules=["6.3/same-as-03"])
def jobs_from_notebook_03_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.4", points=1, title="Bring your retries, fallbacks and breaker (notebook 04)", rules=["6.4/same-as-04"])
def fallbacks_from_notebook_04(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.4", points=1, hidden=True, rules=["6.4/same-as-04"])
def fallbacks_from_notebook_04_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


@exercise("6.5", points=1, title="Bring your pinned requests (notebook 05)", rules=["6.5/same-as-05"])
def pinning_from_notebook_05(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.5", points=1, hidden=True, rules=["6.5/same-as-05"])
def pinning_from_notebook_05_at_grading(ns: Namespace) -> None:
    _reuse(ns, hidden=True)


# --- 6.6 the composition -----------------------------------------------------------------------------------------


def _deploy(ns: Namespace, sb: Sandbox, **kwargs: Any) -> Deployment:
    build = ns.function("build_hardened")
    deployment = build(sb, **kwargs)
    if not isinstance(deployment, Deployment):
        raise CheckFailed(
            "build_hardened should return a Deployment (from weekfour.labs.capstone).",
            expected="Deployment(handler, jobs=...)",
            got=type(deployment).__name__,
        )
    return deployment


def _outage(start: float, end: float, kind: str = "overloaded") -> FaultWindow:
    return FaultWindow(start, end, kind, models=CHAT_FAMILY)  # type: ignore[arg-type]


def _drill(ns: Namespace, scenario: Scenario, visits_of: Callable[[Sandbox], list[Visit]], **kw: Any) -> MonthRun:
    sb = month_sandbox(scenario=scenario, seed=ns.rng.randrange(1_000))
    deployment = _deploy(ns, sb, **kw)
    return replay(sb, deployment, visits_of(sb), name="yours", day_cap=kw.get("day_cap", DAY_CAP_USD))


def _no_user_errors(run: MonthRun, what: str) -> None:
    v = run.visits
    errors = v[v["user_error"]]
    if len(errors):
        raise CheckFailed(
            f"{what}: {len(errors)} of {len(v)} customers got an error page.",
            expected=0,
            got=f"{len(errors)}, e.g. {errors['error'].iloc[0]}",
            hint="Every failure of a rung must end on the next rung (backup, cache, degraded), never in an exception.",
        )


@exercise("6.6", points=3, title="Compose the hardened agent")
def one_budget_sees_both_providers(ns: Namespace) -> None:
    rng = ns.rng
    cap = round(rng.uniform(0.03, 0.05), 3)
    half = round(rng.uniform(4.0, 6.0), 2) * 3600.0
    start = 2 * 3600.0  # 11:00 on Monday
    scenario = slow(p50=2.0) | Scenario(name="primary down all morning", faults=(_outage(0.0, start + half),))

    def visits(sb: Sandbox) -> list[Visit]:
        return window_traffic(sb, n=70, start=start, end=start + 2 * half, seed=rng.randrange(1_000), mix=_PLAIN)

    run = _drill(ns, scenario, visits, day_cap=cap)
    _no_user_errors(run, "A morning outage of the primary with a small daily cap")
    r = run.requests
    by_provider = r.groupby("provider")["cost_usd"].sum().round(4).to_dict()
    spent = float(r["cost_usd"].sum())
    if spent > cap + 1e-9:
        raise CheckFailed(
            f"With build_hardened(sb, day_cap={cap}), the day's spend on both providers together crossed the cap.",
            expected=f"at most ${cap}",
            got=f"${spent:.4f} ({by_provider})",
            hint="The daily cap is one number for the company, not one per provider: one budget must see every "
            "request that leaves, whichever provider and whichever retry attempt it is (weekfour.labs.capstone has "
            "a transport in front of both providers).",
        )
    if run.scorecard().p95_page_s > 1.0:
        raise CheckFailed(
            "The customer's page should not wait for the model.",
            expected="p95 request path <= 1 s",
            got=f"{run.scorecard().p95_page_s:.2f} s",
            hint="Deployment(handler, jobs=...) puts the AI work in a job queue off the request path (notebook 03).",
        )


_PLAIN = {"status": 60, "refund": 20, "policy": 20}


@exercise("6.6", points=3)
def breaker_per_provider_and_every_rung_validated(ns: Namespace) -> None:
    rng = ns.rng
    start = round(rng.uniform(1.0, 6.0), 2) * 3600.0
    length = rng.randint(35, 50) * 60.0
    rate = round(rng.uniform(0.4, 0.6), 2)
    scenario = hallucination(rate=rate, injection=0.8) | Scenario(
        name="outage", faults=(_outage(start, start + length, rng.choice(["overloaded", "server_error"])),)
    )

    def visits(sb: Sandbox) -> list[Visit]:
        mix = {**_PLAIN, "injection": 10}
        return window_traffic(sb, n=60, start=start - 600.0, end=start + length, seed=rng.randrange(1_000), mix=mix)

    run = _drill(ns, scenario, visits)
    _no_user_errors(run, "An outage of the primary while the model hallucinates")
    card = run.scorecard()
    if card.wrong_downstream:
        why = run.visits[run.visits["wrong_downstream"] > 0]["rung"].value_counts().to_dict()
        raise CheckFailed(
            f"While the model invents facts on {rate:.0%} of questions and the primary is down, wrong answers reached "
            "the backoffice.",
            expected=0,
            got=f"{card.wrong_downstream} (answered by rung: {why})",
            hint="The backup's answers come from a model too: every rung's answer goes through the same checks "
            "before anything acts on it.",
        )
    v = run.visits
    during = v[(v["t"] >= start + 120.0) & (v["t"] < start + length)]
    share = float((during["rung"] == "backup").mean()) if len(during) else 0.0
    if share < 0.8:
        raise CheckFailed(
            f"During a {int(length / 60)}-minute outage of the primary, the backup provider is healthy: it should "
            "answer the customers.",
            expected=">= 80% answered by the backup",
            got=f"{share:.0%} ({during['rung'].value_counts().to_dict()})",
            hint="A breaker belongs to one provider: the primary's failures must not stop calls to the backup.",
        )
    hits = int(((run.requests["provider"] == "primary") & run.requests["t_start"].between(start, start + length)).sum())
    if hits > 0.75 * len(during) + 5:
        raise CheckFailed(
            "The dead primary kept receiving requests during its outage.",
            expected=f"at most {int(0.75 * len(during)) + 5}",
            got=hits,
            hint="Every attempt (retries included) asks the primary's own breaker first. A breaker shared with the "
            "backup is closed again by the backup's successes, and the dead primary gets the traffic back.",
        )


@exercise("6.6", points=2)
def bounded_inputs_and_pinned_snapshot(ns: Namespace) -> None:
    rng = ns.rng
    scenario = runaway() | model_update(at=0.0, snapshot="wf-chat-2026-06-01")

    def visits(sb: Sandbox) -> list[Visit]:
        mix = {"long_paste": 30, "status": 40, "missing_order": 15, "all_orders": 15}
        drills = window_traffic(sb, n=24, start=600.0, end=4 * 3600.0, seed=rng.randrange(1_000), mix=mix)
        chat = long_chat(sb, start=3600.0, seed=rng.randrange(1_000))
        return sorted([*drills, *chat], key=lambda v: v.t)

    run = _drill(ns, scenario, visits)
    _no_user_errors(run, "Giant pastes, a conversation longer than the context window, loops and a model update")
    r, v = run.requests, run.visits
    codes = r["error_code"].value_counts().to_dict() if len(r) else {}
    for code, lesson in (
        ("context_length_exceeded", "Bound the input (guard_input) and fit the history (fit_history) before sending."),
        ("unsupported_parameter", "Pin a snapshot and send max_completion_tokens (pinned_body from notebook 05)."),
    ):
        if codes.get(code):
            raise CheckFailed(
                f"The provider answered 400 {code} {codes[code]} times: requests that could never succeed were sent.",
                expected=0,
                got=codes[code],
                hint=lesson,
            )
    answerable = v[v["kind"].isin(["long_paste", "long_chat", "status"])]
    shares = answerable.groupby("kind")["correct"].mean().round(2).to_dict() if len(answerable) else {}
    # Judged kind by kind: on a run with few pastes, a guard that fails every paste would hide in an overall share.
    short = {kind: share for kind, share in shares.items() if share < 0.7}
    if short or not shares:
        raise CheckFailed(
            "Pastes, long conversations and plain status questions should still get a right answer.",
            expected=">= 70% answered right, for each kind",
            got=shares,
            hint="Cut what does not fit instead of refusing the whole question; keep the customer's last line.",
        )
    most = int(v["requests"].max()) if len(v) else 0
    if most > 24:
        raise CheckFailed(
            "A question that sends the model into a tool-call loop should stop after a few steps, on every rung.",
            expected="at most 24 requests for one page load",
            got=most,
            hint="A step ceiling per question (notebook 02), and few retry attempts per step (notebook 04).",
        )


@exercise("6.6", points=2, hidden=True)
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


# --- 6.7 the SLOs ----------------------------------------------------------------------------------------------


def _card(rng: random.Random, **overrides: Any) -> Scorecard:
    visits = rng.randint(200, 3000)
    errors = rng.randint(0, visits // 20)
    wrong = rng.randint(0, visits // 50)
    values: dict[str, Any] = {
        "visits": visits,
        "user_errors": errors,
        "error_rate": errors / visits,
        "wrong_downstream": wrong,
        "wrong_rate": wrong / visits,
        "wrong_refund_usd": round(rng.uniform(0, 500), 2),
        "answered_right": visits - errors - wrong,
        "handed_to_people": rng.randint(0, 50),
        "spend_usd": round(rng.uniform(2, 30), 2),
        "worst_day_usd": round(rng.uniform(0.1, 1.5), 3),
        "days_over_cap": 0,
        "p50_page_s": round(rng.uniform(0.005, 0.5), 3),
        "p95_page_s": round(rng.uniform(0.01, 40.0), 3),
        "p95_answer_s": round(rng.uniform(1, 40), 2),
        "requests": visits * 3,
        "drift_hits": rng.choice([0, 0, rng.randint(1, 400)]),
    }
    values.update(overrides)
    return Scorecard(**values)


def _expected_met(card: Scorecard, slo: SLO) -> dict[str, bool]:
    return {
        "errors": card.error_rate <= slo.max_error_rate,
        "wrong answers": card.wrong_rate <= slo.max_wrong_rate,
        "spend per day": card.worst_day_usd <= slo.day_cap_usd,
        "p95 request path": card.p95_page_s <= slo.p95_page_s,
        "model-update hits": card.drift_hits <= slo.max_drift_hits,
    }


def _report(ns: Namespace, card: Scorecard, slo: SLO) -> dict[str, bool]:
    slo_report = ns.function("slo_report")
    frame = slo_report(card, slo)
    try:
        rows = [str(i) for i in frame.index]
        met = dict(zip(rows, frame["met"], strict=True))
        frame["target"], frame["measured"]  # noqa: B018 - the columns must exist
    except (AttributeError, KeyError, TypeError) as exc:
        raise CheckFailed(
            "slo_report should return a DataFrame indexed by objective, with the columns target, measured and met.",
            expected={"index": list(SLO_ROWS), "columns": ["target", "measured", "met"]},
            got=f"{type(frame).__name__}: {exc}",
        ) from None
    if sorted(rows) != sorted(SLO_ROWS):
        raise CheckFailed("slo_report should have one row per objective.", expected=list(SLO_ROWS), got=rows)
    if not all(isinstance(m, bool) or type(m).__name__ == "bool_" for m in met.values()):
        raise CheckFailed("The met column should hold booleans.", got=list(met.values()))
    return {k: bool(v) for k, v in met.items()}


@exercise("6.7", points=2, title="SLOs as data")
def slo_report_judges_each_objective(ns: Namespace) -> None:
    rng = ns.rng
    slo = SLO(
        max_error_rate=round(rng.uniform(0.001, 0.02), 4),
        max_wrong_rate=round(rng.uniform(0.001, 0.01), 4),
        day_cap_usd=round(rng.uniform(0.3, 1.0), 2),
        p95_page_s=round(rng.uniform(0.2, 3.0), 2),
        max_drift_hits=rng.choice([0, 0, 5]),
    )
    visits = 1000 * rng.randint(2, 4)
    few = int(visits * slo.max_error_rate * 0.5) + 1  # many in absolute terms, a small share of the month
    cases = [
        (
            "a month with many errors in absolute terms but a small rate",
            _card(rng, visits=visits, user_errors=few, error_rate=few / visits),
        ),
        (
            "a month whose total spend is far above the daily cap while no single day is",
            _card(rng, spend_usd=slo.day_cap_usd * 25, worst_day_usd=round(slo.day_cap_usd * 0.9, 3)),
        ),
        (
            "a month exactly on every target",
            _card(
                rng,
                error_rate=slo.max_error_rate,
                wrong_rate=slo.max_wrong_rate,
                worst_day_usd=slo.day_cap_usd,
                p95_page_s=slo.p95_page_s,
                drift_hits=slo.max_drift_hits,
            ),
        ),
        ("a random month", _card(rng)),
        ("another random month", _card(rng)),
    ]
    for what, card in cases:
        want = _expected_met(card, slo)
        got = _report(ns, card, slo)
        wrong = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
        if wrong:
            raise CheckFailed(
                f"slo_report judged {what} wrongly (objective: (expected met, got met)).",
                expected={k: v[0] for k, v in wrong.items()},
                got={k: v[1] for k, v in wrong.items()},
                hint="Rates are shares of page loads; the cap bounds each day, not the month; a value exactly on "
                "its target meets it.",
            )


@exercise("6.7", points=1)
def slos_are_worth_having(ns: Namespace) -> None:
    slos = ns.get("SLOS")
    if not isinstance(slos, SLO):
        raise CheckFailed("SLOS should be an SLO (from weekfour.labs.capstone).", got=type(slos).__name__)
    loose = {
        name: (getattr(slos, name), getattr(FLOOR, name))
        for name in ("max_error_rate", "max_wrong_rate", "day_cap_usd", "p95_page_s", "max_drift_hits")
        if getattr(slos, name) > getattr(FLOOR, name)
    }
    if loose:
        raise CheckFailed(
            "Some objectives are looser than the course's floor (a customer-facing assistant promises at least "
            "this much).",
            expected={k: f"<= {v[1]}" for k, v in loose.items()},
            got={k: v[0] for k, v in loose.items()},
            hint="An SLO nobody can miss protects nobody: at most 1% error pages, 0.5% wrong answers, finance's cap "
            "per day, a page that answers within a second, no customer hit by a model update.",
        )
    if slos.p95_page_s <= 0 or slos.day_cap_usd <= 0 or slos.max_error_rate < 0 or slos.max_wrong_rate < 0:
        raise CheckFailed("An objective nobody can meet is not an objective either.", got=slos)


@exercise("6.7", points=1, hidden=True)
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


# --- 6.8 the month -----------------------------------------------------------------------------------------------


def _slos(ns: Namespace) -> SLO:
    slos = ns.get("SLOS")
    if not isinstance(slos, SLO):
        raise CheckFailed("SLOS should be an SLO (exercise 6.7).", got=type(slos).__name__)
    return SLO(**{name: min(getattr(slos, name), getattr(FLOOR, name)) for name in FLOOR.__dataclass_fields__})


def _month(ns: Namespace, days: int, n: int) -> tuple[MonthRun, SLO]:
    hardened_month = ns.function("hardened_month")
    seed = ns.rng.randrange(1_000)
    sb = month_sandbox(days=days, seed=seed)
    visits = month_traffic(sb, n=n, seed=ns.rng.randrange(1_000))
    run = hardened_month(sb, visits)
    if not isinstance(run, MonthRun):
        raise CheckFailed("hardened_month should return the MonthRun that replay() gives.", got=type(run).__name__)
    if len(run.visits) != len(visits):
        raise CheckFailed(
            "hardened_month should replay every visit it is given.", expected=len(visits), got=len(run.visits)
        )
    return run, _slos(ns)


def _meets(run: MonthRun, slo: SLO, what: str) -> None:
    card = run.scorecard()
    missed = {k: v for k, v in _expected_met(card, slo).items() if not v}
    if missed:
        measured = {
            "errors": f"{card.error_rate:.2%} of page loads",
            "wrong answers": f"{card.wrong_rate:.2%} of page loads",
            "spend per day": f"worst day ${card.worst_day_usd:.3f}",
            "p95 request path": f"{card.p95_page_s:.2f} s",
            "model-update hits": card.drift_hits,
        }
        raise CheckFailed(
            f"{what}: the hardened deployment missed {len(missed)} SLO(s).",
            expected={k: "met" for k in missed},
            got={k: measured[k] for k in missed},
            hint="Read the scorecard and the day the trouble started (DayExplorer) to see which layer let it through.",
        )


@exercise("6.8", points=3, title="Pass the month")
def hardened_month_meets_the_slos(ns: Namespace) -> None:
    run, slo = _month(ns, days=6, n=220)
    _meets(run, slo, "A 6-day production month with the check's own seed")


@exercise("6.8", points=2, hidden=True)
def another_month_another_seed(ns: Namespace) -> None:
    run, slo = _month(ns, days=5, n=180)
    _meets(run, slo, "A 5-day production month with another seed")
