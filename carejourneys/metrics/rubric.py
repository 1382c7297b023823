"""Rubric ratings of the five programme outcomes, by site and wave.

Each rating (``rubric.csv``) places one outcome, at one site and wave, on the ordered rubric
``Insufficient evidence < Poor < Adequate < Good < Very good < Excellent`` with the evaluators'
rationale and references to the evidence. The overall rating is its own recorded judgement
(the ``overall`` row): it is never computed from the five outcome ratings, and this module
refuses to invent one where it was not recorded.

"Insufficient evidence" is not a level of performance: it is kept in the order so that it can be
shown, but :func:`changes` does not treat a move to or from it as an improvement or a decline.
"""

from __future__ import annotations

import re

import pandas as pd

from carejourneys.inputs.schemas import RUBRIC_LEVELS, RUBRIC_OUTCOMES, WAVES
from carejourneys.metrics._common import require_columns as _require

RUBRIC_COLUMNS = ("site", "wave", "outcome", "level", "rationale", "evidence_refs")
INSUFFICIENT = RUBRIC_LEVELS[0]
#: the rubric as an ordered categorical type
LEVEL_TYPE = pd.CategoricalDtype(list(RUBRIC_LEVELS), ordered=True)
#: the five programme outcomes (without the overall judgement)
OUTCOMES = tuple(o for o in RUBRIC_OUTCOMES if o != "overall")
OUTCOME_LABELS = {
    "co_production": "Co-production with young people",
    "robust_partnership": "Robust partnership",
    "learning_shared": "Learning shared",
    "systems_improved": "Systems improved",
    "policy_influence": "Policy influence",
    "overall": "Overall (recorded judgement)",
}


def level_score(levels: pd.Series) -> pd.Series:
    """Position on the rubric: Poor=1 ... Excellent=5; Insufficient evidence and blanks are missing."""
    cat = pd.Series(pd.Categorical(levels, dtype=LEVEL_TYPE), index=levels.index)
    codes = pd.Series(cat.cat.codes, index=levels.index).astype("Int64")
    return codes.mask(codes <= 0)


def ratings(rubric: pd.DataFrame, site: str | None = None) -> pd.DataFrame:
    """The ratings in reading order (site, outcome in rubric order, wave), level as an ordered category."""
    _require(rubric, RUBRIC_COLUMNS, "rubric")
    r = rubric if site is None else rubric[rubric["site"] == site]
    out = r.loc[:, list(RUBRIC_COLUMNS)].copy()
    out["level"] = pd.Categorical(out["level"], dtype=LEVEL_TYPE)
    out["score"] = level_score(r["level"])
    out["outcome"] = pd.Categorical(out["outcome"], categories=list(RUBRIC_OUTCOMES), ordered=True)
    out = out.sort_values(["site", "outcome", "wave"], kind="stable").reset_index(drop=True)
    out["outcome"] = out["outcome"].astype("str")
    return out


def heat_table(rubric: pd.DataFrame, site: str, labels: bool = True) -> pd.DataFrame:
    """Outcomes (rows, in rubric order, overall last) by wave (columns) holding the level names.

    Cells with no rating are empty (``NA``), not "Insufficient evidence": a rating that was not
    made is not a judgement. With ``labels`` the rows carry readable outcome names.
    """
    r = ratings(rubric, site)
    waves = sorted(set(WAVES) | set(r["wave"].dropna().astype(int)))
    table = r.pivot(index="outcome", columns="wave", values="level").astype("object")
    present = [o for o in RUBRIC_OUTCOMES if o in table.index]
    table = table.reindex(index=present, columns=waves)
    table = table.astype("str").where(table.notna(), pd.NA)
    table.columns = [f"Wave {w}" for w in waves]
    table.columns.name = "wave"
    if labels:
        table.index = [OUTCOME_LABELS.get(o, o) for o in table.index]
    table.index.name = "Outcome" if labels else "outcome"
    return table


def score_table(rubric: pd.DataFrame, site: str) -> pd.DataFrame:
    """Like :func:`heat_table` but with rubric positions (1 = Poor ... 5 = Excellent) for colouring."""
    r = ratings(rubric, site)
    waves = sorted(set(WAVES) | set(r["wave"].dropna().astype(int)))
    table = r.pivot(index="outcome", columns="wave", values="score")
    present = [o for o in RUBRIC_OUTCOMES if o in table.index]
    table = table.reindex(index=present, columns=waves).astype("Float64")
    table.columns = [f"Wave {w}" for w in waves]
    table.index = [OUTCOME_LABELS.get(o, o) for o in table.index]
    table.index.name = "outcome"
    return table


