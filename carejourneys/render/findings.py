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
                "text": f"The evaluation counted {yp} interviews with young people and {staff} with "
                "programme staff, council staff and stakeholders (someone interviewed in two waves "
                "counts twice, as in its data-gathering table).",
                "n": yp + staff,
                "unit": "interviews",
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


#: how the quantitative sentence names each row of the quantitative-methods table
_QUANT_PHRASES = {
    "Council care leaver returns (OC3)": "{} council care leaver returns",
    "Bright Spots survey reports": "{} Bright Spots survey reports",
    "Pre/post questionnaires": "before-and-after questionnaires from {} young people",
    "Pre/post questionnaires: activities": "in {} activities",
    "Retrospective survey": "a look-back survey of {} young people",
    "Personal Adviser survey: responses": "{} Personal Adviser survey responses",
    "Personal Adviser survey: young people rated": "on {} young people",
    "Wellbeing workshop facilitator ratings": "facilitators' ratings of {} wellbeing sessions",
}


def quantitative(table: pd.DataFrame, site_label: str) -> Item | None:
    """00: the quantitative half of the evidence in one sentence, from the *protected*
    :func:`carejourneys.metrics.published.quantitative_methods` table (the Total column on a page for
    several sites). Sources with nothing at this site are left out; a withheld size is not stated."""
    col = "Total" if "Total" in table.columns else site_label
    if col not in table.columns:
        return None
    values = {str(r["Method"]): _number(r[col]) for _, r in table.iterrows()}
    parts: list[str] = []
    for method, phrase in _QUANT_PHRASES.items():
        v = values.get(method)
        if not v:
            continue
        text = phrase.format(v)
        if v == 1:
            text = text.replace("reports", "report").replace("returns", "return")
        if method.endswith((": activities", ": young people rated")) and parts:
            parts[-1] += " " + text
        elif not method.endswith((": activities", ": young people rated")):
            parts.append(text)
    if not parts:
        return None
    people = sum(values.get(m) or 0 for m in ("Pre/post questionnaires", "Retrospective survey",
                                              "Personal Adviser survey: young people rated"))
    return {"text": "Quantitative evidence: " + _and(parts) + ".", "n": people or None,
            "unit": "young people in the surveys (some in more than one)"}

#: the four questions of the evaluation's outcomes digest, by outcome area
OUTCOME_QUESTIONS = {
    "social_connections": "Did young people feel more connected?",
    "wellbeing": "Did their wellbeing, confidence and sense of identity grow?",
    "skills": "Did they gain skills and knowledge?",
    "goals": "Did they move towards their goals and positive destinations?",
}


#: how a sentence names each source of evidence on outcomes
SOURCE_PHRASES = {
    "prepost": "the before-and-after questionnaires",
    "retrospective": "the look-back survey",
    "pa_survey": "Personal Advisers' ratings",
    "facilitator": "facilitators' session ratings",
    "interviews": "young people's interviews",
}


def _source_list(rows: pd.DataFrame) -> str:
    return "; ".join(f"{SOURCE_PHRASES.get(str(r['source']), str(r['Source']))}, n={r['n']}"
                     for _, r in rows.iterrows())


def outcome_area(directions: pd.DataFrame, domain: str, *, short: bool = False) -> Item | None:
    """The answer to one of the digest's outcome questions, from the *protected*
    :func:`carejourneys.metrics.published.domain_directions` table (as
    :func:`~carejourneys.metrics.published.safe_directions` leaves it): how many sources point to
    improvement, show no clear change or point to a decline, and how many hold groups too small to
    show a direction. Unless ``short`` (the key-findings box), each source is named with its n. Every n
    stated is a shown cell of that table; a withheld direction is never guessed."""
    rows = directions[directions["domain"] == domain]
    if rows.empty:
        return None
    label = str(rows["Outcome area"].iloc[0])
    n_text = rows["n"].astype("str")
    shown = rows[(n_text != SUPPRESSED) & (n_text != "0")]
    readable = shown[shown["Direction"].isin(["improved", "no clear change", "worse"])]
    levels = shown[shown["Direction"] == "level only, not change"]
    small = shown[shown["Direction"].astype("str") == SUPPRESSED]
    unnamed = int((n_text == SUPPRESSED).sum())
    what = {"improved": ("points", "point", "to improvement"),
            "no clear change": ("shows", "show", "no clear change"),
            "worse": ("points", "point", "to a decline")}
    parts = []
    for direction, (one, many, words) in what.items():
        group = readable[readable["Direction"] == direction]
        if not len(group):
            continue
        if len(readable) == 1:
            share, verb = "the one source that can be read", one
        elif len(group) == len(readable):
            share, verb = ("both sources" if len(group) == 2 else f"all {len(group)} sources"), many
        else:
            share, verb = f"{len(group)} of {len(readable)} sources", one if len(group) == 1 else many
        parts.append(f"{share} {verb} {words}" + ("" if short else f" ({_source_list(group)})"))
    if len(levels):
        parts.append(("facilitators' ratings" if short else
                      _source_list(levels).replace(", n=", " (n=") + ")") + " describe a level, not a change")
    too_small = len(small) + unnamed
    if too_small and short:
        parts.append(f"{too_small} {'sources have' if too_small != 1 else 'source has'} groups too small "
                     "to show a direction")
    elif too_small:
        if len(small):
            parts.append(f"{_source_list(small)}: groups too small to show a direction")
        if unnamed:
            parts.append(f"{unnamed} more {'sources' if unnamed != 1 else 'source'} too small to show")
    if not parts or shown.empty:
        return None
    hedge = "" if readable["Strength"].eq("stronger").any() else "in these small groups, "
    text = f"{label}: {hedge}" + "; ".join(parts) + "."
    return {"text": text, "n": int(sum(int(v) for v in shown["n"])), "unit": "answers across sources",
            "question": OUTCOME_QUESTIONS.get(domain, label)}


