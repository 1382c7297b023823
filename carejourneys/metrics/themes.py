"""Themes by stakeholder group and seniority, valence by seniority, enablers and barriers, learning points.

Works on coded segments (``ds.coded_segments``: one row per coded excerpt with the speaker's
role and seniority, the wave, the code path and the text). Codes are counted by *people*, by
*sources* (transcripts or documents) and by *segments*:

- a person is the segment's ``speaker_id`` where the data has one, otherwise its ``source_id``
  (one interview, one person); a focus group without speaker ids therefore counts once;
- a code "covers" its children: ``Collaboration`` counts every segment coded
  ``Collaboration/...``;
- a passage coded with the same code by two coders (double coding for agreement checks) counts
  once: segments are de-duplicated on (source, start, end, code) before anything is counted, and
  a passage given two different valence codes has no single valence and is left out of valence
  analyses (as in :mod:`carejourneys.metrics.qualitative`).

Valence is coded as its own codes (``Valence/Positive``, ``Valence/Negative``, ``Valence/Mixed``)
on the same passages as the themes. Valence is scored Negative = -1, Mixed = 0, Positive = +1
and compared across the staff seniority ladder (practitioner < manager < senior leader) with a
Jonckheere-Terpstra test for an ordered trend, a Kruskal-Wallis test, and Kendall's tau-b between
seniority rank and valence as the effect size.

Tables of people are counts of people: publish them through ``cj.report.table(..., counts=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from carejourneys.inputs.schemas import CODE_SEPARATOR, CODEBOOK, ROLES, SENIORITY, STAFF_SENIORITY
from carejourneys.metrics import qualitative, trend
from carejourneys.metrics._common import require_columns as _require
from carejourneys.render import numbers

SEGMENT_COLUMNS = ("segment_id", "source_id", "site", "role", "seniority", "wave", "code_path", "text",
                   "start", "end")
VALENCE = "Valence"
VALENCE_SCORES = {f"{VALENCE}/Negative": -1, f"{VALENCE}/Mixed": 0, f"{VALENCE}/Positive": 1}
ENABLERS, BARRIERS = "Enablers", "Barriers"
#: readable names for the seniority codes
SENIORITY_LABELS = {"not_applicable": "Young people", "practitioner": "Practitioners",
                    "manager": "Managers", "senior_leader": "Senior leaders"}


def person_ids(segments: pd.DataFrame) -> pd.Series:
    """Who said each segment: ``speaker_id`` where recorded, else the ``source_id`` (qualitative.people)."""
    return qualitative.people(segments)


def under(segments: pd.DataFrame, code: str) -> pd.DataFrame:
    """Segments coded ``code`` or any code below it."""
    cp = segments["code_path"].astype("str")
    return segments[(cp == code) | cp.str.startswith(code + CODE_SEPARATOR)]


def top_level(code_paths: pd.Series) -> pd.Series:
    return code_paths.astype("str").str.split(CODE_SEPARATOR, n=1).str[0]


def child_code(code_paths: pd.Series) -> pd.Series:
    """The first two levels of each code path (``Top/Child``), or the top level where there is no child."""
    parts = code_paths.astype("str").str.split(CODE_SEPARATOR)
    return parts.map(lambda p: CODE_SEPARATOR.join(p[:2]))


def deduplicate(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per coded passage and code: drops a second coder's identical coding of a span."""
    keys = ["source_id", "start", "end", "code_path"]
    return segments[~segments.duplicated(keys, keep="first")]


def primary_coding(segments: pd.DataFrame) -> pd.DataFrame:
    """The coding the analysis rests on: in sources coded by more than one coder, only the primary
    coder's codes (the coder of most sources; ties by name). A second coder's codes serve the
    agreement checks (:func:`carejourneys.metrics.qualitative.intercoder_agreement`) and are not
    counted twice, nor allowed to tie a passage to a code or valence its primary coder did not give.
    Segments without a ``coder`` column, or with one coder, are returned unchanged.
    """
    if "coder" not in segments.columns or segments["coder"].nunique() < 2:
        return segments
    coder = segments["coder"].astype("str")
    per = segments.groupby(coder)["source_id"].nunique()
    primary = sorted(per.index, key=lambda c: (-per[c], c))[0]
    coded_by_primary = set(segments.loc[coder == primary, "source_id"])
    keep = (coder == primary) | ~segments["source_id"].isin(coded_by_primary)
    return segments[keep]


def _with_people(segments: pd.DataFrame) -> pd.DataFrame:
    _require(segments, SEGMENT_COLUMNS, "coded_segments")
    s = deduplicate(primary_coding(segments))
    return s.assign(person=person_ids(s))


# --------------------------------------------------------------------------- prevalence


def group_sizes(segments: pd.DataFrame, by: str = "role") -> pd.Series:
    """People per group (who said anything that was coded)."""
    s = _with_people(segments)
    return s.groupby(by, sort=False)["person"].nunique()


def _group_order(by: str, present: Iterable) -> list:
    present = list(present)
    order = {"role": list(ROLES), "seniority": list(SENIORITY)}.get(by, [])
    return [g for g in order if g in present] + sorted(g for g in present if g not in order)


