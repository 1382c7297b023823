"""Qualitative analyses on coded segments (from ``read_qdpx(...).segments``, ``read_coded_segments`` or
``ds.coded_segments``): prevalence, the framework matrix, co-occurrence, valence effect sizes,
inter-coder agreement and saturation.

Conventions shared by every function:

* a *passage* is a distinct ``(source_id, start, end)``: the same span coded by two coders, or with a
  theme and a valence code, is one passage (where positions are missing, each ``segment_id`` is one);
* a *person* is the ``speaker_id`` where recorded, else the ``source_id`` (one interview, one person);
* ``level="theme"`` counts top-level codes, ``level="code"`` full code paths, and ``level=2`` the first
  two levels (``Top/Child``);
* counts of people are counts of people: publish them through ``cj.report.table(..., counts=...)``.

Prevalence by one grouping with percentages and the ordinal trend of valence across seniority
(Jonckheere-Terpstra, Kruskal-Wallis) live in :mod:`carejourneys.metrics.themes`; this module adds
multi-way prevalence, Cliff's delta and a cumulative-logit model for valence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from carejourneys.errors import DataError
from carejourneys.inputs.schemas import CODE_SEPARATOR, CODEBOOK, ROLES, SENIORITY, STAFF_SENIORITY

VALENCE = "Valence"
VALENCE_ORDER = ("Negative", "Mixed", "Positive")


# ============================================================================ helpers


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str = "segments") -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what} lack column(s) {', '.join(missing)}", column=missing[0])


def people(segments: pd.DataFrame) -> pd.Series:
    """Who said each segment: ``speaker_id`` where recorded, else ``source_id``."""
    src = segments["source_id"].astype("str")
    if "speaker_id" not in segments.columns:
        return src
    spk = segments["speaker_id"]
    ok = spk.notna() & (spk.astype("str").str.strip() != "")
    return spk.astype("str").where(ok, src)


def passages(segments: pd.DataFrame) -> pd.Series:
    """A passage key per segment: ``source_id@start-end``, or the ``segment_id`` when positions are
    missing."""
    if {"start", "end"} <= set(segments.columns):
        s, e = segments["start"], segments["end"]
        key = segments["source_id"].astype("str") + "@" + s.astype("str") + "-" + e.astype("str")
        return key.where(s.notna() & e.notna(), "seg:" + segments["segment_id"].astype("str"))
    return "seg:" + segments["segment_id"].astype("str")


def code_level(code_paths: pd.Series, level: str | int = "code") -> pd.Series:
    """Code paths cut to ``level``: "theme" (top level), "code" (full path) or an int (that many levels)."""
    cp = code_paths.astype("str")
    if level == "code":
        return cp
    n = 1 if level == "theme" else int(level)
    return cp.str.split(CODE_SEPARATOR).map(lambda p: CODE_SEPARATOR.join(p[:n]))


def _prepared(segments: pd.DataFrame, level: str | int, exclude: Sequence[str]) -> pd.DataFrame:
    _need(segments, ["segment_id", "source_id", "code_path"])
    s = segments.assign(person=people(segments), passage=passages(segments),
                        code=code_level(segments["code_path"], level))
    if exclude:
        top = code_level(s["code_path"], "theme")
        s = s[~top.isin(list(exclude)) & ~s["code"].isin(list(exclude))]
    return s


def _order(by: str, values) -> list:
    vals = [v for v in pd.unique(pd.Series(list(values))) if pd.notna(v)]
    natural = {"role": list(ROLES), "seniority": list(SENIORITY)}.get(by)
    if natural:
        return [v for v in natural if v in vals] + sorted((v for v in vals if v not in natural), key=str)
    return sorted(vals, key=str)


# ============================================================================ prevalence


def theme_prevalence(segments: pd.DataFrame, by: Sequence[str] = ("site", "role", "wave"),
                     level: str | int = "theme", exclude: Sequence[str] = (VALENCE,)) -> pd.DataFrame:
    """How often each theme was raised, by every combination of ``by``.

    Returns one row per group and theme with ``segments`` (coded segments, so a span coded by two
    coders or to two codes under the theme counts twice), ``passages`` (distinct coded spans), ``sources``
    (transcripts/documents), ``people`` (distinct speakers), and ``group_people`` / ``group_sources``
    (everyone in the group with any coded segment) and ``percent_people`` (people / group_people).
    ``by=()`` gives the overall figures.
    """
    by = list(by)
    _need(segments, by)
    s = _prepared(segments, level, exclude)
    everyone = segments.assign(person=people(segments))
    keys = [*by, "code"]
    if s.empty:
        return pd.DataFrame(columns=[*by, "theme", "segments", "passages", "sources", "people",
                                     "group_people", "group_sources", "percent_people"])
    out = s.groupby(keys, dropna=False, sort=False).agg(segments=("segment_id", "nunique"),
                                                        passages=("passage", "nunique"),
                                                        sources=("source_id", "nunique"),
                                                        people=("person", "nunique")).reset_index()
    if by:
        sizes = everyone.groupby(by, dropna=False).agg(group_people=("person", "nunique"),
                                                       group_sources=("source_id", "nunique")).reset_index()
        out = out.merge(sizes, on=by, how="left")
    else:
        out["group_people"] = everyone["person"].nunique()
        out["group_sources"] = everyone["source_id"].nunique()
    out["percent_people"] = (100 * out["people"] / out["group_people"]).round(1)
    out = out.rename(columns={"code": "theme"})
    codebook_order = {c: i for i, c in enumerate(CODEBOOK)}
    sort_keys = []
    for b in by:
        rank = {v: i for i, v in enumerate(_order(b, out[b]))}
        out[f"_{b}"] = out[b].map(rank)
        sort_keys.append(f"_{b}")
    out["_t"] = out["theme"].map(lambda t: codebook_order.get(t.split(CODE_SEPARATOR)[0],
        len(codebook_order)))
    out = out.sort_values([*sort_keys, "_t", "theme"], kind="stable").drop(columns=[*sort_keys, "_t"])
    for c in ("segments", "passages", "sources", "people", "group_people", "group_sources"):
        out[c] = out[c].astype("int64")
    return out.reset_index(drop=True)


# ============================================================================ framework matrix


def _summarise(texts: Sequence[str], max_excerpts: int, excerpt_chars: int) -> str:
    seen: list[str] = []
    for t in texts:
        t = " ".join(str(t).split())
        if t and t not in seen:
            seen.append(t)
    shown = []
    for t in seen[:max_excerpts]:
        shown.append(f"“{t if len(t) <= excerpt_chars else t[: excerpt_chars - 1].rstrip() + '…'}”")
    more = len(seen) - len(shown)
    head = f"[{len(seen)} passage{'s' if len(seen) != 1 else ''}] "
    return head + " ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def framework_matrix(segments: pd.DataFrame, *, level: str | int = "code",
                     themes: Sequence[str] | None = None,
                     attributes: Sequence[str] = ("site", "role", "seniority"), max_excerpts: int = 3,
                     excerpt_chars: int = 200, exclude: Sequence[str] = (VALENCE,),
                     anonymise_with=None) -> pd.DataFrame:
    """The framework matrix: one row per case (person), one column per theme, cells summarising the text.

    A cell reads ``[n passages] “excerpt” “excerpt” (+k more)``: the number of distinct passages the
    person had coded to that code, then up to ``max_excerpts`` of them (each cut to ``excerpt_chars``).
    Empty cells are empty strings. The case's ``attributes`` come first. ``themes`` keeps only codes
    under these top-level themes. ``anonymise_with``: a deny list (see :func:`carejourneys.sdc.anonymise.
    anonymise`) applied to the excerpts, for sharing the matrix beyond the analysis team.
    """
    s = _prepared(segments, level, exclude)
    if themes is not None:
        s = s[code_level(s["code_path"], "theme").isin(list(themes))]
    if "text" not in s.columns:
        s = s.assign(text="")
    if anonymise_with is not None:
        from carejourneys.sdc.anonymise import anonymise

        s = s.assign(text=[anonymise(str(t), anonymise_with).text for t in s["text"].fillna("")])
    attrs = [a for a in attributes if a in s.columns]
    s = s.sort_values([c for c in ("source_id", "start", "end", "segment_id") if c in s.columns],
        kind="stable")
    cells = s.groupby(["person", "code"], sort=False)["text"].agg(
        lambda t: _summarise(list(t.dropna()), max_excerpts, excerpt_chars))
    matrix = cells.unstack("code", fill_value="")
    order = _code_order(matrix.columns)
    matrix = matrix.reindex(columns=order, fill_value="").fillna("")
    if attrs:
        first = s.groupby("person", sort=False)[attrs].first()
        matrix = first.join(matrix, how="right")
        sort_cols = [a for a in ("site", "seniority", "role") if a in attrs]
        if sort_cols:
            ranks = {a: {v: i for i, v in enumerate(_order(a, matrix[a]))} for a in sort_cols}
            key = pd.DataFrame({a: matrix[a].map(ranks[a]) for a in sort_cols})
            matrix = matrix.loc[key.sort_values(sort_cols, kind="stable").index]
    matrix.index.name = "case"
    matrix.columns.name = None
    return matrix


def _code_order(codes) -> list[str]:
    from carejourneys.inputs.schemas import code_paths

    known = {c: i for i, c in enumerate(code_paths())}
    return sorted(codes, key=lambda c: (known.get(c, len(known)), str(c)))


def write_framework_xlsx(segments: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """Write framework matrices to XLSX in the layout evaluators use: one sheet per top-level theme.

    Each sheet has one row per case (its attributes first), one column per code under that theme,
    wrapped text, a frozen header row and case column. A first sheet "Index" lists themes with their
    counts of cases and passages. Text that a spreadsheet would run as a formula (starting with ``=``,
    ``+``, ``-``, ``@``, tab or CR) is stored as text. Keyword arguments go to :func:`framework_matrix`
    (``level``, ``attributes``, ``max_excerpts``, ``excerpt_chars``, ``exclude``, ``anonymise_with``).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    kwargs.setdefault("level", "code")
    attributes = [a for a in kwargs.pop("attributes", ("site", "role", "seniority")) if a in segments.columns]
    matrix = framework_matrix(segments, attributes=attributes, **kwargs)
    code_cols = [c for c in matrix.columns if c not in attributes]
    by_theme: dict[str, list[str]] = {}
    for c in code_cols:
        by_theme.setdefault(str(c).split(CODE_SEPARATOR)[0], []).append(c)
    wb = Workbook()
    index = wb.active
    index.title = "Index"
    index.append(["Theme", "Sheet", "Cases with any passage", "Codes"])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    used_names: set[str] = {"Index"}
    for theme, cols in by_theme.items():
        sub = matrix[[*attributes, *cols]]
        sub = sub[(sub[cols] != "").any(axis=1)]
        name = _sheet_name(theme, used_names)
        index.append([theme, name, len(sub), len(cols)])
        ws = wb.create_sheet(name)
        headers = ["Case", *attributes, *[c.split(CODE_SEPARATOR, 1)[1] if CODE_SEPARATOR in c else c
                                          for c in cols]]
        ws.append(headers)
        for case, row in sub.iterrows():
            ws.append([str(case), *["" if pd.isna(v) else str(v) for v in row.tolist()]])
        _cells_as_text(ws)
        for cell in ws[1]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = wrap
        for r in ws.iter_rows(min_row=2):
            for cell in r:
                cell.alignment = wrap
        for i in range(1, len(headers) + 1):
            width = 14 if i <= 1 + len(attributes) else 48
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = ws.cell(row=2, column=2 + len(attributes))
    for cell in index[1]:
        cell.font = bold
    _cells_as_text(index)
    index.column_dimensions["A"].width = 36
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cells_as_text(ws) -> None:
    """Every text cell of ``ws`` that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``,
    tab, CR first: a code, case or excerpt could start so) is stored as text with Excel's quote prefix,
    so the workbook opens with the text shown, not run."""
    from carejourneys.sdc.anonymise import FORMULA_STARTS

    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def _sheet_name(theme: str, used: set[str]) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in theme)[:31] or "Theme"
    name, k = base, 2
    while name in used:
        name = f"{base[:28]}~{k}"
        k += 1
    used.add(name)
    return name


