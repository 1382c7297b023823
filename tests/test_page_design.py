"""The page design: key findings, annex, numbers beside charts, sources not collected, "About this
page" in the footer, the site in the title, tables that fit, and what no page may show."""

from __future__ import annotations

import re
import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from carejourneys import __version__  # noqa: E402
from carejourneys.publish import html as page_html  # noqa: E402
from carejourneys.render import html as frag  # noqa: E402
from carejourneys.render import page_css  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _ctx(**kw) -> types.SimpleNamespace:
    """A report context as :func:`carejourneys.render.report.setup` makes one (only what pages read)."""
    values = dict(site="plymouth", site_label="Plymouth", origin="synthetic", public_only=False, la_code=None,
                  ds=types.SimpleNamespace(data_dir=None), data_dir=None, disclosure_threshold=5,
                  manifest_checksum="ab" * 32, data_date="2024-06-30", version=__version__, params={})
    values.update(kw)
    ns = types.SimpleNamespace(**values)
    ns.parameters = lambda: {"site": ns.site, "data_dir": ns.data_dir,
                             "disclosure_threshold": ns.disclosure_threshold, **ns.params}
    return ns


# --------------------------------------------------------------------------- key findings
def test_key_findings_carry_their_n_and_never_a_small_one():
    box = frag.key_findings_html([
        {"text": "Most young people said they felt less lonely.", "n": 15, "unit": "young people"},
        ("Personal Advisers saw no clear change in this small group.", 3),
        {"text": "Wellbeing <rose>", "n": "c", "unit": "young people"},
        types.SimpleNamespace(text="Sessions were rated as engaging.", n=9, unit="sessions"),
    ], threshold=5)
    assert box.startswith('<section class="cj-findings"') and "<h2" in box and "Key findings" in box
    assert "(15 young people)" in box and "(9 sessions)" in box
    assert "(n &lt; 5)" in box and "(fewer than 5 young people)" in box
    assert ">3<" not in box and "(3" not in box and "n = 3" not in box  # the small n itself never shows
    assert "&lt;rose&gt;" in box and "<rose>" not in box
    assert box.count("data-cj-withheld") == 2


@pytest.mark.parametrize("bad", [{"text": "No n."}, {"text": "", "n": 5}, ("Half", 2.5), ("True", True)])
def test_a_key_finding_needs_text_and_a_whole_n(bad):
    with pytest.raises(ValueError):
        frag.key_findings_html([bad])


def test_no_findings_says_so():
    assert "No finding can be stated" in frag.key_findings_html([])


# --------------------------------------------------------------------------- annex and charts
def test_annex_is_collapsed_without_javascript():
    inner = frag.table_html(pd.DataFrame({"Measure": ["a"], "p": [0.5]}), caption="Tests")
    box = frag.annex_html("Statistical tests", inner)
    assert box.startswith('<details class="cj-annex"><summary>Statistical tests</summary>')
    assert inner in box and "<script" not in box and " open" not in box
    with pytest.raises(ValueError):
        frag.annex_html(" ", inner)


def test_every_chart_can_carry_its_numbers():
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    numbers = frag.table_html(pd.DataFrame({"Group": ["a", "b"], "Value": [1, 2]}), caption="Values")
    out = frag.figure_html(fig, alt="Two bars", caption="Values by group", data_html=numbers)
    assert out.startswith('<figure class="cj-figure"><figcaption>Values by group</figcaption><img ')
    assert '<details class="cj-numbers"><summary>Numbers behind this chart</summary>' in out
    assert numbers in out and out.endswith("</figure>")
    assert plt.fignum_exists(fig.number) is False
    fig, _ = plt.subplots()
    assert "<details" not in frag.figure_html(fig, alt="Empty")


# --------------------------------------------------------------------------- not collected
def test_a_source_a_site_did_not_collect_gets_one_sentence():
    assert frag.not_collected_sentence("pa_survey", ["brent"]) == \
        "The Personal Adviser survey was run in Brent only."
    assert frag.not_collected_sentence("bright_spots", ["brent", "plymouth"]) == \
        "The Bright Spots survey was run in Brent and Plymouth only."
    assert frag.not_collected_sentence("facilitator_ratings", []) == \
        "Facilitator ratings of wellbeing workshops were not collected at any site."
    assert frag.not_collected_sentence("Focus groups with carers", ["plymouth"]) == \
        "Focus groups with carers was collected in Plymouth only."
    html = frag.not_collected_html("pa_survey", ["brent"])
    assert html.startswith('<p class="cj-note cj-not-collected">') and "<table" not in html


