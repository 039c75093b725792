"""The lab of notebook 03 (latency on the hot path): a web server on simulated time, tables, plots and a widget.

Nothing here is an exercise's solution; it is the bench the learner's code runs on::

    sb = sandbox(latency.slow_shop())
    result = latency.simulate(sb.clock, handler, questions, arrivals, web_workers=8)   # page loads on virtual time
    latency.latency_table({"before": result.pages["seconds"]})                         # p50 / p95 / p99 / max
    latency.plot_latency({"before": result.pages["seconds"]})                          # histogram + CDF

The server model: page loads arrive at given simulated seconds and wait for one of ``web_workers`` workers (a sync
web server such as gunicorn's sync workers); the handler runs on that worker and answers ``(status, body)``. A 202
answer carries a ``job_id``: the browser then polls ``status(job_id)`` every ``poll_every`` seconds until the job is
done or failed, and the moment it sees the result is the moment the answer appears on the page. Job workers
(``job_workers`` of them) call ``queue.run_one()`` in a loop, next to the web server, on the same clock.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from weekfour.clock import SimClock
from weekfour.labs._stats import quantile
from weekfour.scenarios import Scenario, slow
from weekfour.types import FaultWindow

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from weekfour.sandbox import Sandbox

__all__ = [
    "CHAT_PROMPT",
    "Job",
    "JobState",
    "PageLoad",
    "Simulation",
    "Streamed",
    "chat_context",
    "concurrency_explorer",
    "latency_table",
    "plot_latency",
    "simulate",
    "slow_shop",
]

JobState = Literal["queued", "running", "done", "failed"]
Handler = Callable[[str], Awaitable[tuple[int, dict[str, Any]]]]

CHAT_PROMPT = """\
You are the support assistant of the Week Four outdoor shop.
Use the tools to look up orders and policies before you answer.
Answer the customer in one or two friendly sentences."""


@dataclass
class Job:
    """One piece of background AI work: what to do, where it stands, and how it ended."""

    id: str
    payload: str
    state: JobState = "queued"  # queued -> running -> done | failed (a failed job can go back to queued)
    result: Any = None
    error: str | None = None  # why the last attempt failed, e.g. "HTTPStatusError: Server error '503 ...'"
    attempts: int = 0  # how many times a worker has started it


@dataclass(frozen=True)
class Streamed:
    """What a streamed answer looked like to the person watching it (times in simulated seconds)."""

    text: str
    ttft: float  # from sending the request to the first visible token
    total: float  # from sending the request to the end of the stream


@dataclass(frozen=True)
class PageLoad:
    """One page load as the user lived it (simulated seconds)."""

    question: str
    arrived: float
    started: float  # when a web worker picked it up
    finished: float  # when the page was sent back
    status: int  # 200 / 202 / 500
    job_id: str | None = None
    answered: float | None = None  # when the answer was on the user's screen (None: never)
    error: str | None = None

    @property
    def seconds(self) -> float:
        return self.finished - self.arrived

    @property
    def answer_seconds(self) -> float:
        return math.nan if self.answered is None else self.answered - self.arrived


class _JobSource(Protocol):
    def status(self, job_id: str) -> Any: ...

    async def run_one(self) -> bool: ...


@dataclass
class Simulation:
    """What :func:`simulate` measured."""

    pages: pd.DataFrame  # one row per page load
    started: float  # simulated second the run started
    ended: float  # simulated second the last page, poll and job finished
    loads: list[PageLoad] = field(repr=False, default_factory=list)

    @property
    def duration(self) -> float:
        return self.ended - self.started

    def summary(self) -> dict[str, float]:
        """The numbers a manager reads: page-load and answer percentiles, user-facing errors, throughput."""
        pages = self.pages
        answered = pages["answer_s"].dropna()
        minutes = max(self.duration / 60.0, 1e-9)
        return {
            "page loads": float(len(pages)),
            "page p50 (s)": quantile(pages["page_s"], 0.50),
            "page p95 (s)": quantile(pages["page_s"], 0.95),
            "page p99 (s)": quantile(pages["page_s"], 0.99),
            "answer p50 (s)": quantile(answered, 0.50),
            "answer p95 (s)": quantile(answered, 0.95),
            "user-facing errors": float(((pages["status"] >= 500) | pages["answer_s"].isna()).sum()),
            "answers per minute": float(len(answered)) / minutes,
        }


def slow_shop(*, p50: float = 4.0, outage: tuple[float, float] | None = (60.0, 100.0)) -> Scenario:
    """The notebook's production: a slow model (25 tokens/s after about 0.8 s) and a short 503 outage.

    ``outage`` is the ``(start, end)`` of a window in which half the requests answer 503; None for none.
    """
    scenario = slow(p50=p50, per_output_token=0.04, jitter=0.35)
    if outage is not None:
        scenario = scenario.with_faults(FaultWindow(outage[0], outage[1], "overloaded", probability=0.5))
    return scenario


def chat_context(sb: Sandbox, question: str) -> list[dict[str, Any]]:
    """The messages the chat's final answer is generated from: system prompt, question, tool calls and results.

    The tool steps run first, unstreamed (a person sees nothing of them); what is left to stream is the answer. This
    runs the day-three agent once with :data:`CHAT_PROMPT` and drops its final answer.
    """
    agent = sb.agent(sb.client(timeout=60), system_prompt=CHAT_PROMPT)
    reply = agent.ask(question)
    return reply.messages[:-1]


def simulate(
    clock: SimClock,
    handler: Handler,
    questions: Sequence[str],
    arrivals: Sequence[float],
    *,
    web_workers: int = 8,
    render_s: float = 0.03,
    jobs: _JobSource | None = None,
    job_workers: int = 0,
    poll_every: float = 1.0,
    every: tuple[float, Callable[[], None]] | None = None,
    give_up_after: float = 600.0,
) -> Simulation:
    """Serve ``questions`` arriving at ``arrivals`` (simulated seconds from now) and measure every page load.

    ``handler(question)`` answers ``(status, body)``; ``render_s`` of template work is added to each page. With
    ``jobs`` (anything with ``status(job_id)`` and ``async run_one()``), ``job_workers`` workers drain it while the
    pages are served, and the browser of each 202 polls ``jobs.status(job_id)`` until the job is done or failed.
    ``every=(seconds, fn)`` calls ``fn()`` every ``seconds`` while the run lasts (e.g. a sweeper that retries failed
    jobs). A poll gives up after ``give_up_after`` seconds: that page never shows its answer.
    """
    if len(questions) != len(arrivals):
        raise ValueError(f"got {len(questions)} questions but {len(arrivals)} arrival times; pass one per question")
    if web_workers < 1:
        raise ValueError(f"web_workers must be at least 1, not {web_workers}")
    if jobs is not None and job_workers < 1:
        raise ValueError("a job queue needs workers: pass job_workers=1 or more")
    return clock.run(
        _simulate(
            clock,
            handler,
            list(questions),
            list(arrivals),
            web_workers=web_workers,
            render_s=render_s,
            jobs=jobs,
            job_workers=job_workers,
            poll_every=poll_every,
            every=every,
            give_up_after=give_up_after,
        )
    )


async def _simulate(
    clock: SimClock,
    handler: Handler,
    questions: list[str],
    arrivals: list[float],
    *,
    web_workers: int,
    render_s: float,
    jobs: _JobSource | None,
    job_workers: int,
    poll_every: float,
    every: tuple[float, Callable[[], None]] | None,
    give_up_after: float,
) -> Simulation:
    t0 = clock.now()
    web = asyncio.Semaphore(web_workers)
    stop = asyncio.Event()

    async def job_worker() -> None:
        assert jobs is not None
        while True:
            if not await jobs.run_one():
                if stop.is_set():
                    return
                await asyncio.sleep(0.05)

    async def poll(job_id: str) -> float | None:
        assert jobs is not None
        deadline = clock.now() + give_up_after
        while clock.now() < deadline:
            job = jobs.status(job_id)
            state = getattr(job, "state", None)
            if state == "done":
                return clock.now()
            await asyncio.sleep(poll_every)
        return None

    async def page(question: str, at: float) -> PageLoad:
        await asyncio.sleep(max(t0 + at - clock.now(), 0.0))
        arrived = clock.now()
        async with web:
            started = clock.now()
            try:
                status, body = await handler(question)
                error = None
            except Exception as exc:  # the framework turns it into a 500 page
                status, body, error = 500, {}, f"{type(exc).__name__}: {str(exc)[:120]}"
            await asyncio.sleep(render_s)
            finished = clock.now()
        job_id = body.get("job_id") if status == 202 else None
        answered: float | None = finished if status == 200 else None
        if job_id is not None and jobs is not None:
            answered = await poll(str(job_id))
        return PageLoad(question, arrived, started, finished, status, job_id, answered, error)

    async def sweeper(period: float, fn: Callable[[], None]) -> None:
        while not stop.is_set():
            await asyncio.sleep(period)
            fn()

    workers = [asyncio.ensure_future(job_worker()) for _ in range(job_workers if jobs is not None else 0)]
    sweep = asyncio.ensure_future(sweeper(*every)) if every is not None else None
    loads = list(await asyncio.gather(*(page(q, at) for q, at in zip(questions, arrivals, strict=True))))
    stop.set()
    await asyncio.gather(*workers)
    if sweep is not None:
        sweep.cancel()
    return Simulation(pages=_frame(loads, t0), started=t0, ended=clock.now(), loads=loads)


def _frame(loads: list[PageLoad], t0: float) -> pd.DataFrame:
    import pandas as pd

    rows = [
        {
            "arrived": p.arrived - t0,
            "status": p.status,
            "page_s": p.seconds,
            "answer_s": p.answer_seconds,
            "queued_s": p.started - p.arrived,
            "job_id": p.job_id,
            "error": p.error,
        }
        for p in loads
    ]
    return pd.DataFrame(rows, columns=["arrived", "status", "page_s", "answer_s", "queued_s", "job_id", "error"])


def latency_table(series: Mapping[str, Sequence[float] | pd.Series]) -> pd.DataFrame:
    """p50 / p95 / p99 / max (seconds) per named series, one row each (pandas' linear interpolation)."""
    import pandas as pd

    rows = {}
    for name, values in series.items():
        s = pd.Series(list(values), dtype=float).dropna()
        rows[name] = {
            "n": len(s),
            "p50 (s)": quantile(s, 0.50),
            "p95 (s)": quantile(s, 0.95),
            "p99 (s)": quantile(s, 0.99),
            "max (s)": float(s.max()) if len(s) else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index").round(2)


def plot_latency(series: Mapping[str, Sequence[float] | pd.Series], *, title: str = "Page load") -> Figure:
    """A histogram and a CDF of each named series of seconds, side by side, with the p95 marked."""
    import matplotlib.pyplot as plt
    import pandas as pd

    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(9, 3))
    top = max((max(list(v), default=0.0) for v in series.values()), default=1.0) or 1.0
    bins = [top * i / 40 for i in range(41)]
    for name, values in series.items():
        s = pd.Series(list(values), dtype=float).dropna().sort_values()
        if s.empty:
            continue
        hist.hist(s, bins=bins, alpha=0.6, label=name)
        cdf.plot(s.to_list(), [(i + 1) / len(s) for i in range(len(s))], label=name)
        p95 = float(s.quantile(0.95))
        cdf.axvline(p95, linestyle="--", linewidth=1, color=cdf.lines[-1].get_color())
        cdf.annotate(f"p95 {p95:.1f}s", (p95, 0.5), rotation=90, fontsize=8, va="center", ha="right")
    hist.set(title=f"{title}: histogram", xlabel="seconds", ylabel="page loads")
    cdf.set(title=f"{title}: CDF", xlabel="seconds", ylabel="share of page loads at or below", ylim=(0, 1.02))
    for ax in (hist, cdf):
        ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)  # shown by the caller (display(fig)), not twice
    return fig


