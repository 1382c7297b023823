"""What report notebooks call to show things: the data-origin banner, tables, figures, notes, quotes.

A notebook starts with::

    ctx = cj.report.setup(site=site, data_dir=data_dir, disclosure_threshold=disclosure_threshold)

which loads the dataset (``ctx.ds``), remembers the context for the calls that follow and shows the
banner: the data's origin (synthetic or real), the site, the parameters, the package version, the
dataset's manifest checksum and the data's date as the manifest states it (never the clock, so a
rebuilt page has the same bytes). Then one call per table or figure::

    cj.report.table(frame, caption="...", counts=["people"])     # disclosure control applied
    cj.report.tables([total, breakdown], captions=[...], counts=...)  # shown together, protected together
    cj.report.figure(fig, alt="...", caption="...")               # PNG with alt text
    cj.report.note("..."); cj.report.caveat("...")
    cj.report.quotes(...)                                          # via carejourneys.sdc.quotes.select_quotes

Each call displays its HTML at once (in a notebook, or as text in a plain interpreter) and returns
None; the ``*_html`` functions return the same HTML as a string (for tests and other tools).
Computations belong in ``carejourneys.metrics``; this module only protects and renders.
"""

from __future__ import annotations

import datetime as dt
import numbers
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carejourneys import __version__, config, sites
from carejourneys.render.html import (  # noqa: F401 - re-exported for notebooks and tests
    EMPTY_TABLE,
    MISSING,
    ORIGIN_TEXT,
    _esc,
    _figure_of,
    annex_html,
    banner_html,
    caveat_html,
    figure_html,
    format_value,
    note_html,
    png_bytes,
    quotes_html,
    quotes_items,
    table_html,
)
from carejourneys.render.page_css import CSS  # noqa: F401 - re-exported: cj.report.CSS
from carejourneys.sdc import disclosure
from carejourneys.sdc import policy as policy_mod
from carejourneys.sdc.policy import Policy

#: local authority codes accepted by ``setup(..., any_la=True)`` (:data:`carejourneys.sites.LA_CODE`)
LA_CODE = sites.LA_CODE
@dataclass
class ReportContext:
    """The report's parameters and data, set by :func:`setup` and used by every later call.

    ``ds`` is the loaded Dataset, or None for a page of public statistics (``any_la`` with an LA
    code, then ``la_code`` holds the code as given). ``origin`` is synthetic, real or public.
    """

    site: str
    data_dir: str | None
    disclosure_threshold: int
    params: dict[str, Any] = field(default_factory=dict)
    ds: Any = None
    la_code: str | None = None
    origin: str = "synthetic"
    manifest_checksum: str | None = None
    data_date: str | None = None
    version: str = __version__
    #: decisions of disclosure control so far: table caption, row position, column, rule
    disclosure_log: list[dict] = field(default_factory=list)
    #: the same as rows of the disclosure log file (:func:`carejourneys.sdc.disclosure.log_records`)
    log_records: list[dict] = field(default_factory=list)
    #: the disclosure policy in force (the policy file, with this report's threshold)
    policy: Policy = field(default_factory=Policy)
    #: the sites whose tables are protected together with this page's (each site, and "all")
    linked: tuple[str, ...] = ()
    #: the dataset restricted to each linked site (filled on first use)
    view_datasets: dict[str, Any] = field(default_factory=dict, repr=False)
    #: protected tables already computed for this page, by their sources' names (a key finding and
    #: its table show the same protected numbers)
    protected_cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def public_only(self) -> bool:
        """True when the page uses public statistics only (no evaluation dataset is loaded)."""
        return self.ds is None

    @property
    def site_label(self) -> str:
        return sites.label(self.site)

    def parameters(self) -> dict[str, Any]:
        """The notebook parameters as shown in the banner and the index."""
        return {"site": self.site, "data_dir": self.data_dir,
                "disclosure_threshold": self.disclosure_threshold, **self.params}


_CONTEXT: ReportContext | None = None
#: protected tables by data checksum, policy, sites and sources (see :func:`protected_views`)
_SHARED: dict[tuple, Any] = {}


def current() -> ReportContext | None:
    """The context set by the last :func:`setup` (None before any)."""
    return _CONTEXT


def _load_dataset(data_dir: str | None, site: str) -> Any:
    from carejourneys.inputs.dataset import load_dataset

    return load_dataset(data_dir=data_dir, site=site)


