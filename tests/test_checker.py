"""The output checker: leaky pages fail, clean pages pass."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.sdc.checker import (
    Finding,
    OutputCheckError,
    Rules,
    _shape,
    check_html,
    check_outputs,
    raise_for_findings,
    rules_from_data,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A tiny dataset folder in the contract's formats (fresh synthetic values)."""
    d = tmp_path / "data"
    (d / "brent").mkdir(parents=True)
    (d / "young_people.csv").write_text(
        "young_person_id,site,age_band\nQRS-YP-001,brent,18-20\nQRS-YP-002,brent,16-17\nQRS-YP-117,brent,21-25\n",
        encoding="utf-8")
    (d / "pa_survey.csv").write_text("response_id,pa_id,young_person_ref,site\nR1,PA07,QRS-YP-002,brent\n",
                                     encoding="utf-8")
    (d / "brent" / "oc3_2023.csv").write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n483920,01/05/2004,YES,F1,B1\n"
                                              "771204,03/02/2003,NO,G5,C2\n", encoding="utf-8")
    (d / "deny_list.csv").write_text("site,term,tag\nbrent,Wilhelmina Quarrie,name\nbrent,Wilhelmina,name\n"
                                     "all,Saltmarsh Lodge,place\n", encoding="utf-8")
    return d


@pytest.fixture
def rules(data_dir: Path) -> Rules:
    return rules_from_data(data_dir, threshold=5)


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def counts_table(rows: list[tuple[str, str, str]], flagged: bool = True, events: tuple[int, ...] = (),
                 declared: str | None = None) -> str:
    attrs = ' data-cj-counts=\'["brent", "plymouth"]\' data-cj-threshold="5"' if flagged else ""
    attrs += f' data-cj-declared="{declared}"' if declared else ""
    body = "".join(f"<tr{' data-cj-events' if i in events else ''}><th>{a}</th><td>{b}</td><td>{c}</td></tr>"
                   for i, (a, b, c) in enumerate(rows))
    return (f"<table{attrs}><caption>People by method</caption><thead><tr><th>method</th><th>brent</th>"
            f"<th>plymouth</th></tr></thead><tbody>{body}</tbody></table>")


def kinds(findings: list[Finding]) -> list[str]:
    return sorted({f.kind for f in findings})


def test_rules_learn_shapes_numbers_and_terms(rules: Rules):
    assert any(p.search("said QRS-YP-999 today") for p in rules.id_patterns)
    assert any(p.search("PA12") for p in rules.id_patterns)
    assert not any(p.search("QRS-YP-9999") or p.search("wave 3") for p in rules.id_patterns)
    assert rules.table_ids == {"483920", "771204"}
    assert ("Saltmarsh Lodge", "place") in rules.deny_terms


def test_a_clean_page_passes(rules: Rules):
    html = page("<h1>Evidence base</h1><p>Interviews with 45 young people across 2 waves.</p>"
                + counts_table([("interview", "12", "c"), ("focus group", "c", "30"), ("Total", "20", "35")])
                + '<blockquote class="cj-quote"><p>[name] helped me at [place].</p></blockquote>'
                + '<a href="https://www.gov.uk/">DfE</a>'
                + '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">')
    assert check_html(html, "ok.html", rules) == []


def test_identifiers_anywhere_are_found_and_masked(rules: Rules):
    html = page("<p>As QRS-YP-045 told us, the hub mattered.</p><img alt='chart for PA03' src='a.png'>")
    found = check_html(html, "leak.html", rules)
    assert kinds(found) == ["identifier"] and len(found) == 2
    assert all("QRS-YP-045" not in str(f) and "PA03" not in str(f) for f in found)


def test_numeric_ids_count_in_tables_only(rules: Rules):
    assert check_html(page("<p>Checksum 99483920aa and 483920 records</p>"), "p.html", rules) == []
    html = page("<table><tr><th>x</th></tr><tr><td>483920</td></tr></table>")
    assert kinds(check_html(html, "t.html", rules)) == ["identifier"]


def test_row_level_tables_fail(rules: Rules):
    by_header = page("<table><thead><tr><th>young_person_id</th><th>age band</th></tr></thead>"
                     "<tbody><tr><td>x</td><td>18-20</td></tr></tbody></table>")
    assert "row-level table" in kinds(check_html(by_header, "a.html", rules))
    by_dob = page("<table><tr><th>Date of birth</th></tr><tr><td>2004-05-01</td></tr></table>")
    assert "row-level table" in kinds(check_html(by_dob, "b.html", rules))
    by_cells = page("<table><tr><th>who</th><th>score</th></tr><tr><td>QRS-YP-001</td><td>3</td></tr>"
                    "<tr><td>QRS-YP-002</td><td>4</td></tr></table>")
    found = check_html(by_cells, "c.html", rules)
    assert "row-level table" in kinds(found) and "identifier" in kinds(found)
    by_name = page("<table><tr><th>Young person name</th></tr><tr><td>x</td></tr></table>")
    assert "row-level table" in kinds(check_html(by_name, "n.html", rules))
    # a table of activities is not a table of people
    ok = page("<table><tr><th>Name</th><th>activity name</th><th>sessions</th></tr><tr><td>Friday Hub</td>"
              "<td>Hub</td><td>40</td></tr></table>")
    assert check_html(ok, "d.html", rules) == []


