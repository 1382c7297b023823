"""The evidence base: what data the evaluation gathered, from whom, where and when.

All functions take the validated ``fieldwork`` frame (schemas.SOURCES["fieldwork"]) and return
tidy tables ready for ``cj.report.table``. Units follow the evaluation's data-gathering table:
**interviews are counted as people interviewed** (the sum of ``n_participants``), focus groups,
observations and document reviews **as events** (rows). A table that mixes the two says so in its
``Counted as`` column, so that disclosure control is applied to the rows that count people only.
"""

from __future__ import annotations

import pandas as pd

from carejourneys.inputs import schemas

METHOD_LABELS = {
    "interview": "Interviews",
    "focus_group": "Focus groups",
    "observation": "Observations",
    "document_review": "Document reviews",
}
GROUP_LABELS = {
    "young_person": "Young people",
    "cj_staff": "Care Journeys staff",
    "la_staff": "Council staff",
    "stakeholder": "Stakeholders",
    "barnardos_staff": "Barnardo's national staff",
}
#: the groups as written inside a sentence
GROUP_PHRASES = {
    "young_person": "young people",
    "cj_staff": "Care Journeys staff",
    "la_staff": "council staff",
    "stakeholder": "stakeholders",
    "barnardos_staff": "Barnardo's national staff",
}
SITE_LABELS = {"brent": "Brent", "plymouth": "Plymouth", "national": "National"}
PEOPLE, EVENTS = "people", "events"
TOTAL = "Total"

#: the headline categories of the evaluation's published data-gathering summary:
#: label -> (method, participant groups or None for every group, unit)
SUMMARY_ROWS: dict[str, tuple[str, tuple[str, ...] | None, str]] = {
    "Young people interviewed": ("interview", ("young_person",), PEOPLE),
    "Care Journeys and council staff and stakeholders interviewed":
        ("interview", ("cj_staff", "la_staff", "stakeholder"), PEOPLE),
    "Barnardo's national staff interviewed": ("interview", ("barnardos_staff",), PEOPLE),
    "Focus groups": ("focus_group", None, EVENTS),
    "Observations": ("observation", None, EVENTS),
}

#: the counts the evaluation published for the whole programme (DESIGN.md section 4), used only to
#: compare with what is computed from the data (see :func:`compare_with_published`)
PUBLISHED = {
    "Young people interviewed": 45,
    "Care Journeys and council staff and stakeholders interviewed": 97,
    "Barnardo's national staff interviewed": 13,
    "Focus groups": 4,
    "Observations": 45,
}


def unit_of(method: str) -> str:
    """``people`` for interviews, ``events`` for every other method."""
    return PEOPLE if method == "interview" else EVENTS


def _amount(frame: pd.DataFrame) -> pd.Series:
    """Per row: people for interviews, 1 per event otherwise."""
    people = frame["n_participants"].astype("Int64").fillna(1)
    return people.where(frame["method"].eq("interview"), 1).astype("int64")


def _site_columns(fieldwork: pd.DataFrame) -> list[str]:
    present = set(fieldwork["site"].dropna())
    return [s for s in schemas.FIELDWORK_SITES if s in present]


