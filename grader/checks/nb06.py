"""Checks for notebook 06 (week four in production): the five fixes brought over, their composition, the SLOs, and
the month replayed with the checks' own seeds.

6.1-6.5 reuse the checks of the original exercises (notebooks 01-05) on this notebook's namespace: the learner pastes
the same code, so the same behaviour is asked for, and nothing is checked twice in two ways. 6.6 drives the learner's
``build_hardened`` through short drills, each built so that one plausible wrong composition shows in a production
number. 6.7 and 6.8 judge the SLOs with the checks' own arithmetic, never with the learner's ``slo_report``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Callable
from typing import Any

import httpx

from grader._registry import CheckRegistry
from grader.checks import CheckFailed, Namespace, NotAttempted, exercise
from grader.checks._helpers import expected_worst_case, must_raise
from weekfour.catalog import Catalog
from weekfour.labs.week_four import (
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
from weekfour.types import FaultKind, FaultWindow

Check = Callable[[Namespace], None]

# The loosest SLOs the course accepts: a learner's own may be stricter, never looser.
FLOOR = SLO(max_error_rate=0.01, max_wrong_rate=0.005, day_cap_usd=DAY_CAP_USD, p95_page_s=1.0, max_drift_hits=0)
SLO_ROWS = ("errors", "wrong answers", "spend per day", "p95 request path", "model-update hits")


RULES = {
    "6.1/same-as-01": "the pasted names pass every check of exercises 1.1-1.4 (public here, hidden at grading)",
    "6.2/same-as-02": "the pasted names pass every check of exercises 2.1, 2.2, 2.4 (public here, hidden at grading)",
    "6.3/same-as-03": "the pasted names pass every check of exercises 3.1 and 3.2 (public here, hidden at grading)",
    "6.4/same-as-04": "the pasted names pass every check of exercises 4.1-4.4 (public here, hidden at grading)",
    "6.5/same-as-05": "the pasted names pass every check of exercise 5.4 (public here, hidden at grading)",
    "6.6/one-budget-both-providers": "one HardBudget in the transport sees every request to both providers: the day's "
    "spend on both together stays within day_cap",
    "6.6/per-request-ceiling": "the budget refuses, before sending, a request whose worst case is over $0.05; one at "
    "or under it goes out",
    "6.6/off-request-path": "Deployment(handler, jobs=JobQueue): the page never waits for the model",
    "6.6/breaker-per-provider": "each provider has its own breaker: the primary's outage never stops the backup",
    "6.6/every-rung-validated": "every rung's answer is parsed, grounded and confidence-checked before it is acted on",
    "6.6/input-bounded": "guard_input runs first and the history is fitted to the context budget: no 400 "
    "context_length_exceeded",
    "6.6/pinned-snapshot": "the body comes from pinned_body on the dated snapshot: no 400 unsupported_parameter",
    "6.6/steps-bounded": "the loop makes at most max_steps model calls, then takes safe_path",
    "6.6/breaker-every-attempt": "every attempt (retries included) asks this agent's breaker first; an open breaker "
    "raises CircuitOpen and sends nothing",
    "6.6/breaker-outcomes": "a transport error, a 429 or a 5xx is recorded as a failure; anything else, a 400 "
    "included, as a success",
    "6.6/final-failure-raises": "an unsuccessful final response raises (raise_for_status); a successful one returns "
    "its JSON",
    "6.6/one-reask": "an answer that fails parsing or grounding gets exactly one re-ask (REASK, with the problem); a "
    "second problem takes safe_path",
    "6.6/low-confidence-safe-path": "an answer whose confidence is below CONFIDENCE_THRESHOLD takes safe_path at once "
    "(reason: low confidence); exactly on the threshold it is accepted",
    "6.6/notice-in-front": "an accepted answer to a cut input carries guard_input's notice in front of it; any other "
    "answer is the model's answer as it is",
    "6.6/primary-first": 'the rungs are the primary ("primary", on the pinned snapshot) then the backup '
    '("backup", on backup-chat-1): a healthy primary answers',
    "6.6/read-timeout": "each client has a read timeout of at most 10 s",
    "6.6/named-hardened": 'the Deployment is named "hardened"',
    "6.7/five-rows": "slo_report is a DataFrame indexed by the five objectives with the columns target, measured, met "
    "(a bool)",
    "6.7/measured-from-scorecard": "target is the SLO's value and measured the Scorecard's error_rate, wrong_rate, "
    "worst_day_usd, p95_page_s, drift_hits (rates, not counts; the worst day, not the month)",
    "6.7/on-target-meets": "a value exactly on its target meets it",
    "6.7/over-target-misses": "a value just over its target misses it, objective by objective",
    "6.7/slos-at-floor": "SLOS is no looser than 1% errors, 0.5% wrong answers, DAY_CAP_USD a day, a p95 of 1 s, 0 "
    "model-update hits",
    "6.7/slos-meetable": "no objective of SLOS is one nobody can meet (a negative rate or count, a zero cap or p95)",
    "6.8/replays-hardened": "hardened_month replays the visits against build_hardened: the month meets the SLOs",
    "6.8/capped-by-slo": "the deployment and the replay are capped by SLOS.day_cap_usd, whatever its value",
    "6.8/every-visit": "hardened_month returns the MonthRun of replay() over every visit it is given",
    "6.8/named-hardened": 'the run is named "hardened" (scorecards and plots label it so)',
}


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
                exc.message = f"[notebook {notebook}, exercise {original}'s {where}] {exc.message}"
                exc.hint = exc.hint or (
                    f'Fix it in notebook {notebook} first (check("{original}") there says the same), then paste again.'
                )
                exc.args = (exc.render(),)
                raise


@exercise("6.1", points=1, title="Bring your guard (notebook 01)", rules=["6.1/same-as-01"])
def guard_from_notebook_01(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.2", points=1, title="Bring your budget and input guards (notebook 02)", rules=["6.2/same-as-02"])
def budget_from_notebook_02(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.3", points=1, title="Bring your percentiles and job queue (notebook 03)", rules=["6.3/same-as-03"])
def jobs_from_notebook_03(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.4", points=1, title="Bring your retries, fallbacks and breaker (notebook 04)", rules=["6.4/same-as-04"])
def fallbacks_from_notebook_04(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


@exercise("6.5", points=1, title="Bring your pinned requests (notebook 05)", rules=["6.5/same-as-05"])
def pinning_from_notebook_05(ns: Namespace) -> None:
    _reuse(ns, hidden=False)


# --- 6.6 the composition -----------------------------------------------------------------------------------------


def _deploy(ns: Namespace, sb: Sandbox, **kwargs: Any) -> Deployment:
    build = ns.function("build_hardened")
    deployment = build(sb, **kwargs)
    if not isinstance(deployment, Deployment):
        raise CheckFailed(
            "build_hardened should return a Deployment (from weekfour.labs.week_four).",
            expected="Deployment(handler, jobs=...)",
            got=type(deployment).__name__,
        )
    return deployment


def _outage(start: float, end: float, kind: FaultKind = "overloaded") -> FaultWindow:
    return FaultWindow(start, end, kind, models=CHAT_FAMILY)


def _drill(ns: Namespace, scenario: Scenario, visits_of: Callable[[Sandbox], list[Visit]], **kw: Any) -> MonthRun:
    sb = month_sandbox(scenario=scenario, seed=ns.rng.randrange(1_000))
    deployment = _deploy(ns, sb, **kw)
    return replay(sb, deployment, visits_of(sb), name="yours", day_cap=kw.get("day_cap", DAY_CAP_USD))


PRIMARY_SNAPSHOT = "wf-chat-2026-01-15"
PER_REQUEST_USD = 0.05  # the exercise's per-request ceiling


def _worst_of(request: httpx.Request, catalog: Catalog) -> float:
    try:
        body = json.loads(request.content)
        return expected_worst_case(body, catalog)
    except Exception:  # noqa: BLE001 - a body the provider will refuse anyway costs nothing
        return 0.0


def _watched(sb: Sandbox, scale: float) -> tuple[list[float], list[float]]:
    """Price the primary's snapshot ``scale`` times dearer in the catalog the learner's budget reads (the provider
    still bills its own prices), and watch both ends of the budget: the worst case of every request a client of
    ``sb`` tried to send, and of every request that reached the primary."""
    specs = [
        dataclasses.replace(
            s, usd_per_1m_input=s.usd_per_1m_input * scale, usd_per_1m_output=s.usd_per_1m_output * scale
        )
        if s.id == PRIMARY_SNAPSHOT
        else s
        for s in sb.catalog
    ]
    sb.catalog = Catalog(specs, sb.catalog.aliases())
    tried: list[float] = []
    reached: list[float] = []
    make_client, make_transport, catalog = sb.client, sb.provider.transport, sb.catalog

    def record(request: httpx.Request) -> None:
        tried.append(_worst_of(request, catalog))

    def client(**kwargs: Any) -> httpx.Client:
        hooks = dict(kwargs.pop("event_hooks", None) or {})
        hooks["request"] = [*hooks.get("request", []), record]
        return make_client(event_hooks=hooks, **kwargs)

    def transport() -> httpx.MockTransport:
        inner = make_transport()

        def handle(request: httpx.Request) -> httpx.Response:
            reached.append(_worst_of(request, catalog))
            return inner.handle_request(request)

        return httpx.MockTransport(handle)

    sb.client = client
    sb.provider.transport = transport
    return tried, reached


def _per_request_ceiling(ns: Namespace) -> None:
    """A long conversation on a primary priced so that its requests' worst cases straddle $0.05."""
    rng = ns.rng
    sb = month_sandbox(scenario=Scenario(name="the primary at new prices"), seed=rng.randrange(1_000))
    tried, reached = _watched(sb, scale=round(rng.uniform(6.9, 7.9), 2))
    deployment = _deploy(ns, sb, day_cap=50.0)  # a daily cap this drill never reaches
    chat = long_chat(sb, start=1800.0, seed=rng.randrange(1_000))
    plain = window_traffic(sb, n=6, start=600.0, end=7200.0, seed=rng.randrange(1_000), mix=_PLAIN)
    replay(sb, deployment, sorted([*chat, *plain], key=lambda v: v.t), name="yours", day_cap=50.0)
    over = [round(w, 4) for w in reached if w > PER_REQUEST_USD + 1e-9]
    if over:
        raise CheckFailed(
            f"Requests whose worst case is over ${PER_REQUEST_USD} reached the primary.",
            expected=f"every request that leaves costs at most ${PER_REQUEST_USD} in the worst case",
            got=f"{len(over)} over it, e.g. ${max(over)}",
            hint="HardBudget(..., per_request=0.05, per_day=day_cap): the per-request ceiling refuses, before "
            "sending, a request whose worst case would be over it.",
        )
    allowed = [w for w in tried if w <= PER_REQUEST_USD - 1e-9 and w > 0]
    if len(reached) < len(allowed):
        raise CheckFailed(
            f"Requests whose worst case is under ${PER_REQUEST_USD} were refused before they left.",
            expected=f"{len(allowed)} requests under the ceiling sent",
            got=f"{len(reached)} sent",
            hint="The per-request ceiling is $0.05, no lower; the daily cap of this drill is never reached.",
        )


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


