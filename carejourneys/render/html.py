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
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from carejourneys.render.page_css import CSS
from carejourneys.sdc import disclosure

#: shown in place of a missing value
MISSING = "–"
#: the one row of a table that has none
EMPTY_TABLE = "No figures to show here."
#: tables with more columns than this show one card per row on a phone (main text; annex tables scroll)
STACK_COLUMNS = 3
#: tables with more columns than this are printed on a landscape page
WIDE_COLUMNS = 8
#: a text column with a value longer than this keeps a readable width
LONG_TEXT = 40

#: the short banner at the top of a page: (heading, sentence) for each data origin
ORIGIN_TEXT = {
    "synthetic": ("Synthetic data",
                  "Every figure on this page is computed from made-up records that imitate the evaluation's "
                  "files. It describes no real person."),
    "real": ("Evaluation data",
             "Computed from the evaluation's own data, with small counts withheld (shown as c)."),
    "public": ("Official statistics",
               "This page uses published official statistics only; no evaluation data."),
}
#: 04-style pages of a partnership site: official statistics beside the evaluation's own records
MIXED_TEXT = {
    "synthetic": ("Official statistics and synthetic data",
                  "The published figures are real official statistics; the council's own returns and survey "
                  "figures are made up, to show how the page works. They describe no real person."),
    "real": ("Official statistics and evaluation data",
             "Published official statistics, beside figures computed from the evaluation's own data "
             "(small counts withheld, shown as c)."),
}
#: how a page names where its evaluation data came from (never a path)
DATA_WORDS = {"bundled": "bundled synthetic data", "private": "a private data folder",
              "none": "none (published statistics only)"}


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _origin_words(ctx: Any) -> tuple[str, str]:
    if getattr(ctx, "la_code", None) and not ctx.public_only and ctx.origin in MIXED_TEXT:
        return MIXED_TEXT[ctx.origin]
    return ORIGIN_TEXT.get(ctx.origin, (str(ctx.origin).title(), ""))


def data_source_words(ctx: Any) -> str:
    """Where the page's evaluation data came from, in words: never the folder's path."""
    if ctx.public_only:
        return DATA_WORDS["none"]
    ds = getattr(ctx, "ds", None)
    folder = getattr(ds, "data_dir", None) if ds is not None else None
    try:
        from carejourneys import config

        bundled = config.bundled_data_dir().resolve()
        where = Path(folder).resolve() if folder is not None else (
            config.data_dir(ctx.data_dir).resolve())
        return DATA_WORDS["bundled" if where == bundled else "private"]
    except (OSError, TypeError, ValueError):
        return DATA_WORDS["private" if ctx.data_dir else "bundled"]


def _looks_like_path(value: Any) -> bool:
    return isinstance(value, str | os.PathLike) and bool(re.search(r"[/\\]|^~|^[A-Za-z]:", str(value)))


def parameters_words(ctx: Any) -> str:
    """The report's parameters by name, for readers: the data folder in words, no path anywhere."""
    parts = []
    for name, value in ctx.parameters().items():
        if name == "data_dir":
            parts.append(f"data: {data_source_words(ctx)}")
            continue
        label = str(name).replace("_", " ")
        shown = "(a folder, not shown)" if _looks_like_path(value) else value
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def _origin_sentence(ctx: Any) -> str:
    words = {"synthetic": "the synthetic replica shipped with carejourneys (made-up records in the "
                          "evaluation's file formats)",
             "real": "the evaluation's own data",
             "public": "published official statistics (Department for Education and Ofsted, Open "
                       "Government Licence v3.0)"}
    text = words.get(ctx.origin, str(ctx.origin))
    if getattr(ctx, "la_code", None) and not ctx.public_only:
        text = f"published official statistics, and {text}"
    return text[0].upper() + text[1:]


def about_items(ctx: Any) -> list[tuple[str, str]]:
    """What "About this page" says: (term, description) pairs, no path, no build state."""
    items = [("Site", ctx.site_label), ("Data", _origin_sentence(ctx))]
    if not ctx.public_only:
        items.append(("Data date", ctx.data_date or "not stated in the data's manifest"))
        items.append(("Data manifest sha256", ctx.manifest_checksum or "not available"))
    items.append(("carejourneys version", ctx.version))
    items.append(("Parameters", parameters_words(ctx)))
    policy = getattr(ctx, "policy", None)
    describe = getattr(policy, "describe", None)
    if ctx.public_only:
        items.append(("Disclosure control", "None needed: every figure is already published."))
    elif describe is not None:
        items.append(("Disclosure control", describe()))
    else:
        items.append(("Disclosure control",
                      f"Counts of fewer than {ctx.disclosure_threshold} people are withheld and shown as c, "
                      "with other cells withheld where a withheld count could be worked out."))
    return items