# --------------------------------------------------------------------------- tables
def test_tables_are_labelled_regions_with_headers_and_fit_a_phone():
    wide = pd.DataFrame({"Measure": ["SWEMWBS", "UCLA"], "n": [12, 11], "Before": [20.1, 6.0],
                         "After": [22.3, 5.1], "Change": [2.2, -0.9]})
    out = frag.table_html(wide, caption="Change <per> measure", index=False)
    assert re.match(r'<div class="cj-table cj-stack" role="region" tabindex="0" '
                    r'aria-label="Change &lt;per&gt; measure">', out)
    assert "<caption>Change &lt;per&gt; measure</caption>" in out
    assert out.count('<th scope="col"') == 5
    assert '<th scope="row" data-label="Measure">SWEMWBS</th>' in out  # the first column heads its row
    assert '<td class="num" data-label="Before">20.1</td>' in out  # the phone's card layout labels each value
    narrow = frag.table_html(pd.DataFrame({"Group": ["a"], "People": [7]}), caption="Small", index=False)
    assert "cj-stack" not in narrow
    numbers_only = frag.table_html(pd.DataFrame({"x": [1], "y": [2]}), caption="Numbers", index=False)
    assert '<th scope="row"' not in numbers_only


def test_style_sheets_come_from_package_files():
    for name in ("report.css", "page.css", "print.css"):
        assert (REPO / "carejourneys" / "render" / "templates" / name).is_file()
    assert ".cj-findings" in page_css.CSS and "cj-stack" in page_css.CSS
    assert "@page" in page_css.PRINT_CSS and "details-content" in page_css.PRINT_CSS
    assert "break-before:page" in page_css.PRINT_CSS
    assert "/*" not in page_css.CSS  # comments stay in the files
    assert '<style media="print">' in page_css.style_elements()


# --------------------------------------------------------------------------- provenance
def test_about_this_page_names_parameters_without_paths():
    secure = "/secure/evaluation/data"
    ctx = _ctx(data_dir=secure, ds=types.SimpleNamespace(data_dir=secure), origin="real",
               params={"wave": 2, "extra_file": "/home/someone/notes.csv"})
    items = dict(frag.about_items(ctx))
    text = " ".join(items.values())
    assert "/secure" not in text and "/home" not in text and "data_dir" not in text
    assert "data: a private data folder" in items["Parameters"] and "wave: 2" in items["Parameters"]
    assert "extra file: (a folder, not shown)" in items["Parameters"]
    assert items["Data manifest sha256"] == "ab" * 32 and items["Data date"] == "2024-06-30"
    assert "fewer than 5 people" in items["Disclosure control"]
    bundled = _ctx()
    assert "data: bundled synthetic data" in dict(frag.about_items(bundled))["Parameters"]


def test_origin_banners():
    synthetic = frag.banner_html(_ctx())
    assert "Synthetic data." in synthetic and 'data-origin="synthetic"' in synthetic
    public = frag.banner_html(_ctx(origin="public", public_only=True, ds=None, la_code="330", site="330",
                                   site_label="Birmingham (330)", manifest_checksum=None, data_date=None))
    assert "Official statistics." in public and "Data manifest" not in public
    mixed = frag.banner_html(_ctx(la_code="E06000026"))
    assert "Official statistics and synthetic data." in mixed and 'data-origin="synthetic"' in mixed


def _notebook(ctx) -> object:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    banner = nbformat.v4.new_code_cell("ctx = cj.report.setup()")
    banner.outputs = [nbformat.v4.new_output("display_data", data={"text/html": frag.banner_html(ctx)})]
    table = nbformat.v4.new_code_cell("cj.report.table(...)")
    table.outputs = [nbformat.v4.new_output("display_data", data={"text/html": frag.table_html(
        pd.DataFrame({"Group": ["a"], "People": [7]}), caption="People")})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Outcomes for young people\n\nWhat this page shows."), banner,
                nbformat.v4.new_markdown_cell("## Before and after"), table]
    return nb