def _view_dataset(ctx: ReportContext, site: str) -> Any:
    """The dataset restricted to ``site``, made from the dataset of all sites (read once)."""
    if site not in ctx.view_datasets:
        from carejourneys.inputs import dataset, schemas
        from carejourneys.inputs.loaders import tabular

        whole = ctx.view_datasets[sites.ALL]
        frames = {}
        for name, frame in whole.frames.items():
            source = schemas.SOURCES.get(name)
            if source is not None and source.site_column is not None:
                frames[name] = tabular.filter_site(frame, source, site)
            elif "site" in frame.columns:
                frames[name] = frame[frame["site"] == site].reset_index(drop=True)
            else:
                frames[name] = frame
        ctx.view_datasets[site] = dataset.Dataset(
            data_dir=whole.data_dir, site=site, sites=dataset.covered_sites(site), origin=whole.origin,
            manifest=whole.manifest, frames=frames, files=whole.files)
    return ctx.view_datasets[site]


def _data_date(manifest: Any) -> str | None:
    extra = getattr(manifest, "extra", None) or {}
    for key in ("data_date", "as_of", "date", "released", "snapshot"):
        value = extra.get(key)
        if value:
            return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


def setup(
    site: str = "plymouth",
    data_dir: str | None = None,
    disclosure_threshold: int = 5,
    *,
    any_la: bool = False,
    show: bool = True,
    publishes_all: bool = True,
    **params: Any,
) -> ReportContext:
    """Load the data for ``site``, remember the report context and show the data-origin banner.

    ``site``: a site key (``brent``, ``plymouth``) or ``all``; with ``any_la=True`` also any local
    authority code (old ``"330"`` or new ``"E08000025"`` form), in which case no dataset is loaded
    (``ctx.ds`` is None, ``ctx.la_code`` is the code) and the banner says the page shows public
    statistics only. Extra keyword ``params`` are shown in the banner. ``show=False`` skips display.

    Disclosure control is decided for the whole publication: every table of people is computed for
    each partnership site and, when the report has a page for all sites (``publishes_all``), for
    ``all`` too, and protected as one problem (see :func:`table`). The threshold comes from the
    policy file unless ``disclosure_threshold`` says otherwise.
    """
    global _CONTEXT
    if isinstance(disclosure_threshold, bool) or not isinstance(disclosure_threshold, numbers.Integral):
        raise TypeError(f"disclosure_threshold must be a whole number, not {disclosure_threshold!r}")
    if disclosure_threshold < 1:
        raise ValueError(f"disclosure_threshold must be 1 or more, not {disclosure_threshold}")
    if not isinstance(site, str):
        raise TypeError(f"site must be a string, not {site!r}")
    data_dir = None if data_dir is None else str(data_dir)
    ctx = ReportContext(site=site, data_dir=data_dir, disclosure_threshold=int(disclosure_threshold),
                        params=dict(params), policy=policy_mod.load(threshold=int(disclosure_threshold)))
    from carejourneys.inputs import dataset

    dataset.register_sites(data_dir)  # a dataset may declare sites of its own in its manifest
    is_site = site == sites.ALL or site in sites.keys()
    if any_la and not is_site:
        if not LA_CODE.match(site):
            raise ValueError(f"site {site!r} is neither a site ({', '.join([*sites.keys(), sites.ALL])}) "
                             "nor a local authority code like '330' or 'E08000025'")
        ctx.la_code = site
        ctx.origin = "public"
    else:
        if not is_site:
            sites.get(site)  # raises KeyError listing the valid keys
        ctx.linked = (*sites.keys(), *([sites.ALL] if publishes_all or site == sites.ALL else []))
        everything = _load_dataset(data_dir, sites.ALL)
        ctx.view_datasets = {sites.ALL: everything}
        ctx.ds = everything if site == sites.ALL else _view_dataset(ctx, site)
        ctx.origin = str(getattr(ctx.ds, "origin", "synthetic"))
        manifest = getattr(ctx.ds, "manifest", None)
        ctx.manifest_checksum = getattr(manifest, "checksum", None) or None
        ctx.data_date = _data_date(manifest)
        if any_la and site in sites.keys():
            ctx.la_code = sites.get(site).la_new_code
    _CONTEXT = ctx
    if show:
        _display(banner_html(ctx))
    return ctx


