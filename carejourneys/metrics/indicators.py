"""Care leaver indicators: rates with Wilson intervals, trends, statistical-neighbour medians, gaps.

Inputs are the typed frames of :mod:`carejourneys.public` (``load_public().care_leavers``: one
row per area, year, age band, table and measure with published ``count`` and ``percent``) and
the indicators computed from councils' own returns (:func:`carejourneys.loaders.oc3_indicators`).

Definitions follow the DfE: the denominator of every percentage is all care leavers of the age
band in the table (``measure == "total"``), including those whose situation is not known.
Intervals are Wilson score intervals for a binomial proportion (statsmodels
``proportion_confint(method="wilson")``), computed from the council's counts; they describe
year-to-year chance variation for a cohort of that size, not survey error. Published national
counts are rounded to the nearest 10, so England's intervals are indicative only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

#: headline indicators: (table, measure) -> label
HEADLINE = {
    ("activity", "eet"): "In education, employment or training",
    ("activity", "neet"): "Not in education, employment or training",
    ("activity", "not_known"): "Activity not known",
    ("accommodation", "suitable"): "In suitable accommodation",
    ("accommodation", "unsuitable"): "In unsuitable accommodation",
}
AGES = ("17-18", "19-21")
KEYS = ["time_period", "age", "table", "measure"]


def wilson_interval(count, total, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of count/total, in percent; NaN where either is missing or total is 0."""
    c = pd.to_numeric(pd.Series(np.atleast_1d(count), dtype="Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    n = pd.to_numeric(pd.Series(np.atleast_1d(total), dtype="Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    ok = ~np.isnan(c) & ~np.isnan(n) & (n > 0) & (c >= 0) & (c <= n)
    lo = np.full(c.shape, np.nan)
    hi = np.full(c.shape, np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(c[ok], n[ok], alpha=alpha, method="wilson")
    # the bounds are exactly 0 for a zero count and 1 for a full one (statsmodels leaves float noise)
    lo[ok & (c == 0)] = 0.0
    hi[ok & (c == n)] = 1.0
    return 100 * np.clip(lo, 0, 1), 100 * np.clip(hi, 0, 1)


def rates(care: pd.DataFrame, area_code: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Each measure of an area with its table's total, the rate and its Wilson interval.

    ``care`` is ``load_public().care_leavers`` (or any frame with area_code, time_period, age, table,
    measure, count, percent). Returns area_code, time_period, age, table, measure, count, total,
    percent (as published), rate (100 * count / total, NA when either is suppressed), ci_low, ci_high.
    """
    df = care if area_code is None else care[care["area_code"] == area_code]
    totals = df[df["measure"] == "total"][["area_code", "time_period", "age", "table", "count"]]
    totals = totals.rename(columns={"count": "total"})
    out = df[df["measure"] != "total"].merge(totals, on=["area_code", "time_period", "age", "table"],
                                            how="left")
    out["total"] = out["total"].astype("Float64")
    out["rate"] = (100 * out["count"].astype("Float64") / out["total"].replace(0, pd.NA)).astype("Float64")
    lo, hi = wilson_interval(out["count"], out["total"], alpha)
    out["ci_low"] = pd.array(lo, dtype="Float64")
    out["ci_high"] = pd.array(hi, dtype="Float64")
    out["ci_low"] = out["ci_low"].where(out["ci_low"].notna(), pd.NA)
    out["ci_high"] = out["ci_high"].where(out["ci_high"].notna(), pd.NA)
    cols = ["area_code", *KEYS, "count", "total", "percent", "rate", "ci_low", "ci_high"]
    return out[cols].sort_values(["area_code", "table", "measure", "age", "time_period"],
                                 kind="stable").reset_index(drop=True)


def neighbour_median(care: pd.DataFrame, statistical_neighbours: pd.DataFrame, la_old_code: str,
                     model: int = 2025) -> pd.DataFrame:
    """Median of the published percentages of a council's statistical neighbours, per indicator.

    Neighbours whose figure is a symbol (suppressed ``c``, ``k``, ``z``, ...) are left out of that
    median; ``n_neighbours`` says how many were used. Columns: la_old_code, model, time_period, age,
    table, measure, median_percent, n_neighbours.
    """
    sn = statistical_neighbours
    codes = sn[(sn["old_la_code"] == str(la_old_code)) & (sn["model"] == model)]["neighbour_old_code"]
    nb = care[care["old_la_code"].isin(list(codes)) & (care["measure"] != "total")]
    nb = nb[nb["percent"].notna()]
    g = nb.groupby(KEYS, sort=True)["percent"]
    out = pd.DataFrame({"median_percent": g.median(), "n_neighbours": g.size()}).reset_index()
    out.insert(0, "model", model)
    out.insert(0, "la_old_code", str(la_old_code))
    out = out.astype({"la_old_code": "str", "model": "Int64", "time_period": "Int64",
                      "median_percent": "Float64", "n_neighbours": "Int64"})
    return out[["la_old_code", "model", *KEYS, "median_percent", "n_neighbours"]]


def trends(pub, la_code: str, indicators=(("activity", "eet"), ("activity", "neet"),
                                          ("accommodation", "suitable")),
           ages=AGES, models=(2021, 2025), alpha: float = 0.05) -> pd.DataFrame:
    """Indicator trends of a council beside England and its statistical-neighbour medians.

    ``pub`` is :func:`carejourneys.public.load_public`'s result. One row per year, age, indicator
    and series (the council's name, ``England``, ``Neighbour median (2021 model)``, ...). The
    council's rows carry count, total and a Wilson interval; the other series only a percent.
    """
    from ..public import ENGLAND

    area = pub.area(la_code)
    wanted = pd.DataFrame(list(indicators), columns=["table", "measure"])
    keep = ["time_period", "age", "table", "measure"]
    council = rates(pub.care_leavers, area["area_code"], alpha).merge(wanted, on=["table", "measure"])
    council = council.assign(series=area["name"], kind="council")
    eng = pub.care_leavers[(pub.care_leavers["area_code"] == ENGLAND)].merge(wanted, on=["table", "measure"])
    eng = eng[keep + ["percent"]].assign(series="England", kind="england")
    parts = [council, eng]
    if area["geographic_level"] == "Local authority":
        for m in models:
            med = neighbour_median(pub.care_leavers, pub.statistical_neighbours, area["old_la_code"], m)
            med = med.merge(wanted, on=["table", "measure"]).rename(columns={"median_percent": "percent"})
            parts.append(med[keep + ["percent", "n_neighbours"]].assign(
                series=f"Neighbour median ({m} model)", kind="neighbours"))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["age"].isin(list(ages))]
    out["indicator"] = [HEADLINE.get((t, m), m) for t, m in zip(out["table"], out["measure"], strict=True)]
    cols = ["indicator", "table", "measure", "age", "time_period", "series", "kind", "percent", "count",
            "total", "ci_low", "ci_high", "n_neighbours"]
    for c in cols:
        if c not in out.columns:
            out[c] = pd.NA
    out = out.astype({"series": "str", "kind": "str", "indicator": "str", "percent": "Float64",
                      "count": "Float64", "total": "Float64", "ci_low": "Float64", "ci_high": "Float64",
                      "n_neighbours": "Int64"})
    return out[cols].sort_values(["table", "measure", "age", "kind", "time_period"], kind="stable") \
        .reset_index(drop=True)


def slope(years, values) -> float:
    """Least-squares change per year (percentage points per year); NaN with fewer than two points."""
    x = np.asarray(pd.to_numeric(pd.Series(years), errors="coerce"), dtype=float)
    y = np.asarray(pd.to_numeric(pd.Series(values, dtype="Float64"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan), dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        return float("nan")
    x, y = x[ok], y[ok]
    return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())


def trend_summary(trend: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, age and series: first and latest year and percent, change, least-squares slope."""
    rows = []
    for (ind, age, series), g in trend.groupby(["indicator", "age", "series"], sort=False):
        g = g[g["percent"].notna()].sort_values("time_period")
        if g.empty:
            continue
        rows.append({
            "indicator": ind, "age": age, "series": series,
            "first_year": int(g["time_period"].iloc[0]), "first_percent": float(g["percent"].iloc[0]),
            "latest_year": int(g["time_period"].iloc[-1]), "latest_percent": float(g["percent"].iloc[-1]),
            "change": float(g["percent"].iloc[-1] - g["percent"].iloc[0]),
            "slope_per_year": slope(g["time_period"], g["percent"]),
        })
    return pd.DataFrame(rows, columns=["indicator", "age", "series", "first_year", "first_percent",
                                       "latest_year", "latest_percent", "change", "slope_per_year"])


def gap(care_leaver_percent, comparator_percent):
    """Gap in percentage points: care leavers minus the comparator (negative = care leavers behind
    for a good outcome such as EET, ahead for a bad one such as NEET)."""
    a = pd.to_numeric(pd.Series(care_leaver_percent, dtype="Float64"), errors="coerce")
    b = pd.to_numeric(pd.Series(comparator_percent, dtype="Float64"), errors="coerce")
    return (a - b).astype("Float64")


def gap_to_all_young_people(pub, la_code: str) -> pd.DataFrame:
    """NEET among care leavers aged 19-21 beside the cited figure for all young people of that age.

    One row for each cited all-young-people comparator aged 19-21 (see ``comparators.csv``): the
    comparator's year and percent, England's care leaver percent published with it, the gap, then the
    council's and England's latest published NEET percent and their gap to the same comparator
    (``years_differ`` is True when the comparator is from another year than the latest figures).
    """
    from ..public import ENGLAND

    area = pub.area(la_code)
    comp = pub.comparators
    comp = comp[(comp["comparator"] == "all_young_people") & (comp["indicator"] == "neet")
                & comp["population"].str.contains("19-21", regex=False)]
    cl = pub.care_leavers
    neet = cl[(cl["table"] == "activity") & (cl["measure"] == "neet") & (cl["age"] == "19-21")]
    latest_year = int(neet["time_period"].max()) if len(neet) else None

    def latest(code: str) -> float:
        v = neet[(neet["area_code"] == code) & (neet["time_period"] == latest_year)]["percent"]
        return float(v.iloc[0]) if len(v) and pd.notna(v.iloc[0]) else float("nan")

    rows = []
    for _, c in comp.iterrows():
        council, england = latest(area["area_code"]), latest(ENGLAND)
        rows.append({
            "comparator_year": int(c["year"]), "all_young_people_percent": float(c["percent"]),
            "england_care_leavers_then": float(c["care_leaver_percent"]),
            "gap_then": float(gap(c["care_leaver_percent"], c["percent"]).iloc[0]),
            "latest_year": latest_year, "council": area["name"], "council_latest_percent": council,
            "council_gap": council - float(c["percent"]), "england_latest_percent": england,
            "england_gap": england - float(c["percent"]),
            "years_differ": latest_year != int(c["year"]), "verified": c["verified"],
            "citation": c["citation"],
        })
    return pd.DataFrame(rows)


def returns_vs_published(own: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """A council's own OC3 indicators beside the published figures for the same year, age and measure.

    ``own`` is :func:`carejourneys.loaders.oc3_indicators` output (collection_year, age, table, measure,
    count, total, percent); ``published`` is :func:`rates` output for the council. Only
    combinations present in both are returned, with ``difference`` = own - published percent.
    """
    o = own.rename(columns={"collection_year": "time_period", "count": "own_count", "total": "own_total",
                            "percent": "own_percent"})
    p = published.rename(columns={"count": "published_count", "total": "published_total",
                                  "percent": "published_percent"})
    m = o.merge(p[[*KEYS, "published_count", "published_total", "published_percent"]], on=KEYS, how="inner")
    m["difference"] = (m["own_percent"].astype("Float64") - m["published_percent"].astype("Float64"))
    return m[[*KEYS, "own_count", "own_total", "own_percent", "published_count", "published_total",
              "published_percent", "difference"]].sort_values(KEYS, kind="stable").reset_index(drop=True)


def bright_spots_vs_national(bright_spots: pd.DataFrame,
                             comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """A site's Bright Spots indicators beside their comparators.

    ``bright_spots`` is the dataset's ``bright_spots`` source (site, survey_year, indicator,
    respondents, percent, comparator, comparator_percent). When ``comparators`` (the public
    ``comparators.csv``) has a cited figure for the same indicator, its percent, year and citation
    are added. ``difference`` = percent - comparator_percent.
    """
    out = bright_spots.copy()
    out["difference"] = gap(out["percent"], out["comparator_percent"]).to_numpy()
    if comparators is not None and len(comparators):
        cited = comparators[["comparator", "indicator", "percent", "year", "citation", "verified"]].rename(
            columns={"percent": "cited_percent", "year": "cited_year"})
        out = out.merge(cited, on=["comparator", "indicator"], how="left")
    return out
