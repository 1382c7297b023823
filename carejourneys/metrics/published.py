"""Every table of people the reports publish, as a function of one site's dataset, with its declaration.

This is the catalogue disclosure control works from. Each function takes a
:class:`~carejourneys.inputs.dataset.Dataset` (restricted to one site, or to all sites) and returns a
table whose columns counting people are declared (:func:`carejourneys.sdc.disclosure.declare`), so
that :func:`carejourneys.render.report.table` can compute it for every site and for ``all`` and
protect those tables as one problem. A notebook passes the function itself::

    cj.report.table(published.coverage, caption="Fieldwork by site and wave")

Functions taking further arguments return such a function (``published.change("prepost")``).
Columns that only help protection (which rows count people) are dropped before display.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from carejourneys.metrics import evidence, outcomes, participation, surveys, themes, timeline, triangulation
from carejourneys.sdc.disclosure import PROTECTED, declare

Source = Callable[[Any], pd.DataFrame]
#: helper column: True where a row counts people (rows counting events are left alone)
PEOPLE_ROW = "_counts_people"
#: columns whose names start with this take part in protection but are never shown (report drops them)
HIDDEN = "_"


def from_protected(frame: pd.DataFrame, counts: list[str] | None = None) -> pd.DataFrame:
    """Mark ``frame`` as cut from tables already protected for the whole site (every value taken as it
    stands, a withheld one still ``c``), so that ``cj.report`` shows it without protecting it again."""
    frame.attrs.clear()
    frame = declare(frame, counts or [])
    frame.attrs[PROTECTED] = True
    return frame


def _threshold(ds: Any) -> int:
    """Metrics take a threshold for their own notes; protection itself is decided by the policy."""
    return 1


# --------------------------------------------------------------------------- 00 evidence base


def _with_people_rows(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out[PEOPLE_ROW] = evidence.people_rows(frame).to_numpy()
    return out


def fieldwork_summary(ds: Any) -> pd.DataFrame:
    """Data gathered, by site (people and events)."""
    t = _with_people_rows(evidence.summary(ds.fieldwork))
    return declare(t, evidence.count_columns(t), count_rows=PEOPLE_ROW, labels=["What", "Counted as"])


def data_gathering(ds: Any) -> pd.DataFrame:
    """Data gathering by method, participant group and site."""
    t = _with_people_rows(evidence.data_gathering(ds.fieldwork))
    return declare(
        t,
        evidence.count_columns(t),
        count_rows=PEOPLE_ROW,
        labels=["Method", "Participant group", "Counted as"],
    )


def coverage(ds: Any) -> pd.DataFrame:
    """Fieldwork by site and wave: events and people (an interview is one person, so events of a wave
    are treated as people too)."""
    t = evidence.coverage(ds.fieldwork)
    counts = [c for c in ("Events", "People interviewed", "Groups interviewed") if c in t.columns]
    return declare(t, counts, labels=["Site", "Wave"])


def fieldwork_over_time(ds: Any) -> pd.DataFrame:
    """Events and people per quarter and method (the numbers behind the fieldwork chart)."""
    t = evidence.over_time(ds.fieldwork)
    t = t.assign(period=t["period"].astype("str"))
    return declare(
        t,
        [c for c in ("events", "people") if c in t.columns],
        labels=["period", "method"],
        secondary="columns",
    )


def quantitative_methods(ds: Any) -> pd.DataFrame:
    """The quantitative half of the data-gathering table: each quantitative source's size per site
    (and in total, beside what the evaluation published, on a page for several sites). Rows counting
    young people or Personal Advisers' responses are people; returns, reports, activities and rated
    sessions are not."""
    t = evidence.quantitative_summary(ds)
    t[PEOPLE_ROW] = t["Counted as"].isin(["young people", "responses"]).to_numpy()
    counts = [c for c in t.columns if c not in ("Method", "Counted as", "Published", PEOPLE_ROW)]
    return declare(t, counts, count_rows=PEOPLE_ROW, labels=["Method", "Counted as", "Published"],
                   secondary=None)


def people_bases(ds: Any) -> pd.DataFrame:
    """One definition per count of people at each site (:func:`carejourneys.metrics.evidence.people_counts`,
    the "All groups" rows): interviews held, people interviewed and the people whose words were coded
    (the base of the site-learning page's percentages: people interviewed and focus-group participants,
    less anyone with nothing coded)."""
    t = evidence.people_counts(ds.fieldwork, ds.coded_segments)
    # people in focus groups are left out: with the other two columns they nearly always sum to the
    # people whose words were coded, which would give a withheld one back
    t = t[t["Group"] == "All groups"].drop(columns=["Group", "People in focus groups"]).reset_index(drop=True)
    return declare(t, ["Interviews", "People interviewed", "People whose words were coded"], labels=["Site"],
                   secondary=None)

def evidence_sample_sizes(ds: Any) -> pd.DataFrame:
    """Sources of evidence on outcomes and how many each covers: the overall sample size of each
    method, which is publishable (zero where a site did not collect it)."""
    return declare(triangulation.sample_sizes(ds), ["n"], labels=["Source", "What n counts"])


# --------------------------------------------------------------------------- 01 outcomes


def _change(ds: Any, design: str, by: str | None = None, scales: list[str] | None = None) -> pd.DataFrame:
    if design == "prepost":
        kw: dict[str, Any] = {"threshold": _threshold(ds)}
        if by is not None:
            kw["by"] = by
        if scales is not None:
            kw["scales"] = scales
        return outcomes.prepost_change(ds.prepost_survey, **kw)
    return outcomes.retrospective_change(ds.retrospective_survey, threshold=_threshold(ds))


CHANGE_COUNTS = [
    "n_pairs",
    "n_improved",
    "n_same",
    "n_worse",
    "n_reliably_improved",
    "n_reliably_worse",
    "sign_n_pos",
    "sign_n_neg",
    "n_zero",
    "n_not_scored",
]


def change(design: str, *, by: str | None = None, scales: list[str] | None = None) -> Source:
    """Change per measure (``design`` prepost or retrospective), as computed: for charts and findings."""

    def source(ds: Any) -> pd.DataFrame:
        t = _change(ds, design, by, scales)
        labels = [c for c in ("label", "scale", "activity", "design", "domain") if c in t.columns]
        return declare(
            t,
            [c for c in CHANGE_COUNTS if c in t.columns],
            labels=labels,
            total_columns={"n_pairs": ["n_improved", "n_same", "n_worse"]},
            secondary="columns",
        )

    source.__name__ = f"change_{design}_{by or 'all'}"
    return source


def change_display(
    design: str, *, by: str | None = None, scales: list[str] | None = None, part: str = "main"
) -> Source:
    """The change table as shown: ``part`` "main" (narrow, for readers) or "annex" (every statistic)."""

    def source(ds: Any) -> pd.DataFrame:
        raw = _change(ds, design, by, scales)
        maker = getattr(outcomes, f"{part}_table", None) or outcomes.display_table
        t = maker(raw, threshold=_threshold(ds))
        if by is not None and by in raw.columns and "Activity" not in t.columns:
            t.insert(0, "Activity", raw[by].astype("str").to_numpy())
        if "Improved" not in t.columns:
            # the reader's table shows no better / same / worse counts, but its means and intervals
            # are computed from them: carried as hidden counts, a row whose counts are withheld
            # elsewhere on the site withholds its statistics here too (mean and interval of integer
            # changes over a few people can give the counts back)
            for col, name in (("n_improved", "Improved"), ("n_same", "Same"), ("n_worse", "Worse")):
                if col in raw.columns:
                    t[HIDDEN + name] = raw[col].astype("int64").to_numpy()
        counts = [c for c in [*outcomes.DISPLAY_COUNTS, *(HIDDEN + n for n in ("Improved", "Same", "Worse"))]
                  if c in t.columns]
        labels = [c for c in ("Activity", "Measure") if c in t.columns]
        parts = [c for c in ("Improved", "Same", "Worse") if c in t.columns] or \
            [c for c in (HIDDEN + "Improved", HIDDEN + "Same", HIDDEN + "Worse") if c in t.columns]
        totals = {"Pairs": parts} if "Pairs" in t.columns and len(parts) == 3 else {}
        return declare(
            t,
            counts,
            labels=labels,
            total_columns=totals,
            secondary="columns",
            percent_of={"Improved %": "Improved"} if "Improved %" in t.columns else None,
        )

    source.__name__ = f"change_display_{design}_{by or 'all'}_{part}"
    return source


def pa_ratings(ds: Any) -> pd.DataFrame:
    """Personal Advisers' ratings per outcome area, as computed (for the chart)."""
    t = surveys.pa_ratings(ds.pa_survey, threshold=_threshold(ds))
    counts = [
        c
        for c in ("young_people", "rated", "better", "same", "worse", "dont_know_or_blank")
        if c in t.columns
    ]
    return declare(
        t,
        counts,
        labels=["domain", "label"],
        total_columns={"rated": ["better", "same", "worse"]},
        secondary="columns",
    )


