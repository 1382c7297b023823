"""Personal Adviser survey, facilitator ratings and retrospective survey summaries.

* **PA survey** (``ds.pa_survey``, one row per young person rated by a Personal Adviser): per
  outcome domain, how many young people were rated better (``A little better`` or ``Much
  better``), the same, or worse, and the share rated better with a **Wilson score interval**.
  ``Don't know`` and blank ratings are not in the denominator and are counted separately. When
  the same young person was rated in more than one response, the latest response counts (ties:
  the last row).
* **Facilitator ratings** (``ds.facilitator_ratings``, one row per workshop session):
  engagement and wellbeing (1-5) per session, and summaries over sessions (overall or per
  activity). Attendees are summed as *attendances* (one person can attend several sessions).
* **Retrospective survey** (``ds.retrospective_survey``): per item, ratings of *before* (given
  afterwards) and *now*; the paired statistics are in :func:`carejourneys.metrics.outcomes.
  retrospective_change` and are never pooled with pre/post results.

Statistics over fewer than ``threshold`` young people are withheld (``<NA>``) and ``note`` says
so; counts of people go through ``cj.report.table(..., counts=[...])``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from carejourneys.inputs.schemas import PA_CHANGE_SCALE, PA_DOMAINS, PA_DONT_KNOW, RETRO_ITEMS

DOMAIN_LABELS = {
    "social_connections": "Social connections",
    "wellbeing": "Wellbeing, confidence and identity",
    "skills": "Skills and knowledge",
    "goals": "Personal goals and positive destinations",
}
PA_BETTER = PA_CHANGE_SCALE[3:]
PA_SAME = PA_CHANGE_SCALE[2:3]
PA_WORSE = PA_CHANGE_SCALE[:2]


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (NaN, NaN when n is 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)  # the bounds are exactly 0 and 1 at the edges
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def latest_per_young_person(pa: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, young_person_ref): the latest response (ties: the last row)."""
    if pa.empty:
        return pa
    order = pa.reset_index(drop=True).reset_index(names="_pos")
    order = order.sort_values(["completed_on", "_pos"], kind="stable")
    return order.drop_duplicates(["site", "young_person_ref"], keep="last").sort_values("_pos").drop(
        columns="_pos").reset_index(drop=True)


def pa_ratings(pa: pd.DataFrame, *, threshold: int = 5, confidence: float = 0.95) -> pd.DataFrame:
    """Per outcome domain: young people rated, better / same / worse, don't know or blank, the share
    rated better with a Wilson interval (withheld when fewer than ``threshold`` were rated)."""
    people = latest_per_young_person(pa)
    rows = []
    for d in PA_DOMAINS:
        col = people[f"change_{d}"] if not people.empty else pd.Series(dtype="str")
        better = int(col.isin(PA_BETTER).sum())
        same = int(col.isin(PA_SAME).sum())
        worse = int(col.isin(PA_WORSE).sum())
        dont_know = int((col == PA_DONT_KNOW).sum())
        blank = int(col.isna().sum())
        n = better + same + worse
        lo, hi = wilson_interval(better, n, confidence)
        share = better / n if n else float("nan")
        note = ""
        if n < threshold:
            share = lo = hi = float("nan")
            note = f"fewer than {threshold} young people rated: share withheld"
        rows.append({"domain": d, "label": DOMAIN_LABELS[d], "young_people": len(people), "rated": n,
                     "better": better, "same": same, "worse": worse, "dont_know_or_blank": dont_know + blank,
                     "share_better": share, "ci_low": lo, "ci_high": hi, "note": note})
    out = pd.DataFrame(rows)
    for c in ("young_people", "rated", "better", "same", "worse", "dont_know_or_blank"):
        out[c] = out[c].astype("Int64")
    for c in ("share_better", "ci_low", "ci_high"):
        out[c] = out[c].astype("Float64")
    return out


#: count columns of :func:`pa_ratings` (counts of young people)
PA_COUNTS = ["young_people", "rated", "better", "same", "worse", "dont_know_or_blank"]


def pa_summary(pa: pd.DataFrame) -> dict[str, int]:
    """Responses, Personal Advisers and young people covered (overall sample sizes)."""
    if pa.empty:
        return {"responses": 0, "personal_advisers": 0, "young_people": 0}
    return {
        "responses": int(pa["response_id"].nunique()),
        "personal_advisers": int(pa["pa_id"].nunique()),
        "young_people": int(pa[["site", "young_person_ref"]].drop_duplicates().shape[0]),
    }