def data_gathering(fieldwork: pd.DataFrame, *, methods: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Methods x participant groups x site.

    One row per method and participant group that occurs (in code-list order), columns
    ``Method``, ``Participant group``, ``Counted as`` (people or events), one column per site
    present (Brent, Plymouth, National) and ``Total`` (when there are several sites). ``methods``
    restricts the methods shown.
    """
    fw = fieldwork if methods is None else fieldwork[fieldwork["method"].isin(methods)]
    site_cols = _site_columns(fw)
    labels = [SITE_LABELS.get(s, s) for s in site_cols]
    columns = ["Method", "Participant group", "Counted as", *labels, TOTAL]
    if fw.empty:
        return pd.DataFrame({c: pd.Series(dtype="str" if i < 3 else "int64") for i, c in enumerate(columns)})
    counts = (fw.assign(_n=_amount(fw))
              .groupby(["method", "participant_group", "site"], observed=True)["_n"].sum())
    rows = []
    for method in schemas.METHODS:
        if methods is not None and method not in methods:
            continue
        for group in schemas.PARTICIPANT_GROUPS:
            if (method, group) not in counts.index.droplevel("site"):
                continue
            by_site = [int(counts.get((method, group, s), 0)) for s in site_cols]
            rows.append([METHOD_LABELS[method], GROUP_LABELS[group], unit_of(method), *by_site, sum(by_site)])
    return _finish(pd.DataFrame(rows, columns=columns), labels)


def _finish(out: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Integer count columns; no Total column when there is a single site (it would repeat it)."""
    for c in [*labels, TOTAL]:
        out[c] = out[c].astype("int64")
    return out.drop(columns=[TOTAL]) if len(labels) == 1 else out


def summary(fieldwork: pd.DataFrame) -> pd.DataFrame:
    """The headline counts of the published summary (:data:`SUMMARY_ROWS`) by site and in total.

    Columns ``What``, ``Counted as``, one per site present, ``Total`` (when there are several
    sites). Every headline row is present, with zeros where the data hold none.
    """
    site_cols = _site_columns(fieldwork)
    labels = [SITE_LABELS.get(s, s) for s in site_cols]
    amount = _amount(fieldwork) if not fieldwork.empty else pd.Series(dtype="int64")
    rows = []
    for label, (method, groups, unit) in SUMMARY_ROWS.items():
        mask = fieldwork["method"].eq(method)
        if groups is not None:
            mask &= fieldwork["participant_group"].isin(groups)
        by_site = [int(amount[mask & fieldwork["site"].eq(s)].sum()) for s in site_cols]
        rows.append([label, unit, *by_site, sum(by_site)])
    return _finish(pd.DataFrame(rows, columns=["What", "Counted as", *labels, TOTAL]), labels)


def compare_with_published(fieldwork: pd.DataFrame) -> pd.DataFrame:
    """Computed totals beside the published ones: ``What``, ``Computed``, ``Published``, ``Same``.

    Meaningful for the whole programme (site ``all``); a single site holds only part of each total.
    """
    table = summary(fieldwork).set_index("What")
    s = table[count_columns(table)].sum(axis=1) if TOTAL not in table.columns else table[TOTAL]
    out = pd.DataFrame({"What": list(PUBLISHED), "Computed": [int(s.get(k, 0)) for k in PUBLISHED],
                        "Published": list(PUBLISHED.values())})
    out["Same"] = out["Computed"].eq(out["Published"]).map({True: "yes", False: "no"})
    return out


def over_time(fieldwork: pd.DataFrame, *, freq: str = "quarter") -> pd.DataFrame:
    """Data-gathering events per period and method (long form).

    Columns ``period`` (pandas Period, ``quarter`` or ``month`` or ``year``), ``method``
    (code), ``events`` (rows) and ``people`` (people interviewed; 0 for other methods). Periods
    between the first and the last with no fieldwork are included with zeros.
    """
    code = {"quarter": "Q", "month": "M", "year": "Y"}[freq]
    cols = ["period", "method", "events", "people"]
    if fieldwork.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in cols})
    fw = fieldwork.assign(period=fieldwork["date"].dt.to_period(code), _n=_amount(fieldwork),
                          _e=1)
    fw["_n"] = fw["_n"].where(fw["method"].eq("interview"), 0)
    g = fw.groupby(["period", "method"], observed=True)[["_e", "_n"]].sum()
    periods = pd.period_range(fw["period"].min(), fw["period"].max(), freq=code)
    methods = [m for m in schemas.METHODS if m in set(fw["method"])]
    full = pd.MultiIndex.from_product([periods, methods], names=["period", "method"])
    g = g.reindex(full, fill_value=0).reset_index()
    return g.rename(columns={"_e": "events", "_n": "people"})[cols].astype({"events": "int64",
                                                                             "people": "int64"})


