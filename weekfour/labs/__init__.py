"""Lab modules: per-notebook harnesses, tables, plots and widgets (never an exercise's solution)."""

from __future__ import annotations

__all__: list[str] = []