def pa_display(ratings: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """:func:`pa_ratings` for readers: percentages and the interval as text; the better / same /
    worse split is protected with :func:`carejourneys.metrics.outcomes.protect_split` (a share
    and its interval are withheld with the count of young people rated better)."""
    from carejourneys.metrics.outcomes import protect_split


    def pct(x):
        return "" if pd.isna(x) else f"{x:.0%}"

    out = pd.DataFrame({
        "Outcome domain": ratings["label"],
        "Rated": ratings["rated"],
        "Better": ratings["better"],
        "Same": ratings["same"],
        "Worse": ratings["worse"],
        "Don't know or blank": ratings["dont_know_or_blank"],
        "Rated better": ratings["share_better"].map(pct),
        "95% CI (Wilson)": [
            "" if pd.isna(lo) else f"{lo:.0%} to {hi:.0%}"
            for lo, hi in zip(ratings["ci_low"], ratings["ci_high"], strict=True)
        ],
        "Note": ratings["note"],
    })
    return protect_split(out, ["Better", "Same", "Worse"], threshold=threshold,
                         shares={"Rated better": "Better", "95% CI (Wilson)": "Better"})


PA_DISPLAY_COUNTS = ["Rated", "Better", "Same", "Worse", "Don't know or blank"]


# --------------------------------------------------------------------------- facilitator ratings


def facilitator_sessions(ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per session, in date order: date, activity, attendees, engagement, wellbeing (1-5)."""
    cols = ["session_id", "site", "activity", "session_date", "attendees", "engagement", "wellbeing"]
    if ratings.empty:
        return ratings.reindex(columns=cols)
    return ratings.sort_values(["session_date", "session_id"], kind="stable")[cols].reset_index(drop=True)


def facilitator_session_display(ratings: pd.DataFrame) -> pd.DataFrame:
    """:func:`facilitator_sessions` for readers; ``Attendees`` counts people (pass it as a count
    column to ``cj.report.table``)."""
    s = facilitator_sessions(ratings)
    return pd.DataFrame({
        "Session date": [f"{d:%d %b %Y}" for d in s["session_date"]],
        "Activity": s["activity"],
        "Attendees": s["attendees"],
        "Engagement (1-5)": s["engagement"],
        "Wellbeing (1-5)": s["wellbeing"],
    })


def facilitator_summary(ratings: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Over sessions (overall, or per ``by`` e.g. ``"activity"``): sessions, attendances, median
    and mean engagement and wellbeing, and the share of sessions rated 4 or 5 on each."""
    groups = [("All sessions", ratings)] if by is None else list(ratings.groupby(by, sort=True))
    rows = []
    for key, g in groups:
        row = {"group": key, "sessions": len(g),
               "attendances": int(g["attendees"].sum()) if len(g) else 0,
               "first_session": g["session_date"].min() if len(g) else pd.NaT,
               "last_session": g["session_date"].max() if len(g) else pd.NaT}
        for c in ("engagement", "wellbeing"):
            x = g[c].to_numpy(dtype=float, na_value=np.nan)
            x = x[~np.isnan(x)]
            row[f"{c}_median"] = float(np.median(x)) if x.size else float("nan")
            row[f"{c}_mean"] = float(x.mean()) if x.size else float("nan")
            row[f"{c}_share_4_5"] = float((x >= 4).mean()) if x.size else float("nan")
        rows.append(row)
    out = pd.DataFrame(rows)
    if by is not None:
        out = out.rename(columns={"group": by})
    return out


# --------------------------------------------------------------------------- retrospective


def retrospective_distribution(retro: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """Per retrospective item: respondents answering both parts, median rating before and now,
    and how many rated now higher / the same / lower than before (medians withheld when fewer
    than ``threshold`` answered)."""
    rows = []
    for item in RETRO_ITEMS:
        b = retro[f"{item}_before"].to_numpy(dtype=float, na_value=np.nan) if len(retro) else np.array([])
        a = retro[f"{item}_now"].to_numpy(dtype=float, na_value=np.nan) if len(retro) else np.array([])
        keep = ~(np.isnan(b) | np.isnan(a))
        b, a = b[keep], a[keep]
        n = int(b.size)
        ok = n >= threshold
        rows.append({
            "item": item,
            "label": item.replace("_", " ").capitalize(),
            "respondents": n,
            "median_before": float(np.median(b)) if ok else float("nan"),
            "median_now": float(np.median(a)) if ok else float("nan"),
            "higher_now": int((a > b).sum()),
            "same": int((a == b).sum()),
            "lower_now": int((a < b).sum()),
            "note": "" if ok else f"fewer than {threshold} respondents: medians withheld",
        })
    out = pd.DataFrame(rows)
    for c in ("respondents", "higher_now", "same", "lower_now"):
        out[c] = out[c].astype("Int64")
    return out


RETRO_COUNTS = ["respondents", "higher_now", "same", "lower_now"]


def facilitator_display(ratings: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """:func:`facilitator_summary` for readers: sessions, attendances, period, and engagement and
    wellbeing as median, mean and share of sessions rated 4-5 (ratings describe sessions, not
    people, so nothing here is a count of people)."""
    s = facilitator_summary(ratings, by=by)

    def pct(x):
        return "" if pd.isna(x) else f"{x:.0%}"

    def num(x):
        return "" if pd.isna(x) else f"{x:.1f}"

    out = pd.DataFrame({(by.capitalize() if by else "Sessions"): s[by if by else "group"]})
    out["Sessions rated"] = s["sessions"]
    out["Attendances"] = s["attendances"]
    out["Period"] = [
        "" if pd.isna(a) else f"{a:%b %Y} to {b:%b %Y}" for a, b in zip(s["first_session"], s["last_session"],
                                                                       strict=True)
    ]
    for c, name in (("engagement", "Engagement"), ("wellbeing", "Wellbeing")):
        out[f"{name}: median (1-5)"] = s[f"{c}_median"].map(num)
        out[f"{name}: mean"] = s[f"{c}_mean"].map(num)
        out[f"{name}: rated 4-5"] = s[f"{c}_share_4_5"].map(pct)
    return out
