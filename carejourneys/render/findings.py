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


def _wave_of(label: Any) -> int | None:
    """The wave number of a heat-table column (``"Wave 3"``) or a changes-table cell (``"Wave 3: Good"``)."""
    text = str(label)
    if not text.startswith("Wave "):
        return None
    digits = text[5:].split(":")[0].strip()
    return int(digits) if digits.isdigit() else None


def _month(value: Any) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


def partnership(heat: pd.DataFrame, moves: pd.DataFrame, status: pd.DataFrame,
                board: pd.DataFrame) -> list[Item]:
    """03: the latest rubric ratings and how they moved, the systems changes logged, and the longest
    gap between partnership board meetings, from the tables the page shows:
    :func:`carejourneys.metrics.rubric.heat_table` (``heat``, outcomes by wave, readable labels),
    :func:`~carejourneys.metrics.rubric.changes_table` (``moves``),
    :func:`~carejourneys.metrics.rubric.status_table` (``status``) and
    :func:`~carejourneys.metrics.rubric.board_record` (``board``). The n are ratings, changes and
    meetings, not people."""
    from carejourneys.metrics.rubric import LEVEL_TYPE, OUTCOME_LABELS

    items: list[Item] = []
    overall_label = OUTCOME_LABELS["overall"]
    waves = [(w, c) for c in heat.columns if (w := _wave_of(c)) is not None]
    if waves and not heat.empty:
        latest, col = max(waves)
        cells = heat[col]
        outcomes = cells[(cells.index != overall_label) & cells.notna()]
        levels = [lv for lv in reversed(LEVEL_TYPE.categories) if lv in set(outcomes)]
        if levels:
            groups = [f"{_and(list(outcomes[outcomes == lv].index))} as {lv}" for lv in levels]
            text = f"At wave {latest} the evaluators rated " + "; ".join(groups[:-1]) + \
                ("; and " if len(groups) > 1 else "") + groups[-1]
            n = len(outcomes)
            overall = cells.get(overall_label)
            if overall is not None and pd.notna(overall):
                text += f". Their overall judgement, recorded on its own rather than averaged, was {overall}"
                n += 1
            items.append({"text": text + ".", "n": n, "unit": "ratings"})
        if not moves.empty and {"Outcome", "From", "To", "Direction"} <= set(moves.columns):
            last = moves[(moves["To"].map(_wave_of) == latest) & (moves["Outcome"] != overall_label)]
            if len(last):
                before = _wave_of(last["From"].iloc[0])
                parts = []
                for direction, words in (("up", "rose"), ("down", "fell"), ("same", "stayed the same"),
                                         ("not comparable", "cannot be compared (insufficient evidence on "
                                                            "one side)")):
                    names = list(last.loc[last["Direction"] == direction, "Outcome"])
                    if names:
                        parts.append(f"{_and(names)} {words}")
                text = f"Between wave {before} and wave {latest}, " + "; ".join(parts[:-1]) + \
                    ("; and " if len(parts) > 1 else "") + parts[-1]
                items.append({"text": text + ".", "n": len(last), "unit": "ratings compared"})
    if not status.empty and "Status" in status.columns:
        row = status.set_index("Status")
        total = _number(row.at["Total", "Total"]) if "Total" in row.index else None
        if total:
            levels = [f"{_number(row.at['Total', c])} {c.lower()}" for c in row.columns
                      if c != "Total" and _number(row.at["Total", c])]
            embedded = _number(row.at["Embedded", "Total"]) if "Embedded" in row.index else None
            adopted = _number(row.at["Adopted", "Total"]) if "Adopted" in row.index else None
            text = f"The systems-changes log records {total} changes the partnership sought"
            if levels:
                text += f" ({_and(levels)})"
            if embedded is not None and adopted is not None:
                text += (f"; by the end, {embedded} had been embedded in how things are done and {adopted} "
                         "more adopted")
            items.append({"text": text + ".", "n": total, "unit": "changes"})
    if not board.empty:
        b = board.iloc[0]
        meetings = _number(b.get("Meetings"))
        longest = _number(b.get("Longest gap (days)"))
        over_col = next((c for c in board.columns if str(c).startswith("Gaps over")), None)
        over = _number(b.get(over_col)) if over_col else None
        if meetings and longest is not None:
            usual = _number(b.get("Usual interval (days)"))
            text = f"The partnership board met {meetings} times"
            if usual is not None:
                text += f", usually {usual} days apart"
            span = (f"from {_month(b['Longest gap from'])} to {_month(b['Longest gap to'])}"
                    if pd.notna(b.get("Longest gap to")) else
                    f"from {_month(b['Longest gap from'])} to the end of the programme")
            text += f"; its longest gap between meetings was {longest} days, {span}"
            if over is not None and over_col:
                limit = over_col.split()[-2]
                text += (f", and no gap exceeded {limit} days" if over == 0 else
                         f", the only gap of more than {limit} days" if over == 1 and longest > int(limit) else
                         f", and {over} gap{'s' if over != 1 else ''} exceeded {limit} days")
            items.append({"text": text + ".", "n": meetings, "unit": "meetings"})
    return items


