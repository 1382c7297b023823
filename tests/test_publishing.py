"""The published site as a whole: byte-identical rebuilds, self-contained pages, the banner on every
page, figures as PNG with alt text, nothing but pages in ``outputs/``, disclosure logs in the private
working folder and never in the pages.

Uses the session's full build (``full_build`` in tests/conftest.py: every report for every site)
and, for the byte-identity test, one more full build into a second temporary folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carejourneys import __version__, config
from carejourneys.sdc import disclosure


@pytest.fixture(scope="module")
def second_build(full_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same full build again, from the same inputs, into another folder."""
    from carejourneys.publish import build
    out = tmp_path_factory.mktemp("second_build")
    build.run(outputs=out, force=True, quiet=True)
    return out


def _published(out: Path) -> dict[str, bytes]:
    """Every file a build put in ``outputs/`` (relative path -> bytes)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _report_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("*/*.html") if p.name != "index.html")


@pytest.mark.slow
def test_rebuilding_gives_identical_bytes_for_every_page(full_build, second_build):
    first, again = _published(full_build.out), _published(second_build)
    assert {Path(name).suffix for name in first} == {".html"}  # pages only: no notebook, log or CSV
    assert "index.html" in first and len(_report_pages(full_build.out)) == len(full_build.reports)
    assert sorted(first) == sorted(again)
    differ = [name for name in first if first[name] != again[name]]
    assert differ == [], f"pages differ between two builds from the same inputs: {differ}"
    # nothing of the build's own place leaks into what is published
    for name, data in first.items():
        assert str(full_build.out).encode() not in data, f"{name} shows the build folder"
        assert b"/tmp/" not in data, name


@pytest.mark.slow
def test_every_report_page_carries_the_banner(full_build):
    from carejourneys.inputs.manifest import read_manifest

    manifest = read_manifest(Path(__file__).resolve().parents[1] / "data" / "synthetic")
    data_date = str(manifest.extra.get("data_date", ""))
    assert manifest.checksum and data_date
    for (notebook, site), r in full_build.reports.items():
        assert r.ok, r.error
        page = (full_build.out / site / f"{notebook}.html").read_text(encoding="utf-8")
        banner = re.search(r'<section\b[^>]*class="cj-banner"[^>]*>.*?</section>', page, re.S)
        assert banner is not None, f"{site}/{notebook}: no data-origin banner"
        text = banner.group(0)
        origin = re.search(r'data-origin="(\w+)"', text).group(1)
        assert origin in ("synthetic", "public") and f'data-site="{site}"' in text
        # the provenance is in the page's footer, "About this page", by name and without paths
        foot = re.search(r'<footer class="cj-foot">.*?</footer>', page, re.S)
        assert foot is not None, f"{site}/{notebook}: no About this page footer"
        about = foot.group(0)
        assert "About this page" in about and f"<dd>{__version__}</dd>" in about
        assert f"site: {site}" in about and "disclosure threshold: 5" in about and "data_dir" not in about
        if origin == "synthetic":
            assert manifest.checksum in about and data_date in about, f"{site}/{notebook}"


@pytest.mark.slow
def test_pages_need_nothing_from_any_other_host(full_build):
    pages = sorted(full_build.out.rglob("*.html"))
    assert pages
    for path in pages:
        page = path.read_text(encoding="utf-8")
        where = path.relative_to(full_build.out).as_posix()
        assert "Content-Security-Policy" in page and "default-src 'none'" in page, where
        assert "<script" not in page.lower(), f"{where} carries a script"
        assert not re.search(r"<link\b", page, re.I), f"{where} loads a style sheet or font"
        assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", page, re.I), where
        for attr, value in re.findall(r'\b(src|srcset|poster|data)="([^"]*)"', page):
            assert value.startswith("data:image/png;base64,"), f"{where}: {attr}={value[:60]!r}"
        for href in re.findall(r'<a\b[^>]*href="([^"#]+)', page):  # links that exist
            if "//" not in href:
                assert (path.parent / href).resolve().is_file(), f"{where} links to missing {href}"


@pytest.mark.slow
def test_figures_are_inline_png_with_alt_text(full_build):
    total = 0
    for path in _report_pages(full_build.out):
        page = path.read_text(encoding="utf-8")
        for img in re.findall(r"<img\b[^>]*>", page):
            total += 1
            assert 'src="data:image/png;base64,' in img, f"{path.name}: {img[:80]}"
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt is not None and alt.group(1).strip(), f"{path.name}: a figure without alt text"
    assert total > 0


@pytest.mark.slow
def test_disclosure_logs_are_in_the_private_working_folder_and_never_in_the_pages(full_build):
    private = config.work_dir(outputs=full_build.out) / "logs"
    logs = sorted(private.glob("*/*.disclosure.csv"))
    assert logs, "no disclosure log in the private working folder"
    assert not list(full_build.out.rglob("*.csv"))
    header = ",".join(disclosure.LOG_COLUMNS)
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert text.splitlines()[0] == header
        assert (full_build.out / log.parent.name / log.name.replace(".disclosure.csv", ".html")).is_file()
    for path in sorted(full_build.out.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        assert header not in page and disclosure.LOG_MIMETYPE not in page, path.name
        shown = page.count('<td class="num">c</td>')
        if shown:  # something was withheld: every decision is logged in the private folder
            log = private / path.parent.name / path.name.replace(".html", ".disclosure.csv")
            assert log.is_file(), path.name
            logged = len(log.read_text(encoding="utf-8").splitlines()) - 1
            assert logged >= shown, f"{path.name}: {shown} cells withheld, {logged} logged"


@pytest.mark.slow
def test_the_index_is_a_small_site_with_a_cross_site_summary(full_build):
    out = full_build.out
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Cross-site summary" in index
    sites = sorted({site for _, site in full_build.reports})
    for site in sites:
        assert (out / site / "index.html").is_file(), f"no page for the site {site}"
        assert f'href="{site}/index.html"' in index
        site_page = (out / site / "index.html").read_text(encoding="utf-8")
        for notebook, s in full_build.reports:
            if s == site:
                assert f'href="{notebook}.html"' in site_page