def coverage(fieldwork: pd.DataFrame) -> pd.DataFrame:
    """Per site and wave: events, people interviewed, participant groups interviewed, first and last date.

    Columns ``Site``, ``Wave``, ``Events``, ``People interviewed``, ``Groups interviewed``,
    ``From``, ``To``; one row per site and wave of the code lists that occurs in the data.
    """
    rows = []
    amount = _amount(fieldwork) if not fieldwork.empty else pd.Series(dtype="int64")
    for site in _site_columns(fieldwork):
        for wave in schemas.WAVES:
            mask = fieldwork["site"].eq(site) & fieldwork["wave"].eq(wave)
            if not mask.any():
                continue
            part = fieldwork[mask]
            interviews = part["method"].eq("interview")
            groups = [GROUP_LABELS[g] for g in schemas.PARTICIPANT_GROUPS
                      if g in set(part.loc[interviews, "participant_group"])]
            rows.append([SITE_LABELS.get(site, site), wave, int(mask.sum()),
                         int(amount[mask & fieldwork["method"].eq("interview")].sum()),
                         ", ".join(groups) or "none", part["date"].min().date(), part["date"].max().date()])
    return pd.DataFrame(rows, columns=["Site", "Wave", "Events", "People interviewed", "Groups interviewed",
                                       "From", "To"])


def coverage_gaps(fieldwork: pd.DataFrame) -> list[str]:
    """Plain sentences naming each site and wave in which a participant group was not interviewed.

    Only groups interviewed at that site in some wave are considered (Barnardo's national staff
    belong to the national strand, not to a site).
    """
    gaps = []
    interviews = fieldwork[fieldwork["method"].eq("interview")]
    for site in _site_columns(fieldwork):
        at_site = interviews[interviews["site"].eq(site)]
        waves = [w for w in schemas.WAVES if fieldwork["wave"].eq(w).any()]
        for group in schemas.PARTICIPANT_GROUPS:
            seen = set(at_site.loc[at_site["participant_group"].eq(group), "wave"].dropna().astype(int))
            if not seen:
                continue
            missing = [w for w in waves if w not in seen]
            if missing:
                which = " or ".join(str(w) for w in missing)
                gaps.append(f"{SITE_LABELS.get(site, site)}: no {GROUP_PHRASES[group]} "
                            f"were interviewed in wave {which}.")
    return gaps


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a :func:`data_gathering` or :func:`summary` table that hold counts."""
    return [c for c in table.columns if c in SITE_LABELS.values() or c == TOTAL]


def people_rows(table: pd.DataFrame) -> pd.Series:
    """True for the rows of a :func:`data_gathering` or :func:`summary` table that count people."""
    return table["Counted as"].eq(PEOPLE)


def over_time_text(fieldwork: pd.DataFrame, *, freq: str = "quarter") -> str:
    """One sentence describing the fieldwork-over-time chart (its alt text)."""
    ot = over_time(fieldwork, freq=freq)
    if ot.empty:
        return "No fieldwork is recorded, so the chart is empty."
    per = ot.groupby("period")["events"].sum()
    busiest = per.idxmax()
    first, last = per.index.min(), per.index.max()
    return (f"Stacked bar chart of data-gathering events per {freq} by method, from {first} to {last}, "
            f"{int(per.sum())} events in all; the busiest {freq} was {busiest} with {int(per.max())} events.")


def caveats(fieldwork: pd.DataFrame, site: str) -> list[str]:
    """What a reader of the evidence-base page should keep in mind, as plain sentences."""
    out = []
    if fieldwork.empty:
        return ["No fieldwork is recorded for this selection."]
    if site != "all":
        out.append("Interviews with Barnardo's national staff belong to the national strand of the "
                   "evaluation; they are counted on the page for all sites only.")
    if fieldwork["method"].eq("document_review").any():
        out.append("Document reviews are listed as events; they are not part of the five headline counts.")
    out.append("Observations and focus groups are counted as events: the people present at them are not "
               "added to the number of people interviewed.")
    out += coverage_gaps(fieldwork)
    return out
