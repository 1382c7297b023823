"""Participation: reach, new and returning young people, retention, roles and diversity.

Built on the participation register (``participation.csv``: one row per young person per
attendance, with the activity and the role they took) and the register of young people
(``young_people.csv``: age band, gender, ethnicity group, care status, first contact), compared
with the council's population of children in care and care leavers (``population.csv``).

Every function returns counts of *people*; publish them through ``cj.report.table(...,
counts=[...])`` so that small counts are suppressed. Percentages are given alongside so that the
report layer can withhold those resting on suppressed counts.
"""

from __future__ import annotations

import pandas as pd

from carejourneys.errors import DataError
from carejourneys.inputs.schemas import AGE_BANDS, CARE_STATUS, ETHNICITY_GROUPS, GENDERS, PARTICIPATION_ROLES
from carejourneys.metrics._common import require_columns as _require

PARTICIPATION_COLUMNS = ("young_person_id", "site", "activity", "date", "role")
PEOPLE_COLUMNS = ("young_person_id", "site", "age_band", "gender", "ethnicity_group", "care_status")
POPULATION_COLUMNS = ("site", "year", "care_status", "characteristic", "category", "count")
#: the characteristics compared with the council's population, with their categories in order
CHARACTERISTICS: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "ethnicity_group": ETHNICITY_GROUPS,
    "care_status": CARE_STATUS,
}


def _pct(part: pd.Series, whole: float) -> pd.Series:
    return (100 * part / whole).round(1) if whole else pd.Series(pd.NA, index=part.index, dtype="Float64")


def reach_by_quarter(participation: pd.DataFrame, start: object | None = None,
                     end: object | None = None) -> pd.DataFrame:
    """Unique young people per calendar quarter, new and returning, and the cumulative reach.

    A young person is *new* in the quarter of their first attendance in the register and
    *returning* in any later quarter in which they attend. ``cumulative`` is the number of
    different young people reached up to and including the quarter. Every quarter in the range
    appears (with zeros), labelled like ``2021Q3``.
    """
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    cols = ["quarter", "young_people", "new", "returning", "cumulative", "attendances"]
    if participation.empty:
        return pd.DataFrame(columns=cols)
    p = participation.loc[:, ["young_person_id", "date"]].copy()
    p["quarter"] = pd.PeriodIndex(pd.to_datetime(p["date"]), freq="Q")
    first = p.groupby("young_person_id")["quarter"].min().rename("first_quarter")
    p = p.join(first, on="young_person_id")
    lo = pd.Period(pd.Timestamp(start), "Q") if start is not None else p["quarter"].min()
    hi = pd.Period(pd.Timestamp(end), "Q") if end is not None else p["quarter"].max()
    quarters = pd.period_range(lo, hi, freq="Q")
    g = p.groupby("quarter")
    people = g["young_person_id"].nunique()
    new = p[p["quarter"] == p["first_quarter"]].groupby("quarter")["young_person_id"].nunique()
    out = pd.DataFrame({
        "young_people": people.reindex(quarters, fill_value=0),
        "new": new.reindex(quarters, fill_value=0),
        "attendances": g.size().reindex(quarters, fill_value=0),
    })
    out["returning"] = out["young_people"] - out["new"]
    # people first seen before the range still count towards the cumulative reach at its start
    before = int((first < lo).sum())
    out["cumulative"] = out["new"].cumsum() + before
    out.index = quarters.astype(str)
    out.index.name = "quarter"
    return out.reset_index()[cols].astype({c: "int64" for c in cols[1:]})


def activities_per_person(participation: pd.DataFrame) -> pd.DataFrame:
    """How many different activities each young person took part in: 1, 2, 3 or more.

    Columns: activities ("1", "2", "3+"), young_people, percent.
    """
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    n = participation.groupby("young_person_id")["activity"].nunique()
    band = n.clip(upper=3).map({1: "1", 2: "2", 3: "3+"})
    counts = band.value_counts().reindex(["1", "2", "3+"], fill_value=0)
    out = pd.DataFrame({"activities": counts.index.astype("str"), "young_people": counts.to_numpy("int64")})
    out["percent"] = _pct(out["young_people"], len(n)).to_numpy()
    return out


