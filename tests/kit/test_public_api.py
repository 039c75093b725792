"""weekfour's public surface: exactly the curated names, each importable, each module's __all__ honest."""

from __future__ import annotations

import importlib
import inspect

import pytest

import weekfour

CURATED = {
    # the one-line set-up and the knobs
    "sandbox", "Sandbox", "scenarios", "Scenario", "BACKUP_BASE_URL",
    # the shop and what acts on answers
    "World", "Order", "Backoffice", "Action", "TOOLS",
    # the model and the agent
    "ScriptedModel", "SupportAgent", "AsyncSupportAgent", "Reply", "SYSTEM_PROMPT",
    # traffic with ground truth
    "Question", "questions", "grade", "arrivals",
    # time, tokens, catalog, provider
    "SimClock", "seconds", "minutes", "hours", "days",
    "count_tokens", "count_message_tokens", "split_tokens", "truncate_tokens",
    "Catalog", "ModelNotFound", "default_catalog",
    "MockProvider", "RequestLog", "LogEntry", "ApiError", "BASE_URL", "long_paste",
    # what a page load serves (notebooks 04 and 06)
    "Served", "CircuitOpen",
    # the shared vocabulary
    "ChatModel", "ChatRequest", "ModelTurn", "ModelSpec", "Span", "ToolCall", "TurnContext", "FaultWindow",
    "LatencyProfile",
}  # fmt: skip

# Every module of the kit a notebook imports from (the labs each have their own tests of what they do).
MODULES = [
    "agent", "catalog", "clock", "model", "provider", "sandbox", "scenarios", "serving", "tokens", "traffic", "types",
    "world",
    "labs.week_four", "labs.prompt_drift", "labs.fallbacks", "labs.hallucination", "labs.latency", "labs.runaway_spend",
]  # fmt: skip


def test_all_is_exactly_the_curated_names() -> None:
    assert set(weekfour.__all__) == CURATED
    assert len(weekfour.__all__) == len(CURATED), "a name is listed twice in weekfour.__all__"
    assert weekfour.__all__ == sorted(weekfour.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))


@pytest.mark.parametrize("name", sorted(CURATED - {"scenarios"}))
def test_each_public_name_is_the_one_its_module_defines(name: str) -> None:
    """``from weekfour import X`` is the very object ``from weekfour.<module> import X`` gives, never a copy."""
    namespace: dict[str, object] = {}
    exec(f"from weekfour import {name}", namespace)
    homes = [m for m in MODULES if name in getattr(importlib.import_module(f"weekfour.{m}"), "__all__", ())]
    assert homes, f"{name} is exported by weekfour but by none of its modules"
    home = importlib.import_module(f"weekfour.{homes[0]}")
    assert namespace[name] is getattr(home, name)
    defined_in = getattr(namespace[name], "__module__", None)
    if defined_in is not None and not isinstance(namespace[name], str | int | float | tuple | dict):
        assert defined_in.startswith(f"weekfour.{homes[0]}"), f"{name} lives in {defined_in}, not {home.__name__}"


def test_sandbox_builds_the_world_of_the_scenarios_it_is_given() -> None:
    happy = weekfour.sandbox()
    lying = weekfour.sandbox(weekfour.scenarios.hallucination(rate=0.4), seed=3)
    assert isinstance(happy, weekfour.Sandbox) and isinstance(lying, weekfour.Sandbox)
    assert happy.model.hallucination_rate == 0.0 and lying.model.hallucination_rate == 0.4
    assert (happy.seed, lying.seed) == (0, 3)
    assert lying.provider.clock is lying.clock and lying.world is not happy.world
    with pytest.raises(TypeError, match="Scenario objects"):
        weekfour.sandbox("hallucination")


@pytest.mark.parametrize("module", MODULES)
def test_each_module_exports_exactly_what_it_defines(module: str) -> None:
    """``__all__`` lists names the module has, and every public class or function it defines: nothing a notebook
    would use is left out, and nothing it passes on comes from outside the kit."""
    mod = importlib.import_module(f"weekfour.{module}")
    assert mod.__doc__ and len(mod.__doc__.splitlines()) > 2, f"weekfour.{module} explains itself in its docstring"
    exported = set(mod.__all__)
    assert exported and all(hasattr(mod, n) for n in exported)
    for name in exported:
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            where = obj.__module__
            assert where.startswith("weekfour."), f"weekfour.{module} passes on {name}, a name of {where}"
    defined_here = {
        n
        for n, obj in vars(mod).items()
        if not n.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == mod.__name__
    }
    assert defined_here <= exported, f"weekfour.{module} defines but does not export {sorted(defined_here - exported)}"


def test_served_and_circuit_open_are_one_class_whichever_lab_a_notebook_imports_them_from() -> None:
    import weekfour
    from weekfour import serving
    from weekfour.labs import fallbacks, week_four

    assert weekfour.Served is fallbacks.Served is week_four.Served is serving.Served
    assert weekfour.CircuitOpen is fallbacks.CircuitOpen is week_four.CircuitOpen is serving.CircuitOpen
    page = fallbacks.Served("Your order shipped.", "backup")
    assert isinstance(page, week_four.Served) and (page.status, page.reply) == (200, None)
    assert repr(page) == "Served(rung='backup', status=200, answer='Your order shipped.', reply=None)"
