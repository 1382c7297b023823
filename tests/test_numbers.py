"""One style for p-values, intervals and estimates on every page."""

from __future__ import annotations

import math

import pytest

from carejourneys.render import numbers as nb


@pytest.mark.parametrize(("p", "text"), [
    (0.0, "< 0.001"), (0.0004, "< 0.001"), (0.001, "0.001"), (0.0123, "0.012"), (0.09375, "0.094"),
    (1.0, "1.000"), (float("nan"), "not defined"), (None, "not defined"),
])
def test_format_p(p, text):
    assert nb.format_p(p) == text


def test_format_p_withheld_and_bad():
    assert nb.format_p(0.2, withheld=True) == ""
    with pytest.raises(ValueError):
        nb.format_p(1.5)


def test_format_interval():
    assert nb.format_interval(-0.9, 3.234) == "-0.90 to 3.23"
    assert nb.format_interval(1.0, 1.0) == "not defined"  # zero width is not an interval
    assert nb.format_interval(math.nan, 2.0) == "not defined"
    assert nb.format_interval(1, 2, withheld=True) == ""
    assert nb.format_interval(-0.001, 0.5) == "0.00 to 0.50"  # no "-0.00"


def test_format_estimate():
    assert nb.format_estimate(1.17, -0.9, 3.23) == "+1.17 (-0.90 to 3.23)"
    assert nb.format_estimate(-1.0, -2.0, 0.0) == "-1.00 (-2.00 to 0.00)"
    assert nb.format_estimate(1.0, math.nan, math.nan) == "+1.00 (interval not defined)"
    assert nb.format_estimate(math.nan, 1, 2) == "not defined"
    assert nb.format_estimate(1.0, 0, 2, withheld=True) == ""
    assert nb.format_number(2.5, 1) == "2.5" and nb.format_number(2.5, 1, signed=True) == "+2.5"