def pa_display(ds: Any) -> pd.DataFrame:
    """Young people rated better, the same or worse by their Personal Adviser."""
    t = surveys.pa_display(
        surveys.pa_ratings(ds.pa_survey, threshold=_threshold(ds)), threshold=_threshold(ds)
    )
    return declare(
        t,
        [c for c in surveys.PA_DISPLAY_COUNTS if c in t.columns],
        labels=["Outcome domain"],
        total_columns={"Rated": ["Better", "Same", "Worse"]},
        secondary="columns",
    )


def facilitator_summary(ds: Any) -> pd.DataFrame:
    """Facilitator ratings over all sessions (sessions, attendances: no person is counted)."""
    t = surveys.facilitator_display(ds.facilitator_ratings)
    return declare(t, [], labels=["Period"] if "Period" in t.columns else None)


def facilitator_sessions(ds: Any) -> pd.DataFrame:
    """Facilitator ratings per session, with attendees (counts of people)."""
    t = surveys.facilitator_session_display(ds.facilitator_ratings)
    t = t.assign(**{"Session date": t["Session date"].astype("str")}) if "Session date" in t.columns else t
    return declare(t, ["Attendees"], labels=["Session date", "Activity"], secondary=None)


def interview_outcomes(ds: Any) -> pd.DataFrame:
    """Outcome areas in interviews with young people: people, interviews, tone."""
    t = triangulation.qualitative_display(ds.coded_segments)
    counts = [c for c in triangulation.QUALITATIVE_DISPLAY_COUNTS if c in t.columns]
    return declare(t, counts, labels=["Outcome domain"], secondary="columns")