def prevalence(segments: pd.DataFrame, by: str = "role", parent: str | None = None,
               measure: str = "people", exclude: Sequence[str] = (VALENCE,)) -> pd.DataFrame:
    """How many people (or ``measure`` = "sources" / "segments") in each group raised each theme.

    Rows are themes: the children of ``parent`` (e.g. ``"Programme learning"``), or the top-level
    codes when ``parent`` is None (leaving out ``exclude``). Columns are the groups of ``by``
    (``role``, ``seniority``, ``wave`` ...) in their natural order. Values are counts.
    """
    if measure not in ("people", "sources", "segments"):
        raise ValueError("measure must be people, sources or segments")
    _require(segments, SEGMENT_COLUMNS, "coded_segments")
    # built on qualitative.theme_prevalence: passages (not segment rows) are what "segments" counts
    if parent is None:
        tp = qualitative.theme_prevalence(primary_coding(segments), by=[by], level="theme",
                                          exclude=tuple(exclude))
        order = [c for c in CODEBOOK if c not in exclude]
    else:
        tp = qualitative.theme_prevalence(primary_coding(segments), by=[by], level=2, exclude=(VALENCE,))
        tp = tp[tp["theme"].astype("str").str.startswith(parent + CODE_SEPARATOR)]
        tp = tp.assign(theme=tp["theme"].astype("str").str.slice(len(parent) + 1))
        order = list(CODEBOOK.get(parent, ()))
    col = {"people": "people", "sources": "sources", "segments": "passages"}[measure]
    if tp.empty:
        return pd.DataFrame(index=pd.Index([], name="theme"), columns=pd.Index([], name=by), dtype="int64")
    table = tp.pivot_table(index="theme", columns=by, values=col, aggfunc="sum", fill_value=0)
    rows = [t for t in order if t in table.index] + sorted(t for t in table.index if t not in order)
    table = table.reindex(index=rows, columns=_group_order(by, table.columns), fill_value=0).astype("int64")
    table.index.name = "theme"
    table.columns.name = by
    return table


