"""Notebook 04 (no fallback): the night of faults, the harness that replays it, and the tables, plot and widget.

The page handler is the unit the customer sees: it takes the question and returns a :class:`Served` (answer, which
rung of the fallback chain produced it, HTTP status). When a handler raises, the customer gets a 500::

    sb = night_sandbox()                                   # scenarios.night_of_faults() on a fresh sandbox
    naive = run_night(sb, naive_handler(sb.agent()), name="naive")
    compare(naive)                                         # errors users saw, rungs, p50/p95, dollars
    plot_timeline(naive)                                   # user-facing errors over the night

Tools for the exercises (none of them is an exercise's solution)::

    failure("rate_limit", retry_after=2.5)   # a real failure from the mocked provider: httpx.Response or exception
    ScriptedSend(clock, ["overloaded", "ok"])  # a send() that replays outcomes on a simulated clock, and records calls
    CircuitOpen                              # what a breaker-guarded call raises when the breaker refuses it
    stacked_retries(...)                     # how many requests one question costs when retry loops are stacked
    FaultExplorer(...)                       # widget: pick a failure mode, see the night
"""

from __future__ import annotations

import html
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeGuard

import httpx

from weekfour._heap import frozen_heap
from weekfour._idle import wait_for_idle, watch_cells
from weekfour.agent import SupportAgent
from weekfour.clock import SimClock
from weekfour.provider import EchoModel, MockProvider
from weekfour.sandbox import BACKUP_MODELS, Sandbox, sandbox
from weekfour.scenarios import CHAT_FAMILY, TWO_AM, Scenario, night_of_faults
from weekfour.serving import CircuitOpen, Handler, Served
from weekfour.traffic import Question, arrivals, is_correct, questions
from weekfour.types import FaultKind, FaultWindow

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "BACKUP_BLIP",
    "BreakerPlayground",
    "FAILURE_KINDS",
    "NIGHT_END",
    "NIGHT_MIX",
    "NIGHT_START",
    "RUNGS",
    "CircuitOpen",
    "FaultExplorer",
    "Handler",
    "NightReport",
    "ScriptedSend",
    "Served",
    "classify_all",
    "compare",
    "failure",
    "naive_handler",
    "night_sandbox",
    "outside_windows",
    "plot_timeline",
    "run_night",
    "run_traffic",
    "run_if_finished",
    "rungs_by_window",
    "stacked_retries",
]

HOUR: Final = 3600.0
NIGHT_START: Final = TWO_AM - 0.5 * HOUR  # 01:30, half an hour before the 429 storm
NIGHT_END: Final = TWO_AM + 4.0 * HOUR  # 06:00, after the quota window closed
NIGHT_MIX: Final = {"status": 50, "refund": 20, "policy": 20, "missing_order": 8, "long_paste": 2}
RUNGS: Final = ("primary", "backup", "cache", "degraded")
ERROR_RUNG: Final = "error"  # the handler raised: the customer saw a 500
_LABELS: Final = {
    "rate_limit": "429 storm",
    "overloaded": "503 outage",
    "server_error": "500s",
    "timeout": "timeouts",
    "connection_error": "backup down",
    "insufficient_quota": "quota exhausted",
}


# Served, Handler and CircuitOpen, the vocabulary the exercises share, live in weekfour.serving (the capstone and its
# checks use them too); notebook 04 imports them from here, with the rest of its lab.


# --- real failures, on demand ------------------------------------------------------------------------------------

FAILURE_KINDS: Final = (
    "ok",
    "rate_limit",
    "insufficient_quota",
    "server_error",
    "overloaded",
    "timeout",
    "connection_error",
    "bad_request",
    "context_length_exceeded",
    "invalid_api_key",
    "model_not_found",
    "request_too_large",
)
_FAULTS: Final[frozenset[str]] = frozenset(
    {"rate_limit", "insufficient_quota", "server_error", "overloaded", "timeout", "connection_error"}
)


def _is_fault(kind: str) -> TypeGuard[FaultKind]:
    """A kind the provider injects as a fault window (the others are answers of their own)."""
    return kind in _FAULTS


