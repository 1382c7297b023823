"""Governance cadence and the systems-changes log.

Meetings (``meetings.csv``): one row per meeting of a forum, with attendees from the council,
from Barnardo's and from elsewhere, and the number of young people present. The cadence is the
number of meetings per calendar quarter and forum; the *gaps* are the days between consecutive
meetings of one forum, and a gap is flagged when it is longer than ``max_gap_days`` (default 120
days: a quarterly board that misses a meeting).

Systems changes (``systems_changes.csv``): one row per change and status reached (influenced,
proposed, adopted, embedded), so a change's history is its rows in date order and its current
status is the furthest one reached.
"""

from __future__ import annotations

import pandas as pd

from carejourneys import sites
from carejourneys.inputs import public
from carejourneys.inputs.schemas import CHANGE_STATUS, FORUMS
from carejourneys.metrics._common import require_columns as _require

MEETING_COLUMNS = ("site", "forum", "date", "attendees_council", "attendees_barnardos", "attendees_other",
                   "young_people_present")
CHANGE_COLUMNS = ("site", "change_id", "description", "level", "kind", "status", "date", "evidence")
PARTNERS = {"attendees_council": "council", "attendees_barnardos": "barnardos", "attendees_other": "other"}
#: a readable name for each forum code
FORUM_LABELS = {
    "partnership_board": "Partnership board",
    "operational_group": "Operational group",
    "young_people_forum": "Young people's forum",
    "practice_network": "Practice network",
}


def _quarters(dates: pd.Series) -> pd.PeriodIndex:
    return pd.PeriodIndex(pd.to_datetime(dates), freq="Q")


def meetings_per_quarter(meetings: pd.DataFrame, start: object | None = None,
                         end: object | None = None) -> pd.DataFrame:
    """Meetings per calendar quarter (rows, labelled like ``2021Q3``) and forum (columns).

    Every quarter from ``start`` (default: the first meeting) to ``end`` (default: the last) is
    present, with 0 where a forum did not meet; forums are in the order of ``schemas.FORUMS``
    and only those that ever met are included.
    """
    _require(meetings, MEETING_COLUMNS, "meetings")
    if meetings.empty:
        return pd.DataFrame(index=pd.Index([], name="quarter", dtype="str"))
    q = _quarters(meetings["date"])
    lo = pd.Period(pd.Timestamp(start), "Q") if start is not None else q.min()
    hi = pd.Period(pd.Timestamp(end), "Q") if end is not None else q.max()
    counts = pd.crosstab(q.astype(str), meetings["forum"].to_numpy())
    quarters = pd.period_range(lo, hi, freq="Q").astype(str)
    forums = [f for f in FORUMS if f in counts.columns] + [f for f in counts.columns if f not in FORUMS]
    out = counts.reindex(index=quarters, columns=forums, fill_value=0).astype("int64")
    out.index.name = "quarter"
    out.columns.name = "forum"
    return out


def meeting_gaps(meetings: pd.DataFrame, forum: str = "partnership_board", max_gap_days: int = 120,
                 until: object | None = None) -> pd.DataFrame:
    """Intervals between consecutive meetings of one forum, per site.

    Columns: site, forum, from_date, to_date, gap_days, long_gap (gap_days > ``max_gap_days``),
    open (True for the last interval when ``until`` is given: from the last meeting to ``until``,
    e.g. the programme end, a gap that never closed).
    """
    _require(meetings, MEETING_COLUMNS, "meetings")
    m = meetings[meetings["forum"] == forum].sort_values("date", kind="stable")
    rows = []
    for site, g in m.groupby("site", sort=True):
        dates = list(pd.to_datetime(g["date"]).drop_duplicates())
        for a, b in zip(dates[:-1], dates[1:], strict=True):
            rows.append({"site": site, "forum": forum, "from_date": a, "to_date": b,
                         "gap_days": (b - a).days, "open": False})
        if until is not None and dates and pd.Timestamp(until) > dates[-1]:
            rows.append({"site": site, "forum": forum, "from_date": dates[-1], "to_date": pd.Timestamp(until),
                         "gap_days": (pd.Timestamp(until) - dates[-1]).days, "open": True})
    out = pd.DataFrame(rows, columns=["site", "forum", "from_date", "to_date", "gap_days", "open"])
    out["gap_days"] = out["gap_days"].astype("int64")
    out["long_gap"] = out["gap_days"] > max_gap_days
    return out[["site", "forum", "from_date", "to_date", "gap_days", "long_gap", "open"]]


