"""The labs' one quantile: linear between ranks, missing values left out, NaN for no values, q a fraction."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from weekfour.labs._stats import quantile


def test_quantile_interpolates_between_the_two_nearest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # any order
    assert quantile(values, 0.0) == 1.0 and quantile(values, 1.0) == 4.0
    assert quantile(values, 0.5) == pytest.approx(2.5)
    assert quantile(values, 0.95) == pytest.approx(3.85)  # rank 2.85: 3 + 0.85 * (4 - 3)
    assert quantile([7.0], 0.95) == 7.0


def test_quantile_leaves_missing_values_out_and_reads_a_series_as_a_list() -> None:
    assert quantile([1.0, math.nan, 3.0], 0.5) == pytest.approx(2.0)
    assert quantile(pd.Series([1, 2, 3, 4]), 0.5) == quantile([1, 2, 3, 4], 0.5) == pytest.approx(2.5)


def test_no_values_is_nan_not_zero_seconds() -> None:
    assert math.isnan(quantile([], 0.95)) and math.isnan(quantile([math.nan], 0.5))


@pytest.mark.parametrize("q", [-0.01, 1.01, 95])
def test_q_is_a_fraction(q: float) -> None:
    with pytest.raises(ValueError, match="fraction from 0 to 1"):
        quantile([1.0, 2.0], q)
