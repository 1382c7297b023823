"""Key findings: plain sentences computed from the same protected tables the page shows.

Each function takes tables as :func:`carejourneys.render.report.protected` returns them (withheld
cells are ``c``) and returns items for :func:`carejourneys.render.report.key_findings`: dicts with the
sentence (``text``), the number of people or items it rests on (``n``) and their ``unit``. A number
that a table withholds is never put in a sentence: the sentence says "fewer than the threshold"
instead, or is left out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from carejourneys.sdc.disclosure import SUPPRESSED

Item = dict[str, Any]


def _value(frame: pd.DataFrame, label_col: str, label: str, col: str) -> Any:
    rows = frame[frame[label_col].astype("str") == label]
    if rows.empty or col not in frame.columns:
        return None
    return rows[col].iloc[0]


def _number(value: Any) -> int | None:
    """A shown whole number, or None for a withheld or missing one."""
    if value is None or (isinstance(value, str) and value == SUPPRESSED):
        return None
    try:
        if pd.isna(value):
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def evidence(summary: pd.DataFrame, site_label: str) -> list[Item]:
    """00: who the evaluation heard from at this site, from the protected "data gathered" table."""
    col = "Total" if "Total" in summary.columns else site_label
    if col not in summary.columns:
        return []
    items: list[Item] = []
    yp = _number(_value(summary, "What", "Interviews with young people", col))
    staff = _number(
        _value(summary, "What", "Interviews with Care Journeys and council staff and stakeholders", col)
    )
    if yp is not None and staff is not None:
        items.append(
            {
                "text": f"The evaluation interviewed {yp} young people and {staff} programme staff, "
                "council staff and stakeholders.",
                "n": yp + staff,
                "unit": "people interviewed",
            }
        )
    groups = _number(_value(summary, "What", "Focus groups", col))
    watched = _number(_value(summary, "What", "Observations", col))
    if groups is not None and watched is not None:
        items.append(
            {
                "text": f"It also ran {groups} focus groups and {watched} observations of meetings "
                "and activities.",
                "n": groups + watched,
                "unit": "events",
            }
        )
    items.append(
        {
            "text": "Interviews and observations are described here, not weighted: each method counts "
            "what it counts.",
            "n": None,
        }
    )
    return [i for i in items if i.get("n") is not None]


def outcomes(main: pd.DataFrame) -> list[Item]:
    """01: one sentence per measure group from the protected narrow change table ("What it shows")."""
    if main.empty or "What it shows" not in main.columns:
        return []
    improved, unclear = [], []
    total = 0
    for _, r in main.iterrows():
        pairs = _number(r.get("Pairs"))
        shows = str(r.get("What it shows", ""))
        if pairs is None or shows in ("", SUPPRESSED):
            continue
        total = max(total, pairs)
        name = str(r["Measure"]).split(" (")[0]
        (improved if shows.startswith("improved") else unclear).append(name)
    items: list[Item] = []
    if improved:
        items.append(
            {
                "text": "In this small group, scores improved from the first to the last questionnaire on "
                + _and(improved)
                + " (the 95% interval of the change excludes no change).",
                "n": total,
                "unit": "young people with both questionnaires",
            }
        )
    if unclear:
        items.append(
            {
                "text": "There was no clear change on " + _and(unclear) + ".",
                "n": total,
                "unit": "young people with both questionnaires",
            }
        )
    if items:
        items.append(
            {
                "text": "These results describe the young people who answered twice; without a "
                "comparison group they are not estimates of the programme's effect.",
                "n": total,
                "unit": "young people",
            }
        )
    return items


def participation(headline: pd.DataFrame) -> list[Item]:
    """02: reach and repeat involvement, from the protected one-row headline table."""
    if headline.empty:
        return []
    row = headline.iloc[0]
    items: list[Item] = []
    reached = _number(row.get("young people took part"))
    more = _number(row.get("young people in more than one activity"))
    if reached is not None:
        items.append(
            {
                "text": f"{reached} young people took part in the programme's activities.",
                "n": reached,
                "unit": "young people",
            }
        )
        if more is not None:
            items.append(
                {
                    "text": f"{more} of them took part in more than one activity.",
                    "n": reached,
                    "unit": "young people",
                }
            )
    return items


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
