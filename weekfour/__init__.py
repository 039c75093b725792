"""Week Four course kit: the world the learner works in."""

from __future__ import annotations

__all__: list[str] = []