def failure(
    kind: str, *, retry_after: float | None = None, read_timeout: float = 10.0, seed: int = 0
) -> httpx.Response | httpx.TransportError:
    """What the mocked provider really answers for one chat request that ends as ``kind`` (see ``FAILURE_KINDS``).

    Returns the ``httpx.Response`` (status, headers and JSON error body as the API sends them) or the transport
    exception the client raised (``httpx.ReadTimeout``, ``httpx.ConnectError``), unraised. ``retry_after`` sets the
    wait a ``rate_limit`` 429 asks for (``retry-after`` in whole seconds, ``retry-after-ms`` exact).
    """
    if kind not in FAILURE_KINDS:
        raise ValueError(f"unknown failure kind {kind!r}; choose one of {list(FAILURE_KINDS)}")
    faults: list[FaultWindow] = []
    if _is_fault(kind):
        faults.append(FaultWindow(0.0, math.inf, kind, retry_after=retry_after))
    tpm = 1_000 if kind == "request_too_large" else None
    provider = MockProvider(EchoModel(), clock=SimClock(), faults=faults, seed=seed, tpm_limit=tpm)
    body: dict[str, Any] = {"model": "wf-chat", "messages": [{"role": "user", "content": "Where is my order A1042?"}]}
    headers: dict[str, str] = {}
    if kind == "bad_request":
        body["temperature"] = 5
    elif kind == "context_length_exceeded":
        body["messages"][0]["content"] = "log line ok " * 12_000
    elif kind == "request_too_large":
        body["messages"][0]["content"] = "log line ok " * 1_000
    elif kind == "invalid_api_key":
        headers["Authorization"] = "Bearer sk-revoked-key-0000"
    elif kind == "model_not_found":
        body["model"] = "wf-chat-9000"
    with provider.client(timeout=read_timeout, headers=headers) as client:
        try:
            response = client.post("/chat/completions", json=body)
        except httpx.TransportError as exc:
            return exc
    response.read()
    return response


class ScriptedSend:
    """A stand-in for one model call (``send() -> httpx.Response``) that replays a script on a simulated clock.

    Each call takes the next outcome of ``script`` — a kind from ``FAILURE_KINDS`` (built fresh with :func:`failure`),
    a ``(kind, retry_after)`` pair, an ``httpx.Response``, or an exception to raise — and repeats the last one once
    the script runs out. A call costs ``latency`` simulated seconds, a timeout ``read_timeout`` seconds (the client
    waited that long). ``calls`` records when each call started, ``waits`` the pauses between calls.
    """

    def __init__(
        self,
        clock: SimClock,
        script: Sequence[str | tuple[str, float] | httpx.Response | BaseException],
        *,
        latency: float = 0.05,
        read_timeout: float = 10.0,
    ) -> None:
        if not script:
            raise ValueError("give the script at least one outcome, e.g. ['overloaded', 'ok']")
        self.clock = clock
        self.script = list(script)
        self.latency = latency
        self.read_timeout = read_timeout
        self.calls: list[float] = []
        self.ends: list[float] = []

    def __repr__(self) -> str:
        return f"ScriptedSend({len(self.calls)} calls, waits={[round(w, 3) for w in self.waits]})"

    @property
    def waits(self) -> list[float]:
        """Simulated seconds between the end of each call and the start of the next."""
        return [start - end for end, start in zip(self.ends, self.calls[1:], strict=False)]

    def _outcome(self) -> httpx.Response | BaseException:
        item = self.script[min(len(self.calls) - 1, len(self.script) - 1)]
        if isinstance(item, str):
            return failure(item, read_timeout=self.read_timeout)
        if isinstance(item, tuple):
            kind, retry_after = item
            return failure(kind, retry_after=retry_after, read_timeout=self.read_timeout)
        return item

    def __call__(self) -> httpx.Response:
        self.calls.append(self.clock.now())
        outcome = self._outcome()
        cost = self.read_timeout if isinstance(outcome, httpx.TimeoutException) else self.latency
        self.clock.sleep(cost)
        self.ends.append(self.clock.now())
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


