"""The provider's model catalog: snapshots, the aliases that point at them, and their prices.

An alias (``"wf-chat"``) is what most code sends; a snapshot id (``"wf-chat-2026-01-15"``) pins one model version.
The provider may move an alias to a new snapshot at any moment — that is how prompt drift reaches production::

    catalog = default_catalog()
    catalog.resolve("wf-chat").id                                   # 'wf-chat-2026-01-15'
    catalog.repoint("wf-chat", "wf-chat-2026-06-01", at=hours(24))  # from simulated second 86400 on...
    catalog.resolve("wf-chat", now=hours(25)).id                    # 'wf-chat-2026-06-01'

The model names are fictional on purpose: real model ids get retired, and a course that hard-codes them breaks.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping

from weekfour.types import ModelSpec

__all__ = ["DEFAULT_ALIASES", "DEFAULT_SPECS", "Catalog", "ModelNotFound", "default_catalog"]


class ModelNotFound(KeyError):
    """The name is neither a snapshot id nor an alias of the catalog."""

    def __init__(self, name: str, known: Iterable[str] = ()) -> None:
        self.name = name
        known_list = sorted(known)
        hint = f" Known models: {', '.join(known_list)}." if known_list else ""
        self.message = f"The model `{name}` does not exist or you do not have access to it.{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class Catalog:
    """Model snapshots by id, and aliases whose target may change over simulated time."""

    def __init__(self, specs: Iterable[ModelSpec], aliases: Mapping[str, str]) -> None:
        self._specs: dict[str, ModelSpec] = {}
        for spec in specs:
            if spec.id in self._specs:
                raise ValueError(f"snapshot {spec.id!r} is listed twice; give each ModelSpec a unique id")
            self._specs[spec.id] = spec
        # alias -> parallel sorted lists: times from which the alias points at the matching snapshot
        self._alias_times: dict[str, list[float]] = {}
        self._alias_targets: dict[str, list[str]] = {}
        for alias, snapshot in aliases.items():
            self._check_alias(alias, snapshot)
            self._alias_times[alias] = [float("-inf")]
            self._alias_targets[alias] = [snapshot]

    def _check_alias(self, alias: str, snapshot: str) -> None:
        if alias in self._specs:
            raise ValueError(f"{alias!r} is a snapshot id; an alias needs a name of its own")
        if snapshot not in self._specs:
            raise ModelNotFound(snapshot, self._specs)

    def __repr__(self) -> str:
        return f"Catalog(snapshots={list(self._specs)}, aliases={self.aliases()})"

    def __contains__(self, name: object) -> bool:
        return name in self._specs or name in self._alias_times

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def snapshots(self) -> list[str]:
        """Every snapshot id, in catalog order."""
        return list(self._specs)

    def aliases(self, now: float = 0.0) -> dict[str, str]:
        """Each alias and the snapshot it points at at simulated second ``now``."""
        pairs = ((alias, self._target(alias, now)) for alias in self._alias_times)
        return {alias: target for alias, target in pairs if target is not None}

    def add(self, spec: ModelSpec) -> None:
        """Add a snapshot (a new model version the provider just released)."""
        if spec.id in self._specs or spec.id in self._alias_times:
            raise ValueError(f"{spec.id!r} is already in the catalog; pick a new snapshot id")
        self._specs[spec.id] = spec

    def _target(self, alias: str, now: float) -> str | None:
        i = bisect.bisect_right(self._alias_times[alias], now) - 1
        return self._alias_targets[alias][i] if i >= 0 else None  # None: a new alias, not yet in service

    def resolve(self, name: str, now: float = 0.0) -> ModelSpec:
        """The snapshot ``name`` means at simulated second ``now`` (an alias follows its repoints)."""
        spec = self._specs.get(name)
        if spec is not None:
            return spec
        if name in self._alias_times:
            target = self._target(name, now)
            if target is not None:
                return self._specs[target]
        raise ModelNotFound(name, [*self._specs, *self._alias_times])

    def repoint(self, alias: str, snapshot: str, *, at: float) -> None:
        """From simulated second ``at`` on, ``alias`` means ``snapshot`` (the provider updated the model)."""
        self._check_alias(alias, snapshot)
        times = self._alias_times.setdefault(alias, [])
        targets = self._alias_targets.setdefault(alias, [])
        i = bisect.bisect_right(times, at)
        if i > 0 and times[i - 1] == at:
            targets[i - 1] = snapshot
            return
        times.insert(i, float(at))
        targets.insert(i, snapshot)

    def price(self, model: str, prompt_tokens: int, completion_tokens: int, now: float = 0.0) -> float:
        """What a call costs in USD."""
        spec = self.resolve(model, now)
        return (prompt_tokens * spec.usd_per_1m_input + completion_tokens * spec.usd_per_1m_output) / 1_000_000

    def copy(self) -> Catalog:
        """An independent copy (repoints of one do not move the other)."""
        new = Catalog(self._specs.values(), {})
        new._alias_times = {a: list(t) for a, t in self._alias_times.items()}
        new._alias_targets = {a: list(t) for a, t in self._alias_targets.items()}
        return new


DEFAULT_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec("wf-chat-2026-01-15", 32_768, 4_096, 2.50, 10.00, style="v1"),
    ModelSpec("wf-chat-2026-06-01", 32_768, 4_096, 2.50, 10.00, style="v2", rejects_max_tokens=True),
    ModelSpec("wf-mini-2026-01-15", 16_384, 2_048, 0.15, 0.60, style="v1"),
    ModelSpec("backup-chat-1", 32_768, 4_096, 3.00, 12.00, style="v1"),  # served by a second provider
)
DEFAULT_ALIASES: Mapping[str, str] = {
    "wf-chat": "wf-chat-2026-01-15",
    "wf-mini": "wf-mini-2026-01-15",
    "backup-chat": "backup-chat-1",
}


def default_catalog() -> Catalog:
    """The course's catalog, a fresh copy each call."""
    return Catalog(DEFAULT_SPECS, DEFAULT_ALIASES)
