"""Every rule an exercise states has a public check that names it and a wrong-answer fixture that breaks it.

A rule is a sentence of the exercise's text a learner can get wrong on its own: a numbered step, a "never", "once",
"before" or "at most", a named error, field or status. Each check module lists its notebook's rules in ``RULES``
(``{"N.M/what-it-says": "the rule in words"}``) and each check names the rules it holds the learner to
(``@exercise(..., rules=[...])``). Public checks carry every rule (a green ``check()`` means every rule was met);
hidden checks only add unseen inputs. A fixture names the rules it breaks in its third header line (``# rule: ...``),
and ``assert_rejected_for_its_mistake`` requires a public check naming one of them to reject it.
"""

from __future__ import annotations

import pytest

from grader._registry import CheckRegistry

from ._harness import NOTEBOOKS, notebook, wrong_answers

REGISTRY = CheckRegistry(use_env=False)
EXERCISES = [(n, ex) for n in NOTEBOOKS for ex in notebook(n).exercises()]
WRONG_ANSWERS = wrong_answers()


def _rules_of(number: int, exercise: str) -> dict[str, str]:
    return {k: v for k, v in REGISTRY.rules(number).items() if k.startswith(f"{exercise}/")}


@pytest.mark.parametrize(("number", "exercise"), EXERCISES, ids=lambda v: f"nb{v:02d}" if isinstance(v, int) else v)
def test_every_stated_rule_has_a_public_check_and_a_fixture(number: int, exercise: str) -> None:
    module = f"grader/checks/nb{number:02d}.py"
    rules = _rules_of(number, exercise)
    assert rules, f"{module} states no rule of exercise {exercise}: list them in its RULES table"
    assert all(text.strip() for text in rules.values()), f"{module}: a rule of {exercise} has no words"
    info = notebook(number).exercises()[exercise]
    unknown = {r for spec in info.checks for r in spec.rules} - set(rules)
    assert not unknown, f"{module}: checks of {exercise} name rules its RULES table lacks: {sorted(unknown)}"
    silent = [spec.name for spec in info.checks if not spec.hidden and not spec.rules]
    assert not silent, f"{module}: public checks of {exercise} that name no rule: {silent}"
    public = {r for spec in info.checks if not spec.hidden for r in spec.rules}
    assert set(rules) <= public, f"rules of {exercise} no public check holds: {sorted(set(rules) - public)}"
    fixtures = [w for w in WRONG_ANSWERS if w.exercise == exercise]
    broken = {r for w in fixtures for r in w.rules}
    stray = broken - set(rules)
    assert not stray, f"fixtures of {exercise} name rules {module} does not state: {sorted(stray)}"
    assert set(rules) <= broken, (
        f"rules of {exercise} no wrong-answer fixture breaks: {sorted(set(rules) - broken)}; add one under "
        f"tests/notebooks/wrong/nb{number:02d}/ with '# rule: ...' as its third line"
    )