def prevalence_share(segments: pd.DataFrame, by: str = "role", parent: str | None = None,
                     exclude: Sequence[str] = (VALENCE,)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(percent, counts): the percentage of each group's people who raised each theme, and the counts.

    The denominator is the number of people in the group who said anything coded in these data.
    """
    counts = prevalence(segments, by=by, parent=parent, measure="people", exclude=exclude)
    sizes = group_sizes(segments, by).reindex(counts.columns)
    pct = (100 * counts / sizes).round(1)
    return pct, counts


def prevalence_long(segments: pd.DataFrame, by: str = "role", parent: str | None = None) -> pd.DataFrame:
    """:func:`prevalence_share` as a tidy table: theme, group, people, group_people, percent."""
    pct, counts = prevalence_share(segments, by=by, parent=parent)
    sizes = group_sizes(segments, by)
    out = counts.stack().rename("people").reset_index()
    out.columns = ["theme", "group", "people"]
    out["group_people"] = out["group"].map(sizes).astype("int64")
    out["percent"] = pct.stack().to_numpy()
    return out


# --------------------------------------------------------------------------- valence


def valence_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """The passages coded with a single valence, with a ``valence`` label and a ``score`` (-1, 0, +1).

    Passages given conflicting valence codes (by two coders) are left out.
    """
    s = _with_people(segments)
    v = s[s["code_path"].astype("str").isin(list(VALENCE_SCORES))]
    single = v.groupby(["source_id", "start", "end"])["code_path"].transform("nunique") == 1
    v = v[single].copy()
    v["score"] = v["code_path"].map(VALENCE_SCORES).astype("int64")
    v["valence"] = v["code_path"].astype("str").str.split(CODE_SEPARATOR).str[-1]
    return v


def valenced_themes(segments: pd.DataFrame) -> pd.DataFrame:
    """Each theme segment with the valence coded on an overlapping span of the same source.

    Returns the non-valence segments that have a valence, with ``valence`` and ``score`` added
    (when several valence codes overlap one segment, the one with the largest overlap wins).
    """
    s = _with_people(segments)
    v = valence_segments(segments)[["source_id", "start", "end", "valence", "score"]]
    t = s[~s["code_path"].astype("str").isin(list(VALENCE_SCORES))
          & (top_level(s["code_path"]) != VALENCE)]
    m = t.reset_index(drop=True).reset_index(names="_row").merge(v, on="source_id", suffixes=("", "_v"))
    overlap = np.minimum(m["end"], m["end_v"]) - np.maximum(m["start"], m["start_v"])
    m = m.assign(_overlap=overlap)
    m = m[(m["_overlap"] > 0) | ((m["start"] == m["start_v"]) & (m["end"] == m["end_v"]))]
    m = m.sort_values(["_row", "_overlap"], ascending=[True, False], kind="stable").drop_duplicates("_row")
    return m.drop(columns=["_row", "_overlap", "start_v", "end_v"]).reset_index(drop=True)


def valence_by_group(segments: pd.DataFrame, by: str = "seniority",
                     groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Valence counts per group: people, segments, positive, mixed, negative, percent_positive, mean_score.

    ``groups`` restricts and orders the groups (default: every group present, in natural order).
    """
    v = valence_segments(segments)
    order = list(groups) if groups is not None else _group_order(by, v[by].unique())
    rows = []
    for g in order:
        x = v[v[by] == g]
        n = len(x)
        rows.append({"group": g, "people": x["person"].nunique(), "segments": n,
                     "positive": int((x["score"] == 1).sum()), "mixed": int((x["score"] == 0).sum()),
                     "negative": int((x["score"] == -1).sum()),
                     "percent_positive": round(100 * (x["score"] == 1).mean(), 1) if n else np.nan,
                     "mean_score": round(float(x["score"].mean()), 2) if n else np.nan})
    return pd.DataFrame(rows, columns=["group", "people", "segments", "positive", "mixed", "negative",
                                       "percent_positive", "mean_score"])


def jonckheere_terpstra(groups: Sequence[Sequence[float]],
                        alternative: str = "two-sided") -> tuple[float, float, float]:
    """Jonckheere-Terpstra test by the normal approximation (tie-corrected variance): (J, z, p).

    Kept for comparison; :func:`valence_trend` uses :func:`carejourneys.metrics.trend.jonckheere_terpstra`,
    exact for small groups. ``alternative`` is "two-sided", "increasing" or "decreasing"."""
    if alternative not in ("two-sided", "increasing", "decreasing"):
        raise ValueError("alternative must be two-sided, increasing or decreasing")
    r = trend.jonckheere_terpstra(groups, alternative, method="normal")
    return r.statistic, r.z, r.p_value


@dataclass(frozen=True)
class OrdinalTrend:
    """An ordinal comparison of valence across ordered groups.

    ``jt``/``jt_z``/``jt_p``: Jonckheere-Terpstra statistic, z and two-sided p. ``kw_h``/``kw_p``:
    Kruskal-Wallis H and p (scipy). ``epsilon_squared``: H / (n - 1), the Kruskal-Wallis effect size
    (0 none, 1 complete separation). ``tau``/``tau_p``: Kendall's tau-b between group rank and
    valence (scipy), the size and direction of the trend (positive: higher groups more positive).
    """

    groups: tuple[str, ...]
    n: tuple[int, ...]
    unit: str
    jt: float
    jt_z: float
    jt_p: float
    jt_method: str
    kw_h: float
    kw_p: float
    epsilon_squared: float
    tau: float
    tau_p: float

    @property
    def direction(self) -> str:
        if np.isnan(self.tau) or self.tau == 0:
            return "none"
        return "increasing" if self.tau > 0 else "decreasing"

    def as_frame(self) -> pd.DataFrame:
        """The results as a two-column table (statistic, value) for a report."""
        rows = [("Unit of analysis", self.unit),
                ("Groups (in order)", " < ".join(SENIORITY_LABELS.get(g, g) for g in self.groups)),
                ("Jonckheere-Terpstra z", round(self.jt_z, 2)),
                ("Jonckheere-Terpstra p (two-sided)", _p(self.jt_p)),
                ("Jonckheere-Terpstra p: how found", self.jt_method),
                ("Kruskal-Wallis H", round(self.kw_h, 2)),
                ("Kruskal-Wallis p", _p(self.kw_p)),
                ("Effect size: epsilon squared", round(self.epsilon_squared, 3)),
                ("Effect size: Kendall's tau-b (rank of group vs valence)", round(self.tau, 3)),
                ("Direction", self.direction)]
        return pd.DataFrame(rows, columns=["statistic", "value"]).astype({"value": "str"})


def _p(p: float) -> str:
    return numbers.format_p(p)


def valence_trend(segments: pd.DataFrame, by: str = "seniority", order: Sequence[str] = STAFF_SENIORITY,
                  unit: str = "person") -> OrdinalTrend:
    """Test whether valence rises (or falls) along the ordered groups ``order`` of ``by``.

    ``unit="person"`` (default) scores each person by the mean valence of what they said, so that
    a talkative interviewee counts once; ``unit="segment"`` uses every valence-coded segment.
    """
    if unit not in ("person", "segment"):
        raise ValueError("unit must be person or segment")
    v = valence_segments(segments)
    v = v[v[by].isin(list(order))]
    if unit == "person":
        v = v.groupby(["person", by], as_index=False)["score"].mean()
    samples = [v.loc[v[by] == g, "score"].to_numpy(dtype=float) for g in order]
    used = [(g, s) for g, s in zip(order, samples, strict=True) if len(s)]
    if len(used) < 2:
        raise ValueError(f"valence by {by} needs at least two groups with data; found {[g for g, _ in used]}")
    names, samples = zip(*used, strict=True)
    jt = trend.jonckheere_terpstra(samples)  # exact for small groups; the method is named
    j, z, p = jt.statistic, jt.z, jt.p_value
    all_scores = np.concatenate(samples)
    if np.unique(all_scores).size > 1:
        h, kw_p = stats.kruskal(*samples)
    else:
        h, kw_p = 0.0, 1.0
    n_total = len(all_scores)
    rank = np.concatenate([np.full(len(s), i) for i, s in enumerate(samples)])
    tau = stats.kendalltau(rank, all_scores, variant="b")
    return OrdinalTrend(groups=tuple(names), n=tuple(len(s) for s in samples), unit=unit, jt=j, jt_z=z,
                        jt_p=p, jt_method=jt.method, kw_h=float(h), kw_p=float(kw_p),
                        epsilon_squared=float(h / (n_total - 1)) if n_total > 1 else float("nan"),
                        tau=float(tau.statistic), tau_p=float(tau.pvalue))


# --------------------------------------------------------------------------- enablers and barriers


def factor_items(segments: pd.DataFrame, factor: str) -> pd.DataFrame:
    """The segments coded under ``factor`` (Enablers or Barriers), each with the ``item`` it names.

    The item is the child code where there is one (``Enablers/Strategic sponsorship``); otherwise
    the theme code from another part of the codebook coded on an overlapping span of the same
    source (``Collaboration/Strategic support``); otherwise the segment's ``theme`` column.
    """
    s = _with_people(segments)
    f = under(s, factor)
    child = f["code_path"].astype("str").str.slice(len(factor) + 1)
    f = f.assign(item=child.where(child.str.len() > 0))
    missing = f["item"].isna()
    if missing.any():
        others = s[~top_level(s["code_path"]).isin([factor, VALENCE, ENABLERS, BARRIERS])]
        m = (f[missing].reset_index(names="_row")
             .merge(others[["source_id", "start", "end", "code_path"]], on="source_id", suffixes=("", "_o")))
        ov = np.minimum(m["end"], m["end_o"]) - np.maximum(m["start"], m["start_o"])
        m = m.assign(_ov=ov)
        m = m[m["_ov"] > 0].sort_values(["_row", "_ov"], ascending=[True, False], kind="stable")
        best = m.drop_duplicates("_row").set_index("_row")["code_path_o"]
        f.loc[best.index, "item"] = best.astype("str")
    if "theme" in f.columns:
        f["item"] = f["item"].fillna(f["theme"].astype("str"))
    return f


#: the parts of the codebook whose themes can act as enablers or barriers
FACTOR_THEMES = ("Programme learning", "Collaboration", "Five outcomes")


def factor_themes_by_valence(segments: pd.DataFrame, factor: str) -> pd.DataFrame:
    """Theme segments acting as enablers (valence Positive) or barriers (valence Negative).

    For data whose Enablers and Barriers codes have no children: the themes of
    ``FACTOR_THEMES`` spoken about positively are what helped, negatively what got in the way.
    Returns the valence-linked theme segments with ``item`` set to their ``Top/Child`` code.
    """
    vt = valenced_themes(segments)
    vt = vt[top_level(vt["code_path"]).isin(list(FACTOR_THEMES))]
    wanted = "Positive" if factor == ENABLERS else "Negative"
    vt = vt[vt["valence"] == wanted]
    return vt.assign(item=child_code(vt["code_path"]))


def ranked_factors(segments: pd.DataFrame, factor: str, basis: str = "auto") -> pd.DataFrame:
    """Enablers or barriers ranked by the number of people, then sources, who named them.

    ``basis``: "codes" takes the items from the Enablers/Barriers codes (:func:`factor_items`);
    "valence" takes themes spoken about positively (enablers) or negatively (barriers)
    (:func:`factor_themes_by_valence`); "auto" uses codes when at least half of the factor's
    segments carry a child code (``Enablers/...``) and valence otherwise: without sub-codes, the
    codes that merely overlap an Enablers passage are too loose a guide to what it names.
    Columns: rank, item, people, sources, segments, groups (distinct roles), example_segment
    (the longest excerpt from the most common role), basis.
    """
    if factor not in (ENABLERS, BARRIERS):
        raise ValueError(f"factor must be {ENABLERS!r} or {BARRIERS!r}")
    if basis not in ("auto", "codes", "valence"):
        raise ValueError("basis must be auto, codes or valence")
    cols = ["rank", "item", "people", "sources", "segments", "groups", "example_segment", "basis"]
    f = factor_items(segments, factor) if basis != "valence" else None
    if basis == "auto":
        has_child = f["code_path"].astype("str").str.startswith(factor + CODE_SEPARATOR)
        basis = "codes" if len(f) and has_child.mean() >= 0.5 else "valence"
    if basis == "valence":
        f = factor_themes_by_valence(segments, factor)
    if f.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for item, g in f.groupby("item", sort=True):
        top_role = g["role"].value_counts().index[0]
        cand = g[g["role"] == top_role]
        example = cand.loc[cand["text"].astype("str").str.len().idxmax(), "segment_id"]
        rows.append({"item": item, "people": g["person"].nunique(), "sources": g["source_id"].nunique(),
                     "segments": len(g), "groups": g["role"].nunique(), "example_segment": example})
    out = pd.DataFrame(rows).sort_values(["people", "sources", "segments", "item"],
                                         ascending=[False, False, False, True], kind="stable")
    out.insert(0, "rank", range(1, len(out) + 1))
    out["basis"] = basis
    return out[cols].reset_index(drop=True)


def factor_mentions(segments: pd.DataFrame, by: str = "role") -> pd.DataFrame:
    """People in each group who spoke of enablers and of barriers (the Enablers/Barriers codes).

    Columns: group, group_people, enablers, barriers (people), enablers_percent, barriers_percent.
    """
    s = _with_people(segments)
    sizes = s.groupby(by)["person"].nunique()
    order = _group_order(by, sizes.index)
    out = pd.DataFrame({"group": order, "group_people": sizes.reindex(order).to_numpy("int64")})
    for factor in (ENABLERS, BARRIERS):
        n = under(s, factor).groupby(by)["person"].nunique().reindex(order, fill_value=0)
        out[factor.lower()] = n.to_numpy("int64")
        out[f"{factor.lower()}_percent"] = (100 * n.to_numpy() / out["group_people"]).round(1)
    return out


def excerpts(segments: pd.DataFrame, segment_ids: Iterable[str]) -> pd.DataFrame:
    """The text and generic role of the given segments, in the order given (for quoting).

    Only the role is returned as attribution. Pass the result through the quotes module's
    redaction (cj.report.quotes) before publishing: excerpts can name people and places.
    """
    ids = list(segment_ids)
    s = segments.set_index("segment_id")
    s = s.loc[[i for i in ids if i in s.index]]
    return pd.DataFrame({"segment_id": s.index, "text": s["text"].to_numpy(), "role": s["role"].to_numpy()})


def collaboration_factors(segments: pd.DataFrame) -> pd.DataFrame:
    """The collaboration factors (children of ``Collaboration``): people, sources, segments, groups,
    and the share of their valence-coded passages that were positive.
    """
    s = _with_people(segments)
    c = under(s, "Collaboration")
    c = c[c["code_path"].astype("str") != "Collaboration"]
    c = c.assign(factor=child_code(c["code_path"]).str.slice(len("Collaboration") + 1))
    vt = valenced_themes(segments)
    vt = under(vt, "Collaboration").assign(
        factor=lambda d: child_code(d["code_path"]).str.slice(len("Collaboration") + 1))
    order = list(CODEBOOK["Collaboration"])
    rows = []
    for factor in [f for f in order if f in set(c["factor"])] + sorted(set(c["factor"]) - set(order)):
        g = c[c["factor"] == factor]
        v = vt[vt["factor"] == factor]
        rows.append({"factor": factor, "people": g["person"].nunique(), "sources": g["source_id"].nunique(),
                     "segments": len(g), "groups": g["role"].nunique(),
                     "percent_positive": round(100 * (v["score"] == 1).mean(), 1) if len(v) else np.nan})
    return pd.DataFrame(rows, columns=["factor", "people", "sources", "segments", "groups",
                                       "percent_positive"])


# --------------------------------------------------------------------------- learning points

#: evidence is "broad" with at least this many people, groups and waves
BROAD = {"people": 10, "groups": 3, "waves": 2}


LEARNING_POINT = "learning_point"


def learning_point_evidence(learning_points: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Each learning point (or summary finding: ``kind``) with the evidence behind its own codes only.

    For the segments coded to any of the point's ``code_paths`` (separated by ';'; a code covers
    its children): people, groups (distinct roles), waves, sources and segments, and ``breadth``:
    "broad" when at least ``BROAD`` people, groups and waves support it, "narrow" when one group or
    one source does, otherwise "moderate"; "no coded evidence" when nothing does. ``people_percent``
    is their share of the people at the site whose words were coded. Codes that are
    not in the data are listed in ``codes_without_evidence``.
    """
    _require(learning_points, ("site", "point_id", "heading", "code_paths"), "learning_points")
    s = _with_people(segments)
    rows = []
    for lp in learning_points.itertuples(index=False):
        codes = [c.strip() for c in str(lp.code_paths).split(";") if c.strip()]
        here = s[s["site"] == lp.site] if "site" in s.columns else s
        parts = {c: under(here, c) for c in codes}
        ev = pd.concat(parts.values()).drop_duplicates("segment_id") if parts else here.iloc[0:0]
        people, groups, waves = ev["person"].nunique(), ev["role"].nunique(), ev["wave"].nunique()
        sources = ev["source_id"].nunique()
        if ev.empty:
            breadth = "no coded evidence"
        elif people >= BROAD["people"] and groups >= BROAD["groups"] and waves >= BROAD["waves"]:
            breadth = "broad"
        elif groups <= 1 or sources <= 1:
            breadth = "narrow"
        else:
            breadth = "moderate"
        everyone = here["person"].nunique()
        kind = getattr(lp, "kind", None)
        rows.append({"site": lp.site, "point_id": lp.point_id, "heading": lp.heading,
                     "kind": LEARNING_POINT if kind is None or pd.isna(kind) else str(kind),
                     "theme": getattr(lp, "theme", None),
                     "codes": "; ".join(codes),
                     "people": people,
                     "people_percent": round(100 * people / everyone, 1) if everyone else np.nan,
                     "groups": groups, "waves": waves, "sources": sources,
                     "segments": len(ev), "breadth": breadth,
                     "codes_without_evidence": "; ".join(c for c, p in parts.items() if p.empty)})
    return pd.DataFrame(rows, columns=["site", "point_id", "heading", "kind", "theme", "codes", "people",
                                       "people_percent",
                                       "groups", "waves",
                                       "sources", "segments", "breadth", "codes_without_evidence"])


# --------------------------------------------------------------------------- reader-facing tables


def _group_label(by: str, g: object) -> str:
    return SENIORITY_LABELS.get(str(g), str(g)) if by == "seniority" else str(g)


def prevalence_table(segments: pd.DataFrame, by: str = "role", parent: str | None = None) -> pd.DataFrame:
    """People in each group who raised each theme (counts; columns are readable group names).

    A last row, "People in the group", holds the denominators; every column counts people.
    """
    counts = prevalence(segments, by=by, parent=parent, measure="people")
    sizes = group_sizes(segments, by).reindex(counts.columns).fillna(0).astype("int64")
    out = pd.concat([counts, sizes.to_frame().T.set_axis(["People in the group"])])
    out.columns = [_group_label(by, g) for g in out.columns]
    out.index.name = "Theme"
    return out.reset_index()


def valence_table(segments: pd.DataFrame, by: str = "seniority",
                  groups: Sequence[str] | None = STAFF_SENIORITY) -> pd.DataFrame:
    """Valence by group for reading: people, passages, % negative / mixed / positive, mean score."""
    v = valence_by_group(segments, by=by, groups=groups)
    n = v["segments"].replace(0, np.nan)
    return pd.DataFrame({
        "Group": [_group_label(by, g) for g in v["group"]], "People": v["people"], "Passages": v["segments"],
        "Negative %": (100 * v["negative"] / n).round(1), "Mixed %": (100 * v["mixed"] / n).round(1),
        "Positive %": (100 * v["positive"] / n).round(1), "Mean valence (-1 to +1)": v["mean_score"]})


def factors_table(segments: pd.DataFrame, factor: str, top: int = 8, basis: str = "auto") -> pd.DataFrame:
    """The ``top`` enablers or barriers for reading: rank, item, people, sources, passages, groups."""
    r = ranked_factors(segments, factor, basis=basis).head(top)
    return pd.DataFrame({"Rank": r["rank"], factor[:-1]: r["item"].str.replace(CODE_SEPARATOR, ": "),
                         "People": r["people"], "Sources": r["sources"], "Passages": r["segments"],
                         "Groups of people": r["groups"]})


def mentions_table(segments: pd.DataFrame, by: str = "role") -> pd.DataFrame:
    """People in each group who spoke of enablers and of barriers, with percentages."""
    m = factor_mentions(segments, by=by)
    return pd.DataFrame({"Group": [_group_label(by, g) for g in m["group"]], "People": m["group_people"],
                         "Spoke of enablers": m["enablers"], "Enablers %": m["enablers_percent"],
                         "Spoke of barriers": m["barriers"], "Barriers %": m["barriers_percent"]})


def collaboration_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Collaboration factors for reading: people, sources, passages, groups and % positive."""
    c = collaboration_factors(segments)
    return pd.DataFrame({"Collaboration factor": c["factor"], "People": c["people"], "Sources": c["sources"],
                         "Passages": c["segments"], "Groups of people": c["groups"],
                         "Positive % of valenced passages": c["percent_positive"]})


#: the base of every "percent of people" on the site-learning page: people whose words were coded at the
#: site (see :func:`carejourneys.metrics.evidence.people_counts` for how it differs from interviews)
PEOPLE_CODED_PERCENT = "% of people whose words were coded"


def learning_points_table(learning_points: pd.DataFrame, segments: pd.DataFrame,
                          kind: str = LEARNING_POINT) -> pd.DataFrame:
    """Learning points (records of ``kind``; empty kind = learning point) with their evidence, in the
    order recorded. Serves "Learning points and the evidence behind them"."""
    e = learning_point_evidence(learning_points, segments)
    e = e[e["kind"] == kind]
    return pd.DataFrame({"Learning point": e["heading"], "Codes": e["codes"], "People": e["people"],
                         PEOPLE_CODED_PERCENT: e["people_percent"], "Groups": e["groups"],
                         "Waves": e["waves"], "Sources": e["sources"], "Evidence": e["breadth"]})


#: for cj.report.table: the count-of-people columns and the percentages resting on them
PEOPLE_COLUMNS = ("People", "Spoke of enablers", "Spoke of barriers", "Sources")
PERCENT_OF = {"Negative %": "People", "Mixed %": "People", "Positive %": "People",
              "Mean valence (-1 to +1)": "People", "Enablers %": "Spoke of enablers",
              "Barriers %": "Spoke of barriers", "% of people whose words were coded": "People",
              "Positive % of valenced passages": "People", "Negative % of valenced passages": "People"}


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a reader-facing themes table that count people."""
    return [c for c in PEOPLE_COLUMNS if c in table.columns]


def percent_columns(table: pd.DataFrame) -> dict[str, str]:
    """``{percent column: count column}`` of a reader-facing themes table, for ``percent_of``."""
    return {p: n for p, n in PERCENT_OF.items() if p in table.columns and n in table.columns}


def quote_requests(segments: pd.DataFrame, factor: str, top: int = 3, basis: str = "auto") -> list[dict]:
    """Arguments for ``cj.report.quotes`` to illustrate the ``top`` enablers or barriers, quoting from
    the primary coding (``segments``: :func:`primary_coding` of the frame given, so pass one site's).

    One dict per item, with ``theme`` (the code to quote from), ``valence`` (Positive for an
    enabler and Negative for a barrier when the ranking rests on valence, else None) and a
    ``caption``. Use as ``cj.report.quotes(**request, n=1, deny=ds.deny_list)``.
    """
    r = ranked_factors(segments, factor, basis=basis).head(top)
    primary = primary_coding(segments)
    out = []
    for row in r.itertuples(index=False):
        if row.basis == "valence":
            theme, valence = row.item, "Positive" if factor == ENABLERS else "Negative"
        else:
            code = row.item if str(row.item).startswith(factor) or CODE_SEPARATOR in str(row.item) \
                else f"{factor}{CODE_SEPARATOR}{row.item}"
            # a passage coded to an enabler and a barrier at once (a mixed answer) illustrates neither
            theme, valence = code, "Positive" if factor == ENABLERS else "Negative"
        label = str(row.item).replace(CODE_SEPARATOR, ": ")
        out.append({"theme": theme, "valence": valence, "caption": f"{factor[:-1]} {row.rank}: {label}",
                    "segments": primary})
    return out


def describe_trend(trend: OrdinalTrend) -> str:
    """One plain sentence on what the ordinal test found (for a report note)."""
    groups = " < ".join(SENIORITY_LABELS.get(g, g).lower() for g in trend.groups)
    if not np.isfinite(trend.jt_p):
        return f"Valence could not be compared across {groups}: every passage had the same valence."
    if trend.jt_p >= 0.05:
        return (f"No clear trend in valence along {groups} (Jonckheere-Terpstra {_pv(trend.jt_p)}; "
                f"Kendall's tau-b = {trend.tau:.2f}).")
    way = "positively" if trend.tau > 0 else "negatively"
    return (f"The more senior the speaker, the more {way} they spoke: valence is {trend.direction} "
            f"along {groups} (Jonckheere-Terpstra {_pv(trend.jt_p)}; Kendall's tau-b = {trend.tau:.2f}, "
            f"epsilon squared = {trend.epsilon_squared:.2f}; unit of analysis: {trend.unit}).")


def _pv(p: float) -> str:
    text = numbers.format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def trend_summary(segments: pd.DataFrame, unit: str = "person") -> tuple[pd.DataFrame, str]:
    """(table, sentence) for a report: :meth:`OrdinalTrend.as_frame` and :func:`describe_trend`.

    When fewer than two seniority groups have valence-coded passages the table is empty and the
    sentence says why, so a report on data without valence codes still builds.
    """
    try:
        trend = valence_trend(segments, unit=unit)
    except ValueError:
        return (pd.DataFrame(columns=["statistic", "value"]),
                "Valence could not be compared across seniority: fewer than two groups of staff have "
                "valence-coded passages in these data.")
    return trend.as_frame(), describe_trend(trend)


# --------------------------------------------------------------------------- digest headings

#: reader-facing names of the summary findings' kinds
FINDING_LABELS = {"strength": "Key strengths", "challenge": "Challenges", "recommendation": "Recommendations",
                  LEARNING_POINT: "Learning points"}


def findings_table(learning_points: pd.DataFrame, segments: pd.DataFrame,
                   kind: str) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for the digest's summary headings "Key strengths", "Challenges" and
    "Recommendations" (``kind`` strength / challenge / recommendation): each recorded finding with the
    people, groups and waves whose coded words support its own codes, and how broad that evidence is.
    """
    e = learning_point_evidence(learning_points, segments)
    e = e[e["kind"] == kind].reset_index(drop=True)
    label = FINDING_LABELS.get(kind, kind)
    table = pd.DataFrame({"Finding": e["heading"], "Codes": e["codes"], "People": e["people"],
                          "Groups": e["groups"], "Waves": e["waves"], "Evidence": e["breadth"]})
    if e.empty:
        return table, f"No {label.lower()} are recorded for this site."
    broad = int((e["breadth"] == "broad").sum())
    rests = "rests" if broad == 1 else "rest"
    return table, (f"{label}: {len(e)} recorded; {broad} {rests} on broad evidence (at least "
                   f"{BROAD['people']} people from {BROAD['groups']} groups across {BROAD['waves']} waves).")


def factors_summary(segments: pd.DataFrame, top: int = 3) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for the digest headings "Enablers" and "Barriers": the ``top`` of each,
    ranked from the Enablers/... and Barriers/... codes only, with the people who named each.
    Columns: Factor (Enabler/Barrier), Rank, Item, People, Sources.
    """
    parts = []
    for factor in (ENABLERS, BARRIERS):
        r = ranked_factors(segments, factor, basis="codes").head(top)
        parts.append(pd.DataFrame({"Factor": factor[:-1], "Rank": r["rank"], "Item": r["item"],
                                   "People": r["people"], "Sources": r["sources"]}))
    table = pd.concat(parts, ignore_index=True)
    def names(f: str) -> str:
        items = table.loc[table["Factor"] == f, "Item"].str.lower().tolist()
        return ", ".join(items) if items else "none coded"
    return table, (f"Most often named as helping: {names('Enabler')}. Most often named as getting in the "
                   f"way: {names('Barrier')}.")


LEARNING_THEMES_PARENT = "Programme learning"


def learning_themes(segments: pd.DataFrame, learning_points: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per learning theme (the children of ``Programme learning``, in codebook order) for the
    digest's key-learning headings: people, sources, groups and waves who raised it, the share of its
    valence-coded passages that were positive and negative, and the learning points filed under it.

    Columns: theme, code, people, sources, groups, waves, percent_positive, percent_negative,
    learning_points (their headings joined by " | ").
    """
    s = _with_people(segments)
    vt = valenced_themes(segments)
    rows = []
    for child in CODEBOOK[LEARNING_THEMES_PARENT]:
        code = f"{LEARNING_THEMES_PARENT}{CODE_SEPARATOR}{child}"
        g, v = under(s, code), under(vt, code)
        points = ""
        if learning_points is not None and "theme" in learning_points.columns:
            lp = learning_points[learning_points["theme"].astype("str") == code]
            if "kind" in lp.columns:
                lp = lp[lp["kind"].isna() | (lp["kind"] == LEARNING_POINT)]
            points = " | ".join(lp["heading"].astype("str"))
        n = len(v)
        rows.append({"theme": child, "code": code, "people": g["person"].nunique(),
                     "sources": g["source_id"].nunique(), "groups": g["role"].nunique(),
                     "waves": g["wave"].nunique(),
                     "percent_positive": round(100 * float((v["score"] == 1).mean()), 1) if n else np.nan,
                     "percent_negative": round(100 * float((v["score"] == -1).mean()), 1) if n else np.nan,
                     "learning_points": points})
    return pd.DataFrame(rows, columns=["theme", "code", "people", "sources", "groups", "waves",
                                       "percent_positive", "percent_negative", "learning_points"])


def learning_themes_table(segments: pd.DataFrame,
                          learning_points: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for "What key learning can be taken": :func:`learning_themes` for reading, and
    a sentence naming the theme most spoken of negatively and the one most spoken of positively."""
    t = learning_themes(segments, learning_points)
    table = pd.DataFrame({"Learning theme": t["theme"], "People": t["people"], "Sources": t["sources"],
                          "Groups of people": t["groups"], "Waves": t["waves"],
                          "Positive % of valenced passages": t["percent_positive"],
                          "Negative % of valenced passages": t["percent_negative"],
                          "Learning points": t["learning_points"]})
    return table, describe_learning_themes(table)


POSITIVE, NEGATIVE = "Positive % of valenced passages", "Negative % of valenced passages"


def _shown(value: object) -> float | None:
    """A number as a protected table shows it, or None where it is withheld (``c``) or missing."""
    if value is None or (isinstance(value, str) and value.strip() == "c"):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def describe_learning_themes(table: pd.DataFrame) -> str:
    """The sentence under the learning themes table: the theme spoken of most negatively and the one
    most positively, read from ``table`` as shown (:func:`learning_themes_table`'s table, after
    disclosure control: a row whose percentages are withheld is left out, so the sentence states
    nothing the table does not show)."""
    rows = [(str(r["Learning theme"]), _shown(r[POSITIVE]), _shown(r[NEGATIVE]))
            for _, r in table.iterrows()]
    rated = [(name, pos, neg) for name, pos, neg in rows if pos is not None and neg is not None]
    if not rated:
        return "No learning theme has valence-coded passages that can be shown here."
    worst = sorted(rated, key=lambda r: (-r[2], r[0]))[0]
    best = sorted(rated, key=lambda r: (-r[1], r[0]))[0]
    of = f"Of the {len(rated)} learning themes shown with their tone" if len(rated) < len(rows) else \
        f"Of the {len(rows)} learning themes"
    return (f"{of}, {worst[0].lower()} was spoken of most negatively ({worst[2]:.0f}% of its valence-coded "
            f"passages) and {best[0].lower()} most positively ({best[1]:.0f}%).")


def describe_learning_theme(table: pd.DataFrame, theme: str, threshold: int = 5) -> str:
    """One sentence on the evidence for one learning theme, read from its row of the protected learning
    themes table (:func:`learning_themes_table` after disclosure control): how many people raised it,
    from how many groups and waves, and how its passages leaned. A withheld count is never stated: the
    sentence then says "fewer than ``threshold``" people, or leaves the number out."""
    row = table[table["Learning theme"].astype("str") == theme]
    if row.empty:
        return f"No one's coded words at this site were about {theme.lower()}."
    r = row.iloc[0]
    people = _shown(r["People"])
    if people == 0:
        return f"No one's coded words at this site were about {theme.lower()}."
    who = (f"{int(people)} {'person' if people == 1 else 'people'}" if people is not None
           else f"fewer than {threshold} people (the exact number is withheld)")
    groups, waves = _shown(r.get("Groups of people")), _shown(r.get("Waves"))
    spread = ""
    if groups is not None and waves is not None:
        spread = (f" from {int(groups)} group{'s' if groups != 1 else ''} of people across "
                  f"{int(waves)} fieldwork wave{'s' if waves != 1 else ''}")
    pos, neg = _shown(r.get(POSITIVE)), _shown(r.get(NEGATIVE))
    tone = ""
    if pos is not None and neg is not None:
        tone = (f"; {pos:.0f}% of its valence-coded passages were positive and {neg:.0f}% negative")
    return f"{who[:1].upper()}{who[1:]} raised it{spread}{tone}."


def findings_evidence_table(learning_points: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Every recorded finding (learning points, strengths, challenges, recommendations) with the evidence
    behind its own codes, in one table, so that every heading that shows some of them shows the same
    protected numbers. Columns: Site, Kind (reader-facing, see ``FINDING_LABELS``), Theme (the code it is
    filed under), Finding, Codes, People, % of people whose words were coded, Groups, Waves, Sources,
    Evidence.
    """
    e = learning_point_evidence(learning_points, segments)
    out = pd.DataFrame({"Kind": e["kind"].map(lambda k: FINDING_LABELS.get(k, k)).to_numpy(),
                         "Theme": e["theme"].fillna("").astype("str").to_numpy(),
                         "Finding": e["heading"].to_numpy(), "Codes": e["codes"].to_numpy(),
                         "People": e["people"].to_numpy(),
                         PEOPLE_CODED_PERCENT: e["people_percent"].to_numpy(),
                         "Groups": e["groups"].to_numpy(), "Waves": e["waves"].to_numpy(),
                         "Sources": e["sources"].to_numpy(), "Evidence": e["breadth"].to_numpy()})
    # the site always labels a row, so that a finding has the same label on its site's page and on the
    # page for all sites (disclosure control links the two by it)
    out.insert(0, "Site", e["site"].astype("str").str.title().to_numpy())
    return out


def learning_theme_quotes(theme: str, segments: pd.DataFrame | None = None) -> list[dict]:
    """Arguments for ``cj.report.quotes`` illustrating one learning theme (a child of Programme
    learning): one request for what went well and one for what did not, each captioned. With
    ``segments`` (one site's), the requests quote from their :func:`primary_coding`."""
    code = theme if theme.startswith(LEARNING_THEMES_PARENT) else f"{LEARNING_THEMES_PARENT}/{theme}"
    name = code.split(CODE_SEPARATOR)[-1]
    extra = {} if segments is None else {"segments": primary_coding(segments)}
    return [{"theme": code, "valence": "Positive", "caption": f"{name}: what worked", **extra},
            {"theme": code, "valence": "Negative", "caption": f"{name}: what did not", **extra}]


def collaboration_by_site(segments: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """(table, sentence) for "Factors behind the collaboration": per site, the people who spoke of each
    collaboration factor and the share of its valence-coded passages that were positive.
    ``segments`` should hold every site (``load_dataset(site="all")``) for the comparison.
    Columns: Site, Collaboration factor, People, Positive % of valenced passages.
    """
    parts = []
    for site, g in segments.groupby("site", sort=True):
        if site == "national":
            continue
        c = collaboration_factors(g)
        parts.append(pd.DataFrame({"Site": str(site).title(), "Collaboration factor": c["factor"],
                                   "People": c["people"],
                                   "Positive % of valenced passages": c["percent_positive"]}))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["Site", "Collaboration factor", "People", "Positive % of valenced passages"])
    overall = {}
    vt = valenced_themes(segments)
    vt = under(vt, "Collaboration")
    for site, g in vt.groupby("site", sort=True):
        if site != "national" and len(g):
            overall[str(site).title()] = round(100 * float((g["score"] == 1).mean()), 1)
    if len(overall) < 2:
        return table, "Collaboration can be compared between sites only on the page for all sites."
    ranked = sorted(overall.items(), key=lambda kv: -kv[1])
    return table, ("Share of valence-coded passages about collaboration that were positive: "
                   + "; ".join(f"{k} {v:.0f}%" for k, v in ranked) + ".")
