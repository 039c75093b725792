"""Notebook 06 (week four in production): a month of production traffic, replayed against any agent, and scored.

Nothing here is an exercise's solution; it is the production the learner's hardened agent has to survive::

    sb = month_sandbox(seed=0)                            # 30 simulated days: every condition the course names
    visits = month_traffic(sb, n=2_000, seed=0)           # who asks what, when (with the ground truth)
    naive = replay(sb, naive_deployment(sb), visits, name="day three")
    naive.scorecard()                                     # the numbers a manager reads
    scorecards(naive, hardened)                           # side by side
    plot_month(naive, hardened)                           # daily spend, error timeline, latency distribution
    DayExplorer(naive, hardened)                          # widget: pick a day, see what happened

The protocol an agent plugs in with (small on purpose)::

    handler(question: str, history: list[dict]) -> Served | Reply-like     # answers one page load
    Deployment(handler)                   # the page waits for the handler (AI on the request path)
    Deployment(handler, jobs=JobQueue)    # the page enqueues, a job worker runs the handler (off the request path)

``jobs`` is a class (or factory) called as ``jobs(work)`` whose instances have ``submit(payload) -> job_id``,
``status(job_id)`` (an object with ``state`` "done"/"failed", ``result`` and ``error``) and ``async run_one()``:
notebook 03's ``JobQueue``. Anything with ``ask(question, history)`` becomes a handler with :func:`as_handler`.

The web server is a sync one (gunicorn's sync workers): it kills a page that runs past ``WORKER_TIMEOUT_S`` (30 s,
gunicorn's default ``--timeout``), and the customer sees a 504. Background jobs get ``JOB_TIME_LIMIT_S``. The kill
is :class:`WorkerTimeout`, a ``BaseException`` like the ``SystemExit`` gunicorn's worker dies with, so an
``except Exception`` in the agent cannot swallow it. Both providers of a :func:`month_sandbox` are watched, so the
kill lands on the next request the worker makes after its deadline.

    BaseException
     └── WorkerTimeout      the page (or job) ran past its time limit; the harness records a 504
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import httpx

from weekfour._heap import frozen_heap
from weekfour.labs._stats import quantile
from weekfour.sandbox import Sandbox, sandbox
from weekfour.scenarios import CHAT_FAMILY, Scenario, production_month
from weekfour.serving import CircuitOpen, Served
from weekfour.traffic import DEFAULT_MIX, Question, is_correct, long_paste, questions
from weekfour.types import FaultWindow
from weekfour.world import Action, Backoffice

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "DAY",
    "DAY_CAP_USD",
    "ENQUEUE_S",
    "JOB_TIME_LIMIT_S",
    "MONTH_DAYS",
    "NEW_SNAPSHOT",
    "SCORECARD_ROWS",
    "WORKER_TIMEOUT_S",
    "SLO",
    "CircuitOpen",
    "DayExplorer",
    "Deployment",
    "Handler",
    "MonthRun",
    "Scorecard",
    "Served",
    "Visit",
    "WorkerTimeout",
    "arrivals_by_day",
    "long_chat",
    "as_handler",
    "both_providers",
    "month_sandbox",
    "month_scenario",
    "month_traffic",
    "naive_deployment",
    "plot_month",
    "replay",
    "scorecards",
    "window_traffic",
]

HOUR: Final = 3600.0
DAY: Final = 24 * HOUR
MONTH_DAYS: Final = 30
WORKER_TIMEOUT_S: Final = 30.0  # gunicorn's default --timeout: a sync worker silent this long is killed
JOB_TIME_LIMIT_S: Final = 300.0  # a background job's hard time limit (Celery's time_limit, RQ's job_timeout)
ENQUEUE_S: Final = 0.005  # what a page that only enqueues a job costs the web worker
DAY_CAP_USD: Final = 0.50  # what finance allows the support assistant to spend per day (about 40 page loads)
NEW_SNAPSHOT: Final = "wf-chat-2026-06-01"  # where the provider points "wf-chat" in week three
LONG_CHAT_TURNS: Final = 6
LONG_CHAT_PASTE_TOKENS: Final = 6_000
_START_OFFSET: Final = 9 * HOUR  # the clock starts Monday 09:00: calendar day = floor((t + 9h) / 1 day)


class WorkerTimeout(BaseException):  # noqa: N818 - named after what gunicorn does, like SystemExit
    """The web server killed the worker: the page (or job) ran past its time limit. Not an ``Exception`` on purpose."""


class Handler(Protocol):
    def __call__(self, question: str, history: list[dict[str, Any]], /) -> Any: ...


@dataclass
class Deployment:
    """How an agent meets the customers: a page handler, on the request path or (with ``jobs``) off it."""

    handler: Callable[[str, list[dict[str, Any]]], Any]
    jobs: Callable[[Callable[[Any], Any]], Any] | None = None  # e.g. notebook 03's JobQueue class
    name: str = ""

    @property
    def off_request_path(self) -> bool:
        return self.jobs is not None


def as_handler(agent: Any) -> Callable[[str, list[dict[str, Any]]], Served]:
    """A page handler for anything with ``ask(question, history)``: the day-three page, which shows the answer."""

    def handle(question: str, history: list[dict[str, Any]]) -> Served:
        reply = agent.ask(question, history)
        return Served(reply.answer, "primary", reply)

    return handle


def naive_deployment(sb: Sandbox) -> Deployment:
    """The demo on day three: ``sb.agent()`` on the request path, no guard of any kind."""
    return Deployment(as_handler(sb.agent()), name="day three")


# --- the month ---------------------------------------------------------------------------------------------------


def month_scenario(days: int = MONTH_DAYS) -> Scenario:
    """Every condition the course names, over ``days`` simulated days: the kit's :func:`production_month`."""
    return production_month(days)