def test_the_page_has_its_site_in_the_title_and_provenance_in_the_footer():
    pytest.importorskip("nbconvert")
    page = page_html.report_page(_notebook(_ctx()), title="Outcomes for young people",
                                 subtitle="Plymouth").decode("utf-8")
    assert "<title>Outcomes for young people — Plymouth</title>" in page
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert re.sub(r"<[^>]+>|¶", "", h1).strip() == "Outcomes for young people — Plymouth"
    main, footer = page.split("</main>")
    assert "cj-about" not in main.split("</style>")[-1]  # moved out of the report's text
    assert '<footer class="cj-foot">' in footer and ">About this page</h2>" in footer
    assert "ab" * 32 in footer and "Data manifest sha256" in footer
    assert "data_dir" not in page and "<style>.cj-banner" not in page.split("</head>")[1]
    # the heading levels never skip one: h1, then h2 (the footer's h2 included)
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", page)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    # no second title with the site when the heading already has it
    assert page_html.with_site_in_title("<h1>Evidence — Plymouth</h1>", "Plymouth") == \
        "<h1>Evidence — Plymouth</h1>"


def test_the_fallback_index_shows_no_cache_state():
    r = types.SimpleNamespace(notebook="01", title="Outcomes", site="brent", site_label="Brent",
                              origin="synthetic", status="reused", href="brent/01.html", error=None)
    failed = types.SimpleNamespace(**{**vars(r), "notebook": "02", "status": "failed", "href": None})
    index = _visible(page_html.index_page([r, failed]).decode("utf-8"))
    assert "reused" not in index and ">ok<" in index and ">failed<" in index
    assert "<caption>" in index and 'scope="col"' in index


# --------------------------------------------------------------------------- over a built site
_FORBIDDEN = [
    ("data_dir", re.compile(r"data_dir")),
    ("a build state", re.compile(r"\(reused\)|view \(reused\)")),
    ("0.000", re.compile(r"(?<![\d.])0\.0{3,}(?!\d)")),
    ("an absolute path", re.compile(r"(?:file://|(?<![\w.:/])/(?:home|root|tmp|Users|work|var|usr|opt|mnt|srv)/"
                                    r"|[A-Za-z]:\\\\)")),
]


def _visible(page: str) -> str:
    """What a reader can read: the page without its style sheets and inline images."""
    page = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)
    return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)


@pytest.mark.slow
def test_no_page_shows_build_internals(full_build):
    pages = sorted(full_build.out.rglob("*.html"))
    assert pages
    problems = []
    for path in pages:
        text = _visible(path.read_text(encoding="utf-8"))
        for what, pattern in _FORBIDDEN:
            m = pattern.search(text)
            if m:
                problems.append(f"{path.relative_to(full_build.out)} shows {what}: "
                                f"…{text[max(0, m.start() - 60):m.end() + 20]}…")
        assert str(REPO) not in text and str(full_build.out) not in text, path
    assert problems == []


@pytest.mark.slow
def test_every_report_page_has_site_title_and_footer(full_build):
    from carejourneys import sites

    for (notebook, site), r in full_build.reports.items():
        if r.status not in ("ok", "up to date"):
            continue
        page = (full_build.out / site / f"{notebook}.html").read_text(encoding="utf-8")
        h1 = re.sub(r"<[^>]+>|¶", "", re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.S).group(1))
        assert h1.strip().endswith(f"— {sites.label(site)}"), f"{site}/{notebook}: {h1!r}"
        footer = page.split("</main>")[1]
        assert ">About this page</h2>" in footer and "Disclosure control" in footer, f"{site}/{notebook}"
        assert 'class="cj-banner"' in page.split("</main>")[0]


# --------------------------------------------------------------------------- notebook order


@pytest.mark.parametrize("notebook", sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_notebook_opens_with_title_parameters_setup_then_key_findings(notebook):
    """Issue 14: a page opens with its title and its key findings; the introduction comes after them.
    The first cell is the title alone, then the parameters cell, the setup cell, and the key findings."""
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    title = "".join(cells[0]["source"]).strip()
    assert cells[0]["cell_type"] == "markdown" and re.fullmatch(r"# [^\n]+", title), title
    assert "parameters" in cells[1].get("metadata", {}).get("tags", []), "second cell: parameters"
    assert "cj.report.setup(" in "".join(cells[2]["source"]), "third cell: setup"
    assert "key_findings(" in "".join(cells[3]["source"]), "fourth cell: key findings"
    assert cells[4]["cell_type"] == "markdown", "the introduction follows the key findings"