def triangulation_long(ds: Any) -> pd.DataFrame:
    """Every source's evidence on every outcome domain: n and how many improved, stayed, worsened."""
    t = triangulation.triangulate(ds)
    return declare(
        t,
        [c for c in ("n", "improved", "same", "worse", "mentioned") if c in t.columns],
        labels=["domain", "domain_label", "source", "source_label", "unit"],
        total_columns={"n": ["improved", "same", "worse"]},
        secondary="columns",
    )


def domain_directions(ds: Any) -> pd.DataFrame:
    """What each source says about each outcome area, for readers: its n, the direction read by
    :data:`carejourneys.metrics.triangulation.RULE_TEXT`, why and how strong.

    Only ``n`` counts people here. The direction is a band of the better / same / worse breakdown
    (shown, protected, in :func:`triangulation_long`): show it only through :func:`safe_directions`,
    which withholds it wherever the source's n is withheld or where it would narrow a withheld count
    of the breakdown to one value. Rows for sources that did not measure an area are kept (so every
    site's table has the same rows) and dropped for display by :func:`domain_readout`."""
    t = triangulation.triangulate(ds)
    out = pd.DataFrame({
        "domain": t["domain"].to_numpy(),
        "Outcome area": t["domain_label"].to_numpy(),
        "source": t["source"].to_numpy(),
        "Source": t["source_label"].to_numpy(),
        "What n counts": t["unit"].to_numpy(),
        "n": t["n"].astype("int64").to_numpy(),
        "Direction": t["direction"].to_numpy(),
        "Why": t["basis"].fillna("").to_numpy(),
        "Strength": t["strength"].to_numpy(),
    })
    return declare(out, ["n"], labels=["domain", "Outcome area", "source", "Source", "What n counts",
                                       "Direction", "Why", "Strength"], secondary=None)


