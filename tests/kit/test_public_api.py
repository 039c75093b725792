"""weekfour's public surface: exactly the curated names, each importable, each module's __all__ honest."""

from __future__ import annotations

import importlib

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
    "MockProvider", "RequestLog", "ApiError", "BASE_URL",
    # the shared vocabulary
    "ChatModel", "ChatRequest", "ModelTurn", "ModelSpec", "Span", "ToolCall", "TurnContext", "FaultWindow",
    "LatencyProfile",
}  # fmt: skip

MODULES = ["agent", "model", "sandbox", "scenarios", "traffic", "world"]


def test_all_is_exactly_the_curated_names() -> None:
    assert set(weekfour.__all__) == CURATED
    assert len(weekfour.__all__) == len(CURATED), "a name is listed twice in weekfour.__all__"
    assert weekfour.__all__ == sorted(weekfour.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))


@pytest.mark.parametrize("name", sorted(CURATED))
def test_each_public_name_is_importable(name: str) -> None:
    exec(f"from weekfour import {name}", {})
    assert getattr(weekfour, name) is not None


def test_sandbox_the_function_is_what_the_package_exports() -> None:
    assert callable(weekfour.sandbox) and weekfour.scenarios.hallucination is not None
    assert isinstance(weekfour.sandbox(), weekfour.Sandbox)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_exports_what_it_defines(module: str) -> None:
    mod = importlib.import_module(f"weekfour.{module}")
    assert mod.__all__ and all(hasattr(mod, n) for n in mod.__all__)
    assert mod.__doc__ and len(mod.__doc__.splitlines()) > 2
