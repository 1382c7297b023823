"""The evidence base: what data the evaluation gathered, from whom, where and when.

All functions take the validated ``fieldwork`` frame (schemas.SOURCES["fieldwork"]) and return
tidy tables ready for ``cj.report.table``. Units follow the evaluation's data-gathering table:
**interviews are counted as people interviewed** (the sum of ``n_participants``), focus groups,
observations and document reviews **as events** (rows). A table that mixes the two says so in its
``Counted as`` column, so that disclosure control is applied to the rows that count people only.
"""

from __future__ import annotations

import pandas as pd

from carejourneys import sites as site_registry
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
    "Interviews with young people": ("interview", ("young_person",), PEOPLE),
    "Interviews with Care Journeys and council staff and stakeholders":
        ("interview", ("cj_staff", "la_staff", "stakeholder"), PEOPLE),
    "Interviews with Barnardo's national staff": ("interview", ("barnardos_staff",), PEOPLE),
    "Focus groups": ("focus_group", None, EVENTS),
    "Observations": ("observation", None, EVENTS),
}

#: the counts the evaluation published for the whole programme (DESIGN.md section 4), used only to
#: compare with what is computed from the data (see :func:`compare_with_published`)
PUBLISHED = {
    "Interviews with young people": 45,
    "Interviews with Care Journeys and council staff and stakeholders": 97,
    "Interviews with Barnardo's national staff": 13,
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
    out += thinning(fieldwork)
    return out


def thinning(fieldwork: pd.DataFrame) -> list[str]:
    """A sentence for each site whose last wave of fieldwork holds the fewest events (the digests'
    caveat that fieldwork was hard to arrange towards a programme's end), with the counts per wave."""
    out = []
    for site in [s for s in schemas.SITES if s in set(fieldwork["site"])]:
        per = fieldwork[fieldwork["site"] == site].groupby("wave").size().reindex(list(schemas.WAVES),
                                                                                fill_value=0)
        last = schemas.WAVES[-1]
        if per[last] < per.drop(last).min():
            waves = ", ".join(f"wave {w}: {int(n)}" for w, n in per.items())
            out.append(f"{SITE_LABELS.get(site, site)}: the last wave holds the fewest data-gathering events "
                       f"({waves}); fieldwork there thinned out towards the end of the programme.")
    return out


# --------------------------------------------------------------------------- one definition per count

#: the coded role that corresponds to each interviewed participant group
_ROLES_OF_GROUP = {"young_person": ("Young person",), "stakeholder": ("Stakeholder",),
                   "cj_staff": ("Staff member", "Manager", "Senior leader"),
                   "la_staff": ("Staff member", "Manager", "Senior leader"),
                   "barnardos_staff": ("Staff member", "Manager", "Senior leader")}
PEOPLE_COUNTS_NOTE = (
    "Interviews count conversations, as in the data-gathering table; someone interviewed twice counts "
    "once among people interviewed. The site-learning page's percentages rest on the people whose words "
    "were coded at the site: people interviewed plus focus-group participants, less anyone with nothing "
    "coded.")


def people_counts(fieldwork: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """The one definition of each count of people, per site and participant group, used by the
    evidence-base page (00) and the site-learning page (02).

    Columns: Site, Group, Interviews (fieldwork rows: what 00's headline counts), People interviewed
    (distinct speakers of the interview transcripts), People in focus groups, People whose words
    were coded (distinct speakers of any coded passage of that group's transcripts: the base of
    02's percentages), and a last row per site, "All groups", whose last column is the site's base.
    ``segments`` are coded segments with ``source_id`` and ``speaker_id`` (or one person per source).
    """
    from carejourneys.metrics import qualitative

    seg = segments.assign(person=qualitative.people(segments))
    fw = fieldwork[fieldwork["method"].isin(["interview", "focus_group"])]
    link = fw.set_index("source_id")[["method", "participant_group"]]
    seg = seg.join(link, on="source_id", how="left")
    rows = []
    for site in [s for s in schemas.FIELDWORK_SITES if s in set(fieldwork["site"])]:
        f_site = fieldwork[fieldwork["site"] == site]
        s_site = seg[seg["site"] == site]
        for group in schemas.PARTICIPANT_GROUPS:
            f = f_site[f_site["participant_group"] == group]
            if f.empty:
                continue
            g = s_site[s_site["participant_group"] == group]
            rows.append([SITE_LABELS.get(site, site), GROUP_LABELS[group],
                         int(_amount(f)[f["method"].eq("interview")].sum()),
                         g.loc[g["method"] == "interview", "person"].nunique(),
                         g.loc[g["method"] == "focus_group", "person"].nunique(),
                         g["person"].nunique()])
        rows.append([SITE_LABELS.get(site, site), "All groups",
                     int(_amount(f_site)[f_site["method"].eq("interview")].sum()),
                     s_site.loc[s_site["method"] == "interview", "person"].nunique(),
                     s_site.loc[s_site["method"] == "focus_group", "person"].nunique(),
                     s_site["person"].nunique()])
    out = pd.DataFrame(rows, columns=["Site", "Group", "Interviews", "People interviewed",
                                      "People in focus groups", "People whose words were coded"])
    for c in out.columns[2:]:
        out[c] = out[c].astype("int64")
    return out


def site_base(fieldwork: pd.DataFrame, segments: pd.DataFrame, site: str) -> dict[str, int]:
    """For one site: ``interviews`` (00's count), ``people_interviewed`` and ``people_coded`` (02's base)."""
    t = people_counts(fieldwork, segments)
    row = t[(t["Site"] == SITE_LABELS.get(site, site)) & (t["Group"] == "All groups")]
    if row.empty:
        return {"interviews": 0, "people_interviewed": 0, "people_coded": 0}
    r = row.iloc[0]
    return {"interviews": int(r["Interviews"]), "people_interviewed": int(r["People interviewed"]),
            "people_coded": int(r["People whose words were coded"])}


# --------------------------------------------------------------------------- quantitative methods

#: the quantitative half of the evaluation's data-gathering table, as it published it (compared only)
PUBLISHED_QUANTITATIVE = {
    "Council care leaver returns (OC3)": "2 Plymouth, 3 Brent",
    "Bright Spots survey reports": "1 per site (2)",
    "Pre/post questionnaires": "n=15, three Plymouth activities",
    "Retrospective survey": "n=11",
    "Personal Adviser survey": "8 responses on 15 young people, Brent",
    "Wellbeing workshop facilitator ratings": "9",
}


def _n(frame: pd.DataFrame | None, column: str | None = None) -> int:
    if frame is None or len(frame) == 0:
        return 0
    return int(frame[column].nunique()) if column else len(frame)


def quantitative_summary(ds) -> pd.DataFrame:
    """The table of 00's "Quantitative evaluation methods" (its sentence is
    :func:`carejourneys.render.findings.quantitative`, read from the protected table): each
    quantitative source's size per site and in total, computed from the dataset ``ds``
    (``load_dataset``), beside what the evaluation published (the Published column only when several
    sites are shown).

    Rows: council care leaver returns (collection years per site), Bright Spots survey reports
    (site and survey year), pre/post questionnaires (respondents; activities), retrospective survey
    (respondents), Personal Adviser survey (responses; young people rated), facilitator ratings
    (sessions rated). Columns: Method, Counted as, one column per site present, Total, Published.
    These are overall sample sizes of a method (publishable, DESIGN.md section 6).
    """
    sites = [s for s in schemas.SITES if s in set(ds.fieldwork["site"])] or list(schemas.SITES)
    labels = [SITE_LABELS.get(s) or site_registry.label(s) for s in sites]

    def per_site(frame, column=None, site_col="site"):
        if frame is None or len(frame) == 0 or site_col not in frame.columns:
            return [0] * len(sites)
        return [_n(frame[frame[site_col] == s], column) for s in sites]

    oc3 = getattr(ds, "oc3", None)
    oc3_years = per_site(oc3, "collection_year") if oc3 is not None and "collection_year" in oc3 else \
        [0] * len(sites)
    bs = getattr(ds, "bright_spots", None)
    bs_reports = per_site(bs, "survey_year")
    pp, rs = ds.prepost_survey, ds.retrospective_survey
    pa, fr = ds.pa_survey, ds.facilitator_ratings
    rows = [
        ("Council care leaver returns (OC3)", "returns (collection years)", oc3_years),
        ("Bright Spots survey reports", "reports", bs_reports),
        ("Pre/post questionnaires", "young people", per_site(pp, "respondent_id")),
        ("Pre/post questionnaires: activities", "activities", per_site(pp, "activity")),
        ("Retrospective survey", "young people", per_site(rs, "respondent_id")),
        ("Personal Adviser survey: responses", "responses", per_site(pa, "response_id")),
        ("Personal Adviser survey: young people rated", "young people", per_site(pa, "young_person_ref")),
        ("Wellbeing workshop facilitator ratings", "sessions rated", per_site(fr, "session_id")),
    ]
    q = PUBLISHED_QUANTITATIVE
    published = {"Council care leaver returns (OC3)": q["Council care leaver returns (OC3)"],
                 "Bright Spots survey reports": q["Bright Spots survey reports"],
                 "Pre/post questionnaires": "15", "Pre/post questionnaires: activities": "3",
                 "Retrospective survey": "11", "Personal Adviser survey: responses": "8",
                 "Personal Adviser survey: young people rated": "15",
                 "Wellbeing workshop facilitator ratings": "9"}
    table = pd.DataFrame([[m, unit, *v, sum(v), published[m]] for m, unit, v in rows],
                         columns=["Method", "Counted as", *labels, TOTAL, "Published"])
    if len(labels) == 1:  # a single site holds part of each published total: no comparison
        table = table.drop(columns=[TOTAL, "Published"])
    return table
