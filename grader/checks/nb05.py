"""Checks of notebook 05 (prompt drift): registry, regression suite, drift gate, strict parsing + pinning, migration.

Every scenario is drawn from ``ns.rng`` (templates, case ids, pass patterns, row order, worlds), so a hard-coded
answer fails. The messages say what the behaviour should be, never the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grader.checks import CheckFailed, Namespace, exercise

_STATUSES = ("processing", "shipped", "delivered", "cancelled", "refunded")
_DOCS = ("policy/returns", "policy/refunds", "policy/gift-cards", "policy/shipping", "policy/warranty")
_WORDS = ("outdoor", "trail", "rain", "summit", "river", "canyon", "forest", "harbour")


# --- 5.1 -----------------------------------------------------------------------------------------------------------


def _template(rng: Any) -> str:
    word = rng.choice(_WORDS)
    return f"You are the {word} assistant of {{shop}}. Order {rng.randint(1000, 9999)}. Reply in JSON: {{{{}}}}."


@exercise("5.1", points=3, title="Prompts as versioned code")
def registry_versions_and_hashes(ns: Namespace) -> None:
    prompt_hash = ns.function("prompt_hash")
    registry_cls = ns.function("PromptRegistry")
    changed_cls = ns.function("PromptChanged")
    rng = ns.rng
    template = _template(rng)
    pid = f"support-{rng.randint(1, 999)}"
    v1, v2 = str(rng.randint(1, 50)), f"{rng.randint(51, 99)}"

    h1, h2 = prompt_hash(template), prompt_hash(str(template))
    if not isinstance(h1, str) or h1 != h2:
        raise CheckFailed(
            "prompt_hash should return the same string for the same content",
            expected="two equal strings",
            got=(h1, h2),
            hint="Hash the text itself; nothing that changes between calls may go in.",
        )
    edited = template.replace("assistant", "assistant ", 1)
    if prompt_hash(edited) == h1:
        raise CheckFailed(
            "prompt_hash should change when one character of the template changes",
            expected="a different hash",
            got=h1,
            hint="A content hash covers every character of the content.",
        )

    registry = registry_cls()
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
        again = registry.register(pid, v1, template)
    except Exception as exc:
        raise CheckFailed(
            "registering the same content under the same version again should return the stored prompt, not raise",
            got=f"{type(exc).__name__}: {exc}",
            hint="Re-running a notebook cell or re-importing a module registers the same prompt twice.",
        ) from None
    if getattr(again, "hash", None) != h1:
        raise CheckFailed("re-registering identical content should return the stored prompt", expected=h1, got=again)
    try:
        registry.register(pid, v1, edited)
    except changed_cls:
        pass
    except Exception as exc:
        raise CheckFailed(
            "changed content under an existing version should raise PromptChanged",
            expected="PromptChanged",
            got=f"{type(exc).__name__}: {exc}",
        ) from None
    else:
        raise CheckFailed(
            "registering changed content under an existing version should raise PromptChanged; it was accepted",
            expected="PromptChanged",
            got="no error",
            hint="Compare the new content's hash with the stored one before storing anything.",
        )
    if registry.get(pid, v1).render(shop=shop) != rendered:
        raise CheckFailed(
            "a rejected change must leave the stored version untouched",
            expected=rendered,
            got=registry.get(pid, v1).render(shop=shop),
        )
    registry.register(pid, v2, edited)
    versions = list(registry.versions(pid))
    if versions != [v1, v2]:
        raise CheckFailed(
            "versions(id) should list the versions in the order registered", expected=[v1, v2], got=versions
        )
    try:
        registry.get(pid, "no-such-version")
    except KeyError:
        pass
    else:
        raise CheckFailed("get of an unknown version should raise KeyError", expected="KeyError", got="a value")


@exercise("5.1", points=1, hidden=True)
def registry_hash_covers_response_format(ns: Namespace) -> None:
    prompt_hash = ns.function("prompt_hash")
    registry_cls = ns.function("PromptRegistry")
    changed_cls = ns.function("PromptChanged")
    rng = ns.rng
    template = _template(rng)
    fmt = {"type": "json_schema", "json_schema": {"name": f"answer_{rng.randint(1, 99)}", "strict": True}}
    reordered = {"json_schema": {"strict": True, "name": fmt["json_schema"]["name"]}, "type": "json_schema"}
    if prompt_hash(template, fmt) != prompt_hash(template, reordered):
        raise CheckFailed(
            "prompt_hash should not depend on the key order of response_format (equal dicts, equal hash)",
            expected="equal hashes",
            got="different hashes",
            hint="Serialise the dict canonically before hashing.",
        )
    strict_off = {"type": "json_schema", "json_schema": {**fmt["json_schema"], "strict": False}}
    if prompt_hash(template, fmt) == prompt_hash(template, strict_off) or prompt_hash(template, fmt) == prompt_hash(
        template
    ):
        raise CheckFailed(
            "prompt_hash should change when the response_format changes: it is part of the prompt's contract",
            expected="different hashes",
            got="equal hashes",
        )
    registry = registry_cls()
    registry.register("support", "1", template, response_format=fmt)
    try:
        registry.register("support", "1", template, response_format=strict_off)
    except changed_cls:
        pass
    else:
        raise CheckFailed(
            "a changed response_format under the same version should raise PromptChanged",
            expected="PromptChanged",
            got="accepted",
        )
    try:
        registry.get("support", "1").render()
    except KeyError:
        return
    raise CheckFailed(
        "render() with a placeholder left unfilled should raise KeyError, not ship '{shop}' to the model",
        expected="KeyError",
        got="a rendered prompt",
    )


# --- 5.2 -----------------------------------------------------------------------------------------------------------


def _case(ns: Namespace, case_id: str, kind: str, expect: dict[str, Any]) -> Any:
    from weekfour.labs.drift import GoldenCase

    return GoldenCase(case_id, kind, f"question about {case_id}", expect)


def _reply(ns: Namespace, answer: str, **data: Any) -> Any:
    from weekfour import Reply

    status = data.get("status") or ""
    return Reply(question="q", answer=answer, status=str(status), data={**data, "status": status})


@exercise("5.2", points=2, title="Golden set and regression runner")
def passes_asserts_on_parsed_fields(ns: Namespace) -> None:
    passes = ns.function("passes")
    rng = ns.rng
    true, lie = rng.sample(_STATUSES, 2)
    oid = f"A{rng.randint(1000, 1199)}"
    amount = round(rng.uniform(20, 300), 2)
    doc, other = rng.sample(_DOCS, 2)
    status_case = _case(ns, "status-01", "status", {"status": true})
    refund_case = _case(ns, "refund-01", "refund", {"refund": True, "amount": amount})
    policy_case = _case(ns, "policy-01", "policy", {"citations": [doc]})
    raw = f'Sure! Here\'s the answer:\n```json\n{{"answer": "Order {oid} is {true}.", "order_status": "{true}"}}\n```'
    scenarios: list[tuple[str, Any, Any, bool, str]] = [
        ("a correct status reply", status_case, _reply(ns, f"Order {oid} is {true}.", status=true), True, ""),
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
            "a refund of the right amount",
            refund_case,
            _reply(ns, "Refund approved.", action="refund", refund_amount=amount),
            True,
            "",
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
            "citations that include the expected document",
            policy_case,
            _reply(ns, "Per policy...", citations=[other, doc]),
            True,
            "Extra citations are fine.",
        ),
        (
            "citations missing the expected document",
            policy_case,
            _reply(ns, f"Per {doc}...", citations=[other]),
            False,
            "The document must be cited in data['citations'].",
        ),
    ]
    rng.shuffle(scenarios)
    for what, case, reply, expected, hint in scenarios:
        got = passes(case, reply)
        if got is not expected and got != expected:
            raise CheckFailed(f"passes(case, reply) for {what}", expected=expected, got=got, hint=hint or None)


def _plan(rng: Any, n_cases: int) -> tuple[list[Any], list[str], list[str]]:
    ids = sorted({f"{rng.choice(['status', 'refund', 'policy'])}-{rng.randint(1, 99):02d}" for _ in range(n_cases)})
    versions = [str(v) for v in rng.sample(range(1, 9), rng.randint(1, 2))]
    models = rng.sample(["wf-chat-2026-01-15", "wf-chat-2026-06-01", "wf-mini-2026-01-15"], 2)
    return ids, versions, models


@exercise("5.2", points=3)
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
        return _reply(ns, "Order is delivered.", status="delivered" if what == "pass" else "")

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
    want = len(cases) * len(versions) * len(models)
    if len(table) != want or len(calls) != want:
        raise CheckFailed(
            f"run_suite should ask once per case x prompt version x model ({len(cases)} x {len(versions)} x "
            f"{len(models)})",
            expected={"rows": want, "calls": want},
            got={"rows": len(table), "calls": len(calls)},
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
        has_error = isinstance(row["error"], str) and bool(row["error"])
        if has_error != (what == "error") or (has_error and "TimeoutError" not in row["error"]):
            raise CheckFailed(
                f"the row for {key} should record the exception's type name in `error` only when the call raised",
                expected="TimeoutError" if what == "error" else None,
                got=row["error"],
            )


@exercise("5.2", points=1, hidden=True)
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


@exercise("5.3", points=3, title="The drift gate")
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
    # a pure drop, then the same drop inside a tolerance
    ids = list(before)
    ok = {c: True for c in ids}
    worse = dict(ok)
    for c in rng.sample(ids, 2):
        worse[c] = False
    import pandas as pd

    base2 = pd.DataFrame({"case": ids, "passed": [ok[c] for c in ids]})
    cand2 = pd.DataFrame({"case": ids[::-1], "passed": [worse[c] for c in ids[::-1]]})
    drop = 2 / len(ids)
    if _gate(ns, base2, cand2).deploy:
        raise CheckFailed(
            "a candidate that fails cases the baseline passes should be blocked", expected=False, got=True
        )
    loose = _gate(ns, base2, cand2, tolerance=drop + 0.01)
    if not loose.deploy:
        raise CheckFailed(
            f"a drop of {drop:.1%} is within a tolerance of {drop + 0.01:.1%}: deploy",
            expected=True,
            got=False,
            hint="tolerance is a share (0.05 = five percentage points) the pass rate may drop.",
        )
    if _gate(ns, base2, cand2, tolerance=drop - 0.01).deploy:
        raise CheckFailed(
            f"a drop of {drop:.1%} is beyond a tolerance of {drop - 0.01:.1%}: block", expected=False, got=True
        )


@exercise("5.3", points=2, hidden=True)
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


@exercise("5.4", points=2, title="Strict parsing and pinned requests")
def parse_tolerates_harmless_changes(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    rng = ns.rng
    fields = _answer_fields(rng)
    for what, content in _wrappings(rng, json.dumps(fields)):
        try:
            got = parse(content)
        except ValueError as exc:
            raise CheckFailed(
                f"parse_strict should accept {what}: the fields are all there and right",
                expected=fields,
                got=f"ValueError: {exc}",
                hint="Look for the JSON object inside the text.",
            ) from None
        if not isinstance(got, dict) or {k: got.get(k) for k in fields} != fields:
            raise CheckFailed(
                f"parse_strict should return the reply's fields as a dict for {what}", expected=fields, got=got
            )


@exercise("5.4", points=2)
def parse_rejects_harmful_changes(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    rng = ns.rng
    fields = _answer_fields(rng)
    renamed = dict(fields)
    renamed["order_status"] = renamed.pop("status")
    dropped_key = rng.choice(["status", "action", "citations", "refund_amount"])
    dropped = {k: v for k, v in fields.items() if k != dropped_key}
    bad: list[tuple[str, str]] = [
        ("`status` renamed to `order_status`", json.dumps(renamed)),
        (f"`{dropped_key}` missing", json.dumps(dropped)),
        ("`citations` as a string, not a list", json.dumps({**fields, "citations": "policy/returns"})),
        ("`refund_amount` as words", json.dumps({**fields, "refund_amount": "a lot"})),
        ("a status outside the allowed set", json.dumps({**fields, "status": "teleported"})),
        ("prose with no JSON object", "I'm sorry, I can't help with that."),
    ]
    rng.shuffle(bad)
    for what, text in bad:
        content = f"Sure! Here's the answer:\n\n```json\n{text}\n```" if text.startswith("{") else text
        try:
            got = parse(content)
        except ValueError:
            continue
        except Exception as exc:
            raise CheckFailed(
                f"parse_strict should raise ValueError for a reply with {what}",
                expected="ValueError",
                got=f"{type(exc).__name__}: {exc}",
                hint="Callers catch ValueError to take the safe path; other exceptions crash them.",
            ) from None
        raise CheckFailed(
            f"parse_strict should reject a reply with {what}, not return a guess",
            expected="ValueError",
            got=got,
            hint="A renamed field is a missing field plus an unknown one: the contract does not allow either.",
        )


@exercise("5.4", points=2)
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
    for name in [*rng.sample(sorted(catalog.aliases()), 2), "gpt-4o"]:
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


@exercise("5.4", points=1, hidden=True)
def parse_on_real_replies_of_both_snapshots(ns: Namespace) -> None:
    parse = ns.function("parse_strict")
    from weekfour import SYSTEM_PROMPT, sandbox
    from weekfour.labs.drift import DriftLab

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


# --- 5.5 -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prompt:
    id: str
    version: str
    template: str
    response_format: dict[str, Any] | None = None

    def render(self, **variables: Any) -> str:
        return self.template.format_map(variables)


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
    if ("support", str(prompt.version)) not in registry.prompts:
        raise CheckFailed(
            "register_v2 should register the new version in the registry it is given", got=registry.versions("support")
        )
    return prompt


def _suite_failures(prompt: Any, *, seed: int, n: int, snapshots: tuple[str, ...]) -> dict[str, list[str]]:
    from weekfour import sandbox
    from weekfour.labs.drift import DriftLab, golden_set
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


@exercise("5.5", points=4, title="Migrate, with proof")
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
    if not isinstance(spec, dict) or spec.get("strict") is not True or not isinstance(spec.get("name"), str):
        raise CheckFailed(
            "the suite passes today, but the contract is not enforced by the provider: use structured outputs "
            "(type json_schema, with a name and strict: True)",
            expected={"type": "json_schema", "strict": True},
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


@exercise("5.5", points=1, hidden=True)
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