# ============================================================================ co-occurrence


def cooccurrence(segments: pd.DataFrame, *, unit: str = "passage", level: str | int = "code",
                 exclude: Sequence[str] = (VALENCE,)) -> pd.DataFrame:
    """Code co-occurrence: how many units carry both codes (diagonal: units carrying the code).

    ``unit``:
      * ``"passage"``: overlapping spans of one source merged into one stretch of text (two codes
        co-occur when their selections overlap, as in NVivo's and ATLAS.ti's co-occurrence tables);
      * ``"source"``: the same transcript or document; ``"person"``: the same speaker.
    """
    s = _prepared(segments, level, exclude)
    if unit == "passage":
        _need(s, ["start", "end"])
        s = s.sort_values(["source_id", "start", "end"], kind="stable")
        start = s["start"].astype("float").to_numpy()
        end = s["end"].astype("float").to_numpy()
        src = s["source_id"].astype("str").to_numpy()
        ids = np.empty(len(s), dtype=np.int64)
        cid, reach, prev = -1, -np.inf, None
        for i in range(len(s)):
            if src[i] != prev or not (start[i] < reach or (start[i] == reach == end[i])):
                cid += 1
                reach = end[i]
            else:
                reach = max(reach, end[i])
            prev = src[i]
            ids[i] = cid
        keys = pd.Series(ids, index=s.index)
    elif unit == "source":
        keys = s["source_id"].astype("str")
    elif unit == "person":
        keys = s["person"]
    else:
        raise ValueError("unit must be passage, source or person")
    inc = pd.crosstab(keys, s["code"]).clip(upper=1)
    order = _code_order(inc.columns)
    inc = inc[order]
    m = inc.T.to_numpy() @ inc.to_numpy()
    out = pd.DataFrame(m.astype("int64"), index=order, columns=order)
    out.index.name = None
    out.columns.name = None
    return out


