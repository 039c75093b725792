"""weekfour.catalog: snapshots, aliases that move over simulated time, prices."""

from __future__ import annotations

import pytest

from weekfour.catalog import Catalog, ModelNotFound, default_catalog
from weekfour.types import ModelSpec


def test_default_models_and_aliases() -> None:
    cat = default_catalog()
    assert cat.snapshots() == ["wf-chat-2026-01-15", "wf-chat-2026-06-01", "wf-mini-2026-01-15", "backup-chat-1"]
    assert cat.aliases() == {
        "wf-chat": "wf-chat-2026-01-15",
        "wf-mini": "wf-mini-2026-01-15",
        "backup-chat": "backup-chat-1",
    }
    new = cat.resolve("wf-chat-2026-06-01")
    assert (new.context_window, new.max_output_tokens, new.style, new.rejects_max_tokens) == (32_768, 4_096, "v2", True)
    mini = cat.resolve("wf-mini")
    assert (mini.context_window, mini.max_output_tokens, mini.usd_per_1m_input, mini.usd_per_1m_output) == (
        16_384,
        2_048,
        0.15,
        0.60,
    )


def test_resolve_alias_and_snapshot() -> None:
    cat = default_catalog()
    assert cat.resolve("wf-chat").id == "wf-chat-2026-01-15"
    assert cat.resolve("wf-chat-2026-01-15") is cat.resolve("wf-chat")
    assert "wf-chat" in cat and "gpt-4" not in cat


def test_unknown_model_is_a_keyerror_with_a_useful_message() -> None:
    with pytest.raises(ModelNotFound) as info:
        default_catalog().resolve("gpt-4o")
    assert isinstance(info.value, KeyError)
    assert "gpt-4o" in str(info.value) and "wf-chat" in str(info.value)


def test_repoint_takes_effect_from_its_moment() -> None:
    cat = default_catalog()
    cat.repoint("wf-chat", "wf-chat-2026-06-01", at=1000.0)
    assert cat.resolve("wf-chat", now=999.9).id == "wf-chat-2026-01-15"
    assert cat.resolve("wf-chat", now=1000.0).id == "wf-chat-2026-06-01"
    assert cat.resolve("wf-chat-2026-01-15", now=5000).id == "wf-chat-2026-01-15"  # a pinned snapshot never moves
    cat.repoint("wf-chat", "wf-chat-2026-01-15", at=2000.0)  # rolled back
    assert cat.resolve("wf-chat", now=2500).id == "wf-chat-2026-01-15"
    assert cat.aliases(now=1500)["wf-chat"] == "wf-chat-2026-06-01"


def test_repoint_to_an_unknown_snapshot_fails() -> None:
    with pytest.raises(ModelNotFound):
        default_catalog().repoint("wf-chat", "wf-chat-2099-01-01", at=0)


def test_a_new_alias_is_unknown_before_it_exists() -> None:
    cat = default_catalog()
    cat.repoint("wf-next", "wf-chat-2026-06-01", at=100)
    with pytest.raises(ModelNotFound):
        cat.resolve("wf-next", now=50)
    assert cat.resolve("wf-next", now=100).id == "wf-chat-2026-06-01"


def test_default_catalog_is_a_fresh_copy_each_time() -> None:
    a, b = default_catalog(), default_catalog()
    a.repoint("wf-chat", "wf-chat-2026-06-01", at=0)
    assert b.resolve("wf-chat").id == "wf-chat-2026-01-15"
    c = a.copy()
    c.repoint("wf-chat", "wf-chat-2026-01-15", at=0)
    assert a.resolve("wf-chat").id == "wf-chat-2026-06-01"


def test_price_per_million_tokens() -> None:
    cat = default_catalog()
    assert cat.price("wf-chat", 1_000_000, 0) == pytest.approx(2.50)
    assert cat.price("wf-chat", 0, 1_000_000) == pytest.approx(10.00)
    assert cat.price("wf-mini", 2_000, 500) == pytest.approx((2_000 * 0.15 + 500 * 0.60) / 1e6)
    assert cat.price("backup-chat", 1000, 1000) == pytest.approx((3.00 + 12.00) / 1000)


def test_price_follows_the_alias_over_time() -> None:
    specs = [ModelSpec("cheap", 1000, 100, 1.0, 1.0), ModelSpec("dear", 1000, 100, 10.0, 10.0)]
    cat = Catalog(specs, {"m": "cheap"})
    cat.repoint("m", "dear", at=60)
    assert cat.price("m", 1_000_000, 0, now=0) == pytest.approx(1.0)
    assert cat.price("m", 1_000_000, 0, now=60) == pytest.approx(10.0)


def test_catalog_rejects_inconsistent_definitions() -> None:
    spec = ModelSpec("a", 1000, 100, 1.0, 1.0)
    with pytest.raises(ValueError, match="twice"):
        Catalog([spec, spec], {})
    with pytest.raises(ModelNotFound):
        Catalog([spec], {"alias": "missing"})
    with pytest.raises(ValueError, match="snapshot id"):
        Catalog([spec], {"a": "a"})
    cat = Catalog([spec], {})
    cat.add(ModelSpec("b", 1000, 100, 1.0, 1.0))
    assert cat.resolve("b").id == "b"
    with pytest.raises(ValueError, match="already"):
        cat.add(spec)


@pytest.mark.parametrize("module", ["weekfour.clock", "weekfour.tokens", "weekfour.catalog", "weekfour.provider"])
def test_kit_modules_export_what_they_define(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    assert mod.__all__ and all(hasattr(mod, name) for name in mod.__all__)
    assert mod.__doc__ and len(mod.__doc__.splitlines()) > 2
