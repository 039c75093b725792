"""weekfour.labs.week_four: the month, the replay's web server and job worker, the scorecard, the plots and widget."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import httpx
import pytest

from weekfour.agent import Reply
from weekfour.labs import week_four as cap
from weekfour.sandbox import sandbox
from weekfour.scenarios import Scenario
from weekfour.serving import Served
from weekfour.traffic import Question

HOUR = 3600.0


def _visits(*questions: Question, start: float = HOUR, gap: float = 600.0) -> list[cap.Visit]:
    return [cap.Visit(start + i * gap, q, conversation=i) for i, q in enumerate(questions)]


def _status_questions(sb: Any, n: int) -> list[Question]:
    return sb.questions(n, seed=5, mix={"status": 1})


class _Queue:
    """A minimal job queue with the protocol of notebook 03's JobQueue."""

    def __init__(self, work: Any) -> None:
        self.work = work
        self.jobs: dict[str, Any] = {}
        self.waiting: list[str] = []

    def submit(self, payload: str) -> str:
        job_id = f"job-{len(self.jobs) + 1}"
        self.jobs[job_id] = type("Job", (), {"payload": payload, "state": "queued", "result": None, "error": None})()
        self.waiting.append(job_id)
        return job_id

    def status(self, job_id: str) -> Any:
        return self.jobs[job_id]

    async def run_one(self) -> bool:
        job = self.jobs[self.waiting.pop(0)]
        try:
            job.result = await self.work(job.payload)
            job.state = "done"
        except Exception as exc:
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        return True


def test_month_scenario_has_every_condition_of_the_course() -> None:
    month = cap.month_scenario(30)
    kinds = sorted({w.kind for w in month.faults})
    assert kinds == sorted(["connection_error", "insufficient_quota", "overloaded", "rate_limit", "timeout"]), (
        "429 storm, outage, timeouts, quota, backup blips"
    )
    storms = sorted(w.start for w in month.faults if w.kind == "rate_limit")
    assert [(t + 9 * HOUR) / HOUR for t in storms] == pytest.approx([26.0, 242.0, 506.0])  # 2am on days 1, 10, 21
    ((alias, snapshot, at),) = month.model_updates
    assert (alias, snapshot) == ("wf-chat", cap.NEW_SNAPSHOT)
    assert 14 <= (at + 9 * HOUR) / cap.DAY < 21  # week three
    assert month.loops and month.hallucination_rate > 0 and month.injection_susceptibility > 0
    assert month.rpm_limit and month.latency is not None
    with pytest.raises(ValueError, match="at least 3 days"):
        cap.month_scenario(2)


def test_month_traffic_is_deterministic_sorted_and_has_long_chats() -> None:
    sb = cap.month_sandbox(days=6, seed=1)
    first = cap.month_traffic(sb, n=600, seed=3)
    again = cap.month_traffic(sb, n=600, seed=3)
    other = cap.month_traffic(sb, n=600, seed=4)
    assert [(v.t, v.question.text) for v in first] == [(v.t, v.question.text) for v in again]
    assert [v.t for v in first] != [v.t for v in other]
    assert [v.t for v in first] == sorted(v.t for v in first)
    assert all(0 <= v.t < 6 * cap.DAY for v in first)
    chats = [v for v in first if v.question.kind == "long_chat"]
    assert len(chats) == cap.LONG_CHAT_TURNS  # one conversation per 500 page loads
    assert len({v.conversation for v in chats}) == 1 and [v.turn for v in chats] == list(range(cap.LONG_CHAT_TURNS))
    assert len(first) == 600 + cap.LONG_CHAT_TURNS
    kinds = {v.question.kind for v in first}
    assert {"status", "refund", "long_paste", "missing_order", "injection"} <= kinds


def test_replay_needs_a_month_sandbox() -> None:
    sb = sandbox(seed=0)
    with pytest.raises(ValueError, match="month_sandbox"):
        cap.replay(sb, cap.naive_deployment(sb), [])