def concurrency_explorer(
    run: Callable[[int], Mapping[str, float]],
    *,
    limits: Sequence[int] = (1, 2, 4, 8, 12, 16, 24, 32),
    initial: int = 8,
    label: str = "max in flight",
) -> Any:
    """A slider over ``limits``; each move calls ``run(limit)`` and shows its numbers as a one-row table.

    Returns the widget; ``widget.result`` holds the numbers for the current value (computed at once, so it also
    works headless). If ``run`` raises NotImplementedError (an exercise not written yet), the widget says so.
    """
    import ipywidgets as widgets
    import pandas as pd

    slider = widgets.SelectionSlider(options=list(limits), value=initial, description=label)
    out = widgets.Output()
    box = widgets.VBox([slider, out])
    box.result = {}

    def show(limit: int) -> None:
        text: str | None
        try:
            numbers = dict(run(limit))
        except NotImplementedError:
            numbers = {}
            text = "Finish the exercise this widget runs on, run its cell, then move the slider."
        else:
            text = None
        box.result = numbers
        out.clear_output()
        with out:
            from IPython.display import display

            if text is not None:
                print(text)
            else:
                display(pd.DataFrame([numbers], index=[f"{label} = {limit}"]).round(2))

    slider.observe(lambda change: show(change["new"]), names="value")
    show(initial)
    return box