def longest_gap(meetings: pd.DataFrame, forum: str = "partnership_board",
                until: object | None = None) -> pd.Series:
    """The longest interval between meetings of ``forum`` (a row of :func:`meeting_gaps`)."""
    gaps = meeting_gaps(meetings, forum=forum, until=until)
    if gaps.empty:
        raise ValueError(f"fewer than two {forum} meetings: no gap to measure")
    return gaps.loc[gaps["gap_days"].idxmax()]


def attendance(meetings: pd.DataFrame, by: str = "year") -> pd.DataFrame:
    """Attendance by partner per forum and period (``by`` is "year" or "quarter").

    Columns: forum, period, meetings, council, barnardos, other (mean attendees per meeting from
    each partner), young_people_present (total young people present over the period's meetings)
    and meetings_with_young_people.
    """
    _require(meetings, MEETING_COLUMNS, "meetings")
    if by not in ("year", "quarter"):
        raise ValueError("by must be 'year' or 'quarter'")
    m = meetings.copy()
    dates = pd.to_datetime(m["date"])
    m["period"] = dates.dt.year.astype(str) if by == "year" else _quarters(dates).astype(str)
    g = m.groupby(["forum", "period"], sort=True)
    out = g.size().rename("meetings").to_frame()
    for col, name in PARTNERS.items():
        out[name] = g[col].mean().astype("float64").round(1)
    out["young_people_present"] = g["young_people_present"].sum().astype("int64")
    out["meetings_with_young_people"] = g["young_people_present"].agg(lambda s: int((s > 0).sum()))
    return out.reset_index()


def attendance_by_partner(meetings: pd.DataFrame) -> pd.DataFrame:
    """Per forum: meetings held and mean attendees per meeting from each partner over the whole period."""
    _require(meetings, MEETING_COLUMNS, "meetings")
    g = meetings.groupby("forum", sort=False)
    out = g.size().rename("meetings").to_frame()
    for col, name in PARTNERS.items():
        out[name] = g[col].mean().astype("float64").round(1)
    out["young_people_present"] = g["young_people_present"].sum().astype("int64")
    order = [f for f in FORUMS if f in out.index] + [f for f in out.index if f not in FORUMS]
    return out.loc[order].reset_index()


# --------------------------------------------------------------------------- systems changes

_STATUS_RANK = {s: i for i, s in enumerate(CHANGE_STATUS)}


