"""The published site around the reports: ``outputs/index.html`` and one page per site.

    write_site(outputs_dir, reports)      # -> the pages written, index.html first

``reports`` are the build's report records (:class:`carejourneys.publish.build.ReportResult` or anything
with ``notebook``, ``site``, ``status``, ``title``, ``origin``, ``version``, ``params``, ``data_date``
and ``html``); each report's page is expected at ``<site>/<notebook>.html`` under ``outputs_dir``.
The site has:

* ``index.html``: the reports grouped by site (links to each site's page and to each report, with
  the data's date and the status), a cross-site summary (one row per report, one column per site:
  which pages exist and which failed), and one "about these pages" block with the data origins,
  package versions and parameters - nothing from the clock, so the bytes depend only on the reports;
* ``<site>/index.html``: that site's reports with their data origin, date and status.

A status is ``ok`` or ``failed`` (:class:`carejourneys.publish.status.Status`): whether a page was
built now or taken over from an earlier build is the build's business, not the reader's. No path
is shown: the data folder is not a parameter the pages list.

Councils (local authority codes) are named from the public extract's ``areas.csv``
(:mod:`carejourneys.inputs.council_names`): "Hartlepool (E06000001)". When more than
:data:`MANY_COUNCILS` councils are built (``carejourneys build --all-councils``), the partnership
sites keep their cards and the summary's columns, and the councils get a section of their own: one
table, grouped by region, with each council's name, code, report links and statuses.

Pages use :func:`carejourneys.publish.html.page` (inline CSS, a Content-Security-Policy that loads
nothing from anywhere) and are written atomically. Every link is relative and points at a file
that exists (a report without a page is listed without a link).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carejourneys import sites as site_registry
from carejourneys.inputs import council_names
from carejourneys.inputs.manifest import atomic_write_bytes
from carejourneys.publish.status import Status, status

#: parameters never listed (a folder's path says where the data are kept, and whose home it is)
PRIVATE_PARAMETERS = ("data_dir",)
#: what a site folder may be called (site keys, "all", local authority codes)
_SITE_KEY = re.compile(r"[A-Za-z0-9_]+")
#: above this many council targets the index lists councils in one table grouped by region
MANY_COUNCILS = 12
#: the group of councils whose region the extract does not give
NO_REGION = "Region not known"

SITE_CSS = """
.cj-sites{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem;margin:1rem 0;
 padding:0;list-style:none}