@exercise(
    "6.6",
    points=2,
    title="Compose the hardened agent",
    rules=["6.6/one-budget-both-providers", "6.6/per-request-ceiling", "6.6/off-request-path"],
)
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
            "request that leaves, whichever provider and whichever retry attempt it is (weekfour.labs.week_four has "
            "a transport in front of both providers).",
        )
    if run.scorecard().p95_page_s > 1.0:
        raise CheckFailed(
            "The customer's page should not wait for the model.",
            expected="p95 request path <= 1 s",
            got=f"{run.scorecard().p95_page_s:.2f} s",
            hint="Deployment(handler, jobs=...) puts the AI work in a job queue off the request path (notebook 03).",
        )
    _per_request_ceiling(ns)


_PLAIN = {"status": 60, "refund": 20, "policy": 20}


@exercise("6.6", points=2, rules=["6.6/breaker-per-provider", "6.6/every-rung-validated"])
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


@exercise("6.6", points=1, rules=["6.6/input-bounded", "6.6/pinned-snapshot", "6.6/steps-bounded"])
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


# The seams of HardenedAgent, one at a time: call_model against a scripted provider and a breaker that keeps a log,
# ask against scripted model responses. Deterministic: every rule has its case on every seed.

_OK_BODY: dict[str, Any] = {
    "id": "chatcmpl-check",
    "object": "chat.completion",
    "model": "wf-chat-2026-01-15",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
}