def _install_watchdog(sb: Sandbox) -> _Watchdog:
    existing = getattr(sb, "_capstone_watchdog", None)
    if isinstance(existing, _Watchdog):
        return existing
    watchdog = _Watchdog(sb)
    for provider in (sb.provider, sb.backup):
        provider.before_request.append(watchdog.check_request)
    object.__setattr__(sb, "_capstone_watchdog", watchdog)
    return watchdog


class _Watchdog:
    """Raises :class:`WorkerTimeout` on the first request a worker makes after its deadline."""

    def __init__(self, sb: Sandbox) -> None:
        self.clock = sb.clock
        self.deadline: float | None = None
        self.limit = WORKER_TIMEOUT_S
        self.fired = False

    def check(self) -> None:
        if self.deadline is not None and self.clock.now() >= self.deadline:
            self.fired = True
            raise WorkerTimeout(f"the worker ran past its {self.limit:g} s time limit and was killed")

    def check_request(self, request: httpx.Request) -> None:
        self.check()


def month_sandbox(*, days: int = MONTH_DAYS, seed: int = 0, scenario: Scenario | None = None) -> Sandbox:
    """A fresh sandbox for a replay: :func:`month_scenario` (or ``scenario``), with the web server's watchdog on."""
    sb = sandbox(scenario if scenario is not None else month_scenario(days), seed=seed)
    _install_watchdog(sb)
    return sb


def both_providers(sb: Sandbox) -> httpx.BaseTransport:
    """One transport in front of both providers of ``sb`` (it routes by host), for what must see every request."""
    return _BothProviders(sb)


class _BothProviders(httpx.BaseTransport):
    def __init__(self, sb: Sandbox) -> None:
        self._routes = {
            httpx.URL(sb.provider.base_url).host: sb.provider.transport(),
            httpx.URL(sb.backup.base_url).host: sb.backup.transport(),
        }

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._routes.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(
                f"no provider at {request.url.host}: use sb.client() or sb.backup_client() base URLs", request=request
            )
        return transport.handle_request(request)


@dataclass(frozen=True)
class Visit:
    """One page load: when, what the customer asked (with the truth), and which conversation it belongs to."""

    t: float
    question: Question
    conversation: int
    turn: int = 0


def _long_chat_turn(order_id: str, status: str, turn: int) -> Question:
    paste = long_paste(LONG_CHAT_PASTE_TOKENS)
    text = f"More of my browser log (part {turn + 1}):\n{paste}\nIs my order {order_id} affected? Where is it?"
    return Question(text, "long_chat", order_id, {"status": status})