.cj-sites>li{border:1px solid #ccc;border-radius:8px;padding:.7rem 1rem}
.cj-sites h3{margin:.1rem 0 .4rem} .cj-sites ul{margin:.2rem 0 0;padding-left:1.1rem}
.cj-sites li li{margin:.25rem 0}
table.cj-summary{border-collapse:collapse;font-size:.95rem}
table.cj-summary th,table.cj-summary td{border-bottom:1px solid #ccc;padding:.35rem .6rem;text-align:left;
 vertical-align:top}
table.cj-summary thead th{border-bottom:2px solid #555}
.cj-summary-wrap{overflow-x:auto;max-width:100%}
.cj-missing{color:#666}
table.cj-councils{border-collapse:collapse;font-size:.95rem;width:100%}
table.cj-councils th,table.cj-councils td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;
 vertical-align:top}
table.cj-councils thead th{border-bottom:2px solid #555}
table.cj-councils tbody th[scope=rowgroup]{background:#f0f0f0;font-size:1rem;padding-top:.5rem;
 border-bottom:1px solid #999}
table.cj-councils th[scope=row]{font-weight:normal}
table.cj-councils ul{margin:0;padding:0;list-style:none}
nav.cj-regions{margin:.5rem 0;line-height:1.8}
dl.cj-about{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dl.cj-about dt{font-weight:600} dl.cj-about dd{margin:0;overflow-wrap:anywhere}
@media (max-width:36rem){dl.cj-about{grid-template-columns:1fr} dl.cj-about dd{margin-bottom:.4rem}}
"""


@dataclass(frozen=True)
class Entry:
    """One report as the site shows it (read from a build record by :func:`_entry`)."""

    notebook: str
    site: str
    title: str
    status: Status  # ok or failed, as the reader sees it
    origin: str
    version: str
    params: tuple[tuple[str, str], ...]
    has_page: bool
    manifest: str = ""  # sha256 of the dataset's manifest.yml, when known
    date: str = ""  # the data's date, as its manifest states it

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    @property
    def href(self) -> str:
        """Link from ``index.html``; from a site page it is just ``<notebook>.html``."""
        return f"{self.site}/{self.notebook}.html"


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def is_council(site: str) -> bool:
    """A build target that is a local authority code rather than a partnership site or "all"."""
    return (site != site_registry.ALL and site not in site_registry.keys()
            and bool(site_registry.LA_CODE.match(site)))


def site_label(site: str) -> str:
    """A site's name, "All sites", or a council's name and code ("Hartlepool (E06000001)"); a code
    the extract does not know (or no ``areas.csv``) keeps the label "Local authority <code>"
    (:func:`carejourneys.sites.label`)."""
    return site_registry.label(site)


def _site_order(site: str) -> tuple:
    registered = site_registry.keys()
    if site == site_registry.ALL:
        return (0, 0, site)
    if site in registered:
        return (1, registered.index(site), site)
    return (2, 0, site)


def _get(r: Any, name: str, default: Any = "") -> Any:
    return r.get(name, default) if isinstance(r, dict) else getattr(r, name, default)


def _entry(r: Any, outputs: Path) -> Entry:
    def get(name: str, default: Any = "") -> Any:
        return _get(r, name, default)

    notebook, site = str(get("notebook")), str(get("site"))
    params = {k: v for k, v in (get("params", {}) or {}).items() if k not in PRIVATE_PARAMETERS}
    page = outputs / site / f"{notebook}.html"
    has_page = page.is_file()
    manifest = str(get("manifest_checksum") or "") or (_banner_checksum(page) if has_page else "")
    return Entry(notebook, site, str(get("title") or notebook), status(str(get("status") or "")).published,
                 str(get("origin") or "unknown"), str(get("version") or ""),
                 tuple((str(k), repr(v)) for k, v in params.items()), has_page, manifest,
                 str(get("data_date") or ""))


_CHECKSUM = re.compile(r"manifest sha256:?</dt>\s*<dd>([0-9a-f]{64})</dd>", re.I)


def _banner_checksum(page: Path) -> str:
    """The manifest checksum a report page's data banner shows (empty when it shows none)."""
    m = _CHECKSUM.search(page.read_text(encoding="utf-8", errors="replace"))
    return m.group(1) if m else ""


def _status_html(e: Entry) -> str:
    return "" if e.ok else f' <span class="cj-status-failed">({_esc(e.status)})</span>'


def _date_text(e: Entry) -> str:
    return e.date or ("public release" if e.origin == "public" else "not stated")


def _link(e: Entry, href: str) -> str:
    text = _esc(e.title)
    return f'<a href="{_esc(href)}">{text}</a>' if e.has_page else f'<span class="cj-missing">{text}</span>'


def _banner(entries: list[Entry]) -> str:
    origins = sorted({e.origin for e in entries})
    if "synthetic" not in origins:
        return ""
    return ('<section class="cj-banner" data-origin="synthetic"><strong class="cj-origin">Synthetic data'
            "</strong><span>Reports marked synthetic are computed from the synthetic replica shipped with "
            "the carejourneys package: they imitate the evaluation's files and describe no real person."
            "</span></section>")


def _about(entries: list[Entry]) -> str:
    def values(f) -> str:
        return ", ".join(sorted({f(e) for e in entries})) or "–"

    common = sorted({p for e in entries for p in e.params if p[0] != "site"})
    checksums = sorted({e.manifest for e in entries if e.manifest})
    rows = [("Data", values(lambda e: e.origin)),
            ("Data manifest sha256", ", ".join(checksums) or "not shown by the reports"),
            ("carejourneys", values(lambda e: e.version)),
            ("Parameters", "; ".join(f"{k}={v}" for k, v in common) or "–"),
            ("Disclosure control", "counts of fewer people than the threshold are shown as c, and other "
                                   "cells are hidden where a small one could be worked out from them")]
    return ('<h2 id="about">About these pages</h2><dl class="cj-about">'
            + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in rows) + "</dl>")


def _summary(entries: list[Entry], site_keys: list[str], councils: int = 0) -> str:
    """One row per report, one column per site in ``site_keys``; ``councils`` > 0 says that many
    councils are left out of the table and listed in their own section."""
    note = ""
    if councils:
        note = (f' The {councils} councils are not columns here: their reports are listed under '
                '<a href="#councils">Councils</a>.')
    if not site_keys:
        return f'<h2 id="summary">Cross-site summary</h2><p>No partnership site was built.{note}</p>'
    notebooks = sorted({(e.notebook, e.title) for e in entries if e.site in site_keys})
    by = {(e.notebook, e.site): e for e in entries}
    head = "".join(f'<th scope="col">{_esc(site_label(s))}</th>' for s in site_keys)
    rows = []
    for nb, title in notebooks:
        cells = []
        for s in site_keys:
            e = by.get((nb, s))
            if e is None:
                cells.append('<td class="cj-missing">–</td>')
            elif e.has_page:
                word = "view" if e.ok else str(e.status)
                label = f"{word} {title}, {site_label(s)}"  # the visible word first (WCAG 2.5.3)
                cells.append(f'<td><a href="{_esc(e.href)}" aria-label="{_esc(label)}">{_esc(word)}</a></td>')
            else:
                cells.append(f'<td class="cj-status-failed">{_esc(e.status)}</td>')
        rows.append(f'<tr><th scope="row">{_esc(title)}</th>{"".join(cells)}</tr>')
    return ('<h2 id="summary">Cross-site summary</h2><p>Each report for each site it is built for '
            f"(– where it is not).{note}</p><div class=\"cj-summary-wrap\"><table class=\"cj-summary\">"
            f'<thead><tr><th scope="col">Report</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></div>")


def _status_word(e: Entry) -> str:
    return str(e.status)


def _region_order(region: str) -> tuple:
    return (region == NO_REGION, region)


def _councils(entries: list[Entry], council_keys: list[str]) -> str:
    """The councils' section: one table, a group of rows per region (regions and, within each, the
    councils in alphabetical order), each row the council's name (linking to its page), code,
    reports and their statuses."""
    by_site: dict[str, list[Entry]] = {}
    for e in entries:
        by_site.setdefault(e.site, []).append(e)
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in council_keys:
        c = council_names.council(code)
        name = c.name if c else f"Local authority {code}"
        groups.setdefault((c.region if c and c.region else NO_REGION), []).append((name, code))
    regions = sorted(groups, key=_region_order)
    statuses = [_status_word(e) for s in council_keys for e in by_site.get(s, [])]
    counts = ", ".join(f"{statuses.count(w)} {w}" for w in dict.fromkeys(
        [Status.OK, *sorted(set(statuses) - {Status.OK})]) if statuses.count(w))
    failed = sorted({s for s in council_keys for e in by_site.get(s, []) if not e.ok})
    failed_note = ""
    if failed:
        links = (f'<a href="{_esc(s)}/index.html">{_esc(site_label(s))}</a>' for s in failed)
        failed_note = f"<p><strong>Failed:</strong> {', '.join(links)}.</p>"
    anchors = {r: f"region-{i}" for i, r in enumerate(regions, 1)}
    nav = ('<nav class="cj-regions" aria-label="Regions">'
           + " · ".join(f'<a href="#{anchors[r]}">{_esc(r)}</a> ({len(groups[r])})' for r in regions)
           + "</nav>")
    bodies = []
    for r in regions:
        rows = [f'<tr id="{anchors[r]}"><th scope="rowgroup" colspan="4">{_esc(r)}</th></tr>']
        for name, code in sorted(groups[r], key=lambda nc: (nc[0].casefold(), nc[1])):
            reports = sorted(by_site.get(code, []), key=lambda e: e.notebook)
            links, words = [], []
            for e in reports:
                text = _esc(e.title)
                label = _esc(f"{e.title}, {site_label(code)}")
                links.append(f'<li><a href="{_esc(e.href)}" aria-label="{label}">{text}</a></li>'
                             if e.has_page else f'<li><span class="cj-missing">{text} (no page)</span></li>')
                word = _esc(_status_word(e))
                cls = "" if e.ok else ' class="cj-status-failed"'
                words.append(f"<li{cls}>{word}</li>" if len(reports) == 1
                             else f"<li{cls}>{text}: {word}</li>")
            rows.append(f'<tr><th scope="row"><a href="{_esc(code)}/index.html">{_esc(name)}</a></th>'
                        f"<td><code>{_esc(code)}</code></td><td><ul>{''.join(links)}</ul></td>"
                        f"<td><ul>{''.join(words)}</ul></td></tr>")
        bodies.append(f"<tbody>{''.join(rows)}</tbody>")
    return (f'<h2 id="councils">Councils</h2><p>{len(council_keys)} councils, grouped by region and '
            f"in alphabetical order within each; reports: {_esc(counts) or 'none'}.</p>{failed_note}{nav}"
            '<div class="cj-summary-wrap"><table class="cj-councils" aria-labelledby="councils"><thead><tr>'
            '<th scope="col">Council</th><th scope="col">Code</th>'
            '<th scope="col">Reports</th><th scope="col">Status</th></tr></thead>'
            f"{''.join(bodies)}</table></div>")


def index_html(entries: list[Entry]) -> str:
    site_keys = sorted({e.site for e in entries}, key=_site_order)
    council_keys = [s for s in site_keys if is_council(s)]
    many = len(council_keys) > MANY_COUNCILS
    card_keys = [s for s in site_keys if not (many and is_council(s))]
    cards = []
    for s in card_keys:
        items = "".join(f"<li>{_link(e, e.href)}{_status_html(e)} <small>({_esc(_date_text(e))})</small></li>"
                        for e in sorted((e for e in entries if e.site == s), key=lambda e: e.notebook))
        cards.append(f'<li><h3><a href="{_esc(s)}/index.html">{_esc(site_label(s))}</a></h3>'
                     f"<ul>{items}</ul></li>")
    if not entries:
        return "<h1>Care Journeys evaluation: reports</h1><p>No report has been built yet.</p>"
    if not many:
        return ("<h1>Care Journeys evaluation: reports</h1>" + _banner(entries)
                + '<nav aria-label="Sections"><a href="#sites">Reports by site</a> · <a href="#summary">'
                'Cross-site summary</a> · <a href="#about">About these pages</a></nav>'
                + f'<h2 id="sites">Reports by site</h2><ul class="cj-sites">{"".join(cards)}</ul>'
                + _summary(entries, site_keys) + _about(entries))
    sites_part = (f'<h2 id="sites">Reports by site</h2><ul class="cj-sites">{"".join(cards)}</ul>' if cards
                  else "")
    return ("<h1>Care Journeys evaluation: reports</h1>" + _banner(entries)
            + '<nav aria-label="Sections">' + ('<a href="#sites">Reports by site</a> · ' if cards else "")
            + '<a href="#summary">Cross-site summary</a> · <a href="#councils">Councils</a> · '
            '<a href="#about">About these pages</a></nav>'
            + sites_part + _summary(entries, card_keys, len(council_keys))
            + _councils(entries, council_keys) + _about(entries))


def site_html(site: str, entries: list[Entry]) -> str:
    rows = []
    for e in sorted(entries, key=lambda e: e.notebook):
        cls = "" if e.ok else ' class="cj-status-failed"'
        rows.append(f"<tr><td>{_link(e, f'{e.notebook}.html')}</td><td>{_esc(e.origin)}</td>"
                    f"<td>{_esc(_date_text(e))}</td><td{cls}>{_esc(e.status)}</td></tr>")
    # what a reader needs per report (report, data, date, status); version, parameters and checksum
    # are shared by the pages and said once, below
    return (f"<h1>{_esc(site_label(site))}: reports</h1>{_banner(entries)}"
            '<div class="cj-index-wrap"><table class="cj-index"><thead><tr><th>Report</th><th>Data</th>'
            "<th>Data date</th><th>Status</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>" + _about(entries))


def _page(body: str, *, title: str, home: str | None) -> bytes:
    from carejourneys.publish.html import page

    return page(f"<style>{SITE_CSS}</style>{body}", title=title, home=home)


def write_site(outputs_dir: str | Path, reports: Iterable[Any]) -> list[Path]:
    """Write ``index.html`` and a page per site under ``outputs_dir``; returns the paths written."""
    outputs = Path(outputs_dir)
    entries = sorted((_entry(r, outputs) for r in reports if _SITE_KEY.fullmatch(str(_get(r, "site")))),
                     key=lambda e: (_site_order(e.site), e.notebook))
    written = [outputs / "index.html"]
    atomic_write_bytes(written[0], _page(index_html(entries), title="Care Journeys evaluation: reports",
                                         home=None))
    for s in sorted({e.site for e in entries}, key=_site_order):
        path = outputs / s / "index.html"
        atomic_write_bytes(path, _page(site_html(s, [e for e in entries if e.site == s]),
                                       title=f"{site_label(s)}: reports", home="../index.html"))
        written.append(path)
    return written