# ============================================================================ valence


def valence_scores(segments: pd.DataFrame, by: str = "seniority") -> pd.DataFrame:
    """One row per valence-coded passage: its person, group ``by`` and ``valence`` (Negative < Mixed <
    Positive).

    A passage coded with more than one valence code is left out (it has no single valence).
    """
    _need(segments, ["code_path", by])
    s = segments.assign(person=people(segments), passage=passages(segments))
    cp = s["code_path"].astype("str")
    v = s[cp.str.startswith(VALENCE + CODE_SEPARATOR)].copy()
    v["valence"] = v["code_path"].astype("str").str.split(CODE_SEPARATOR).str[1]
    v = v[v["valence"].isin(VALENCE_ORDER)]
    v = v.drop_duplicates(["passage", "valence"])
    single = v.groupby("passage")["valence"].transform("nunique") == 1
    v = v[single].drop_duplicates("passage")
    v["score"] = v["valence"].map({k: i for i, k in enumerate(VALENCE_ORDER)}).astype("int64")
    return v[["passage", "person", "source_id", by, "valence", "score"]].reset_index(drop=True)


def cliffs_delta(x: Sequence[float], y: Sequence[float]) -> float:
    """Cliff's delta: P(X > Y) - P(X < Y) over all pairs (-1..1; 0 = no difference).

    Equals 2U/(n_x n_y) - 1 with U the Mann-Whitney statistic of x (ties counting one half).
    """
    a = np.asarray(x, dtype=float)[:, None]
    b = np.asarray(y, dtype=float)[None, :]
    if a.size == 0 or b.size == 0:
        return float("nan")
    return float(((a > b).sum() - (a < b).sum()) / (a.size * b.size))


