"""Lab for notebook 01 (hallucination with no guard): the production harness, the tables, the plot and the widget.

Nothing here is an exercise's solution; it is the workbench around them::

    run = run_production(lambda sb: sb.agent(), label="day three")   # a fresh shop, a few hundred questions
    run.summary()                      # wrong answers passed on, $ wrongly refunded, escalations, p50/p95, spend
    damage_by_kind(run)                # the same, per kind of question
    compare_runs(before, after)        # side by side
    plot_damage(before, after)         # one small bar chart
    ThresholdExplorer(confidences, wrong)   # a slider: wrong answers passed on vs escalations

``ParseFailure`` is the vocabulary of exercise 1.2 (a typed failure instead of an exception), ``LoggedAgent`` the
day-three agent that also keeps every raw response (logprobs and ``finish_reason`` live on the choice, not on the
message), and ``wire_response`` builds a Chat Completions body by hand for the cases the model rarely produces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from weekfour.agent import Reply, SupportAgent
from weekfour.labs._stats import quantile
from weekfour.sandbox import Sandbox, sandbox
from weekfour.scenarios import Scenario, hallucination
from weekfour.tokens import split_tokens
from weekfour.traffic import DEFAULT_MIX, Question, grade
from weekfour.world import Backoffice

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "FAILURE_KINDS",
    "HALLUCINATION_MIX",
    "SAFE_ANSWER",
    "FailureKind",
    "LoggedAgent",
    "ParseFailure",
    "ProductionRun",
    "ThresholdExplorer",
    "compare_runs",
    "damage_by_kind",
    "logged_agent",
    "plot_damage",
    "run_production",
    "threshold_curve",
    "threshold_tradeoff",
    "wire_response",
]

FailureKind = Literal["refusal", "truncated", "malformed_json", "invalid"]
FAILURE_KINDS: tuple[str, ...] = ("refusal", "truncated", "malformed_json", "invalid")

# The questions of notebook 01: every kind but the 40,000-token paste (that one is notebook 02's story).
HALLUCINATION_MIX: Mapping[str, float] = {k: v for k, v in DEFAULT_MIX.items() if k != "long_paste"}

SAFE_ANSWER = "I'm not sure about that one, so I've passed your question to a colleague who will reply by email."


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a model response could not become an answer, as data instead of an exception.

    ``kind`` is one of ``FAILURE_KINDS``:

    - ``"refusal"``: the model declined (``message.refusal`` is set; ``content`` is null),
    - ``"truncated"``: ``finish_reason == "length"``: the answer was cut at the token ceiling,
    - ``"malformed_json"``: the content is empty or not JSON at all,
    - ``"invalid"``: JSON, but it breaks the schema or a validator.

    ``detail`` says what exactly, in words the model can act on when it is re-asked.
    """

    kind: FailureKind
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"ParseFailure kind must be one of {FAILURE_KINDS}, not {self.kind!r}")

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


