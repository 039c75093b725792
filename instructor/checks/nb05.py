"""Hidden checks of notebook 05: run only when grading, never by ``check()``, and never shipped to learners
(``python -m grader template`` leaves ``instructor/`` out).

They add unseen inputs (other seeds, other scenarios) to the public checks of ``grader/checks/nb05.py``, whose ``RULES``
they name and whose helpers they import; they never hold a rule the public checks skip.
"""

from __future__ import annotations

from typing import Any

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks.nb05 import (
    _case,
    _frames,
    _gate,
    _migrated,
    _plan,
    _rates,
    _registry_rules,
    _reply,
    _same_rate,
    _suite_failures,
)

__all__ = [
    "gate_counts_missing_cases_as_failed",
    "migrated_prompt_keeps_the_contract",
    "parse_on_real_replies_of_both_snapshots",
    "registry_on_other_prompts",
    "run_suite_passes_the_right_arguments",
]


@exercise("5.1", points=1, hidden=True, rules=["5.1/hash-any-change", "5.1/changed-raises", "5.1/versions-order"])
def registry_on_other_prompts(ns: Namespace) -> None:
    """The same rules on templates, ids and versions the public check did not draw."""
    _registry_rules(ns)


@exercise("5.2", points=1, hidden=True, rules=["5.2/once-per-combo"])
def run_suite_passes_the_right_arguments(ns: Namespace) -> None:
    run_suite = ns.function("run_suite")
    rng = ns.rng
    ids, versions, models = _plan(rng, 3)
    versions = [versions[0], str(int(versions[0]) + 10)]
    cases = [_case(ns, cid, "status", {"status": "shipped"}) for cid in ids]
    good = (rng.choice(versions), rng.choice(models))

    def ask(question: str, prompt_version: str, model: str) -> Any:
        ok = (prompt_version, model) == good
        return _reply(ns, "Order is shipped.", status="shipped" if ok else "")

    table = run_suite(cases, versions, models, ask)
    for row in table.to_dict("records"):
        expected = (str(row["prompt_version"]), row["model"]) == good
        if bool(row["passed"]) != expected:
            raise CheckFailed(
                "only the prompt version x model pair that answers correctly should pass: pass ask its arguments "
                "in the documented order (question, prompt_version, model)",
                expected=good,
                got=(row["prompt_version"], row["model"], row["passed"]),
            )


@exercise("5.3", points=2, hidden=True, rules=["5.3/missing-failed", "5.3/deploy"])
def gate_counts_missing_cases_as_failed(ns: Namespace) -> None:
    rng = ns.rng
    base, cand, before, after = _frames(rng, rng.randint(8, 12))
    dropped = [c for c in before if before[c]][:2]
    cand = cand[~cand["case"].isin(dropped)]
    after = {c: p for c, p in after.items() if c not in dropped}
    for c in after:
        after[c] = True
    cand = cand.assign(passed=True)
    b_rate, c_rate, regressions, _ = _rates(before, after)
    decision = _gate(ns, base, cand)
    if not _same_rate(decision.candidate_rate, c_rate) or list(decision.regressions) != regressions:
        raise CheckFailed(
            "baseline cases missing from the candidate should count as failed (a suite that skipped its errors is "
            "not green)",
            expected={"candidate_rate": round(c_rate, 3), "regressions": regressions},
            got={"candidate_rate": decision.candidate_rate, "regressions": list(decision.regressions)},
        )
    if decision.deploy != (c_rate >= b_rate - 1e-9):
        raise CheckFailed("deploy should follow the rates", expected=c_rate >= b_rate, got=decision.deploy)
    import pandas as pd

    try:
        _gate(ns, pd.DataFrame({"case": [], "passed": []}), cand)
    except ValueError:
        return
    raise CheckFailed(
        "an empty baseline should raise ValueError: there is nothing to compare against",
        expected="ValueError",
        got="a decision",
    )


@exercise("5.4", points=1, hidden=True, rules=["5.4/returns-fields", "5.4/renamed-missing-unknown"])
def parse_on_real_replies_of_both_snapshots(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    from weekfour import SYSTEM_PROMPT, sandbox
    from weekfour.labs.prompt_drift import DriftLab

    rng = ns.rng
    sb = sandbox(seed=rng.randint(0, 99))
    order = rng.choice(list(sb.world.orders.values()))
    lab = DriftLab(sb)

    def body(messages: Any, *, model: str, tools: Any, response_format: Any = None, max_output: int = 512) -> Any:
        return {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}

    for snapshot, should_parse in (("wf-chat-2026-01-15", True), ("wf-chat-2026-06-01", False)):
        agent = lab.agent(system_prompt=SYSTEM_PROMPT, model=snapshot, request_body=body, backoffice=lab.staging)
        content = agent.ask(f"Where is my order {order.id}?").messages[-1]["content"]
        try:
            got = parse(content)
        except ValueError as exc:
            if should_parse:
                raise CheckFailed(
                    f"parse_strict should accept {snapshot}'s real reply",
                    expected=order.status,
                    got=f"ValueError: {exc}",
                ) from None
            continue
        if not should_parse:
            raise CheckFailed(
                f"parse_strict should reject {snapshot}'s real reply (it renames `status`)",
                expected="ValueError",
                got=got,
            )
        if got.get("status") != order.status:
            raise CheckFailed(f"parse_strict on {snapshot}'s reply", expected=order.status, got=got.get("status"))


@exercise("5.5", points=1, hidden=True, rules=["5.5/both-snapshots", "5.5/matches-contract"])
def migrated_prompt_keeps_the_contract(ns: Namespace) -> None:
    prompt = _migrated(ns)
    rendered = prompt.render(shop="the Week Four outdoor shop")
    if "{" in rendered.replace("{{", "") and "{shop}" in rendered:
        raise CheckFailed("the new template should render completely", got=rendered[:200])
    schema = ((getattr(prompt, "response_format", None) or {}).get("json_schema") or {}).get("schema") or {}
    wanted = {"answer", "status", "order_id", "citations", "action", "refund_amount", "confidence"}
    got = set(schema.get("properties") or {})
    if got != wanted:
        raise CheckFailed(
            "the schema's fields should be exactly SupportAnswer's", expected=sorted(wanted), got=sorted(got)
        )
    rng = ns.rng
    failures = _suite_failures(prompt, seed=rng.randint(1000, 1999), n=16, snapshots=("wf-chat-2026-06-01",))
    if failures:
        raise CheckFailed("the new version should pass on a second world too", expected="no failed cases", got=failures)