def indicators(standing: pd.DataFrame, comparison: pd.DataFrame, summary: pd.DataFrame | None = None,
               council: pd.DataFrame | None = None) -> list[Item]:
    """04: where the council stands against England and its statistical neighbours, one sentence per
    indicator (:func:`carejourneys.metrics.indicators.standing`), each with the number of care
    leavers of that indicator and age in the comparison table the page shows (official statistics;
    a figure the DfE did not publish gives no sentence). With ``summary``
    (:func:`~carejourneys.metrics.indicators.summary_table`) and ``council``
    (:func:`~carejourneys.metrics.indicators.council_table`), one more sentence on how the council's
    EET rate at 19-21 moved from the first to the latest year, hedged by the 95% intervals of the two
    years."""
    from carejourneys.metrics.indicators import TABLE_LABEL

    items: list[Item] = []
    if standing.empty or comparison.empty:
        return items
    for _, s in standing.iterrows():
        label = TABLE_LABEL.get(s["indicator"], s["indicator"])
        rows = comparison[(comparison["Indicator"] == label) & (comparison["Age"] == s["age"])]
        n = _number(rows["Care leavers"].iloc[0]) if len(rows) else None
        if n is None or "not published" in s["sentence"]:
            continue
        items.append({"text": s["sentence"], "n": n, "unit": "care leavers"})
    if summary is not None and council is not None and not summary.empty and not council.empty:
        item = _eet_trend(summary, council)
        if item is not None:
            items.append(item)
    return items


def _eet_trend(summary: pd.DataFrame, council: pd.DataFrame, age: str = "19-21") -> Item | None:
    series = summary[(summary["Indicator"] == "EET") & (summary["Age"] == age)
                     & ~summary["Series"].astype("str").str.startswith(("England", "Neighbours"))]
    if series.empty or series["First year"].iloc[0] == series["Latest year"].iloc[0]:
        return None
    r = series.iloc[0]
    c = council[(council["Indicator"] == "EET") & (council["Age"] == age)].set_index("Year")
    first, latest = str(r["First year"]), str(r["Latest year"])
    if first not in c.index or latest not in c.index:
        return None
    n = _number(c.at[latest, "Care leavers"])
    try:
        lo = [float(c.at[y, "95% CI from"]) for y in (first, latest)]
        hi = [float(c.at[y, "95% CI to"]) for y in (first, latest)]
    except (TypeError, ValueError):
        return None
    if n is None:
        return None
    overlap = lo[0] <= hi[1] and lo[1] <= hi[0]
    change = float(r["Change (pp)"])
    moved = ("did not change" if round(change, 1) == 0
             else f"went from {r['First %']:g}% to {r['Latest %']:g}%")
    hedge = ("; the 95% intervals of the two years overlap, so this is no clear change for cohorts of "
             "this size" if overlap else "; the 95% intervals of the two years do not overlap")
    return {"text": f"From {first} to {latest}, the share of the council's care leavers aged {age} in "
                    f"education, employment or training {moved}{hedge}.", "n": n, "unit": "care leavers"}
