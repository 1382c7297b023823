"""The site index without building anything: councils named from ``areas.csv`` and, with many
councils, the councils' own section (one table grouped by region) beside the partnership sites' cards.

Report records are plain dicts (as ``write_site`` takes them) with fake pages written by hand.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from carejourneys.inputs import council_names
from carejourneys.publish.site_index import MANY_COUNCILS, index_html, site_label, write_site

AREAS = """geographic_level,area_code,old_la_code,name,region_code,region_name
National,E92000001,,England,,
Regional,E12000001,,North East,E12000001,North East
Local authority,E06000001,805,Hartlepool,E12000001,North East
Local authority,E06000002,806,Middlesbrough,E12000001,North East
Local authority,E08000025,330,Birmingham,E12000005,West Midlands
Local authority,E06000010,810,"Kingston upon Hull, City of",E12000003,Yorkshire and The Humber
Local authority,E06000061 / E06000062,940 / 941,North / West Northamptonshire,E12000004,East Midlands
Local authority,E06000099,999,Nowhereshire,,
"""


@pytest.fixture
def areas_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "public"
    d.mkdir()
    (d / "areas.csv").write_text(AREAS, encoding="utf-8")
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(d))
    return d


# --- labels ------------------------------------------------------------------------------------


def test_bundled_extract_names_councils_by_new_and_old_code(monkeypatch):
    monkeypatch.delenv("CAREJOURNEYS_PUBLIC", raising=False)
    assert site_label("E06000001") == "Hartlepool (E06000001)"
    assert site_label("330") == "Birmingham (330)"
    assert site_label("E08000025") == "Birmingham (E08000025)"
    assert council_names.council("E06000001").region == "North East"


def test_partnership_sites_keep_their_labels(areas_dir):
    assert site_label("brent") == "Brent" and site_label("plymouth") == "Plymouth"
    assert site_label("all") == "All sites"


def test_labels_follow_carejourneys_public(areas_dir):
    assert site_label("E06000010") == "Kingston upon Hull, City of (E06000010)"  # quoted CSV field
    assert site_label("805") == "Hartlepool (805)"
    assert council_names.council("E06000099").region == ""


def test_unknown_code_and_combined_rows_keep_the_old_label(areas_dir):
    assert site_label("E06000777") == "Local authority E06000777"
    assert site_label("123") == "Local authority 123"
    assert council_names.council("E06000061 / E06000062") is None
    assert site_label("E06000061") == "Local authority E06000061"  # only the combined row names it here


def test_missing_or_unreadable_areas_file_keeps_the_old_label(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(tmp_path / "nowhere"))
    assert site_label("E06000001") == "Local authority E06000001"
    assert council_names.councils() == {}
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "areas.csv").write_bytes(b"\xff\xfe\x00not utf-8")
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(tmp_path / "bad"))
    assert site_label("E06000001") == "Local authority E06000001"


def test_an_edited_areas_file_is_read_again(areas_dir):
    assert site_label("E06000001") == "Hartlepool (E06000001)"
    (areas_dir / "areas.csv").write_text(AREAS.replace("Hartlepool", "Hartlepool Borough") + "\n",
                                         encoding="utf-8")
    assert site_label("E06000001") == "Hartlepool Borough (E06000001)"


def test_naming_councils_does_not_import_pandas():
    code = ("import sys; from carejourneys.publish import site_index; "
            "assert site_index.site_label('E06000001').startswith('Hartlepool'); "
            "bad = [m for m in ('pandas', 'nbformat', 'numpy') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the index with many councils --------------------------------------------------------------

NORTH_EAST = [f"E06{n:06d}" for n in range(1, 9)]  # Hartlepool, Middlesbrough, then unknown codes


def _report(out: Path, site: str, notebook: str, title: str, status: str = "ok", page: bool = True) -> dict:
    if page:
        (out / site).mkdir(parents=True, exist_ok=True)
        (out / site / f"{notebook}.html").write_text(f"<h1>{title}</h1>", encoding="utf-8")
    return {"notebook": notebook, "site": site, "status": status, "title": title, "origin": "synthetic",
            "version": "0.1.0", "params": {"site": site, "disclosure_threshold": 5}}


def _many(out: Path) -> list[dict]:
    """Partnership sites with two reports each, and 20 councils with the indicators report."""
    reports = [_report(out, s, nb, title) for s in ("all", "brent", "plymouth")
               for nb, title in (("00_evidence_base", "Evidence base"), ("01_outcomes", "Outcomes"))]
    london = [f"E09{n:06d}" for n in range(90, 98)]  # codes the extract does not know
    councils = [*NORTH_EAST, "E08000025", "330", "E06000010", "E06000099", *london]
    assert len(councils) == 20 > MANY_COUNCILS
    for i, code in enumerate(councils):
        status = {3: "reused", 4: "reused", 5: "failed"}.get(i, "ok")
        reports.append(_report(out, code, "04_care_leaver_indicators", "Care leaver indicators", status,
                               page=i != 6))
    return reports


def _visible(page: str) -> str:
    """A page without its style sheet (whose class names are no words a reader sees)."""
    return re.sub(r"<style>.*?</style>", "", page, flags=re.S)


def _section(index: str, start: str, end: str) -> str:
    return index[index.index(start):index.index(end)]


def test_many_councils_get_a_table_grouped_by_region(areas_dir, tmp_path):
    out = tmp_path / "o"
    written = write_site(out, _many(out))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(written) == 1 + 3 + 20  # the index, the partnership sites' pages and one per council

    # the partnership sites keep their cards; the councils have none
    cards = _section(index, '<ul class="cj-sites">', '<h2 id="summary">')
    assert [re.sub("<[^>]+>", "", h) for h in re.findall(r"<h3>(.*?)</h3>", cards)] == [
        "All sites", "Brent", "Plymouth"]
    assert "E06000001" not in cards

    councils = _section(index, '<h2 id="councils">', '<h2 id="about">')
    assert "20 councils" in councils
    assert '<th scope="col">Council</th><th scope="col">Code</th>' in councils
    groups = re.findall(r'<th scope="rowgroup" colspan="4">([^<]+)</th>', councils)
    assert groups == ["North East", "West Midlands", "Yorkshire and The Humber", "Region not known"]
    bodies = councils.split("<tbody>")[1:]
    assert len(bodies) == 4

    def rows(body: str) -> list[tuple[str, str]]:
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th><td><code>([^<]+)</code>', body)

    # a region's councils in alphabetical order; codes the extract does not know go last, by code
    assert rows(bodies[0]) == [("Hartlepool", "E06000001"), ("Middlesbrough", "E06000002")]
    assert rows(bodies[1]) == [("Birmingham", "330"), ("Birmingham", "E08000025")]
    assert rows(bodies[2]) == [("Kingston upon Hull, City of", "E06000010")]
    unknown = rows(bodies[3])
    assert len(unknown) == 15 and ("Local authority E06000003", "E06000003") in unknown
    assert ("Nowhereshire", "E06000099") in unknown  # named, but the extract gives no region

    # each row links to the council's page and its report, the link naming both report and council
    assert '<a href="E06000001/index.html">Hartlepool</a>' in councils
    assert ('<a href="E06000001/04_care_leaver_indicators.html" aria-label="Care leaver indicators, '
            'Hartlepool (E06000001)">Care leaver indicators</a>') in councils
    # statuses: ok or failed; a page the build reused is ok to a reader; a report without a page has no link
    row = {code: tr for tr in re.findall(r"<tr>.*?</tr>", councils)
           for code in re.findall(r"<code>([^<]+)</code>", tr)}
    assert "<ul><li>ok</li></ul>" in row["E06000001"]
    assert "<ul><li>ok</li></ul>" in row["E06000004"] and "<ul><li>ok</li></ul>" in row["E06000005"]
    assert '<li class="cj-status-failed">failed</li>' in row["E06000006"]
    assert "E06000007/04_care_leaver_indicators.html" not in index and "(no page)" in row["E06000007"]
    assert "19 ok, 1 failed" in councils
    assert "reused" not in _visible(index)
    assert '<strong>Failed:</strong> <a href="E06000006/index.html">Local authority E06000006</a>' in councils

    # every relative link resolves, fragments included
    ids = set(re.findall(r'id="([^"]+)"', index))
    for href in re.findall(r'href="([^"]+)"', index):
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:
            assert (out / href).is_file(), href


def test_with_many_councils_the_summary_has_only_the_partnership_sites(areas_dir, tmp_path):
    out = tmp_path / "o"
    write_site(out, _many(out))
    index = (out / "index.html").read_text(encoding="utf-8")
    summary = _section(index, '<h2 id="summary">', '<h2 id="councils">')
    heads = re.findall(r'<th scope="col">([^<]+)</th>', summary)
    assert heads == ["Report", "All sites", "Brent", "Plymouth"]
    assert [r for r in re.findall(r'<th scope="row">([^<]+)</th>', summary)] == ["Evidence base", "Outcomes"]
    assert "Care leaver indicators" not in summary and "E06000001" not in summary
    assert 'listed under <a href="#councils">Councils</a>' in summary
    assert '<a href="#councils">Councils</a>' in index[:index.index('<h2 id="sites">')]  # in the top nav


def test_only_councils_gives_no_empty_summary_table(areas_dir, tmp_path):
    out = tmp_path / "o"
    reports = [r for r in _many(out) if r["site"] not in ("all", "brent", "plymouth")]
    write_site(out, reports)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="cj-sites"' not in index and 'class="cj-summary"' not in index
    assert "No partnership site was built" in index and '<h2 id="councils">' in index


def test_a_few_councils_keep_the_usual_layout_with_names(areas_dir, tmp_path):
    out = tmp_path / "o"
    reports = [_report(out, s, "00_evidence_base", "Evidence base") for s in ("all", "brent", "plymouth")]
    reports += [_report(out, c, "04_care_leaver_indicators", "Care leaver indicators")
                for c in ("E06000001", "330")]
    write_site(out, reports)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="councils">' not in index and 'href="#councils"' not in index
    cards = re.findall(r"<h3><a [^>]+>([^<]+)</a></h3>", index)
    assert cards == ["All sites", "Brent", "Plymouth", "Birmingham (330)", "Hartlepool (E06000001)"]
    summary = _section(index, '<h2 id="summary">', '<h2 id="about">')
    assert re.findall(r'<th scope="col">([^<]+)</th>', summary) == [
        "Report", "All sites", "Brent", "Plymouth", "Birmingham (330)", "Hartlepool (E06000001)"]
    assert "<h1>Hartlepool (E06000001): reports</h1>" in (out / "E06000001" / "index.html").read_text()


def test_many_councils_index_is_stable(areas_dir, tmp_path):
    out = tmp_path / "o"
    reports = _many(out)
    first = {p: p.read_bytes() for p in write_site(out, reports)}
    again = {p: p.read_bytes() for p in write_site(out, list(reversed(reports)))}
    assert first == again
    assert index_html([]).count("No report has been built yet") == 1


# --- what the index shows --------------------------------------------------------------------


def test_the_index_shows_site_report_date_and_status_never_cache_state_or_paths(areas_dir, tmp_path):
    """A reader sees ok or failed and the data's date; never "reused" nor the data folder."""
    out = tmp_path / "o"
    secure = "/home/someone/SECURE/evaluation"
    reports = []
    for notebook, status in (("00_a", "ok"), ("01_b", "reused"), ("02_c", "failed"), ("03_d", "up to date")):
        r = _report(out, "brent", notebook, f"Report {notebook}", status)
        r["params"]["data_dir"] = secure
        r["data_date"] = "2024-06-28"
        reports.append(r)
    write_site(out, reports)
    for page in (out / "index.html", out / "brent" / "index.html"):
        text = _visible(page.read_text(encoding="utf-8"))
        assert "reused" not in text and "up to date" not in text
        assert secure not in text and "/home/" not in text and "data_dir" not in text
        assert "2024-06-28" in text
    site_page = (out / "brent" / "index.html").read_text(encoding="utf-8")
    statuses = re.findall(r"<td(?: class=\"cj-status-failed\")?>(ok|failed)</td>", site_page)
    assert statuses == ["ok", "ok", "failed", "failed"]  # an unknown status is not ok
    assert "<th>Data date</th><th>Status</th>" in site_page
