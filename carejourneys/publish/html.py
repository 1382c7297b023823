"""HTML pages of the build: one page per executed notebook, and ``outputs/index.html``.

Pages are rendered in-process with nbconvert's ``HTMLExporter`` and its ``basic`` template (a bare
fragment: no script, font or style sheet from elsewhere), wrapped in a small page of our own with
inline CSS and a Content-Security-Policy that forbids loading anything from anywhere (images are
inline ``data:`` PNGs). Code is hidden unless asked for. Bytes depend only on the executed
notebook: papermill's timings, execution timestamps, random cell ids and warnings on stderr are
removed first, and nothing reads the clock.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable
from typing import Any

from carejourneys import __version__
from carejourneys.render import page_css

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PAPERMILL_MARKER = "papermill-error-cell-tag"

#: the page around a report (``carejourneys/render/templates/page.css``)
PAGE_CSS = page_css.PAGE_CSS
#: the "About this page" section a report's banner carries (:func:`carejourneys.render.html.about_html`)
_ABOUT = re.compile(r'<details class="cj-about" data-cj-about(?:="")?>\s*<summary>[^<]*</summary>\s*'
                    r'(<dl class="cj-about-list">.*?</dl>)\s*</details>', re.S)
#: the style sheet a banner brings into a notebook (the page has its own, current one in its head)
_INLINE_STYLE = re.compile(r"<style>\s*\.cj-banner\{.*?</style>", re.S)
_FIRST_H1 = re.compile(r"(<h1\b[^>]*>)(.*?)(<a class=\"anchor-link\"[^>]*>[^<]*</a>)?(</h1>)", re.S)
#: between a report's title and its site
TITLE_SEP = " — "


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def clean_notebook(nb: Any) -> Any:
    """A copy of an executed notebook without what would change between identical builds.

    Removes papermill's timings and paths, nbclient's execution timestamps, the error marker at
    the top (the page shows its own), warnings written to stderr; numbers cell ids in order.
    """
    nb = copy.deepcopy(nb)
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in ("start_time", "end_time", "duration", "input_path", "output_path",
                    "environment_variables"):
            pm.pop(key, None)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if PAPERMILL_MARKER in tags and not cells:
            continue  # the top error message; the anchor before the failing cell stays
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        if isinstance(meta.get("papermill"), dict):
            for key in ("start_time", "end_time", "duration"):
                meta["papermill"].pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cells.append(cell)
    for i, cell in enumerate(cells):
        if "id" in cell:
            cell["id"] = f"cell-{i}"
    nb.cells = cells
    return nb


def notebook_body(nb: Any, *, show_code: bool = False) -> str:
    """The notebook's cells as an HTML fragment (code hidden unless ``show_code``)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _footer(about: str | None) -> str:
    built = (f"<p>Built with carejourneys {_esc(__version__)}. Code is hidden; figures and tables come from "
             "the package's library functions.</p>")
    if not about:
        return f'<footer class="cj-foot">{built}</footer>'
    return (f'<footer class="cj-foot"><section aria-labelledby="cj-about-h">'
            f'<h2 id="cj-about-h">About this page</h2>{about}{built}</section></footer>')


def page(
    body: str,
    *,
    title: str,
    subtitle: str = "",
    error: str | None = None,
    home: str | None = "../index.html",
    about: str | None = None,
) -> bytes:
    """A complete, self-contained HTML page around ``body``; ``about``: the "About this page"
    list (HTML) for the footer."""
    top = f'<header class="cj-top"><a href="{_esc(home)}">All reports</a></header>' if home else ""
    err = ""
    if error:
        err = (f'<div class="cj-build-error" role="alert"><strong>This report failed to build.</strong> '
               f"{_esc(error)} <a href=\"#papermill-error-cell\">Go to the error</a>. What ran before it "
               "is shown below.</div>")
    doc = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{_esc(title)}{TITLE_SEP + _esc(subtitle) if subtitle else ''}</title>\n"
        f"{page_css.style_elements()}\n</head>\n<body>\n{top}\n<main id=\"main\">\n{err}\n{body}\n</main>\n"
        f"{_footer(about)}\n</body>\n</html>\n"
    )
    return doc.encode("utf-8")


