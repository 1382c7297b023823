"""read_taguette: Taguette's project database (.sqlite3) -> exact text, code-point positions, tags.

The databases are built by the tests in Taguette's schema (see taguette_helpers).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taguette_helpers import TaguetteDb, plain_to_html

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders import read_taguette, split_code_path
from carejourneys.inputs.loaders.qdpx import Limits
from carejourneys.inputs.loaders.taguette import html_text

DOC1 = "Interviewer: How was it?\r\nMum & Dad came twice <laughs>. 😀\nThe score went from <10 to >20"
DOC2 = "Café talk: naïve hopes & “quotes”.\n\nSecond paragraph 👍🏽 here."


def _read(path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        proj = read_taguette(path, **kw)
    return proj, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def _project(tmp_path, nested=False):
    db = TaguetteDb(tmp_path / "2024-01-01_evaluation.sqlite3", nested_tags=nested)
    d1 = db.add_document("interview 1", plain_to_html(DOC1.replace("\r\n", "\n")))
    d2 = db.add_document("interview 2", plain_to_html(DOC2))
    family = db.add_tag("family")
    housing = db.add_tag("housing/accommodation")
    score = db.add_tag("outcomes")
    db.add_highlight(d1, "Mum & Dad came twice <laughs>.", [family, housing])
    db.add_highlight(d1, "The score went from <10 to >20", [score], user="bob")
    db.add_highlight(d2, "naïve hopes & “quotes”", [family])
    db.add_highlight(d2, "👍🏽 here", [])
    return db.close()


def test_exact_text_and_code_point_positions(tmp_path):
    proj, warned = _read(_project(tmp_path))
    seg = proj.segments
    assert seg["text"].tolist() == ["Mum & Dad came twice <laughs>.", "Mum & Dad came twice <laughs>.",
                                    "The score went from <10 to >20", "naïve hopes & “quotes”"]
    for r in seg.itertuples():
        assert proj.texts[r.source_id][r.start:r.end] == r.text
    assert seg["segment_id"].tolist() == ["1:1", "1:2", "2", "3"]
    assert seg["coder"].tolist() == ["admin", "admin", "bob", "admin"]
    assert proj.texts["interview 1"] == DOC1.replace("\r\n", "\n")
    assert any("no tag" in w for w in warned)


def test_untagged_highlights_are_kept_apart(tmp_path):
    proj, _ = _read(_project(tmp_path))
    hl = proj.highlights.set_index("highlight_id")
    assert hl.loc[4, "text"] == "👍🏽 here" and hl.loc[4, "n_tags"] == 0
    assert 4 not in set(proj.segments["highlight_id"])
    assert hl["n_tags"].tolist() == [2, 1, 1, 0]


def test_slashed_tag_names_stay_one_code(tmp_path):
    proj, _ = _read(_project(tmp_path))
    codes = proj.codes.set_index("name")
    assert split_code_path(codes.loc["housing/accommodation", "code_path"]) == ["housing/accommodation"]
    assert codes["n_highlights"].to_dict() == {"family": 2, "housing/accommodation": 1, "outcomes": 1}
    assert set(proj.segments["theme"]) == {"family", "housing/accommodation", "outcomes"}


def test_nested_tags_give_the_hierarchy(tmp_path):
    db = TaguetteDb(tmp_path / "nested.sqlite3", nested_tags=True)
    d = db.add_document("d", plain_to_html("Staff left. Money ran out."))
    top = db.add_tag("barriers")
    staff = db.add_tag("staffing", parent=top)
    db.add_highlight(d, "Staff left.", [staff])
    proj, warned = _read(db.close())
    assert proj.segments["code_path"].tolist() == ["barriers/staffing"]
    assert proj.codes.set_index("name")["depth"].to_dict() == {"barriers": 0, "staffing": 1}
    assert warned == []


def test_dotted_tags_opt_in(tmp_path):
    db = TaguetteDb(tmp_path / "dotted.sqlite3")
    d = db.add_document("d", plain_to_html("Staff left. Money ran out."))
    a = db.add_tag("barriers.staffing")
    b = db.add_tag("barriers.money")
    db.add_highlight(d, "Staff left.", [a])
    db.add_highlight(d, "Money ran out.", [b])
    path = db.close()
    proj, warned = _read(path)
    assert proj.segments["code_path"].tolist() == ["barriers.staffing", "barriers.money"]
    assert any("level_separator='.'" in w for w in warned)
    proj, warned = _read(path, level_separator=".")
    assert proj.segments["code_path"].tolist() == ["barriers/staffing", "barriers/money"]
    assert proj.segments["theme"].tolist() == ["barriers", "barriers"]


def test_file_is_opened_read_only_and_left_unchanged(tmp_path):
    path = _project(tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    os.chmod(path, 0o444)
    try:
        _read(path)
    finally:
        os.chmod(path, 0o644)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no journal or -wal left beside it


def test_several_projects_need_a_choice(tmp_path):
    db = TaguetteDb(tmp_path / "server.sqlite3")
    other = db.add_project("Other study")
    db.add_document("mine", plain_to_html("one two"))
    db.add_document("theirs", plain_to_html("three four"), project_id=other)
    path = db.close()
    with pytest.raises(DataError, match="2 projects"):
        read_taguette(path)
    proj, _ = _read(path, project="Other study")
    assert proj.sources["source_id"].tolist() == ["theirs"]
    assert read_taguette(path, project=1).sources["source_id"].tolist() == ["mine"]


@pytest.mark.parametrize("data,message", [
    (b"", "not an SQLite database"),
    (b"id,document,tag,content\n", "not an SQLite database"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "cannot be read"),
])
def test_not_a_database(tmp_path, data, message):
    p = tmp_path / "x.sqlite3"
    p.write_bytes(data)
    with pytest.raises(DataError, match=message) as e:
        read_taguette(p)
    assert e.value.path == str(p)


def test_not_a_taguette_database(tmp_path):
    p = tmp_path / "other.sqlite3"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(DataError, match="not a Taguette project: no table documents, tags, highlights"):
        read_taguette(p)


def test_highlights_outside_their_document_name_row_and_column(tmp_path):
    db = TaguetteDb(tmp_path / "bad.sqlite3")
    d = db.add_document("d", plain_to_html("short text"))
    t = db.add_tag("t")
    db.add_highlight(d, "short", [t])
    db.add_highlight(d, "text", [t], offsets=(6, 400))
    db.add_highlight(d, "text", [t], offsets=(500, 600))
    with pytest.raises(DataError) as e:
        read_taguette(db.close())
    got = [(p.row, p.column) for p in e.value.problems]
    assert got == [(2, "end_offset"), (3, "start_offset")]
    assert all("highlights" in p.path for p in e.value.problems)


def test_limits_apply(tmp_path):
    path = _project(tmp_path)
    with pytest.raises(DataError, match="documents, over the limit of 1"):
        read_taguette(path, limits=Limits(max_members=1))
    with pytest.raises(DataError, match="over the limit of 10"):
        read_taguette(path, limits=Limits(max_member_bytes=10))
    with pytest.raises(DataError, match="(tags|highlights), over the limit of 2"):
        read_taguette(path, limits=Limits(max_records=2))
    with pytest.raises(DataError, match="database is .* bytes, over the limit"):
        read_taguette(path, limits=Limits(max_total_bytes=100))


def test_html_text_follows_taguette_counting():
    assert html_text("<p>a &amp; b</p>\n<p>c<br>d &lt;e&gt;</p>") == "a & b\ncd <e>"
    assert html_text("\n  <p>x</p>") == "x"
    assert html_text("<p>x\r\ny</p>") == "x\ny"


_word = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(_word, min_size=2, max_size=12), data=st.data())
def test_any_text_comes_back_exactly(tmp_path_factory, words, data):
    text = " ".join(words)
    db = TaguetteDb(tmp_path_factory.mktemp("t") / "p.sqlite3")
    d = db.add_document("d", plain_to_html(text))
    t = db.add_tag("t")
    spans = []
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(words) - 1))
        j = data.draw(st.integers(i, len(words) - 1))
        piece = " ".join(words[i:j + 1])
        start = len(" ".join(words[:i])) + (1 if i else 0)
        spans.append((start, start + len(piece), piece))
        text_bytes = text.encode("utf-8")
        b0 = len(text[:start].encode("utf-8"))
        db.add_highlight(d, piece, [t], offsets=(b0, b0 + len(piece.encode("utf-8"))))
        assert text_bytes[b0:b0 + len(piece.encode("utf-8"))].decode("utf-8") == piece
    proj, _ = _read(db.close())
    got = list(zip(proj.segments["start"], proj.segments["end"], proj.segments["text"], strict=True))
    assert sorted(got) == sorted(spans)
    assert isinstance(proj.segments, pd.DataFrame)
