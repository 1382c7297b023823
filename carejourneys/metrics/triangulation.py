"""Triangulation of outcomes for young people: outcome domain x source -> direction and strength.

Every cell is computed from the data by the rules below; nothing is typed in.

Evidence per source (the unit each source counts):

* ``prepost`` - pre/post questionnaire, people: the sign of each person's change on the domain's
  primary scale (:data:`PREPOST_SCALES`: SWEMWBS metric for wellbeing, UCLA-3 for social
  connections, lower is better). Skills and goals are not measured by the questionnaire.
* ``retrospective`` - then-test survey, people: the sign of each person's mean change (now -
  before) over the domain's items (:data:`RETRO_DOMAIN_ITEMS`; wellbeing uses wellbeing and
  confidence).
* ``pa_survey`` - Personal Adviser ratings, young people: better / no change / worse
  (``Don't know`` and blanks left out); the latest rating per young person.
* ``facilitator`` - workshop facilitator ratings, sessions: the wellbeing rating of each session
  (4-5 positive, 3 neutral, 1-2 negative). These rate wellbeing *in sessions*, not change; the
  note says so.
* ``interviews`` - coded interview segments of young people (role ``Young person``), people:
  the valence coded on the same passage (``Valence/Positive``/``Mixed``/``Negative`` on an
  overlapping span of the same source) averaged per person: above 0 improved, 0 the same (mixed
  views), below 0 worse. People who mention the domain without a valenced passage are counted
  in ``mentioned`` only.

Direction from the counts improved / same / worse out of ``n``:

* ``not measured`` when n is 0;
* ``improved`` when at least half improved and improvers outnumber those worse at least 2 to 1;
* ``worse`` likewise the other way;
* ``no change`` when more than half stayed the same;
* ``mixed`` otherwise.

``consistency`` is the share of the ``n`` in the largest of the three groups. ``strength``:
``stronger`` when n >= 30 and consistency >= 0.75; ``moderate`` when n >= 10 and consistency >=
0.6; otherwise ``limited`` (``none`` when not measured). The SWEMWBS developers advise at least
30 people measured twice, hence 30.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carejourneys import measures
from carejourneys.inputs.schemas import CODE_SEPARATOR, OUTCOME_DOMAINS, PA_DOMAINS
from carejourneys.metrics import outcomes, surveys

DOMAINS = tuple(OUTCOME_DOMAINS)
DOMAIN_LABELS = surveys.DOMAIN_LABELS

SOURCES = {
    "prepost": ("Pre/post questionnaire", "people"),
    "retrospective": ("Retrospective survey", "people"),
    "pa_survey": ("Personal Adviser survey", "young people"),
    "facilitator": ("Facilitator ratings", "sessions"),
    "interviews": ("Interviews with young people", "people"),
}
DIRECTIONS = ("improved", "mixed", "no change", "worse", "not measured")

PREPOST_SCALES = {"wellbeing": "swemwbs_metric", "social_connections": "ucla_total"}
RETRO_DOMAIN_ITEMS = {
    "social_connections": ("social_connections",),
    "wellbeing": ("wellbeing", "confidence"),
    "skills": ("skills",),
    "goals": ("goals",),
}
FACILITATOR_DOMAINS = {"wellbeing": "wellbeing"}
VALENCE_SCORES = {"Valence/Positive": 1, "Valence/Mixed": 0, "Valence/Negative": -1}
YOUNG_PERSON_ROLE = "Young person"


def direction(n_improved: int, n_same: int, n_worse: int) -> str:
    """The direction of a set of individual changes (see the module docstring for the rule)."""
    n = n_improved + n_same + n_worse
    if n == 0:
        return "not measured"
    if 2 * n_improved >= n and n_improved >= 2 * n_worse:
        return "improved"
    if 2 * n_worse >= n and n_worse >= 2 * n_improved:
        return "worse"
    if 2 * n_same > n:
        return "no change"
    return "mixed"


def strength(n: int, consistency: float) -> str:
    """``stronger`` / ``moderate`` / ``limited`` (``none`` when n is 0)."""
    if n == 0:
        return "none"
    if n >= 30 and consistency >= 0.75:
        return "stronger"
    if n >= 10 and consistency >= 0.6:
        return "moderate"
    return "limited"


def _signs(values: np.ndarray) -> tuple[int, int, int]:
    v = values[~np.isnan(values)]
    return int((v > 0).sum()), int((v == 0).sum()), int((v < 0).sum())


def _cell(domain: str, source: str, counts: tuple[int, int, int] | None, note: str = "",
          mentioned: int | None = None) -> dict:
    label, unit = SOURCES[source]
    imp, same, worse = counts if counts is not None else (0, 0, 0)
    n = imp + same + worse
    cons = max(imp, same, worse) / n if n else float("nan")
    return {"domain": domain, "domain_label": DOMAIN_LABELS[domain], "source": source, "source_label": label,
            "unit": unit, "n": n, "improved": imp, "same": same, "worse": worse,
            "mentioned": mentioned, "direction": direction(imp, same, worse), "consistency": cons,
            "strength": strength(n, cons if n else 0.0), "note": note}


# --------------------------------------------------------------------------- per source


def prepost_evidence(prepost: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Per domain measured: (improved, same, worse) people on the primary scale."""
    pairs = outcomes.prepost_pairs(prepost)
    out = {}
    for domain, scale in PREPOST_SCALES.items():
        d = (pairs[f"{scale}_post"] - pairs[f"{scale}_pre"]).to_numpy(dtype=float, na_value=np.nan)
        if not measures.SCALES[scale]["higher_is_better"]:
            d = -d
        out[domain] = _signs(d)
    return out