class _LogBreaker:
    """A breaker that allows while ``open`` is False and writes down every call: allow, failure, success."""

    def __init__(self, *, open: bool = False) -> None:  # noqa: A002 - the breaker's own word
        self.open = open
        self.calls: list[str] = []

    def allow(self) -> bool:
        self.calls.append("allow")
        return not self.open

    def record_failure(self) -> None:
        self.calls.append("failure")

    def record_success(self) -> None:
        self.calls.append("success")


def _outcome(kind: str, request: httpx.Request) -> httpx.Response:
    from weekfour.labs.fallbacks import failure

    if kind == "ok":
        return httpx.Response(200, json=_OK_BODY, request=request)
    got = failure(kind)
    if isinstance(got, Exception):
        raise type(got)(str(got), request=request)
    return httpx.Response(got.status_code, headers=dict(got.headers), content=got.content, request=request)


def _scripted_agent(ns: Namespace, kinds: list[str], breaker: _LogBreaker, **kw: Any) -> tuple[Any, list[str]]:
    from weekfour import sandbox, scenarios

    cls = ns.function("HardenedAgent")
    script, sent = list(kinds), []

    def handle(request: httpx.Request) -> httpx.Response:
        kind = script.pop(0) if script else "ok"
        sent.append(kind)
        return _outcome(kind, request)

    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    client = sb.client(transport=httpx.MockTransport(handle), timeout=10.0)
    agent = sb.agent(
        client, cls=cls, model="wf-chat-2026-01-15", breaker=breaker, rng=random.Random(ns.rng.randrange(1_000)), **kw
    )
    return agent, sent