# --- the night -----------------------------------------------------------------------------------------------------


BACKUP_BLIP: Final = FaultWindow(TWO_AM + 1.2 * HOUR, TWO_AM + 1.4 * HOUR, "connection_error", models=BACKUP_MODELS)


def night_sandbox(*extra: Scenario, seed: int = 0, backup_blip: bool = True) -> Sandbox:
    """A fresh sandbox with the night of faults (plus ``extra`` scenarios); the clock stands at 01:30.

    ``backup_blip``: the backup provider refuses connections from 03:12 to 03:24, inside the primary's outage, so
    for twelve minutes nobody can answer.
    """
    blip = Scenario(name="backup blip", faults=(BACKUP_BLIP,)) if backup_blip else Scenario()
    sb = sandbox(night_of_faults(), blip, *extra, seed=seed)
    sb.clock.advance_to(NIGHT_START)
    return sb


def naive_handler(agent: SupportAgent) -> Handler:
    """The page handler of the day-three demo: ask the agent, show the answer. Any exception becomes a 500."""

    def handle(question: str) -> Served:
        reply = agent.ask(question)
        return Served(reply.answer, "primary", reply)

    return handle


@dataclass
class NightReport:
    """One replay of traffic through a handler: one row per question, and what each provider saw."""

    name: str
    frame: pd.DataFrame  # t, kind, rung, status, seconds, correct, cost_usd, error
    primary_log: pd.DataFrame
    backup_log: pd.DataFrame
    windows: tuple[FaultWindow, ...] = field(default=())

    def __repr__(self) -> str:
        errors = int((self.frame["status"] >= 500).sum()) if len(self.frame) else 0
        return f"NightReport({self.name!r}, {len(self.frame)} questions, {errors} user-facing errors)"

    def requests_in(self, kind: str) -> int:
        """Requests the primary provider received during the fault windows of ``kind`` (e.g. ``"overloaded"``)."""
        log = self.primary_log
        if not len(log):
            return 0
        hits = 0
        for w in self.windows:
            if w.kind == kind:
                hits += int(((log["t_start"] >= w.start) & (log["t_start"] < w.end)).sum())
        return hits

    def summary(self) -> dict[str, float]:
        """The numbers a manager asks for after the night."""
        f = self.frame
        rungs = f["rung"].value_counts()
        seconds = f["seconds"]
        row: dict[str, float] = {
            "questions": len(f),
            "user-facing errors (HTTP 500)": int((f["status"] >= 500).sum()),
            "correct answers": int(f["correct"].sum()),
        }
        for rung in RUNGS:
            row[f"answered by {rung}"] = int(rungs.get(rung, 0))
        row["p50 seconds"] = round(float(seconds.quantile(0.5)), 2) if len(f) else 0.0
        row["p95 seconds"] = round(float(seconds.quantile(0.95)), 2) if len(f) else 0.0
        row["spend USD"] = round(float(f["cost_usd"].sum()), 4)
        row["requests to primary"] = len(self.primary_log)
        row["requests to primary during the outage"] = self.requests_in("overloaded")
        row["requests to backup"] = len(self.backup_log)
        return row


