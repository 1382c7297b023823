"""The published site in a real browser (headless Debian Chromium driven by Playwright).

The site is the session's full build (``full_build`` in tests/conftest.py: every report for every
site, with its index pages); when that cannot run here (no bundled data, no notebook), a small site
is made from fresh synthetic pages with ``write_site``. The folder is served on 127.0.0.1. Starting from
``index.html`` the test follows every link, and on every page checks that each figure loads
(``naturalWidth > 0``) and has alt text, that no console error occurs, that no request goes to any
host but the local one, and that a phone-width viewport needs no sideways scrolling. Screenshots
are saved in the test's temporary folder. Without Chromium or Playwright the tests are skipped.
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from carejourneys.publish.site_index import write_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHECKSUM = "5e" * 32
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- the site under test
def _png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.bar(["wave 1", "wave 2", "wave 3"], [12, 20, 17])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _small_site(out: Path) -> list[dict]:
    """Report pages like the build's (self-contained, a table and a figure each) and their records."""
    from carejourneys.publish.html import page

    png = _png()
    rows = "".join(f"<tr><th>{m}</th><td class='num'>{n}</td><td class='num'>c</td></tr>"
                   for m, n in (("interview", 45), ("focus group", 12), ("observation", 30)))
    reports = []
    for site in ("all", "brent", "plymouth"):
        for nb, title in (("00_evidence_base", "Evidence base"), ("01_outcomes", "Outcomes")):
            body = (f"<h1>{title}</h1><section class='cj-banner' data-origin='synthetic'>Synthetic data"
                    f"<dl><div><dt>Data manifest sha256:</dt><dd>{CHECKSUM}</dd></div></dl></section>"
                    "<div class='cj-table'><table><caption>Events by method</caption><thead><tr>"
                    f"<th>method</th><th>people</th><th>groups</th></tr></thead><tbody>{rows}</tbody></table>"
                    f"</div><figure class='cj-figure'><img src='data:image/png;base64,{png}' "
                    "alt='Events per wave'></figure>")
            (out / site).mkdir(parents=True, exist_ok=True)
            (out / site / f"{nb}.html").write_bytes(page(body, title=title, subtitle=site))
            reports.append({"notebook": nb, "site": site, "status": "ok", "title": title,
                            "origin": "synthetic", "version": "0.1.0",
                            "params": {"site": site, "data_dir": None, "disclosure_threshold": 5}})
    return reports


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's full build (every report for every site, tests/conftest.py) when it can run
    here; otherwise a small site of fresh synthetic pages, so the browser checks still run."""
    try:
        return request.getfixturevalue("full_build").out
    except pytest.skip.Exception:
        out = tmp_path_factory.mktemp("outputs")
        write_site(out, _small_site(out))
        return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (Debian package 'chromium')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# --------------------------------------------------------------------------- helpers
_PAGE_FACTS = """() => ({
  images: Array.from(document.images).map(i => ({src: i.src.slice(0, 40), alt: i.alt,
                                                  ok: i.complete && i.naturalWidth > 0})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  code: document.querySelectorAll('.jp-InputArea, .input_area, .jp-Editor, .hl-ipython3').length,
  title: document.title,
})"""


class Visit:
    """A browser context that records console errors and every request that leaves 127.0.0.1."""

    def __init__(self, browser, base: str, viewport: dict) -> None:
        self.base = base
        self.host = urlparse(base).netloc
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.context = browser.new_context(viewport=viewport, service_workers="block")
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != self.host:
            self.foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def open(self, url: str):
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{url}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"{url}: {e}"))
        response = page.goto(url, wait_until="load")
        if not url.startswith("file:"):
            assert response is not None and response.ok, f"{url} answered {response and response.status}"
        return page

    def close(self) -> None:
        self.context.close()


def _name(url: str, base: str) -> str:
    return (url[len(base):] or "index.html").replace("/", "__").removesuffix(".html")


# --------------------------------------------------------------------------- the tests
@pytest.mark.browser
@pytest.mark.slow
def test_every_page_and_link_works_offline(browser, server: str, site: Path, tmp_path: Path):
    visit = Visit(browser, server, DESKTOP)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    todo, seen, fragments, ids = [server + "index.html"], set(), [], {}
    try:
        while todo:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            page = visit.open(url)
            facts = page.evaluate(_PAGE_FACTS)
            ids[url] = set(facts["ids"])
            assert facts["title"].strip(), f"{url} has no title"
            assert facts["code"] == 0, f"{url} shows code (it is hidden unless asked for)"
            for img in facts["images"]:
                assert img["ok"], f"{url}: figure {img['src']} did not load"
                assert img["alt"].strip(), f"{url}: figure {img['src']} has no alt text"
            for href in facts["links"]:
                target, frag = urldefrag(href)
                if not target.startswith(server):
                    continue  # links to other sites are allowed; the test never requests them
                if frag:
                    fragments.append((url, target, frag))
                if target not in seen:
                    todo.append(target)
            page.screenshot(path=str(shots / f"{_name(url, server)}.png"), full_page=True)
            page.close()
    finally:
        visit.close()
    assert visit.errors == [], visit.errors
    assert visit.foreign == [], f"requests left the machine: {visit.foreign}"
    for url, target, frag in fragments:  # a link to a place in a page finds it there
        assert frag in ids[target], f"{url} links to #{frag}, which {target} does not have"
    pages = [u for u in seen if u.endswith(".html")]
    assert server + "index.html" in seen and len(pages) >= 3
    # every report folder's page was reached from the index
    reached = {urlparse(u).path.lstrip("/") for u in pages}
    assert reached >= {p.relative_to(site).as_posix() for p in site.rglob("*.html")}, "pages no link reaches"
    assert len(list(shots.glob("*.png"))) == len(seen)


@pytest.mark.browser
@pytest.mark.slow
def test_the_site_works_opened_from_files(browser, site: Path):
    """Opened straight from the folder (file://), as on a machine that may not run a server."""
    base = site.resolve().as_uri() + "/"
    visit = Visit(browser, base, DESKTOP)
    try:
        page = visit.open(base + "index.html")
        links = sorted({urldefrag(h)[0] for h in page.evaluate(_PAGE_FACTS)["links"] if h.startswith(base)})
        page.close()
        assert links
        for url in links:
            page = visit.open(url)
            facts = page.evaluate(_PAGE_FACTS)
            assert facts["title"].strip() and all(i["ok"] for i in facts["images"]), url
            page.close()
    finally:
        visit.close()
    assert visit.errors == [] and visit.foreign == []


_OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"

_STICKY = """() => {
  const wide = Array.from(document.querySelectorAll('.cj-table'))
    .filter(d => d.scrollWidth > d.clientWidth + 4 && d.querySelector('tbody tr > :nth-child(2)'));
  return wide.map(d => {
    const first = d.querySelector('tbody tr > :first-child');
    const second = d.querySelector('tbody tr > :nth-child(2)');
    const box = d.getBoundingClientRect().left;
    const before = second.getBoundingClientRect().left - box;
    d.scrollLeft = d.scrollWidth;
    return {caption: (d.querySelector('caption') || {}).textContent || '', scrolled: d.scrollLeft,
            annex: d.closest('details') !== null,
            first: first.getBoundingClientRect().left - box, before: before,
            second: second.getBoundingClientRect().left - box};
  });
}"""

#: every table of a page: its caption, whether it is in a collapsed section, and whether it scrolls
_TABLES = """() => Array.from(document.querySelectorAll('table')).map(t => {
  const box = t.closest('.cj-table, .cj-index-wrap') || t.parentElement;
  return {caption: (t.querySelector('caption') || {}).textContent || '(no caption)',
          annex: t.closest('details') !== null, scroll: box.scrollWidth - box.clientWidth,
          wider: t.getBoundingClientRect().right
                 - (document.querySelector('main') || document.body).getBoundingClientRect().right};
})"""


@pytest.mark.browser
@pytest.mark.slow
def test_pages_fit_a_phone_screen(browser, server: str, site: Path, tmp_path: Path):
    """Every page at phone width: no sideways scrolling of the page; main tables fit (many columns
    become one card per row) and only tables in collapsed sections (annex, numbers behind a chart)
    scroll, inside their box, with their first column kept in view (sticky)."""
    visit = Visit(browser, server, PHONE)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    try:
        for rel in pages:
            page = visit.open(server + rel)
            facts = page.evaluate(_PAGE_FACTS)
            assert facts["overflow"] <= 1, f"{rel} scrolls sideways on a phone by {facts['overflow']}px"
            page.screenshot(path=str(tmp_path / f"phone_{_name(server + rel, server)}.png"), full_page=True)
            page.evaluate(_OPEN_ALL)
            facts = page.evaluate(_PAGE_FACTS)
            assert facts["overflow"] <= 1, f"{rel} scrolls sideways on a phone with its sections open"
            for table in page.evaluate(_STICKY):
                assert table["annex"], f"{rel}: main table {table['caption']!r} scrolls on a phone"
                assert table["scrolled"] > 0, f"{rel}: {table['caption']!r} does not scroll"
                assert abs(table["first"]) <= 1, f"{rel}: first column of {table['caption']!r} scrolled away"
                moved = table["before"] - table["second"]
                assert abs(moved - table["scrolled"]) <= 1.5, f"{rel}: {table['caption']!r} did not scroll"
            page.close()
    finally:
        visit.close()
    assert visit.errors == [] and visit.foreign == []


@pytest.mark.browser
@pytest.mark.slow
def test_main_tables_never_scroll_on_a_desktop(browser, server: str, site: Path):
    """At 1280 px no table outside a collapsed section is wider than its box (nor than the text)."""
    visit = Visit(browser, server, DESKTOP)
    wide = []
    try:
        for rel in sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")):
            page = visit.open(server + rel)
            wide += [f"{rel}: {t['caption']!r} ({t['scroll']}px)" for t in page.evaluate(_TABLES)
                     if not t["annex"] and (t["scroll"] > 1 or t["wider"] > 1)]
            page.close()
    finally:
        visit.close()
    assert wide == [], "tables that scroll at 1280 px:\n" + "\n".join(wide)


# --------------------------------------------------------------------------- accessibility (axe-core)
#: axe-core (npm package) is looked for here, or in $CAREJOURNEYS_AXE (the path of axe.min.js)
AXE_CACHE = Path.home() / ".cache" / "carejourneys" / "axe"
AXE_VERSION = "4"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': '
                                        + (n.failureSummary || '').slice(0, 160))}));
}"""


def axe_script() -> str:
    """The text of axe.min.js: from $CAREJOURNEYS_AXE, else the cache folder, installing it there
    with npm when npm is available (``npm install --prefix ~/.cache/carejourneys/axe axe-core@4``);
    the test is skipped without it."""
    import os
    import subprocess

    given = os.environ.get("CAREJOURNEYS_AXE")
    path = Path(given) if given else AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file() and not given:
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core is not installed and npm is not available to install it")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([npm, "install", "--prefix", str(AXE_CACHE), "--no-save", "--no-audit",
                            "--no-fund", f"axe-core@{AXE_VERSION}"],
                           capture_output=True, timeout=300, check=True)
        except (subprocess.SubprocessError, OSError) as e:
            pytest.skip(f"axe-core could not be installed with npm ({type(e).__name__})")
    if not path.is_file():
        pytest.skip(f"axe-core not found at {path}")
    return path.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_passes_axe(browser, server: str, site: Path):
    """axe-core finds no WCAG 2.0, 2.1 or 2.2 A/AA violation on any page, with its collapsed
    sections closed and open on a desktop, and open on a phone."""
    script = axe_script()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    found = []
    for viewport in (DESKTOP, PHONE):
        # the pages forbid scripts (Content-Security-Policy): only the test's own axe is let in
        context = browser.new_context(viewport=viewport, bypass_csp=True, service_workers="block")
        try:
            for rel in pages:
                page = context.new_page()
                page.goto(server + rel, wait_until="load")
                page.add_script_tag(content=script)
                for state in (("closed", "open") if viewport is DESKTOP else ("open",)):
                    if state == "open":
                        page.evaluate(_OPEN_ALL)
                    for v in page.evaluate(_AXE_RUN, AXE_TAGS):
                        found.append(f"{rel} [{viewport['width']}px, sections {state}] {v['id']} "
                                     f"({v['impact']}): {v['help']} -- {'; '.join(v['nodes'])}")
                page.close()
        finally:
            context.close()
    assert found == [], f"{len(found)} accessibility violation(s):\n" + "\n".join(found)


def test_site_pages_are_stable_and_their_links_exist(tmp_path: Path):
    """Without a browser: the same reports give the same bytes, and every relative link resolves."""
    import re

    out = tmp_path / "o"
    reports = _small_site(out)
    reports.append({"notebook": "02_broken", "site": "brent", "status": "failed", "title": "Broken",
                    "origin": "synthetic", "version": "0.1.0", "params": {}})
    first = {p: p.read_bytes() for p in write_site(out, reports)}
    again = {p: p.read_bytes() for p in write_site(out, list(reversed(reports)))}
    assert first == again
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Cross-site summary" in index and "All sites" in index and "(failed)" in index
    assert CHECKSUM in index  # read from the reports' data banners
    assert "02_broken" not in re.findall(r'href="([^"]+)"', index)[0]
    for page in first:
        for href in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8")):
            if "//" not in href:
                assert (page.parent / href).resolve().is_file(), f"{page.name} links to missing {href}"
    assert not (out / "-").exists()