_CALLS = (
    # (what the provider does, attempt by attempt), the breaker's log it should leave, raises
    (["connection_error", "overloaded", "ok"], ["allow", "failure", "allow", "failure", "allow", "success"], None),
    (["rate_limit", "server_error", "ok"], ["allow", "failure", "allow", "failure", "allow", "success"], None),
    (["timeout", "ok"], ["allow", "failure", "allow", "success"], None),
    (["bad_request"], ["allow", "success"], httpx.HTTPStatusError),
    (["model_not_found"], ["allow", "success"], httpx.HTTPStatusError),
    (["insufficient_quota"], ["allow", "failure"], httpx.HTTPStatusError),
)


@exercise(
    "6.6",
    points=1,
    rules=["6.6/breaker-every-attempt", "6.6/breaker-outcomes", "6.6/final-failure-raises"],
)
def call_model_asks_the_breaker_for_every_attempt(ns: Namespace) -> None:
    messages = [{"role": "user", "content": "Where is my order A1042?"}]
    for kinds, log, raises in _CALLS:
        breaker = _LogBreaker()
        agent, sent = _scripted_agent(ns, kinds, breaker)
        what = " then ".join(kinds)
        try:
            got = agent.call_model(messages)
        except httpx.HTTPError as exc:
            if raises is None or not isinstance(exc, raises):
                raise CheckFailed(
                    f"call_model raised when the provider answered: {what}.",
                    expected="the final 200's JSON" if raises is None else raises.__name__,
                    got=f"{type(exc).__name__}: {exc}",
                    hint="Retry what is retryable (your call_with_retries); raise only for the final response.",
                ) from None
        else:
            if raises is not None:
                raise CheckFailed(
                    f"call_model should raise when the final response is not a success ({what}).",
                    expected=raises.__name__,
                    got=f"returned {type(got).__name__}",
                    hint="After the retries, an unsuccessful response raises (raise_for_status), like the original.",
                )
            if not isinstance(got, dict) or got.get("id") != _OK_BODY["id"]:
                raise CheckFailed(
                    "call_model should return the successful response's JSON.", expected=_OK_BODY["id"], got=got
                )
        if breaker.calls != log:
            raise CheckFailed(
                f"The breaker's log for one model call, when the provider answers {what}.",
                expected=log,
                got=breaker.calls,
                hint="Ask allow() before every attempt, retries included; record a transport error, a 429 or a "
                "5xx as a failure, anything else (a 400 included: the request was at fault) as a success.",
            )
    breaker = _LogBreaker(open=True)
    agent, sent = _scripted_agent(ns, ["ok"], breaker)
    must_raise(
        lambda: agent.call_model(messages),
        "CircuitOpen",
        "With this provider's breaker open, call_model should raise CircuitOpen.",
    )
    if sent:
        raise CheckFailed(
            "With this provider's breaker open, nothing should be sent.",
            expected="0 requests",
            got=f"{len(sent)} request(s)",
            hint="An open breaker means: do not send, move on to the next rung.",
        )


# --- ask, against scripted responses -----------------------------------------------------------------------------


def _response(message: dict[str, Any], logprob: float = -0.01) -> dict[str, Any]:
    content = message.get("content")
    tokens: list[dict[str, Any]] = [
        {"token": t, "logprob": logprob, "bytes": None, "top_logprobs": []} for t in (content or "").split()
    ]
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "model": "wf-chat-2026-01-15",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", **message},
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                "logprobs": {"content": tokens} if tokens else None,
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def _lookup(order_id: str, n: int) -> dict[str, Any]:
    call = {
        "id": f"call_{n}",
        "type": "function",
        "function": {"name": "get_order", "arguments": json.dumps({"order_id": order_id})},
    }
    return _response({"content": None, "tool_calls": [call]})


def _final(data: dict[str, Any], logprob: float = -0.01) -> dict[str, Any]:
    return _response({"content": json.dumps(data)}, logprob)


