"""Issue 13 item 11: the checker's blind spots (formats, Unicode, personal details, undeclared tables,
escaped text taken for resources) and the per-page entry point the build calls before publishing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.sdc.checker import Rules, check_html, check_page, rules_from_data

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "synthetic"


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def kinds(findings) -> set[str]:
    return {f.kind for f in findings}


@pytest.fixture
def xlsx_data(tmp_path: Path) -> Path:
    """The same kind of dataset as the CSV one, but every table an .xlsx workbook."""
    from openpyxl import Workbook

    d = tmp_path / "data"
    d.mkdir()

    def book(name: str, rows: list[list[str]]) -> None:
        wb = Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(d / name)

    book("young_people.xlsx", [["young_person_id", "site", "age_band"], ["KLM-YP-001", "brent", "18-20"],
                               ["KLM-YP-002", "brent", "16-17"]])
    book("deny_list.xlsx", [["site", "term", "tag"], ["brent", "Ottoline Vancebridge", "name"],
                            ["all", "Marram Quay Hostel", "place"]])
    (d / "brent").mkdir()
    wb_rows = [["CHILD", "DOB", "IN_TOUCH"], ["583921", "01/05/2004", "YES"], ["671204", "03/02/2003", "NO"]]
    book("brent/oc3_2023.xlsx", wb_rows)
    return d


def test_rules_are_learnt_from_xlsx_too(xlsx_data: Path):
    rules = rules_from_data(xlsx_data)
    assert any(p.search("KLM-YP-077 said") for p in rules.id_patterns)
    assert ("Ottoline Vancebridge", "name") in rules.deny_terms
    assert {"583921", "671204"} <= rules.table_ids
    found = check_html(page("<blockquote>Ottoline Vancebridge took me to Marram Quay Hostel, said KLM-YP-002"
                            "</blockquote>"), "q.html", rules)
    assert [f.kind for f in found].count("deny-list term") == 2 and "identifier" in kinds(found)


@pytest.mark.skipif(not (BUNDLED / "plymouth.qdpx").is_file(), reason="no bundled QDPX project")
def test_rules_are_learnt_from_a_qdpx_project(tmp_path: Path):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(BUNDLED / "plymouth.qdpx", d / "plymouth.qdpx")
    rules = rules_from_data(d)
    assert any(p.search("as PLY-ST-099 said") for p in rules.id_patterns)


def test_a_missing_folder_gives_empty_rules(tmp_path: Path):
    rules = rules_from_data(tmp_path / "nowhere")
    assert rules.id_patterns == [] and rules.deny_terms == []


def test_unicode_tricks_do_not_hide_terms_or_identifiers():
    rules = Rules(id_patterns=[], deny_terms=[("Wilhelmina", "name"), ("Saltmarsh Lodge", "place")])
    for trick in ("Wil\u00adhelmina", "Wil\u200bhelmina", "Wilhel\u200cmina", "Wil\u2060helmina",
                  "\ufeffWilhelmina", "ＷＩＬＨＥＬＭＩＮＡ", "Wil&shy;helmina", "Wil&#8203;helmina",
                  "Saltmarsh\u00a0Lodge", "<b>Wil</b>helmina"):
        found = check_html(page(f"<p>Then {trick} came</p>"), "u.html", rules)
        assert "deny-list term" in kinds(found), trick
    # and a deny term written with a soft hyphen in the list still matches the plain word
    odd = Rules(deny_terms=[("Wil\u00adhelmina", "name")])
    assert "deny-list term" in kinds(check_html(page("<p>wilhelmina</p>"), "u.html", odd))


@pytest.mark.parametrize("text", [
    "call 07700 900123", "call 07700.900.123", "call +44 (0)7700 900123", "call 0044 7700 900123",
    "mail jo.smith@example.org", "mail zoë@exämple.co.uk", "lives in PL4 8AA", "NI QQ 12 34 56 C",
    "UPN A123456789012", "ring 0\u200b7700 900123",
])
def test_personal_details_in_page_text_are_found(text):
    found = check_html(page(f"<p>{text}</p>"), "p.html", Rules())
    assert kinds(found) == {"personal detail"}, (text, found)
    assert all(text.split()[-1] not in str(f) for f in found)  # masked


def test_personal_details_in_alt_text_are_found_but_not_css_or_scripts():
    assert kinds(check_html(page('<img src="a.png" alt="map of PL4 8AA">'), "a.html", Rules())) == {
        "personal detail"}
    css = ("<html><head><style>h1 2px {margin: 0} .a{font: 12px x} @media print{}</style>"
           "<script>var a = '07700 900123';</script></head><body><p>fine</p></body></html>")
    assert check_html(css, "c.html", Rules()) == []


def test_ordinary_page_text_is_not_a_personal_detail():
    html = page("<p>In 2021-2022, 45 young people took part in 12 sessions (p = 0.062); wave 3 of 2023.</p>"
                "<p>Contact the evaluation team through the programme office.</p><p>Q1 2023: 3.5%</p>"
                "<p>[phone] and [email] were removed</p>")
    assert check_html(html, "o.html", Rules()) == []


def _int_table(attrs: str = "") -> str:
    return (f"<table{attrs}><caption>By activity</caption><thead><tr><th>activity</th><th>Plymouth</th>"
            "<th>Brent</th></tr></thead><tbody><tr><th>Cooking</th><td>12</td><td>c</td></tr>"
            "<tr><th>Football</th><td>7</td><td>15</td></tr><tr><th>Total</th><td>1,204</td><td>22</td></tr>"
            "</tbody></table>")


def test_undeclared_integer_tables_are_found():
    assert kinds(check_html(page(_int_table()), "t.html", Rules())) == {"undeclared table"}
    assert check_html(page(_int_table(' data-cj-declared="none"')), "t.html", Rules()) == []
    assert check_html(page(_int_table(' data-cj-declared="people"')), "t.html", Rules()) == []
    assert check_html(page(_int_table(' data-cj-counts=\'["Plymouth"]\' data-cj-threshold="5"')), "t.html",
                      Rules()) == []
    # labels in td cells: one column of counts is enough
    labels = ("<table><tr><th>group</th><th>unit</th><th>n</th></tr><tr><td>Young people</td><td>people</td>"
              "<td>25</td></tr><tr><td>Council staff</td><td>people</td><td>c</td></tr>"
              "<tr><td>Stakeholders</td><td>events</td><td>12</td></tr></table>")
    assert kinds(check_html(page(labels), "l.html", Rules())) == {"undeclared table"}
    # a table of words or of decimals is not a table of counts
    words = ("<table><tr><th>a</th><th>b</th></tr><tr><td>yes</td><td>no</td></tr>"
             "<tr><td>x</td><td>1</td></tr></table>")
    decimals = "<table><tr><th>a</th><th>b</th></tr><tr><td>0.52</td><td>1.5</td></tr></table>"
    assert check_html(page(words + decimals), "w.html", Rules()) == []


def test_escaped_text_in_a_cell_is_not_an_external_resource():
    shown = page("<table data-cj-declared='none'><tr><th>code</th></tr><tr><td>&lt;img src=http://x&gt;</td></tr>"
                 "<tr><td>&lt;script src=\"https://x.org/a.js\"&gt;&lt;/script&gt;</td></tr>"
                 "<tr><td>url(https://x.org/b.png) and @import \"https://x.org/c.css\"</td></tr></table>")
    assert check_html(shown, "e.html", Rules()) == []
    real = ('<html><head><link rel="stylesheet" href="https://x.org/a.css"><script src="https://x.org/a.js">'
            '</script><style>body{background:url(https://x.org/b.png)}</style></head><body>'
            '<img src="http://x/a.png" alt="a"><p style="background:url(//x.org/c.png)">p</p></body></html>')
    assert [f.kind for f in check_html(real, "r.html", Rules())] == ["external resource"] * 5


def test_check_page_is_the_per_page_entry_point():
    rules = Rules(deny_terms=[("Wilhelmina", "name")])
    assert check_page(page("<p>fine</p>"), name="plymouth/01.html", rules=rules) == []
    (f,) = check_page(page("<p>Wilhelmina</p>"), name="plymouth/01.html", rules=rules)
    assert f.path == "plymouth/01.html" and f.kind == "deny-list term"


DETAILS = ["07700 900123", "07700.900.123", "+44 (0)7700 900123", "0044 7700 900123",
           "jo.smith@example.org", "zoë@exämple.co.uk", "PL4 8AA", "QQ 12 34 56 C", "A123456789012",
           "0117 496 0123", "(01752) 123456"]
FILLER = ["we", "met", "at", "the", "hub", "in", "2021", "45", "young people", "p = 0.062", "wave 3", ",",
          "."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FILLER), st.sampled_from(DETAILS)), min_size=1, max_size=12))
def test_property_checker_and_anonymiser_agree(words):
    """What the anonymiser replaces the checker finds, and after anonymising the checker finds nothing."""
    from carejourneys.sdc.anonymise import anonymise

    text = " ".join(words)
    before = check_html(page(f"<p>{text}</p>"), "p.html", Rules())
    after = check_html(page(f"<p>{anonymise(text).text}</p>"), "p.html", Rules())
    assert after == [], (text, after)
    assert bool(before) == any(w in DETAILS for w in words), (text, before)


def test_rules_are_learnt_from_a_coding_export(tmp_path: Path):
    """A Taguette or generic coding export names its speakers 'speaker' or 'participant'."""
    d = tmp_path / "data"
    d.mkdir()
    export = "id,document,tag,content,participant\n1,doc1,Barriers,text,TUV-P-0042\n"
    (d / "coding_export.csv").write_text(export, encoding="utf-8")
    assert any(p.search("TUV-P-9999 said") for p in rules_from_data(d).id_patterns)


def test_an_unreadable_file_is_named_not_fatal(xlsx_data: Path):
    (xlsx_data / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (xlsx_data / "~$young_people.xlsx").write_bytes(b"lock")
    rules = rules_from_data(xlsx_data)
    assert [u.split(":")[0] for u in rules.unread] == ["broken.xlsx"]
    assert ("Ottoline Vancebridge", "name") in rules.deny_terms