class LoggedAgent(SupportAgent):
    """The day-three agent, plus ``extra_body`` merged into every request and ``responses``: every raw response."""

    def __init__(self, *args: Any, extra_body: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_body: dict[str, Any] = dict(extra_body or {})
        self.responses: list[dict[str, Any]] = []

    def request_body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {**super().request_body(messages), **self.extra_body}

    def call_model(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        response = super().call_model(messages)
        self.responses.append(response)
        return response


def logged_agent(sb: Sandbox, **extra_body: Any) -> LoggedAgent:
    """A :class:`LoggedAgent` on ``sb`` (its clock, backoffice and prices); ``extra_body`` goes into every request."""
    return LoggedAgent(
        sb.client(),
        world=sb.world,
        backoffice=sb.backoffice,
        clock=sb.clock,
        catalog=sb.catalog,
        extra_body=extra_body,
    )


# --- hand-made responses --------------------------------------------------------------------------------------


def wire_response(
    content: str | None = None,
    *,
    logprobs: Sequence[float] | float | None = None,
    finish_reason: str = "stop",
    refusal: str | None = None,
    model: str = "wf-chat-2026-01-15",
) -> dict[str, Any]:
    """A Chat Completions response body as the API sends it (non-streaming, one choice).

    ``logprobs``: one number for every token, or one per token (``split_tokens(content)``), or None for a request
    that did not ask for them (``"logprobs": null`` on the choice).
    """
    tokens = split_tokens(content) if content else []
    choice_logprobs: dict[str, Any] | None = None
    if logprobs is not None:
        values = [float(logprobs)] * len(tokens) if isinstance(logprobs, int | float) else [float(v) for v in logprobs]
        if len(values) != len(tokens):
            raise ValueError(f"got {len(values)} logprobs for {len(tokens)} tokens; pass one per token or one number")
        entries = [
            {"token": t, "logprob": v, "bytes": list(t.encode()), "top_logprobs": []}
            for t, v in zip(tokens, values, strict=True)
        ]
        choice_logprobs = {"content": entries, "refusal": None}
    completion = len(tokens) if content else len(split_tokens(refusal or ""))
    return {
        "id": "chatcmpl-handmade",
        "object": "chat.completion",
        "created": 1772442000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
                "logprobs": choice_logprobs,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": completion, "total_tokens": completion},
    }


# --- run production -------------------------------------------------------------------------------------------


@dataclass
class ProductionRun:
    """One agent against a batch of questions in a fresh shop: what happened, per question and in total."""

    label: str
    sandbox: Sandbox
    questions: list[Question]
    replies: list[Reply | Exception]
    per_question: pd.DataFrame
    final_responses: list[dict[str, Any] | None] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"ProductionRun({self.label!r}: {len(self.questions)} questions, "
            f"{int(s['wrong answers passed on'])} wrong answers passed on, {int(s['escalated to a person'])} escalated)"
        )

    def summary(self) -> pd.Series:
        """The numbers a manager reads: one labelled value each."""
        import pandas as pd

        q = self.per_question
        seconds = q["seconds"].to_numpy()
        return pd.Series(
            {
                "questions": len(q),
                "correct answers": int(q["correct"].sum()),
                "wrong answers passed on": int(q["wrong_downstream"].sum()),
                "$ wrongly refunded": round(float(q["wrong_refund_usd"].sum()), 2),
                "escalated to a person": int(q["escalated"].sum()),
                "user-facing errors": int(q["error"].notna().sum()),
                "p50 seconds": round(quantile(seconds, 0.50), 2) if len(seconds) else 0.0,
                "p95 seconds": round(quantile(seconds, 0.95), 2) if len(seconds) else 0.0,
                "model requests": int(q["requests"].sum()),
                "tokens": int(q["tokens"].sum()),
                "spend $": round(float(q["cost"].sum()), 4),
            },
            name=self.label,
            dtype=object,
        )


def run_production(
    make_agent: Callable[[Sandbox], SupportAgent],
    *,
    label: str = "agent",
    scenario: Scenario | None = None,
    n: int = 300,
    seed: int = 11,
    mix: Mapping[str, float] | None = None,
) -> ProductionRun:
    """Build a fresh shop under ``scenario`` (default ``hallucination()``), ask ``n`` questions, record everything.

    ``make_agent(sb)`` returns the agent to test, e.g. ``lambda sb: sb.agent()``. The same ``seed`` gives the same
    shop and the same questions, so two agents can be compared on exactly the same traffic. An exception from the
    agent is a user-facing error and is recorded; ``NotImplementedError`` (an exercise not done yet) is raised.
    """
    import pandas as pd

    sb = sandbox(scenario if scenario is not None else hallucination(), seed=seed)
    agent = make_agent(sb)
    qs = sb.questions(n, seed=seed, mix=HALLUCINATION_MIX if mix is None else mix)
    logged = getattr(agent, "responses", None)
    replies: list[Reply | Exception] = []
    rows: list[dict[str, Any]] = []
    finals: list[dict[str, Any] | None] = []
    for q in qs:
        n_actions, n_log, t0 = len(sb.backoffice.actions), len(sb.log), sb.clock.now()
        n_logged = len(logged) if isinstance(logged, list) else 0
        try:
            reply: Reply | Exception = agent.ask(q.text)
        except NotImplementedError:
            raise
        except Exception as exc:  # what the customer sees as "something went wrong"
            reply = exc
        replies.append(reply)
        if isinstance(logged, list):
            finals.append(logged[-1] if len(logged) > n_logged else None)
        actions = sb.backoffice.actions[n_actions:]
        judged = Backoffice()  # judge only this question's actions against the ground truth
        judged.actions = list(actions)
        mistakes = {id(a): why for a, why in judged.mistakes(sb.world)}
        entries = sb.log.entries[n_log:]
        rows.append(
            {
                "kind": q.kind,
                "order_id": q.order_id,
                "wrong_downstream": sum(1 for a in actions if id(a) in mistakes),
                "why": "; ".join(mistakes.values()),
                "wrong_refund_usd": sum(
                    float(a.details.get("amount", 0.0)) for a in actions if a.kind == "refund" and id(a) in mistakes
                ),
                "escalated": any(a.kind == "ticket" for a in actions),
                "error": type(reply).__name__ if isinstance(reply, Exception) else None,
                "seconds": sb.clock.now() - t0,
                "requests": len(entries),
                "tokens": sum(e.prompt_tokens + e.completion_tokens for e in entries),
                "cost": sum(e.cost_usd for e in entries),
            }
        )
    frame = pd.DataFrame(rows)
    frame.insert(2, "correct", grade(qs, replies)["correct"].to_numpy())
    return ProductionRun(label, sb, qs, replies, frame, finals)


def damage_by_kind(run: ProductionRun) -> pd.DataFrame:
    """Per kind of question: how many, how many answered correctly, wrong answers passed on, $, escalations."""
    q = run.per_question
    table = q.groupby("kind", sort=False).agg(
        questions=("kind", "size"),
        correct=("correct", "sum"),
        wrong_passed_on=("wrong_downstream", "sum"),
        wrongly_refunded_usd=("wrong_refund_usd", "sum"),
        escalated=("escalated", "sum"),
        errors=("error", "count"),
    )
    table["wrongly_refunded_usd"] = table["wrongly_refunded_usd"].round(2)
    return table.sort_values("questions", ascending=False)


def compare_runs(*runs: ProductionRun) -> pd.DataFrame:
    """The summaries side by side, one column per run (``before``, ``after``, ...)."""
    import pandas as pd

    if not runs:
        raise ValueError("pass at least one ProductionRun, e.g. compare_runs(before, after)")
    return pd.concat([r.summary() for r in runs], axis=1)


def plot_damage(*runs: ProductionRun, ax: Axes | None = None) -> Axes:
    """Wrong answers passed on, per kind of question, one bar per run (small, for a notebook)."""
    import matplotlib.pyplot as plt
    import numpy as np

    if not runs:
        raise ValueError("pass at least one ProductionRun, e.g. plot_damage(before, after)")
    tables = [damage_by_kind(r)["wrong_passed_on"] for r in runs]
    kinds = list(dict.fromkeys(k for t in tables for k in t.index))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 2.8))
    x = np.arange(len(kinds))
    width = 0.8 / len(runs)
    for i, (run, table) in enumerate(zip(runs, tables, strict=True)):
        values = [int(table.get(k, 0)) for k in kinds]
        ax.bar(x + (i - (len(runs) - 1) / 2) * width, values, width, label=run.label)
    ax.set_xticks(x, kinds, rotation=20, ha="right")
    ax.set_ylabel("wrong answers passed on")
    ax.set_title("What reached the backoffice as fact, and was wrong")
    ax.legend(frameon=False)
    figure = ax.get_figure(root=True)
    if figure is not None:
        figure.tight_layout()
    return ax