def test_the_web_server_kills_a_page_past_its_time_limit_even_through_except_exception() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=2)
    agent = sb.agent()
    calls: list[float] = []

    def stubborn(question: str, history: list[dict[str, Any]]) -> Served:
        while True:  # asks again and again, and swallows every Exception
            calls.append(sb.clock.now())
            try:
                return Served(agent.ask(question, history).answer, "primary") if len(calls) > 100 else _slow()
            except Exception:
                continue

    def _slow() -> Served:
        agent.ask("Where is my order A1003?")
        raise RuntimeError("not good enough, again")

    run = cap.replay(sb, stubborn, _visits(*_status_questions(sb, 1)))
    row = run.visits.iloc[0]
    assert row["status"] == 504 and row["error"] == "WorkerTimeout" and row["user_error"]
    assert row["page_s"] == cap.WORKER_TIMEOUT_S
    assert 1 < len(calls) < 100
    assert sb.provider.log[-1].t_start < calls[0] + cap.WORKER_TIMEOUT_S  # nothing was sent after the kill


def test_a_handler_that_raises_is_a_500_and_a_reply_is_accepted_as_an_answer() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=3)
    qs = _status_questions(sb, 3)
    agent = sb.agent()

    def handler(question: str, history: list[dict[str, Any]]) -> Any:
        if question == qs[1].text:
            raise httpx.ConnectError("down")
        if question == qs[2].text:
            return "just a string"
        return agent.ask(question, history)  # a Reply

    run = cap.replay(sb, handler, _visits(*qs))
    assert list(run.visits["status"]) == [200, 500, 500]
    assert list(run.visits["error"].fillna("")) == ["", "ConnectError", "TypeError"]
    assert run.visits["correct"].iloc[0]
    assert isinstance(run.replies[0], Reply)


def test_off_the_request_path_the_page_answers_at_once_and_failed_jobs_count() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=4)
    qs = _status_questions(sb, 2)
    agent = sb.agent()

    def handler(question: str, history: list[dict[str, Any]]) -> Served:
        if question == qs[1].text:
            raise RuntimeError("boom")
        reply = agent.ask(question, history)
        return Served(reply.answer, "primary", reply)

    run = cap.replay(sb, cap.Deployment(handler, jobs=_Queue), _visits(*qs))
    v = run.visits
    assert run.off_request_path
    assert list(v["page_s"]) == [cap.ENQUEUE_S, cap.ENQUEUE_S]
    assert v["answer_s"].iloc[0] > 1.0  # the model's seconds are in the time to answer, not on the page
    assert list(v["user_error"]) == [False, True] and v["error"].iloc[1] == "RuntimeError"


def test_jobs_share_one_loop_and_the_replay_leaves_the_collector_as_it_found_it() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=4)
    qs = _status_questions(sb, 3)
    agent = sb.agent()
    loops: list[asyncio.AbstractEventLoop] = []
    frozen: list[int] = []

    class _Recording(_Queue):
        async def run_one(self) -> bool:
            loops.append(asyncio.get_running_loop())
            frozen.append(gc.get_freeze_count())
            return await super().run_one()

    def handler(question: str, history: list[dict[str, Any]]) -> Served:
        reply = agent.ask(question, history)
        return Served(reply.answer, "primary", reply)

    run = cap.replay(sb, cap.Deployment(handler, jobs=_Recording), _visits(*qs))
    assert not run.visits["user_error"].any()
    assert len(loops) == 3 and all(loop is loops[0] for loop in loops)  # one event loop served every job
    assert all(n > 0 for n in frozen)  # the heap from before the replay sat out its collections
    assert gc.get_freeze_count() == 0


