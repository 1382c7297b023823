"""Scoring of the questionnaire instruments used with young people.

Instruments (item columns as named in :mod:`carejourneys.inputs.schemas`):

* **SWEMWBS** (Short Warwick-Edinburgh Mental Wellbeing Scale): 7 items ``swemwbs_1..7``
  scored 1-5. The raw score (7-35) is converted to the *metric* score with the developers'
  Rasch conversion table (:data:`SWEMWBS_METRIC`). Higher is better. Wherever a SWEMWBS score
  is shown, :data:`SWEMWBS_NOTICE` must be shown with it.
* **UCLA 3-item loneliness scale**: ``ucla_1..3`` scored 1-3; total 3-9. Higher is lonelier.
* **ONS4** personal wellbeing: ``ons_1`` life satisfaction, ``ons_2`` worthwhile, ``ons_3``
  happiness, ``ons_4`` anxiety, each 0-10. The ONS thresholds flag *low* life satisfaction,
  worthwhile and happiness (0-4) and *high* anxiety (6-10).

Missing and out-of-range items
------------------------------
An out-of-range or non-integer item is always a :class:`~carejourneys.errors.DataError`
naming the row (spreadsheet style: the frame's first record is row ``first_row``, 2 by
default, as loaders keep file order) and the column.

A missing item is never scored silently. ``missing`` chooses the rule:

* ``"skip"`` (default): the scale score is left empty (``<NA>``) for that response and the
  ``<scale>_items_missing`` column says why; summaries report how many were not scored.
* ``"error"``: a missing item raises ``DataError``.
* ``"prorate"``: a response missing at most ``max_missing`` items is scored from the mean of
  the answered items times the number of items, rounded half up to a whole raw score, and
  flagged in ``<scale>_prorated``; with more items missing the score is left empty. This is a
  project rule offered for sensitivity analysis, not a rule published by the scales' developers.
  ONS4 items are single-item measures and are never prorated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs.schemas import ONS_ITEMS, SWEMWBS_ITEMS, UCLA_ITEMS

Missing = Literal["skip", "error", "prorate"]

#: SWEMWBS raw score (7-35) -> metric score, the developers' Rasch conversion table
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}

#: decimals of the metric scores in :data:`SWEMWBS_METRIC` (the precision of the scale)
SWEMWBS_METRIC_DECIMALS = 2

#: the copyright notice that must accompany any SWEMWBS score shown
SWEMWBS_NOTICE = (
    "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of "
    "Warwick and University of Edinburgh, 2008, all rights reserved."
)

#: the developers' advice on sample size for measuring change with SWEMWBS
SWEMWBS_SAMPLE_ADVICE = (
    "The SWEMWBS developers advise measuring at least 30 people twice before drawing conclusions "
    "about change; smaller samples are descriptive only."
)

ONS_LABELS = {
    "ons_1": "life_satisfaction",
    "ons_2": "worthwhile",
    "ons_3": "happiness",
    "ons_4": "anxiety",
}
#: ONS thresholds: low life satisfaction / worthwhile / happiness is 0-4; high anxiety is 6-10
ONS_LOW_MAX = 4
ONS_HIGH_ANXIETY_MIN = 6


def swemwbs_metric(raw: int | float) -> float:
    """The SWEMWBS metric score for a whole raw score 7-35 (``ValueError`` otherwise)."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        raise ValueError("a missing SWEMWBS raw score has no metric score")
    if float(raw) != int(raw) or int(raw) not in SWEMWBS_METRIC:
        raise ValueError(f"SWEMWBS raw score must be a whole number 7-35, got {raw!r}")
    return SWEMWBS_METRIC[int(raw)]


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _check_items(
    frame: pd.DataFrame,
    items: Sequence[str],
    lo: int,
    hi: int,
    *,
    path: str | None,
    first_row: int,
    missing: Missing,
) -> pd.DataFrame:
    """Item values as a float frame (NaN for missing), after checking range and whole numbers."""
    problems: list[DataProblem] = []
    absent = [c for c in items if c not in frame.columns]
    if absent:
        raise DataError(f"missing item column(s) {', '.join(absent)}", path=path, row=1, column=absent[0])
    values = pd.DataFrame(index=frame.index)
    for col in items:
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        was_blank = raw.isna().to_numpy()
        for pos, (v, blank) in enumerate(zip(num.to_numpy(), was_blank, strict=True)):
            row = first_row + pos
            if blank:
                if missing == "error":
                    problems.append(DataProblem(path, row, col,
                                                f"missing item; expected a whole number {lo}-{hi}"))
                continue
            if np.isnan(v) or v != np.floor(v) or not lo <= v <= hi:
                problems.append(DataProblem(path, row, col,
                                            f"expected a whole number {lo}-{hi}, got {raw.iloc[pos]!r}"))
        values[col] = num
    if problems:
        raise DataError.from_problems(problems)
    return values


