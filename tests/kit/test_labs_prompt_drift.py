"""weekfour.labs.prompt_drift: golden cases, the agent with seams, production numbers, tables, plots, the explorer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pandas as pd
import pytest

import weekfour.labs.prompt_drift as drift
from weekfour import SYSTEM_PROMPT, Reply, days, sandbox, scenarios
from weekfour.labs.prompt_drift import (
    SAFE_ANSWER,
    DriftLab,
    GateDecision,
    ProductionRun,
    compare_runs,
    explorer_table,
    golden_set,
    is_garbled,
    pass_rate_matrix,
    plot_daily_accuracy,
    plot_pass_rates,
    production_numbers,
    suite_explorer,
    traffic_week,
)

OLD, NEW = "wf-chat-2026-01-15", "wf-chat-2026-06-01"


def _body(messages: Any, *, model: str, tools: Any, response_format: Any = None, max_output: int = 512) -> Any:
    body = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
    if response_format is not None:
        body["response_format"] = response_format
    return body


def _refuse_renames(content: str) -> dict[str, Any]:
    data = json.loads(content[content.index("{") : content.rindex("}") + 1])
    if "status" not in data:
        raise ValueError("no status field")
    return data


def test_public_surface_is_listed() -> None:
    assert len(set(drift.__all__)) == len(drift.__all__)
    assert all(hasattr(drift, name) for name in drift.__all__)


def test_golden_set_is_deterministic_with_unique_ids_and_binary_expectations() -> None:
    world = sandbox(seed=3).world
    first, again = golden_set(world, 30, seed=4), golden_set(world, 30, seed=4)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == 30
    for case in first:
        assert case.id.startswith(case.kind + "-")
        assert set(case.expect) <= {"status", "refund", "amount", "citations"}
        assert case.source is not None and case.source.text == case.question
        if case.kind == "refund":
            assert "status" not in case.expect and ("amount" in case.expect) == case.expect["refund"]


def test_golden_set_refuses_an_empty_set() -> None:
    with pytest.raises(ValueError, match="at least one case"):
        golden_set(sandbox().world, 0)


def test_traffic_week_is_sorted_and_graded_at_each_arrival() -> None:
    world = sandbox(seed=1).world
    qs, times = traffic_week(world, 40, days=5, seed=9)
    assert len(qs) == len(times) == 40
    assert times == sorted(times) and 0 <= times[0] and times[-1] <= days(5)
    refunds = [(q, t) for q, t in zip(qs, times, strict=True) if q.kind == "refund"]
    for q, t in refunds:
        assert q.expected["refund"] == world.refund_eligibility(q.order_id or "", t)[0]


def test_the_week_one_agent_breaks_loudly_then_silently_after_the_alias_moves() -> None:
    sb = sandbox(scenarios.model_update(at=days(1)), seed=2)
    lab = DriftLab(sb)
    as_shipped = lab.agent(system_prompt=SYSTEM_PROMPT, model="wf-chat")
    before = as_shipped.ask("Where is my order A1042?")
    assert before.status == sb.world.orders["A1042"].status and before.model == OLD
    sb.clock.advance_to(days(1))
    with pytest.raises(httpx.HTTPStatusError) as info:
        as_shipped.ask("Where is my order A1042?")
    assert info.value.response.json()["error"]["code"] == "unsupported_parameter"
    hotfixed = lab.agent(system_prompt=SYSTEM_PROMPT, model="wf-chat", request_body=_body)
    silent = hotfixed.ask("Where is my order A1042?")
    assert silent.model == NEW and silent.status == "" and is_garbled(silent.answer)


def test_a_strict_parser_that_refuses_takes_the_safe_path() -> None:
    sb = sandbox(seed=2)
    lab = DriftLab(sb)
    agent = lab.agent(system_prompt=SYSTEM_PROMPT, model=NEW, parse=_refuse_renames, request_body=_body)
    reply = agent.ask("Where is my order A1042?")
    assert reply.answer == SAFE_ANSWER and reply.data["action"] == "escalate" and "parse_error" in reply.data
    kinds = [a.kind for a in sb.backoffice.actions]
    assert kinds == ["ticket", "message"]
    assert sb.backoffice.actions[-1].details["status"] is None  # nothing claimed about the order
    assert sb.wrong_downstream() == 0


def test_the_asker_caches_agents_and_acts_on_staging_only() -> None:
    sb = sandbox(seed=2)
    lab = DriftLab(sb)

    class Prompt:
        version = "1"
        response_format = None

        def render(self, **variables: Any) -> str:
            return SYSTEM_PROMPT.replace("the Week Four outdoor shop", variables["shop"])

    ask = lab.asker({"1": Prompt()}, parse=_refuse_renames, request_body=_body)
    reply = ask("Where is my order A1042?", "1", OLD)
    assert isinstance(reply, Reply) and reply.status == sb.world.orders["A1042"].status
    assert sb.backoffice.actions == [] and len(lab.staging.actions) == 1
    with pytest.raises(KeyError, match="no prompt version"):
        ask("Where is my order A1042?", "9", OLD)
    assert sb.log.to_frame()["model"].unique().tolist() == [OLD]


def test_replay_records_errors_and_the_numbers_add_up() -> None:
    world = sandbox(seed=2).world
    qs, times = traffic_week(world, 30, days=3, seed=1)
    lab = DriftLab(sandbox(scenarios.model_update(at=days(1)), seed=2))
    run = lab.replay(lab.agent(system_prompt=SYSTEM_PROMPT, model="wf-chat"), qs, times)
    errors = sum(1 for r in run.replies if isinstance(r, Exception))
    after_update = sum(1 for t in times if t >= days(1))
    assert errors == after_update > 0
    numbers = production_numbers(run)
    assert numbers["questions"] == 30 and numbers["user-facing errors"] == errors
    assert numbers["wrong answers passed on"] == 0 and numbers["p50 seconds"] <= numbers["p95 seconds"]
    owed = sum(
        q.expected["amount"]
        for q, t in zip(qs, times, strict=True)
        if q.kind == "refund" and t >= days(1) and q.expected["refund"]
    )
    assert numbers["refunds owed, not paid (USD)"] == pytest.approx(owed)
    table = compare_runs(before=run, again=run)
    assert list(table.columns) == ["before", "again"] and table.loc["questions", "before"] == 30
    with pytest.raises(ValueError, match="one time per question"):
        lab.replay(lab.agent(system_prompt=SYSTEM_PROMPT, model=OLD), qs, times[:-1])
    with pytest.raises(ValueError, match="at least one run"):
        compare_runs()


def test_is_garbled_spots_raw_model_output() -> None:
    assert is_garbled('Sure! Here\'s the answer:\n\n```json\n{"answer": "x"}\n```')
    assert is_garbled('{"answer": "Order A1042 is shipped."}')
    assert not is_garbled("Order A1042 is shipped. Carrier UPS, tracking UP123.")


def _results() -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for version in ("1", "2"):
        for model in (OLD, NEW):
            for i in range(4):
                ok = not (version == "1" and model == NEW and i < 3)
                rows.append(
                    {
                        "case": f"status-{i:02d}",
                        "kind": "status",
                        "prompt_version": version,
                        "model": model,
                        "passed": ok,
                        "expected": {},
                        "got": None,
                        "error": None,
                    }
                )
    return pd.DataFrame(rows)


def test_pass_rate_matrix_and_explorer_table() -> None:
    results = _results()
    matrix = pass_rate_matrix(results)
    assert matrix.loc["1", NEW] == 25.0 and matrix.loc["2", NEW] == 100.0
    table = explorer_table(results, "1", NEW)
    assert len(table) == 4 and table["passed"].tolist() == [False, False, False, True]
    with pytest.raises(ValueError, match="missing"):
        pass_rate_matrix(results.drop(columns=["model"]))


def test_suite_explorer_builds_headless_and_follows_the_dropdowns() -> None:
    results = _results()
    box = suite_explorer(results)
    version, model = box.children[0].children
    summary = box.children[1]
    assert "100%" in summary.value
    version.value, model.value = "1", NEW
    assert "25%" in summary.value and "<code>1</code>" in summary.value


def test_plots_are_small_figures() -> None:
    fig = plot_pass_rates(pd.DataFrame({"week one": [1.0, 1.0], "week six": [0.0, 0.5]}, index=["status", "refund"]))
    assert fig.get_size_inches()[0] <= 7 and fig.axes[0].get_ylim()[1] == 105
    world = sandbox(seed=2).world
    qs, times = traffic_week(world, 6, days=2, seed=1)
    run = ProductionRun(qs, times, [RuntimeError("x")] * 6)
    fig = plot_daily_accuracy({"down": run}, update_day=1)
    assert fig.axes[0].get_lines()


def test_gate_decision_reads_like_a_verdict() -> None:
    blocked = GateDecision(False, 1.0, 0.5, ["status-01"], [], "1 regression")
    assert str(blocked).startswith("BLOCKED: pass rate 100% -> 50%; 1 regressed")
    assert str(GateDecision(True, 0.9, 0.9)).startswith("DEPLOY")
