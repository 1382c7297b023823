"""The documented check of position columns: inside the text; a warning for paragraph numbers."""

from __future__ import annotations

import csv
import warnings

import pandas as pd
import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders import check_positions, read_coded_segments

TEXT = "Interviewer: and then?\nWe finally got a flat near the college. It changed everything for me."
A = "We finally got a flat near the college."
B = "It changed everything for me."


def _csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["source", "code", "text", "begin", "end"], *rows])
    return path


def _read(path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        seg = read_coded_segments(path, **kw)
    return seg, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def _span(piece):
    s = TEXT.index(piece)
    return [str(s), str(s + len(piece))]


def test_character_positions_pass_quietly(tmp_path):
    p = _csv(tmp_path / "c.csv", [["int-1", "Housing", A, *_span(A)], ["int-1", "Outcomes", B, *_span(B)]])
    seg, warned = _read(p, texts={"int-1": TEXT})
    assert warned == []
    assert [TEXT[s:e] for s, e in zip(seg["start"], seg["end"], strict=True)] == [A, B]


def test_paragraph_numbers_are_flagged(tmp_path):
    p = _csv(tmp_path / "p.csv", [["int-1", "Housing", A, "2", "2"], ["int-1", "Outcomes", B, "2", "3"]])
    seg, warned = _read(p)
    assert len(warned) == 1
    assert "look like paragraph or line numbers" in warned[0] and "'begin'/'end'" in warned[0]
    assert "row 2: 2-2" in warned[0]
    assert seg["start"].tolist() == [2, 2]  # read as written; the warning says not to rely on them


def test_positions_outside_the_text_name_row_and_column(tmp_path):
    p = _csv(tmp_path / "o.csv", [["int-1", "Housing", A, *_span(A)],
                                  ["int-1", "Outcomes", B, "60", "400"],
                                  ["int-1", "Outcomes", B, "300", "329"]])
    with pytest.raises(DataError) as e:
        _read(p, texts={"int-1": TEXT})
    assert [(pr.row, pr.column) for pr in e.value.problems] == [(3, "end"), (4, "begin")]
    assert "outside the text of 'int-1'" in e.value.problems[0].message


def test_span_not_holding_its_excerpt_is_a_warning(tmp_path):
    s, e = _span(A)
    p = _csv(tmp_path / "m.csv", [["int-1", "Housing", A, str(int(s) + 1), str(int(e) + 1)]])
    _, warned = _read(p, texts={"int-1": TEXT})
    assert any("does not hold the excerpt" in w and "row 2" in w for w in warned)


def test_check_positions_on_a_frame():
    seg = pd.DataFrame({"source_id": ["a", "a"], "text": ["x" * 40, "y" * 40],
                        "start": pd.array([1, 2], dtype="Int64"), "end": pd.array([1, 3], dtype="Int64")})
    with pytest.warns(DataWarning, match="paragraph"):
        assert check_positions(seg) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        problems = check_positions(seg.assign(end=pd.array([1, 99], dtype="Int64")), {"a": "z" * 50},
                                   path="f.csv")
    assert [(p.path, p.row, p.column) for p in problems] == [("f.csv", 3, "end")]