def _sum_scale(
    values: pd.DataFrame, *, missing: Missing, max_missing: int
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Raw totals (Int64, <NA> when not scored), items missing per row, prorated flags."""
    k = values.shape[1]
    n_missing = values.isna().sum(axis=1).astype("Int64")
    complete = n_missing == 0
    total = values.sum(axis=1, min_count=k)
    prorated = pd.Series(False, index=values.index)
    if missing == "prorate":
        can = (~complete) & (n_missing <= max_missing)
        means = values.mean(axis=1, skipna=True)
        for idx in values.index[can.to_numpy()]:
            total.loc[idx] = _round_half_up(means.loc[idx] * k)
            prorated.loc[idx] = True
    raw = total.round().astype("Int64")
    return raw, n_missing, prorated


def score_swemwbs(
    frame: pd.DataFrame,
    *,
    missing: Missing = "skip",
    max_missing: int = 1,
    path: str | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """SWEMWBS per response: ``swemwbs_raw`` (7-35), ``swemwbs_metric`` (Rasch metric score),
    ``swemwbs_items_missing`` and ``swemwbs_prorated`` (see the module notes on missing items).

    Show :data:`SWEMWBS_NOTICE` wherever these scores are shown.
    """
    values = _check_items(frame, SWEMWBS_ITEMS, 1, 5, path=path, first_row=first_row, missing=missing)
    raw, n_missing, prorated = _sum_scale(values, missing=missing, max_missing=max_missing)
    metric = raw.map(lambda r: SWEMWBS_METRIC[int(r)] if pd.notna(r) else np.nan).astype("Float64")
    return pd.DataFrame({
        "swemwbs_raw": raw,
        "swemwbs_metric": metric,
        "swemwbs_items_missing": n_missing,
        "swemwbs_prorated": prorated,
    }, index=frame.index)


def score_ucla3(
    frame: pd.DataFrame,
    *,
    missing: Missing = "skip",
    max_missing: int = 1,
    path: str | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """UCLA 3-item loneliness per response: ``ucla_total`` (3-9, higher is lonelier),
    ``ucla_items_missing`` and ``ucla_prorated``."""
    values = _check_items(frame, UCLA_ITEMS, 1, 3, path=path, first_row=first_row, missing=missing)
    raw, n_missing, prorated = _sum_scale(values, missing=missing, max_missing=max_missing)
    return pd.DataFrame({
        "ucla_total": raw,
        "ucla_items_missing": n_missing,
        "ucla_prorated": prorated,
    }, index=frame.index)


def score_ons4(
    frame: pd.DataFrame,
    *,
    missing: Literal["skip", "error"] = "skip",
    path: str | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """ONS4 per response: the four scores (0-10) under readable names and the ONS threshold flags
    ``low_life_satisfaction``, ``low_worthwhile``, ``low_happiness`` (0-4) and ``high_anxiety``
    (6-10); flags are ``<NA>`` when the item is missing. Single items are never prorated."""
    if missing not in ("skip", "error"):
        raise ValueError("ONS4 items are single-item measures: missing must be 'skip' or 'error'")
    values = _check_items(frame, ONS_ITEMS, 0, 10, path=path, first_row=first_row, missing=missing)
    out = pd.DataFrame(index=frame.index)
    for item, label in ONS_LABELS.items():
        out[f"ons_{label}"] = values[item].round().astype("Int64")
    for label in ("life_satisfaction", "worthwhile", "happiness"):
        s = out[f"ons_{label}"]
        out[f"low_{label}"] = (s <= ONS_LOW_MAX).astype("boolean")
    out["high_anxiety"] = (out["ons_anxiety"] >= ONS_HIGH_ANXIETY_MIN).astype("boolean")
    return out


def score_prepost(
    frame: pd.DataFrame,
    *,
    missing: Missing = "skip",
    max_missing: int = 1,
    path: str | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """Every instrument of the pre/post questionnaire scored, beside the identifying columns
    (``respondent_id``, ``site``, ``activity``, ``timepoint`` where present)."""
    ons_missing: Literal["skip", "error"] = "error" if missing == "error" else "skip"
    keep = [c for c in ("respondent_id", "site", "activity", "timepoint", "completed_on") if c in frame]
    parts = [
        frame[keep],
        score_swemwbs(frame, missing=missing, max_missing=max_missing, path=path, first_row=first_row),
        score_ucla3(frame, missing=missing, max_missing=max_missing, path=path, first_row=first_row),
        score_ons4(frame, missing=ons_missing, path=path, first_row=first_row),
    ]
    return pd.concat(parts, axis=1)


#: scored outcome measures of the pre/post questionnaire: column, label, direction, outcome domain
SCALES: dict[str, dict] = {
    "swemwbs_metric": {"label": "SWEMWBS (metric score, 7-35)", "higher_is_better": True,
                       "domain": "wellbeing", "range": (7.0, 35.0), "decimals": SWEMWBS_METRIC_DECIMALS},
    "ucla_total": {"label": "UCLA loneliness (3-9, lower is better)", "higher_is_better": False,
                   "domain": "social_connections", "range": (3.0, 9.0), "decimals": 0},
    "ons_life_satisfaction": {"label": "ONS life satisfaction (0-10)", "higher_is_better": True,
                              "domain": "wellbeing", "range": (0.0, 10.0), "decimals": 0},
    "ons_worthwhile": {"label": "ONS worthwhile (0-10)", "higher_is_better": True,
                       "domain": "wellbeing", "range": (0.0, 10.0), "decimals": 0},
    "ons_happiness": {"label": "ONS happiness (0-10)", "higher_is_better": True,
                      "domain": "wellbeing", "range": (0.0, 10.0), "decimals": 0},
    "ons_anxiety": {"label": "ONS anxiety (0-10, lower is better)", "higher_is_better": False,
                    "domain": "wellbeing", "range": (0.0, 10.0), "decimals": 0},
}
"""``decimals`` is each score's precision: differences of two scores are rounded to it before they are
ranked or compared (see :func:`scale_difference`), so that equal changes tie exactly."""


def scale_difference(before, after, decimals: int | None) -> np.ndarray:
    """``after - before`` at the scale's precision: rounded to ``decimals`` places (None: as given).

    Scores such as the SWEMWBS metric score are stored as binary floats, so two changes that are
    equal on the scale (1.10 and -1.10) can differ in their last bits (1.1000000000000014 and
    -1.0999999999999979) and would be ranked apart; rounding the difference to the precision of
    the scores restores the tie (the difference of two numbers with ``decimals`` places has
    ``decimals`` places)."""
    d = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    return d if decimals is None else np.round(d, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