def test_history_carries_the_conversation_to_the_next_turn() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=5)
    seen: list[list[dict[str, Any]]] = []

    def handler(question: str, history: list[dict[str, Any]]) -> Served:
        seen.append(history)
        return Served(f"answer to {question}", "primary")

    q1, q2 = _status_questions(sb, 2)
    visits = [cap.Visit(HOUR, q1, conversation=7), cap.Visit(2 * HOUR, q2, conversation=7, turn=1)]
    cap.replay(sb, handler, visits)
    assert seen[0] == []
    assert seen[1] == [{"role": "user", "content": q1.text}, {"role": "assistant", "content": f"answer to {q1.text}"}]


def test_scorecard_counts_wrong_refunds_spend_and_days_from_the_run() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=6)
    agent = sb.agent()
    shipped = next(o for o in sb.world.orders.values() if o.status == "shipped")

    def handler(question: str, history: list[dict[str, Any]]) -> Served:
        reply = agent.ask(question, history)
        sb.backoffice.issue_refund(shipped.id, 12.5)  # shipped orders cannot be refunded: a wrong action
        return Served(reply.answer, "primary", reply)

    qs = _status_questions(sb, 2)
    visits = [cap.Visit(HOUR, qs[0], 0), cap.Visit(cap.DAY + HOUR, qs[1], 1)]
    run = cap.replay(sb, handler, visits, day_cap=1e-6)
    card = run.scorecard()
    assert card.visits == 2 and card.user_errors == 0
    assert card.wrong_downstream >= 2 and card.wrong_refund_usd == 25.0
    assert card.spend_usd == pytest.approx(sb.spend())
    assert card.requests == len(sb.provider.log) + len(sb.backup.log)
    daily = run.daily()
    assert list(daily.index) == [0, 1] and card.days_over_cap == 2
    assert card.worst_day_usd == pytest.approx(float(daily["spend USD"].max()))
    assert card.p95_page_s > 0 and card.drift_hits == 0


def test_both_providers_routes_by_host() -> None:
    sb = cap.month_sandbox(scenario=Scenario(), seed=7)
    transport = cap.both_providers(sb)
    body = {"model": "wf-mini", "messages": [{"role": "user", "content": "hi"}]}
    with sb.client(transport=transport) as main:
        assert main.post("/chat/completions", json=body).status_code == 200
    with sb.backup_client(transport=transport) as backup:
        assert backup.post("/chat/completions", json={**body, "model": "backup-chat"}).status_code == 200
    assert (len(sb.provider.log), len(sb.backup.log)) == (1, 1)
    with pytest.raises(httpx.ConnectError, match="no provider"):
        httpx.Client(transport=transport).post("https://elsewhere.test/v1/chat/completions", json=body)


def test_the_naive_month_is_deterministic_and_breaks_in_every_way() -> None:
    cards = []
    for _ in range(2):
        sb = cap.month_sandbox(days=4, seed=8)
        visits = cap.month_traffic(sb, n=160, seed=8)
        cards.append(cap.replay(sb, cap.naive_deployment(sb), visits).scorecard())
    first, second = cards
    assert first == second
    assert first.user_errors > 0 and first.wrong_downstream > 0 and first.drift_hits > 0
    assert first.p95_page_s > 1.0


def test_tables_plot_and_day_explorer_are_built_from_the_runs() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sb = cap.month_sandbox(days=3, seed=9)
    visits = cap.month_traffic(sb, n=60, seed=9)
    run = cap.replay(sb, cap.naive_deployment(sb), visits, name="naive")
    table = cap.scorecards(run, None)
    assert list(table.columns) == ["naive"] and table.loc["page loads", "naive"] == len(visits)
    fig = cap.plot_month(run)
    assert len(fig.axes) == 3
    plt.close(fig)
    explorer = cap.DayExplorer(run, day=1)
    state = explorer.state()
    assert state.loc["page loads", "naive"] == int((run.visits["day"] == 1).sum())
    widget = explorer.widget()
    slider = widget.children[0]
    slider.value = 2
    assert explorer.day == 2 and "day 2" in widget.children[1].value
    assert cap.arrivals_by_day(visits).to_numpy().sum() == len(visits)


def test_public_surface() -> None:
    for name in cap.__all__:
        assert hasattr(cap, name), name
