"""Lab for notebook 05 (prompt drift): golden cases, an agent with pluggable seams, production replays, tables,
plots and the suite explorer widget. Nothing here is an exercise's solution: the notebook's exercises plug into it.

    lab = DriftLab(sb)                                    # on a sandbox (e.g. scenarios.model_update(at=days(35)))
    golden = golden_set(sb.world, 24, seed=1)             # questions with ground truth, named by id
    agent = lab.agent(system_prompt=..., model="wf-chat") # the week-one agent: lax parser, sends max_tokens
    ask = lab.asker(prompts, parse=..., request_body=...) # ask(question, prompt_version, model) -> Reply
    run = lab.replay(agent, qs, times)                    # a stretch of production, on the simulated clock
    production_numbers(run)                               # what a manager reads: errors, wrong answers, dollars
    suite_explorer(results)                               # dropdowns: prompt version x model -> results table

The agent's seams (``parse`` and ``request_body``) take the learner's functions::

    parse(content: str) -> dict                  # raise ValueError when the reply cannot be trusted
    request_body(messages, *, model, tools, response_format, max_output) -> dict
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from weekfour.agent import Reply, SupportAgent
from weekfour.labs._stats import quantile
from weekfour.traffic import Question, questions
from weekfour.world import Backoffice, World

if TYPE_CHECKING:
    import ipywidgets
    import pandas as pd
    from matplotlib.figure import Figure

    from weekfour.sandbox import Sandbox

__all__ = [
    "GOLDEN_MIX",
    "SAFE_ANSWER",
    "SHOP",
    "DriftLab",
    "GateDecision",
    "GoldenCase",
    "ProductionRun",
    "compare_runs",
    "explorer_table",
    "golden_set",
    "is_garbled",
    "pass_rate_matrix",
    "plot_daily_accuracy",
    "plot_pass_rates",
    "production_numbers",
    "suite_explorer",
    "traffic_week",
]

SHOP = "the Week Four outdoor shop"
SAFE_ANSWER = "Sorry, I couldn't read that answer reliably. A colleague will reply to you shortly."
GOLDEN_MIX: Mapping[str, float] = {"status": 40, "refund": 20, "policy": 15, "foreign": 10, "missing_order": 15}

Parse = Callable[[str], dict[str, Any]]
RequestBody = Callable[..., dict[str, Any]]
Ask = Callable[[str, str, str], Reply]


# --- golden cases ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldenCase:
    """One question with what a correct reply must say.

    ``expect`` keys, each a binary assertion on the *parsed* reply:
    ``status`` (exact), ``refund`` (True: the reply's action is "refund"), ``amount`` (the refund, to the cent, only
    when ``refund`` is True), ``citations`` (every listed document is cited).
    """

    id: str
    kind: str
    question: str = field(repr=False)
    expect: dict[str, Any] = field(default_factory=dict)
    source: Question | None = field(default=None, repr=False, compare=False)


def _expectation(q: Question) -> dict[str, Any]:
    exp = q.expected
    if q.kind == "refund":
        out: dict[str, Any] = {"refund": bool(exp["refund"])}
        if exp["refund"]:
            out["amount"] = float(exp["amount"])
        return out
    if q.kind == "policy":
        return {"citations": list(exp["citations"])}
    kept: dict[str, Any] = {k: exp[k] for k in ("status", "refund") if k in exp}
    return kept


def golden_set(
    world: World, n: int = 24, *, seed: int = 0, now: float = 0.0, mix: Mapping[str, float] | None = None
) -> list[GoldenCase]:
    """``n`` golden cases about ``world`` (ids like ``"status-03"``), drawn from ``mix`` (``GOLDEN_MIX`` by default).

    ``now`` is the simulated second the suite runs at: refund eligibility depends on it.
    """
    if n < 1:
        raise ValueError(f"a golden set needs at least one case; pass n >= 1, not {n!r}")
    qs = questions(n, seed=seed, world=world, mix=mix if mix is not None else GOLDEN_MIX, now=now)
    counts: dict[str, int] = {}
    cases = []
    for q in qs:
        counts[q.kind] = counts.get(q.kind, 0) + 1
        cases.append(GoldenCase(f"{q.kind}-{counts[q.kind]:02d}", q.kind, q.text, _expectation(q), q))
    return cases


def traffic_week(
    world: World, n: int, *, days: int = 5, seed: int = 0, mix: Mapping[str, float] | None = None
) -> tuple[list[Question], list[float]]:
    """``n`` customer questions spread over ``days`` simulated days, each with the ground truth of its own moment.

    Returns ``(questions, arrival_times)``, sorted by time. Refund eligibility is decided at each arrival, so a
    question asked on Friday is graded by Friday's rules.
    """
    from weekfour.traffic import arrivals

    times = arrivals(n, seed=seed, duration=days * 86_400.0)
    kinds = mix if mix is not None else GOLDEN_MIX
    qs = [questions(1, seed=seed * 1_000_003 + i, world=world, mix=kinds, now=t)[0] for i, t in enumerate(times)]
    return qs, times


# --- the drift gate's verdict --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    """What a drift gate says about a candidate run compared with the baseline run."""

    deploy: bool
    baseline_rate: float  # share of the baseline's cases that passed, 0..1
    candidate_rate: float  # share of the baseline's cases that passed in the candidate (missing = failed), 0..1
    regressions: list[str] = field(default_factory=list)  # case ids: passed in the baseline, not in the candidate
    fixes: list[str] = field(default_factory=list)  # case ids: failed in the baseline, pass in the candidate
    reason: str = ""

    def __str__(self) -> str:
        verdict = "DEPLOY" if self.deploy else "BLOCKED"
        head = f"{verdict}: pass rate {self.baseline_rate:.0%} -> {self.candidate_rate:.0%}"
        regressed = f"; {len(self.regressions)} regressed" if self.regressions else ""
        fixed = f"; {len(self.fixes)} fixed" if self.fixes else ""
        why = f" ({self.reason})" if self.reason else ""
        return head + regressed + fixed + why


# --- the agent with seams ------------------------------------------------------------------------------------------


class _SeamAgent(SupportAgent):
    """The support agent whose request body, response format and parser are plugged in."""

    def __init__(
        self,
        client: Any,
        *,
        parse_fn: Parse | None,
        body_fn: RequestBody | None,
        response_format: dict[str, Any] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(client, **kwargs)
        self.parse_fn = parse_fn
        self.body_fn = body_fn
        self.response_format = response_format

    def request_body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        if self.body_fn is None:  # week one: whatever the alias means today, and max_tokens
            body = super().request_body(messages)
            if self.response_format is not None:
                body["response_format"] = self.response_format
            return body
        return self.body_fn(
            messages,
            model=self.model,
            tools=self.tools,
            response_format=self.response_format,
            max_output=self.max_tokens,
        )

    def parse(self, message: dict[str, Any]) -> dict[str, Any]:
        if self.parse_fn is None:
            return super().parse(message)  # week one: json.loads and data["status"], anything else becomes ""
        try:
            data = dict(self.parse_fn(message.get("content") or ""))
        except ValueError as exc:  # the strict parser refused: take the safe path, never pass a guess on
            return {"answer": SAFE_ANSWER, "status": "", "action": "escalate", "parse_error": str(exc)[:300]}
        return {**data, "status": data.get("status") or ""}

    def act(self, reply: Reply) -> None:
        if "parse_error" in reply.data:
            self.backoffice.open_ticket(None, f"unreadable model reply: {reply.data['parse_error'][:120]}")
            self.backoffice.tell_customer(None, reply.answer)
            return
        super().act(reply)


class DriftLab:
    """Builds agents on one sandbox from a system prompt, a model name and the seams you write."""

    def __init__(self, sb: Sandbox, *, shop: str = SHOP) -> None:
        self.sb = sb
        self.shop = shop
        self.staging = Backoffice(sb.clock)  # suite runs act here, never on the production backoffice

    def __repr__(self) -> str:
        return f"DriftLab({self.sb!r})"

    def agent(
        self,
        *,
        system_prompt: str,
        model: str,
        response_format: dict[str, Any] | None = None,
        parse: Parse | None = None,
        request_body: RequestBody | None = None,
        max_output: int = 512,
        backoffice: Backoffice | None = None,
    ) -> SupportAgent:
        """An agent on the sandbox. ``parse=None`` keeps the week-one parser; ``request_body=None`` sends
        ``max_tokens`` the week-one way."""
        return _SeamAgent(
            self.sb.client(),
            parse_fn=parse,
            body_fn=request_body,
            response_format=response_format,
            world=self.sb.world,
            backoffice=backoffice if backoffice is not None else self.sb.backoffice,
            model=model,
            system_prompt=system_prompt,
            max_steps=8,
            max_tokens=max_output,
            catalog=self.sb.catalog,
            clock=self.sb.clock,
        )

    def asker(
        self, prompts: Mapping[str, Any], *, parse: Parse | None = None, request_body: RequestBody | None = None
    ) -> Ask:
        """``ask(question, prompt_version, model) -> Reply`` for a regression suite (acts on a staging backoffice).

        ``prompts`` maps a version to a prompt object with ``render(shop=...)`` and, optionally, ``response_format``.
        """
        agents: dict[tuple[str, str], SupportAgent] = {}

        def ask(question: str, prompt_version: str, model: str) -> Reply:
            key = (prompt_version, model)
            if key not in agents:
                if prompt_version not in prompts:
                    raise KeyError(f"no prompt version {prompt_version!r}; the versions are {sorted(prompts)}")
                prompt = prompts[prompt_version]
                agents[key] = self.agent(
                    system_prompt=prompt.render(shop=self.shop),
                    model=model,
                    response_format=getattr(prompt, "response_format", None),
                    parse=parse,
                    request_body=request_body,
                    backoffice=self.staging,
                )
            return agents[key].ask(question)

        return ask

    def replay(self, agent: SupportAgent, qs: Sequence[Question], times: Sequence[float]) -> ProductionRun:
        """Ask each question at its simulated arrival time; an exception is what the customer saw."""
        if len(qs) != len(times):
            raise ValueError(f"got {len(qs)} questions but {len(times)} arrival times; pass one time per question")
        replies: list[Reply | BaseException] = []
        for q, t in zip(qs, times, strict=True):
            self.sb.clock.advance_to(t)
            try:
                replies.append(agent.ask(q.text))
            except Exception as exc:  # a failed request is a user-facing error: record it as such
                replies.append(exc)
        return ProductionRun(list(qs), list(times), replies)


# --- production numbers --------------------------------------------------------------------------------------------


@dataclass
class ProductionRun:
    """Questions, when they arrived, and what came back (a Reply, or the exception the user saw)."""

    questions: list[Question]
    times: list[float]
    replies: list[Reply | BaseException]

    def frame(self) -> pd.DataFrame:
        """One row per question: day, kind, correct, error, garbled, escalated, seconds, cost."""
        import pandas as pd

        from weekfour.traffic import grade

        graded = grade(self.questions, self.replies)
        rows = []
        for (_, g), t, r in zip(graded.iterrows(), self.times, self.replies, strict=True):
            reply = r if isinstance(r, Reply) else None
            rows.append(
                {
                    "day": int(t // 86_400),
                    "kind": g["kind"],
                    "correct": bool(g["correct"]),
                    "error": None if reply is not None else type(r).__name__,
                    "garbled": reply is not None and is_garbled(reply.answer),
                    "escalated": reply is not None and "parse_error" in reply.data,
                    "seconds": reply.seconds if reply is not None else None,
                    "cost": reply.cost if reply is not None else 0.0,
                    "model": reply.model if reply is not None else None,
                }
            )
        return pd.DataFrame(rows)


def is_garbled(answer: str) -> bool:
    """True when a customer would be sent raw model output: code fences, JSON braces or a chatty preamble."""
    text = answer.strip()
    return "```" in text or text.startswith(("{", "Sure!")) or '"answer":' in text


def _refunds_owed(run: ProductionRun) -> float:
    owed = 0.0
    for q, r in zip(run.questions, run.replies, strict=True):
        if q.kind == "refund" and q.expected.get("refund"):
            paid = isinstance(r, Reply) and r.data.get("action") == "refund"
            if not paid:
                owed += float(q.expected["amount"])
    return round(owed, 2)


def production_numbers(run: ProductionRun) -> dict[str, Any]:
    """The numbers a manager reads: correct answers, wrong answers passed on, errors, refunds owed, p50/p95, spend."""
    df = run.frame()
    answered = df[df["error"].isna()]
    wrong_passed_on = int(((~answered["correct"]) & (~answered["escalated"])).sum())
    seconds = sorted(float(s) for s in answered["seconds"])
    return {
        "questions": len(df),
        "answered correctly": f"{df['correct'].mean():.0%}" if len(df) else "-",
        "wrong answers passed on": wrong_passed_on,
        "raw model output emailed": int(answered["garbled"].sum()),
        "user-facing errors": int(df["error"].notna().sum()),
        "escalated to a person": int(answered["escalated"].sum()),
        "refunds owed, not paid (USD)": _refunds_owed(run),
        "p50 seconds": round(statistics.median(seconds), 2) if seconds else None,
        "p95 seconds": round(quantile(seconds, 0.95), 2) if seconds else None,
        "spend (USD)": round(float(df["cost"].sum()), 4),
    }


def compare_runs(**runs: ProductionRun) -> pd.DataFrame:
    """Production numbers side by side: one column per run (``compare_runs(before=a, after=b)``)."""
    import pandas as pd

    if not runs:
        raise ValueError("pass at least one run by name, e.g. compare_runs(before=run_a, after=run_b)")
    return pd.DataFrame({name: production_numbers(run) for name, run in runs.items()})


# --- suite tables, plots and the widget ----------------------------------------------------------------------------

_RESULT_COLUMNS = ("case", "kind", "prompt_version", "model", "passed")


def _require_columns(results: pd.DataFrame, who: str) -> None:
    missing = [c for c in _RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(
            f"{who} needs a suite result with columns {list(_RESULT_COLUMNS)}; missing {missing}. "
            "Pass the DataFrame your run_suite returns."
        )


def pass_rate_matrix(results: pd.DataFrame) -> pd.DataFrame:
    """Pass rate (%) by prompt version (rows) and model (columns)."""
    _require_columns(results, "pass_rate_matrix")
    table = results.pivot_table(index="prompt_version", columns="model", values="passed", aggfunc="mean")
    return (table * 100).round(0)


def explorer_table(results: pd.DataFrame, prompt_version: str, model: str) -> pd.DataFrame:
    """The suite's rows for one prompt version on one model (what the explorer widget shows)."""
    _require_columns(results, "explorer_table")
    picked = results[(results["prompt_version"] == prompt_version) & (results["model"] == model)]
    shown = [c for c in ("case", "kind", "passed", "expected", "got", "error") if c in picked.columns]
    return picked[shown].sort_values(["passed", "case"]).reset_index(drop=True)


