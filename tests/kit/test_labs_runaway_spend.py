"""The notebook 02 lab: the refusal, the night replay, the before/after table, the plot and the widget."""

from __future__ import annotations

import pickle

import httpx
import matplotlib
import pytest

from weekfour import scenarios
from weekfour.clock import hours
from weekfour.labs.runaway_spend import (
    BAD_INPUT,
    BAD_INPUT_AT,
    NIGHT_END,
    NIGHT_START,
    BudgetExceeded,
    NightResult,
    budget_widget,
    chat_until_it_breaks,
    compare,
    night_traffic,
    plot_spend,
    run_night,
)
from weekfour.sandbox import sandbox
from weekfour.traffic import Question, long_paste

matplotlib.use("Agg")


class _Refuse(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise BudgetExceeded("day", limit=5.0, spent=4.99, estimate=0.02)


def test_a_refusal_says_what_was_refused_and_what_to_do_and_tells_the_customer_no_prices() -> None:
    exc = BudgetExceeded("session", limit=0.5, spent=0.45, estimate=0.08)
    assert "per-session" in str(exc) and "Nothing was sent" in str(exc) and "$0.0500" in str(exc)
    assert "$" not in exc.user_message and exc.user_message
    again = pickle.loads(pickle.dumps(exc))
    assert (again.scope, again.limit, again.spent, again.estimate) == ("session", 0.5, 0.45, 0.08)
    assert not isinstance(exc, httpx.HTTPError)  # the openai SDK would retry an httpx error
    with pytest.raises(ValueError, match="scope"):
        BudgetExceeded("week", limit=1, spent=0, estimate=0)


def test_the_night_is_ordinary_traffic_plus_the_bad_input_at_half_past_midnight() -> None:
    sb = sandbox(seed=1)
    night = night_traffic(sb, n=10, seed=3)
    times = [t for t, _ in night]
    assert times == sorted(times) and len(night) == 11
    assert all(NIGHT_START <= t < NIGHT_END for t in times)
    assert [(t, q.text) for t, q in night if q.kind == "all_orders"] == [(BAD_INPUT_AT, BAD_INPUT)]


def test_an_error_page_is_resubmitted_and_the_night_is_counted() -> None:
    sb = sandbox(scenarios.runaway(), seed=1)
    order = next(iter(sb.world.orders.values()))
    traffic = [
        (BAD_INPUT_AT, Question(BAD_INPUT, "all_orders", None, {"refund": False})),
        (BAD_INPUT_AT + 60.0, Question(f"Where is my order {order.id}?", "status", order.id, {"status": order.status})),
    ]
    night = run_night(sb, sb.agent(), traffic, resubmit_after=hours(2), until=BAD_INPUT_AT + hours(3))
    outcomes = list(zip(night.asks["kind"], night.asks["attempt"], night.asks["outcome"], strict=True))
    assert outcomes == [("all_orders", 0, "error"), ("status", 0, "answered"), ("all_orders", 1, "error")]
    assert len(night.requests) == len(sb.log) and night.spend == pytest.approx(sb.log.total_cost())
    assert night.asks["requests"].sum() == len(sb.log)
    table = compare({"before": night})
    assert table.loc["error pages shown", "before"] == 2
    assert table.loc["400 context_length_exceeded", "before"] == 2
    assert table.loc["answered right", "before"] == 1
    assert set(night.messages()["outcome"]) == {"error"}


def test_a_refused_question_is_not_resubmitted_and_the_customer_reads_the_refusal() -> None:
    sb = sandbox(seed=1)
    agent = sb.agent(sb.client(transport=_Refuse()))
    night = run_night(sb, agent, [(BAD_INPUT_AT, Question(BAD_INPUT, "all_orders", None, {"refund": False}))])
    assert list(night.asks["outcome"]) == ["refused"] and night.spend == 0.0
    assert night.asks["user_message"].iloc[0] == BudgetExceeded("day", limit=1, spent=0, estimate=1).user_message


def _small_night() -> NightResult:
    sb = sandbox(seed=2)
    order = next(iter(sb.world.orders.values()))
    q = Question(f"Where is my order {order.id}?", "status", order.id, {"status": order.status})
    return run_night(sb, sb.agent(), [(BAD_INPUT_AT, q), (BAD_INPUT_AT + 600.0, q)])


def test_the_spend_plot_draws_each_night_the_cap_and_where_it_should_have_stopped() -> None:
    night = _small_night()
    fig = plot_spend({"a": night, "b": night}, cap=night.spend / 2)
    [ax] = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == [f"a: ${night.spend:,.2f}", f"b: ${night.spend:,.2f}"]
    assert any(str(label).startswith("cap $") for label in labels)
    assert any("should have stopped" in t.get_text() for t in ax.texts)


def test_the_long_chat_stops_at_the_first_400_and_says_why() -> None:
    sb = sandbox(seed=1)
    turns = [f"{long_paste(9_000)}\nIs order A1003 affected?" for _ in range(5)]
    table = chat_until_it_breaks(sb.agent(), turns)
    assert list(table["outcome"])[-1] == "400 context_length_exceeded"
    assert set(table["outcome"][:-1]) == {"answered"} and len(table) < len(turns)


def test_the_widget_computes_its_initial_night_headless_and_reports_unfinished_exercises() -> None:
    night = _small_night()
    caps: list[float] = []

    def replay(cap: float) -> NightResult:
        caps.append(cap)
        return night

    widget, initial = budget_widget(replay, value=3.0, baseline=night)
    assert initial is night and caps == [3.0]
    slider = widget.children[0]
    slider.value = 7.5
    assert caps == [3.0, 7.5]

    def stub(cap: float) -> NightResult:
        raise NotImplementedError("Exercise 2.2: replace this line with your code")

    _, nothing = budget_widget(stub)
    assert nothing is None