@dataclass(frozen=True)
class ValenceComparison:
    """Valence across ordered groups: effect sizes and a proportional-odds (cumulative logit) model.

    ``table``: per group, passages, people and the percentage Negative/Mixed/Positive.
    ``deltas``: Cliff's delta for each adjacent pair and for last vs first group (positive: the later,
    more senior group speaks more positively), with the Mann-Whitney p (scipy, two-sided).
    ``kw_h``, ``kw_p``, ``epsilon_squared``: Kruskal-Wallis across the groups (scipy) and its effect size
    epsilon² = H / (n - 1).
    ``odds_ratio``, ``or_low``, ``or_high``, ``or_p``: from a cumulative-logit model (statsmodels
    ``OrderedModel``) of valence on the group's rank: the odds of a more positive valence for each step
    up the order, with a 95% interval. Units are passages (``unit="passage"``) or each person's
    median valence (``unit="person"``, so a talkative speaker counts once).
    """

    groups: tuple[str, ...]
    unit: str
    table: pd.DataFrame
    deltas: pd.DataFrame
    kw_h: float
    kw_p: float
    epsilon_squared: float
    odds_ratio: float
    or_low: float
    or_high: float
    or_p: float


def valence_comparison(segments: pd.DataFrame, by: str = "seniority",
                       order: Sequence[str] = STAFF_SENIORITY, unit: str = "passage") -> ValenceComparison:
    """Compare valence (Negative < Mixed < Positive) across the ordered groups ``order`` of ``by``.

    See :class:`ValenceComparison` for what is computed. Raises ``ValueError`` with fewer than two
    groups with data.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    if unit not in ("passage", "person"):
        raise ValueError("unit must be passage or person")
    v = valence_scores(segments, by)
    v = v[v[by].isin(list(order))]
    if unit == "person":
        v = v.groupby(["person", by], as_index=False)["score"].median()
        v["score"] = np.floor(v["score"] + 0.5).astype("int64")  # halves round up to the more positive
    groups = [g for g in order if (v[by] == g).any()]
    if len(groups) < 2:
        raise ValueError(f"valence by {by} needs two groups with data; found {groups}")
    samples = [v.loc[v[by] == g, "score"].to_numpy(dtype=float) for g in groups]
    rows = []
    for g, x in zip(groups, samples, strict=True):
        n = len(x)
        rows.append({"group": g, unit + "s": n,
                     "people": int(v.loc[v[by] == g, "person"].nunique()),
                     **{f"percent_{k.lower()}": round(100 * float((x == i).mean()), 1)
                        for i, k in enumerate(VALENCE_ORDER)}})
    table = pd.DataFrame(rows)
    pairs = [(groups[i], groups[i + 1]) for i in range(len(groups) - 1)]
    if len(groups) > 2:
        pairs.append((groups[0], groups[-1]))
    drows = []
    for lo, hi in pairs:
        x, y = samples[groups.index(hi)], samples[groups.index(lo)]
        p = stats.mannwhitneyu(x, y, alternative="two-sided").pvalue if np.ptp(np.r_[x, y]) > 0 else 1.0
        drows.append({"lower": lo, "higher": hi, "cliffs_delta": cliffs_delta(x, y), "p": float(p)})
    deltas = pd.DataFrame(drows)
    allx = np.concatenate(samples)
    if np.ptp(allx) > 0:
        h, kw_p = stats.kruskal(*samples)
    else:
        h, kw_p = 0.0, 1.0
    eps = float(h / (len(allx) - 1)) if len(allx) > 1 else float("nan")
    rank = np.concatenate([np.full(len(x), i, dtype=float) for i, x in enumerate(samples)])
    orr = lo_ = hi_ = orp = float("nan")
    levels = np.unique(allx)
    if len(levels) >= 2:
        y = pd.Series(pd.Categorical(allx.astype(int), categories=sorted(levels.astype(int)), ordered=True))
        try:
            res = OrderedModel(y, pd.DataFrame({"rank": rank}), distr="logit").fit(method="bfgs", disp=False)
            b, se = float(res.params["rank"]), float(res.bse["rank"])
            orr, lo_, hi_ = float(np.exp(b)), float(np.exp(b - 1.96 * se)), float(np.exp(b + 1.96 * se))
            orp = float(res.pvalues["rank"])
        except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - degenerate data
            pass
    return ValenceComparison(groups=tuple(groups), unit=unit, table=table, deltas=deltas, kw_h=float(h),
                             kw_p=float(kw_p), epsilon_squared=eps, odds_ratio=orr, or_low=lo_, or_high=hi_,
                             or_p=orp)


# ============================================================================ agreement


def cohens_kappa(table: np.ndarray) -> float:
    """Cohen's kappa from a square confusion table (rows coder 1, columns coder 2)."""
    t = np.asarray(table, dtype=float)
    n = t.sum()
    if n == 0:
        return float("nan")
    po = np.trace(t) / n
    pe = float((t.sum(0) * t.sum(1)).sum() / n**2)
    return float("nan") if pe == 1 else float((po - pe) / (1 - pe))


