"""Triangulation of outcomes for young people: outcome domain x source -> direction and strength.

Every cell is computed from the data by the rule in :data:`RULE_TEXT`; nothing is typed in, and a
positive average alone never makes a cell "improved". What the rule cannot show is in
:data:`LIMITS_TEXT` (:func:`limits_text` adds how many p-values a page shows).

Evidence per source (the unit each source counts):

* ``prepost`` - pre/post questionnaire, people: the change on the domain's primary scale
  (:data:`PREPOST_SCALES`: SWEMWBS metric for wellbeing, UCLA-3 for social connections, lower is
  better) by :func:`carejourneys.metrics.outcomes.paired_change` at the scale's precision, with
  reliable change. Skills and goals are not measured by the questionnaire.
* ``retrospective`` - then-test survey, people: each person's mean change (now - before) over the
  domain's items (:data:`RETRO_DOMAIN_ITEMS`; wellbeing uses wellbeing and confidence).
* ``pa_survey`` - Personal Adviser ratings, young people: better / no change / worse (``Don't
  know`` and blanks left out); the latest rating per young person.
* ``facilitator`` - workshop facilitator ratings, sessions: the wellbeing rating of each session
  (4-5 high, 3 middling, 1-2 low). These rate wellbeing *in sessions*, a level and not a change:
  the cell says "level only, not change" whatever the ratings.
* ``interviews`` - coded interview segments of young people (role ``Young person``), people:
  the valence coded on the same passage (``Valence/Positive``/``Mixed``/``Negative`` on an
  overlapping span of the same source) averaged per person: above 0 positive, 0 mixed, below 0
  negative. People who mention the domain without a valenced passage are counted in
  ``mentioned`` only.

``strength`` describes how much evidence there is, not its direction: ``stronger`` with at least
30 people (the SWEMWBS developers' advice for measuring change), ``moderate`` with 10-29,
``limited`` below 10 (``none`` when not measured).
"""

from __future__ import annotations

from dataclasses import dataclass

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
IMPROVED, WORSE, NO_CLEAR_CHANGE = outcomes.IMPROVED, outcomes.WORSE, outcomes.NO_CLEAR_CHANGE
LEVEL_ONLY = "level only, not change"
NOT_MEASURED = outcomes.NOT_MEASURED
DIRECTIONS = (IMPROVED, NO_CLEAR_CHANGE, WORSE, LEVEL_ONLY, NOT_MEASURED)

#: a count-based source (ratings of better / same / worse, or accounts) points one way only when the
#: share that way is a clear majority: its 95% Wilson interval lies wholly above one half
MAJORITY = 0.5

RULE_TEXT = (
    "How a source is read. Questionnaire scores (before and after, or looking back): improved only "
    "when the 95% confidence interval of the mean change lies wholly on the better side of zero, or "
    "when at least a third of the young people reliably improved (Jacobson-Truax reliable change, "
    "where the scale's reliability is known) and at least twice as many reliably improved as reliably "
    "got worse; worse by the mirror rule; otherwise no clear change, even when the average rose. "
    "Personal Advisers' ratings and young people's own accounts in interviews: improved only when more "
    "than half were rated better (or spoke positively on balance) and the 95% Wilson interval of that "
    "share lies wholly above one half; worse by the mirror rule; otherwise no clear change. "
    "Facilitators' ratings describe wellbeing in sessions, a level and not a change, so they are shown "
    "as 'level only, not change' and never counted as improvement. Strength says how much evidence "
    "there is: stronger with 30 or more young people, moderate with 10 to 29, limited with fewer."
)

LIMITS_TEXT = (
    "What this cannot show. Regression to the mean: young people often join an activity at a low "
    "point, so scores tend to rise at the second measurement even without any help, and a rise is not "
    "proof that the activity caused it. Selection: only young people who answered both questionnaires, "
    "the survey or an interview are counted, and they may be those for whom things went best. No "
    "comparison group: nothing here shows what would have happened without the programme. Multiple "
    "comparisons: the page reports many p-values, not adjusted for multiple comparisons, so some may "
    "fall below 0.05 by chance alone. Small samples: with fewer than 30 young people every result is "
    "descriptive."
)


def limits_text(n_tests: int) -> str:
    """:data:`LIMITS_TEXT` with the number of p-values the page shows (``n_tests``, e.g. from
    :func:`carejourneys.metrics.outcomes.p_values_shown`) and how many could be below 0.05 by
    chance if nothing changed (one in twenty)."""
    if n_tests < 0:
        raise ValueError("the number of tests cannot be negative")
    if n_tests == 0:
        mc = "Multiple comparisons: the page reports no p-value."
    else:
        expected = n_tests / 20
        words = (f"about {expected:.0f}" if expected >= 1 else "fewer than one")
        mc = (f"Multiple comparisons: the page reports {n_tests} p-value{'s' if n_tests != 1 else ''}, "
              "not adjusted for multiple comparisons; if nothing had changed at all, "
              f"{words} of them would still be expected below 0.05 by chance alone.")
    head, rest = LIMITS_TEXT.split(" Multiple comparisons:", 1)
    tail = rest.split(" Small samples:", 1)[1]
    return f"{head} {mc} Small samples:{tail}"


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