# --- the confidence threshold ---------------------------------------------------------------------------------


def threshold_tradeoff(confidences: Sequence[float], wrong: Sequence[bool], threshold: float) -> dict[str, int]:
    """What a threshold does to a batch: answers at or above it go out, answers below it go to a person.

    ``confidences[i]`` is the confidence of answer ``i``; ``wrong[i]`` whether that answer was wrong.
    """
    if len(confidences) != len(wrong):
        raise ValueError(f"got {len(confidences)} confidences but {len(wrong)} wrong flags; pass one per answer")
    out = {"answered": 0, "wrong passed on": 0, "escalated": 0, "correct but escalated": 0}
    for c, w in zip(confidences, wrong, strict=True):
        if c >= threshold:
            out["answered"] += 1
            out["wrong passed on"] += int(bool(w))
        else:
            out["escalated"] += 1
            out["correct but escalated"] += int(not w)
    return out


def threshold_curve(confidences: Sequence[float], wrong: Sequence[bool], steps: int = 21) -> pd.DataFrame:
    """``threshold_tradeoff`` for thresholds 0, 1/(steps-1), ..., 1: one row each."""
    import pandas as pd

    rows = []
    for i in range(steps):
        t = i / (steps - 1)
        rows.append({"threshold": round(t, 3), **threshold_tradeoff(confidences, wrong, t)})
    return pd.DataFrame(rows).set_index("threshold")


class ThresholdExplorer:
    """A slider over the confidence threshold, showing wrong answers passed on against escalations.

    Headless use: ``explorer.state()`` is the trade-off at the slider's value; ``explorer.set(0.4)`` moves it.
    """

    def __init__(self, confidences: Sequence[float], wrong: Sequence[bool], *, threshold: float = 0.5) -> None:
        import ipywidgets as widgets

        self.confidences = [float(c) for c in confidences]
        self.wrong = [bool(w) for w in wrong]
        threshold_tradeoff(self.confidences, self.wrong, threshold)  # validates the lengths
        self.slider = widgets.FloatSlider(
            value=threshold,
            min=0.0,
            max=1.0,
            step=0.01,
            description="threshold",
            continuous_update=True,
            readout_format=".2f",
        )
        self.summary = widgets.HTML()
        self.slider.observe(lambda _change: self._update(), names="value")
        self.widget: ipywidgets.VBox = widgets.VBox([self.slider, self.summary])
        self._update()

    def state(self) -> dict[str, float | int]:
        return {"threshold": self.slider.value, **threshold_tradeoff(self.confidences, self.wrong, self.slider.value)}

    def set(self, threshold: float) -> dict[str, float | int]:
        self.slider.value = threshold
        return self.state()

    def _update(self) -> None:
        s = self.state()
        cells = "".join(
            f"<td style='padding:0 12px'><b>{s[k]}</b><br><small>{k}</small></td>"
            for k in ("answered", "wrong passed on", "escalated", "correct but escalated")
        )
        self.summary.value = f"<table><tr>{cells}</tr></table>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
