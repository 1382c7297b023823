"""Every notebook in notebooks/, built for each site it declares on the bundled synthetic data.

One session-scoped build (the ``full_build`` fixture of tests/conftest.py: ``cj.build.run`` into
a temporary outputs folder, the output checker included), then per (notebook, site): the page
exists, nothing failed, the data-origin banner is there and no code is shown. Notebooks added by
anyone are picked up automatically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


def _targets() -> list[tuple[str, str]]:
    out = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("carejourneys", {})
            sites = list(meta.get("sites") or ["-"])
        except (OSError, ValueError):
            sites = ["-"]
        out += [(path.stem, s) for s in sites]
    return out


TARGETS = _targets()


@pytest.fixture(scope="session")
def built(full_build):
    """The session's full build (tests/conftest.py): outputs folder, reports by (notebook, site), result."""
    return full_build.out, full_build.reports, full_build.result


def _code_lines(notebook: str) -> list[str]:
    """Distinctive lines of the notebook's code (calls and assignments), to be absent from the page."""
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines += [ln.strip() for ln in cell.source.splitlines()
                  if len(ln.strip()) > 20 and re.search(r"[=(]", ln) and not ln.strip().startswith("#")]
    return lines


def test_there_are_notebooks():
    assert TARGETS, "no notebook in notebooks/"
    assert ("00_evidence_base", "all") in TARGETS


@pytest.mark.slow
@pytest.mark.parametrize("notebook, site", TARGETS, ids=[f"{n}[{s}]" for n, s in TARGETS])
def test_notebook_builds(built, notebook, site):
    out, reports, _ = built
    report = reports.get((notebook, site))
    assert report is not None, f"{notebook} was not built for {site}"
    assert report.status == "ok", report.error
    page = (out / site / f"{notebook}.html").read_text(encoding="utf-8")
    assert 'class="cj-banner"' in page and "data-origin=" in page, "no data-origin banner"
    assert 'data-origin="synthetic"' in page or 'data-origin="public"' in page
    assert 'class="input_area' not in page and 'output_error"' not in page
    for line in _code_lines(notebook):
        assert line not in page, f"code shown: {line!r}"
    assert not (out / site / f"{notebook}.ipynb").exists()  # outputs/ holds pages only
    from carejourneys import config

    assert (config.work_dir(outputs=out) / "notebooks" / site / f"{notebook}.ipynb").is_file()


@pytest.mark.slow
def test_index_links_every_page(built):
    out, reports, result = built
    index = (out / "index.html").read_text(encoding="utf-8")
    for (notebook, site), r in reports.items():
        if r.html is not None:
            assert f'href="{site}/{notebook}.html"' in index
    assert result.index == out / "index.html"


@pytest.mark.slow
def test_evidence_base_totals_equal_the_published_ones(built):
    """The all-sites page shows the totals computed from the data, and they equal the published ones."""
    from carejourneys.metrics import evidence

    out, reports, _ = built
    page = (out / "all" / "00_evidence_base.html").read_text(encoding="utf-8")
    for what, published in evidence.PUBLISHED.items():
        label = re.escape(what).replace("'", "(?:'|&#x27;|&#39;)")
        row = re.search(rf"<tr><t[hd][^>]*>{label}</t[hd]>"
                        rf'<td[^>]*>(\d+)</td><td[^>]*>(\d+)</td><td[^>]*>(\w+)</td></tr>', page)
        assert row is not None, what
        assert int(row.group(1)) == int(row.group(2)) == published and row.group(3) == "yes"
    assert "data:image/png;base64," in page and 'alt="Stacked bar chart' in page