@dataclass(frozen=True)
class Evidence:
    """One source on one domain: counts improved / same / worse (or positive / mixed / negative,
    or sessions high / middling / low), the direction by :data:`RULE_TEXT` and the reason (``basis``,
    words only: no count of people)."""

    improved: int
    same: int
    worse: int
    direction: str
    basis: str
    mentioned: int | None = None

    @property
    def n(self) -> int:
        return self.improved + self.same + self.worse


def direction(n_improved: int, n_same: int, n_worse: int) -> str:
    """The direction of a count-based source (ratings of better / same / worse, or accounts):
    improved when the Wilson 95% interval of the share improved lies wholly above one half, worse
    likewise, otherwise no clear change (``not measured`` when there is nobody)."""
    n = n_improved + n_same + n_worse
    if n == 0:
        return NOT_MEASURED
    if surveys.wilson_interval(n_improved, n)[0] > MAJORITY:
        return IMPROVED
    if surveys.wilson_interval(n_worse, n)[0] > MAJORITY:
        return WORSE
    return NO_CLEAR_CHANGE


def _count_basis(d: str) -> str:
    if d == IMPROVED:
        return "a clear majority better (Wilson 95% interval above one half)"
    if d == WORSE:
        return "a clear majority worse (Wilson 95% interval above one half)"
    if d == NO_CLEAR_CHANGE:
        return "no clear majority either way"
    return ""


def _change_basis(res: outcomes.PairedChange, higher_is_better: bool) -> str:
    if res.n_pairs == 0:
        return ""
    lo, hi = (res.ci_low, res.ci_high) if higher_is_better else (-res.ci_high, -res.ci_low)
    by_ci = not (np.isnan(lo) or np.isnan(hi)) and (lo > 0 or hi < 0)
    if res.direction in (IMPROVED, WORSE):
        return "95% CI of the mean change excludes 0" if by_ci else "reliable change"
    if np.isnan(lo):
        return "95% CI of the mean change not defined"
    return "95% CI of the mean change includes 0" + (
        "; reliable change not decisive" if res.n_reliably_improved is not None else "")


def strength(n: int, consistency: float | None = None) -> str:
    """How much evidence: ``stronger`` (n >= 30), ``moderate`` (10-29), ``limited`` (1-9), ``none``.
    ``consistency`` is accepted for older callers and not used: agreement is not strength."""
    if n == 0:
        return "none"
    if n >= 30:
        return "stronger"
    if n >= 10:
        return "moderate"
    return "limited"


def _signs(values: np.ndarray) -> tuple[int, int, int]:
    v = values[~np.isnan(values)]
    return int((v > 0).sum()), int((v == 0).sum()), int((v < 0).sum())


def _count_evidence(counts: tuple[int, int, int], mentioned: int | None = None) -> Evidence:
    d = direction(*counts)
    return Evidence(*counts, d, _count_basis(d), mentioned)


def _cell(domain: str, source: str, ev: Evidence | None, note: str = "") -> dict:
    label, unit = SOURCES[source]
    if ev is None:
        ev = Evidence(0, 0, 0, NOT_MEASURED, "")
    n = ev.n
    cons = max(ev.improved, ev.same, ev.worse) / n if n else float("nan")
    return {"domain": domain, "domain_label": DOMAIN_LABELS[domain], "source": source, "source_label": label,
            "unit": unit, "n": n, "improved": ev.improved, "same": ev.same, "worse": ev.worse,
            "mentioned": ev.mentioned, "direction": ev.direction if n else NOT_MEASURED,
            "basis": ev.basis if n else "", "consistency": cons, "strength": strength(n), "note": note}


# --------------------------------------------------------------------------- per source


def _paired_evidence(before: np.ndarray, after: np.ndarray, *, higher_is_better: bool, decimals: int | None,
                     reliable_change: outcomes.ReliableChangeSpec | None) -> Evidence:
    res = outcomes.paired_change(before, after, higher_is_better=higher_is_better, decimals=decimals,
                                 reliable_change=reliable_change)
    return Evidence(res.n_improved, res.n_same, res.n_worse, res.direction,
                    _change_basis(res, higher_is_better))