def retention(participation: pd.DataFrame) -> pd.DataFrame:
    """Per activity: young people, how many came back, and how many also took part in other activities.

    Columns: activity, young_people, attendances, returned (attended on two or more dates),
    did_not_return (so that a small complement is suppressed too), returned_percent,
    other_activities (also took part in another activity), other_percent.
    """
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    p = participation
    per_person = p.groupby("young_person_id")["activity"].nunique()
    multi = set(per_person[per_person > 1].index)
    rows = []
    for activity, g in p.groupby("activity", sort=True):
        dates = g.groupby("young_person_id")["date"].nunique()
        people = len(dates)
        returned = int((dates >= 2).sum())
        other = int(dates.index.isin(list(multi)).sum())
        rows.append({"activity": activity, "young_people": people, "attendances": len(g),
                     "returned": returned, "did_not_return": people - returned,
                     "returned_percent": round(100 * returned / people, 1),
                     "other_activities": other, "other_percent": round(100 * other / people, 1)})
    return pd.DataFrame(rows, columns=["activity", "young_people", "attendances", "returned",
                                       "did_not_return", "returned_percent", "other_activities",
                                       "other_percent"])


def roles(participation: pd.DataFrame) -> pd.DataFrame:
    """Young people who took each role at least once, and by the most involved role they took.

    Roles are ordered participant < co-designer < volunteer < paid. Columns: role, young_people
    (ever in the role; a person may count in several rows), highest_role (counted once, at
    their most involved role), highest_percent.
    """
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    p = participation
    ever = p.groupby("role")["young_person_id"].nunique().reindex(list(PARTICIPATION_ROLES), fill_value=0)
    rank = p["role"].map({r: i for i, r in enumerate(PARTICIPATION_ROLES)})
    top = rank.groupby(p["young_person_id"]).max().map(dict(enumerate(PARTICIPATION_ROLES)))
    highest = top.value_counts().reindex(list(PARTICIPATION_ROLES), fill_value=0)
    out = pd.DataFrame({"role": list(PARTICIPATION_ROLES), "young_people": ever.to_numpy("int64"),
                        "highest_role": highest.to_numpy("int64")})
    out["highest_percent"] = _pct(out["highest_role"], len(top)).to_numpy()
    return out


def participants(participation: pd.DataFrame, young_people: pd.DataFrame) -> pd.DataFrame:
    """The young people (rows of ``young_people``) who appear at least once in the participation register.

    Raises DataError when the register names young people who are not in ``young_people``.
    """
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    _require(young_people, PEOPLE_COLUMNS, "young_people")
    ids = set(participation["young_person_id"])
    unknown = sorted(ids - set(young_people["young_person_id"]))
    if unknown:
        raise DataError(f"{len(unknown)} young people in the participation register are not in young_people "
                        f"(first: {unknown[0]!r})", column="young_person_id")
    return young_people[young_people["young_person_id"].isin(list(ids))]


def population_shares(population: pd.DataFrame, characteristic: str, year: int | None = None) -> pd.DataFrame:
    """The council's children in care and care leavers by one characteristic in one year (default latest).

    For ``care_status`` the counts per status are taken as the totals of the first other
    characteristic recorded. Columns: category, population, population_percent, year.
    """
    _require(population, POPULATION_COLUMNS, "population")
    if population.empty:
        return pd.DataFrame(columns=["category", "population", "population_percent", "year"])
    y = int(population["year"].max()) if year is None else year
    pop = population[population["year"] == y]
    if characteristic == "care_status":
        char = next((c for c in CHARACTERISTICS if c in set(pop["characteristic"])), None)
        sub = pop[pop["characteristic"] == char]
        counts = sub.groupby(["site", "care_status"])["count"].sum().groupby("care_status").sum()
    else:
        sub = pop[pop["characteristic"] == characteristic]
        counts = sub.groupby("category")["count"].sum()
    counts = counts.astype("int64")
    out = pd.DataFrame({"category": counts.index.astype("str"), "population": counts.to_numpy()})
    out["population_percent"] = _pct(out["population"], out["population"].sum()).to_numpy()
    out["year"] = y
    return out