#: sources whose direction is a function of the better / same / worse counts alone
COUNT_BASED_SOURCES = ("pa_survey", "interviews", "facilitator")


def _pins(improved: object, same: object, worse: object, n: int, direction: str,
          zeros_withheld: bool = False) -> bool:
    """Whether knowing a count-based ``direction`` narrows a withheld (``c``) count of the breakdown
    to a single value: every breakdown consistent with the shown cells and the total ``n`` is
    enumerated, a withheld cell taking any value from 1 (0 when zeros are withheld) to n, since a
    cell withheld to protect another can be large."""
    cells = [improved, same, worse]
    hidden = [i for i, v in enumerate(cells) if str(v) == "c"]
    if not hidden:
        return False
    low = 0 if zeros_withheld else 1
    ranges = [range(low, n + 1) if i in hidden else [int(cells[i])] for i in range(3)]
    seen: list[set[int]] = [set() for _ in range(3)]
    for a in ranges[0]:
        for b in ranges[1]:
            for c in ranges[2]:
                if a + b + c == n and triangulation.direction(a, b, c) == direction:
                    for i, v in enumerate((a, b, c)):
                        seen[i].add(v)
    return any(len(seen[i]) <= 1 for i in hidden)


def safe_directions(directions: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """The *protected* :func:`domain_directions` table with its directions made safe against the
    *protected* :func:`triangulation_long` breakdown: where n is withheld, or the direction of a
    count-based source would pin a withheld count of its breakdown, the direction, reason and
    strength read ``c``. A score-based direction (a questionnaire's confidence interval) is withheld
    wherever its breakdown withholds a count, as the change table withholds that interval."""
    out = directions.copy()
    key = ["domain", "source"]
    brk = long.set_index(key)
    zeros_withheld = bool(long.attrs.get("zeros_withheld"))
    for i, r in out.iterrows():
        n = str(r["n"])
        unsafe = n == "c"
        if not unsafe and n != "0" and (r["domain"], r["source"]) in brk.index:
            b = brk.loc[(r["domain"], r["source"])]
            d = str(r["Direction"])
            if d == triangulation.LEVEL_ONLY:
                pass  # a level (facilitators' ratings) is the same whatever the counts: it narrows nothing
            elif r["source"] in COUNT_BASED_SOURCES:
                unsafe = _pins(b["improved"], b["same"], b["worse"], int(n), d, zeros_withheld)
            else:
                # read from a confidence interval the page withholds wherever a count is withheld
                unsafe = any(str(b[k]) == "c" for k in ("improved", "same", "worse"))
        if unsafe:
            out.loc[i, ["Direction", "Why", "Strength"]] = "c"
    out.attrs.update(directions.attrs)
    return out


def domain_readout(directions: pd.DataFrame, domain: str) -> pd.DataFrame:
    """One outcome area of the *protected* :func:`domain_directions` table, as readers see it: the
    sources that measured it (n above zero), each with its n, direction, reason and strength.
    Every value is taken from the protected table as it stands."""
    rows = directions[(directions["domain"] == domain) & (directions["n"].astype("str") != "0")]
    out = pd.DataFrame({
        "Source": [f"{s} ({u})" for s, u in zip(rows["Source"], rows["What n counts"], strict=True)],
        "n": rows["n"].to_numpy(),
        "Direction": rows["Direction"].to_numpy(),
        "Why": rows["Why"].to_numpy(),
        "Strength": rows["Strength"].to_numpy(),
    })
    return from_protected(out)


def directions_matrix(directions: pd.DataFrame) -> pd.DataFrame:
    """Outcome area by source from the *protected* :func:`domain_directions` table: the direction and
    its n, ``c`` where the source's n is withheld, and a dash where the source did not measure it."""

    def text(r: pd.Series) -> str:
        if str(r["n"]) == "c":
            return "c"
        if str(r["n"]) == "0":
            return "–"
        return f"{r['Direction']} (n={r['n']})"

    cells = directions.assign(text=directions.apply(text, axis=1))
    wide = cells.pivot_table(index="Outcome area", columns="Source", values="text", aggfunc="first",
                             sort=False)
    wide.index.name = "Outcome area"
    wide.columns.name = None
    out = wide.reset_index()
    return from_protected(out)


# --------------------------------------------------------------------------- 02 site learning


def quietest(ds: Any) -> pd.DataFrame:
    """The quietest six months in the delay window and the six months before."""
    window = timeline.delay_window(ds.milestones)
    t = timeline.quietest_table(ds.participation, window)
    for c in ("From", "To"):
        if c in t.columns:
            t[c] = t[c].astype("str")
    return declare(t, ["Young people", "Attendances"], labels=["Period", "From", "To"], secondary=None)


def headline(ds: Any) -> pd.DataFrame:
    """Headline participation figures as a one-row table."""
    h = participation.headline(ds.participation)
    t = pd.DataFrame([h])
    people = [c for c in t.columns if "young people" in c]
    return declare(t, people + [c for c in t.columns if c == "attendances"], labels=[], secondary=None)


def _participation(
    make: Callable[[Any], pd.DataFrame], label: str, *, totals: dict | None = None, name: str
) -> Source:
    def source(ds: Any) -> pd.DataFrame:
        t = participation.readable(make(ds))
        for c in t.columns:
            if isinstance(t[c].dtype, pd.PeriodDtype) or str(t[c].dtype).startswith("period"):
                t[c] = t[c].astype("str")
        counts = participation.count_columns(t)
        if "Attendances" in t.columns and "Attendances" not in counts:
            counts = [*counts, "Attendances"]
        return declare(
            t,
            counts,
            labels=[label],
            total_columns=totals,
            percent_of=participation.percent_columns(t) or None,
            secondary="both",
        )

    source.__name__ = name
    return source


reach = _participation(
    lambda ds: participation.reach_by_quarter(ds.participation).drop(columns="cumulative"),
    "Quarter",
    totals={"Young people": ["New", "Returning"]},
    name="reach",
)
activities_per_person = _participation(
    lambda ds: participation.activities_per_person(ds.participation),
    "Activities taken part in",
    name="activities_per_person",
)
retention = _participation(
    lambda ds: participation.retention(ds.participation),
    "Activity",
    totals={"Young people": ["Came back", "Came once only"]},
    name="retention",
)
roles = _participation(lambda ds: participation.roles(ds.participation), "Role", name="roles")


def diversity(characteristic: str) -> Source:
    """Participants against the council's care population by ``characteristic``."""

    def source(ds: Any) -> pd.DataFrame:
        t = participation.readable(
            participation.diversity(ds.participation, ds.young_people, ds.population, characteristic)
        )
        counts = [c for c in ("Participants", "Council population") if c in t.columns]
        return declare(
            t,
            counts,
            labels=["Group"],
            secondary="columns",
            percent_of={"Participants %": "Participants"} if "Participants %" in t.columns else None,
        )

    source.__name__ = f"diversity_{characteristic}"
    return source


def theme_prevalence(by: str = "role", parent: str | None = None) -> Source:
    """People raising each theme, by stakeholder group or seniority."""

    def source(ds: Any) -> pd.DataFrame:
        kw = {"by": by}
        if parent is not None:
            kw["parent"] = parent
        try:
            t = themes.prevalence_table(ds.coded_segments, **kw)
        except TypeError:
            t = themes.prevalence_table(ds.coded_segments, by=by)
        return declare(t, list(t.columns[1:]), labels=[t.columns[0]], secondary="both")

    source.__name__ = f"theme_prevalence_{by}"
    return source


def _themes(make: Callable[[Any], pd.DataFrame], name: str, labels: list[str] | None = None) -> Source:
    def source(ds: Any) -> pd.DataFrame:
        t = make(ds)
        return declare(
            t,
            themes.count_columns(t),
            labels=labels or [t.columns[0]],
            percent_of=themes.percent_columns(t) or None,
            secondary="columns",
        )

    source.__name__ = name
    return source


valence = _themes(lambda ds: themes.valence_table(ds.coded_segments), "valence", ["Group"])
mentions = _themes(lambda ds: themes.mentions_table(ds.coded_segments, by="role"), "mentions", ["Group"])
enablers = _themes(
    lambda ds: themes.factors_table(ds.coded_segments, "Enablers"), "enablers", ["Rank", "Enabler"]
)
barriers = _themes(
    lambda ds: themes.factors_table(ds.coded_segments, "Barriers"), "barriers", ["Rank", "Barrier"]
)
collaboration = _themes(
    lambda ds: themes.collaboration_table(ds.coded_segments), "collaboration", ["Collaboration factor"]
)
learning_points = _themes(
    lambda ds: themes.learning_points_table(ds.learning_points, ds.coded_segments),
    "learning_points",
    ["Learning point", "Codes"],
)


# --------------------------------------------------------------------------- 03 partnership


def attendance(ds: Any) -> pd.DataFrame:
    """Attendance by partner and forum; young people present are counted over meetings."""
    from carejourneys.metrics import governance

    t = governance.attendance_table(ds.meetings)
    counts = [c for c in t.columns if str(c).startswith("Young people present")]
    return declare(t, counts, labels=["Forum"], secondary=None)


def fieldwork_per_quarter(ds: Any) -> pd.DataFrame:
    """Data-gathering events per quarter, one column per method (the fieldwork chart). An interview is
    one person, so events are protected as counts of people."""
    long = evidence.over_time(ds.fieldwork)
    if long.empty:
        return declare(pd.DataFrame({"Quarter": []}), [], labels=["Quarter"])
    wide = long.pivot_table(index="period", columns="method", values="events", aggfunc="sum", fill_value=0)
    wide = wide.sort_index()
    out = pd.DataFrame({"Quarter": [str(p) for p in wide.index]})
    for m in wide.columns:
        out[str(m).replace("_", " ").capitalize()] = wide[m].astype("int64").to_numpy()
    return declare(out, list(out.columns[1:]), labels=["Quarter"], secondary="columns")


# --------------------------------------------------------------------------- derived from protected values


def evidence_breakdown(long: pd.DataFrame) -> pd.DataFrame:
    """Every outcome area and source of the *protected* :func:`triangulation_long` table with its
    better / same / worse counts, for the technical annex. Values are taken as they stand (a withheld
    count stays ``c``); sources that did not measure an area are left out."""
    rows = long[long["n"].astype("str") != "0"]
    out = pd.DataFrame(
        {
            "Outcome area": rows["domain_label"].to_numpy(),
            "Source": rows["source_label"].to_numpy(),
            "What n counts": rows["unit"].to_numpy(),
            "n": rows["n"].to_numpy(),
            "Improved": rows["improved"].to_numpy(),
            "Same": rows["same"].to_numpy(),
            "Worse": rows["worse"].to_numpy(),
            "Largest group (share)": rows["consistency"].to_numpy(),
        }
    )
    return from_protected(out)


def attendances_per_month(ds: Any) -> pd.DataFrame:
    """Attendances per calendar month (counted as people: a month of one attendance is one person)."""
    m = timeline.monthly_attendances(ds.participation)
    out = pd.DataFrame({"Month": [str(p) for p in m.index], "Attendances": m.to_numpy(dtype="int64")})
    return declare(out, ["Attendances"], labels=["Month"], secondary="columns")


def trend_after(valence_shown: pd.DataFrame, ds: Any) -> pd.DataFrame:
    """The ordinal test of valence across seniority, shown only where the protected valence table it
    rests on withholds nothing (a test over a withheld group could narrow its count)."""
    withheld = (valence_shown.astype("str") == "c").to_numpy().any()
    if withheld:
        out = pd.DataFrame(
            {"statistic": ["not shown"], "value": ["withheld: a group it rests on is too small to show"]}
        )
    else:
        out, _ = themes.trend_summary(ds.coded_segments, unit="person")
        out = out.copy()
    return from_protected(out)


def no_people(frame: pd.DataFrame) -> pd.DataFrame:
    """Declare that ``frame`` counts nobody (dates, ratings, meetings, published statistics)."""
    return declare(frame, [])


# --------------------------------------------------------------------------- 04 care leavers


def official(frame: pd.DataFrame, counts: list[str] | None = None) -> pd.DataFrame:
    """A table of published official statistics: counts of care leavers as the DfE published them,
    protected on their own (no other page adds them up), small ones withheld all the same."""
    return declare(frame, counts or [], secondary=None, standalone=True)


def own_returns(ds: Any) -> pd.DataFrame:
    """EET and suitable accommodation from the council's own care leaver returns beside the published
    figures: number, others and total care leavers of the age band."""
    from carejourneys.inputs import public
    from carejourneys.metrics import indicators

    la = _la_code(ds)
    t = indicators.own_returns(ds.oc3, public.load_public(), la)
    # narrow for readers: "Others" is Total minus Number (kept hidden for protection), the difference
    # is the two percentages apart, and the published count of care leavers is on the tables above
    t = t.rename(columns={"Others": HIDDEN + "Others"}).drop(
        columns=[c for c in ("Difference (pp)", "Care leavers (published)") if c in t.columns])
    return declare(
        t,
        [c for c in ("Number", HIDDEN + "Others", "Total") if c in t.columns],
        labels=[c for c in ("Indicator", "Age", "Year") if c in t.columns],
        total_columns={"Total": ["Number", HIDDEN + "Others"]},
        secondary="rows",
        percent_of={"% (return)": "Number"} if "% (return)" in t.columns else None,
    )


def in_touch(ds: Any) -> pd.DataFrame:
    """Care leavers the council was in touch with, from its own returns."""
    from carejourneys.metrics import indicators

    t = indicators.in_touch_table(ds.oc3)
    return declare(
        t,
        [c for c in ("In touch", "Others", "Total") if c in t.columns],
        labels=[c for c in ("Year", "Age") if c in t.columns],
        total_columns={"Total": ["In touch", "Others"]},
        secondary="rows",
        percent_of={"% in touch": "In touch"} if "% in touch" in t.columns else None,
    )


def bright_spots(ds: Any) -> pd.DataFrame:
    """Bright Spots indicators for this council beside the national comparison its report gives."""
    from carejourneys.inputs import public
    from carejourneys.metrics import indicators

    t = indicators.bright_spots_table(ds.bright_spots, public.load_public().comparators)
    # narrow for readers: one comparator throughout is named in the caption, and an empty column goes
    if "Comparator" in t.columns and t["Comparator"].nunique() <= 1:
        t = t.drop(columns="Comparator")
    empty = [c for c in t.columns if t[c].astype("str").str.strip().isin(["", "nan", "<NA>", "None"]).all()]
    t = t.drop(columns=empty)
    labels = [c for c in ("Survey year", "Indicator", "Comparator") if c in t.columns]
    return declare(t, ["Respondents"] if "Respondents" in t.columns else [], labels=labels, secondary=None)


def _la_code(ds: Any) -> str:
    from carejourneys import sites

    return sites.get(ds.site).la_new_code if ds.site in sites.keys() else ds.site


# --- 02 digest headings ---
# Tables of people for the digest headings of 02 (site learning): findings (key strengths, challenges,
# recommendations, learning points) with their evidence, enablers and barriers from their own codes, the
# six learning themes, collaboration by site. Tables shown under a heading that take some rows of one of
# these are derived from its *protected* version (``findings_shown``), so a number shown twice is the same
# protected number.


def _digest_themes(make: Callable[[Any], pd.DataFrame], name: str, labels: list[str]) -> Source:
    def source(ds: Any) -> pd.DataFrame:
        t = make(ds)
        return declare(
            t,
            themes.count_columns(t),
            labels=[c for c in labels if c in t.columns],
            percent_of=themes.percent_columns(t) or None,
            secondary="columns",
        )

    source.__name__ = name
    return source


#: every recorded finding with the people, groups, waves and sources behind its own codes
findings_evidence = _digest_themes(
    lambda ds: themes.findings_evidence_table(ds.learning_points, ds.coded_segments),
    "findings_evidence",
    ["Site", "Kind", "Theme", "Finding", "Codes"],
)
#: enablers and barriers ranked from the Enablers/... and Barriers/... codes only (never from tone)
enablers_coded = _digest_themes(
    lambda ds: themes.factors_table(ds.coded_segments, themes.ENABLERS, basis="codes"),
    "enablers_coded",
    ["Rank", "Enabler"],
)
barriers_coded = _digest_themes(
    lambda ds: themes.factors_table(ds.coded_segments, themes.BARRIERS, basis="codes"),
    "barriers_coded",
    ["Rank", "Barrier"],
)


def _learning_themes(ds: Any) -> pd.DataFrame:
    table, _ = themes.learning_themes_table(ds.coded_segments, ds.learning_points)
    return table.drop(columns=["Learning points"])  # shown under each theme's own heading


#: the six learning themes (children of Programme learning): people, sources, groups, waves, tone
learning_themes = _digest_themes(_learning_themes, "learning_themes", ["Learning theme"])


def _collaboration_by_site(ds: Any) -> pd.DataFrame:
    table, _ = themes.collaboration_by_site(ds.coded_segments)
    return table


#: collaboration factors per site (for the page of all sites)
collaboration_by_site = _digest_themes(
    _collaboration_by_site, "collaboration_by_site", ["Site", "Collaboration factor"]
)

#: the columns of a findings table shown under a heading (the full table is in the annex)
FINDINGS_SHOWN = ("Site", "Finding", "People", "Groups", "Waves", "Evidence")


def findings_shown(shown: pd.DataFrame, *, kind: str | None = None, theme: str | None = None) -> pd.DataFrame:
    """Some rows of the *protected* :func:`findings_evidence` table, as they stand (a withheld count
    stays ``c``): those of ``kind`` (its reader-facing label, e.g. "Key strengths") and/or filed under
    ``theme`` (a code path, e.g. "Programme learning/Governance"; ending in "/", every code below it)."""
    rows = shown
    if kind is not None:
        rows = rows[rows["Kind"].astype("str") == kind]
    if theme is not None:
        filed = rows["Theme"].astype("str")
        rows = rows[filed.str.startswith(theme) if theme.endswith("/") else filed == theme]
    keep = [c for c in FINDINGS_SHOWN if c in rows.columns]
    if "Site" in keep and rows["Site"].nunique() <= 1:
        keep.remove("Site")  # one site's page: the site is in the title
    out = rows.loc[:, keep].reset_index(drop=True)
    return from_protected(out, ["People"] if "People" in out.columns else [])