def prepost_evidence(prepost: pd.DataFrame) -> dict[str, Evidence]:
    """Per domain measured: the paired change on the primary scale, read by :data:`RULE_TEXT`
    (95% CI of the mean change, or reliable change with :data:`outcomes.RELIABLE_CHANGE_DEFAULTS`)."""
    pairs = outcomes.prepost_pairs(prepost)
    out = {}
    for domain, scale in PREPOST_SCALES.items():
        spec = measures.SCALES[scale]
        out[domain] = _paired_evidence(
            pairs[f"{scale}_pre"].to_numpy(dtype=float, na_value=np.nan),
            pairs[f"{scale}_post"].to_numpy(dtype=float, na_value=np.nan),
            higher_is_better=spec["higher_is_better"], decimals=spec.get("decimals"),
            reliable_change=outcomes.RELIABLE_CHANGE_DEFAULTS.get(scale))
    return out


def retrospective_evidence(retro: pd.DataFrame) -> dict[str, Evidence]:
    """Per domain: each person's mean then-test change over the domain's items, read by the 95% CI
    of the mean change (no reliability is known for these items, so no reliable change)."""
    out = {}
    for domain, items in RETRO_DOMAIN_ITEMS.items():
        if retro.empty:
            out[domain] = Evidence(0, 0, 0, NOT_MEASURED, "")
            continue
        before = np.column_stack([retro[f"{i}_before"].to_numpy(dtype=float, na_value=np.nan) for i in items])
        now = np.column_stack([retro[f"{i}_now"].to_numpy(dtype=float, na_value=np.nan) for i in items])
        both = ~(np.isnan(before) | np.isnan(now))
        with np.errstate(all="ignore"):
            k = both.sum(axis=1)
            b = np.where(k > 0, np.where(both, before, 0).sum(axis=1) / np.maximum(k, 1), np.nan)
            a = np.where(k > 0, np.where(both, now, 0).sum(axis=1) / np.maximum(k, 1), np.nan)
        out[domain] = _paired_evidence(b, a, higher_is_better=True, decimals=6, reliable_change=None)
    return out


def pa_evidence(pa: pd.DataFrame) -> dict[str, Evidence]:
    """Per domain: young people rated better / no change / worse by their Personal Adviser."""
    ratings = surveys.pa_ratings(pa, threshold=0).set_index("domain")
    return {d: _count_evidence((int(ratings.loc[d, "better"]), int(ratings.loc[d, "same"]),
                                int(ratings.loc[d, "worse"])))
            for d in PA_DOMAINS}


def facilitator_evidence(ratings: pd.DataFrame) -> dict[str, Evidence]:
    """Wellbeing: sessions rated 4-5 / 3 / 1-2 by the facilitator - a level, never a change."""
    out = {}
    for domain, col in FACILITATOR_DOMAINS.items():
        v = ratings[col].to_numpy(dtype=float, na_value=np.nan) if len(ratings) else np.array([])
        counts = _signs(np.where(np.isnan(v), np.nan, np.sign(v - 3)))
        out[domain] = Evidence(*counts, LEVEL_ONLY, "ratings of wellbeing in sessions describe a level")
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


def interview_evidence(segments: pd.DataFrame) -> dict[str, Evidence]:
    """Per domain: people positive / mixed / negative on balance (mean valence), read by the
    majority rule of :func:`direction`; ``mentioned`` counts everyone who spoke of the domain."""
    ds = domain_segments(segments)
    out = {}
    for domain in DOMAINS:
        x = ds[ds["domain"] == domain]
        mentioned = int(x["person"].nunique())
        v = x.dropna(subset=["valence"])
        mean = v.groupby("person")["valence"].mean().to_numpy(dtype=float) if len(v) else np.array([])
        out[domain] = _count_evidence(_signs(mean), mentioned)
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
    one row per domain x source with n, improved / same / worse, direction and its ``basis`` (by
    :data:`RULE_TEXT`), consistency (share in the largest group), strength and a note."""
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
                          "wellbeing in sessions: a level, not change" if d in fac
                          else "not rated by facilitators"))
        rows.append(_cell(d, "interviews", inter[d], "valence of young people's own accounts"))
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
    (n=.., strength)`` with the direction by :data:`RULE_TEXT` (``level only, not change`` for
    facilitator ratings). A cell over fewer than ``threshold`` people or sessions shows neither its
    n nor its direction (``withheld (n<threshold)``). This grid is text, so it applies the disclosure
    rule itself."""

    def text(r) -> str:
        n = int(r["n"])
        if n == 0:
            return "not measured"
        if n < threshold:
            return f"withheld (n<{threshold})"
        return f"{r['direction']} (n={n}, {r['strength']})"

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
    direction and what decided it (:data:`RULE_TEXT`), strength and note. Sources over fewer than
    ``threshold`` people (or sessions) show neither n nor direction."""
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
            "Why": "" if small or n == 0 else r.get("basis", ""),
            "Strength": "" if small or n == 0 else r["strength"],
            "Note": (f"fewer than {threshold}: withheld" if small else r["note"]),
        })
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Int64")
    return out