def diversity(participation: pd.DataFrame, young_people: pd.DataFrame, population: pd.DataFrame | None,
              characteristic: str, year: int | None = None) -> pd.DataFrame:
    """Participants by one characteristic against the council's children in care and care leavers.

    Columns: category, participants, participants_percent, population, population_percent,
    difference (percentage points, participants minus population). Categories come in the
    contract's order, followed by any others found; a category absent from one side counts 0.
    """
    if characteristic not in CHARACTERISTICS:
        raise ValueError(f"unknown characteristic {characteristic!r}; "
                         f"use one of {', '.join(CHARACTERISTICS)}")
    people = participants(participation, young_people)
    counts = people[characteristic].value_counts()
    if population is not None and len(population):
        pop = population_shares(population, characteristic, year).set_index("category")["population"]
    else:
        pop = pd.Series(dtype="int64")
    order = list(CHARACTERISTICS[characteristic])
    order += sorted((set(counts.index) | set(pop.index)) - set(order))
    out = pd.DataFrame({"category": order,
                        "participants": counts.reindex(order, fill_value=0).to_numpy("int64"),
                        "population": pop.reindex(order, fill_value=0).to_numpy("int64")})
    # drop categories nobody is in on either side (e.g. "not_known" when it is not used)
    out = out[(out["participants"] > 0) | (out["population"] > 0)].reset_index(drop=True)
    out["participants_percent"] = _pct(out["participants"], out["participants"].sum()).to_numpy()
    if out["population"].sum() > 0:
        out["population_percent"] = _pct(out["population"], out["population"].sum()).to_numpy()
    else:
        out["population"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["population_percent"] = pd.array([pd.NA] * len(out), dtype="Float64")
    out["difference"] = (out["participants_percent"].astype("Float64")
                         - out["population_percent"].astype("Float64")).round(1)
    return out[["category", "participants", "participants_percent", "population", "population_percent",
                "difference"]]


def diversity_all(participation: pd.DataFrame, young_people: pd.DataFrame, population: pd.DataFrame | None,
                  year: int | None = None) -> pd.DataFrame:
    """:func:`diversity` for every characteristic, stacked with a ``characteristic`` column first."""
    parts = []
    for char in CHARACTERISTICS:
        d = diversity(participation, young_people, population, char, year)
        parts.append(d.assign(characteristic=char))
    out = pd.concat(parts, ignore_index=True)
    return out[["characteristic", *[c for c in out.columns if c != "characteristic"]]]


def summary(participation: pd.DataFrame) -> dict[str, int]:
    """Headline numbers: young people reached, attendances, activities, people in more than one activity."""
    _require(participation, PARTICIPATION_COLUMNS, "participation")
    per = participation.groupby("young_person_id")["activity"].nunique()
    return {"young_people": int(participation["young_person_id"].nunique()),
            "attendances": len(participation),
            "activities": int(participation["activity"].nunique()),
            "in_more_than_one_activity": int((per > 1).sum())}


# --------------------------------------------------------------------------- reader-facing tables

LABELS = {
    "quarter": "Quarter", "young_people": "Young people", "new": "New", "returning": "Returning",
    "cumulative": "Reached so far", "attendances": "Attendances", "activities": "Activities taken part in",
    "percent": "%", "activity": "Activity", "returned": "Came back",
    "did_not_return": "Came once only", "returned_percent": "Came back %",
    "other_activities": "Also in another activity", "other_percent": "Also in another activity %",
    "role": "Role", "highest_role": "Young people (most involved role)",
    "highest_percent": "% (most involved role)",
    "characteristic": "Characteristic", "category": "Group", "participants": "Participants",
    "participants_percent": "Participants %", "population": "Council population",
    "population_percent": "Council population %", "difference": "Difference (points)",
}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """A participation table with reader-facing column names (see ``LABELS``); values unchanged.

    Rename *after* disclosure control, or pass the labelled names as ``counts``: cj.report.table
    takes the column names of the frame it is given.
    """
    out = table.rename(columns=LABELS)
    for col in ("Group", "Characteristic"):
        if col in out.columns:
            out[col] = out[col].astype("str").str.replace("_", " ")
    return out


#: columns counting people, and percentage columns with the count each rests on
_PEOPLE = ("young_people", "new", "returning", "cumulative", "returned", "did_not_return", "other_activities",
           "highest_role", "participants", "population")
_PERCENT_OF = {"returned_percent": "returned", "other_percent": "other_activities",
               "highest_percent": "highest_role", "participants_percent": "participants",
               "population_percent": "population", "percent": "young_people",
               "difference": "participants"}


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a (raw or :func:`readable`) participation table that count people."""
    names = set(table.columns)
    return [n for c in _PEOPLE for n in (c, LABELS.get(c)) if n in names]


def percent_columns(table: pd.DataFrame) -> dict[str, str]:
    """``{percent column: the count column it rests on}`` for cj.report.table's ``percent_of``.

    A percentage is withheld where its count is below the threshold, so it cannot give the
    suppressed count away.
    """
    names = set(table.columns)
    out = {}
    for pct, n in _PERCENT_OF.items():
        for a, b in ((pct, n), (LABELS.get(pct), LABELS.get(n))):
            if a in names and b in names:
                out[a] = b
    return out


def headline(participation: pd.DataFrame) -> dict[str, int]:
    """:func:`summary` with reader-facing labels, for ``cj.report.key_figures``."""
    s = summary(participation)
    return {"young people took part": s["young_people"], "attendances": s["attendances"],
            ACTIVITIES_ATTENDED: s["activities"],
            "young people in more than one activity": s["in_more_than_one_activity"]}


#: the headline's label for its count of activities: those with attendance in the register, the
#: ``attended`` count of :func:`carejourneys.metrics.timeline.activity_counts` (the activities table
#: lists every recorded activity; ``timeline.describe_activity_counts`` states both)
ACTIVITIES_ATTENDED = "activities with attendance registered"


def describe_intake(participation: pd.DataFrame, periods: int = 4) -> str:
    """One sentence for "Who took part" on whether new young people were still joining at the end:
    the new young people in each of the last ``periods`` quarters of :func:`reach_by_quarter`
    (the same numbers as the quarterly table). It names quarters only, never a count of people.
    """
    r = reach_by_quarter(participation)
    if r.empty:
        return "No participation is recorded."
    tail = r.tail(periods)
    last_new = r[r["new"] > 0]["quarter"].max()
    if int(tail["new"].sum()) == 0:
        return (f"No new young people joined in the last {periods} quarters of the records "
                f"({tail['quarter'].iloc[0]} to {tail['quarter'].iloc[-1]}); the last joined in {last_new}.")
    return f"New young people were still joining at the end: the last joined in {last_new}."


def describe_intake_shown(reach: pd.DataFrame, periods: int = 4) -> str:
    """:func:`describe_intake` read from the quarterly table *as the page shows it* (the protected
    ``published.reach``: columns Quarter and New, withheld cells ``c``), so that the sentence states
    nothing the table withholds: when a New cell of the last ``periods`` quarters is withheld, or the
    quarter of the last new young person cannot be read, it says only what can be seen."""
    if reach.empty or "New" not in reach.columns:
        return "No participation is recorded."
    new = reach["New"].astype("str").str.strip()
    quarters = reach["Quarter"].astype("str")
    tail = new.tail(periods)
    withheld = new == "c"
    joined = ~withheld & (pd.to_numeric(new, errors="coerce").fillna(0) > 0)
    if (tail == "0").all():
        last = quarters[joined | withheld]
        when = f"; the last joined in {last.iloc[-1]}" if len(last) and not withheld[last.index[-1]] else ""
        return (f"No new young people joined in the last {periods} quarters of the records "
                f"({quarters.iloc[-periods:].iloc[0]} to {quarters.iloc[-1]}){when}.")
    if joined.tail(periods).any():
        return f"New young people were still joining at the end: some joined in {quarters[joined].iloc[-1]}."
    return ("Whether new young people were still joining in the last quarters cannot be shown: those "
            "counts are withheld to protect privacy.")