def test_small_counts_fail_only_in_flagged_tables(rules: Rules):
    leaky = counts_table([("interview", "3", "12"), ("focus group", "9", "30")])
    found = check_html(page(leaky), "s.html", rules)
    assert kinds(found) == ["small count"] and "row 2" in found[0].where and "'brent'" in found[0].where
    # the same numbers in a table declared not to count people, or in rows counting events
    unflagged = counts_table([("interview", "3", "12")], flagged=False, declared="none")
    assert check_html(page(unflagged), "u.html", rules) == []
    # a table of whole numbers that declares nothing is itself a finding (issue 13, item 11)
    undeclared = check_html(page(counts_table([("interview", "3", "12")], flagged=False)), "u.html", rules)
    assert kinds(undeclared) == ["undeclared table"]
    assert check_html(page(counts_table([("sessions", "3", "2")], events=(0,))), "e.html", rules) == []
    # the table's own threshold wins
    t10 = counts_table([("interview", "7", "12")]).replace('data-cj-threshold="5"', 'data-cj-threshold="10"')
    assert kinds(check_html(page(t10), "t.html", rules)) == ["small count"]


def test_unreplaced_deny_list_terms_fail(rules: Rules):
    found = check_html(page("<blockquote>Then wilhelmina took me to Saltmarsh Lodge.</blockquote>"), "q.html",
                       rules)
    assert kinds(found) == ["deny-list term"] and len(found) == 2
    assert all("Saltmarsh Lodge" not in str(f) and "Wilhelmina" not in str(f) for f in found)
    # escaped entities do not hide a term; a term inside a longer word is not a match
    assert check_html(page("<p>Saltmarsh&#32;Lodge</p>"), "e.html", rules)
    assert check_html(page("<p>Wilhelminas</p>"), "w.html", rules) == []


def test_external_resources_fail(rules: Rules):
    html = ('<html><head><script src="https://cdn.example.org/require.js"></script>'
            '<link rel="stylesheet" href="//fonts.example.com/x.css"><style>@import "https://x.org/a.css";'
            'body{background:url(https://x.org/b.png)}</style></head><body><a href="https://example.org">ok</a>'
            '</body></html>')
    found = check_html(html, "x.html", rules)
    assert kinds(found) == ["external resource"] and len(found) == 4


def test_check_outputs_and_raise(tmp_path: Path, data_dir: Path):
    out = tmp_path / "outputs"
    (out / "brent").mkdir(parents=True)
    (out / "index.html").write_text(page("<p>Reports</p>"), encoding="utf-8")
    (out / "brent" / "01.html").write_text(page("<p>QRS-YP-003 said so</p>"), encoding="utf-8")
    findings = check_outputs(out, data_dir=data_dir)
    assert [f.path for f in findings] == ["brent/01.html"]
    with pytest.raises(OutputCheckError) as e:
        raise_for_findings(findings)
    assert "brent/01.html" in str(e.value) and "QRS-YP-003" not in str(e.value)
    assert e.value.findings == findings
    raise_for_findings([])  # nothing to report: no error
    assert check_outputs(out, data_dir=data_dir, files=[out / "index.html"]) == []


def test_command_line(tmp_path: Path, data_dir: Path, capsys):
    from carejourneys.sdc.checker import main

    out = tmp_path / "outputs"
    out.mkdir()
    (out / "index.html").write_text(page("<p>fine</p>"), encoding="utf-8")
    assert main([str(out), "--data-dir", str(data_dir)]) == 0
    (out / "a.html").write_text(page("<p>Saltmarsh Lodge</p>"), encoding="utf-8")
    assert main([str(out), "--data-dir", str(data_dir)]) == 1
    said = capsys.readouterr().out
    assert "a.html: deny-list term" in said and "2 page(s) checked, 1 finding(s)" in said


