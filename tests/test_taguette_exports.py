"""Taguette highlights exports (CSV and XLSX) read exactly: the highlighted text, once per tag.

Every file here is written by the test in the shape Taguette writes it (see taguette_helpers).
"""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taguette_helpers import write_csv, write_xlsx

from carejourneys.errors import DataWarning
from carejourneys.inputs.loaders import read_coded_segments, split_code_path
from carejourneys.metrics.qualitative import theme_prevalence

LAUGHS = "Mum & Dad came twice <laughs>."
SCORE = "The score went from <10 to >20"
ENTITY = "Tom &amp; Jerry, written &lt;b&gt; by hand"
EMOJI = "Best day 😀👍🏽 — honestly"
CRLF = "first line\r\nsecond line"
FORMULA = "=SUM(A1:A2)"


def _read(path, **kw) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        seg = read_coded_segments(path, **kw)
    return seg, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def _by_id(seg: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(sid.split(":")[0], cp): t for sid, cp, t in zip(seg["segment_id"], seg["code_path"], seg["text"],
                                                             strict=True)}


ROWS = [
    [1, "interview-01", "family", LAUGHS],
    [1, "interview-01", "humour", LAUGHS],
    [2, "interview-01", "outcomes", SCORE],
    [3, "interview-02", "family", ENTITY],
    [4, "interview-02", "wellbeing", EMOJI],
    [5, "interview-03", "housing/accommodation", CRLF],
]


def test_csv_text_is_exactly_what_was_highlighted(tmp_path):
    seg, warned = _read(write_csv(tmp_path / "all_tags.csv", ROWS))
    assert seg.attrs["format"] == "taguette"
    assert warned == []
    assert seg["text"].tolist() == [LAUGHS, LAUGHS, SCORE, ENTITY, EMOJI, "first line\nsecond line"]
    assert seg["segment_id"].tolist() == ["1:1", "1:2", "2", "3", "4", "5"]
    assert seg["source_id"].tolist() == ["interview-01"] * 3 + ["interview-02"] * 2 + ["interview-03"]


def test_file_with_crlf_row_ends_and_a_byte_order_mark(tmp_path):
    p = write_csv(tmp_path / "all_tags.csv", ROWS)
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert p.read_bytes().count(b"\r\n") >= len(ROWS)
    seg, _ = _read(p)
    assert seg["text"].tolist()[:5] == [LAUGHS, LAUGHS, SCORE, ENTITY, EMOJI]


def test_xlsx_text_is_exactly_what_was_highlighted(tmp_path):
    rows = [r if r[3] != CRLF else [*r[:3], "first line\nsecond line"] for r in ROWS]
    seg, warned = _read(write_xlsx(tmp_path / "all_tags.xlsx", rows))
    assert warned == []
    assert seg["text"].tolist() == [LAUGHS, LAUGHS, SCORE, ENTITY, EMOJI, "first line\nsecond line"]


def test_slashed_tag_is_one_code(tmp_path):
    seg, _ = _read(write_csv(tmp_path / "all_tags.csv", ROWS))
    row = seg[seg["segment_id"] == "5"].iloc[0]
    assert split_code_path(row["code_path"]) == ["housing/accommodation"]
    assert row["theme"] == "housing/accommodation"
    assert row["code_path"].split("/") == [row["code_path"]]  # one level even to a naive split
    prev = theme_prevalence(seg, by=[])
    assert len(prev) == seg["code_path"].nunique()


DOTTED = [
    [10, "int-1", "barriers.staffing.turnover", "Three workers left in a year."],
    [11, "int-1", "barriers.staffing", "Nobody stays long."],
    [12, "int-2", "barriers.money", "The grant ran out."],
    [13, "int-2", "enablers", "The hub was always open."],
]


def test_dotted_tags_are_flat_unless_asked_and_the_reader_says_so(tmp_path):
    p = write_csv(tmp_path / "all_tags.csv", DOTTED)
    seg, warned = _read(p)
    assert seg["code_path"].tolist() == ["barriers.staffing.turnover", "barriers.staffing", "barriers.money",
                                         "enablers"]
    assert len(warned) == 1 and "level_separator='.'" in warned[0] and "barriers.staffing" in warned[0]
    seg, warned = _read(p, level_separator=".")
    assert warned == []
    assert seg["code_path"].tolist() == ["barriers/staffing/turnover", "barriers/staffing", "barriers/money",
                                         "enablers"]
    assert seg["theme"].tolist() == ["barriers", "barriers", "barriers", "enablers"]
    counts = theme_prevalence(seg, by=[], level="theme").set_index("theme")["segments"]
    assert counts["barriers"] == 3


