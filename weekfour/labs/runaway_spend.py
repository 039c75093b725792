"""Notebook 02 (runaway spend): the night replay, the before/after table, the spend plot and the budget widget.

Nothing here is an exercise's solution: it is the harness the notebook runs the learner's code in::

    sb = sandbox(scenarios.runaway())
    night = run_night(sb, sb.agent(), night_traffic(sb))     # one night of customers, on the simulated clock
    compare({"before": night, "after": fixed})               # the numbers a manager reads
    plot_spend({"before": night, "after": fixed}, cap=5.0)   # spend over the night, with the cap line

``BudgetExceeded`` is the refusal a hard budget raises. It is a plain ``Exception`` on purpose, not an
``httpx.TransportError``: the openai SDK treats any transport error as a network blip, retries it and then raises
``APIConnectionError``, which hides the reason from the caller. A plain exception passes through the SDK unchanged.

    Exception
     └── BudgetExceeded      scope ("request" | "session" | "day"), limit, spent, estimate; user_message
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import httpx

from weekfour._heap import frozen_heap
from weekfour.clock import SimClock, minutes
from weekfour.traffic import Question, arrivals, is_correct
from weekfour.world import DAY

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd
    from matplotlib.figure import Figure

    from weekfour.sandbox import Sandbox

__all__ = [
    "NIGHT_END",
    "NIGHT_MIX",
    "NIGHT_START",
    "BudgetExceeded",
    "NightResult",
    "budget_widget",
    "chat_until_it_breaks",
    "compare",
    "night_traffic",
    "plot_spend",
    "run_night",
]

Scope = Literal["request", "session", "day"]

NIGHT_START = DAY - 9 * 3600.0  # Tuesday 00:00 (the clock starts Monday 09:00)
NIGHT_END = NIGHT_START + 6 * 3600.0  # Tuesday 06:00
BAD_INPUT = "Can you check all my orders?"
BAD_INPUT_AT = NIGHT_START + minutes(30)
# The night's ordinary traffic. Missing order ids loop too, but each such loop is 700 requests long: the notebook
# keeps one kind of runaway ("check all my orders") so it runs in seconds.
NIGHT_MIX = {"status": 50, "refund": 20, "policy": 20, "foreign": 5, "empty": 5}


class BudgetExceeded(Exception):
    """A request was refused before it was sent: its worst case would cross a spending ceiling.

    ``scope`` says which ceiling ("request", "session" or "day"); ``limit`` is that ceiling in USD, ``spent`` what
    the scope had spent before this request, ``estimate`` the request's worst-case cost.
    """

    def __init__(self, scope: Scope, *, limit: float, spent: float, estimate: float) -> None:
        if scope not in ("request", "session", "day"):
            raise ValueError(f"scope must be 'request', 'session' or 'day', not {scope!r}")
        self.scope: Scope = scope
        self.limit = float(limit)
        self.spent = float(spent)
        self.estimate = float(estimate)
        super().__init__(str(self))

    def __str__(self) -> str:
        left = max(self.limit - self.spent, 0.0)
        return (
            f"Refused before sending: this request could cost up to ${self.estimate:.4f}, and the per-{self.scope} "
            f"budget has ${left:.4f} of ${self.limit:.2f} left. Nothing was sent. Shorten the request, lower its "
            f"completion ceiling, or raise the per-{self.scope} budget."
        )

    def __reduce__(self) -> tuple[Any, ...]:  # keyword-only init: keep the exception picklable
        return (_rebuild, (self.scope, self.limit, self.spent, self.estimate))

    @property
    def user_message(self) -> str:
        """What a customer may read: no prices, no internals, and what happens next."""
        if self.scope == "request":
            return "That message is too large for me to handle in one go. Please send just the part you need help with."
        return "I can't look into this automatically right now. A colleague will pick it up and reply by email."


def _rebuild(scope: Scope, limit: float, spent: float, estimate: float) -> BudgetExceeded:
    return BudgetExceeded(scope, limit=limit, spent=spent, estimate=estimate)


# -- the night -------------------------------------------------------------------------------------------------


def night_traffic(sb: Sandbox, *, n: int = 24, seed: int = 0) -> list[tuple[float, Question]]:
    """The night's customers: ``n`` ordinary questions between 00:00 and 06:00, and at 00:30 the bad input."""
    times = arrivals(n, seed=seed, start=NIGHT_START, duration=NIGHT_END - NIGHT_START)
    qs = sb.questions(n, seed=seed, mix=NIGHT_MIX, now=NIGHT_START)
    bad = Question(BAD_INPUT, "all_orders", None, {"refund": False})
    return sorted([*zip(times, qs, strict=True), (BAD_INPUT_AT, bad)], key=lambda pair: pair[0])