# --------------------------------------------------------------------------- logs beside the outputs


def output_dir() -> Path | None:
    """The report's private staging folder while the build runs it (``$CAREJOURNEYS_STAGE``, set by
    the build; never inside ``outputs/``), else None."""
    value = os.environ.get(config.ENV_STAGE)
    return Path(value) if value else None


def log_path(kind: str) -> Path | None:
    """Where a record that must never be published goes: ``<stage>/<report>.<kind>.csv``.

    None outside a build (interactive work writes no log). In a build the folder is the report's
    private staging folder; once the page is published the build moves its records to the
    private working folder (``logs/<site>/<report>.<kind>.csv``), never into ``outputs/``.
    """
    folder, name = output_dir(), os.environ.get(config.ENV_REPORT)
    if folder is None or not name or not re.fullmatch(r"[A-Za-z0-9_-]+", kind):
        return None
    return folder / f"{name}.{kind}.csv"


def _write_disclosure_log(ctx: ReportContext) -> None:
    """Rewrite ``<report>.disclosure.csv`` in the staging folder with every decision so far (in a build)."""
    path = log_path("disclosure")
    if path is not None:
        disclosure.write_log(path, ctx.log_records)


# --------------------------------------------------------------------------- rendering helpers


def _display(markup: str) -> None:
    from IPython.display import HTML, display  # a declared dependency; imported here to keep import fast

    display(HTML(markup))


def _threshold(threshold: int | None) -> int:
    if threshold is not None:
        return threshold
    return _CONTEXT.disclosure_threshold if _CONTEXT is not None else 5


#: a table function: the metric for one site's dataset (``lambda ds: metric(ds.source)``)
TableSource = Callable[[Any], pd.DataFrame]

#: attribute of a frame that came out of disclosure control for the whole publication
PROTECTED = disclosure.PROTECTED


def _views(ctx: ReportContext) -> dict[str, Any]:
    """The sites whose tables are protected with this page's: every site and ``all`` when a page for
    all sites is published (its cells are the sites' sums); else this site alone, since no page then
    adds one site's numbers to another's."""
    keys = ctx.linked if sites.ALL in ctx.linked else (ctx.site,)
    return {key: _view_dataset(ctx, key) for key in keys}


def protected_views(source: TableSource, *, threshold: int | None = None) -> dict[str, pd.DataFrame]:
    """``source`` computed for every linked site and protected as one problem: ``{site: table}``.

    Every page that shows this table computes the same problem from the same data, so every page
    withholds the same cells; a withheld cell cannot be worked out from the other sites' pages or
    from the page for all sites."""
    ctx = _CONTEXT
    if ctx is None or ctx.ds is None or not ctx.linked:
        raise RuntimeError("protected tables need a report context with a dataset: call cj.report.setup() "
                           "first (pages of public statistics show declared tables directly)")
    many = isinstance(source, list | tuple)
    if not all(callable(s) for s in (source if many else [source])):
        raise TypeError("give a function of the dataset (e.g. lambda ds: metric(ds.fieldwork)), so that the "
                        "table can be protected together with the other sites' pages")
    names = tuple(getattr(s, "__qualname__", "") + ":" + getattr(s, "__name__", "")
                  for s in (source if many else [source]))
    cache_key = (names, threshold, many)
    if cache_key in ctx.protected_cache and "<lambda>" not in "".join(names):
        return ctx.protected_cache[cache_key]
    views = _views(ctx)
    # the pages of one report for each site compute the same problem from the same data: a kept
    # kernel that builds several of them solves it once (keyed by the data's checksum and the policy)
    shared_key = (str(ctx.view_datasets[sites.ALL].data_dir), ctx.manifest_checksum, ctx.policy, threshold,
                  tuple(views), names, many)
    if ctx.manifest_checksum and "<lambda>" not in "".join(names) and shared_key in _SHARED:
        ctx.protected_cache[cache_key] = _SHARED[shared_key]
        return _SHARED[shared_key]
    frames = {key: ([s(ds) for s in source] if many else source(ds)) for key, ds in views.items()}
    policy = ctx.policy if threshold is None else policy_mod.Policy(
        threshold=threshold, show_zeros=ctx.policy.show_zeros, rounding=ctx.policy.rounding,
        withhold_row_statistics=ctx.policy.withhold_row_statistics)
    out = disclosure.protect_views(frames, threshold=policy.threshold, total=sites.ALL,
                                   show_zeros=policy.show_zeros, rounding=policy.rounding,
                                   withhold_row_statistics=policy.withhold_row_statistics)
    for value in out.values():
        for frame in (value if many else [value]):
            frame.attrs[PROTECTED] = True
    ctx.protected_cache[cache_key] = out
    if ctx.manifest_checksum and "<lambda>" not in "".join(names):
        if len(_SHARED) > 500:
            _SHARED.clear()
        _SHARED[shared_key] = out
    return out