def test_dotted_and_slashed_names_together(tmp_path):
    p = write_csv(tmp_path / "all_tags.csv", [[1, "d", "needs.housing/accommodation", "No flat."],
                                              [2, "d", "needs.money", "No cash."]])
    seg, _ = _read(p, level_separator=".")
    assert [split_code_path(c) for c in seg["code_path"]] == [["needs", "housing/accommodation"],
                                                              ["needs", "money"]]


def test_per_tag_export_repeats_are_merged_with_a_warning(tmp_path):
    # Taguette's export of tag "barriers" lists every tag of each matching highlight, once per match:
    # highlight 12 has tags barriers.a and barriers.b (both match) and valence -> each pair twice
    rows = []
    for _ in range(2):
        for tag in ("barriers.a", "barriers.b", "valence"):
            rows.append([12, "int-1", tag, LAUGHS])
    rows.append([13, "int-1", "barriers.a", SCORE])
    seg, warned = _read(write_csv(tmp_path / "tag_barriers.csv", rows))
    assert sorted(_by_id(seg)) == [("12", "barriers.a"), ("12", "barriers.b"), ("12", "valence"),
                                   ("13", "barriers.a")]
    assert len(seg) == 4 and seg["text"].tolist().count(LAUGHS) == 3
    assert any("repeat" in w and "once per code" in w for w in warned)
    assert seg["segment_id"].is_unique


def test_untagged_highlight_rows_are_left_out_with_a_warning(tmp_path):
    rows = [[1, "d", "", "No tag here."], [2, "d", "t", "x y"]]
    seg, warned = _read(write_csv(tmp_path / "all_tags.csv", rows))
    assert seg["segment_id"].tolist() == ["2"]
    assert any("no tag" in w for w in warned)


def test_formula_cells_are_read_as_typed_with_a_warning(tmp_path):
    rows = [[7, "int-1", "numbers", FORMULA], [8, "int-1", "numbers", "=Great, she said"],
            [9, "int-1", "numbers", LAUGHS]]
    p = write_xlsx(tmp_path / "all_tags.xlsx", rows, cached={"SUM(A1:A2)": "0"})
    seg, warned = _read(p)
    assert seg["text"].tolist() == [FORMULA, "=Great, she said", LAUGHS]
    assert len([w for w in warned if "formula" in w]) == 1
    assert "row 2" in warned[0] and "'content'" in warned[0]


# ----------------------------------------------------------------------------- property

_bit = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6),
                 st.sampled_from(["<", ">", "&", "&amp;", "<b>", "</p>", "😀", "\n", "\r\n", " ", "=", "\t"]))
_piece = st.lists(_bit, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip() != "")
_tag = st.sampled_from(["a", "b/c", "d.e", "f & g", "<h>", "ü"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(highlights=st.lists(st.tuples(_piece, st.lists(_tag, min_size=1, max_size=3, unique=True)),
                           min_size=1, max_size=8),
       repeat=st.integers(1, 3), xlsx=st.booleans())
def test_any_highlights_come_back_exactly_once_per_tag(tmp_path, highlights, repeat, xlsx):
    rows = []
    expected = {}
    for hid, (text, tags) in enumerate(highlights, start=1):
        for _ in range(repeat):
            for tag in tags:
                rows.append([hid, f"doc {hid % 2}", tag, text])
                expected[(str(hid), tag)] = text.replace("\r\n", "\n")
    if xlsx:
        if any(r[3].startswith("=") for r in rows):
            return
        p = write_xlsx(tmp_path / "h.xlsx", [[*r[:3], r[3].replace("\r\n", "\n")] for r in rows])
    else:
        p = write_csv(tmp_path / "h.csv", rows)
    seg, _ = _read(p)
    got = {(sid.split(":")[0], split_code_path(cp)[0]): t
           for sid, cp, t in zip(seg["segment_id"], seg["code_path"], seg["text"], strict=True)}
    assert got == expected
    assert len(seg) == len(expected)