def overall(rubric: pd.DataFrame, site: str) -> pd.DataFrame:
    """The recorded overall judgement per wave, with its rationale; waves without one are absent.

    The overall rating is read, never derived: when no ``overall`` row was recorded for a wave,
    that wave simply has no overall rating.
    """
    r = ratings(rubric, site)
    return r[r["outcome"] == "overall"].loc[:, ["site", "wave", "level", "rationale", "evidence_refs"]] \
        .reset_index(drop=True)


def changes(rubric: pd.DataFrame, site: str) -> pd.DataFrame:
    """For each outcome, the move between consecutive rated waves.

    Columns: outcome, from_wave, to_wave, from_level, to_level, direction ("up", "down", "same"
    or "not comparable" when either side is "Insufficient evidence").
    """
    r = ratings(rubric, site)
    rows = []
    for outcome, g in r.groupby("outcome", sort=False):
        g = g.sort_values("wave")
        for (_, a), (_, b) in zip(g.iloc[:-1].iterrows(), g.iloc[1:].iterrows(), strict=True):
            if pd.isna(a["score"]) or pd.isna(b["score"]):
                direction = "not comparable"
            else:
                direction = "up" if b["score"] > a["score"] else "down" if b["score"] < a["score"] else "same"
            rows.append({"outcome": outcome, "from_wave": int(a["wave"]), "to_wave": int(b["wave"]),
                         "from_level": str(a["level"]), "to_level": str(b["level"]), "direction": direction})
    return pd.DataFrame(rows, columns=["outcome", "from_wave", "to_wave", "from_level", "to_level",
                                       "direction"])


_METHOD_WORDS = {"interview": "interview", "focus_group": "focus group", "observation": "observation",
                 "document_review": "document review"}
_GROUP_WORDS = {"young_person": "a young person", "cj_staff": "Care Journeys staff",
                "la_staff": "council staff",
                "stakeholder": "a stakeholder", "barnardos_staff": "Barnardo's national staff"}


def evidence_text(refs: object, fieldwork: pd.DataFrame | None = None) -> str:
    """Evidence references for reading: each ``;``-separated reference that is a fieldwork ``source_id``
    or ``event_id`` becomes what it is ("interview with council staff, wave 2, May 2022"); other
    references (already descriptions, e.g. "Partnership board minutes, March 2022") are kept.
    """
    if refs is None or (not isinstance(refs, str) and pd.isna(refs)):
        return "not recorded"
    lookup: dict[str, pd.Series] = {}
    if fieldwork is not None and len(fieldwork):
        for _, r in fieldwork.iterrows():
            for key in ("event_id", "source_id"):
                if key in r.index and pd.notna(r[key]):
                    lookup[str(r[key])] = r
    out = []
    for ref in (x.strip() for x in str(refs).split(";")):
        if not ref:
            continue
        r = lookup.get(ref)
        if r is None:
            out.append(ref)
            continue
        when = pd.Timestamp(r["date"]).strftime("%B %Y")
        group = _GROUP_WORDS.get(r["participant_group"], r["participant_group"])
        out.append(f"{_METHOD_WORDS.get(r['method'], r['method'])} with {group}, wave {int(r['wave'])}, "
                   f"{when}")
    return "; ".join(out) or "not recorded"


