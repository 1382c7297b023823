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
from collections.abc import Iterable
from typing import Any

from carejourneys import __version__
from carejourneys.render.page_css import CSS as REPORT_CSS

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PAPERMILL_MARKER = "papermill-error-cell-tag"

PAGE_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#fff;color:#1b1b1b;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
 "Helvetica Neue",Arial,sans-serif}
header.cj-top,main,footer.cj-foot{max-width:62rem;margin:0 auto;padding:0 1rem}
header.cj-top{padding-top:.6rem;font-size:.9rem} header.cj-top a{color:#1d4f91}
main{padding-bottom:2rem}
h1{font-size:1.7rem;line-height:1.25} h2{font-size:1.35rem;margin-top:1.8rem} h3{font-size:1.1rem}
a.anchor-link{display:none}
img{max-width:100%;height:auto}
pre{overflow-x:auto;white-space:pre-wrap;font-size:.85rem;background:#f6f6f6;padding:.5rem;border-radius:4px}
.rendered_html table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}
.rendered_html th,.rendered_html td{padding:.25rem .5rem;border-bottom:1px solid #ccc}
.rendered_html .cj-table table{display:table;overflow:visible;max-width:none}
.output_error pre,.cj-build-error{border-left:4px solid #b00020}
.cj-build-error{background:#fdecee;padding:.6rem .9rem;margin:1rem 0;border-radius:4px}
.ansi-red-fg{color:#b00020} .ansi-green-fg{color:#2e6b30} .ansi-cyan-fg{color:#1d6b7a}
.ansi-yellow-fg{color:#8a6d00} .ansi-blue-fg{color:#1d4f91} .ansi-bold{font-weight:700}
.input_area pre{background:#f0f4f8}
footer.cj-foot{font-size:.8rem;color:#555;border-top:1px solid #ddd;padding:.6rem 1rem 2rem}
table.cj-index{border-collapse:collapse;width:100%;font-size:.95rem}
table.cj-index th,table.cj-index td{text-align:left;border-bottom:1px solid #ccc;padding:.35rem .5rem;
 vertical-align:top}
.cj-index-wrap{overflow-x:auto}
.cj-status-failed{color:#b00020;font-weight:700}
.cj-status-reused{color:#555;font-size:.9em}
"""


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


def page(
    body: str,
    *,
    title: str,
    subtitle: str = "",
    error: str | None = None,
    home: str | None = "../index.html",
) -> bytes:
    """A complete, self-contained HTML page around ``body``."""
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
        f"<title>{_esc(title)}{' – ' + _esc(subtitle) if subtitle else ''}</title>\n"
        f"<style>{PAGE_CSS}\n{REPORT_CSS}</style>\n</head>\n<body>\n{top}\n<main>\n{err}\n{body}\n</main>\n"
        f'<footer class="cj-foot">Built with carejourneys {_esc(__version__)}. '
        "Code is hidden; figures and tables come from the package's library functions.</footer>\n"
        "</body>\n</html>\n"
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


def report_page(nb: Any, *, title: str, subtitle: str = "", error: str | None = None,
                show_code: bool = False) -> bytes:
    """The published page of one executed notebook."""
    return page(notebook_body(clean_notebook(nb), show_code=show_code), title=title, subtitle=subtitle,
                error=error)


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def index_page(reports: Iterable[Any]) -> bytes:
    """``index.html``: every report with its site, data origin, package version and parameters.

    ``reports``: objects with ``notebook``, ``title``, ``site``, ``site_label``, ``origin``,
    ``version``, ``params``, ``status``, ``href`` (relative link) and ``error``.
    """
    rows_by_site: dict[str, list[Any]] = {}
    for r in sorted(reports, key=lambda r: (r.site != "all", r.site, r.notebook)):
        rows_by_site.setdefault(r.site, []).append(r)
    sections = []
    for rows in rows_by_site.values():
        trs = []
        for r in rows:
            if r.status in ("reused", "up to date"):
                status = ' <span class="cj-status-reused">(reused)</span>'
            elif r.status == "ok":
                status = ""
            else:
                status = f' <span class="cj-status-failed">({_esc(r.status)})</span>'
            link = f'<a href="{_esc(r.href)}">{_esc(r.title)}</a>' if r.href else _esc(r.title)
            trs.append(f"<tr><td>{link}{status}</td><td>{_esc(r.site_label)}</td><td>{_esc(r.origin)}</td>"
                       f"<td>{_esc(r.version)}</td><td><code>{_esc(_params_text(r.params))}</code></td></tr>")
        sections.append(
            f"<h2>{_esc(rows[0].site_label)}</h2><div class=\"cj-index-wrap\"><table class=\"cj-index\">"
            "<thead><tr><th>Report</th><th>Site</th><th>Data</th><th>carejourneys</th><th>Parameters</th>"
            f"</tr></thead><tbody>{''.join(trs)}</tbody></table></div>")
    origins = sorted({r.origin for rows in rows_by_site.values() for r in rows})
    note = ""
    if "synthetic" in origins:
        note = ('<section class="cj-banner" data-origin="synthetic"><strong class="cj-origin">Synthetic data'
                "</strong><span>Reports marked synthetic are computed from the synthetic replica shipped "
                "with the package; they describe no real person.</span></section>")
    body = (f"<h1>Care Journeys evaluation: reports</h1>{note}"
            + ("".join(sections) or "<p>No report has been built yet.</p>"))
    return page(body, title="Care Journeys evaluation: reports", home=None)