@frozen_heap()  # a night allocates much that lives to its end: see weekfour/_heap.py
def run_traffic(
    sb: Sandbox,
    handler: Handler,
    *,
    n: int,
    start: float,
    end: float,
    seed: int = 4,
    mix: dict[str, float] | None = None,
    name: str = "handler",
) -> NightReport:
    """Send ``n`` customer questions, arriving steadily between ``start`` and ``end``, through ``handler``.

    Questions are handled one after another as they arrive (a handler that runs long delays the next one). A
    handler that raises answers the page with a 500; that is the number this notebook is about.
    """
    import pandas as pd

    qs: list[Question] = questions(n, seed=seed, world=sb.world, mix=mix or NIGHT_MIX, now=start)
    times = arrivals(n, seed=seed, start=start, rate=n / max(end - start, 1e-9))
    primary0, backup0 = len(sb.provider.log), len(sb.backup.log)
    rows = []
    for q, t in zip(qs, times, strict=True):
        sb.clock.advance_to(t)
        spend0 = sb.spend()
        error = None
        try:
            served = handler(q.text)
            if not isinstance(served, Served):
                raise TypeError(f"the handler returned {type(served).__name__}, not Served")
            rung, status, reply = served.rung, served.status, served.reply
        except Exception as exc:  # the web framework turns it into a 500 page
            rung, status, reply, error = ERROR_RUNG, 500, None, type(exc).__name__
        rows.append(
            {
                "t": t,
                "kind": q.kind,
                "rung": rung,
                "status": status,
                "seconds": sb.clock.now() - t,
                "correct": reply is not None and is_correct(q, reply),
                "cost_usd": sb.spend() - spend0,
                "error": error,
            }
        )
    primary = sb.provider.log.to_frame().iloc[primary0:].reset_index(drop=True)
    backup = sb.backup.log.to_frame().iloc[backup0:].reset_index(drop=True)
    return NightReport(name, pd.DataFrame(rows), primary, backup, tuple(sb.scenario.faults))


def run_night(sb: Sandbox, handler: Handler, *, n: int = 400, seed: int = 4, name: str = "handler") -> NightReport:
    """The night of faults, 01:30 to 06:00: ``n`` questions through ``handler`` (see :func:`run_traffic`)."""
    return run_traffic(sb, handler, n=n, start=NIGHT_START, end=NIGHT_END, seed=seed, name=name)


def compare(*reports: NightReport | None) -> pd.DataFrame:
    """The summaries side by side, one column per report (None entries, e.g. an unfinished exercise, are skipped)."""
    import pandas as pd

    present = [r for r in reports if r is not None]
    columns = {r.name: [int(v) if float(v).is_integer() else v for v in r.summary().values()] for r in present}
    index = list(present[0].summary()) if present else []
    return pd.DataFrame(columns, index=index, dtype=object)


def run_if_finished(build: Callable[..., Any], *args: Any, exercise: str = "", **kwargs: Any) -> Any:
    """``build(*args, **kwargs)``, or None with a clear message while the exercise still raises NotImplementedError."""
    try:
        return build(*args, **kwargs)
    except NotImplementedError:
        which = f"Exercise {exercise}" if exercise else f"`{getattr(build, '__name__', 'it')}`"
        print(f"{which} is not finished yet (it still raises NotImplementedError): finish it, then run this again.")
        return None


def classify_all(is_retryable: Callable[[Any], Any]) -> pd.DataFrame:
    """``is_retryable`` applied to every failure the mocked provider can produce, one row per kind."""
    import pandas as pd

    rows = []
    for kind in FAILURE_KINDS[1:]:
        outcome = failure(kind, retry_after=2.5)
        if isinstance(outcome, httpx.Response):
            body = outcome.json().get("error", {})
            what = f"HTTP {outcome.status_code} {body.get('code') or body.get('type')}"
        else:
            what = type(outcome).__name__
        rows.append({"failure": kind, "what the client sees": what, "retry?": is_retryable(outcome)})
    return pd.DataFrame(rows)


def rungs_by_window(report: NightReport | None) -> pd.DataFrame | None:
    """Which rung answered, per stretch of the night (calm, or the fault window the question arrived in)."""
    import pandas as pd

    if report is None:
        return None
    f = report.frame

    def stretch(t: float) -> str:
        names = [f"{_LABELS.get(w.kind, w.kind)} {_span(w)}" for w in report.windows if w.start <= t < w.end]
        return " + ".join(names) if names else "calm"

    stretches = f["t"].map(stretch)
    table = pd.crosstab(stretches, f["rung"])
    first_seen = f["t"].groupby(stretches).min().sort_values()  # time order: when each stretch first had a question
    order = [r for r in (*RUNGS, ERROR_RUNG) if r in table.columns]
    table = table.loc[list(first_seen.index), order]
    table.index.name = None
    table.columns.name = None
    return table