@dataclass
class NightResult:
    """One replayed night: a row per question asked (``asks``) and a row per request sent (``requests``)."""

    asks: pd.DataFrame
    requests: pd.DataFrame
    alerts: list[tuple[float, float, float]] = field(default_factory=list)  # (t, threshold, spent)

    @property
    def spend(self) -> float:
        return float(self.requests["cost_usd"].sum()) if len(self.requests) else 0.0

    def messages(self) -> pd.DataFrame:
        """What customers read when they did not get an answer (errors, refusals, step ceilings), one row per text."""
        rows = self.asks[self.asks["outcome"] != "answered"]
        return (
            rows.groupby(["outcome", "user_message"], sort=False).size().rename("times").reset_index()
            if len(rows)
            else rows[["outcome", "user_message"]].assign(times=0)
        )


def _clock_label(clock: SimClock, t: float) -> str:
    return (clock.start + timedelta(seconds=t)).strftime("%a %H:%M")


@frozen_heap()  # a night allocates much that lives to its end: see weekfour/_heap.py
def run_night(
    sb: Sandbox,
    agent: Any,
    traffic: Sequence[tuple[float, Question]],
    *,
    resubmit_after: float = minutes(90),
    until: float = NIGHT_END,
    before_each: Callable[[], None] | None = None,
) -> NightResult:
    """Replay ``traffic`` against ``agent`` on the sandbox's clock; return what customers saw and what it cost.

    A question that ends in an error page is resubmitted ``resubmit_after`` later by the chat widget (its
    retry-on-error, added on day two), until ``until``. ``before_each`` runs before every question: a new session.
    """
    import pandas as pd

    start_log = len(sb.log)
    heap: list[tuple[float, int, int, Question]] = [(t, i, 0, q) for i, (t, q) in enumerate(traffic)]
    heapq.heapify(heap)
    seq = len(heap)
    rows: list[dict[str, Any]] = []
    while heap:
        t, _, attempt, q = heapq.heappop(heap)
        if t >= until:
            continue
        sb.clock.advance_to(t)
        if before_each is not None:
            before_each()
        spent0, t0, n0 = sb.spend(), sb.clock.now(), len(sb.log)
        reply: Any = None
        try:
            reply = agent.ask(q.text)
        except BudgetExceeded as exc:
            reply, outcome, message = exc, "refused", exc.user_message
        except httpx.HTTPStatusError as exc:
            reply, outcome = exc, "error"
            message = f"Something went wrong (error {exc.response.status_code}). Please try again later."
        else:
            outcome = "answered" if reply.finished else "stopped"
            message = reply.answer
        rows.append(
            {
                "t": t0,
                "at": _clock_label(sb.clock, t0),
                "kind": q.kind,
                "attempt": attempt,
                "outcome": outcome,
                "requests": len(sb.log) - n0,
                "cost_usd": sb.spend() - spent0,
                "seconds": sb.clock.now() - t0,
                "correct": is_correct(q, reply),
                "user_message": message,
            }
        )
        if outcome == "error" and t0 + resubmit_after < until:
            heapq.heappush(heap, (t0 + resubmit_after, seq, attempt + 1, q))
            seq += 1
    requests = sb.log.to_frame().iloc[start_log:].reset_index(drop=True)
    return NightResult(pd.DataFrame(rows), requests)


def compare(results: dict[str, NightResult]) -> pd.DataFrame:
    """The before/after table: one column per night, one row per number a manager asks about."""
    import pandas as pd

    def column(r: NightResult) -> dict[str, Any]:
        a = r.asks
        answered = a[a["outcome"] == "answered"]
        secs = a["seconds"] if len(a) else pd.Series([0.0])
        return {
            "questions asked (with resubmits)": len(a),
            "answered right": int(answered["correct"].sum()),
            "wrong answers passed on": int((~answered["correct"]).sum()),
            "error pages shown": int((a["outcome"] == "error").sum()),
            "refused by the budget": int((a["outcome"] == "refused").sum()),
            "stopped by the step ceiling": int((a["outcome"] == "stopped").sum()),
            "requests sent": len(r.requests),
            "400 context_length_exceeded": int((r.requests["error_code"] == "context_length_exceeded").sum())
            if len(r.requests)
            else 0,
            "spend (USD)": round(r.spend, 2),
            "p50 seconds per question": round(float(secs.quantile(0.5)), 1),
            "p95 seconds per question": round(float(secs.quantile(0.95)), 1),
        }

    return pd.DataFrame({name: column(r) for name, r in results.items()})