class _Script:
    """call_model, scripted: each call answers with the next response and keeps the messages it was given."""

    def __init__(self, responses: list[Any]) -> None:
        self.responses = list(responses)
        self.seen: list[list[dict[str, Any]]] = []

    def __call__(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        self.seen.append(json.loads(json.dumps(messages)))
        nxt = self.responses.pop(0) if self.responses else _lookup("A0000", len(self.seen))
        return nxt(self.seen[-1]) if callable(nxt) else nxt


def _scripted_ask(
    ns: Namespace, responses: list[Any], question: str | None = None, **kw: Any
) -> tuple[Any, Any, _Script, Any]:
    from weekfour import sandbox, scenarios

    cls = ns.function("HardenedAgent")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    order = sb.world.orders[ns.rng.choice(sorted(sb.world.orders))]
    agent = sb.agent(
        sb.client(), cls=cls, model="wf-chat-2026-01-15", breaker=_LogBreaker(), rng=random.Random(0), **kw
    )
    script = _Script([r(order) if callable(r) else r for r in responses])
    agent.call_model = script
    reply = agent.ask(question or f"Where is my order {order.id}?")
    return sb, order, script, reply


def _truth(order: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "answer": f"Order {order.id} is {order.status}.",
        "status": order.status,
        "order_id": order.id,
        "citations": [],
        "action": "none",
        "refund_amount": 0.0,
        "confidence": 0.9,
        **overrides,
    }


def _other_status(order: Any) -> str:
    return next(s for s in ("processing", "shipped", "delivered", "cancelled") if s != order.status)


def _reasks(script: _Script) -> list[str]:
    """The user turns the agent added after the first question, call by call."""
    texts = []
    for seen in script.seen[1:]:
        users = [str(m.get("content") or "") for m in seen if m.get("role") == "user"]
        texts.append(users[-1] if len(users) > 1 else "")
    return texts


def _escalated(sb: Any) -> bool:
    return any(a.kind == "ticket" for a in sb.backoffice.actions)


def _expect_calls(script: _Script, n: int, what: str, hint: str) -> None:
    if len(script.seen) != n:
        raise CheckFailed(f"{what}", expected=f"{n} model calls", got=f"{len(script.seen)}", hint=hint)


@exercise(
    "6.6",
    points=1,
    rules=[
        "6.6/one-reask",
        "6.6/low-confidence-safe-path",
        "6.6/notice-in-front",
        "6.6/steps-bounded",
        "6.6/input-bounded",
    ],
)
def ask_reasks_once_then_takes_the_safe_path(ns: Namespace) -> None:
    from weekfour.labs.hallucination import SAFE_ANSWER as safe

    # a lookup, then a grounded answer: accepted as it is
    sb, order, script, reply = _scripted_ask(ns, [lambda o: _lookup(o.id, 1), lambda o: _final(_truth(o))])
    _expect_calls(script, 2, "A lookup then a grounded, confident answer.", "Run the tool call, then parse and accept.")
    if (reply.status, reply.answer, reply.tool_calls) != (order.status, f"Order {order.id} is {order.status}.", 1):
        raise CheckFailed(
            "A lookup then a grounded, confident answer should be accepted as the model gave it.",
            expected={"status": order.status, "answer": f"Order {order.id} is {order.status}.", "tool_calls": 1},
            got={"status": reply.status, "answer": reply.answer, "tool_calls": reply.tool_calls},
            hint="Count each tool call in reply.tool_calls; a notice goes in front only when the input was cut.",
        )
    # a contradiction, then the truth: one re-ask that names the problem
    sb, order, script, reply = _scripted_ask(
        ns,
        [lambda o: _lookup(o.id, 1), lambda o: _final(_truth(o, status=_other_status(o))), lambda o: _final(_truth(o))],
    )
    wrong = _other_status(order)
    told = _reasks(script)
    if len(script.seen) != 3 or not told[-1] or wrong not in told[-1] or reply.status != order.status:
        raise CheckFailed(
            f"An answer that says {wrong!r} when get_order said {order.status!r} should get one re-ask that says "
            "what was wrong, and the corrected answer should be accepted.",
            expected={"model calls": 3, "the re-ask mentions": wrong, "status": order.status},
            got={
                "model calls": len(script.seen),
                "the re-ask": told[-1][:160] if told else None,
                "status": reply.status,
            },
            hint="Append REASK.format(problem=...) as a user turn, with the problems grounding_problems found.",
        )
    # not JSON, then the truth: the parse failure is re-asked too
    sb, order, script, reply = _scripted_ask(
        ns, [lambda o: _lookup(o.id, 1), _response({"content": "Sure! It is on its way."}), lambda o: _final(_truth(o))]
    )
    if len(script.seen) != 3 or not _reasks(script)[-1] or reply.status != order.status:
        raise CheckFailed(
            "An answer that is not JSON should get one re-ask, and the corrected answer should be accepted.",
            expected={"model calls": 3, "status": order.status},
            got={"model calls": len(script.seen), "status": reply.status},
            hint="A ParseFailure is a problem like a grounding problem: its text goes into the re-ask.",
        )
    # two problems: the second takes the safe path
    sb, order, script, reply = _scripted_ask(
        ns,
        [
            lambda o: _lookup(o.id, 1),
            lambda o: _final(_truth(o, status=_other_status(o))),
            lambda o: _final(_truth(o, status=_other_status(o))),
            lambda o: _final(_truth(o)),
        ],
    )
    if (
        len(script.seen) != 3
        or reply.status == wrong
        or (safe is not None and reply.answer != safe)
        or not _escalated(sb)
    ):
        raise CheckFailed(
            "An answer still wrong after its one re-ask should take the safe path (a ticket, SAFE_ANSWER).",
            expected={"model calls": 3, "answer": "SAFE_ANSWER", "ticket": True},
            got={"model calls": len(script.seen), "answer": reply.answer[:80], "ticket": _escalated(sb)},
            hint="One re-ask only: the second problem goes to safe_path, never to the backoffice.",
        )
    # confidence below the threshold: the safe path at once, no re-ask; exactly on it: accepted
    threshold = float(ns.get("CONFIDENCE_THRESHOLD"))
    at = math.log(threshold) if threshold > 0 else -50.0
    while math.exp(at) < threshold:
        at = math.nextafter(at, 0.0)
    for lp, accepted in ((math.log(max(threshold, 1e-9) * 0.8), False), (at, True)):
        sb, order, script, reply = _scripted_ask(
            ns, [lambda o: _lookup(o.id, 1), lambda o, lp=lp: _final(_truth(o), lp)]
        )
        tickets = [a for a in sb.backoffice.actions if a.kind == "ticket"]
        said = " ".join(str(a.details) for a in tickets).lower()
        ok = (
            (len(script.seen) == 2 and reply.status == order.status and not tickets)
            if accepted
            else (len(script.seen) == 2 and reply.status != order.status and "confidence" in said)
        )
        if not ok:
            conf = math.exp(lp)
            raise CheckFailed(
                f"A grounded answer whose weakest token has confidence {conf:.4f} (threshold {threshold}).",
                expected="accepted (exactly on the threshold is enough)"
                if accepted
                else "the safe path at once, no re-ask, a ticket whose reason says low confidence",
                got={
                    "model calls": len(script.seen),
                    "status": reply.status,
                    "tickets": [str(t.details)[:80] for t in tickets],
                },
                hint="Below CONFIDENCE_THRESHOLD: safe_path(reply, 'low confidence'). A re-ask does not make the "
                "model surer.",
            )
    # a loop of tool calls: at most max_steps model calls
    steps = ns.rng.randint(2, 4)
    sb, order, script, reply = _scripted_ask(ns, [], max_steps=steps)
    if len(script.seen) != steps or reply.finished:
        raise CheckFailed(
            f"A model that calls tools forever, with max_steps={steps}.",
            expected=f"{steps} model calls, then the safe path",
            got={"model calls": len(script.seen), "finished": reply.finished},
            hint="The loop is bounded by max_steps model calls.",
        )
    # a giant paste: the guarded text is sent, and the notice goes in front of the accepted answer
    guard_input = ns.function("guard_input")
    filler = " ".join(f"log line {i} ok" for i in range(1_200))
    from weekfour import sandbox, scenarios

    cls = ns.function("HardenedAgent")
    sb = sandbox(scenarios.happy(), seed=ns.rng.randrange(10_000))
    order = sb.world.orders[ns.rng.choice(sorted(sb.world.orders))]
    question = f"{filler}\nWhere is my order {order.id}?"
    agent: Any = sb.agent(  # the learner's HardenedAgent: its max_input_tokens is theirs
        sb.client(), cls=cls, model="wf-chat-2026-01-15", breaker=_LogBreaker(), rng=random.Random(0)
    )
    script = _Script([_lookup(order.id, 1), _final(_truth(order))])
    agent.call_model = script
    reply = agent.ask(question)
    text, notice = guard_input(question, max_tokens=agent.max_input_tokens)
    first = [m for m in script.seen[0] if m.get("role") == "user"] if script.seen else []
    sent = str(first[-1].get("content")) if first else None
    if sent != text:
        raise CheckFailed(
            "A 1,200-line paste should be cut by guard_input before the first model call.",
            expected=f"the guarded text ({len(text)} characters)",
            got=f"{len(sent or '')} characters sent",
            hint="guard_input comes first, before anything is priced or sent.",
        )
    want = f"Order {order.id} is {order.status}."
    if (
        not notice
        or notice not in reply.answer
        or not reply.answer.endswith(want)
        or reply.answer.find(notice) > reply.answer.find(want)
    ):
        raise CheckFailed(
            "The accepted answer to a cut paste should carry guard_input's notice in front of the model's answer.",
            expected=f"{notice!r} ... {want!r}",
            got=reply.answer[:200],
            hint="The customer should know their paste was cut: the notice first, then the answer.",
        )


@exercise(
    "6.6",
    points=1,
    rules=["6.6/primary-first", "6.6/read-timeout", "6.6/named-hardened", "6.6/pinned-snapshot"],
)
def healthy_primary_answers_and_hangs_end_at_ten_seconds(ns: Namespace) -> None:
    rng = ns.rng
    start = round(rng.uniform(1.0, 2.0), 2) * 3600.0
    scenario = Scenario(name="the primary hangs", faults=(_outage(start, start + 1800.0, "timeout"),))
    sb = month_sandbox(scenario=scenario, seed=rng.randrange(1_000))
    deployment = _deploy(ns, sb)
    if deployment.name != "hardened":
        raise CheckFailed(
            "The Deployment should be named as the exercise says, so scorecards and plots label it.",
            expected="hardened",
            got=deployment.name,
        )
    visits = window_traffic(sb, n=30, start=600.0, end=start + 1800.0, seed=rng.randrange(1_000), mix=_PLAIN)
    run = replay(sb, deployment, visits, name="yours")
    _no_user_errors(run, "A healthy morning, then a primary that hangs")
    v, r = run.visits, run.requests
    before = v[v["t"] < start]
    rungs = before["rung"].value_counts().to_dict()
    if not len(before) or rungs.get("primary", 0) < 0.9 * len(before):
        raise CheckFailed(
            'While the primary is healthy, the primary should answer, as the rung named "primary".',
            expected=">= 90% answered by the rung 'primary'",
            got=rungs,
            hint="The rungs are ('primary', ...) then ('backup', ...); a rung that always fails (a wrong model name, "
            "an agent that is never built) hands every customer to the backup.",
        )
    models = {p: sorted(set(r[r["provider"] == p]["model"].dropna())) for p in ("primary", "backup")}
    if models != {"primary": ["wf-chat-2026-01-15"], "backup": ["backup-chat-1"]}:
        raise CheckFailed(
            "Each provider should be sent its pinned model.",
            expected={"primary": ["wf-chat-2026-01-15"], "backup": ["backup-chat-1"]},
            got=models,
        )
    hung = r[r["status"] == "timeout"]
    longest = float(hung["latency_s"].max()) if len(hung) else 0.0
    if not len(hung) or longest > 10.0 + 1e-6:
        raise CheckFailed(
            "While the primary hangs, each attempt should give up reading within 10 s.",
            expected="timed-out attempts of at most 10 s",
            got=f"{len(hung)} timed-out attempt(s), the longest {longest:g} s",
            hint="Give both clients a read timeout of at most 10 s (httpx.Timeout), as in exercise 4.5.",
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
    want = _values(card, slo)
    got = {row: (frame["target"][row], frame["measured"][row]) for row in SLO_ROWS}
    off = {
        row: got[row]
        for row in SLO_ROWS
        if not all(
            isinstance(x, int | float) and math.isclose(x, w, rel_tol=1e-9, abs_tol=1e-12)
            for x, w in zip(got[row], want[row], strict=True)
        )
    }
    if off:
        raise CheckFailed(
            "slo_report's target and measured columns should hold the SLO's value and the Scorecard's.",
            expected={row: want[row] for row in off},
            got=off,
            hint="target comes from the SLO, measured from the Scorecard: error_rate, wrong_rate, worst_day_usd, "
            "p95_page_s, drift_hits.",
        )
    return {k: bool(v) for k, v in met.items()}


def _values(card: Scorecard, slo: SLO) -> dict[str, tuple[float, float]]:
    """Each objective's (target, measured), by the tables below: the SLO's field and the Scorecard's."""
    return {row: (getattr(slo, _SLO_FIELDS[row]), getattr(card, field)) for row, field in _FIELDS.items()}


_FIELDS = {
    "errors": "error_rate",
    "wrong answers": "wrong_rate",
    "spend per day": "worst_day_usd",
    "p95 request path": "p95_page_s",
    "model-update hits": "drift_hits",
}


def _near(slo: SLO, row: str, side: int) -> float:
    """Just over (side 1) or just under (side -1) the target of one objective."""
    target = getattr(slo, _SLO_FIELDS[row])
    if row == "model-update hits":
        return target + side
    return round(target * (1 + 0.02 * side), 6)


_SLO_FIELDS = {
    "errors": "max_error_rate",
    "wrong answers": "max_wrong_rate",
    "spend per day": "day_cap_usd",
    "p95 request path": "p95_page_s",
    "model-update hits": "max_drift_hits",
}


@exercise(
    "6.7",
    points=2,
    title="SLOs as data",
    rules=["6.7/five-rows", "6.7/measured-from-scorecard", "6.7/on-target-meets", "6.7/over-target-misses"],
)
def slo_report_judges_each_objective(ns: Namespace) -> None:
    rng = ns.rng
    slo = SLO(
        max_error_rate=round(rng.uniform(0.001, 0.02), 4),
        max_wrong_rate=round(rng.uniform(0.001, 0.01), 4),
        day_cap_usd=round(rng.uniform(0.3, 1.0), 2),
        p95_page_s=round(rng.uniform(0.2, 3.0), 2),
        max_drift_hits=rng.choice([0, 0, 5]),
    )
    first = slo
    visits = 1000 * rng.randint(2, 4)
    few = int(visits * slo.max_error_rate * 0.5) + 1  # many in absolute terms, a small share of the month
    cases: list[tuple[str, Scorecard] | tuple[str, Scorecard, SLO]] = [
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
    # Every objective on both sides of its target, the others comfortably met; the decoys (counts, the month's
    # spend, p50 and the time to answer) sit on the wrong side, so a report that reads them misjudges.
    slo = SLO(
        max_error_rate=slo.max_error_rate,
        max_wrong_rate=slo.max_wrong_rate,
        day_cap_usd=slo.day_cap_usd,
        p95_page_s=slo.p95_page_s,
        max_drift_hits=rng.randint(1, 5),
    )
    calm = {
        "visits": visits,
        "user_errors": int(visits * slo.max_error_rate * 0.5) + 1,
        "error_rate": slo.max_error_rate * 0.5,
        "wrong_downstream": int(visits * slo.max_wrong_rate * 0.5) + 1,
        "wrong_rate": slo.max_wrong_rate * 0.5,
        "spend_usd": slo.day_cap_usd * 20,
        "worst_day_usd": round(slo.day_cap_usd * 0.5, 3),
        "p50_page_s": round(slo.p95_page_s * 0.5, 3),
        "p95_page_s": round(slo.p95_page_s * 0.5, 3),
        "p95_answer_s": slo.p95_page_s * 10,
        "drift_hits": 0,
    }
    for row in SLO_ROWS:
        for side, word in ((1, "just over"), (-1, "just under")):
            cases.append(
                (f"a month {word} its {row} target", _card(rng, **{**calm, _FIELDS[row]: _near(slo, row, side)}), slo)
            )
    judged_by: list[tuple[str, Scorecard, SLO | None]] = [c if len(c) == 3 else (*c, None) for c in cases]
    for what, card, own in judged_by:
        judged = own or first
        want = _expected_met(card, judged)
        got = _report(ns, card, judged)
        wrong = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
        if wrong:
            raise CheckFailed(
                f"slo_report judged {what} wrongly (objective: (expected met, got met)).",
                expected={k: v[0] for k, v in wrong.items()},
                got={k: v[1] for k, v in wrong.items()},
                hint="Rates are shares of page loads; the cap bounds each day, not the month; a value exactly on "
                "its target meets it, a value over it misses.",
            )


@exercise("6.7", points=1, rules=["6.7/slos-at-floor", "6.7/slos-meetable"])
def slos_are_worth_having(ns: Namespace) -> None:
    slos = ns.get("SLOS")
    if not isinstance(slos, SLO):
        raise CheckFailed("SLOS should be an SLO (from weekfour.labs.week_four).", got=type(slos).__name__)
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
    if (
        slos.p95_page_s <= 0
        or slos.day_cap_usd <= 0
        or slos.max_error_rate < 0
        or slos.max_wrong_rate < 0
        or slos.max_drift_hits < 0
    ):
        raise CheckFailed("An objective nobody can meet is not an objective either.", got=slos)


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
    if run.name != "hardened":
        raise CheckFailed(
            "hardened_month's run should be named as the exercise says (scorecards and plots label it).",
            expected="hardened",
            got=run.name,
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


@exercise(
    "6.8",
    points=2,
    title="Pass the month",
    rules=["6.8/replays-hardened", "6.8/every-visit", "6.8/named-hardened"],
)
def hardened_month_meets_the_slos(ns: Namespace) -> None:
    run, slo = _month(ns, days=6, n=220)
    _meets(run, slo, "A 6-day production month with the check's own seed")


@exercise("6.8", points=1, rules=["6.8/capped-by-slo"])
def hardened_month_is_capped_by_your_slo(ns: Namespace) -> None:
    hardened_month = ns.function("hardened_month")
    slos = ns.get("SLOS")
    if not isinstance(slos, SLO):
        raise CheckFailed("SLOS should be an SLO (exercise 6.7).", got=type(slos).__name__)
    cap = round(ns.rng.uniform(0.04, 0.06), 3)  # a stricter cap than a busy day spends
    sb = month_sandbox(scenario=Scenario(name="a busy quiet day"), seed=ns.rng.randrange(1_000))
    visits = window_traffic(sb, n=40, start=600.0, end=8 * 3600.0, seed=ns.rng.randrange(1_000), mix=_PLAIN)
    ns.globals["SLOS"] = SLO(**{**{k: getattr(slos, k) for k in SLO.__dataclass_fields__}, "day_cap_usd": cap})
    try:
        run = hardened_month(sb, visits)
    finally:
        ns.globals["SLOS"] = slos
    if not isinstance(run, MonthRun):
        raise CheckFailed("hardened_month should return the MonthRun that replay() gives.", got=type(run).__name__)
    card = run.scorecard()
    if run.day_cap != cap or card.worst_day_usd > cap + 1e-9:
        raise CheckFailed(
            f"With SLOS.day_cap_usd = {cap}, the deployment and the replay should both be capped at ${cap} a day.",
            expected={"replay's day_cap": cap, "worst day": f"<= ${cap}"},
            got={"replay's day_cap": run.day_cap, "worst day": f"${card.worst_day_usd:.4f}"},
            hint="Read the cap from SLOS when hardened_month runs: a cap written as a number, or the default "
            "DAY_CAP_USD, is right only while SLOS says the same.",
        )
