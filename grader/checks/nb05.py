"""Checks of notebook 05 (prompt drift): registry, regression suite, drift gate, strict parsing + pinning, migration.

Every scenario is drawn from ``ns.rng`` (templates, case ids, pass patterns, row order, worlds), so a hard-coded
answer fails. The messages say what the behaviour should be, never the code.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from grader.checks import CheckFailed, Namespace, exercise
from grader.checks._helpers import must_not_raise, must_raise

RULES = {
    "5.1/hash-sha256": "prompt_hash is a hex SHA-256 (64 hex characters), equal for equal content",
    "5.1/hash-key-order": "the hash does not depend on the key order of the response_format dict",
    "5.1/hash-any-change": "one changed character of the template, or a changed response_format, changes the hash",
    "5.1/render-fills": "render(**variables) fills the {name} placeholders; doubled braces stay literal braces",
    "5.1/render-missing": "render with a placeholder left unfilled raises KeyError",
    "5.1/reregister-same": "registering the same content under the same version returns the stored prompt",
    "5.1/changed-raises": "different content (template or response_format) under an existing version raises "
    "PromptChanged, whose message says to bump the version, and leaves the stored prompt untouched",
    "5.1/get-unknown": "get of an unknown id or version raises KeyError",
    "5.1/versions-order": "versions(id) lists that id's versions in the order registered (not sorted)",
    "5.2/parsed-not-text": "passes asserts on reply.data, never on the answer text",
    "5.2/none-fails": "a failed call (reply None) does not pass",
    "5.2/status": "expect status: data['status'] equals it",
    "5.2/refund": "expect refund: True passes only when data['action'] == 'refund', False only when it is not",
    "5.2/amount": "expect amount: data['refund_amount'] equals it to the cent (under half a cent apart); a null "
    "amount does not",
    "5.2/citations": "expect citations: every listed document is in data['citations'] (extras fine, null is none)",
    "5.2/every-key": "every key of case.expect must hold for the case to pass",
    "5.2/once-per-combo": "run_suite calls ask(question, prompt_version, model), in that order, once per case x "
    "prompt version x model",
    "5.2/columns": "one row per call with case, kind, prompt_version, model, passed, expected, got, error filled in",
    "5.2/error-row": "a call that raises is a failed row with error = the exception's type name; the suite goes on",
    "5.3/match-by-id": "rows are matched by case id, never by position",
    "5.3/rates": "baseline_rate and candidate_rate are shares (0..1) of the baseline's cases",
    "5.3/missing-failed": "a baseline case missing from the candidate counts as failed; extra candidate cases are "
    "ignored",
    "5.3/regressions-fixes": "regressions and fixes are the sorted case ids that changed, each way",
    "5.3/deploy": "deploy is candidate_rate >= baseline_rate - tolerance (equal deploys; at the tolerance deploys; "
    "beyond it blocks)",
    "5.3/empty-baseline": "an empty baseline raises ValueError",
    "5.4/tolerates-harmless": "whitespace, a preamble or sign-off, a ```json or bare ``` fence are tolerated",
    "5.4/returns-fields": "parse_strict returns the validated fields as a plain dict, every allowed value accepted",
    "5.4/no-json": "no JSON object, or one that does not parse, raises ValueError",
    "5.4/renamed-missing-unknown": "a renamed, missing or unknown field raises ValueError",
    "5.4/wrong-type-or-value": "a value of the wrong type or outside its allowed set raises ValueError",
    "5.4/snapshot-only": "model must be a snapshot id; every alias and any unknown name raises ValueError",
    "5.4/max-completion-tokens": "the body sends max_completion_tokens = max_output (512 by default), never max_tokens",
    "5.4/body-as-given": "messages and tools are sent as given; response_format only when one is given",
    "5.5/new-version": 'register_v2 registers version "2" in the registry it is given and returns it; version "1" '
    "stays as it is",
    "5.5/both-snapshots": "the golden suite passes on wf-chat-2026-01-15 and wf-chat-2026-06-01",
    "5.5/structured-outputs": "response_format is json_schema with a valid name and strict: True",
    "5.5/strict-schema": "the schema follows strict mode: object type, additionalProperties false, every property "
    "required",
    "5.5/matches-contract": "the schema's fields are exactly SupportAnswer's, each with its type, allowed values and "
    "nullability (as a [type, 'null'] list or an anyOf with {'type': 'null'})",
}

_STATUSES = ("processing", "shipped", "delivered", "cancelled", "refunded")
_ALL_STATUSES = (*_STATUSES, "not_found", "unknown")
_DOCS = ("policy/returns", "policy/refunds", "policy/gift-cards", "policy/shipping", "policy/warranty")
_WORDS = ("outdoor", "trail", "rain", "summit", "river", "canyon", "forest", "harbour")


# --- 5.1 -----------------------------------------------------------------------------------------------------------


def _template(rng: Any) -> str:
    word = rng.choice(_WORDS)
    return f"You are the {word} assistant of {{shop}}. Order {rng.randint(1000, 9999)}. Reply in JSON: {{{{}}}}."


def _registry_rules(ns: Namespace) -> None:
    prompt_hash = ns.function("prompt_hash")
    registry_cls = ns.function("PromptRegistry")
    changed_cls: type[Exception] = ns.get("PromptChanged", callable_=True)
    rng = ns.rng
    template = _template(rng)
    pid = f"support-{rng.randint(1, 999)}"

    h1, h2 = prompt_hash(template), prompt_hash(str(template))
    if not isinstance(h1, str) or h1 != h2:
        raise CheckFailed(
            "prompt_hash should return the same string for the same content",
            expected="two equal strings",
            got=(h1, h2),
            hint="Hash the text itself; nothing that changes between calls may go in.",
        )
    if len(h1) != 64 or any(ch not in "0123456789abcdef" for ch in h1):
        raise CheckFailed(
            "prompt_hash should be a hex SHA-256 digest: 64 lowercase hex characters, the same in every process",
            expected="64 hex characters",
            got=h1,
            hint="Python's built-in hash() changes from one process to the next; hashlib does not.",
        )
    edited = template.replace("assistant", "assistant ", 1)
    if prompt_hash(edited) == h1:
        raise CheckFailed(
            "prompt_hash should change when one character of the template changes",
            expected="a different hash",
            got=h1,
            hint="A content hash covers every character of the content.",
        )
    name = f"answer_{rng.randint(1, 99)}"
    fmt: dict[str, Any] = {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": {"type": "object"}},
    }
    reordered = {"json_schema": {"schema": {"type": "object"}, "strict": True, "name": name}, "type": "json_schema"}
    if prompt_hash(template, fmt) != prompt_hash(template, reordered):
        raise CheckFailed(
            "prompt_hash should not depend on the key order of response_format (equal dicts, equal hash)",
            expected="equal hashes",
            got="different hashes",
            hint="Serialise the dict canonically before hashing.",
        )
    strict_off = {"type": "json_schema", "json_schema": {**fmt["json_schema"], "strict": False}}
    if prompt_hash(template, fmt) in (prompt_hash(template, strict_off), h1):
        raise CheckFailed(
            "prompt_hash should change when the response_format changes: it is part of the prompt's contract",
            expected="different hashes",
            got="equal hashes",
        )

    registry = registry_cls()
    v1, v2 = str(rng.randint(2, 9)), str(rng.randint(10, 99))
    first = registry.register(pid, v1, template)
    if getattr(first, "hash", None) != h1:
        raise CheckFailed(
            "register should return the Prompt, whose .hash is prompt_hash of its content",
            expected=h1,
            got=getattr(first, "hash", first),
        )
    shop = rng.choice(["the Trail Shop", "Summit Gear", "River Outfitters"])
    rendered = registry.get(pid, v1).render(shop=shop)
    if rendered != template.format(shop=shop):
        raise CheckFailed(
            "get(id, version).render(shop=...) should fill the {shop} placeholder",
            expected=template.format(shop=shop),
            got=rendered,
            hint="Doubled braces {{ }} in a template stand for literal braces.",
        )
    try:
        unfilled = registry.get(pid, v1).render()
    except KeyError:
        pass
    else:
        raise CheckFailed(
            "render() with a placeholder left unfilled should raise KeyError, not ship '{shop}' to the model",
            expected="KeyError",
            got=unfilled,
        )
    again = must_not_raise(
        lambda: registry.register(pid, v1, template),
        "registering the same content under the same version again should return the stored prompt, not raise",
        hint="Re-running a notebook cell or re-importing a module registers the same prompt twice.",
    )
    if getattr(again, "hash", None) != h1:
        raise CheckFailed("re-registering identical content should return the stored prompt", expected=h1, got=again)
    for what, change in (
        ("a changed template", {"template": edited}),
        ("a changed response_format", {"template": template, "response_format": fmt}),
    ):
        refusal = must_raise(
            functools.partial(
                registry.register, pid, v1, change["template"], response_format=change.get("response_format")
            ),
            changed_cls,
            f"{what} under an existing version should raise PromptChanged",
            returned=f"registering {what} under an existing version should raise PromptChanged; it was accepted",
            returned_hint="Compare the new content's hash with the stored one before storing anything.",
        )
        if "version" not in str(refusal).lower():
            raise CheckFailed(
                "PromptChanged's message should tell the author to register the change under a new version",
                expected="a message that mentions the version",
                got=str(refusal),
            )
        stored = registry.get(pid, v1)
        if stored.render(shop=shop) != rendered or getattr(stored, "hash", None) != h1:
            raise CheckFailed(
                "a rejected change must leave the stored version untouched",
                expected=h1,
                got=getattr(stored, "hash", stored),
            )
    # registered out of order on purpose: neither sorted as text nor as numbers, with another id in between
    v3 = "1"
    registry.register(pid, v2, edited)
    registry.register(f"{pid}-other", "7", template)
    registry.register(pid, v3, template, response_format=fmt)
    versions = list(registry.versions(pid))
    if versions != [v1, v2, v3]:
        raise CheckFailed(
            "versions(id) should list that id's versions in the order registered, not sorted",
            expected=[v1, v2, v3],
            got=versions,
            hint="Dicts remember insertion order; sorting version strings puts '10' before '9'.",
        )
    for what, args in (("version", (pid, "no-such-version")), ("id", ("no-such-prompt", v1))):
        try:
            got = registry.get(*args)
        except KeyError:
            continue
        raise CheckFailed(f"get of an unknown {what} should raise KeyError", expected="KeyError", got=got)


@exercise(
    "5.1",
    points=3,
    title="Prompts as versioned code",
    rules=[
        "5.1/hash-sha256",
        "5.1/hash-key-order",
        "5.1/hash-any-change",
        "5.1/render-fills",
        "5.1/render-missing",
        "5.1/reregister-same",
        "5.1/changed-raises",
        "5.1/get-unknown",
        "5.1/versions-order",
    ],
)
def registry_versions_and_hashes(ns: Namespace) -> None:
    _registry_rules(ns)


# --- 5.2 -----------------------------------------------------------------------------------------------------------


def _case(ns: Namespace, case_id: str, kind: str, expect: dict[str, Any]) -> Any:
    from weekfour.labs.prompt_drift import GoldenCase

    return GoldenCase(case_id, kind, f"question about {case_id}", expect)


def _reply(ns: Namespace, answer: str, **data: Any) -> Any:
    from weekfour import Reply

    status = data.get("status") or ""
    return Reply(question="q", answer=answer, status=str(status), data={**data, "status": status})


@exercise(
    "5.2",
    points=2,
    title="Golden set and regression runner",
    rules=[
        "5.2/parsed-not-text",
        "5.2/none-fails",
        "5.2/status",
        "5.2/refund",
        "5.2/amount",
        "5.2/citations",
        "5.2/every-key",
    ],
)
def passes_asserts_on_parsed_fields(ns: Namespace) -> None:
    passes = ns.function("passes")
    rng = ns.rng
    true, lie = rng.sample(_STATUSES, 2)
    oid = f"A{rng.randint(1000, 1199)}"
    amount = round(rng.uniform(20, 300), 2)
    doc, other, third = rng.sample(_DOCS, 3)
    status_case = _case(ns, "status-01", "status", {"status": true})
    both_case = _case(ns, "status-02", "status", {"status": true, "refund": False})
    refund_case = _case(ns, "refund-01", "refund", {"refund": True, "amount": amount})
    dollar_case = _case(ns, "refund-02", "refund", {"refund": True, "amount": 1.0})
    no_refund_case = _case(ns, "refund-03", "refund", {"refund": False})
    policy_case = _case(ns, "policy-01", "policy", {"citations": [doc]})
    two_docs_case = _case(ns, "policy-02", "policy", {"citations": [doc, other]})
    raw = f'Sure! Here\'s the answer:\n```json\n{{"answer": "Order {oid} is {true}.", "order_status": "{true}"}}\n```'
    scenarios: list[tuple[str, Any, Any, bool, str]] = [
        ("a correct status reply", status_case, _reply(ns, f"Order {oid} is {true}.", status=true), True, ""),
        (
            "a correct parsed status whose answer text never says the word",
            status_case,
            _reply(ns, f"Good news about {oid}: see your account page.", status=true),
            True,
            "The verdict reads reply.data only; the wording of the answer is the model's business.",
        ),
        (
            "the week-six reply: the right word is in the text, the parsed status is empty",
            status_case,
            _reply(ns, raw, status=""),
            False,
            "Assert on reply.data, never on the answer text.",
        ),
        (
            "a parsed status that contradicts the truth",
            status_case,
            _reply(ns, f"Order {oid} is {true}.", status=lie),
            False,
            "The parsed status is what the backoffice records.",
        ),
        ("a failed call (reply is None)", status_case, None, False, "No reply is a failed case."),
        (
            "a failed call (reply is None) where no refund is owed",
            no_refund_case,
            None,
            False,
            "No reply is a failed case.",
        ),
        (
            "a right status with a refund nobody owed (expect has both status and refund: False)",
            both_case,
            _reply(ns, f"Order {oid} is {true}.", status=true, action="refund", refund_amount=amount),
            False,
            "Every key of case.expect must hold, not just the first.",
        ),
        (
            "a right status and no refund, where none is owed",
            both_case,
            _reply(ns, f"Order {oid} is {true}.", status=true, action="none"),
            True,
            "",
        ),
        (
            "a refund of the right amount",
            refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=amount),
            True,
            "",
        ),
        (
            "a refund 0.4 cents off the owed amount (equal to the cent)",
            refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=round(amount + 0.004, 3)),
            True,
            "To the cent: amounts less than half a cent apart are equal.",
        ),
        (
            "a refund 0.8 cents off the owed amount (a different cent)",
            refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=round(amount - 0.008, 3)),
            False,
            "To the cent: amounts half a cent or more apart differ.",
        ),
        (
            "a refund of the wrong amount",
            refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=round(amount * 1.5, 2)),
            False,
            "The amount must match to the cent.",
        ),
        (
            "no refund where one is owed",
            refund_case,
            _reply(ns, "Refund approved.", action="none"),
            False,
            "The action decides whether money moves, not the words.",
        ),
        (
            "the right amount written down, but the action is not a refund",
            refund_case,
            _reply(ns, "Refund approved.", action="escalate", refund_amount=amount),
            False,
            "`refund: True` holds only when data['action'] is 'refund'.",
        ),
        (
            "a refund of 1.00 owed, and the reply's refund_amount is null",
            dollar_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=None),
            False,
            "A null amount is no amount: it is not equal to what is owed.",
        ),
        (
            "a refund where none is owed (expect refund: False)",
            no_refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=amount),
            False,
            "`refund: False` holds only when the action is not 'refund'.",
        ),
        (
            "an escalation where no refund is owed",
            no_refund_case,
            _reply(ns, "A colleague will contact you.", action="escalate"),
            True,
            "",
        ),
        (
            "citations that include the expected document",
            policy_case,
            _reply(ns, "Per policy...", citations=[other, doc]),
            True,
            "Extra citations are fine.",
        ),
        (
            "citations that are exactly the expected documents",
            two_docs_case,
            _reply(ns, "Per policy...", citations=[other, doc]),
            True,
            "Every expected document is cited; nothing more is needed.",
        ),
        (
            "citations missing one of the expected documents",
            two_docs_case,
            _reply(ns, "Per policy...", citations=[doc, third]),
            False,
            "Every document in the expectation must be cited.",
        ),
        (
            "citations missing the expected document",
            policy_case,
            _reply(ns, f"Per {doc}...", citations=[other]),
            False,
            "The document must be cited in data['citations'].",
        ),
        (
            "citations that are null",
            policy_case,
            _reply(ns, f"Per {doc}...", citations=None),
            False,
            "A null list cites nothing.",
        ),
    ]
    rng.shuffle(scenarios)
    for what, case, reply, expected, hint in scenarios:
        got = passes(case, reply)
        if got is not expected and got != expected:
            raise CheckFailed(
                f"passes(case, reply) for {what}",
                expected=expected,
                got=got,
                hint=hint or None,
            )


def _plan(rng: Any, n_cases: int) -> tuple[list[Any], list[str], list[str]]:
    ids = sorted({f"{rng.choice(['status', 'refund', 'policy'])}-{rng.randint(1, 99):02d}" for _ in range(n_cases)})
    versions = [str(v) for v in rng.sample(range(1, 9), rng.randint(1, 2))]
    models = rng.sample(["wf-chat-2026-01-15", "wf-chat-2026-06-01", "wf-mini-2026-01-15"], 2)
    return ids, versions, models


@exercise("5.2", points=3, rules=["5.2/once-per-combo", "5.2/columns", "5.2/error-row"])
def run_suite_covers_the_matrix(ns: Namespace) -> None:
    run_suite = ns.function("run_suite")
    rng = ns.rng
    ids, versions, models = _plan(rng, rng.randint(4, 7))
    cases = [_case(ns, cid, cid.split("-")[0], {"status": "delivered"}) for cid in ids]
    outcome = {
        (c.question, v, m): rng.choice(["pass", "pass", "fail", "error"])
        for c in cases
        for v in versions
        for m in models
    }
    outcome[(cases[0].question, versions[0], models[0])] = "error"
    outcome[(cases[-1].question, versions[-1], models[-1])] = "pass"
    calls: list[tuple[str, str, str]] = []

    def ask(question: str, prompt_version: str, model: str) -> Any:
        calls.append((question, prompt_version, model))
        what = outcome.get((question, prompt_version, model))
        if what is None:
            raise LookupError(f"ask was called with an unknown combination {(question, prompt_version, model)!r}")
        if what == "error":
            raise TimeoutError("simulated provider failure")
        return _reply(ns, "Order is delivered.", status="delivered" if what == "pass" else "", **said)

    said = {"action": "none", "refund_amount": 0.0, "citations": [rng.choice(_DOCS)]}
    try:
        table = run_suite(cases, versions, models, ask)
    except TimeoutError:
        raise CheckFailed(
            "run_suite crashed when one call raised; a failed call should be a failed row",
            expected="a DataFrame with a row for every call",
            got="TimeoutError",
            hint="One bad call must not stop the suite from counting the others.",
        ) from None
    columns = {"case", "kind", "prompt_version", "model", "passed", "expected", "got", "error"}
    missing = columns - set(getattr(table, "columns", ()))
    if missing:
        raise CheckFailed(
            "run_suite should return a DataFrame with the documented columns",
            expected=sorted(columns),
            got=sorted(getattr(table, "columns", [])),
        )
    swapped = [c for c in calls if c[1] in models or c[2] in versions]
    if swapped:
        raise CheckFailed(
            "ask was called with a model where the prompt version goes: pass ask its arguments in the documented "
            "order (question, prompt_version, model)",
            expected=(cases[0].question, versions[0], models[0]),
            got=swapped[0],
        )
    want = len(cases) * len(versions) * len(models)
    if len(table) != want or len(calls) != want or len(set(calls)) != want:
        raise CheckFailed(
            f"run_suite should ask once per case x prompt version x model ({len(cases)} x {len(versions)} x "
            f"{len(models)})",
            expected={"rows": want, "calls": want, "distinct calls": want},
            got={"rows": len(table), "calls": len(calls), "distinct calls": len(set(calls))},
        )
    by_question = {c.question: c.id for c in cases}
    expected_rows = {(by_question[q], v, m): w for (q, v, m), w in outcome.items()}
    for row in table.to_dict("records"):
        key = (row["case"], str(row["prompt_version"]), row["model"])
        what = expected_rows.get(key)
        if what is None:
            raise CheckFailed(
                "each row should name its case id, prompt version and model",
                got=key,
                hint="Use case.id for the case column.",
            )
        if bool(row["passed"]) != (what == "pass"):
            raise CheckFailed(f"the row for {key} has the wrong verdict", expected=what == "pass", got=row["passed"])
        case = next(c for c in cases if c.id == row["case"])
        if row["kind"] != case.kind or row["expected"] != case.expect:
            raise CheckFailed(
                f"the row for {key} should carry the case's kind and its expectation",
                expected={"kind": case.kind, "expected": case.expect},
                got={"kind": row["kind"], "expected": row["expected"]},
            )
        got = row["got"]
        if what == "error":
            if got is not None and got == got:  # None (or NaN) for a call that raised
                raise CheckFailed(f"the row for {key} raised: `got` should be None", expected=None, got=got)
        else:
            want_got = {"status": "delivered" if what == "pass" else "", **said}
            if not isinstance(got, dict) or any(got.get(k) != v for k, v in want_got.items()):
                raise CheckFailed(
                    f"the row for {key} should record in `got` the parsed fields the verdict read "
                    "(status, action, refund_amount, citations of reply.data)",
                    expected=want_got,
                    got=got,
                    hint="Someone reading a failed row wants to see what the model said, next to what was expected.",
                )
        has_error = isinstance(row["error"], str) and bool(row["error"])
        if has_error != (what == "error") or (has_error and "TimeoutError" not in row["error"]):
            raise CheckFailed(
                f"the row for {key} should record the exception's type name in `error` only when the call raised",
                expected="TimeoutError" if what == "error" else None,
                got=row["error"],
            )


# --- 5.3 -----------------------------------------------------------------------------------------------------------


def _frames(rng: Any, n: int) -> tuple[Any, Any, dict[str, bool], dict[str, bool]]:
    import pandas as pd

    ids = [f"case-{i:03d}" for i in rng.sample(range(1, 999), n)]
    before = {c: rng.random() < 0.8 for c in ids}
    after = {c: (p if rng.random() < 0.6 else not p) for c, p in before.items()}
    base = pd.DataFrame({"case": ids, "passed": [before[c] for c in ids], "model": "old"})
    shuffled = list(ids)
    rng.shuffle(shuffled)
    cand = pd.DataFrame({"case": shuffled, "passed": [after[c] for c in shuffled], "model": "new"})
    return base, cand, before, after


def _rates(before: dict[str, bool], after: dict[str, bool]) -> tuple[float, float, list[str], list[str]]:
    now = {c: after.get(c, False) for c in before}
    return (
        sum(before.values()) / len(before),
        sum(now.values()) / len(before),
        sorted(c for c in before if before[c] and not now[c]),
        sorted(c for c in before if not before[c] and now[c]),
    )


def _gate(ns: Namespace, base: Any, cand: Any, **kwargs: Any) -> Any:
    decision = ns.function("drift_gate")(base, cand, **kwargs)
    for name in ("deploy", "baseline_rate", "candidate_rate", "regressions", "fixes"):
        if not hasattr(decision, name):
            raise CheckFailed(
                "drift_gate should return a GateDecision", expected=f"an object with .{name}", got=decision
            )
    return decision


def _same_rate(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < 1e-6


def _frame(passed: dict[str, bool], order: list[str] | None = None) -> Any:
    import pandas as pd

    ids = order if order is not None else list(passed)
    return pd.DataFrame({"case": ids, "passed": [passed[c] for c in ids]})


def _expect_gate(ns: Namespace, what: str, base: dict[str, bool], cand: dict[str, bool], **kwargs: Any) -> Any:
    """Run the gate on two suites given as {case: passed} and compare every field with the contract."""
    order = list(cand)
    ns.rng.shuffle(order)
    b_rate, c_rate, regressions, fixes = _rates(base, cand)
    decision = _gate(ns, _frame(base, sorted(base, reverse=True)), _frame(cand, order), **kwargs)
    if not (_same_rate(decision.baseline_rate, b_rate) and _same_rate(decision.candidate_rate, c_rate)):
        raise CheckFailed(
            f"{what}: the pass rates should be the share of the baseline's cases that passed (0..1)",
            expected=(round(b_rate, 3), round(c_rate, 3)),
            got=(decision.baseline_rate, decision.candidate_rate),
            hint="Only the baseline's cases count, in both rates; one the candidate lacks is a failed one.",
        )
    if list(decision.regressions) != regressions or list(decision.fixes) != fixes:
        raise CheckFailed(
            f"{what}: regressions and fixes should list the case ids that changed, sorted",
            expected={"regressions": regressions, "fixes": fixes},
            got={"regressions": list(decision.regressions), "fixes": list(decision.fixes)},
            hint="Match rows by their case id, not by their position.",
        )
    return decision


@exercise(
    "5.3",
    points=3,
    title="The drift gate",
    rules=[
        "5.3/match-by-id",
        "5.3/rates",
        "5.3/missing-failed",
        "5.3/regressions-fixes",
        "5.3/deploy",
        "5.3/empty-baseline",
    ],
)
def gate_matches_cases_by_id(ns: Namespace) -> None:
    rng = ns.rng
    base, cand, before, after = _frames(rng, rng.randint(8, 14))
    b_rate, c_rate, regressions, fixes = _rates(before, after)
    decision = _gate(ns, base, cand)
    if not (_same_rate(decision.baseline_rate, b_rate) and _same_rate(decision.candidate_rate, c_rate)):
        raise CheckFailed(
            "the pass rates should be the share of the baseline's cases that passed (0..1)",
            expected=(round(b_rate, 3), round(c_rate, 3)),
            got=(decision.baseline_rate, decision.candidate_rate),
        )
    if list(decision.regressions) != regressions or list(decision.fixes) != fixes:
        raise CheckFailed(
            "regressions and fixes should list the case ids that changed, sorted (the candidate's rows come in "
            "another order than the baseline's)",
            expected={"regressions": regressions, "fixes": fixes},
            got={"regressions": list(decision.regressions), "fixes": list(decision.fixes)},
            hint="Match rows by their case id, not by their position.",
        )
    expected_deploy = c_rate >= b_rate - 1e-9
    if bool(decision.deploy) != expected_deploy:
        raise CheckFailed(
            "with tolerance 0, deploy only when the candidate's pass rate is not lower",
            expected=expected_deploy,
            got=decision.deploy,
        )

    # Eight cases, so every rate and tolerance below is exact in binary: the boundaries are the boundaries.
    ids = sorted(f"case-{i:03d}" for i in rng.sample(range(1, 999), 8))
    a, b, c, d, e, f, g, h = rng.sample(ids, 8)
    base = {i: i not in (g, h) for i in ids}  # 6 of 8 pass: not an all-pass baseline
    # equal rates: one regression and one fix
    swap = {**base, a: False, g: True}
    decision = _expect_gate(ns, "one regression and one fix", base, swap)
    if not decision.deploy:
        raise CheckFailed(
            "an equal pass rate (one regression, one fix) is not lower: with tolerance 0, deploy",
            expected=True,
            got=False,
            hint="deploy when candidate_rate >= baseline_rate - tolerance: equal counts as not lower.",
        )
    better = {**base, g: True, h: True}
    if not _expect_gate(ns, "a candidate that fixes two cases", base, better).deploy:
        raise CheckFailed("a rising pass rate should deploy", expected=True, got=False)
    one_down = {**base, a: False}
    if _expect_gate(ns, "one regression, tolerance 0", base, one_down).deploy:
        raise CheckFailed(
            "a candidate that fails cases the baseline passes should be blocked", expected=False, got=True
        )
    two_down = {**base, a: False, b: False}  # 0.75 -> 0.5: a drop of exactly 0.25
    for tolerance, want in ((0.25 + 0.0625, True), (0.25 - 0.0625, False), (0.25, True)):
        got = _expect_gate(ns, f"a drop of 0.25 with tolerance {tolerance}", base, two_down, tolerance=tolerance)
        if bool(got.deploy) != want:
            where = "beyond" if not want else ("exactly at" if tolerance == 0.25 else "within")
            raise CheckFailed(
                f"a drop from 75% to 50% is {where} a tolerance of {tolerance:.2%}: " + ("deploy" if want else "block"),
                expected=want,
                got=got.deploy,
                hint="tolerance is a share (0.05 = five percentage points) the pass rate may drop; a drop of "
                "exactly the tolerance is allowed.",
            )
    # the candidate ran fewer cases (two that passed and one that failed are gone) and one the baseline lacks
    partial = {i: True for i in ids if i not in (c, d, h)}
    partial["case-extra"] = True
    decision = _expect_gate(ns, "a candidate missing three of the baseline's cases", base, partial)
    if decision.deploy:
        raise CheckFailed(
            "baseline cases missing from the candidate should count as failed (a suite that skipped its errors is "
            "not green)",
            expected=False,
            got=True,
        )
    try:
        _gate(ns, _frame({}), _frame(base))
    except ValueError:
        return
    raise CheckFailed(
        "an empty baseline should raise ValueError: there is nothing to compare against",
        expected="ValueError",
        got="a decision",
    )


# --- 5.4 -----------------------------------------------------------------------------------------------------------


def _answer_fields(rng: Any) -> dict[str, Any]:
    oid = f"A{rng.randint(1000, 1199)}"
    refund = rng.random() < 0.5
    return {
        "answer": f"Order {oid} {{ok}} is {rng.choice(_STATUSES)}.",
        "status": rng.choice([*_STATUSES, None]),
        "order_id": oid,
        "citations": rng.sample(_DOCS, rng.randint(0, 2)),
        "action": "refund" if refund else rng.choice(["none", "escalate"]),
        "refund_amount": round(rng.uniform(10, 300), 2) if refund else None,
        "confidence": 0.97,
    }


def _wrappings(rng: Any, text: str) -> list[tuple[str, str]]:
    return [
        ("plain JSON", text),
        ("JSON with whitespace around it", f"\n  {text}  \n"),
        (
            "a ```json fence with a preamble and a sign-off",
            f"Sure! Here's the answer:\n\n```json\n{text}\n```\n\nAnything else?",
        ),
        ("a bare ``` fence", f"```\n{text}\n```"),
        ("a one-line preamble", f"{rng.choice(['Here you go:', 'Of course.', 'Result:'])} {text}"),
    ]


@exercise(
    "5.4",
    points=2,
    title="Strict parsing and pinned requests",
    rules=["5.4/tolerates-harmless", "5.4/returns-fields"],
)
def parse_tolerates_harmless_changes(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    rng = ns.rng
    fields = _answer_fields(rng)
    wrapped = _wrappings(rng, json.dumps(fields))
    # every allowed status (null too) and every action, each in some wrapping
    for status in (*_ALL_STATUSES, None):
        variant = {**fields, "status": status}
        wrapped.append((f"status {status!r}", rng.choice(_wrappings(rng, json.dumps(variant)))[1]))
    for action in ("none", "refund", "escalate"):
        variant = {**fields, "action": action, "refund_amount": 12.5 if action == "refund" else None}
        wrapped.append((f"action {action!r}", rng.choice(_wrappings(rng, json.dumps(variant)))[1]))
    for what, content in wrapped:
        try:
            want = json.loads(content[content.index("{") : content.rindex("}") + 1])
        except ValueError:
            want = fields
        try:
            got = parse(content)
        except ValueError as exc:
            raise CheckFailed(
                f"parse_strict should accept {what}: the fields are all there and right",
                expected=want,
                got=f"ValueError: {exc}",
                hint="Look for the JSON object inside the text.",
            ) from None
        if type(got) is not dict or {k: got.get(k) for k in want} != want:
            raise CheckFailed(
                f"parse_strict should return the reply's fields as a dict for {what}", expected=want, got=got
            )


@exercise("5.4", points=2, rules=["5.4/no-json", "5.4/renamed-missing-unknown", "5.4/wrong-type-or-value"])
def parse_rejects_harmful_changes(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    rng = ns.rng
    fields = _answer_fields(rng)
    renamed = dict(fields)
    renamed["order_status"] = renamed.pop("status")
    bad: list[tuple[str, str]] = [
        ("`status` renamed to `order_status`", json.dumps(renamed)),
        *((f"`{key}` missing", json.dumps({k: v for k, v in fields.items() if k != key})) for key in fields),
        ("an unknown extra field `priority`", json.dumps({**fields, "priority": "high"})),
        ("`citations` as a string, not a list", json.dumps({**fields, "citations": "policy/returns"})),
        ("`refund_amount` as words", json.dumps({**fields, "refund_amount": "a lot"})),
        ("a status outside the allowed set", json.dumps({**fields, "status": "teleported"})),
        ("an action outside the allowed set", json.dumps({**fields, "action": "refund_later"})),
        ("prose with no JSON object", "I'm sorry, I can't help with that."),
        ("an empty reply", ""),
        ("braces around text that is not JSON", "Sure! {answer: Order shipped, status: shipped}"),
        ("a JSON object cut off mid-way", '```json\n{"answer": "Order ' + fields["order_id"] + " is"),
    ]
    no_object = {what for what, text in bad[-4:]}
    rng.shuffle(bad)
    for what, text in bad:
        content = f"Sure! Here's the answer:\n\n```json\n{text}\n```" if text.startswith("{") else text
        must_raise(
            functools.partial(parse, content),
            ValueError,
            f"parse_strict should raise ValueError for a reply with {what}",
            returned=f"parse_strict should reject a reply with {what}, not return a guess",
            hint="Callers catch ValueError to take the safe path; other exceptions crash them.",
            returned_hint="A reply without a JSON object that parses is a failure to report, not an answer to invent."
            if what in no_object
            else "A renamed field is a missing field plus an unknown one: the contract does not allow either.",
        )


@exercise("5.4", points=2, rules=["5.4/snapshot-only", "5.4/max-completion-tokens", "5.4/body-as-given"])
def pinned_body_pins_the_snapshot(ns: Namespace) -> None:
    pinned_body = ns.function("pinned_body")
    from weekfour import default_catalog, sandbox

    catalog = default_catalog()
    rng = ns.rng
    snapshot = rng.choice(["wf-chat-2026-01-15", "wf-chat-2026-06-01"])
    limit = rng.randint(64, 900)
    messages = [{"role": "system", "content": "Reply in JSON."}, {"role": "user", "content": "Where is A1042?"}]
    body = pinned_body(messages, model=snapshot, tools=[], max_output=limit)
    if not isinstance(body, dict) or body.get("model") != snapshot:
        raise CheckFailed("pinned_body should send the snapshot it was given", expected=snapshot, got=body)
    if "max_tokens" in body or body.get("max_completion_tokens") != limit:
        raise CheckFailed(
            "the body should carry max_completion_tokens = max_output and no max_tokens",
            expected={"max_completion_tokens": limit},
            got={k: body.get(k) for k in ("max_tokens", "max_completion_tokens")},
            hint="Newer snapshots answer 400 unsupported_parameter to max_tokens.",
        )
    if body.get("messages") != messages:
        raise CheckFailed("the body should carry the messages as given", expected=messages, got=body.get("messages"))
    if "response_format" in body and body["response_format"] is not None:
        raise CheckFailed("with no response_format given, the body should not send one", got=body["response_format"])
    fmt = {"type": "json_object"}
    with_fmt = pinned_body(messages, model=snapshot, tools=[], response_format=fmt)
    if with_fmt.get("response_format") != fmt:
        raise CheckFailed(
            "a given response_format should be sent as is", expected=fmt, got=with_fmt.get("response_format")
        )
    tools = [{"type": "function", "function": {"name": f"lookup_{rng.randint(1, 99)}", "parameters": {}}}]
    for other in catalog.snapshots():
        got = pinned_body(messages, model=other, tools=tools)
        if got.get("model") != other or got.get("tools") != tools or got.get("max_completion_tokens") != 512:
            raise CheckFailed(
                f"pinned_body should accept every snapshot ({other!r} too), send the tools as given, and cap the "
                "output at max_output = 512 when none is given",
                expected={"model": other, "tools": tools, "max_completion_tokens": 512},
                got={k: got.get(k) for k in ("model", "tools", "max_completion_tokens")},
            )
    for name in [*sorted(catalog.aliases()), "gpt-4o", f"{snapshot}-latest"]:
        try:
            got = pinned_body(messages, model=name, tools=[])
        except ValueError:
            continue
        raise CheckFailed(
            f"{name!r} is not a pinned snapshot: pinned_body should raise ValueError",
            expected="ValueError",
            got=got,
            hint="The catalog lists its snapshots and its aliases separately.",
        )
    sb = sandbox(seed=rng.randint(0, 99))
    response = sb.client().post("/chat/completions", json=pinned_body(messages, model=snapshot, tools=sb.world.tools))
    if response.status_code != 200:
        raise CheckFailed(
            "the provider should accept the body", expected=200, got=f"{response.status_code}: {response.text[:200]}"
        )


# --- 5.5 -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prompt:
    id: str
    version: str
    template: str
    response_format: dict[str, Any] | None = None

    def render(self, **variables: Any) -> str:
        return str.format_map(self.template, variables)


class _Registry:
    """A plain registry for the migration check (so exercise 5.5 does not depend on your 5.1)."""

    def __init__(self, template: str) -> None:
        self.prompts = {("support", "1"): _Prompt("support", "1", template)}

    def register(self, id: str, version: str, template: str, *, response_format: Any = None) -> _Prompt:
        key = (id, version)
        new = _Prompt(id, version, template, response_format)
        if key in self.prompts and self.prompts[key] != new:
            raise ValueError(f"prompt {id!r} version {version!r} already exists with other content")
        self.prompts[key] = new
        return new

    def get(self, id: str, version: str) -> _Prompt:
        return self.prompts[(id, version)]

    def versions(self, id: str) -> list[str]:
        return [v for (i, v) in self.prompts if i == id]


def _strict_schema_problem(schema: Any, where: str = "schema") -> str | None:
    """What OpenAI's strict mode would refuse in ``schema``, or None."""
    if not isinstance(schema, dict):
        return f"{where} is not an object"
    if where == "schema" and schema.get("type") != "object":
        return "the root of the schema must have type 'object'"
    alternatives = schema.get("anyOf")
    if isinstance(alternatives, list):
        for number, alternative in enumerate(alternatives):
            problem = _strict_schema_problem(alternative, f"{where}.anyOf[{number}]")
            if problem:
                return problem
        return None
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        props = schema.get("properties")
        if not isinstance(props, dict) or not props:
            return f"{where} has no properties"
        if schema.get("additionalProperties") is not False:
            return f"{where} needs additionalProperties: false"
        if sorted(schema.get("required") or []) != sorted(props):
            return f"{where}: strict mode needs every property in required (nullable fields use [type, 'null'])"
        for name, prop in props.items():
            problem = _strict_schema_problem(prop, f"{where}.{name}")
            if problem:
                return problem
    if "array" in types and "items" in schema:
        return _strict_schema_problem(schema["items"], f"{where}[]")
    return None