def _clock(t: float) -> str:
    minutes = round((_hour_of_night(t) % 24) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(window: FaultWindow) -> str:
    return f"{_clock(window.start)}–{_clock(window.end)}"


def outside_windows(report: NightReport | None) -> str:
    """One sentence on the 500s of ``report`` outside every fault window (what they are), or ``""`` when none."""
    if report is None or not len(report.frame):
        return ""
    f = report.frame
    inside = f["t"].map(lambda t: any(w.start <= t < w.end for w in report.windows))
    outside = f[(f["status"] >= 500) & ~inside]
    if not len(outside):
        return ""
    pastes = int((outside["kind"] == "long_paste").sum())
    others = len(outside) - pastes
    parts = []
    if pastes:
        parts.append(
            f"{pastes} {'is a' if pastes == 1 else 'are'} 40,000-token paste{'s' if pastes > 1 else ''}: no model's "
            "context window holds one, so the provider answers 400 context_length_exceeded at any hour and the naive "
            "handler turns that into a 500 (no fallback helps; a useful message does)"
        )
    if others:
        parts.append(
            f"{others} other{'s' if others > 1 else ''}: `report.frame[report.frame.status >= 500]` shows each error"
        )
    n = len(outside)
    verb = "falls" if n == 1 else "fall"
    return f"{report.name}: {n} of the 500s {verb} outside the shaded windows. " + "; ".join(parts) + "."


# --- pictures ------------------------------------------------------------------------------------------------------


def _hour_of_night(t: Any) -> Any:
    return (t - TWO_AM) / HOUR + 2.0  # simulated seconds -> wall-clock hours (2.0 is 02:00)


def plot_timeline(*reports: NightReport | None, bucket_minutes: float = 10.0, title: str | None = None) -> Figure:
    """User-facing errors per ``bucket_minutes`` over the night, one line per report, fault windows shaded."""
    import matplotlib.pyplot as plt

    present = [r for r in reports if r is not None]
    fig, ax = plt.subplots(figsize=(8.5, 2.8))
    colours = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")
    shaded: set[str] = set()
    for r in present[:1]:
        for w in r.windows:
            if w.end < NIGHT_START or w.start > NIGHT_END:
                continue
            label = _LABELS.get(w.kind, w.kind)
            ax.axvspan(_hour_of_night(w.start), _hour_of_night(w.end), color="#999999", alpha=0.15, lw=0)
            if label not in shaded:
                ax.text(
                    _hour_of_night(w.start),
                    1.0 - 0.1 * (len(shaded) % 2),
                    " " + label,
                    transform=ax.get_xaxis_transform(),
                    va="top",
                    fontsize=7,
                    color="#555555",
                )
                shaded.add(label)
    width = bucket_minutes * 60.0
    for colour, r in zip(colours, present, strict=False):
        f = r.frame
        if not len(f):
            continue
        bucket = ((f["t"] - NIGHT_START) // width).astype(int)
        errors = (f["status"] >= 500).groupby(bucket).sum()
        full = errors.reindex(range(int((NIGHT_END - NIGHT_START) // width) + 1), fill_value=0)
        x = _hour_of_night(NIGHT_START + full.index.to_numpy() * width + width / 2)
        ax.step(x, full.to_numpy(), where="mid", color=colour, label=f"{r.name}: {int(errors.sum())} errors")
    ax.set_xlim(_hour_of_night(NIGHT_START), _hour_of_night(NIGHT_END))
    ticks = [h for h in range(2, 7)]
    ax.set_xticks(ticks, [f"{h:02d}:00" for h in ticks])
    ax.set_ylabel(f"500s per {bucket_minutes:g} min")
    ax.set_title(title or "User-facing errors over the night")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=max(len(present), 1), fontsize=8, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


# --- why stacked retries hurt --------------------------------------------------------------------------------------


def stacked_retries(
    layers: Sequence[tuple[int, int]] = ((1, 2), (3, 2), (3, 0)), *, outage: FaultKind = "overloaded"
) -> pd.DataFrame:
    """What one model call costs during an outage when a retry loop wraps the SDK's own retries.

    Each ``(outer_attempts, sdk_max_retries)`` pair: a plain loop that tries ``outer_attempts`` times around
    ``openai.OpenAI(max_retries=sdk_max_retries).chat.completions.create(...)``, against a provider that is down.
    Returns one row per pair: requests the provider received, and the simulated seconds the caller waited.
    """
    import openai
    import pandas as pd

    sb = sandbox(Scenario(name="outage", faults=(FaultWindow(0.0, 24 * HOUR, outage, models=CHAT_FAMILY),)))
    rows = []
    for outer, sdk_retries in layers:
        client = sb.openai(max_retries=sdk_retries)
        t0, seen = sb.clock.now(), len(sb.log)
        for _ in range(outer):
            try:
                client.chat.completions.create(model="wf-chat", messages=[{"role": "user", "content": "hi"}])
                break
            except openai.APIError:
                continue
        rows.append(
            {
                "your loop: attempts": outer,
                "SDK max_retries": sdk_retries,
                "requests the provider got": len(sb.log) - seen,
                "seconds the customer waited": round(sb.clock.now() - t0, 2),
            }
        )
    return pd.DataFrame(rows)


# --- the widget ----------------------------------------------------------------------------------------------------

_MODES: Final = {
    "the whole night": None,
    "429 storm at 02:00": "rate_limit",
    "503 outage at 03:00": "overloaded",
    "timeouts at 04:00": "timeout",
    "quota exhausted at 04:30": "insufficient_quota",
}


def _between_cells(handler: Handler, *, give_up: Callable[[], bool]) -> Handler:
    """``handler``, holding each customer until no cell runs (background replays must not slow the learner's cells)."""

    def paced(text: str) -> Served:
        wait_for_idle(give_up)
        return handler(text)

    return paced


class FaultExplorer:
    """Pick a failure mode; see what the night does to each handler (a table and the error timeline).

    ``handlers`` maps a name to ``make(sb) -> Handler``; each mode replays the night with only that fault on a fresh
    sandbox. ``explorer.show(mode)`` computes a mode without a human (the widget calls the same), and
    ``explorer.reports`` holds the reports of the mode on screen.

    A replay is computed once per mode and kept. With the kit's own handlers, the widget also replays the other modes
    in a background thread after it first shows (``precompute``; never while grading), so a change of mode answers
    from what is kept instead of replaying the night again. That thread works only while no cell runs.
    """

    modes: Final = tuple(_MODES)

    def __init__(
        self,
        handlers: dict[str, Callable[[Sandbox], Handler]] | None = None,
        *,
        n: int = 150,
        precompute: bool | None = None,
    ) -> None:
        self.handlers = handlers or {"naive": lambda sb: naive_handler(sb.agent())}
        self.n = n
        # Learner handlers may print: their replays stay in the foreground, where the output belongs to the cell.
        own = handlers is None
        self.precompute = (own and not os.environ.get("WEEKFOUR_GRADING")) if precompute is None else precompute
        self.reports: list[NightReport] = []
        self._cache: dict[str, list[NightReport]] = {}
        self._views: dict[str, tuple[Any, Any, str]] = {}  # mode -> (table, timeline image, note under it)
        self._computing: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._wanted: set[str] = set()  # modes the foreground waits for
        self._hurry = False  # a cell waits for the whole background (finish_warming)
        self._warming: threading.Thread | None = None
        self._widget: Any = None

    def _replay(self, mode: str, *, background: bool = False) -> list[NightReport]:
        kind = _MODES[mode]
        reports = []
        for name, make in self.handlers.items():
            sb = night_sandbox(backup_blip=kind is None)
            if kind is not None:
                sb.provider.faults[:] = [f for f in sb.provider.faults if f.kind == kind]
                sb.scenario = Scenario(name=mode, faults=tuple(sb.provider.faults))
            handler = make(sb)
            if background:  # each customer waits until no cell runs, unless a cell waits for this very mode
                handler = _between_cells(handler, give_up=lambda: self._hurry or mode in self._wanted)
            reports.append(run_night(sb, handler, n=self.n, name=name))
        return reports

    def run(self, mode: str, *, background: bool = False) -> list[NightReport]:
        """The reports of ``mode``: replayed the first time (or waited for, when the background has it in hand)."""
        if mode not in _MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {list(_MODES)}")
        while True:
            with self._lock:
                if mode in self._cache:
                    return self._cache[mode]
                busy = self._computing.get(mode)
                if busy is None:
                    busy = self._computing[mode] = threading.Event()
                    mine = True
                else:
                    mine = False
            if not mine:
                self._wanted.add(mode)  # the background stops waiting for idle on this mode's behalf
                busy.wait()  # computed elsewhere; if that failed, the loop replays it here and raises here
                continue
            try:
                reports = self._replay(mode, background=background)
                with self._lock:
                    self._cache[mode] = reports
                return reports
            finally:
                with self._lock:
                    self._computing.pop(mode, None)
                busy.set()

    def warm(self) -> None:
        """Replay every mode not kept yet (what the background thread does, between the cells)."""
        for mode in self.modes:
            try:
                self.run(mode, background=True)
            except Exception:  # the foreground replays it and shows the error where it belongs
                continue

    def finish_warming(self, timeout: float | None = None) -> None:
        """Wait until the background has replayed every mode (it stops waiting for the cells to end meanwhile)."""
        if self._warming is not None:
            self._hurry = True
            self._warming.join(timeout)

    def show(self, mode: str) -> list[NightReport]:
        """Compute ``mode`` and, when the widget exists, draw it there."""
        self.reports = self.run(mode)
        if self._widget is not None:
            self._draw(mode)
        return self.reports

    def widget(self) -> Any:
        """The ipywidgets box: a dropdown over the failure modes (the whole night first), a table, the timeline."""
        import ipywidgets as widgets

        if self._widget is None:
            dropdown = widgets.Dropdown(
                options=list(_MODES),
                value=self.modes[0],
                description="failure mode",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="22em"),
            )
            busy = widgets.HTML(value="", layout=widgets.Layout(margin="0 0 0 1em"))
            out = widgets.Output()
            self._widget = widgets.VBox([widgets.HBox([dropdown, busy]), out])
            self._dropdown, self._busy, self._out = dropdown, busy, out
            dropdown.observe(self._on_change, names="value")
            self._on_change({"new": dropdown.value})
            if self.precompute and self._warming is None:
                watch_cells()
                self._warming = threading.Thread(target=self.warm, name="fault-explorer", daemon=True)
                self._warming.start()
        return self._widget

    def _on_change(self, change: dict[str, Any]) -> None:
        mode = change["new"]
        self._busy.value = f"⏳ replaying the night: {mode}…" if mode not in self._cache else ""
        self._dropdown.disabled = True
        try:
            self.show(mode)
        finally:
            self._dropdown.disabled = False
            self._busy.value = ""

    def _view(self, mode: str) -> tuple[Any, Any, str]:
        """What the widget shows for ``mode``, built once: the table, the timeline as a PNG, the note under it."""
        if mode not in self._views:
            import io

            from IPython.display import Image

            fig = plot_timeline(*self.reports, title=f"User-facing errors: {mode}")
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=fig.dpi)
            note = " ".join(text for r in self.reports if (text := outside_windows(r)))
            self._views[mode] = (compare(*self.reports), Image(data=png.getvalue(), format="png"), note)
        return self._views[mode]

    def _draw(self, mode: str) -> None:
        from IPython.display import Markdown, display

        table, timeline, note = self._view(mode)
        self._out.clear_output(wait=True)
        with self._out:
            display(table)
            display(timeline)
            if note:
                display(Markdown(note))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget())


class BreakerPlayground:
    """Play with a circuit breaker class: a provider that is down from minute 1 to minute 6, a call every 5 s.

    ``BreakerPlayground(CircuitBreaker).run(threshold, cooldown)`` returns one row per call (when, the breaker's
    state, whether the call went out, how it ended); ``widget()`` adds sliders, the picture and the summary line —
    one line, redrawn with the picture on every slider move, so no copy of it can go stale.
    """

    def __init__(
        self, breaker_cls: Callable[..., Any], *, outage: tuple[float, float] = (60.0, 360.0), every: float = 5.0
    ) -> None:
        self.breaker_cls = breaker_cls
        self.outage = outage
        self.every = every
        self.frame: pd.DataFrame | None = None
        self._widget: Any = None

    def run(self, threshold: int = 5, cooldown: float = 60.0, *, minutes: float = 8.0) -> pd.DataFrame:
        import pandas as pd

        clock = SimClock()
        breaker = self.breaker_cls(clock=clock, failure_threshold=threshold, cooldown=cooldown)
        rows = []
        t = 0.0
        while t < minutes * 60.0:
            clock.advance_to(t)
            state = breaker.state
            sent = bool(breaker.allow())
            down = self.outage[0] <= t < self.outage[1]
            if sent and down:
                breaker.record_failure()
            elif sent:
                breaker.record_success()
            rows.append(
                {
                    "t": t,
                    "state": state,
                    "sent": sent,
                    "provider down": down,
                    "outcome": ("failed" if down else "ok") if sent else "refused",
                }
            )
            t += self.every
        self.frame = pd.DataFrame(rows)
        return self.frame

    def summary(self) -> str:
        f = self.frame
        if f is None:
            return "nothing run yet"
        down = f[f["provider down"]]
        sent = int(down["sent"].sum())
        recovered = f[(~f["provider down"]) & (f["t"] >= self.outage[1]) & f["sent"]]
        back = f"{recovered['t'].iloc[0] - self.outage[1]:.0f} s" if len(recovered) else "never"
        return (
            f"{sent} of {len(down)} calls during the outage went to the dead provider; "
            f"traffic resumed {back} after it recovered"
        )

    def plot(self, *, title: str | None = None) -> Figure:
        """The calls on a time line; titled with :meth:`summary` unless ``title`` says otherwise."""
        import matplotlib.pyplot as plt

        f = self.frame if self.frame is not None else self.run()
        fig, ax = plt.subplots(figsize=(8.5, 1.9))
        ax.axvspan(self.outage[0] / 60, self.outage[1] / 60, color="#999999", alpha=0.15, lw=0)
        colours = {"ok": "#2ca02c", "failed": "#d62728", "refused": "#bbbbbb"}
        for outcome, colour in colours.items():
            part = f[f["outcome"] == outcome]
            ax.scatter(part["t"] / 60, [1] * len(part), s=60, color=colour, label=outcome, marker="|")
        ax.set_yticks([])
        ax.set_xlabel(
            "minutes (shaded: the provider is down) · green: sent, passed · red: sent, failed · grey: refused"
        )
        ax.set_title(self.summary() if title is None else title, fontsize=9)
        fig.tight_layout()
        plt.close(fig)
        return fig

    def widget(self) -> Any:
        """Two sliders, the summary line and the picture; moving a slider replays and redraws both."""
        import ipywidgets as widgets

        if self._widget is None:
            style = {"description_width": "initial"}
            threshold = widgets.IntSlider(value=5, min=1, max=10, description="failure threshold", style=style)
            cooldown = widgets.FloatSlider(
                value=60.0, min=5.0, max=180.0, step=5.0, description="cooldown (s)", style=style
            )
            summary = widgets.HTML(value="")
            out = widgets.Output()

            def redraw(_: Any = None) -> None:
                from IPython.display import display

                self.run(threshold.value, cooldown.value)
                summary.value = f"<b>{html.escape(self.summary())}</b>"
                out.clear_output(wait=True)
                with out:
                    display(self.plot(title=""))

            threshold.observe(redraw, names="value")
            cooldown.observe(redraw, names="value")
            self._widget = widgets.VBox([widgets.HBox([threshold, cooldown]), summary, out])
            self._summary = summary
            redraw()
        return self._widget
