"""Care leaver indicators: rates with Wilson intervals, trends, statistical-neighbour medians, gaps.

Inputs are the typed frames of :mod:`carejourneys.inputs.public` (``load_public().care_leavers``: one
row per area, year, age band, table and measure with published ``count`` and ``percent``) and
the indicators computed from councils' own returns (:func:`carejourneys.inputs.loaders.oc3_indicators`).

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
#: short labels for charts and tables
SHORT = {
    "In education, employment or training": "In education, employment or training (EET)",
    "Not in education, employment or training": "Not in EET (NEET)",
    "Activity not known": "Activity not known",
    "In suitable accommodation": "In suitable accommodation",
    "In unsuitable accommodation": "In unsuitable accommodation",
}
TABLE_LABEL = {
    "In education, employment or training": "EET",
    "Not in education, employment or training": "NEET",
    "Activity not known": "Activity not known",
    "In suitable accommodation": "Suitable accommodation",
    "In unsuitable accommodation": "Unsuitable accommodation",
}
SERIES_LABEL = {"Neighbour median (2021 model)": "Neighbours, 2021 model",
                "Neighbour median (2025 model)": "Neighbours, 2025 model"}


def _years(s: pd.Series) -> pd.Series:
    """Years as text so that tables do not print them as 2,025."""
    return s.map(lambda v: "" if pd.isna(v) else str(int(v))).astype("str")


#: short reader-facing words for the symbols the DfE prints in place of a figure
#: (:data:`carejourneys.inputs.loaders.dfe.SYMBOLS` has the full meanings)
SYMBOL_WORDS = {"c": "suppressed", "k": "under 0.5%", "z": "not applicable", "x": "not available",
                "low": "under 0.5", "u": "low reliability", ":": "not available"}
#: shown where the file has neither a figure nor a symbol (no row at all for the area and year)
NOT_PUBLISHED = "not published"


def not_published_text(symbol) -> str:
    """How a figure the DfE did not publish is shown: its symbol in words and as printed
    (``"suppressed (c)"``), or ``"not published"`` when the file has no symbol either."""
    if symbol is None or symbol is pd.NA or (isinstance(symbol, float) and np.isnan(symbol)) or symbol == "":
        return NOT_PUBLISHED
    sym = str(symbol)
    return f"{SYMBOL_WORDS.get(sym, NOT_PUBLISHED)} ({sym})"


def _shown(values: pd.Series, symbols: pd.Series | None) -> pd.Series:
    """``values`` where published; where missing, the words of :func:`not_published_text`.

    The column keeps its numeric dtype when nothing is missing; otherwise it becomes an object
    column mixing numbers and text (the missing figure is never filled with a number)."""
    values = values.reset_index(drop=True)
    if not values.isna().any():
        return values
    syms = (pd.Series([pd.NA] * len(values), dtype=object) if symbols is None
            else symbols.reset_index(drop=True).astype(object))
    return pd.Series([not_published_text(sym) if pd.isna(v) else v
                      for v, sym in zip(values, syms, strict=True)], dtype=object)


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
    percent (as published), rate (100 * count / total, NA when either is suppressed), ci_low, ci_high,
    and the symbols printed in place of a missing count, total or percent (count_symbol,
    total_symbol, percent_symbol; NA where the figure is published or the frame has no symbols).
    """
    df = care if area_code is None else care[care["area_code"] == area_code]
    df = df.copy()
    for c in ("count_symbol", "percent_symbol"):
        if c not in df.columns:
            df[c] = pd.NA
    totals = df[df["measure"] == "total"][["area_code", "time_period", "age", "table", "count",
                                           "count_symbol"]]
    totals = totals.rename(columns={"count": "total", "count_symbol": "total_symbol"})
    out = df[df["measure"] != "total"].merge(totals, on=["area_code", "time_period", "age", "table"],
                                            how="left")
    out["total"] = out["total"].astype("Float64")
    out["rate"] = (100 * out["count"].astype("Float64") / out["total"].replace(0, pd.NA)).astype("Float64")
    lo, hi = wilson_interval(out["count"], out["total"], alpha)
    out["ci_low"] = pd.array(lo, dtype="Float64")
    out["ci_high"] = pd.array(hi, dtype="Float64")
    out["ci_low"] = out["ci_low"].where(out["ci_low"].notna(), pd.NA)
    out["ci_high"] = out["ci_high"].where(out["ci_high"].notna(), pd.NA)
    for c in ("count_symbol", "percent_symbol", "total_symbol"):
        out[c] = out[c].astype(object).where(out[c].notna(), pd.NA).astype("str")
    cols = ["area_code", *KEYS, "count", "total", "percent", "rate", "ci_low", "ci_high",
            "count_symbol", "total_symbol", "percent_symbol"]
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

    ``pub`` is :func:`carejourneys.inputs.public.load_public`'s result. One row per year, age, indicator
    and series (the council's name, ``England``, ``Neighbour median (2021 model)``, ...). The
    council's rows carry count, total and a Wilson interval; the other series only a percent.
    A figure the DfE did not publish stays NA, with the printed symbol (``c``, ``z``, ``x``, ...) in
    ``percent_symbol``, ``count_symbol`` or ``total_symbol``. ``area_code`` is the code a council row
    was published under: a council whose new code changed (Barnsley, North Yorkshire, ...) has its
    figures under the other code (:func:`carejourneys.inputs.public.same_council_codes`); the code asked
    for is in ``attrs["area_code"]``.
    """
    from carejourneys.inputs.public import ENGLAND

    area = pub.area(la_code)
    wanted = pd.DataFrame(list(indicators), columns=["table", "measure"])
    keep = ["time_period", "age", "table", "measure"]
    council = rates(_council_rows(pub, la_code), None, alpha).merge(wanted, on=["table", "measure"])
    council = council.assign(series=area["name"], kind="council")
    eng = pub.care_leavers[(pub.care_leavers["area_code"] == ENGLAND)].merge(wanted, on=["table", "measure"])
    eng = eng[[c for c in (*keep, "percent", "percent_symbol") if c in eng.columns]].assign(
        series="England", kind="england")
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
            "total", "ci_low", "ci_high", "n_neighbours", "percent_symbol", "count_symbol", "total_symbol",
            "area_code"]
    for c in cols:
        if c not in out.columns:
            out[c] = pd.NA
    out = out.astype({"series": "str", "kind": "str", "indicator": "str", "percent": "Float64",
                      "count": "Float64", "total": "Float64", "ci_low": "Float64", "ci_high": "Float64",
                      "n_neighbours": "Int64", "percent_symbol": "str", "count_symbol": "str",
                      "total_symbol": "str", "area_code": "str"})
    out = out[cols].sort_values(["table", "measure", "age", "kind", "time_period"], kind="stable") \
        .reset_index(drop=True)
    out.attrs["area_code"] = str(area["area_code"])
    return out


def _council_rows(pub, la_code: str) -> pd.DataFrame:
    """The care leaver rows of a council, including those published under another code of the same
    council (:func:`carejourneys.inputs.public.same_council_codes`); ``area_code`` keeps the code used."""
    from carejourneys.inputs.public import _own_rows, same_council_codes

    area = pub.area(la_code)
    areas = getattr(pub, "areas", None)
    codes = same_council_codes(area["area_code"], areas) if areas is not None else [area["area_code"]]
    return _own_rows(pub.care_leavers, codes, KEYS)


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


#: whether a higher percent is better, per indicator (for reading the sign of a change)
HIGHER_IS_BETTER = {
    "In education, employment or training": True,
    "Not in education, employment or training": False,
    "Activity not known": False,
    "In suitable accommodation": True,
    "In unsuitable accommodation": False,
}


def change_reading(indicator: str, change: float) -> str:
    """``better`` / ``worse`` / ``no change`` for a change in percentage points of ``indicator``
    (a fall in NEET is better); empty when the change or the indicator's direction is unknown."""
    hib = HIGHER_IS_BETTER.get(indicator)
    if hib is None or pd.isna(change):
        return ""
    if round(float(change), 1) == 0:
        return "no change"
    return "better" if (change > 0) == hib else "worse"


def trend_summary(trend: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, age and series: first and latest year and percent, ``change`` (latest minus
    first, percentage points), ``per_year`` (that change divided by the years between them, so it
    always has the change's sign), the least-squares ``slope_per_year`` (for analysts: it can have
    the opposite sign when the years in between move about) and ``reading`` (:func:`change_reading`)."""
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
        })
        r = rows[-1]
        span = r["latest_year"] - r["first_year"]
        r["per_year"] = r["change"] / span if span else float("nan")
        r["slope_per_year"] = slope(g["time_period"], g["percent"])
        r["reading"] = change_reading(ind, r["change"]) if span else ""
    return pd.DataFrame(rows, columns=["indicator", "age", "series", "first_year", "first_percent",
                                       "latest_year", "latest_percent", "change", "per_year",
                                       "slope_per_year", "reading"])


def summary_table(trend: pd.DataFrame, council_only: bool = False) -> pd.DataFrame:
    """Reader-facing form of :func:`trend_summary`: Change (pp) is the latest minus the first year's
    percent, Per year (pp) the same change spread evenly over the years between (always the same
    sign), and Reading says whether that change is better or worse for the indicator. Show with
    :data:`SUMMARY_FOOTNOTE`. ``council_only``: the council's rows only (not England's or the
    neighbours')."""
    s = trend_summary(trend)
    if council_only:
        council = set(trend.loc[trend["kind"] == "council", "series"])
        s = s[s["series"].isin(council)].reset_index(drop=True)
    return pd.DataFrame({
        "Indicator": s["indicator"].map(TABLE_LABEL).fillna(s["indicator"]), "Age": s["age"],
        "Series": s["series"].map(SERIES_LABEL).fillna(s["series"]),
        "First year": _years(s["first_year"]), "First %": s["first_percent"],
        "Latest year": _years(s["latest_year"]), "Latest %": s["latest_percent"],
        "Change (pp)": s["change"], "Per year (pp)": s["per_year"].round(1), "Reading": s["reading"],
    })


SUMMARY_FOOTNOTE = (
    "Change is the latest year's percent minus the first year's, in percentage points: positive means "
    "a higher percent in the latest year. Per year is that change divided by the number of years "
    "between the two, so it always has the same sign. Whether a change is better or worse depends on "
    "the indicator (a fall in NEET is better, a fall in EET worse): the Reading column says which. "
    "Two points can hide movement in the years between; the chart shows every year."
)


CHART_COLUMNS = ["Indicator", "Age", "Year", "Council %", "England %", "Neighbours, 2021 model %",
                 "Neighbours, 2025 model %"]


def chart_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind :func:`carejourneys.render.plots.care_leaver_trends`: per indicator, age band
    and year, the council's published percent beside England's and the statistical-neighbour medians
    (a figure the DfE did not publish is shown in words, as in :func:`comparison_table`)."""
    if trend.empty:
        return pd.DataFrame(columns=CHART_COLUMNS)
    order = list(HEADLINE.values())
    rows = []
    for (indicator, age, year), g in trend.groupby(["indicator", "age", "time_period"], sort=False):
        row = {"Indicator": TABLE_LABEL.get(indicator, indicator), "Age": age, "Year": year,
               "_o": order.index(indicator) if indicator in order else 99}
        council = g[g["kind"] == "council"]
        row["Council %"] = council["percent"].iloc[0] if len(council) else pd.NA
        row["_symbol"] = (council["percent_symbol"].iloc[0] if len(council) and "percent_symbol" in g
                          else pd.NA)
        for _, r in g[g["kind"] != "council"].iterrows():
            name = "England" if r["kind"] == "england" else SERIES_LABEL.get(r["series"], r["series"])
            row[f"{name} %"] = r["percent"]
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["_o", "Age", "Year"], kind="stable").reset_index(drop=True)
    out = out.reindex(columns=[*CHART_COLUMNS, "_symbol"])
    out["Year"] = _years(out["Year"])
    out["Council %"] = _shown(out["Council %"].astype("Float64"), out["_symbol"])
    for c in CHART_COLUMNS[4:]:
        out[c] = out[c].astype("Float64")
    return out.drop(columns="_symbol")


def gap(care_leaver_percent, comparator_percent):
    """Gap in percentage points: care leavers minus the comparator (negative = care leavers behind
    for a good outcome such as EET, ahead for a bad one such as NEET)."""
    a = pd.to_numeric(pd.Series(care_leaver_percent, dtype="Float64"), errors="coerce")
    b = pd.to_numeric(pd.Series(comparator_percent, dtype="Float64"), errors="coerce")
    return (a - b).astype("Float64")


def gap_to_all_young_people(pub, la_code: str) -> pd.DataFrame:
    """NEET among care leavers aged 19-21 beside the cited figure for all young people of that age,
    compared only within the same year.

    One row for each cited all-young-people comparator aged 19-21 (see ``comparators.csv``), of year
    Y: the comparator's percent, England's care leaver percent cited with it and their gap
    (``gap_then``); the council's and England's care leaver NEET percent *of year Y* from the
    published files and their gaps to the comparator (NaN, with ``council_symbol`` holding the
    printed symbol or NA, when the files have no figure for Y: a figure of another year is never
    set against it); and, for context only, the latest published year's percents with **no** gap
    (``latest_gap_note`` says why). ``years_differ`` is True when the latest figures are of another
    year than the comparator (so they are not compared).
    """
    from carejourneys.inputs.public import ENGLAND

    area = pub.area(la_code)
    comp = pub.comparators
    comp = comp[(comp["comparator"] == "all_young_people") & (comp["indicator"] == "neet")
                & comp["population"].str.contains("19-21", regex=False)]
    cl = pub.care_leavers
    neet = cl[(cl["table"] == "activity") & (cl["measure"] == "neet") & (cl["age"] == "19-21")]
    latest_year = int(neet["time_period"].max()) if len(neet) else None
    first_year = int(neet["time_period"].min()) if len(neet) else None

    own = _council_rows(pub, la_code)
    own_codes = list(dict.fromkeys([area["area_code"], *own["area_code"]]))

    def figure(code: str, year: int | None) -> tuple[float, object]:
        """(percent, symbol) of ``year``; NaN and the printed symbol (or NA) when missing."""
        codes = own_codes if code == area["area_code"] else [code]
        v = neet[neet["area_code"].isin(codes) & (neet["time_period"] == year)]
        if len(v) and pd.notna(v["percent"].iloc[0]):
            return float(v["percent"].iloc[0]), pd.NA
        sym = v["percent_symbol"].iloc[0] if len(v) and "percent_symbol" in v.columns else pd.NA
        return float("nan"), (sym if pd.notna(sym) else pd.NA)

    rows = []
    for _, c in comp.iterrows():
        year = int(c["year"])
        ayp = float(c["percent"])
        council_then, council_symbol = figure(area["area_code"], year)
        england_then_files, _ = figure(ENGLAND, year)
        council_latest, council_latest_symbol = figure(area["area_code"], latest_year)
        england_latest, _ = figure(ENGLAND, latest_year)
        differ = latest_year != year
        in_files = first_year is not None and first_year <= year <= latest_year
        rows.append({
            "comparator_year": year, "all_young_people_percent": ayp,
            "england_care_leavers_then": float(c["care_leaver_percent"]),
            "gap_then": float(gap(c["care_leaver_percent"], c["percent"]).iloc[0]),
            "council": area["name"],
            "council_percent": council_then, "council_symbol": council_symbol,
            "council_gap": council_then - ayp,
            "england_percent_files": england_then_files,
            "same_year_note": ("" if in_files else
                               f"the published files used here cover {first_year} to {latest_year}, so they "
                               f"have no care leaver figure for {year} and no gap is given"),
            "latest_year": latest_year,
            "council_latest_percent": council_latest, "council_latest_symbol": council_latest_symbol,
            "england_latest_percent": england_latest,
            "years_differ": differ,
            "latest_gap_note": (f"no all-young-people figure for {latest_year} is in the files used here, so "
                                f"no gap is given for {latest_year}" if differ else ""),
            "verified": c["verified"], "citation": c["citation"],
        })
    return pd.DataFrame(rows)


def returns_vs_published(own: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """A council's own OC3 indicators beside the published figures for the same year, age and measure.

    ``own`` is :func:`carejourneys.inputs.loaders.oc3_indicators` output (collection_year, age, table,
    measure,
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
    are added (matched on the comparator's ``label``, the indicator's wording in Bright Spots
    reports). ``difference`` = percent - comparator_percent.
    """
    out = bright_spots.copy()
    out["difference"] = gap(out["percent"], out["comparator_percent"]).to_numpy()
    if comparators is not None and len(comparators):
        key = "label" if "label" in comparators.columns else "indicator"
        cited = comparators[["comparator", key, "percent", "year", "citation", "verified"]].rename(
            columns={"percent": "cited_percent", "year": "cited_year", key: "indicator"})
        cited = cited.drop_duplicates(["comparator", "indicator"])
        out = out.merge(cited, on=["comparator", "indicator"], how="left")
    return out


# --------------------------------------------------------------------------- report tables and figure

def council_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The council's rows of :func:`trends` as a reader-facing table (one row per indicator, age, year).

    Columns: Indicator, Age, Year, Care leavers (the age band's total), Number, Percent (published),
    95% CI from, 95% CI to. Show with ``counts=["Care leavers", "Number"]``,
    ``percent_of={"Percent": "Care leavers", ...}`` and ``secondary=None`` (years are not parts of
    a whole). A figure the DfE did not publish is shown in words with its symbol
    (``"suppressed (c)"``, see :func:`not_published_text`) and never filled in; its interval is left
    empty. :func:`missing_footnotes` explains the symbols.
    """
    c = trend[trend["kind"] == "council"]
    c = c.assign(_label=c["indicator"].map(TABLE_LABEL).fillna(c["indicator"]),
                 _year=_years(c["time_period"]))
    c = c.sort_values(["_label", "age", "_year"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame({
        "Indicator": c["_label"], "Age": c["age"], "Year": c["_year"],
        "Care leavers": _shown(c["total"].astype("Int64"), c.get("total_symbol")),
        "Number": _shown(c["count"].astype("Int64"), c.get("count_symbol")),
        "Percent": _shown(c["percent"], c.get("percent_symbol")),
        "95% CI from": c["ci_low"].round(1), "95% CI to": c["ci_high"].round(1),
    })
    return out.reset_index(drop=True)


def _published_years(trend: pd.DataFrame) -> list[int]:
    """Years in which the council has at least one published percent."""
    c = trend[(trend["kind"] == "council") & trend["percent"].notna()]
    return sorted(int(y) for y in c["time_period"].dropna().unique())


def coverage_note(trend: pd.DataFrame) -> str:
    """One sentence on which years of the council's own published figures the page rests on."""
    years = sorted(int(y) for y in trend.loc[trend["kind"] == "council", "time_period"].dropna().unique())
    published = _published_years(trend)
    if not years or not published:
        return ("The published files used here hold no care leaver figures for this council (a council "
                "that was merged or reorganised before these years has none; where the files list it, "
                "every figure shown here was withheld or not applicable): the tables and charts below "
                "show England and the statistical neighbours only.")
    span = f"{published[0]}" if len(published) == 1 else f"{published[0]} to {published[-1]}"
    text = f"The council's own published figures cover the reporting years {span}."
    asked = trend.attrs.get("area_code")
    used = sorted(set(trend.loc[trend["kind"] == "council", "area_code"].dropna()) - {asked}) \
        if asked and "area_code" in trend.columns else []
    if used:
        text += (" The care leaver files publish them under the council's other code " + ", ".join(used)
                 + f" (the same council and old LA code; {asked} is the code of the request).")
    without = [y for y in years if y not in published]
    if without:
        text += (" For " + ", ".join(map(str, without)) + " the files list the council but publish none of "
                 "the percentages shown here (they are suppressed or not applicable).")
    return text


#: the years of the Care Journeys strategic partnerships (digests: 2019 to 2024)
PROGRAMME_START = 2019
PROGRAMME_END = 2024


def baseline_caveat(trend: pd.DataFrame, programme_start: int | None = PROGRAMME_START) -> str:
    """Why the figures cannot show the programme's effect, from the years the files cover.

    With ``programme_start`` (the partnership sites): the first published year is compared with the
    programme's start; when it is later there is no pre-programme baseline, and the sentence says
    so. ``programme_start`` None (any other council): only the years covered."""
    published = _published_years(trend)
    if not published:
        return ("The published files used here hold none of this council's figures, so there is no "
                "baseline and no trend for it.")
    first, last = published[0], published[-1]
    span = f"the reporting years {first} to {last}" if last != first else f"the reporting year {first}"
    text = (f"The council's published figures here cover {span} (each year ending 31 March). ")
    if programme_start is None:
        return text + ("They describe the council's care leavers as a whole; they are not an evaluation "
                       "of any programme.")
    if first > programme_start:
        text += (f"They start {first - programme_start} year{'s' if first - programme_start != 1 else ''} "
                 f"after the programme began in {programme_start}, so there is no pre-programme baseline: "
                 "changes over these years cannot be set against how things stood before it, ")
    else:
        text += (f"They include the year the programme began ({programme_start}), but ")
    return text + ("and they describe all the council's care leavers, not only those the programme worked "
                   "with, so they cannot show the programme's effect.")


def _fmt_pct(x: float) -> str:
    return f"{float(x):.1f}".rstrip("0").rstrip(".") + "%"


def _fmt_pp(x: float) -> str:
    x = abs(float(x))
    v = f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{v} percentage point{'' if v == '1' else 's'}"


WHAT = {
    "In education, employment or training": "in education, employment or training",
    "Not in education, employment or training": "not in education, employment or training",
    "In suitable accommodation": "in suitable accommodation",
    "In unsuitable accommodation": "in unsuitable accommodation",
    "Activity not known": "of unknown activity",
}


def standing(trend: pd.DataFrame, year: int | None = None, *, ages=("19-21",),
             model: int = 2025) -> pd.DataFrame:
    """:func:`standing_sentences` with what each sentence is about: columns indicator, age, year,
    sentence (one row per indicator and age band, in the order of :data:`HEADLINE`)."""
    cols = ["indicator", "age", "year", "sentence"]
    if year is None:
        year = comparison_year(trend)
        if year is None:
            return pd.DataFrame(columns=cols)
    t = trend[(trend["time_period"] == year) & trend["age"].isin(list(ages))]
    council_name = next(iter(t.loc[t["kind"] == "council", "series"]), None)
    if council_name is None:
        return pd.DataFrame(columns=cols)
    out = []
    order = list(HEADLINE.values())
    keys = sorted(dict.fromkeys(zip(t["indicator"], t["age"], strict=True)),
                  key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1]))
    for indicator, age in keys:
        g = t[(t["indicator"] == indicator) & (t["age"] == age)]
        council = g[g["kind"] == "council"]["percent"]
        what = WHAT.get(indicator, indicator.lower())
        if council.empty or pd.isna(council.iloc[0]):
            out.append((indicator, age, year, f"In {year}, the share of {council_name}'s care leavers aged "
                        f"{age} {what} was not published, so it is not compared."))
            continue
        pct = float(council.iloc[0])
        parts = []
        eng = g[g["kind"] == "england"]["percent"]
        if len(eng) and pd.notna(eng.iloc[0]) and council_name != "England":
            e = float(eng.iloc[0])
            parts.append(f"{_fmt_pct(e)} in England ({_versus(indicator, pct - e)})")
        nb = g[g["series"] == f"Neighbour median ({model} model)"]
        if len(nb) and pd.notna(nb["percent"].iloc[0]):
            m = float(nb["percent"].iloc[0])
            parts.append(f"a median of {_fmt_pct(m)} among its statistical neighbours ({model} model; "
                         f"{_versus(indicator, pct - m)})")
        against = (", against " + " and ".join(parts)) if parts else ""
        out.append((indicator, age, year, f"In {year}, {_fmt_pct(pct)} of {council_name}'s care leavers aged "
                    f"{age} were {what}{against}."))
    return pd.DataFrame(out, columns=cols)


def standing_sentences(trend: pd.DataFrame, year: int | None = None, *, ages=("19-21",),
                       model: int = 2025) -> list[str]:
    """Plain-language sentences on where the council stands against England and its statistical
    neighbours in ``year`` (default: :func:`comparison_year`), one per indicator and age band,
    computed from the same figures as :func:`comparison_table`: "In 2025, 41% of Plymouth's care
    leavers aged 19-21 were in education, employment or training, against 54% in England (13
    percentage points lower, worse) and a median of 50.5% among its statistical neighbours (2025
    model; 9.5 percentage points lower, worse)." A figure the DfE did not publish is said to be so
    and nothing is compared. :func:`standing` gives the same with the indicator and age of each."""
    return list(standing(trend, year, ages=ages, model=model)["sentence"])


def _versus(indicator: str, diff: float) -> str:
    if round(diff, 1) == 0:
        return "the same"
    side = "higher" if diff > 0 else "lower"
    reading = change_reading(indicator, diff)
    return f"{_fmt_pp(diff)} {side}" + (f", {reading}" if reading in ("better", "worse") else "")


def data_origin_note(origin: str | None) -> str:
    """Which figures on the indicators page are official statistics and which come from the
    evaluation's data, for the page's banner. ``origin``: the dataset's origin (``"synthetic"`` or
    ``"real"``), or None when the page uses public statistics only."""
    official = ("The care leaver figures for the council, England and its statistical neighbours, and the "
                "workforce and Ofsted tables, are official statistics published by the DfE and Ofsted "
                "(Open Government Licence v3.0).")
    if origin is None:
        return official + " This page uses no evaluation data."
    own = "the council's own care leaver returns (with the in-touch table) and its Bright Spots results"
    if origin == "synthetic":
        return (official + f" Only {own} come from the evaluation's data, and here that data is a synthetic "
                "replica: those figures are invented and describe no real young person.")
    if origin == "real":
        return (official + f" {own[0].upper() + own[1:]} come from the evaluation's data, which are not "
                "official statistics.")
    raise ValueError(f"origin must be 'synthetic', 'real' or None, got {origin!r}")


#: what page 04 can and cannot say about keeping in touch (for the README and the page)
IN_TOUCH_NOTE = (
    "The public files used here have no in-touch table, so in-touch rates are not compared with England "
    "or statistical neighbours; for the partnership sites they are shown from the council's own returns "
    "only."
)


def _missing_cells(trend: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The council's rows (of ``year``, or every year) whose published percent is missing."""
    c = trend[(trend["kind"] == "council") & trend["percent"].isna()]
    if year is not None:
        c = c[c["time_period"] == year]
    return c


def comparison_year(trend: pd.DataFrame) -> int | None:
    """The year :func:`comparison_table` shows: the latest with a published percent for the council
    (else the latest year the files list it at all; None when they never do)."""
    published = _published_years(trend)
    if published:
        return published[-1]
    years = trend.loc[trend["kind"] == "council", "time_period"].dropna()
    return int(years.max()) if len(years) else None


def comparison_table(trend: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Latest year (or ``year``): the council beside England and each neighbour median, with gaps.

    One row per indicator and age: Council %, its Wilson interval, England %, the neighbour medians
    and the differences (council minus comparator, percentage points). The latest year is the latest
    in which the council has a published percent (:func:`comparison_year`). Where the council's
    figure was not published, Council % says so (``"suppressed (c)"``, ...) and the gap is left
    empty: a missing figure is never compared. :func:`missing_footnotes` says which were left out.
    """
    if year is None:
        year = comparison_year(trend)
        if year is None:  # e.g. a council merged away before the years published here
            return pd.DataFrame(columns=["Indicator", "Age", "Year", "Care leavers", "Council %", "95% CI",
                                         "Gap to England (pp)"])
    t = trend[trend["time_period"] == year]
    rows = []
    for (indicator, age), g in t.groupby(["indicator", "age"], sort=True):
        council = g[g["kind"] == "council"]
        has = len(council) > 0
        pct = council["percent"].iloc[0] if has else pd.NA
        row = {"Indicator": TABLE_LABEL.get(indicator, indicator), "Age": age, "Year": str(year),
               "Care leavers": council["total"].iloc[0] if has else pd.NA,
               "_total_symbol": council["total_symbol"].iloc[0] if has and "total_symbol" in g else pd.NA,
               "Council %": pct,
               "_percent_symbol": (council["percent_symbol"].iloc[0] if has and "percent_symbol" in g
                                   else pd.NA),
               "95% CI": (f"{council['ci_low'].iloc[0]:.1f} to {council['ci_high'].iloc[0]:.1f}"
                          if has and pd.notna(council["ci_low"].iloc[0]) else "")}
        for _, r in g[g["kind"] != "council"].iterrows():
            row[f"{SERIES_LABEL.get(r['series'], r['series'])} %"] = r["percent"]
        eng = g[g["kind"] == "england"]["percent"]
        row["Gap to England (pp)"] = (pct - eng.iloc[0]
                                      if len(eng) and pd.notna(pct) and pd.notna(eng.iloc[0]) else pd.NA)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["Care leavers"] = _shown(out["Care leavers"].astype("Int64"), out["_total_symbol"])
    out["Council %"] = _shown(out["Council %"].astype("Float64"), out["_percent_symbol"])
    out["Gap to England (pp)"] = out["Gap to England (pp)"].astype("Float64")
    return out.drop(columns=["_total_symbol", "_percent_symbol"])


#: the columns of :func:`comparison_table` a page shows in its main text (the rest go to its annex)
COMPARISON_MAIN = ["Indicator", "Age", "Care leavers", "Council %", "England %", "Neighbours, 2025 model %",
                   "Gap to England (pp)"]


def comparison_main(table: pd.DataFrame) -> pd.DataFrame:
    """The narrow form of a :func:`comparison_table` (as shown, protected or not): the columns of
    :data:`COMPARISON_MAIN` it has, in that order (a council without figures has fewer)."""
    return table.loc[:, [c for c in COMPARISON_MAIN if c in table.columns]]


def missing_footnotes(trend: pd.DataFrame, year: int | str | None = None) -> list[str]:
    """Footnotes for a table of the council's figures that has some the DfE did not publish.

    With ``year`` (``"latest"``: the year of :func:`comparison_table`, :func:`comparison_year`), only
    that year's figures are considered and the note names the indicators left out of the gaps;
    without it, every year. Empty when nothing is missing (or the council has no figures at all;
    :func:`coverage_note` says so).
    """
    if year == "latest":
        year = comparison_year(trend)
        if year is None:
            return []
    miss = _missing_cells(trend, year)
    if miss.empty or not _published_years(trend):
        return []
    syms = [x for x in dict.fromkeys(miss["percent_symbol"].dropna()) if x in SYMBOL_WORDS]
    meaning = "; ".join(f"{x}: {SYMBOL_WORDS[x]}" for x in syms)
    words = ("Figures the DfE did not publish for this council are shown as not published, with the "
             "symbol of the official file" + (f" ({meaning})" if meaning else "") + "; none is estimated.")
    if year is None:
        return [words + " Charts leave a gap for them and the changes over time use published years only."]
    names = ", ".join(f"{TABLE_LABEL.get(i, i)} aged {a}" for i, a in
                      sorted(dict.fromkeys(zip(miss["indicator"], miss["age"], strict=True))))
    return [words + f" In {year} that applies to {names}: no gap to England is given for them."]


#: the measures compared in :func:`own_returns`: each splits the age band in two (in the group or not),
#: so that no small group can be recovered by subtracting one row from another
OWN_RETURN_MEASURES = (("activity", "eet"), ("accommodation", "suitable"))
OWN_RETURN_COLUMNS = ["Indicator", "Age", "Year", "Number", "Others", "Total", "% (return)",
                      "% (published)", "Care leavers (published)", "Difference (pp)"]


def own_returns(oc3_records: pd.DataFrame | None, pub, la_code: str) -> pd.DataFrame:
    """A council's own OC3 returns (validated records) beside the published figures.

    Only EET and suitable accommodation are compared (:data:`OWN_RETURN_MEASURES`), each as Number
    (in the group), Others and Total from the returns, so that the table can be protected row by row:
    show it with ``counts=["Number", "Others", "Total"]``, ``secondary="rows"`` and
    ``percent_of={"% (return)": "Number", "Difference (pp)": "Number"}`` (and the percent is
    withheld when Others is suppressed too, since the row's secondary suppression then hides Number).
    Returns an empty frame with the same columns when there are no returns.
    """
    from carejourneys.inputs.loaders.oc3 import oc3_indicators

    if oc3_records is None or len(oc3_records) == 0:
        return pd.DataFrame(columns=OWN_RETURN_COLUMNS)
    own = oc3_indicators(oc3_records)
    published = rates(_council_rows(pub, la_code))
    m = returns_vs_published(own, published)
    keys = pd.DataFrame(list(OWN_RETURN_MEASURES), columns=["table", "measure"])
    m = m.merge(keys, on=["table", "measure"])
    m = m[m["own_total"] > 0]  # an age band with no care leaver in the returns
    total = m["own_total"].astype("Int64")
    number = m["own_count"].astype("Int64")
    out = pd.DataFrame({
        "Indicator": [TABLE_LABEL[HEADLINE[(t, x)]] for t, x in zip(m["table"], m["measure"], strict=True)],
        "Age": m["age"], "Year": _years(m["time_period"]),
        "Number": number, "Others": (total - number).astype("Int64"), "Total": total,
        "% (return)": m["own_percent"].astype("Float64").round(1),
        "% (published)": m["published_percent"],
        "Care leavers (published)": m["published_total"].astype("Int64"),
        "Difference (pp)": m["difference"].astype("Float64").round(1),
    }, columns=OWN_RETURN_COLUMNS)
    return out.sort_values(["Indicator", "Age", "Year"], kind="stable").reset_index(drop=True)


_STYLE = {"council": dict(lw=2.4, marker="o", zorder=4), "england": dict(lw=1.6, ls="--", zorder=3),
          "neighbours": dict(lw=1.4, ls=":", marker=".", zorder=2)}


def trend_figure(trend: pd.DataFrame):
    """Small multiples (indicator x age band): the council's published percent with its Wilson
    interval as a band, England dashed, statistical-neighbour medians dotted. Returns the Figure."""
    import matplotlib.pyplot as plt

    order = list(HEADLINE.values())
    indicators = sorted(dict.fromkeys(trend["indicator"]), key=lambda s: order.index(s) if s in order else 99)
    ages = sorted(trend["age"].unique())
    from carejourneys.render.plots import theme

    with theme():
        fig, axes = plt.subplots(len(indicators), len(ages), figsize=(4.6 * len(ages), 3.0 * len(indicators)),
                                 squeeze=False, sharex=True)
        colours = {}
        palette = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
        for i, indicator in enumerate(indicators):
            for j, age in enumerate(ages):
                ax = axes[i][j]
                sub = trend[(trend["indicator"] == indicator) & (trend["age"] == age)]
                for series, g in sub.groupby("series", sort=False):
                    g = g.sort_values("time_period")
                    kind = g["kind"].iloc[0]
                    colour = colours.setdefault(series, palette[len(colours) % len(palette)])
                    x = g["time_period"].astype(int).to_numpy()
                    y = g["percent"].astype(float).to_numpy(na_value=np.nan)
                    ax.plot(x, y, color=colour, label=series, **_STYLE.get(kind, {}))
                    if kind == "council":
                        lo = g["ci_low"].astype(float).to_numpy(na_value=np.nan)
                        hi = g["ci_high"].astype(float).to_numpy(na_value=np.nan)
                        ax.fill_between(x, lo, hi, color=colour, alpha=0.18, linewidth=0)
                ax.set_title(f"{SHORT.get(indicator, indicator)}, aged {age}", fontsize=10)
                ax.set_ylim(0, 100)
                ax.set_ylabel("%" if j == 0 else "")
                ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False,
                   bbox_to_anchor=(0.5, -0.02))
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def gap_table(pub, la_code: str) -> pd.DataFrame:
    """Reader-facing form of :func:`gap_to_all_young_people` (NEET, ages 19-21, percentage points).

    A gap is given only between figures of the same year; the council's figure for the comparator's
    year, when the files have none, is shown as not in the files; the latest year's care leaver
    figures follow for context, with no gap (the Source column says why)."""
    g = gap_to_all_young_people(pub, la_code)
    rows = []
    for _, r in g.iterrows():
        year = r["comparator_year"]
        rows.append({"Group": "All young people aged 19-21 (England)", "Year": year,
                     "NEET %": r["all_young_people_percent"], "Gap (pp)": pd.NA,
                     "Source": f"{r['citation']} [{r['verified']} source]"})
        rows.append({"Group": "Care leavers aged 19-21 (England)", "Year": year,
                     "NEET %": r["england_care_leavers_then"], "Gap (pp)": r["gap_then"],
                     "Source": "as above; gap to all young people of the same year"})
        if r["council"] != "England":
            has = pd.notna(r["council_percent"])
            rows.append({"Group": f"Care leavers aged 19-21 ({r['council']})", "Year": year,
                         "NEET %": r["council_percent"], "Gap (pp)": r["council_gap"] if has else pd.NA,
                         "_symbol": r["council_symbol"] if pd.notna(r["council_symbol"]) else
                         ("" if r["same_year_note"] else pd.NA),
                         "Source": _sentence_case("DfE care leavers by activity (data/public); gap to all "
                                                  "young people of the same year" if has else
                                                  (r["same_year_note"] or "the council's figure was not "
                                                   "published, so no gap is given"))})
        if r["years_differ"]:
            why = f"for context: {r['latest_gap_note']}"
            rows.append({"Group": "Care leavers aged 19-21 (England)", "Year": r["latest_year"],
                         "NEET %": r["england_latest_percent"], "Gap (pp)": pd.NA,
                         "Source": "DfE care leavers by activity (data/public); " + why})
            if r["council"] != "England":
                rows.append({"Group": f"Care leavers aged 19-21 ({r['council']})", "Year": r["latest_year"],
                             "NEET %": r["council_latest_percent"], "Gap (pp)": pd.NA,
                             "_symbol": r.get("council_latest_symbol", pd.NA),
                             "Source": ("as above; the council's figure was not published"
                                        if pd.isna(r["council_latest_percent"]) else "as above")})
    out = pd.DataFrame(rows, columns=["Group", "Year", "NEET %", "Gap (pp)", "Source", "_symbol"])
    out["Year"] = _years(out["Year"])
    syms = out["_symbol"].map(lambda s: NOT_IN_FILES if isinstance(s, str) and s == "" else s)
    shown = _shown(out["NEET %"].astype("Float64"), syms.where(syms != NOT_IN_FILES, pd.NA))
    out["NEET %"] = [NOT_IN_FILES if s == NOT_IN_FILES else v for v, s in zip(shown, syms, strict=True)]
    out["Gap (pp)"] = out["Gap (pp)"].astype("Float64")
    return out.drop(columns=["_symbol"])


#: shown where the public files used here do not cover the year at all
NOT_IN_FILES = "not in the files used here"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def bright_spots_table(bright_spots: pd.DataFrame, comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reader-facing form of :func:`bright_spots_vs_national` for one site."""
    b = bright_spots_vs_national(bright_spots, comparators)
    out = pd.DataFrame({
        "Survey year": _years(b["survey_year"]), "Indicator": b["indicator"],
        "Respondents": b["respondents"].astype("Int64"),
        "Care leavers here %": b["percent"].astype("Float64"),
        "Comparator": b["comparator"].map({"national": "Bright Spots national", "all_young_people":
                                           "All young people"}).fillna(b["comparator"]),
        "Comparator %": b["comparator_percent"].astype("Float64"),
        "Difference (pp)": b["difference"].astype("Float64").round(1),
    })
    if "cited_percent" in b.columns:
        out["Cited national % (year)"] = [
            "" if pd.isna(p) else f"{p:g} ({int(y)})" for p, y in zip(b["cited_percent"], b["cited_year"],
                                                                         strict=True)]
    return out.sort_values(["Survey year", "Indicator"], kind="stable").reset_index(drop=True)


def comparators_table(comparators: pd.DataFrame) -> pd.DataFrame:
    """The cited national comparators as a reader-facing table."""
    c = comparators
    return pd.DataFrame({
        "Measure": c["label"] if "label" in c.columns else c["indicator"], "Population": c["population"],
        "Year": _years(c["year"]), "%": c["percent"].astype("Float64"),
        "Source": c["citation"], "Checked": c["verified"].map({"yes": "against the publication",
                                                                "secondary": "secondary report only",
                                                                "unverified": "not checked"}),
    })


def in_touch_table(oc3_records: pd.DataFrame | None) -> pd.DataFrame:
    """Care leavers the council was in touch with (IN_TOUCH = YES), from its own returns.

    The published files used here hold no in-touch table, so this comes from the returns alone.
    One row per collection year and age band: In touch, Others, Total, % in touch. Show with
    ``counts=["In touch", "Others", "Total"]``, ``secondary="rows"`` and
    ``percent_of={"% in touch": "In touch"}``.
    """
    from carejourneys.inputs.loaders.oc3 import oc3_indicators

    cols = ["Year", "Age", "In touch", "Others", "Total", "% in touch"]
    if oc3_records is None or len(oc3_records) == 0:
        return pd.DataFrame(columns=cols)
    t = oc3_indicators(oc3_records)
    t = t[(t["table"] == "in_touch") & (t["measure"] == "in_touch") & (t["total"] > 0)]
    out = pd.DataFrame({
        "Year": _years(t["collection_year"]), "Age": t["age"], "In touch": t["count"].astype("Int64"),
        "Others": (t["total"] - t["count"]).astype("Int64"), "Total": t["total"].astype("Int64"),
        "% in touch": t["percent"].astype("Float64").round(1),
    }, columns=cols)
    return out.sort_values(["Age", "Year"], kind="stable").reset_index(drop=True)