def protected(
    source: TableSource | pd.DataFrame,
    *,
    counts: str | Iterable | None = None,
    percent_of: Mapping | str | None = None,
    threshold: int | None = None,
    **protect_kwargs: Any,
) -> pd.DataFrame:
    """The table as this page shows it, after disclosure control for the whole publication.

    ``source``: a function of a site's dataset returning a declared table (see
    :func:`carejourneys.sdc.disclosure.declare`) - the way every report calls it. A DataFrame is
    accepted when it counts nobody (declared with no counts), was derived from protected values, or,
    for interactive work outside a build, with explicit ``counts=`` (protected on its own)."""
    if isinstance(source, list | tuple) or (callable(source) and not isinstance(source, pd.DataFrame)):
        key = _CONTEXT.site if _CONTEXT is not None else sites.ALL
        return protected_views(source, threshold=threshold)[key]
    df = source
    if counts is not None or percent_of is not None or protect_kwargs:
        return disclosure.protect(df, counts=counts, threshold=_threshold(threshold), percent_of=percent_of,
                                  **protect_kwargs)
    decl = disclosure.declaration(df)
    if df.attrs.get(PROTECTED) or (decl is not None and not decl.people):
        return df
    if decl is not None and decl.standalone:
        policy = _CONTEXT.policy if _CONTEXT is not None else policy_mod.Policy()
        out = disclosure.protect_views({"": df}, threshold=_threshold(threshold), total=None,
                                       show_zeros=policy.show_zeros, rounding=policy.rounding,
                                       withhold_row_statistics=policy.withhold_row_statistics)[""]
        out.attrs[PROTECTED] = True
        return out
    if decl is None:
        raise disclosure.UndeclaredTable(
            "this table does not say which of its columns count people: return it from a metric that "
            "declares them (carejourneys.sdc.disclosure.declare), or pass a function of the dataset")
    raise disclosure.UndeclaredTable(
        "a table that counts people must be given as a function of the dataset (lambda ds: ...), so that "
        "it is protected together with the other sites' pages")


def _anonymised(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of a table through the anonymiser (names, places and services of the deny
    list, contact details, dates of birth): free text such as a rubric rationale reaches the page
    only as the anonymiser leaves it. Attributes (declaration, disclosure log) are kept."""
    from carejourneys.sdc import anonymise

    ctx = _CONTEXT
    whole = ctx.view_datasets.get(sites.ALL) if ctx is not None else None
    deny = getattr(whole, "deny_list", None) if whole is not None else None
    out = anonymise.anonymise_frame(df, deny)
    out.attrs.update(df.attrs)
    return out


def _declared_attr(markup: str, df: pd.DataFrame) -> str:
    decl = disclosure.declaration(df)
    people = (decl is not None and decl.people) or "data-cj-counts=" in markup
    return markup.replace("<table", f'<table data-cj-declared="{"people" if people else "none"}"', 1)


def _footnotes(safe: pd.DataFrame, footnotes: Iterable[str]) -> list[str]:
    notes = list(footnotes)
    if safe.attrs.get("zeros_withheld"):
        notes.insert(0, "In this table a c may also stand for 0: only so could its small counts be "
                        "protected.")
    return notes


def table(
    source: TableSource | pd.DataFrame,
    *,
    caption: str,
    counts: str | Iterable | None = None,
    percent_of: Mapping | str | None = None,
    decimals: int | Mapping[str, int] = 1,
    footnotes: Iterable[str] = (),
    index: bool | None = None,
    threshold: int | None = None,
    count_rows: Sequence[bool] | pd.Series | None = None,
    annex: bool = False,
    **protect_kwargs: Any,
) -> None:
    """Show a table after disclosure control for the whole publication.

    ``source``: a function of a site's dataset returning a table declared by its metric (``lambda ds:
    evidence.coverage(ds.fieldwork)``); see :func:`protected` for what else is accepted. ``annex``:
    show it in the technical annex style (collapsed). ``counts``/``percent_of``/``count_rows`` and
    other keywords of :func:`carejourneys.sdc.disclosure.protect` are for interactive use on a plain
    DataFrame only; reports rely on declarations.
    """
    if not caption:
        raise ValueError("every table needs a caption")
    t = _threshold(threshold)
    if count_rows is not None:
        protect_kwargs["count_rows"] = count_rows
    safe = protected(source, counts=counts, percent_of=percent_of, threshold=threshold, **protect_kwargs)
    decl = disclosure.declaration(safe)
    safe = without_hidden(safe)
    shown_counts = _count_list(counts) if counts is not None else (
        [c for c in decl.counts if c in safe.columns] if decl is not None and decl.people else None)
    _record(safe, caption, source if isinstance(source, pd.DataFrame) else None)
    if count_rows is None:
        count_rows = safe.attrs.get("people_rows")
    safe = _anonymised(safe)
    markup = table_html(safe, caption=caption, decimals=decimals, footnotes=_footnotes(safe, footnotes),
                        index=index, threshold=t, counts=shown_counts, count_rows=count_rows)
    markup = _declared_attr(markup, safe)
    _display(_in_annex(markup, caption) if annex else markup)


def without_hidden(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns that only take part in protection (names starting with ``_``,
    such as the rows-counting-people flag or counts a table is computed from but does not show)."""
    hidden = [c for c in frame.columns if str(c).startswith("_")]
    if not hidden:
        return frame
    out = frame.drop(columns=hidden)
    out.attrs.update(frame.attrs)
    return out


