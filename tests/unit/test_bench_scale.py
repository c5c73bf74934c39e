"""tests/benchmarks/bench_scale.py: how the plan extrapolates the measured sizes."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_scale import exponent, extrapolated_rss, extrapolated_seconds

SIZES = [60_000, 300_000, 1_200_000]


def test_a_power_law_is_found_and_extended():
    secs = [2e-9 * n**1.5 for n in SIZES]
    assert exponent(SIZES, secs) == pytest.approx(1.5)
    assert extrapolated_seconds(SIZES, secs, 10_000_000) == pytest.approx(2e-9 * 1e7**1.5)


def test_a_fixed_cost_does_not_make_a_linear_rule_look_sublinear_at_the_target():
    # 10 s of imports plus 40 us an image: the power law's k is about 0.6 on these sizes
    # and would give 200 s at 10M; the straight line gives the true 410 s.
    secs = [10 + 4e-5 * n for n in SIZES]
    assert exponent(SIZES, secs) < 0.8
    assert extrapolated_seconds(SIZES, secs, 10_000_000) == pytest.approx(410)


def test_memory_follows_a_line_and_never_falls_below_what_was_measured():
    assert extrapolated_rss(SIZES, [300 + 1e-3 * n for n in SIZES], 1e7) == pytest.approx(10_300)
    assert extrapolated_rss(SIZES, [120.0, 115.0, 100.0], 1e7) == 120.0
    assert extrapolated_rss(SIZES, [np.nan, np.nan, 80.0], 1e7) == 80.0