def failure_page(*, title: str, subtitle: str = "", log: str, withheld: bool = False) -> bytes:
    """The page published instead of a report that failed (real data) or failed the output check
    (``withheld``): it says so and where the private build log is (``log``, relative to the private
    working folder), and shows nothing of the report: no value, row, path or traceback."""
    if withheld:
        what = ("<p>This page was withheld: the output checker found something in it that must not be "
                "published, so none of it is shown.</p>")
    else:
        what = ("<p>This report failed to build. Because it is built from real data, nothing of it is "
                "shown here: no values, rows or error details.</p>")
    body = (f'<h1>{_esc(title)}</h1>{f"<p>{_esc(subtitle)}</p>" if subtitle else ""}'
            f'<div class="cj-build-error" role="alert">{what}<p>Whoever runs the build can see why in '
            f"the build log in the private working folder: <code>{_esc(log)}</code>.</p></div>")
    return page(body, title=f"{title} (not published)", subtitle=subtitle)


def with_site_in_title(body: str, site_label: str) -> str:
    """``body`` with the site after its first ``<h1>``: "Outcomes for young people — Plymouth"."""
    if not site_label:
        return body
    m = _FIRST_H1.search(body)
    if m is None or site_label in re.sub(r"<[^>]+>", "", m.group(2)):
        return body
    return (body[:m.start()] + m.group(1) + m.group(2) + TITLE_SEP + _esc(site_label) + (m.group(3) or "")
            + m.group(4) + body[m.end():])


def tidy_body(body: str, *, site_label: str = "") -> tuple[str, str | None]:
    """A report's HTML made into a page's main part: the site in the title, the banner's style
    sheet left to the page's head, and "About this page" taken out for the footer (returned)."""
    body = _INLINE_STYLE.sub("", body)
    found = _ABOUT.findall(body)
    body = _ABOUT.sub("", body)
    return with_site_in_title(body, site_label), (found[0] if found else None)


def report_page(nb: Any, *, title: str, subtitle: str = "", error: str | None = None,
                show_code: bool = False) -> bytes:
    """The published page of one executed notebook: its site in the title, "About this page" in the
    footer."""
    body, about = tidy_body(notebook_body(clean_notebook(nb), show_code=show_code), site_label=subtitle)
    return page(body, title=title, subtitle=subtitle, error=error, about=about)


def index_page(reports: Iterable[Any]) -> bytes:
    """``index.html`` when the site index is not available: every report with its site, data origin
    and status (ok or failed; never whether it was rebuilt or reused).

    ``reports``: objects with ``notebook``, ``title``, ``site``, ``site_label``, ``origin``,
    ``status``, ``href`` (relative link) and ``error``.
    """
    rows_by_site: dict[str, list[Any]] = {}
    for r in sorted(reports, key=lambda r: (r.site != "all", r.site, r.notebook)):
        rows_by_site.setdefault(r.site, []).append(r)
    sections = []
    for rows in rows_by_site.values():
        trs = []
        for r in rows:
            ok = r.status in ("ok", "reused", "up to date")
            status = "ok" if ok else '<span class="cj-status-failed">failed</span>'
            link = f'<a href="{_esc(r.href)}">{_esc(r.title)}</a>' if r.href else _esc(r.title)
            trs.append(f"<tr><th scope=\"row\">{link}</th><td>{_esc(r.site_label)}</td>"
                       f"<td>{_esc(r.origin)}</td><td>{status}</td></tr>")
        sections.append(
            f"<h2>{_esc(rows[0].site_label)}</h2><div class=\"cj-index-wrap\"><table class=\"cj-index\">"
            f"<caption>Reports for {_esc(rows[0].site_label)}</caption>"
            '<thead><tr><th scope="col">Report</th><th scope="col">Site</th><th scope="col">Data</th>'
            f'<th scope="col">Status</th></tr></thead><tbody>{"".join(trs)}</tbody></table></div>')
    origins = sorted({r.origin for rows in rows_by_site.values() for r in rows})
    note = ""
    if "synthetic" in origins:
        note = ('<section class="cj-banner" data-origin="synthetic"><strong class="cj-origin">Synthetic data.'
                "</strong> <span>Reports marked synthetic are computed from made-up records shipped "
                "with the package; they describe no real person.</span></section>")
    body = (f"<h1>Care Journeys evaluation: reports</h1>{note}"
            + ("".join(sections) or "<p>No report has been built yet.</p>"))
    return page(body, title="Care Journeys evaluation: reports", home=None)
