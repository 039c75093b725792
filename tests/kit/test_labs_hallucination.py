"""weekfour.labs.hallucination: the production harness, tables, plot and threshold widget of notebook 01."""

from __future__ import annotations

import math

import pytest

from weekfour import scenarios
from weekfour.labs import hallucination as lab
from weekfour.labs.hallucination import (
    ParseFailure,
    ThresholdExplorer,
    compare_runs,
    damage_by_kind,
    logged_agent,
    plot_damage,
    run_production,
    threshold_curve,
    threshold_tradeoff,
    wire_response,
)
from weekfour.tokens import split_tokens


def test_public_surface_is_declared() -> None:
    assert sorted(lab.__all__) == sorted(set(lab.__all__))
    for name in lab.__all__:
        assert hasattr(lab, name), name


def test_parse_failure_knows_its_kinds() -> None:
    failure = ParseFailure("invalid", "status: Input should be 'shipped'")
    assert str(failure) == "invalid: status: Input should be 'shipped'"
    assert str(ParseFailure("refusal")) == "refusal"
    with pytest.raises(ValueError, match="must be one of"):
        ParseFailure("exploded")


def test_wire_response_has_the_api_shape_and_one_logprob_per_token() -> None:
    content = '{"answer": "Order A1042 is shipped."}'
    body = wire_response(content, logprobs=-0.02)
    choice = body["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    tokens = [e["token"] for e in choice["logprobs"]["content"]]
    assert "".join(tokens) == content and len(tokens) == len(split_tokens(content))
    assert {e["logprob"] for e in choice["logprobs"]["content"]} == {-0.02}
    assert body["usage"]["completion_tokens"] == len(tokens)
    assert wire_response(content)["choices"][0]["logprobs"] is None


def test_wire_response_refusal_and_length() -> None:
    body = wire_response(None, refusal="I can't help with that.", finish_reason="stop")
    assert body["choices"][0]["message"]["content"] is None
    assert body["choices"][0]["message"]["refusal"] == "I can't help with that."
    assert wire_response('{"a"', finish_reason="length")["choices"][0]["finish_reason"] == "length"
    with pytest.raises(ValueError, match="one per token"):
        wire_response("two words", logprobs=[-0.1])


def test_logged_agent_keeps_raw_responses_and_sends_the_extra_body() -> None:
    from weekfour import sandbox

    sb = sandbox(scenarios.happy())
    agent = logged_agent(sb, logprobs=True)
    reply = agent.ask("Where is my order A1042?")
    assert reply.status == sb.world.orders["A1042"].status
    assert len(agent.responses) == reply.steps == len(sb.log)
    final = agent.responses[-1]["choices"][0]
    assert final["logprobs"] is not None and final["logprobs"]["content"]
    assert agent.request_body([])["logprobs"] is True


def _small_run(label: str = "run", seed: int = 3, n: int = 40) -> lab.ProductionRun:
    return run_production(
        lambda sb: logged_agent(sb, logprobs=True),
        label=label,
        scenario=scenarios.hallucination(rate=0.5, injection=1.0),
        n=n,
        seed=seed,
    )


def test_run_production_counts_wrong_answers_against_the_ground_truth() -> None:
    run = _small_run()
    q = run.per_question
    assert len(q) == len(run.questions) == len(run.replies) == len(run.final_responses) == 40
    assert int(q["wrong_downstream"].sum()) == run.sandbox.wrong_downstream() > 0
    refunds = [a for a, _ in run.sandbox.backoffice.mistakes(run.sandbox.world) if a.kind == "refund"]
    assert math.isclose(q["wrong_refund_usd"].sum(), sum(a.details["amount"] for a in refunds))
    assert int(q["requests"].sum()) == len(run.sandbox.log)
    s = run.summary()
    assert s["questions"] == 40 and s["wrong answers passed on"] == int(q["wrong_downstream"].sum())
    assert s["p50 seconds"] <= s["p95 seconds"]
    assert s["user-facing errors"] == 0 and s["escalated to a person"] == 0
    assert "40 questions" in repr(run)


def test_run_production_is_reproducible_for_a_seed() -> None:
    a, b = _small_run(seed=5, n=25), _small_run(seed=5, n=25)
    assert a.per_question.drop(columns=["seconds"]).equals(b.per_question.drop(columns=["seconds"]))
    assert list(a.per_question["seconds"]) == list(b.per_question["seconds"])


def test_run_production_records_exceptions_and_raises_stubs() -> None:
    class Broken:
        def ask(self, question: str) -> None:
            raise RuntimeError("provider down")

    run = run_production(lambda sb: Broken(), n=5, seed=1)  # type: ignore[return-value]
    assert list(run.per_question["error"]) == ["RuntimeError"] * 5
    assert run.summary()["user-facing errors"] == 5

    class Stub:
        def ask(self, question: str) -> None:
            raise NotImplementedError("Exercise 1.5: replace this line with your code")

    with pytest.raises(NotImplementedError):
        run_production(lambda sb: Stub(), n=3, seed=1)  # type: ignore[return-value]


def test_tables_agree_with_the_summary() -> None:
    before, after = _small_run("before"), _small_run("after", seed=4)
    table = damage_by_kind(before)
    assert table["questions"].sum() == 40
    assert table["wrong_passed_on"].sum() == before.summary()["wrong answers passed on"]
    both = compare_runs(before, after)
    assert list(both.columns) == ["before", "after"]
    assert both.loc["questions"].tolist() == [40, 40]
    with pytest.raises(ValueError, match="at least one"):
        compare_runs()


def test_plot_damage_draws_one_bar_per_kind_and_run() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before, after = _small_run("before"), _small_run("after", seed=4)
    ax = plot_damage(before, after)
    kinds = set(damage_by_kind(before).index) | set(damage_by_kind(after).index)
    assert len(ax.patches) == 2 * len(kinds)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before", "after"]
    plt.close(ax.figure)


def test_threshold_tradeoff_and_curve() -> None:
    conf = [0.1, 0.2, 0.95, 0.97, 0.99, 0.4]
    wrong = [True, True, False, False, True, False]
    assert threshold_tradeoff(conf, wrong, 0.5) == {
        "answered": 3,
        "wrong passed on": 1,
        "escalated": 3,
        "correct but escalated": 1,
    }
    curve = threshold_curve(conf, wrong, steps=11)
    assert list(curve.index) == [round(i / 10, 3) for i in range(11)]
    assert curve.loc[0.0, "wrong passed on"] == 3 and curve.loc[1.0, "escalated"] == 6
    assert curve["escalated"].is_monotonic_increasing
    with pytest.raises(ValueError, match="one per answer"):
        threshold_tradeoff([0.5], [True, False], 0.5)


def test_threshold_explorer_runs_headless() -> None:
    explorer = ThresholdExplorer([0.1, 0.9, 0.95], [True, False, False], threshold=0.5)
    assert explorer.state() == {
        "threshold": 0.5,
        "answered": 2,
        "wrong passed on": 0,
        "escalated": 1,
        "correct but escalated": 0,
    }
    assert "<b>2</b>" in explorer.summary.value
    state = explorer.set(0.92)
    assert state["escalated"] == 2 and state["correct but escalated"] == 1
    assert "<b>1</b><br><small>correct but escalated" in explorer.summary.value