def _hours_into_night(t: Any) -> Any:
    return (t - NIGHT_START) / 3600.0


def plot_spend(
    results: dict[str, NightResult], *, cap: float | None = None, ax: Any = None, title: str | None = None
) -> Figure:
    """Cumulative spend over the night per result; the cap as a line; where the first night crossed it."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.2))
    else:
        fig = ax.figure
    for name, r in results.items():
        req = r.requests
        xs = [0.0, *_hours_into_night(req["t_end"]).tolist(), (NIGHT_END - NIGHT_START) / 3600.0]
        total = req["cost_usd"].cumsum().tolist()
        ys = [0.0, *total, total[-1] if total else 0.0]
        ax.step(xs, ys, where="post", label=f"{name}: ${r.spend:,.2f}")
    if cap is not None:
        ax.axhline(cap, color="crimson", linestyle="--", linewidth=1, label=f"cap ${cap:,.2f}/day")
        first = next(iter(results.values()), None)
        if first is not None and len(first.requests):
            crossed = first.requests[first.requests["cost_usd"].cumsum() > cap]
            if len(crossed):
                x = float(_hours_into_night(crossed["t_end"].iloc[0]))
                ax.axvline(x, color="grey", linestyle=":", linewidth=1)
                ax.annotate("should have stopped here", (x, cap), xytext=(6, 8), textcoords="offset points", fontsize=8)
    ax.set_xlabel("hours after midnight (simulated)")
    ax.set_ylabel("USD spent")
    ax.set_title(title or "Spend over the night")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


# -- the long conversation -------------------------------------------------------------------------------------


def chat_until_it_breaks(agent: Any, turns: Sequence[str]) -> pd.DataFrame:
    """One customer, one conversation: each turn is sent with the whole history so far. One row per turn."""
    import pandas as pd

    from weekfour.tokens import count_message_tokens

    history: list[dict[str, Any]] = []
    rows = []
    for i, text in enumerate(turns, start=1):
        sent = count_message_tokens([*history, {"role": "user", "content": text}])
        try:
            reply = agent.ask(text, history=history)
        except httpx.HTTPStatusError as exc:
            body = exc.response.json().get("error", {})
            rows.append(
                {
                    "turn": i,
                    "history tokens": sent,
                    "outcome": f"{exc.response.status_code} {body.get('code')}",
                    "reply": body.get("message", "")[:90],
                }
            )
            break
        history = [m for m in reply.messages if m.get("role") != "system"]
        rows.append({"turn": i, "history tokens": sent, "outcome": "answered", "reply": reply.answer[:90]})
    return pd.DataFrame(rows)


# -- the widget ------------------------------------------------------------------------------------------------


def budget_widget(
    replay: Callable[[float], NightResult],
    *,
    value: float = 5.0,
    low: float = 0.5,
    high: float = 40.0,
    baseline: NightResult | None = None,
) -> tuple[ipywidgets.Widget, NightResult | None]:
    """A slider for the per-day budget; moving it replays the night with that cap and redraws where it stops.

    Returns the widget and the night at the initial ``value`` (computed now, so it also runs headless). When the
    replay is not possible yet (an exercise still raises NotImplementedError), the widget says which one.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    slider = widgets.FloatSlider(
        value=value, min=low, max=high, step=0.5, description="$ per day", continuous_update=False, readout_format=".2f"
    )
    out = widgets.Output()
    state: dict[str, NightResult | None] = {"night": None}

    def draw(cap: float) -> NightResult | None:
        from IPython.display import display

        out.clear_output(wait=True)
        with out:
            try:
                night = replay(cap)
            except NotImplementedError as exc:
                print(f"Finish the exercises first: {exc}")
                return None
            runs = {f"cap ${cap:.2f}": night}
            if baseline is not None:
                runs = {"no cap": baseline, **runs}
            fig = plot_spend(runs, cap=cap, title=f"The night with a ${cap:.2f}/day hard budget")
            display(fig)
            plt.close(fig)
            stopped = night.asks[night.asks["outcome"] == "refused"]
            first = stopped["at"].iloc[0] if len(stopped) else "never"
            print(
                f"spent ${night.spend:.2f} of ${cap:.2f}; first refusal: {first}; "
                f"refused {len(stopped)} of {len(night.asks)} questions"
            )
        return night

    state["night"] = draw(slider.value)
    slider.observe(lambda change: draw(float(change["new"])), names="value")
    box = widgets.VBox([slider, out])
    return box, state["night"]