def retrospective_evidence(retro: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Per domain: (improved, same, worse) people by their mean then-test change over the items."""
    out = {}
    for domain, items in RETRO_DOMAIN_ITEMS.items():
        if retro.empty:
            out[domain] = (0, 0, 0)
            continue
        changes = np.column_stack([
            (retro[f"{i}_now"] - retro[f"{i}_before"]).to_numpy(dtype=float, na_value=np.nan) for i in items
        ])
        with np.errstate(all="ignore"):
            answered = (~np.isnan(changes)).sum(axis=1)
            mean = np.where(answered > 0, np.nansum(changes, axis=1) / np.maximum(answered, 1), np.nan)
        out[domain] = _signs(mean)
    return out


def pa_evidence(pa: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Per domain: (better, no change, worse) young people rated by their Personal Adviser."""
    ratings = surveys.pa_ratings(pa, threshold=0).set_index("domain")
    return {d: (int(ratings.loc[d, "better"]), int(ratings.loc[d, "same"]), int(ratings.loc[d, "worse"]))
            for d in PA_DOMAINS}


def facilitator_evidence(ratings: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Wellbeing: sessions rated 4-5 / 3 / 1-2 by the facilitator."""
    out = {}
    for domain, col in FACILITATOR_DOMAINS.items():
        v = ratings[col].to_numpy(dtype=float, na_value=np.nan) if len(ratings) else np.array([])
        out[domain] = _signs(np.where(np.isnan(v), np.nan, np.sign(v - 3)))
    return out


def _person(segments: pd.DataFrame) -> pd.Series:
    src = segments["source_id"].astype("str")
    if "speaker_id" in segments.columns:
        spk = segments["speaker_id"]
        ok = spk.notna() & (spk.astype("str").str.len() > 0)
        return spk.astype("str").where(ok, src)
    return src


def domain_segments(segments: pd.DataFrame, *, role: str | None = YOUNG_PERSON_ROLE) -> pd.DataFrame:
    """Segments coded to an outcome domain (or below it), with ``domain``, ``person`` and the
    ``valence`` score (-1/0/+1, ``<NA>`` when no valence code overlaps the passage)."""
    cols = ["segment_id", "source_id", "person", "role", "domain", "valence"]
    if segments.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in cols})
    s = segments if role is None else segments[segments["role"] == role]
    s = s.assign(person=_person(s), code_path=s["code_path"].astype("str"))
    parts = []
    for domain, path in OUTCOME_DOMAINS.items():
        hit = s[(s["code_path"] == path) | s["code_path"].str.startswith(path + CODE_SEPARATOR)]
        parts.append(hit.assign(domain=domain))
    themed = pd.concat(parts, ignore_index=True) if parts else s.head(0).assign(domain="")
    val = segments[segments["code_path"].astype("str").isin(list(VALENCE_SCORES))]
    val = val.assign(score=val["code_path"].astype("str").map(VALENCE_SCORES))[
        ["source_id", "start", "end", "score"]]
    themed = themed.reset_index(drop=True).reset_index(names="_row")
    m = themed[["_row", "source_id", "start", "end"]].merge(val, on="source_id", suffixes=("", "_v"))
    overlap = np.minimum(m["end"], m["end_v"]) - np.maximum(m["start"], m["start_v"])
    m = m.assign(_overlap=overlap.astype("float64"))
    same_span = (m["start"] == m["start_v"]) & (m["end"] == m["end_v"])
    m = m[(m["_overlap"] > 0) | same_span]
    m = m.sort_values(["_row", "_overlap"], ascending=[True, False], kind="stable").drop_duplicates("_row")
    themed["valence"] = themed["_row"].map(m.set_index("_row")["score"]).astype("Int64")
    return themed[cols]


def interview_evidence(segments: pd.DataFrame) -> dict[str, tuple[tuple[int, int, int], int]]:
    """Per domain: ((improved, same, worse) people by mean valence, people mentioning it)."""
    ds = domain_segments(segments)
    out = {}
    for domain in DOMAINS:
        x = ds[ds["domain"] == domain]
        mentioned = int(x["person"].nunique())
        v = x.dropna(subset=["valence"])
        mean = v.groupby("person")["valence"].mean().to_numpy(dtype=float) if len(v) else np.array([])
        out[domain] = (_signs(mean), mentioned)
    return out


def qualitative_by_domain(segments: pd.DataFrame, *, role: str | None = YOUNG_PERSON_ROLE) -> pd.DataFrame:
    """Per outcome domain: people and sources (transcripts) mentioning it, coded segments, and people
    whose passages on it were coded positive / negative on balance (``role`` None: everyone)."""
    ds = domain_segments(segments, role=role)
    rows = []
    for domain in DOMAINS:
        x = ds[ds["domain"] == domain]
        per_person = x.dropna(subset=["valence"]).groupby("person")["valence"].mean()
        rows.append({"domain": domain, "label": DOMAIN_LABELS[domain], "people": int(x["person"].nunique()),
                     "sources": int(x["source_id"].nunique()), "segments": int(x["segment_id"].nunique()),
                     "people_positive": int((per_person > 0).sum()),
                     "people_negative": int((per_person < 0).sum())})
    out = pd.DataFrame(rows)
    for c in ("people", "sources", "segments", "people_positive", "people_negative"):
        out[c] = out[c].astype("Int64")
    return out


#: count columns of :func:`qualitative_by_domain` that count people
QUALITATIVE_COUNTS = ["people", "people_positive", "people_negative"]


# --------------------------------------------------------------------------- the table


def triangulate(ds) -> pd.DataFrame:
    """The long triangulation table for a dataset (anything with ``prepost_survey``,
    ``retrospective_survey``, ``pa_survey``, ``facilitator_ratings`` and ``coded_segments``):
    one row per domain x source with n, improved / same / worse, direction, consistency,
    strength and a note."""
    pre = prepost_evidence(ds.prepost_survey)
    retro = retrospective_evidence(ds.retrospective_survey)
    pa = pa_evidence(ds.pa_survey)
    fac = facilitator_evidence(ds.facilitator_ratings)
    inter = interview_evidence(ds.coded_segments)
    rows = []
    for d in DOMAINS:
        rows.append(_cell(d, "prepost", pre.get(d),
                          "" if d in pre else "not asked in the questionnaire"))
        rows.append(_cell(d, "retrospective", retro.get(d), "rated afterwards; not pooled with pre/post"))
        rows.append(_cell(d, "pa_survey", pa.get(d), "rated by Personal Advisers"))
        rows.append(_cell(d, "facilitator", fac.get(d),
                          "wellbeing in sessions, not change" if d in fac else "not rated by facilitators"))
        counts, mentioned = inter[d]
        rows.append(_cell(d, "interviews", counts, "valence of young people's own accounts",
                          mentioned=mentioned))
    out = pd.DataFrame(rows)
    for c in ("n", "improved", "same", "worse", "mentioned"):
        out[c] = out[c].astype("Int64")
    out["consistency"] = out["consistency"].astype("Float64")
    return out


#: count columns of :func:`triangulate` (people, or sessions for facilitator ratings)
TRIANGULATION_COUNTS = ["n", "improved", "same", "worse", "mentioned"]


def agreement_band(consistency: float) -> str:
    """Consistency as a band (an exact share of a small n could reveal a small count of people)."""
    if pd.isna(consistency):
        return "no data"
    if consistency >= 0.75:
        return "75% or more agree"
    if consistency >= 0.6:
        return "60-74% agree"
    if consistency >= 0.5:
        return "50-59% agree"
    return "under half agree"


def matrix(long: pd.DataFrame, *, threshold: int = 5) -> pd.DataFrame:
    """The reader's grid: rows are outcome domains, columns are sources, each cell ``direction
    (n=.., agreement band, strength)``. A cell over fewer than ``threshold`` people or sessions
    shows neither its n nor its direction (``withheld (n<threshold)``); agreement is shown as a
    band, never as an exact share. This grid is text, so it applies the disclosure rule itself."""

    def text(r) -> str:
        n = int(r["n"])
        if n == 0:
            return "not measured"
        if n < threshold:
            return f"withheld (n<{threshold})"
        return f"{r['direction']} (n={n}, {agreement_band(r['consistency'])}, {r['strength']})"

    cells = long.assign(cell=long.apply(text, axis=1))
    grid = cells.pivot(index="domain_label", columns="source_label", values="cell")
    grid = grid.reindex(index=[DOMAIN_LABELS[d] for d in DOMAINS],
                        columns=[SOURCES[s][0] for s in SOURCES])
    grid.index.name = "Outcome domain"
    grid.columns.name = None
    return grid


def sample_sizes(ds) -> pd.DataFrame:
    """Every outcome source with its overall sample size (what each n counts), for the report's
    opening table. Overall sample sizes of a method are publishable; a source a site did not
    collect shows 0."""
    pre = outcomes.prepost_pairs(ds.prepost_survey)
    paired = int((pre["has_pre"] & pre["has_post"]).sum()) if len(pre) else 0
    pa = surveys.pa_summary(ds.pa_survey)
    fac = ds.facilitator_ratings
    yp = domain_segments(ds.coded_segments)
    rows = [
        ("Pre/post questionnaire", "young people with both questionnaires", paired,
         f"{pre['activity'].nunique()} activities" if len(pre) else ""),
        ("Retrospective survey", "young people responding", len(ds.retrospective_survey), ""),
        ("Personal Adviser survey", "young people rated", pa["young_people"],
         f"{pa['responses']} responses from {pa['personal_advisers']} Personal Advisers"
         if pa["responses"] else ""),
        ("Facilitator ratings", "sessions rated", len(fac),
         f"{int(fac['attendees'].sum())} attendances" if len(fac) else ""),
        ("Interviews with young people", "young people discussing an outcome domain",
         int(yp["person"].nunique()), f"{int(yp['source_id'].nunique())} transcripts" if len(yp) else ""),
    ]
    out = pd.DataFrame(rows, columns=["Source", "What n counts", "n", "Detail"])
    out["n"] = out["n"].astype("Int64")
    out.loc[out["n"] == 0, "Detail"] = "not collected at this site"
    return out


def qualitative_display(segments: pd.DataFrame, *, role: str | None = YOUNG_PERSON_ROLE) -> pd.DataFrame:
    """:func:`qualitative_by_domain` with readers' column names; counts of people are in
    :data:`QUALITATIVE_DISPLAY_COUNTS`."""
    q = qualitative_by_domain(segments, role=role)
    return pd.DataFrame({
        "Outcome domain": q["label"],
        "People mentioning it": q["people"],
        "Interviews (transcripts)": q["sources"],
        "Coded passages": q["segments"],
        "People positive on balance": q["people_positive"],
        "People negative on balance": q["people_negative"],
    })


QUALITATIVE_DISPLAY_COUNTS = ["People mentioning it", "Interviews (transcripts)",
                              "People positive on balance", "People negative on balance"]


def domain_evidence(long: pd.DataFrame, domain: str, *, threshold: int = 5) -> pd.DataFrame:
    """One outcome domain from :func:`triangulate`, one row per source: what it counts, n,
    direction, agreement band, strength and note. Sources over fewer than ``threshold`` people
    (or sessions) show neither n nor direction."""
    if domain not in DOMAIN_LABELS:
        raise KeyError(f"unknown outcome domain {domain!r}; valid: {', '.join(DOMAIN_LABELS)}")
    x = long[long["domain"] == domain]
    rows = []
    for _, r in x.iterrows():
        n = int(r["n"])
        small = 0 < n < threshold
        rows.append({
            "Source": r["source_label"],
            "Counts": r["unit"],
            "n": None if small else n,
            "Direction": "withheld" if small else r["direction"],
            "Agreement": "" if small or n == 0 else agreement_band(r["consistency"]),
            "Strength": "" if small or n == 0 else r["strength"],
            "Note": (f"fewer than {threshold}: withheld" if small else r["note"]),
        })
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Int64")
    return out