def changes_log(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per change: its furthest status, when it was first recorded and reached that status.

    Columns: site, change_id, description, level, kind, status (furthest reached), first_date,
    status_date, history (statuses in date order joined by " -> "), evidence (of the latest row).
    """
    _require(changes, CHANGE_COLUMNS, "systems_changes")
    c = changes.assign(_rank=changes["status"].map(_STATUS_RANK))
    rows = []
    ordered = c.sort_values(["date", "_rank"], kind="stable")
    for (site, cid), g in ordered.groupby(["site", "change_id"], sort=True):
        top = g.loc[g["_rank"].idxmax()]
        rows.append({"site": site, "change_id": cid, "description": g["description"].iloc[-1],
                     "level": g["level"].iloc[-1], "kind": g["kind"].iloc[-1], "status": top["status"],
                     "first_date": g["date"].min(), "status_date": top["date"],
                     "history": " -> ".join(g["status"].astype(str)), "evidence": g["evidence"].iloc[-1]})
    return pd.DataFrame(rows, columns=["site", "change_id", "description", "level", "kind", "status",
                                       "first_date", "status_date", "history", "evidence"])


def changes_by(changes: pd.DataFrame, rows: str = "level", columns: str = "kind") -> pd.DataFrame:
    """Number of changes (each counted once, at its furthest status) by two of level, kind, status."""
    log = changes_log(changes)
    out = pd.crosstab(log[rows], log[columns])
    if "status" in (rows, columns):
        axis = "index" if rows == "status" else "columns"
        order = [s for s in CHANGE_STATUS if s in getattr(out, axis)]
        out = out.reindex(**{axis: order})
    return out


def status_over_time(changes: pd.DataFrame, freq: str = "Y") -> pd.DataFrame:
    """Number of changes at each status at the end of each period (rows: periods, columns: statuses).

    A change counts at the furthest status it had reached by the period's end, so each column
    moves as changes progress and every row sums to the changes recorded so far.
    """
    _require(changes, CHANGE_COLUMNS, "systems_changes")
    if changes.empty:
        return pd.DataFrame(columns=list(CHANGE_STATUS))
    dates = pd.to_datetime(changes["date"])
    periods = pd.period_range(dates.min().to_period(freq), dates.max().to_period(freq), freq=freq)
    c = changes.assign(_rank=changes["status"].map(_STATUS_RANK), _date=dates)
    out = {}
    for p in periods:
        upto = c[c["_date"] <= p.end_time]
        best = upto.groupby(["site", "change_id"])["_rank"].max()
        counts = best.map(dict(enumerate(CHANGE_STATUS))).value_counts()
        out[str(p)] = counts.reindex(list(CHANGE_STATUS), fill_value=0)
    frame = pd.DataFrame(out).T.astype("int64")
    frame.index.name = "period"
    frame.columns.name = "status"
    return frame


# --------------------------------------------------------------------------- reader-facing tables


def meetings_per_year(meetings: pd.DataFrame) -> pd.DataFrame:
    """Meetings held per calendar year (rows) and forum (columns, readable names), zeros included."""
    q = meetings_per_quarter(meetings)
    if q.empty:
        return q
    years = pd.PeriodIndex(q.index, freq="Q").year.astype(str)
    out = q.groupby(years).sum()
    out.index.name = "Year"
    out.columns = [FORUM_LABELS.get(c, c) for c in out.columns]
    return out


def gaps_table(meetings: pd.DataFrame, forum: str = "partnership_board", max_gap_days: int = 120,
               until: object | None = None) -> pd.DataFrame:
    """The long gaps between meetings of a forum, longest first: from, to, days, months, still open."""
    g = meeting_gaps(meetings, forum=forum, max_gap_days=max_gap_days, until=until)
    g = g[g["long_gap"]].sort_values("gap_days", ascending=False, kind="stable")
    return pd.DataFrame({"Last meeting before the gap": g["from_date"],
                         "Next meeting": g["to_date"].where(~g["open"], pd.NaT),
                         "Days": g["gap_days"], "Months": (g["gap_days"] / 30.44).round(1),
                         "Still open at the programme end": g["open"]}).reset_index(drop=True)


def attendance_table(meetings: pd.DataFrame) -> pd.DataFrame:
    """Per forum: meetings, mean attendees per meeting by partner, young people present (total)."""
    a = attendance_by_partner(meetings)
    return pd.DataFrame({"Forum": a["forum"].map(lambda f: FORUM_LABELS.get(f, f)), "Meetings": a["meetings"],
                         "Council (mean)": a["council"], "Barnardo's (mean)": a["barnardos"],
                         "Other partners (mean)": a["other"],
                         "Young people present (total over meetings)": a["young_people_present"]})


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The systems-changes log for reading, furthest-progressed first."""
    log = changes_log(changes)
    log = log.assign(_r=log["status"].map(_STATUS_RANK))
    log = log.sort_values(["_r", "status_date"], ascending=[False, True], kind="stable")
    return pd.DataFrame({"Change": log["description"], "Level": log["level"], "Kind": log["kind"],
                         "Status": log["status"], "First recorded": log["first_date"],
                         "Status reached": log["status_date"], "History": log["history"],
                         "Evidence": log["evidence"]}).reset_index(drop=True)


def describe_gaps(meetings: pd.DataFrame, forum: str = "partnership_board", max_gap_days: int = 120,
                  until: object | None = None) -> str:
    """One plain sentence on the meetings of a forum and the longest gap between them."""
    m = meetings[meetings["forum"] == forum]
    name = FORUM_LABELS.get(forum, forum).lower()
    if len(m) < 2:
        return f"The {name} met {len(m)} time{'s' if len(m) != 1 else ''}: too few meetings to measure gaps."
    gaps = meeting_gaps(meetings, forum=forum, max_gap_days=max_gap_days, until=until)
    closed = gaps[~gaps["open"]]
    longest = gaps.loc[gaps["gap_days"].idxmax()]
    median = float(closed["gap_days"].median())
    span = "until the end of the programme" if longest["open"] else \
        f"until {pd.Timestamp(longest['to_date']).date().isoformat()}"
    start = pd.Timestamp(longest["from_date"]).date().isoformat()
    return (f"The {name} met {len(m)} times; the usual interval was {median:.0f} days. The longest gap ran "
            f"from {start} {span}: {longest['gap_days']} days "
            f"({longest['gap_days'] / 30.44:.0f} months). {int(gaps['long_gap'].sum())} gap(s) exceeded "
            f"{max_gap_days} days.")


def workforce_context(site: str) -> pd.DataFrame | None:
    """The council's social work turnover, vacancy and agency rates by year (public statistics), or None.

    None when this installation has no extract of the public statistics, or when the extract has no
    workforce figures for the site's council (a report then says the context is unavailable). An
    unknown site is a ``KeyError``; a damaged extract is a :class:`~carejourneys.errors.DataError`.
    """
    la_code = sites.get(site).la_new_code
    if not public.extract_available() or not public.is_area_code(la_code):
        return None
    table = public.workforce_table(la_code)
    return table if len(table) else None


# --------------------------------------------------------------------------- digest headings


def find_changes(changes: pd.DataFrame, *terms: str) -> pd.DataFrame:
    """The systems-changes log (:func:`changes_table` rows) whose description mentions any of ``terms``
    (case-insensitive), e.g. ``find_changes(log, "covenant", "protected characteristic")``."""
    log = changes_table(changes)
    if not terms or log.empty:
        return log.iloc[0:0]
    text = log["Change"].astype("str").str.casefold()
    hit = pd.Series(False, index=log.index)
    for t in terms:
        hit |= text.str.contains(t.casefold(), regex=False)
    return log[hit].reset_index(drop=True)


def describe_changes(found: pd.DataFrame) -> str:
    """One sentence per change of a :func:`find_changes` table: what it is, how far it got and when."""
    if found.empty:
        return "No such change is recorded in the systems-changes log."
    parts = [f"{r['Change']} ({r['Status']}, {pd.Timestamp(r['Status reached']).strftime('%B %Y')})"
             for _, r in found.iterrows()]
    return "Recorded in the systems-changes log: " + "; ".join(parts) + "."


COVENANT_TERMS = ("covenant", "protected characteristic")


def covenant_and_protected_characteristic(changes: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for Plymouth's "The care leaver covenant and care experience as a protected
    characteristic": the systems changes that name either, from the systems-changes records."""
    found = find_changes(changes, *COVENANT_TERMS)
    return found, describe_changes(found)


def _site_names(keys: list[str]) -> str:
    names = [str(k).title() for k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def covenant_section(changes: pd.DataFrame, site: str, everywhere: pd.DataFrame | None = None,
                     ) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for the covenant heading on the page of ``site`` (a site key or "all").

    ``changes``: the page's systems changes; ``everywhere``: every site's (to say where such changes
    were recorded when this site has none). The table is narrow (change, level, status, dates,
    evidence), with the site first on a page for several sites.
    """
    found, sentence = covenant_and_protected_characteristic(changes)
    if found.empty:
        elsewhere = [] if everywhere is None else sites_recording(everywhere, *COVENANT_TERMS)
        sentence = ("No change naming the care leaver covenant or care experience as a protected "
                    "characteristic is recorded in this site's systems-changes log"
                    + (f"; such changes are recorded for {_site_names(elsewhere)} only."
                       if elsewhere else "."))
    log = changes_log(changes)
    keep = [c for c in ("Change", "Level", "Status", "First recorded", "Status reached", "Evidence")
            if c in found.columns]
    table = found.loc[:, keep]
    if log["site"].nunique() > 1 and not found.empty:
        where = log.set_index("description")["site"]
        table.insert(0, "Site", found["Change"].map(where).astype("str").str.title().to_numpy())
    return table.reset_index(drop=True), sentence


def sites_recording(changes: pd.DataFrame, *terms: str) -> list[str]:
    """The sites whose systems-changes log has a change mentioning any of ``terms``, in order."""
    log = changes_log(changes)
    text = log["description"].astype("str").str.casefold()
    hit = pd.Series(False, index=log.index)
    for t in terms:
        hit |= text.str.contains(t.casefold(), regex=False)
    return sorted(set(log.loc[hit, "site"].astype("str")))


#: kinds of activity reported under "Outputs": things made, and practice work done with others
OUTPUTS_KINDS = ("output", "practice")


def outputs(activities: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for Brent's "Outputs": what the programme made (activities of kind ``output``:
    films, poetry, packs ...) and the practice work it did with others (kind ``practice``: training,
    work with inspectors), from the activity records. Columns: (Site,) What, Kind, Status, When, Detail.
    """
    _require(activities, ("site", "name", "kind", "status", "start", "end"), "activities")
    a = activities[activities["kind"].isin(OUTPUTS_KINDS)].sort_values(["kind", "start"], kind="stable")
    detail = a["description"] if "description" in a.columns else pd.Series(pd.NA, index=a.index)
    table = pd.DataFrame({"What": a["name"],
                          "Kind": a["kind"].map({"output": "made", "practice": "practice and training"}),
                          "Status": a["status"].astype("str").str.replace("_", " "),
                          "When": a["end"].where(a["end"].notna(), a["start"]), "Detail": detail})
    if activities["site"].nunique() > 1:
        table.insert(0, "Site", a["site"].astype("str").str.title())
    table = table.reset_index(drop=True)
    made = [_lower_first(w) for w in table.loc[table["Kind"] == "made", "What"]]
    practice = [_lower_first(w) for w in table.loc[table["Kind"] != "made", "What"]]
    if table.empty:
        return table, "No outputs or practice work are recorded among this site's activities."
    sentence = (f"{len(made)} output{'s' if len(made) != 1 else ''} made"
                + (f" ({'; '.join(made)})" if made else "")
                + f" and {len(practice)} piece{'s' if len(practice) != 1 else ''} of practice work"
                + (f" ({'; '.join(practice)})" if practice else "") + " are recorded.")
    return table, sentence


def _lower_first(name: object) -> str:
    """A name inside a sentence: its first letter in lower case, other capitals kept ("Work with Ofsted
    inspectors" becomes "work with Ofsted inspectors"; an acronym such as "NHS" is kept)."""
    text = str(name)
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def legacy(activities: pd.DataFrame, changes: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for "Legacy and continuity": the work handed over to the council (activities
    with status ``handed_over``) and the systems changes adopted or embedded, from the records, in order
    of date. Columns: (Site,) What, Kind (handed over / systems change), Status, When, Detail.
    """
    _require(activities, ("site", "name", "kind", "status", "start", "end"), "activities")
    a = activities[activities["status"] == "handed_over"]
    detail = a["description"] if "description" in a.columns else pd.Series(pd.NA, index=a.index)
    rows = [{"site": r.site, "What": r.name, "Kind": "handed over", "Status": "handed over",
             "When": r.end if pd.notna(r.end) else r.start, "Detail": d}
            for r, d in zip(a.itertuples(index=False), detail, strict=True)]
    log = changes_log(changes)
    rows += [{"site": r.site, "What": r.description, "Kind": "systems change", "Status": r.status,
              "When": r.status_date, "Detail": r.evidence}
             for r in log[log["status"].isin(["adopted", "embedded"])].itertuples(index=False)]
    keep = pd.DataFrame(rows, columns=["site", "What", "Kind", "Status", "When", "Detail"])
    keep = keep.sort_values(["When", "What"], kind="stable").reset_index(drop=True)
    several = pd.concat([activities["site"], changes["site"]]).nunique() > 1
    site_col = keep.pop("site")
    if several:
        keep.insert(0, "Site", site_col.astype("str").str.title())
    n = keep["Kind"].value_counts()
    handed_n, changed_n = int(n.get("handed over", 0)), int(n.get("systems change", 0))
    if keep.empty:
        return keep, "No work handed over and no systems change adopted or embedded is recorded."
    sentence = (f"{handed_n} piece{'s' if handed_n != 1 else ''} of work "
                f"{'was' if handed_n == 1 else 'were'} handed over to the council, and {changed_n} systems "
                f"change{'s were' if changed_n != 1 else ' was'} adopted or embedded by the end of the "
                "records.")
    return keep, sentence


OUTPUT_KINDS = ("output",)


def outputs_and_legacy(activities: pd.DataFrame, changes: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for Brent's outputs and "Legacy and continuity": the things the programme
    produced (activities of kind ``output``), the work handed over to the council (status
    ``handed_over``) and the systems changes embedded or adopted, from the programme records.

    Columns: What, Kind (output / handed over / systems change), Status, When, Detail.
    """
    from carejourneys.metrics._common import require_columns

    require_columns(activities, ("name", "kind", "status", "start", "end"), "activities")
    desc = activities["description"] if "description" in activities.columns else pd.Series(
        pd.NA, index=activities.index)
    a = activities.assign(detail=desc)
    rows = []
    for r in a[a["kind"].isin(OUTPUT_KINDS) | (a["status"] == "handed_over")].itertuples(index=False):
        rows.append({"What": r.name, "Kind": "output" if r.kind in OUTPUT_KINDS else "handed over",
                     "Status": str(r.status).replace("_", " "), "When": r.end if pd.notna(r.end) else r.start,
                     "Detail": r.detail})
    log = changes_log(changes)
    for r in log[log["status"].isin(["adopted", "embedded"])].itertuples(index=False):
        rows.append({"What": r.description, "Kind": "systems change", "Status": r.status,
                     "When": r.status_date, "Detail": r.evidence})
    out = pd.DataFrame(rows, columns=["What", "Kind", "Status", "When", "Detail"])
    out = out.sort_values(["When", "What"], kind="stable").reset_index(drop=True)
    n = out["Kind"].value_counts()
    outputs = "; ".join(out.loc[out["Kind"] == "output", "What"].str.lower()) or "none recorded"
    sentence = (f"Outputs: {outputs}. {int(n.get('handed over', 0))} piece(s) of work were handed over "
                f"to the council, and {int(n.get('systems change', 0))} systems change(s) were adopted "
                "or embedded.")
    return out, sentence
