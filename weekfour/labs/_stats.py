"""The one quantile the labs' tables and scorecards use (p50, p95, p99 of seconds).

``quantile(values, 0.95)`` interpolates linearly between the two nearest ranks (pandas' and numpy's default, the
method exercise 3.1 asks for) and leaves missing values (NaN) out. With no values it is NaN: no data is not zero
seconds, so a caller that shows an empty run says what it reads as there (``0.0`` on a scorecard, ``None`` in a
summary).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["quantile"]


def quantile(values: Iterable[float], q: float) -> float:
    """The ``q`` quantile (0 ≤ q ≤ 1) of ``values``, NaN when there are none."""
    import pandas as pd

    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q is a fraction from 0 to 1 (0.95 for p95), not {q!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=float)
    return float(series.astype(float).quantile(q))