def _in_annex(markup: str, summary: str) -> str:
    return annex_html(summary, markup)


def chart(
    source: TableSource | pd.DataFrame,
    plot: Callable[[pd.DataFrame], Any],
    *,
    alt: str,
    caption: str,
    decimals: int | Mapping[str, int] = 1,
    index: bool | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Draw ``plot`` from the protected table of ``source`` and show the numbers beside it
    (``columns``: the columns of the table to show there, default all).

    The chart never sees a withheld value: cells shown as ``c`` reach ``plot`` as missing (NaN), so a
    chart cannot show what its table hides. The table follows in a collapsed "Numbers behind this
    chart" section."""
    safe = protected(source)
    fig = plot(numeric(safe))
    decl = disclosure.declaration(safe)
    shown = without_hidden(safe)
    if columns is not None:
        shown = shown[[c for c in columns if c in shown.columns]]
    shown = _anonymised(shown)
    numbers_html = _declared_attr(table_html(shown, caption=f"Numbers behind the chart: {caption}",
                                             decimals=decimals, index=index, threshold=_threshold(None),
                                             counts=[c for c in decl.counts if c in shown.columns]
                                             if decl and decl.people else None),
                                  shown)
    _display(figure_html(fig, alt=alt, caption=caption, data_html=numbers_html))


def collected(source: str) -> bool:
    """Whether this page's site collected ``source`` (its dataset has rows of it)."""
    ctx = _CONTEXT
    return ctx is not None and ctx.ds is not None and len(getattr(ctx.ds, source)) > 0


def sites_with(source: str) -> list[str]:
    """The partnership sites whose data hold ``source``."""
    ctx = _CONTEXT
    if ctx is None or ctx.ds is None:
        return []
    return [key for key in sites.keys() if len(getattr(_view_dataset(ctx, key), source)) > 0]


def sources_here(names: Mapping[str, str]) -> None:
    """Say in plain words which of the sources ``names`` (``{"pa_survey": "ratings by Personal
    Advisers", ...}``) this page's site collected, and where the others were collected, so that an
    introduction describes the evidence the site has."""
    from carejourneys.render.html import _and

    have = [label for src, label in names.items() if collected(src)]
    text = (f"The evidence on this page: {_and(have)}." if have else
            "This site collected none of the sources this page reports.")
    others = [src for src in names if not collected(src)]
    if others:
        from carejourneys.render.html import not_collected_sentence

        text += " " + " ".join(not_collected_sentence(src, sites_with(src)) for src in others)
    note(text)


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every withheld cell (``c``) as NaN, for charts drawn from protected values."""
    out = frame.copy()
    for c in out.columns:
        values = list(out[c])
        if any(isinstance(v, str) and v == disclosure.SUPPRESSED for v in values):
            cleaned = [float("nan") if isinstance(v, str) and v == disclosure.SUPPRESSED else v
                       for v in values]
            out[c] = pd.to_numeric(pd.Series(cleaned, index=out.index, dtype=object), errors="coerce")
    return out


def _count_list(counts: str | Iterable | None) -> list | None:
    return None if counts is None else ([counts] if isinstance(counts, str | tuple) else list(counts))


#: the rule logged for a cell that was already ``c`` when the table reached cj.report
UPSTREAM_RULE = "withheld before display (by the metric)"


def _note_upstream(df: pd.DataFrame, safe: pd.DataFrame) -> None:
    """Log cells that arrived already withheld (a metric that suppresses itself), so every ``c``
    on the page has a line in the disclosure log."""
    logged = {(d.get("row"), d.get("column")) for d in safe.attrs.get("disclosure", [])}
    extra = [{"row": i, "column": col, "rule": UPSTREAM_RULE}
             for j, col in enumerate(df.columns)
             for i, v in enumerate(df.iloc[:, j])
             if isinstance(v, str) and v == disclosure.SUPPRESSED and (i, col) not in logged]
    if extra:
        safe.attrs["disclosure"] = [*safe.attrs.get("disclosure", []), *extra]


def _record(safe: pd.DataFrame, caption: str, source: pd.DataFrame | None = None) -> None:
    """Add a protected table's disclosure decisions to the context and rewrite the log (in a build).

    ``source``: the table as given; cells that were already ``c`` in it are logged too."""
    if source is not None:
        _note_upstream(source, safe)
    if _CONTEXT is None:
        return
    _CONTEXT.disclosure_log += [{"table": caption, **{k: d.get(k) for k in ("row", "column", "rule")}}
                                for d in safe.attrs.get("disclosure", [])]
    records = getattr(disclosure, "log_records", None)
    if records is not None:
        _CONTEXT.log_records += records(safe, caption, os.environ.get("CAREJOURNEYS_REPORT", ""))
    _write_disclosure_log(_CONTEXT)


def _per_table(value: Any, n: int, name: str, *, nested: bool) -> list:
    """``value`` given once for every table, or as a list with one entry per table."""
    if isinstance(value, list) and len(value) == n and (
            not nested or all(v is None or isinstance(v, list | tuple | Mapping) for v in value)):
        return list(value)
    if isinstance(value, list) and nested and value and all(isinstance(v, list) for v in value):
        raise ValueError(f"{name}: {len(value)} entries for {n} tables")
    return [value] * n


def protected_together(
    frames: Sequence[pd.DataFrame],
    *,
    counts: Any = None,
    percent_of: Any = None,
    threshold: int | None = None,
    count_rows: Sequence | None = None,
    **protect_kwargs: Any,
) -> list[pd.DataFrame]:
    """``frames`` after disclosure control as one problem (what :func:`tables` shows)."""
    return disclosure.protect_together(list(frames), counts=counts, threshold=_threshold(threshold),
                                       percent_of=percent_of, count_rows=count_rows, **protect_kwargs)


def tables(
    frames: Sequence[pd.DataFrame],
    *,
    captions: Sequence[str],
    counts: Any = None,
    percent_of: Any = None,
    decimals: Any = 1,
    footnotes: Any = (),
    index: Any = None,
    threshold: int | None = None,
    count_rows: Sequence | None = None,
    **protect_kwargs: Any,
) -> None:
    """Show tables that are published together (a table and its breakdown), protected together.

    Protecting each table on its own is not enough when they share numbers: a count suppressed
    in the breakdown could be worked out from the totals in the other table. Here the tables are
    one problem for :func:`carejourneys.sdc.disclosure.protect_together` (a cell with the same row
    label, column label and value in two tables is the same number), so no suppressed cell can be
    recovered from anything shown in any of them.

    ``captions``: one per table. ``counts``, ``percent_of``, ``decimals``, ``footnotes``, ``index``
    and ``count_rows``: one value for every table, or a list with one entry per table (as in
    :func:`table`). Other keywords (``secondary``, ``rounding``, ``suppress_zeros``) apply to all.
    """
    frames = list(frames)
    captions = list(captions)
    n = len(frames)
    if n == 0:
        raise ValueError("tables() needs at least one table")
    if all(callable(f) and not isinstance(f, pd.DataFrame) for f in frames) and counts is None:
        if len(captions) != n or not all(captions):
            raise ValueError(f"every table needs a caption: {n} tables, captions {captions!r}")
        key = _CONTEXT.site if _CONTEXT is not None else sites.ALL
        shown = protected_views(frames, threshold=threshold)[key]
        per_notes = (list(footnotes) if isinstance(footnotes, list) and len(footnotes) == n
                     and all(isinstance(f, list | tuple) for f in footnotes) else [footnotes] * n)
        for i, safe in enumerate(shown):
            decl = disclosure.declaration(safe)
            safe = _anonymised(without_hidden(safe))
            _record(safe, captions[i])
            markup = table_html(safe, caption=captions[i], decimals=decimals if not isinstance(decimals, list)
                                else decimals[i], footnotes=_footnotes(safe, per_notes[i]),
                                index=index if not isinstance(index, list) else index[i],
                                threshold=_threshold(threshold),
                                counts=[c for c in decl.counts if c in safe.columns]
                                if decl is not None and decl.people else None,
                                count_rows=safe.attrs.get("people_rows"))
            _display(_declared_attr(markup, safe))
        return
    if len(captions) != n or not all(captions):
        raise ValueError(f"every table needs a caption: {n} tables, captions {captions!r}")
    t = _threshold(threshold)
    per_counts = [_count_list(c) for c in _per_table(counts, n, "counts", nested=True)]
    per_pct = _per_table(percent_of, n, "percent_of", nested=True)
    per_rows = (list(count_rows) if count_rows is not None and len(count_rows) == n
                and not isinstance(count_rows, pd.Series)
                and all(r is None or not isinstance(r, bool) for r in count_rows) else None)
    if count_rows is not None and per_rows is None:
        raise ValueError("count_rows: give one entry (a boolean per row, or None) per table")
    safe = protected_together(frames, counts=per_counts, percent_of=per_pct, threshold=t,
                              count_rows=per_rows, **protect_kwargs)
    per_dec = _per_table(decimals, n, "decimals", nested=False)
    per_notes = (list(footnotes) if isinstance(footnotes, list) and len(footnotes) == n
                 and all(isinstance(f, list | tuple) for f in footnotes) else [footnotes] * n)
    per_index = _per_table(index, n, "index", nested=False)
    for i in range(n):
        _record(safe[i], captions[i], frames[i])
        _display(table_html(safe[i], caption=captions[i], decimals=per_dec[i], footnotes=per_notes[i],
                            index=per_index[i], threshold=t, counts=_count_list(per_counts[i]),
                            count_rows=None if per_rows is None else per_rows[i]))


def key_figures_html(values: Mapping[str, Any], *, people: bool = True, threshold: int | None = None) -> str:
    """Headline numbers as cards; counts of people below the threshold are shown as ``c``."""
    t = _threshold(threshold)
    items = []
    for label, v in values.items():
        text, _ = format_value(v, 0)
        if people and isinstance(v, numbers.Real) and 0 < float(v) < t:
            text = disclosure.SUPPRESSED
        items.append(f'<li><span class="cj-value">{_esc(text)}</span>{_esc(label)}</li>')
    return f'<ul class="cj-keyfigures">{"".join(items)}</ul>'


def key_figures(values: Mapping[str, Any], *, people: bool = True, threshold: int | None = None) -> None:
    """Show headline numbers (``{"young people interviewed": 45, ...}``) with disclosure control."""
    _display(key_figures_html(values, people=people, threshold=threshold))


# --------------------------------------------------------------------------- figures


def figure(fig: Any, *, alt: str, data: pd.DataFrame, caption: str | None = None, dpi: int = 110) -> None:
    """Show a matplotlib/seaborn figure as a PNG with alt text, then close it, with its numbers.

    ``data``: the table the figure was drawn from, declared as counting nobody (dates, ratings,
    published statistics) or already protected; its numbers follow the figure in a collapsed
    section. A chart of people is drawn with :func:`chart`, which protects its table first."""
    decl = disclosure.declaration(data) if isinstance(data, pd.DataFrame) else None
    if not isinstance(data, pd.DataFrame) or not (data.attrs.get(PROTECTED) or (decl is not None
                                                                               and not decl.people)):
        import matplotlib.pyplot as plt

        plt.close(_figure_of(fig))
        raise disclosure.UndeclaredTable(
            "figure() needs data=, the table it was drawn from, declared as counting nobody; draw charts "
            "of people with cj.report.chart(source, plot), which protects the numbers first")
    numbers_html = _declared_attr(table_html(data, caption=f"Numbers behind the chart: {caption or alt}",
                                             threshold=_threshold(None)), data)
    _display(figure_html(fig, alt=alt, caption=caption, dpi=dpi, data_html=numbers_html))


# --------------------------------------------------------------------------- text


def note(text: str) -> None:
    """Show a short paragraph of plain text (escaped: no markup)."""
    _display(note_html(text))


def answer(item: Any) -> None:
    """Show the computed answer to a section's question: a key-findings item (``{"text": ...}``) from
    :mod:`carejourneys.render.findings`, or nothing when there is none (e.g. no source large enough)."""
    from carejourneys.render.html import answer_html

    if item:
        _display(answer_html(str(item["text"]) if isinstance(item, dict) else str(item)))


def caveat(text: str) -> None:
    """Show a caveat the reader should keep in mind (small samples, coverage gaps, ...)."""
    _display(caveat_html(text))


# --------------------------------------------------------------------------- quotes


def quotes(*args: Any, caption: str | None = None, **kwargs: Any) -> None:
    """Show illustrative excerpts chosen by :func:`carejourneys.sdc.quotes.select_quotes`.

    Arguments go to ``select_quotes`` (``theme``, ``n``, ``valence``, ``roles``, ...). When no
    segments frame is given first and a dataset is loaded, the context supplies the segments
    (``ds.coded_segments``), the ``site`` and the ``deny`` list (``ds.deny_list``). The quotes'
    anonymisation log is appended beside the page during a build, never shown.
    """
    import importlib

    quotes_module = importlib.import_module("carejourneys.sdc.quotes")
    ds = _CONTEXT.ds if _CONTEXT is not None else None
    if (not args or not isinstance(args[0], pd.DataFrame)) and "segments" not in kwargs and ds is not None:
        args = (ds.coded_segments, *args)
        kwargs.setdefault("site", _CONTEXT.site)
        deny = getattr(ds, "deny_list", None)
        if deny is not None:
            kwargs.setdefault("deny", deny)
    selection = quotes_module.select_quotes(*args, **kwargs)
    path = log_path("quotes")
    append = getattr(quotes_module, "append_quotes_log", None)
    if path is not None and append is not None and isinstance(selection, tuple):
        theme = kwargs.get("theme", args[1] if len(args) > 1 else "")
        append(selection, path, context=f"{os.environ.get('CAREJOURNEYS_REPORT', '')}: {theme}")
    _display(quotes_html(selection, caption=caption))


# --- page furniture
# The parts of a page around its tables and figures (owned by the page design, issue 14):
# key findings, collapsed sections, sources a site did not collect, "About this page".


def key_findings(items: Iterable[Any], *, threshold: int | None = None) -> None:
    """Show the "Key findings" box: three to six sentences, each with the n it rests on.

    ``items``: ``{"text": "...", "n": 15, "unit": "young people"}`` mappings (or objects with
    those attributes, or ``(text, n)`` tuples), computed from protected tables. An n below the
    disclosure threshold (or ``c``) is shown only as "fewer than <threshold>".
    """
    from carejourneys.render.html import key_findings_html

    _display(key_findings_html(list(items), threshold=_threshold(threshold)))


def annex(summary: str, inner_html: str) -> None:
    """Show ``inner_html`` (e.g. a table's HTML) collapsed under ``summary``, for the technical annex."""
    from carejourneys.render.html import annex_html

    _display(annex_html(summary, inner_html))


def not_collected(source: str, sites_with_it: Iterable[str]) -> None:
    """Say in one sentence that this site did not collect ``source`` (instead of an empty table or
    chart): ``cj.report.not_collected("pa_survey", ["brent"])`` shows "The Personal Adviser survey
    was run in Brent only."."""
    from carejourneys.render.html import not_collected_html

    _display(not_collected_html(source, sites_with_it))


def about_page() -> None:
    """Show "About this page" (data origin and date, version, parameters, checksum, disclosure policy).

    :func:`setup` shows it already under the banner; a published page carries it in its footer."""
    from carejourneys.render.html import about_html

    if _CONTEXT is None:
        raise RuntimeError("about_page() needs cj.report.setup(...) first")
    _display(about_html(_CONTEXT))