def month_traffic(sb: Sandbox, *, n: int = 2_000, days: int | None = None, seed: int = 0) -> list[Visit]:
    """``n`` page loads over the sandbox's month, in arrival order, each question with its ground truth at arrival.

    The mix is the course's default (``weekfour.traffic.DEFAULT_MIX``: statuses, refunds, policies, other languages,
    empty messages, prompt injections, missing orders, "check all my orders", 40,000-token pastes), plus one
    six-turn conversation per 500 page loads in which the customer pastes 6,000 tokens of log every turn: by the
    sixth turn it no longer fits a 32k context window.
    """
    if n < 1:
        raise ValueError(f"n is the number of page loads and must be at least 1, not {n}")
    span = (days if days is not None else _scenario_days(sb)) * DAY
    rng = random.Random(f"capstone-traffic-{seed}")
    times = sorted(_rhythm(rng, n, span))
    visits = []
    for i, t in enumerate(times):
        q = questions(1, seed=seed * 1_000_003 + i, world=sb.world, mix=DEFAULT_MIX, now=t)[0]
        visits.append(Visit(t, q, conversation=i))
    for chat in range(max(1, n // 500)):
        start = rng.uniform(0, max(span - LONG_CHAT_TURNS * 600.0, 1.0))
        visits.extend(long_chat(sb, start=start, conversation=n + chat, seed=seed * 1000 + chat))
    return sorted(visits, key=lambda v: (v.t, v.conversation))


def window_traffic(
    sb: Sandbox,
    *,
    n: int,
    start: float,
    end: float,
    seed: int = 0,
    mix: Mapping[str, float] | None = None,
) -> list[Visit]:
    """``n`` single-turn page loads arriving steadily between ``start`` and ``end`` (simulated seconds), for drills."""
    if n < 1 or end <= start:
        raise ValueError(f"need n >= 1 and end > start, got n={n}, start={start}, end={end}")
    rng = random.Random(f"capstone-window-{seed}")
    times = sorted(rng.uniform(start, end) for _ in range(n))
    weights = dict(mix) if mix is not None else dict(DEFAULT_MIX)
    return [
        Visit(t, questions(1, seed=seed * 1_000_003 + i, world=sb.world, mix=weights, now=t)[0], conversation=i)
        for i, t in enumerate(times)
    ]


def long_chat(sb: Sandbox, *, start: float, conversation: int = 10**6, seed: int = 0) -> list[Visit]:
    """One customer's six-turn conversation from ``start``, 6,000 tokens of log pasted every turn (8 minutes apart)."""
    order = random.Random(f"capstone-chat-{seed}").choice(sorted(sb.world.orders.values(), key=lambda o: o.id))
    return [
        Visit(start + turn * 480.0, _long_chat_turn(order.id, order.status, turn), conversation, turn)
        for turn in range(LONG_CHAT_TURNS)
    ]


def _rhythm(rng: random.Random, n: int, span: float) -> list[float]:
    """Arrival times with a daily rhythm: busy 09-21, half as busy in the evening, quiet (never silent) at night."""
    out: list[float] = []
    while len(out) < n:
        t = rng.uniform(0, span)
        hour = ((t + _START_OFFSET) / HOUR) % 24
        busy = 0.15 if hour < 7 else 1.0 if 9 <= hour < 21 else 0.5
        if rng.random() < busy:
            out.append(t)
    return out


def _scenario_days(sb: Sandbox) -> int:
    return sb.scenario.days or MONTH_DAYS


def arrivals_by_day(visits: Sequence[Visit]) -> pd.DataFrame:
    """Page loads per calendar day and kind: what the month looks like before anything answers."""
    import pandas as pd

    frame = pd.DataFrame({"day": [_calendar_day(v.t) for v in visits], "kind": [v.question.kind for v in visits]})
    return frame.pivot_table(index="day", columns="kind", aggfunc="size", fill_value=0)


def _calendar_day(t: float) -> int:
    return int(math.floor((t + _START_OFFSET) / DAY))


# --- the replay --------------------------------------------------------------------------------------------------


@dataclass
class MonthRun:
    """One replayed month: a row per page load (``visits``), and every request each provider saw."""

    name: str
    visits: pd.DataFrame
    requests: pd.DataFrame  # both providers, with a ``provider`` column
    day_cap: float = DAY_CAP_USD
    off_request_path: bool = False
    faults: tuple[FaultWindow, ...] = ()
    update_at: float | None = None
    replies: list[Any] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        card = self.scorecard()
        return (
            f"MonthRun({self.name!r}, {card.visits} page loads, {card.user_errors} user-facing errors, "
            f"{card.wrong_downstream} wrong answers downstream, ${card.spend_usd:,.2f})"
        )

    def daily(self) -> pd.DataFrame:
        """One row per calendar day: page loads, errors, wrong answers, spend, requests."""
        import pandas as pd

        v = self.visits
        days = range(int(v["day"].min()), int(v["day"].max()) + 1) if len(v) else range(0)
        per_day = pd.DataFrame(index=pd.Index(list(days), name="day"))
        per_day["page loads"] = v.groupby("day").size()
        per_day["user-facing errors"] = v[v["user_error"]].groupby("day").size()
        per_day["wrong downstream"] = v.groupby("day")["wrong_downstream"].sum()
        r = self.requests
        per_day["requests"] = r.groupby("day").size() if len(r) else 0
        per_day["spend USD"] = r.groupby("day")["cost_usd"].sum() if len(r) else 0.0
        return per_day.fillna(0).astype({"page loads": int, "user-facing errors": int, "requests": int})

    def scorecard(self) -> Scorecard:
        return Scorecard.of(self)


@dataclass(frozen=True)
class Scorecard:
    """The month in the numbers a manager asks about. Rates are shares of page loads (0.01 = 1%)."""

    visits: int
    user_errors: int
    error_rate: float
    wrong_downstream: int
    wrong_rate: float
    wrong_refund_usd: float
    answered_right: int
    handed_to_people: int
    spend_usd: float
    worst_day_usd: float
    days_over_cap: int
    p50_page_s: float
    p95_page_s: float
    p95_answer_s: float
    requests: int
    drift_hits: int

    @classmethod
    def of(cls, run: MonthRun) -> Scorecard:
        v, r = run.visits, run.requests
        n = len(v)
        daily = run.daily()
        spend_by_day = daily["spend USD"] if len(daily) else None
        return cls(
            visits=n,
            user_errors=int(v["user_error"].sum()) if n else 0,
            error_rate=float(v["user_error"].mean()) if n else 0.0,
            wrong_downstream=int(v["wrong_downstream"].sum()) if n else 0,
            wrong_rate=float((v["wrong_downstream"] > 0).mean()) if n else 0.0,
            wrong_refund_usd=round(float(v["wrong_refund_usd"].sum()), 2) if n else 0.0,
            answered_right=int(v["correct"].sum()) if n else 0,
            handed_to_people=int(v["tickets"].sum()) if n else 0,
            spend_usd=float(r["cost_usd"].sum()) if len(r) else 0.0,
            worst_day_usd=float(spend_by_day.max()) if spend_by_day is not None else 0.0,
            days_over_cap=int((spend_by_day > run.day_cap + 1e-9).sum()) if spend_by_day is not None else 0,
            p50_page_s=quantile(v["page_s"], 0.5) if n else 0.0,
            p95_page_s=quantile(v["page_s"], 0.95) if n else 0.0,
            p95_answer_s=quantile(v["answer_s"], 0.95) if n else 0.0,
            requests=len(r),
            drift_hits=int(v["drift_hit"].sum()) if n else 0,
        )

    def as_dict(self) -> dict[str, Any]:
        """The rows of :data:`SCORECARD_ROWS`, by their human names."""
        return {label: getattr(self, name) for name, label in SCORECARD_ROWS.items()}


SCORECARD_ROWS: Final[Mapping[str, str]] = {
    "visits": "page loads",
    "user_errors": "user-facing errors",
    "error_rate": "user-facing error rate",
    "wrong_downstream": "wrong answers passed downstream",
    "wrong_rate": "page loads with a wrong answer downstream",
    "wrong_refund_usd": "USD refunded wrongly",
    "answered_right": "answered right",
    "handed_to_people": "handed to a person (tickets)",
    "spend_usd": "spend, month (USD)",
    "worst_day_usd": "spend, worst day (USD)",
    "days_over_cap": "days over the daily cap",
    "p50_page_s": "p50 request path (s)",
    "p95_page_s": "p95 request path (s)",
    "p95_answer_s": "p95 time to answer (s)",
    "requests": "requests to providers",
    "drift_hits": "customers hit by the model update",
}


@dataclass(frozen=True)
class SLO:
    """Service level objectives, as data: what "the assistant is healthy this month" means, in numbers.

    ``max_error_rate`` and ``max_wrong_rate`` are shares of page loads (0.01 = 1%); ``day_cap_usd`` bounds every
    calendar day's spend; ``p95_page_s`` bounds the p95 of the request path (how long a page load holds the
    customer); ``max_drift_hits`` bounds the customers a model update may reach before you notice.
    """

    max_error_rate: float
    max_wrong_rate: float
    day_cap_usd: float
    p95_page_s: float
    max_drift_hits: int = 0


def _as_served(result: Any) -> Served:
    if isinstance(result, Served):
        return result
    if hasattr(result, "answer"):
        return Served(str(result.answer), "primary", result)
    raise TypeError(
        f"the handler returned {type(result).__name__}; return a Served (weekfour.labs.fallbacks) or an agent Reply"
    )


def _judge_new(world: Any, actions: list[Action]) -> tuple[int, float]:
    """How many of ``actions`` contradict the ground truth, and the USD of the wrong refunds among them."""
    if not actions:
        return 0, 0.0
    probe = Backoffice()
    probe.actions = list(actions)
    found = probe.mistakes(world)
    usd = sum(float(a.details.get("amount", 0.0)) for a, _ in found if a.kind == "refund")
    return len(found), usd


class _Replay:
    """The web server, the job worker and the bookkeeping of one replay."""

    def __init__(self, sb: Sandbox, deployment: Deployment) -> None:
        self.sb = sb
        self.deployment = deployment
        self.watchdog = _install_watchdog(sb)
        self.histories: dict[int, list[dict[str, Any]]] = {}
        self.pending: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self.queue: Any = None
        if deployment.jobs is not None:
            self.queue = deployment.jobs(self._work)

    async def _work(self, payload: Any) -> Served:
        question, history = self.pending.pop(str(payload))
        return _as_served(self.deployment.handler(question, history))

    def _inline(self, question: str, history: list[dict[str, Any]]) -> tuple[Served | None, str | None, float]:
        clock = self.sb.clock
        start = clock.now()
        self.watchdog.limit = WORKER_TIMEOUT_S
        self.watchdog.deadline = start + WORKER_TIMEOUT_S
        try:
            served: Served | None = _as_served(self.deployment.handler(question, history))
            error = None
        except WorkerTimeout:
            served, error = None, "WorkerTimeout"
        except Exception as exc:  # the web framework turns it into a 500 page
            served, error = None, type(exc).__name__
        finally:
            self.watchdog.deadline = None
        if clock.now() - start > WORKER_TIMEOUT_S:  # the last request ran past the deadline: killed during it
            served, error = None, "WorkerTimeout"
        return served, error, 0.0

    def _job(self, key: str, question: str, history: list[dict[str, Any]]) -> tuple[Served | None, str | None, float]:
        clock = self.sb.clock
        self.pending[key] = (question, history)
        before = clock.now()
        job_id = self.queue.submit(key)
        page_s = ENQUEUE_S + (clock.now() - before)
        self.watchdog.limit = JOB_TIME_LIMIT_S
        self.watchdog.deadline = clock.now() + JOB_TIME_LIMIT_S
        try:
            clock.run(self.queue.run_one())
        except WorkerTimeout:
            return None, "WorkerTimeout", page_s
        except Exception as exc:  # the worker itself died: the customer's poll never sees an answer
            return None, f"worker crashed: {type(exc).__name__}", page_s
        finally:
            self.watchdog.deadline = None
        job = self.queue.status(job_id)
        if getattr(job, "state", None) != "done":
            error = str(getattr(job, "error", None) or getattr(job, "state", "unknown"))
            return None, error.split(":")[0] or "job failed", page_s
        return _as_served(job.result), None, page_s

    def run(self, visits: Sequence[Visit], name: str, day_cap: float) -> MonthRun:
        import pandas as pd

        sb, clock = self.sb, self.sb.clock
        logs = {"primary": sb.provider.log, "backup": sb.backup.log}
        start_index = {k: len(log) for k, log in logs.items()}
        rows: list[dict[str, Any]] = []
        replies: list[Any] = []
        for i, visit in enumerate(visits):
            clock.advance_to(visit.t)
            began = clock.now()
            history = self.histories.setdefault(visit.conversation, [])
            marks = {k: len(log) for k, log in logs.items()}
            n_actions = len(sb.backoffice.actions)
            q = visit.question
            if self.queue is None:
                served, error, page_s = self._inline(q.text, list(history))
                page_s = min(clock.now() - visit.t, WORKER_TIMEOUT_S)
            else:
                served, error, page_s = self._job(f"visit-{i}", q.text, list(history))
            answer_s = clock.now() - visit.t if served is not None or error else 0.0
            if self.queue is None:
                answer_s = page_s
            new_entries = [log[j] for k, log in logs.items() for j in range(marks[k], len(log))]
            actions = sb.backoffice.actions[n_actions:]
            wrong, wrong_usd = _judge_new(sb.world, actions)
            reply = served.reply if served is not None else None
            correct = reply is not None and is_correct(q, reply)
            drift = any(e.error_code == "unsupported_parameter" for e in new_entries) or (
                reply is not None and getattr(reply, "model", "") == NEW_SNAPSHOT and not correct
            )
            user_error = served is None or served.status >= 500
            history.append({"role": "user", "content": q.text})
            history.append({"role": "assistant", "content": served.answer if served is not None else ""})
            replies.append(reply if reply is not None else error)
            rows.append(
                {
                    "t": visit.t,
                    "day": _calendar_day(visit.t),
                    "kind": q.kind,
                    "conversation": visit.conversation,
                    "turn": visit.turn,
                    "rung": served.rung if served is not None else "error",
                    "status": (served.status if served is not None else 504 if error == "WorkerTimeout" else 500),
                    "error": error,
                    "user_error": bool(user_error),
                    "page_s": page_s,
                    "answer_s": answer_s,
                    "correct": bool(correct),
                    "wrong_downstream": wrong,
                    "wrong_refund_usd": wrong_usd,
                    "tickets": sum(1 for a in actions if a.kind == "ticket"),
                    "requests": len(new_entries),
                    "cost_usd": sum(e.cost_usd for e in new_entries),
                    "drift_hit": bool(drift),
                    "started": began,
                }
            )
        frames = []
        for provider, log in logs.items():
            frame = log.to_frame().iloc[start_index[provider] :].reset_index(drop=True)
            frame.insert(0, "provider", provider)
            frames.append(frame)
        requests = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        requests["day"] = ((requests["t_start"] + _START_OFFSET) // DAY).astype(int) if len(requests) else []
        update = next((at for alias, _, at in sb.scenario.model_updates if alias == "wf-chat"), None)
        return MonthRun(
            name=name,
            visits=pd.DataFrame(rows),
            requests=requests,
            day_cap=day_cap,
            off_request_path=self.queue is not None,
            faults=tuple(sb.scenario.faults),
            update_at=update,
            replies=replies,
        )


def replay(
    sb: Sandbox,
    deployment: Deployment | Callable[[str, list[dict[str, Any]]], Any],
    visits: Sequence[Visit],
    *,
    name: str | None = None,
    day_cap: float = DAY_CAP_USD,
) -> MonthRun:
    """Replay ``visits`` against ``deployment`` on ``sb``'s simulated clock; return what customers saw, and its cost.

    Page loads are served one after another as they arrive (one sync web worker; a slow page delays the next). On
    the request path a page that runs past ``WORKER_TIMEOUT_S`` is killed (504); a handler that raises is a 500.
    Off the request path the page answers at once (``ENQUEUE_S``) and the job worker runs the handler; a failed job
    is a user-facing error too (the customer's poll shows it). Each conversation's history (the customer's messages
    and the answers shown) is passed to the handler with the next turn.
    """
    if not isinstance(deployment, Deployment):
        deployment = Deployment(deployment)
    if getattr(sb, "_capstone_watchdog", None) is None:
        raise ValueError(
            "replay needs a sandbox made by month_sandbox() (it installs the web server's time limits); build the "
            "sandbox with month_sandbox(...), then the deployment from it"
        )
    with frozen_heap(), sb.clock.one_loop():
        return _Replay(sb, deployment).run(visits, name or deployment.name or "deployment", day_cap)


# --- tables, plots, widget ---------------------------------------------------------------------------------------


def scorecards(*runs: MonthRun | None) -> pd.DataFrame:
    """The scorecards side by side, one column per run (None entries, e.g. an unfinished exercise, are skipped)."""
    import pandas as pd

    present = [r for r in runs if r is not None]
    columns = {r.name: pd.Series(r.scorecard().as_dict(), dtype=object) for r in present}
    frame = pd.DataFrame(columns, index=list(SCORECARD_ROWS.values()))
    for label in ("user-facing error rate", "page loads with a wrong answer downstream"):
        frame.loc[label] = [f"{float(x):.2%}" for x in frame.loc[label]]
    for label in ("spend, month (USD)", "spend, worst day (USD)", "p50 request path (s)", "p95 request path (s)"):
        frame.loc[label] = [round(float(x), 2) for x in frame.loc[label]]
    frame.loc["p95 time to answer (s)"] = [round(float(x), 2) for x in frame.loc["p95 time to answer (s)"]]
    return frame


def _fault_days(run: MonthRun) -> list[int]:
    return sorted({_calendar_day(w.start) for w in run.faults if w.models and set(w.models) <= set(CHAT_FAMILY)})


def plot_month(*runs: MonthRun | None, title: str | None = None) -> Figure:
    """Three panels: spend per day (with the cap), user-facing errors per day, and the request-path latency."""
    import matplotlib.pyplot as plt
    import numpy as np

    present = [r for r in runs if r is not None]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.1))
    spend_ax, error_ax, latency_ax = axes
    width = 0.8 / max(len(present), 1)
    for k, run in enumerate(present):
        daily = run.daily()
        days = np.asarray(daily.index, dtype=float)
        spend_ax.bar(days + k * width, daily["spend USD"], width=width, label=run.name)
        error_ax.plot(days, daily["user-facing errors"], marker=".", linewidth=1, label=run.name)
        page = np.sort(np.maximum(run.visits["page_s"].to_numpy(dtype=float), 1e-3))
        share = np.arange(1, len(page) + 1) / max(len(page), 1)
        latency_ax.step(page, share, where="post", label=f"{run.name}: p95 {run.scorecard().p95_page_s:.2f} s")
    if present:
        cap = present[0].day_cap
        spend_ax.axhline(cap, color="crimson", linestyle="--", linewidth=1, label=f"cap ${cap:.2f}/day")
        for day in _fault_days(present[0]):
            error_ax.axvspan(day - 0.5, day + 0.5, color="grey", alpha=0.15)
        if present[0].update_at is not None:
            update_day = _calendar_day(present[0].update_at)
            error_ax.axvline(update_day, color="purple", linestyle=":", linewidth=1)
            error_ax.annotate("model update", (update_day, 0), xytext=(3, 60), textcoords="offset points", fontsize=7)
    spend_ax.set(title="Spend per day", xlabel="day", ylabel="USD")
    error_ax.set(title="User-facing errors per day (grey: fault nights)", xlabel="day", ylabel="page loads")
    latency_ax.set(title="Request path", xlabel="seconds (log)", ylabel="share of page loads", xscale="log")
    for ax in axes:
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


class DayExplorer:
    """A day slider over replayed months: what happened that day, per run (computed from the runs, no replay)."""

    def __init__(self, *runs: MonthRun | None, day: int | None = None) -> None:
        self.runs = [r for r in runs if r is not None]
        days = sorted({int(d) for r in self.runs for d in r.visits["day"].unique()}) or [0]
        self.first, self.last = days[0], days[-1]
        self.day = self.first if day is None else min(max(day, self.first), self.last)
        self._widget: ipywidgets.VBox | None = None
        self._out: Any = None

    def state(self, day: int | None = None) -> pd.DataFrame:
        """The day's numbers, one column per run."""
        import pandas as pd

        day = self.day if day is None else day
        columns = {}
        for run in self.runs:
            v = run.visits[run.visits["day"] == day]
            r = run.requests[run.requests["day"] == day] if len(run.requests) else run.requests
            columns[run.name] = {
                "page loads": len(v),
                "user-facing errors": int(v["user_error"].sum()),
                "wrong answers downstream": int(v["wrong_downstream"].sum()),
                "answered right": int(v["correct"].sum()),
                "requests": len(r),
                "spend (USD)": round(float(r["cost_usd"].sum()) if len(r) else 0.0, 3),
                "p95 request path (s)": round(quantile(v["page_s"], 0.95), 2) if len(v) else 0.0,
                "most common error": (v["error"].dropna().mode().iat[0] if v["error"].notna().any() else "-"),
            }
        return pd.DataFrame(columns)

    def widget(self) -> ipywidgets.VBox:
        import ipywidgets as widgets

        if self._widget is None:
            slider = widgets.IntSlider(value=self.day, min=self.first, max=self.last, description="day", step=1)
            self._out = widgets.HTML(self._html())

            def on_change(change: dict[str, Any]) -> None:
                self.day = int(change["new"])
                self._out.value = self._html()

            slider.observe(on_change, names="value")
            self._widget = widgets.VBox([slider, self._out])
        return self._widget

    def _html(self) -> str:
        table: str = self.state().to_html()
        return f"<b>day {self.day}</b>" + table

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())