def _leaky_notebook() -> nbformat.NotebookNode:
    """An executed notebook that bypassed cj.report: it shows raw rows of a survey."""
    nb = nbformat.v4.new_notebook()
    raw = ("<table border='1' class='dataframe'><thead><tr><th></th><th>respondent_id</th><th>swemwbs_1</th>"
           "</tr></thead><tbody><tr><th>0</th><td>QRS-YP-001</td><td>4</td></tr><tr><th>1</th>"
           "<td>QRS-YP-117</td><td>2</td></tr></tbody></table>")
    cell = nbformat.v4.new_code_cell("ds.prepost_survey.head()", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/html": raw, "text/plain": "..."},
                                           execution_count=1)]
    quote = nbformat.v4.new_code_cell("print(text)", execution_count=2)
    quote.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Wilhelmina Quarrie met me\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Outcomes"), cell, quote]
    return nb


def test_a_deliberately_leaky_notebook_fails_the_checker(tmp_path: Path, rules: Rules):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(_leaky_notebook())
    found = check_html(body, "leaky.html", rules)
    assert {"identifier", "row-level table", "deny-list term"} <= set(kinds(found))


@pytest.mark.slow
def test_pages_built_from_the_bundled_data_pass_if_a_build_exists(tmp_path: Path):
    """When the build and the bundled data exist, the real pages pass (else this is skipped)."""
    build = pytest.importorskip("carejourneys.publish.build")
    from carejourneys.inputs.dataset import bundled_data_dir

    if not (bundled_data_dir() / "manifest.yml").is_file() or not hasattr(build, "run"):
        pytest.skip("no bundled dataset or no build yet")
    notebooks = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("00_*.ipynb"))
    if not notebooks:
        pytest.skip("no notebook to build")
    result = build.run(sites=["plymouth"], notebooks=[notebooks[0].stem], outputs=tmp_path / "out", jobs=1)
    assert result.ok
    assert check_outputs(tmp_path / "out") == []


_word = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=1, max_size=4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_word, st.integers(0, 99999).map(str)), min_size=2, max_size=4),
       st.sampled_from(["-", "", "_"]), st.data())
def test_shape_matches_same_shaped_ids_and_nothing_else(parts, sep, data):
    ident = sep.join(parts)
    rx = _shape(ident)
    has_letter, has_digit = re.search("[A-Z]", ident), re.search(r"\d", ident)
    if not (has_letter and has_digit) or len(ident) < 3:
        assert rx is None
        return
    pattern = re.compile(rx)
    assert pattern.search(f"text {ident}, more")
    # the same letters with other digits of the same lengths
    other = re.sub(r"\d", lambda m: data.draw(st.sampled_from("0123456789")), ident)
    assert pattern.search(f"({other})")
    # a longer run of digits, or a glued letter, makes another token
    if ident[-1].isdigit():
        assert not pattern.search(f"{ident}7 ")
    if ident[0].isalpha():
        assert not pattern.search(f" Z{ident} ")
    assert not pattern.search("In wave 3 of 2021, 45 young people took part.")


def test_findings_render_file_kind_and_place():
    f = Finding("brent/01.html", "small count", "table 1, row 3, column 'brent'", "a count ...")
    assert str(f).startswith("brent/01.html: small count (table 1, row 3, column 'brent')")
    assert json.loads(json.dumps(f.__dict__))["kind"] == "small count"


@pytest.mark.slow
def test_the_build_withholds_a_deliberately_leaky_notebook(tmp_path: Path):
    """A notebook that bypasses cj.report and prints rows of the register fails the build, and
    its page is replaced by a page saying why, without the identifiers."""
    build = pytest.importorskip("carejourneys.publish.build")
    from carejourneys.inputs.dataset import bundled_data_dir

    if not (bundled_data_dir() / "manifest.yml").is_file():
        pytest.skip("no bundled dataset")
    nb = nbformat.v4.new_notebook()
    nb.metadata["carejourneys"] = {"title": "Leaky", "sites": ["plymouth"]}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('site = "plymouth"\ndata_dir = None\ndisclosure_threshold = 5')
    params.metadata["tags"] = ["parameters"]
    leak = nbformat.v4.new_code_cell(
        "import carejourneys as cj\nfrom IPython.display import HTML, display\n"
        "ctx = cj.report.setup(site=site, data_dir=data_dir, disclosure_threshold=disclosure_threshold)\n"
        "display(HTML(ctx.ds.young_people.head(3).to_html()))")
    nb.cells = [nbformat.v4.new_markdown_cell("# Leaky"), params, leak]
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    nbformat.write(nb, nbs / "99_leaky.ipynb")
    result = build.run(notebooks_dir=nbs, outputs=tmp_path / "out", jobs=1, quiet=True)
    assert not result.ok
    (report,) = result.reports
    assert "output check" in (report.error or "")
    page = (tmp_path / "out" / "plymouth" / "99_leaky.html").read_text(encoding="utf-8")
    ids = rules_from_data(bundled_data_dir()).id_patterns
    assert not any(p.search(page) for p in ids)
    assert check_outputs(tmp_path / "out") == []  # what is left is safe to publish