def about_list_html(items: Iterable[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in items)
    return f'<dl class="cj-about-list">{rows}</dl>'


def about_html(ctx: Any) -> str:
    """"About this page" as a collapsed section (in a notebook, under the banner); the page export
    moves it to the page's footer (:func:`carejourneys.publish.html.report_page`)."""
    return (f'<details class="cj-about" data-cj-about><summary>About this page</summary>'
            f"{about_list_html(about_items(ctx))}</details>")


def banner_html(ctx: Any) -> str:
    """The short data-origin banner for ``ctx`` (with the style sheet), then "About this page"."""
    title, text = _origin_words(ctx)
    return (f"<style>{CSS}</style>"
            f'<section class="cj-banner" data-origin="{_esc(ctx.origin)}" data-site="{_esc(ctx.site)}" '
            f'aria-label="Where the data come from">'
            f'<strong class="cj-origin">{_esc(title)}.</strong> <span>{_esc(text)}</span></section>'
            + about_html(ctx))


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
    text_cols = {c: not numeric_cols[c] and _long_text(df[c]) for c in df.columns}
    col_labels = {c: _esc(_label(c)) for c in df.columns}
    num_attr = ' class="num"'
    head += "".join(f'<th scope="col"{num_attr if numeric_cols[c] else ""}>{_esc(_label(c))}</th>'
                    for c in df.columns)
    body = []
    has_suppressed = False
    # without an index shown, a first column of labels heads its rows (two columns or more)
    row_headers = not show_index and len(df.columns) >= 2 and not numeric_cols[df.columns[0]]
    people = [True] * len(df) if count_rows is None else [bool(v) for v in list(count_rows)]
    for i, (label, row) in enumerate(zip(df.index, df.itertuples(index=False, name=None), strict=True)):
        labels = label if isinstance(label, tuple) else (label,)
        attrs = ' class="cj-total"' if disclosure._is_total(label) else ""
        if counts is not None and not people[i]:
            attrs += " data-cj-events"
        cells = "".join(f'<th scope="row">{_esc(format_value(v, 0)[0])}</th>' for v in labels) \
            if show_index else ""
        for j, (col, v) in enumerate(zip(df.columns, row, strict=True)):
            d = decimals.get(col, 1) if isinstance(decimals, Mapping) else decimals
            text, is_num = format_value(v, d)
            if text == disclosure.SUPPRESSED:
                has_suppressed = True
            label_attr = f' data-label="{col_labels[col]}"'
            if j == 0 and row_headers:  # the first column names the row
                cells += f'<th scope="row"{label_attr}>{_esc(text)}</th>'
            elif is_num:
                cells += f'<td class="num"{label_attr}>{_esc(text)}</td>'
            elif isinstance(v, dt.date | pd.Timestamp):
                cells += f'<td class="date"{label_attr}>{_esc(text)}</td>'
            elif text_cols[col]:
                cells += f'<td class="cj-text"{label_attr}>{_esc(text)}</td>'
            else:
                cells += f"<td{label_attr}>{_esc(text)}</td>"
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
    width = len(index_names) + len(df.columns)
    stack = (" cj-stack" if width > STACK_COLUMNS else "") + (" cj-wide" if width > WIDE_COLUMNS else "")
    return (f'<div class="cj-table{stack}" role="region" tabindex="0" aria-label="{_esc(caption)}">'
            f"<table{flags}><caption>{_esc(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</div>")


def _long_text(s: pd.Series) -> bool:
    """A column of sentences (kept wide enough to read when the table wraps)."""
    return any(isinstance(v, str) and len(v) > LONG_TEXT for v in s)


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


def figure_html(fig: Any, *, alt: str, caption: str | None = None, dpi: int = 110,
                data_html: str | None = None) -> str:
    """A figure as an ``<img>`` with its PNG inline (the page needs nothing from elsewhere).

    ``data_html``: the numbers behind the chart (a table's HTML), shown under it in a collapsed
    "Numbers behind this chart" section, so that nothing is told by the picture alone.
    """
    if not alt or not str(alt).strip():
        raise ValueError("every figure needs alt text describing what it shows")
    data = base64.b64encode(png_bytes(fig, dpi=dpi)).decode("ascii")
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    numbers_part = annex_html(NUMBERS_SUMMARY, data_html, kind="numbers") if data_html else ""
    return (f'<figure class="cj-figure">{cap}<img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'
            f"{numbers_part}</figure>")


#: the summary of the collapsed table beside every chart
NUMBERS_SUMMARY = "Numbers behind this chart"


def annex_html(summary: str, inner_html: str, *, kind: str = "annex") -> str:
    """``inner_html`` in a collapsed section (``<details>``: opens without JavaScript, and opens by
    itself when printed). ``kind``: ``annex`` (technical annex) or ``numbers`` (beside a chart)."""
    if not summary or not str(summary).strip():
        raise ValueError("a collapsed section needs a summary saying what it holds")
    if kind not in ("annex", "numbers"):
        raise ValueError(f"kind must be 'annex' or 'numbers', not {kind!r}")
    return (f'<details class="cj-{kind}"><summary>{_esc(summary)}</summary>'
            f'<div class="cj-{kind}-body">{inner_html}</div></details>')


def note_html(text: str) -> str:
    return f'<p class="cj-note">{_esc(text)}</p>'


def answer_html(text: str) -> str:
    """The computed answer to a section's question, set apart from the text around it."""
    return f'<p class="cj-answer"><strong>In short:</strong> {_esc(text)}</p>'


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


# --------------------------------------------------------------------------- page furniture

#: the heading of the key-findings box
KEY_FINDINGS = "Key findings"


def finding_parts(item: Any) -> tuple[str, Any, str | None]:
    """``(text, n, unit)`` of a key finding given as a mapping, an object or a ``(text, n[, unit])`` tuple."""
    if isinstance(item, tuple | list):
        if len(item) not in (2, 3):
            raise ValueError(f"a key finding is (text, n) or (text, n, unit), not {item!r}")
        text, n, unit = (*item, None) if len(item) == 2 else item
    else:
        text, n, unit = _get(item, "text", "sentence"), _get(item, "n"), _get(item, "unit", "of")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a key finding needs its sentence as text, not {text!r}")
    return text.strip(), n, unit


def finding_n_text(n: Any, unit: str | None, threshold: int) -> tuple[str, bool]:
    """How a finding's n reads ("15 young people", "n = 15"), and whether it had to be withheld."""
    if n is None or n is pd.NA or (isinstance(n, float) and math.isnan(n)):
        raise ValueError("every key finding carries its n (the people, sessions or records it rests on)")
    if isinstance(n, bool) or not (n == disclosure.SUPPRESSED or isinstance(n, numbers.Integral)
                                   or (isinstance(n, numbers.Real) and float(n).is_integer())):
        raise ValueError(f"a key finding's n must be a whole number (or c when withheld), not {n!r}")
    if n == disclosure.SUPPRESSED or 0 < int(n) < threshold:
        return (f"fewer than {threshold} {unit}" if unit else f"n < {threshold}"), True
    shown = f"{int(n):,}"
    return (f"{shown} {unit}" if unit else f"n = {shown}"), False


def key_findings_html(items: Iterable[Any], *, threshold: int = 5, heading: str = KEY_FINDINGS) -> str:
    """The "Key findings" box: one sentence per item, each with the n it rests on.

    ``items``: mappings or objects with ``text`` and ``n`` (and optionally ``unit``, e.g.
    ``"young people"``, read as "(15 young people)"; without it "(n = 15)"), or ``(text, n)``
    tuples. The sentences are computed by the report from protected tables; an n below
    ``threshold`` (or already ``c``) is never shown, only "fewer than <threshold>".
    """
    lis = []
    for item in items:
        text, n, unit = finding_parts(item)
        n_text, withheld = finding_n_text(n, unit, threshold)
        flag = " data-cj-withheld" if withheld else ""
        lis.append(f'<li{flag}>{_esc(text)} <span class="cj-n">({_esc(n_text)})</span></li>')
    if not lis:
        lis.append("<li>No finding can be stated from the data this page holds.</li>")
    return (f'<section class="cj-findings" aria-labelledby="cj-key-findings">'
            f'<h2 id="cj-key-findings">{_esc(heading)}</h2><ul>{"".join(lis)}</ul></section>')


#: sources of the data contract as readers know them: (name, verb)
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "prepost_survey": ("The before-and-after wellbeing questionnaire", "was used"),
    "retrospective_survey": ("The retrospective survey", "was run"),
    "pa_survey": ("The Personal Adviser survey", "was run"),
    "facilitator_ratings": ("Facilitator ratings of wellbeing workshops", "were collected"),
    "participation": ("The participation register", "was kept"),
    "bright_spots": ("The Bright Spots survey", "was run"),
    "oc3": ("The council's own care leaver returns", "were provided"),
    "coded_segments": ("Coded interviews", "were collected"),
    "fieldwork": ("The fieldwork log", "was kept"),
}


def _site_name(key: str) -> str:
    from carejourneys import sites

    return sites.label(key) if key in sites.keys() else str(key)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def not_collected_sentence(source: str, sites_with_it: Iterable[str]) -> str:
    """One sentence for a source this page's site did not collect ("The Personal Adviser survey was
    run in Brent only"). ``source``: a source of the data contract (``pa_survey``) or a reader's name
    for it; ``sites_with_it``: site keys or names."""
    name, verb = SOURCE_NAMES.get(source, (str(source)[:1].upper() + str(source)[1:], "was collected"))
    where = [_site_name(s) for s in dict.fromkeys(sites_with_it)]
    if not where:
        return f"{name} {verb.replace('was', 'was not').replace('were', 'were not')} at any site."
    return f"{name} {verb} in {_and(where)} only."


def not_collected_html(source: str, sites_with_it: Iterable[str]) -> str:
    """:func:`not_collected_sentence` as a paragraph, in place of an empty table or chart."""
    return f'<p class="cj-note cj-not-collected">{_esc(not_collected_sentence(source, sites_with_it))}</p>'