# What SupportAnswer says of each field: JSON types (null apart), nullable, allowed values (None: any).
_CONTRACT: dict[str, tuple[frozenset[str], bool, frozenset[Any] | None]] = {
    "answer": (frozenset({"string"}), False, None),
    "status": (frozenset({"string"}), True, frozenset(_ALL_STATUSES)),
    "order_id": (frozenset({"string"}), True, None),
    "citations": (frozenset({"array"}), False, None),
    "action": (frozenset({"string"}), False, frozenset({"none", "refund", "escalate"})),
    "refund_amount": (frozenset({"number"}), True, None),
    "confidence": (frozenset({"number"}), False, None),
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _field_shape(prop: Any) -> tuple[frozenset[str], bool, frozenset[Any] | None]:
    """(types other than null, accepts null, allowed non-null values or None) of one property, in either spelling
    of nullability: ``"type": [T, "null"]`` (its enum including None) or ``anyOf`` with ``{"type": "null"}``."""
    alternatives: list[Any] = (
        prop["anyOf"] if isinstance(prop, dict) and isinstance(prop.get("anyOf"), list) else [prop]
    )
    types: set[str] = set()
    nullable = False
    values: set[Any] | None = None
    for alt in alternatives:
        if not isinstance(alt, dict):
            continue
        kinds = alt.get("type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        enum = alt.get("enum")
        if "null" in kinds and (not isinstance(enum, list) or None in enum):
            nullable = True
        types |= {k for k in kinds if k != "null"}
        if isinstance(enum, list):
            values = (values or set()) | {v for v in enum if v is not None}
    return frozenset(types), nullable, frozenset(values) if values is not None else None


def _contract_problem(schema: dict[str, Any]) -> tuple[str, Any, Any] | None:
    """The first field whose schema says something other than SupportAnswer: (field, expected, got)."""
    props = schema.get("properties") or {}
    if set(props) != set(_CONTRACT):
        return "the field names", sorted(_CONTRACT), sorted(props)
    for name, (types, nullable, values) in _CONTRACT.items():
        got = _field_shape(props[name])
        if name == "citations":
            items = _field_shape((props[name] or {}).get("items") or {})
            if items != (frozenset({"string"}), False, None):
                return "citations' items", "strings, not null", _describe(items)
        if got != (types, nullable, values):
            return name, _describe((types, nullable, values)), _describe(got)
    return None


def _describe(shape: tuple[frozenset[str], bool, frozenset[Any] | None]) -> dict[str, Any]:
    types, nullable, values = shape
    out: dict[str, Any] = {"type": sorted(types), "nullable": nullable}
    if values is not None:
        out["enum"] = sorted(map(str, values))
    return out


def _migrated(ns: Namespace) -> Any:
    register_v2 = ns.function("register_v2")
    from weekfour import SYSTEM_PROMPT

    registry = _Registry(SYSTEM_PROMPT.replace("the Week Four outdoor shop", "{shop}"))
    prompt = register_v2(registry)
    if prompt is None or not hasattr(prompt, "render"):
        raise CheckFailed("register_v2 should return the prompt that registry.register returned", got=prompt)
    if (
        getattr(prompt, "version", None) == "1"
        or registry.get("support", "1").template != registry.prompts[("support", "1")].template
    ):
        raise CheckFailed(
            "the migration should be a new version; version 1 stays as it is",
            expected="a version other than '1'",
            got=getattr(prompt, "version", None),
        )
    if getattr(prompt, "version", None) != "2":
        raise CheckFailed(
            'register_v2 should register the migration as version "2" of "support"',
            expected="2",
            got=getattr(prompt, "version", None),
            hint="Versions are strings in this registry, and the exercise names the one to use.",
        )
    if ("support", str(prompt.version)) not in registry.prompts:
        raise CheckFailed(
            "register_v2 should register the new version in the registry it is given", got=registry.versions("support")
        )
    return prompt


def _suite_failures(prompt: Any, *, seed: int, n: int, snapshots: tuple[str, ...]) -> dict[str, list[str]]:
    from weekfour import sandbox
    from weekfour.labs.prompt_drift import DriftLab, golden_set
    from weekfour.traffic import is_correct

    def body(messages: Any, *, model: str, tools: Any, response_format: Any = None, max_output: int = 512) -> Any:
        out = {"model": model, "messages": messages, "tools": tools, "max_completion_tokens": max_output}
        if response_format is not None:
            out["response_format"] = response_format
        return out

    def exact_json(content: str) -> dict[str, Any]:  # structured outputs: the content is the object, nothing else
        data = json.loads(content)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data

    failures: dict[str, list[str]] = {}
    for snapshot in snapshots:
        lab = DriftLab(sandbox(seed=seed))
        cases = golden_set(lab.sb.world, n, seed=seed + 7, now=lab.sb.clock.now())
        ask = lab.asker({str(prompt.version): prompt}, parse=exact_json, request_body=body)
        for case in cases:
            try:
                reply = ask(case.question, str(prompt.version), snapshot)
            except Exception as exc:
                failures.setdefault(snapshot, []).append(f"{case.id} ({type(exc).__name__})")
                continue
            if case.source is None or not is_correct(case.source, reply):
                failures.setdefault(snapshot, []).append(case.id)
    return failures


@exercise(
    "5.5",
    points=4,
    title="Migrate, with proof",
    rules=[
        "5.5/new-version",
        "5.5/both-snapshots",
        "5.5/structured-outputs",
        "5.5/strict-schema",
        "5.5/matches-contract",
    ],
)
def migrated_prompt_passes_on_both_snapshots(ns: Namespace) -> None:
    prompt = _migrated(ns)
    rng = ns.rng
    failures = _suite_failures(
        prompt, seed=rng.randint(0, 999), n=rng.randint(10, 14), snapshots=("wf-chat-2026-01-15", "wf-chat-2026-06-01")
    )
    if failures:
        raise CheckFailed(
            "the golden suite should pass on both snapshots with the new prompt version",
            expected="no failed cases",
            got=failures,
            hint="Read one raw reply of each snapshot. Wording asks; only a response format the provider enforces "
            "makes every field arrive with the name and type the contract wants.",
        )
    fmt = getattr(prompt, "response_format", None) or {}
    spec = fmt.get("json_schema") if fmt.get("type") == "json_schema" else None
    if (
        not isinstance(spec, dict)
        or spec.get("strict") is not True
        or not isinstance(spec.get("name"), str)
        or not _NAME.match(spec["name"])
    ):
        raise CheckFailed(
            "the suite passes today, but the contract is not enforced by the provider: use structured outputs "
            "(type json_schema, with a name and strict: True)",
            expected={"type": "json_schema", "name": "1 to 64 letters, digits, _ or -", "strict": True},
            got=fmt or None,
            hint="JSON mode guarantees valid JSON, not your field names; a prompt alone guarantees neither.",
        )
    problem = _strict_schema_problem(spec.get("schema"))
    if problem:
        raise CheckFailed(
            f"the schema should follow strict mode's rules; the provider would refuse this one: {problem}",
            expected="a schema strict mode accepts",
            hint="Strict mode has no optional properties: a field that may be empty is required and nullable.",
        )
    differs = _contract_problem(spec["schema"])
    if differs:
        what, expected, got = differs
        raise CheckFailed(
            f"the schema's fields should be exactly SupportAnswer's, each with its type, allowed values and "
            f"nullability: {what} differs",
            expected=expected,
            got=got,
            hint="Read SupportAnswer field by field: `X | None` is a nullable X, a Literal is an enum of its values.",
        )