def rationale_table(rubric: pd.DataFrame, site: str, wave: int | None = None,
                    fieldwork: pd.DataFrame | None = None) -> pd.DataFrame:
    """Outcome, wave, rating, rationale and the evidence (readable, see :func:`evidence_text`) for
    reading (latest wave by default). Serves 03's "Why: the rationale of the latest ratings"."""
    r = ratings(rubric, site)
    if r.empty:
        return pd.DataFrame(columns=["Outcome", "Wave", "Rating", "Rationale", "Evidence"])
    w = int(r["wave"].max()) if wave is None else wave
    r = r[r["wave"] == w].copy()
    r["outcome"] = r["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o))
    r["level"] = r["level"].astype("str")
    out = r.loc[:, ["outcome", "wave", "level", "rationale", "evidence_refs"]].reset_index(drop=True)
    out["evidence_refs"] = out["evidence_refs"].map(lambda x: evidence_text(x, fieldwork))
    return out.rename(columns={"outcome": "Outcome", "wave": "Wave", "level": "Rating",
                               "rationale": "Rationale", "evidence_refs": "Evidence"})


#: words in a rationale that claim a lapse in governance (checked against the meeting records)
GAP_WORDS = ("gap in governance", "gaps in governance", "did not meet", "stopped meeting", "not meet for")
#: words in a rationale that claim the board met steadily (checked against the meeting records)
REGULAR_WORDS = ("kept meeting", "met regularly", "met every", "meeting every", "met throughout")
#: an evidence reference that is a bare identifier (``FW0001``, ``PLY-I-001``, ``E9``), not a description
_ID = re.compile(r"^[A-Z]{1,6}(?:-[A-Z0-9]{1,6})*-?\d+[A-Z]?$")


def bare_ids(text: object) -> list[str]:
    """The ``;``-separated references of ``text`` that are bare identifiers rather than descriptions of
    the evidence (a reader cannot tell what ``PLY-I-001`` is)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [r for r in (x.strip() for x in str(text).split(";")) if r and _ID.match(r)]


def _wave_windows(fieldwork: pd.DataFrame | None) -> dict[tuple[str, int], tuple[pd.Timestamp, pd.Timestamp]]:
    """Per (site, wave): the period a wave's rating looks back on, from the end of the site's previous
    wave's fieldwork (or its first fieldwork) to the end of this wave's."""
    if fieldwork is None or not len(fieldwork) or not {"site", "wave", "date"} <= set(fieldwork.columns):
        return {}
    out = {}
    for site, g in fieldwork.groupby("site"):
        ends = pd.to_datetime(g["date"]).groupby(g["wave"].astype(int)).max().sort_index()
        start = pd.to_datetime(g["date"]).min()
        for wave, end in ends.items():
            out[(str(site), int(wave))] = (start, end)
            start = end
    return out


def rationale_conflicts(rubric: pd.DataFrame, meetings: pd.DataFrame | None = None,
                        max_gap_days: int = 120, fieldwork: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rationales that disagree with the records or with each other. Columns: site, wave, outcome, problem.

    - a rationale claiming a lapse in governance (:data:`GAP_WORDS`) where no partnership board gap at
      that site exceeds ``max_gap_days``;
    - one claiming that the board met steadily (:data:`REGULAR_WORDS`) where such a gap fell in the
      period the wave looks back on (from ``fieldwork``'s wave dates; without them, any time);
    - rationales repeated word for word at another site;
    - evidence given only as identifiers that ``fieldwork`` cannot turn into words (:func:`bare_ids`,
      checked when ``fieldwork`` is given).
    """
    r = ratings(rubric)
    rows = []
    gaps = None
    long_gap: dict[str, bool] = {}
    if meetings is not None and len(meetings):
        from carejourneys.metrics import governance

        gaps = governance.meeting_gaps(meetings, max_gap_days=max_gap_days)
        long_gap = gaps.groupby("site")["long_gap"].any().to_dict()
    windows = _wave_windows(fieldwork)
    for x in r.itertuples(index=False):
        text = str(x.rationale).casefold()
        if meetings is not None and any(w in text for w in GAP_WORDS) and not long_gap.get(x.site, False):
            rows.append({"site": x.site, "wave": int(x.wave), "outcome": x.outcome,
                         "problem": "claims a lapse in governance, but no board gap exceeds "
                                    f"{max_gap_days} days"})
        if gaps is not None and any(w in text for w in REGULAR_WORDS):
            long = gaps[(gaps["site"] == x.site) & gaps["long_gap"]]
            window = windows.get((str(x.site), int(x.wave)))
            if window is not None:
                long = long[(long["to_date"] > window[0]) & (long["from_date"] < window[1])]
            if len(long):
                rows.append({"site": x.site, "wave": int(x.wave), "outcome": x.outcome,
                             "problem": "says the board met steadily, but a gap of "
                                        f"{int(long['gap_days'].max())} days between its meetings falls in "
                                        "the period rated"})
        if fieldwork is not None:
            parts = [p.strip() for p in evidence_text(x.evidence_refs, fieldwork).split(";") if p.strip()]
            if parts and len(bare_ids("; ".join(parts))) == len(parts):
                rows.append({"site": x.site, "wave": int(x.wave), "outcome": x.outcome,
                             "problem": "its evidence is given only as identifiers"})
    same = r.groupby("rationale")["site"].nunique()
    for x in r[r["rationale"].isin(same[same > 1].index)].itertuples(index=False):
        rows.append({"site": x.site, "wave": int(x.wave), "outcome": x.outcome,
                     "problem": "the same rationale, word for word, is given at another site"})
    return pd.DataFrame(rows, columns=["site", "wave", "outcome", "problem"])


def conflicts_table(rubric: pd.DataFrame, site: str, meetings: pd.DataFrame | None = None,
                    fieldwork: pd.DataFrame | None = None, max_gap_days: int = 120,
                    rubric_all: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`rationale_conflicts` of one site for reading (Outcome, Wave, What does not fit).

    ``rubric_all``: every site's ratings, so that a rationale repeated at another site is found even
    when ``rubric`` holds this site's only. Empty (with its columns) when nothing conflicts."""
    whole = rubric if rubric_all is None else rubric_all
    c = rationale_conflicts(whole, meetings, max_gap_days=max_gap_days, fieldwork=fieldwork)
    c = c[c["site"] == site]
    return pd.DataFrame({"Outcome": c["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)),
                         "Wave": c["wave"].astype("int64"), "What does not fit": c["problem"]}
                        ).reset_index(drop=True)


def missing_ratings(rubric: pd.DataFrame, site: str) -> list[tuple[int, str]]:
    """(wave, outcome) pairs with no recorded rating among the waves the site was rated in."""
    r = ratings(rubric, site)
    have = set(zip(r["wave"].astype(int), r["outcome"], strict=True))
    waves = sorted(set(r["wave"].astype(int)))
    return [(w, o) for w in waves for o in RUBRIC_OUTCOMES if (w, o) not in have]


def changes_table(rubric: pd.DataFrame, site: str) -> pd.DataFrame:
    """:func:`changes` for reading: outcome (readable), waves, levels and the direction of the move."""
    c = changes(rubric, site)
    return pd.DataFrame({"Outcome": c["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)),
                         "From": "Wave " + c["from_wave"].astype("str") + ": " + c["from_level"],
                         "To": "Wave " + c["to_wave"].astype("str") + ": " + c["to_level"],
                         "Direction": c["direction"]})


def overall_table(rubric: pd.DataFrame, site: str, fieldwork: pd.DataFrame | None = None) -> pd.DataFrame:
    """The recorded overall judgements for reading: wave, level, rationale, evidence (readable)."""
    o = overall(rubric, site)
    return pd.DataFrame({"Wave": o["wave"], "Overall rating": o["level"].astype("str"),
                         "Rationale": o["rationale"],
                         "Evidence": o["evidence_refs"].map(lambda x: evidence_text(x, fieldwork))})


# ------------------------------------------------------------------- 03: the records beside the ratings
# (reader-facing summaries of the systems-changes log and the board's meetings that the page's key
# findings are computed from; the counting itself is in carejourneys.metrics.governance)

#: statuses of a systems change, furthest first, as a reader says them
STATUS_WORDS = {"embedded": "Embedded", "adopted": "Adopted", "proposed": "Proposed",
                "influenced": "Influenced"}


def status_table(changes: pd.DataFrame) -> pd.DataFrame:
    """Systems changes by the furthest status each reached (rows, furthest first, then a Total row)
    and level (Local, National, Total): each change counted once. Counts of changes, not people."""
    from carejourneys.inputs.schemas import CHANGE_LEVELS, CHANGE_STATUS
    from carejourneys.metrics import governance

    cols = [lv.capitalize() for lv in CHANGE_LEVELS]
    if changes is None or changes.empty:
        return pd.DataFrame(columns=["Status", *cols, "Total"])
    t = governance.changes_by(changes, "status", "level")
    t = t.reindex(index=list(reversed(CHANGE_STATUS)), columns=list(CHANGE_LEVELS), fill_value=0).fillna(0)
    t = t.astype("int64")
    t.columns = cols
    t["Total"] = t.sum(axis=1)
    t.loc["total"] = t.sum(axis=0)
    out = t.reset_index(drop=True)
    out.insert(0, "Status", [STATUS_WORDS.get(s, s) for s in t.index[:-1]] + ["Total"])
    return out


BOARD_COLUMNS = ["Meetings", "Usual interval (days)", "Longest gap (days)", "Longest gap from",
                 "Longest gap to", "Gaps over 120 days"]


def board_record(meetings: pd.DataFrame, until: object | None = None, forum: str = "partnership_board",
                 max_gap_days: int = 120) -> pd.DataFrame:
    """One row on a forum's meetings: how many, the usual (median) interval between them, the longest
    gap with its dates (``Longest gap to`` empty when it was still open at ``until``, the programme
    end) and the number of gaps over ``max_gap_days``. Empty with fewer than two meetings."""
    from carejourneys.metrics import governance

    columns = [c.replace("120", str(max_gap_days)) for c in BOARD_COLUMNS]
    m = meetings[meetings["forum"] == forum] if len(meetings) else meetings
    if len(m) < 2:
        return pd.DataFrame(columns=columns)
    gaps = governance.meeting_gaps(meetings, forum=forum, max_gap_days=max_gap_days, until=until)
    longest = gaps.loc[gaps["gap_days"].idxmax()]
    closed = gaps[~gaps["open"]]
    return pd.DataFrame([[len(m), int(round(float(closed["gap_days"].median()))), int(longest["gap_days"]),
                          pd.Timestamp(longest["from_date"]).date(),
                          pd.NaT if longest["open"] else pd.Timestamp(longest["to_date"]).date(),
                          int(gaps["long_gap"].sum())]], columns=columns)