def outcome_areas(directions: pd.DataFrame, *, short: bool = True) -> list[Item]:
    """01: the digest's four outcome questions answered from the evidence, one sentence each (without
    naming the sources, when ``short``), and what the evidence cannot show."""
    items = [i for d in OUTCOME_QUESTIONS if (i := outcome_area(directions, d, short=short)) and i["n"]]
    if items:
        items.append({
            "text": "These describe the young people who answered; without a comparison group they are "
            "not estimates of the programme's effect.",
            "n": max(int(v) for v in directions["n"] if str(v) not in (SUPPRESSED, "0")),
            "unit": "young people in the largest source",
        })
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
    waves = [(w, c) for c in heat.columns if (w := _wave_of(c)) is not None and heat[c].notna().any()]
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
                only = over == 1 and longest > int(limit)
                text += (f", and no gap exceeded {limit} days" if over == 0 else
                         f", the only gap of more than {limit} days" if only else
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
    return {"text": f"From {first} to {latest}, the share of {r['Series']}'s care leavers aged {age} in "
                    f"education, employment or training {moved}{hedge}.", "n": n, "unit": "care leavers"}


def site_learning(
    headline: pd.DataFrame,
    delays: pd.DataFrame,
    activities: pd.DataFrame,
    enablers: pd.DataFrame | None = None,
    barriers: pd.DataFrame | None = None,
) -> list[Item]:
    """02: reach and repeat involvement (:func:`participation`), the number of activities, the longest
    delay and the enabler and barrier named by the most people.

    ``headline``, ``enablers`` and ``barriers`` are protected tables as the page shows them;
    ``delays`` (most delayed first) and ``activities`` are the page's tables of initiatives and
    activities, which count nobody. Every number is read from one of them: the activity count is the
    activities table's rows, the delay is its first row, a factor's people its first row (left out
    when withheld)."""
    items = participation(headline)
    if len(activities):
        attended = None
        if not headline.empty:
            attended = _number(headline.iloc[0].get("activities with attendance registered"))
        text = f"{len(activities)} activities are recorded for the programme"
        if attended is not None:
            text += f"; young people's attendance is registered at {attended} of them"
        items.append({"text": text + ".", "n": len(activities), "unit": "activities"})
    if len(delays) and "Delay (days)" in delays.columns and not pd.isna(delays["Delay (days)"].iloc[0]):
        top = delays.iloc[0]
        days = int(top["Delay (days)"])
        name = f"{top['Initiative']} ({top['Site']})" if "Site" in delays.columns else str(top["Initiative"])
        if days <= 14:
            text = "Every initiative reached its milestones within two weeks of the planned dates."
        elif str(top.get("Reached", "")) == "yes":
            text = (f"The longest delay was in {name}: '{top['Most delayed milestone']}' came {days} days "
                    f"(about {round(days / 30.44)} months) after its planned date.")
        else:
            text = (f"The longest delay was in {name}: '{top['Most delayed milestone']}' was still not "
                    f"reached {days} days (about {round(days / 30.44)} months) after its planned date.")
        items.append({"text": text, "n": len(delays), "unit": "initiatives with milestones"})
    for frame, label, what in ((enablers, "Enabler", "helping the work forward"),
                               (barriers, "Barrier", "holding the work back")):
        if frame is None or frame.empty or label not in frame.columns:
            continue
        people = _number(frame["People"].iloc[0])
        if people is None:
            continue
        tied = len(frame) > 1 and _number(frame["People"].iloc[1]) == people
        item = str(frame[label].iloc[0])
        item = item if item[1:2].isupper() else item[:1].lower() + item[1:]  # "COVID-19" stays
        text = (f"Named by the most people as {what}: {item}"
                + (" (jointly with another)." if tied else "."))
        items.append({"text": text, "n": people, "unit": "people who named it"})
    return items
