"""weekfour.labs.latency: the simulated web server, the tables, the plot and the widget of notebook 03."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pandas as pd
import pytest

from weekfour import SimClock, sandbox
from weekfour.labs import latency
from weekfour.labs.latency import Job, Streamed


def _fixed(seconds: float) -> Any:
    async def handler(question: str) -> tuple[int, dict[str, Any]]:
        await asyncio.sleep(seconds)
        return 200, {"answer": question.upper()}

    return handler


def test_public_surface_is_complete() -> None:
    for name in latency.__all__:
        assert hasattr(latency, name), name


def test_one_worker_makes_the_second_page_wait_for_the_first() -> None:
    clock = SimClock()
    run = latency.simulate(clock, _fixed(2.0), ["a", "b"], [1.0, 1.0], web_workers=1, render_s=0.5)
    assert run.pages["page_s"].tolist() == pytest.approx([2.5, 5.0])
    assert run.pages["queued_s"].tolist() == pytest.approx([0.0, 2.5])
    assert run.pages["answer_s"].tolist() == pytest.approx([2.5, 5.0])
    assert run.duration == pytest.approx(6.0)
    assert clock.now() == pytest.approx(6.0)


def test_enough_workers_serve_pages_side_by_side() -> None:
    run = latency.simulate(SimClock(), _fixed(3.0), list("abcd"), [0.0] * 4, web_workers=4, render_s=0.0)
    assert run.pages["page_s"].tolist() == pytest.approx([3.0] * 4)


def test_a_handler_that_raises_is_a_500_and_a_user_facing_error() -> None:
    async def broken(question: str) -> tuple[int, dict[str, Any]]:
        raise RuntimeError("503 overloaded")

    run = latency.simulate(SimClock(), broken, ["a", "b"], [0.0, 1.0])
    assert run.pages["status"].tolist() == [500, 500]
    assert run.pages["error"].str.contains("RuntimeError: 503 overloaded").all()
    assert run.summary()["user-facing errors"] == 2
    assert run.pages["answer_s"].isna().all()


class _ToyJobs:
    """A minimal job source: each job takes `seconds` in a worker; nothing here is the exercise's queue."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.jobs: dict[str, Job] = {}
        self.waiting: list[str] = []

    def submit(self, payload: str) -> str:
        job = Job(f"j{len(self.jobs)}", payload)
        self.jobs[job.id] = job
        self.waiting.append(job.id)
        return job.id

    def status(self, job_id: str) -> Job:
        return self.jobs[job_id]

    async def run_one(self) -> bool:
        if not self.waiting:
            return False
        job = self.jobs[self.waiting.pop(0)]
        job.state = "running"
        await asyncio.sleep(self.seconds)
        job.state, job.result = "done", job.payload
        return True


def test_a_202_page_is_fast_and_its_answer_shows_at_the_poll_after_the_job_is_done() -> None:
    jobs = _ToyJobs(seconds=2.5)

    async def page(question: str) -> tuple[int, dict[str, Any]]:
        return 202, {"job_id": jobs.submit(question)}

    run = latency.simulate(
        SimClock(), page, ["a", "b"], [0.0, 0.0], render_s=0.1, jobs=jobs, job_workers=1, poll_every=1.0
    )
    assert run.pages["status"].tolist() == [202, 202]
    assert run.pages["page_s"].tolist() == pytest.approx([0.1, 0.1])
    # job a done at 2.5 -> seen at the poll at 3.1; job b done at 5.0 -> seen at 5.1
    assert run.pages["answer_s"].tolist() == pytest.approx([3.1, 5.1])
    assert all(j.state == "done" for j in jobs.jobs.values())


def test_every_runs_a_sweeper_while_the_run_lasts() -> None:
    ticks: list[float] = []
    clock = SimClock()
    latency.simulate(clock, _fixed(1.0), ["a"], [25.0], every=(10.0, lambda: ticks.append(clock.now())))
    assert ticks[:2] == pytest.approx([10.0, 20.0])


def test_a_job_that_never_finishes_is_given_up_on() -> None:
    jobs = _ToyJobs(seconds=1.0)
    jobs.jobs["lost"] = Job("lost", "never queued")

    async def page(question: str) -> tuple[int, dict[str, Any]]:
        return 202, {"job_id": "lost"}

    run = latency.simulate(SimClock(), page, ["a"], [0.0], jobs=jobs, job_workers=1, give_up_after=30.0)
    assert math.isnan(run.pages["answer_s"][0])
    assert run.summary()["user-facing errors"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"web_workers": 0}, "web_workers"), ({"jobs": _ToyJobs(1.0)}, "job_workers")],
)
def test_bad_arguments_say_what_to_do(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        latency.simulate(SimClock(), _fixed(1.0), ["a"], [0.0], **kwargs)
    with pytest.raises(ValueError, match="one per question"):
        latency.simulate(SimClock(), _fixed(1.0), ["a", "b"], [0.0])


def test_latency_table_uses_linear_percentiles_and_drops_missing_values() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0, math.nan]
    table = latency.latency_table({"x": values})
    assert table.loc["x", "n"] == 5
    assert table.loc["x", "p95 (s)"] == pytest.approx(round(pd.Series(values[:5]).quantile(0.95), 2))
    assert table.loc["x", "max (s)"] == 10.0


def test_plot_latency_draws_a_histogram_and_a_cdf() -> None:
    fig = latency.plot_latency({"a": [1.0, 2.0, 3.0], "b": [0.5, 0.6], "empty": []})
    hist, cdf = fig.axes
    assert len(cdf.lines) >= 2
    assert "CDF" in cdf.get_title()


def test_concurrency_explorer_computes_its_first_value_headless_and_follows_the_slider() -> None:
    calls: list[int] = []

    def run(limit: int) -> dict[str, float]:
        calls.append(limit)
        return {"double": 2.0 * limit}

    widget = latency.concurrency_explorer(run, limits=(1, 2, 4), initial=2, label="workers")
    assert widget.result == {"double": 4.0}
    widget.children[0].value = 4
    assert widget.result == {"double": 8.0}
    assert calls == [2, 4]


def test_concurrency_explorer_tolerates_an_exercise_not_written_yet() -> None:
    def run(limit: int) -> dict[str, float]:
        raise NotImplementedError("Exercise 3.4: replace this line with your code")

    assert latency.concurrency_explorer(run, limits=(1, 2), initial=1).result == {}


def test_slow_shop_is_slow_and_has_an_outage_only_when_asked() -> None:
    scenario = latency.slow_shop(outage=(60.0, 80.0))
    assert scenario.latency is not None and scenario.latency.per_output_token == pytest.approx(0.04)
    (window,) = scenario.faults
    assert (window.start, window.end, window.kind) == (60.0, 80.0, "overloaded")
    assert latency.slow_shop(outage=None).faults == ()


def test_chat_context_ends_with_the_tool_results_the_answer_is_written_from() -> None:
    sb = sandbox(latency.slow_shop(outage=None))
    order_id = sorted(sb.world.orders)[3]
    messages = latency.chat_context(sb, f"Where is my order {order_id}?")
    assert messages[0] == {"role": "system", "content": latency.CHAT_PROMPT}
    assert messages[-1]["role"] == "tool"
    assert order_id in messages[-1]["content"]


def test_job_and_streamed_defaults() -> None:
    job = Job("j1", "hello")
    assert (job.state, job.result, job.error, job.attempts) == ("queued", None, None, 0)
    assert Streamed("hi", 0.5, 1.0).ttft == 0.5