def krippendorff_alpha_nominal(data: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data: ``data`` is coders × units, NaN where a coder gave no value.

    Units with fewer than two values are not pairable and are left out. alpha = 1 - D_o / D_e from the
    coincidence matrix (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").
    """
    d = np.asarray(data, dtype=float)
    values = np.unique(d[~np.isnan(d)])
    if len(values) == 0:
        return float("nan")
    counts = np.stack([(d == v).sum(axis=0) for v in values], axis=1).astype(float)  # units × values
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if len(m) == 0:
        return float("nan")
    o = (counts[:, :, None] * counts[:, None, :]) / (m - 1)[:, None, None]
    o = o.sum(axis=0)
    o[np.diag_indices_from(o)] = (counts * (counts - 1) / (m - 1)[:, None]).sum(axis=0)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (np.outer(n_c, n_c).sum() - (n_c**2).sum()) / (n - 1)
    return float("nan") if d_e == 0 else float(1 - d_o / d_e)


def agreement_units(segments: pd.DataFrame, *, unit: str = "passage", level: str | int = "code",
                    coders: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The reliability data behind :func:`intercoder_agreement`: one row per unit and code, one 0/1
    column per coder (1: the coder applied the code to the unit).

    Unit design: only sources coded by every one of ``coders`` (default: every coder in the data)
    count. ``unit="passage"``: the units are the distinct spans (``source_id``, ``start``, ``end``)
    that any of these coders coded in those sources (coders segment the same passages and choose
    codes); ``unit="source"``: the units are the sources (did the coder use the code anywhere in it).
    """
    _need(segments, ["coder", "source_id", "code_path"])
    s = _prepared(segments, level, exclude)
    s = s[s["coder"].notna()]
    coders = sorted(s["coder"].astype("str").unique()) if coders is None else list(coders)
    if len(coders) < 2:
        raise ValueError(f"inter-coder agreement needs at least two coders; found {coders}")
    s = s[s["coder"].astype("str").isin(coders)]
    per_source = s.groupby("source_id")["coder"].nunique()
    shared = per_source[per_source == len(coders)].index
    s = s[s["source_id"].isin(shared)]
    if unit == "passage":
        s = s.assign(unit=s["passage"])
    elif unit == "source":
        s = s.assign(unit=s["source_id"].astype("str"))
    else:
        raise ValueError("unit must be passage or source")
    units = s[["unit"]].drop_duplicates()
    codes = sorted(s["code"].unique())
    grid = units.merge(pd.DataFrame({"code": codes}), how="cross")
    applied = s.assign(v=1).pivot_table(index=["unit", "code"], columns="coder", values="v", aggfunc="max")
    out = grid.merge(applied.reset_index(), on=["unit", "code"], how="left")
    for c in coders:
        out[c] = out[c].fillna(0).astype("int64") if c in out.columns else 0
    return out[["unit", "code", *coders]]


def intercoder_agreement(segments: pd.DataFrame, *, unit: str = "passage", level: str | int = "code",
                         coders: Sequence[str] | None = None, exclude: Sequence[str] = (),
                         source_lengths: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Agreement between coders for each code, on the unit design of :func:`agreement_units`
    (``unit="passage"`` or ``"source"``) or character by character (``unit="character"``, see
    :func:`character_agreement`).

    For each code, every unit is a 0/1 decision per coder. Columns: ``code``, ``units``, ``coders``,
    ``units_coded`` (units any coder gave the code), ``percent_agreement``, ``kappa`` (Cohen's kappa
    for two coders; for more, the mean over pairs, Light's kappa) and ``alpha`` (Krippendorff's alpha,
    nominal). Both are undefined (NaN) when nobody, or everybody, used the code on every unit.
    """
    if unit == "character":
        return character_agreement(segments, level=level, coders=coders, exclude=exclude,
                                   source_lengths=source_lengths)
    data = agreement_units(segments, unit=unit, level=level, coders=coders, exclude=exclude)
    cs = [c for c in data.columns if c not in ("unit", "code")]
    rows = []
    for code, g in data.groupby("code", sort=False):
        m = g[cs].to_numpy(dtype=float)
        kappas = []
        for i in range(len(cs)):
            for j in range(i + 1, len(cs)):
                t = np.zeros((2, 2))
                np.add.at(t, (m[:, i].astype(int), m[:, j].astype(int)), 1)
                kappas.append(cohens_kappa(t))
        rows.append({"code": code, "units": len(g), "coders": len(cs),
                     "units_coded": int((m.max(axis=1) > 0).sum()),
                     "percent_agreement": round(100 * float((m.min(axis=1) == m.max(axis=1)).mean()), 1),
                     "kappa": float(np.nanmean(kappas)) if kappas and not np.isnan(kappas).all()
                     else float("nan"),
                     "alpha": krippendorff_alpha_nominal(m.T)})
    out = pd.DataFrame(rows, columns=["code", "units", "coders", "units_coded", "percent_agreement", "kappa",
                                      "alpha"])
    order = _code_order(out["code"])
    return out.set_index("code").loc[order].reset_index()


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _overlap(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> int:
    i = j = total = 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        total += max(0, hi - lo)
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def character_agreement(segments: pd.DataFrame, *, level: str | int = "code",
                        coders: Sequence[str] | None = None, exclude: Sequence[str] = (),
                        source_lengths: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Agreement of two coders character by character (the design of NVivo's coding comparison).

    Every character of every source that both coders coded is a unit; for each code, each coder either
    covered it with a selection of that code or did not. The 2×2 table is pooled over sources and
    gives Cohen's kappa and Krippendorff's alpha (nominal), as in :func:`intercoder_agreement`; units
    are characters. ``source_lengths`` (e.g. ``{k: len(t) for k, t in project.texts.items()}``) gives
    each text's length; without it a source ends at its last coded character.
    """
    _need(segments, ["coder", "source_id", "code_path", "start", "end"])
    s = _prepared(segments, level, exclude)
    s = s[s["coder"].notna() & s["start"].notna() & s["end"].notna()]
    coders = sorted(s["coder"].astype("str").unique()) if coders is None else list(coders)
    if len(coders) != 2:
        raise ValueError(f"character-level agreement compares exactly two coders; found {coders}")
    s = s[s["coder"].astype("str").isin(coders)]
    per_source = s.groupby("source_id")["coder"].nunique()
    shared = sorted(per_source[per_source == 2].index)
    s = s[s["source_id"].isin(shared)]
    lengths = {src: int(source_lengths[src]) if source_lengths and src in source_lengths
               else int(s.loc[s["source_id"] == src, "end"].max()) for src in shared}
    total = sum(lengths.values())
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for r in s[["source_id", "code", "coder", "start", "end"]].itertuples(index=False):
        spans.setdefault((r.source_id, r.code, str(r.coder)), []).append((int(r.start), int(r.end)))
    rows = []
    for code in _code_order(s["code"].unique()):
        t = np.zeros((2, 2))
        for src in shared:
            a = _merged(spans.get((src, code, coders[0]), []))
            b = _merged(spans.get((src, code, coders[1]), []))
            both = _overlap(a, b)
            la, lb = sum(e - x for x, e in a), sum(e - x for x, e in b)
            t += [[lengths[src] - (la + lb - both), lb - both], [la - both, both]]
        o = t + t.T
        n_c = o.sum(axis=1)
        n = o.sum()
        d_e = 2 * n_c[0] * n_c[1]
        alpha = float("nan") if d_e == 0 else float(1 - (n - 1) * (o[0, 1] + o[1, 0]) / d_e)
        rows.append({"code": code, "units": int(total), "coders": 2, "units_coded": int(t.sum() - t[0, 0]),
                     "percent_agreement": round(100 * float(np.trace(t) / t.sum()), 1) if t.sum() else np.nan,
                     "kappa": cohens_kappa(t), "alpha": alpha})
    return pd.DataFrame(rows, columns=["code", "units", "coders", "units_coded", "percent_agreement", "kappa",
                                       "alpha"])


# ============================================================================ saturation


def saturation(segments: pd.DataFrame, *, level: str | int = "code", order_by: Sequence[str] = ("date",),
               by: str | None = None, exclude: Sequence[str] = (VALENCE,)) -> pd.DataFrame:
    """New codes per additional source (interview), in fieldwork order.

    Sources are ordered by ``order_by`` (their earliest value; then ``source_id``). Returns one row per
    source: ``n`` (its position), ``source_id``, ``codes`` (distinct codes in it), ``new_codes`` (codes
    not seen in earlier sources), ``cumulative_codes`` and ``percent_of_final`` (cumulative as a
    percentage of all codes found). With ``by`` (e.g. "site"), the count restarts in each group.
    """
    s = _prepared(segments, level, exclude)
    keys = [k for k in order_by if k in s.columns]
    groups = [(None, s)] if by is None else list(s.groupby(by, sort=True))
    out = []
    for g, part in groups:
        first = part.groupby("source_id").agg(**{k: (k, "min") for k in keys}) if keys else \
            pd.DataFrame(index=part["source_id"].unique())
        first = first.reset_index(names="source_id").sort_values([*keys, "source_id"], kind="stable")
        codes_of = part.groupby("source_id")["code"].agg(lambda c: set(c))
        seen: set[str] = set()
        total = part["code"].nunique()
        for n, src in enumerate(first["source_id"], start=1):
            cs = codes_of[src]
            new = cs - seen
            seen |= cs
            row = {"n": n, "source_id": src, "codes": len(cs), "new_codes": len(new),
                   "cumulative_codes": len(seen), "percent_of_final": round(100 * len(seen) / total, 1)}
            if by is not None:
                row = {by: g[0] if isinstance(g, tuple) else g, **row}
            out.append(row)
    cols = ([by] if by else []) + ["n", "source_id", "codes", "new_codes", "cumulative_codes",
        "percent_of_final"]
    return pd.DataFrame(out, columns=cols)


def saturation_point(curve: pd.DataFrame, run: int = 3) -> int | None:
    """The number of sources after which ``run`` consecutive further sources brought no new code
    (a stopping criterion in the style of Guest et al. 2020), or None if it was never reached."""
    zeros = 0
    for n, new in zip(curve["n"], curve["new_codes"], strict=True):
        zeros = zeros + 1 if new == 0 else 0
        if zeros >= run:
            return int(n) - run
    return None