def suite_explorer(results: pd.DataFrame) -> ipywidgets.VBox:
    """Two dropdowns (prompt version, model) over a suite result, and the table for the pair picked."""
    import ipywidgets as widgets
    from IPython.display import display

    _require_columns(results, "suite_explorer")
    versions = sorted(results["prompt_version"].astype(str).unique())
    models = sorted(results["model"].astype(str).unique())
    version = widgets.Dropdown(options=versions, value=versions[0], description="prompt")
    model = widgets.Dropdown(options=models, value=models[0], description="model")
    summary = widgets.HTML()
    out = widgets.Output()

    def show(_: object = None) -> None:
        table = explorer_table(results, version.value, model.value)
        rate = table["passed"].mean() if len(table) else 0.0
        colour = "#1a7f37" if rate == 1.0 else "#cf222e"
        summary.value = (
            f"<b style='color:{colour}'>{rate:.0%}</b> of {len(table)} golden cases pass with prompt "
            f"<code>{version.value}</code> on <code>{model.value}</code>"
        )
        out.clear_output()
        with out:
            display(table)

    version.observe(show, names="value")
    model.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([version, model]), summary, out])


def plot_pass_rates(rates: pd.DataFrame, *, title: str = "Golden set: pass rate by kind") -> Figure:
    """Bars of pass rate (0..1 or %) per row (e.g. kind), one colour per column (e.g. week one, week six)."""
    import matplotlib.pyplot as plt

    values = rates if float(rates.max().max()) > 1.0 else rates * 100
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    values.plot.bar(ax=ax, rot=0, width=0.75)
    ax.set_ylabel("pass rate (%)")
    ax.set_ylim(0, 105)
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_daily_accuracy(runs: Mapping[str, ProductionRun], *, update_day: float | None = None) -> Figure:
    """Share of questions answered correctly per simulated day, one line per run; a dashed line at the update."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for name, run in runs.items():
        daily = run.frame().groupby("day")["correct"].mean() * 100
        ax.plot(daily.index, daily.values, marker="o", markersize=3, label=name)
    if update_day is not None:
        ax.axvline(update_day, color="grey", linestyle="--", linewidth=1)
        ax.annotate("alias repointed", (update_day, 50), xytext=(4, 0), textcoords="offset points", fontsize="small")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("answered correctly (%)")
    ax.set_ylim(-5, 105)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    plt.close(fig)
    return fig
