"""How statistics are written on every page: one style for p-values, intervals and estimates.

* p-values: ``"< 0.001"`` below 0.001, otherwise three decimals (``"0.012"``, ``"1.000"`` only when the
  test really gives 1); a p-value that does not exist is ``"not defined"`` (e.g. a signed-rank test
  with no non-zero differences), never ``"1.000"``.
* intervals: ``"-0.90 to 3.23"``; an interval that does not exist (every change the same, too few
  values) is ``"not defined"``, never a zero-width interval.
* withheld statistics (disclosure) are blank: callers pass ``withheld=True``.

``NOT_DEFINED`` is the one word used for all of these; a reason (``"every change is the same"``) may
be given in a note beside it.
"""

from __future__ import annotations

import math

NOT_DEFINED = "not defined"


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def format_p(p, *, withheld: bool = False) -> str:
    """A p-value as text: ``"< 0.001"``, ``"0.012"``; ``"not defined"`` when it is missing."""
    if withheld:
        return ""
    if _missing(p):
        return NOT_DEFINED
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a p-value lies in [0, 1], got {p}")
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_number(x, digits: int = 2, *, signed: bool = False, withheld: bool = False) -> str:
    """A number with ``digits`` decimals (``signed``: always with its sign, ``+1.20``); blank when
    withheld, ``"not defined"`` when missing. ``-0.00`` is written ``0.00``."""
    if withheld:
        return ""
    if _missing(x):
        return NOT_DEFINED
    x = float(x)
    if round(x, digits) == 0:
        x = 0.0
    return f"{x:+.{digits}f}" if signed and x != 0 else f"{x:.{digits}f}"


def format_interval(low, high, digits: int = 2, *, withheld: bool = False) -> str:
    """An interval as ``"low to high"``; ``"not defined"`` when either end is missing or the interval
    has no width (a zero-width "interval" is not one)."""
    if withheld:
        return ""
    if _missing(low) or _missing(high) or float(low) == float(high):
        return NOT_DEFINED
    return f"{format_number(low, digits)} to {format_number(high, digits)}"


def format_estimate(estimate, low, high, digits: int = 2, *, signed: bool = True,
                    withheld: bool = False) -> str:
    """An estimate with its interval: ``"+1.17 (-0.90 to 3.23)"``, or ``"+0.00 (interval not
    defined)"`` when the interval does not exist; blank when withheld, ``"not defined"`` when the
    estimate itself is missing."""
    if withheld:
        return ""
    if _missing(estimate):
        return NOT_DEFINED
    est = format_number(estimate, digits, signed=signed)
    ci = format_interval(low, high, digits)
    return f"{est} (interval {ci})" if ci == NOT_DEFINED else f"{est} ({ci})"
