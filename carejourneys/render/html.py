"""HTML fragments of a report page: tables, figures, notes, caveats, quotes and the data-origin banner.

Pure functions from values to markup (escaped, accessible, with no script and nothing fetched from
elsewhere). :mod:`carejourneys.render.report` applies disclosure control and then calls these.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from carejourneys.render.page_css import CSS
from carejourneys.sdc import disclosure

#: shown in place of a missing value
MISSING = "–"
#: the one row of a table that has none
EMPTY_TABLE = "No figures to show here."

ORIGIN_TEXT = {
    "synthetic": ("Synthetic data",
                  "Every figure on this page is computed from the synthetic replica shipped with the "
                  "carejourneys package. It imitates the evaluation's files; it describes no real person."),
    "real": ("Evaluation data",
             "Computed from the evaluation's own data. Counts of fewer people than the disclosure "
             "threshold are shown as c."),
    "public": ("Public statistics only",
               "This page shows published official statistics only; no evaluation data is used."),
}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _format_param(value: Any) -> str:
    return repr(value)


def banner_html(ctx: Any) -> str:
    """The data-origin banner for ``ctx`` (with the page's CSS)."""
    title, text = ORIGIN_TEXT.get(ctx.origin, (ctx.origin.title(), ""))
    params = ", ".join(f"{k}={_format_param(v)}" for k, v in ctx.parameters().items())
    items = [("Site", ctx.site_label), ("Parameters", params), ("carejourneys", ctx.version)]
    if ctx.public_only:
        items.append(("Data", "public statistics (see the sources below)"))
    else:
        items.append(("Data manifest sha256", ctx.manifest_checksum or "not available"))
        items.append(("Data date", ctx.data_date or "not stated in the manifest"))
    rows = "".join(f"<div><dt>{_esc(k)}:</dt><dd>{_esc(v)}</dd></div>" for k, v in items)
    return (f"<style>{CSS}</style>"
            f'<section class="cj-banner" data-origin="{_esc(ctx.origin)}" data-site="{_esc(ctx.site)}" '
            f'role="note" aria-label="About the data">'
            f'<strong class="cj-origin">{_esc(title)}</strong><span>{_esc(text)}</span>'
            f"<dl>{rows}</dl></section>")


def format_value(value: Any, decimals: int = 1) -> tuple[str, bool]:
    """A cell as text, and whether it is numeric (right-aligned)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING, False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}", True
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return MISSING, False
        if v.is_integer() and decimals == 0:
            return f"{int(v):,}", True
        return f"{v:,.{decimals}f}", True
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return (ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ")), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, pd.Period):
        return str(value), False
    if value == disclosure.SUPPRESSED:
        return disclosure.SUPPRESSED, True
    return str(value), False


def _label(label: Any) -> str:
    if isinstance(label, tuple):
        return " · ".join(str(part) for part in label if str(part) != "")
    return str(label)


def _numeric_column(s: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return True
    values = [v for v in s if not (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)))]
    return bool(values) and all(
        v == disclosure.SUPPRESSED or (isinstance(v, numbers.Real) and not isinstance(v, bool))
        for v in values)


def _show_index(df: pd.DataFrame) -> bool:
    idx = df.index
    if isinstance(idx, pd.MultiIndex) or any(n is not None for n in idx.names):
        return True
    return not (isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1)


def table_html(
    df: pd.DataFrame,
    *,
    caption: str,
    decimals: int | Mapping[str, int] = 1,
    footnotes: Iterable[str] = (),
    index: bool | None = None,
    threshold: int | None = None,
    counts: Iterable | None = None,
    count_rows: Sequence[bool] | pd.Series | None = None,
) -> str:
    """Render an already protected table as accessible, phone-readable HTML (no disclosure applied).

    ``counts``/``count_rows`` only mark the table for the output checker
    (:mod:`carejourneys.sdc.checker`): ``data-cj-counts`` lists the headers of the columns counting
    people and ``data-cj-threshold`` the threshold; rows that count events carry ``data-cj-events``.
    """
    show_index = _show_index(df) if index is None else index
    index_names = [n if n is not None else "" for n in df.index.names] if show_index else []
    head = "".join(f'<th scope="col">{_esc(_label(n))}</th>' for n in index_names)
    numeric_cols = {c: _numeric_column(df[c]) for c in df.columns}
    num_attr = ' class="num"'
    head += "".join(f'<th scope="col"{num_attr if numeric_cols[c] else ""}>{_esc(_label(c))}</th>'
                    for c in df.columns)
    body = []
    has_suppressed = False
    people = [True] * len(df) if count_rows is None else [bool(v) for v in list(count_rows)]
    for i, (label, row) in enumerate(zip(df.index, df.itertuples(index=False, name=None), strict=True)):
        labels = label if isinstance(label, tuple) else (label,)
        attrs = ' class="cj-total"' if disclosure._is_total(label) else ""
        if counts is not None and not people[i]:
            attrs += " data-cj-events"
        cells = "".join(f'<th scope="row">{_esc(format_value(v, 0)[0])}</th>' for v in labels) \
            if show_index else ""
        for col, v in zip(df.columns, row, strict=True):
            d = decimals.get(col, 1) if isinstance(decimals, Mapping) else decimals
            text, is_num = format_value(v, d)
            if text == disclosure.SUPPRESSED:
                has_suppressed = True
            if is_num:
                cells += f'<td class="num">{_esc(text)}</td>'
            elif isinstance(v, dt.date | pd.Timestamp):
                cells += f'<td class="date">{_esc(text)}</td>'
            else:
                cells += f"<td>{_esc(text)}</td>"
        body.append(f"<tr{attrs}>{cells}</tr>")
    if not body:  # say so, rather than show a header over nothing
        width = max(1, len(index_names) + len(df.columns))
        body.append(f'<tr><td colspan="{width}" class="cj-empty">{_esc(EMPTY_TABLE)}</td></tr>')
    notes = list(footnotes)
    if has_suppressed:
        who = f"fewer than {threshold} people" if threshold else "too few people"
        notes.insert(0, f"c: withheld to protect privacy ({who}, or hidden so that a small number "
                        "cannot be worked out from the others).")
    foot = "".join(f'<p class="cj-footnote">{_esc(n)}</p>' for n in notes)
    flags = ""
    if counts is not None:
        shown = json.dumps([_label(c) for c in counts], ensure_ascii=False)
        flags = f' data-cj-counts="{_esc(shown)}" data-cj-threshold="{_esc(threshold or 5)}"'
    return (f'<div class="cj-table"><table{flags}><caption>{_esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</div>")


def _figure_of(fig: Any) -> Any:
    for attr in ("figure", "fig"):  # seaborn grids and Axes
        inner = getattr(fig, attr, None)
        if inner is not None and hasattr(inner, "savefig"):
            return inner
    if hasattr(fig, "savefig"):
        return fig
    get = getattr(fig, "get_figure", None)
    if get is not None:
        return get()
    raise TypeError(f"figure() needs a matplotlib Figure, Axes or seaborn grid, not {type(fig).__name__}")


def png_bytes(fig: Any, *, dpi: int = 110, close: bool = True) -> bytes:
    """The figure as PNG bytes, identical for identical figures (no software or date metadata)."""
    import matplotlib.pyplot as plt

    figure = _figure_of(fig)
    buf = io.BytesIO()
    try:
        figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    finally:
        if close:
            plt.close(figure)
    return buf.getvalue()


def figure_html(fig: Any, *, alt: str, caption: str | None = None, dpi: int = 110) -> str:
    """A figure as an ``<img>`` with its PNG inline (the page needs nothing from elsewhere)."""
    if not alt or not str(alt).strip():
        raise ValueError("every figure needs alt text describing what it shows")
    data = base64.b64encode(png_bytes(fig, dpi=dpi)).decode("ascii")
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    return (f'<figure class="cj-figure"><img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'
            f"{cap}</figure>")


def note_html(text: str) -> str:
    return f'<p class="cj-note">{_esc(text)}</p>'


def caveat_html(text: str) -> str:
    return f'<aside class="cj-caveat" role="note"><strong>Caveat:</strong> {_esc(text)}</aside>'


def _get(item: Any, *names: str) -> Any:
    for n in names:
        if isinstance(item, Mapping) and n in item:
            return item[n]
        if hasattr(item, n):
            return getattr(item, n)
    return None


def quotes_html(selected: Any, *, caption: str | None = None) -> str:
    """Render quotes (a DataFrame or a list of mappings/objects with text and attribution or role)."""
    if isinstance(selected, tuple) and selected and isinstance(selected[0], pd.DataFrame | list):
        selected = selected[0]  # (quotes, replacement log): the log is never shown
    items = quotes_items(selected)
    parts = [f'<p class="cj-note"><strong>{_esc(caption)}</strong></p>'] if caption else []
    for item in items:
        text = _get(item, "text", "quote", "excerpt")
        who = _get(item, "attribution", "role")
        if text is None:
            continue
        foot = f"<footer>— {_esc(who)}</footer>" if who else ""
        parts.append(f'<blockquote class="cj-quote"><p>{_esc(text)}</p>{foot}</blockquote>')
    if not items:
        parts.append(note_html("No excerpt is available for this theme."))
    return "".join(parts)


def quotes_items(selected: Any) -> list[Any]:
    if isinstance(selected, pd.DataFrame):
        return selected.to_dict("records")
    return list(selected or [])
