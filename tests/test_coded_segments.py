"""read_coded_segments: Taguette highlights, the generic long format, XLSX, and bad rows."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from carejourneys.errors import DataError
from carejourneys.inputs.loaders import read_coded_segments
from carejourneys.inputs.loaders.coded import normalise_code_path
from carejourneys.metrics.qualitative import theme_prevalence


def _csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_taguette_highlights(tmp_path):
    p = _csv(tmp_path / "highlights.csv", [
        ["id", "document", "tag", "content"],
        ["12", "interview-01", "Barriers", "Buses were <late> &amp; rare"],
        ["12", "interview-01", "Valence.negative", "Buses were <late> &amp; rare"],
        ["13", "interview-02", "Enablers", "A good worker"],
    ])
    seg = read_coded_segments(p)
    assert seg.attrs["format"] == "taguette"
    assert seg["segment_id"].tolist() == ["12:1", "12:2", "13"]
    # Taguette writes plain text: markup-looking characters and entities are the speaker's words
    assert seg.loc[0, "text"] == "Buses were <late> &amp; rare"
    assert seg["source_id"].tolist() == ["interview-01", "interview-01", "interview-02"]
    assert seg["theme"].tolist() == ["Barriers", "Valence.negative", "Enablers"]
    assert seg["start"].isna().all() and str(seg["start"].dtype) == "Int64"
    # the metrics work on it
    prev = theme_prevalence(seg, by=[]).set_index("theme")
    assert prev.loc["Barriers", "sources"] == 1


def test_generic_long_format_with_aliases_xlsx(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Coding"
    ws.append(["Document", "Node", "Coded text", "Start position", "End position", "Coded by", "Speaker",
               "Role", "Wave", "Date", "Note"])
    ws.append(["T1", "Nodes\\Collaboration\\Leading by example", "They showed us how", 10, 28, "AB", "P1",
               "Manager", 2, "2021-03-04", "x"])
    ws.append(["T1", "Collaboration::Strategic support", "Backing from the top", 40, 60, "AB", "P1",
               "Manager", 2, "2021-03-04", ""])
    ws.append(["T2", "Barriers > Time", "No time", None, None, "CD", "P2", "Staff member", 3, "05/06/2023",
               ""])
    wb.save(tmp_path / "export.xlsx")
    seg = read_coded_segments(tmp_path / "export.xlsx")
    assert seg.attrs["format"] == "generic"
    assert seg["code_path"].tolist() == ["Collaboration/Leading by example",
                                         "Collaboration/Strategic support", "Barriers/Time"]
    assert seg["theme"].tolist() == ["Collaboration", "Collaboration", "Barriers"]
    assert seg["start"].tolist()[:2] == [10, 40] and pd.isna(seg.loc[2, "start"])
    assert seg["wave"].tolist() == [2, 2, 3]
    assert seg.loc[2, "date"] == pd.Timestamp("2023-06-05")
    assert seg["speaker_id"].tolist() == ["P1", "P1", "P2"]
    assert seg["coder"].tolist() == ["AB", "AB", "CD"]
    assert seg["segment_id"].tolist() == ["export:2", "export:3", "export:4"]
    assert "note" in seg.columns


def test_contract_csv_reads_as_generic(tmp_path):
    from carejourneys.inputs.schemas import SOURCES

    cols = SOURCES["coded_segments"].columns
    row = {"segment_id": "SEG1", "source_id": "s", "site": "brent", "speaker_id": "p", "role": "Manager",
           "seniority": "manager", "wave": "1", "date": "2020-01-02", "code_path": "Enablers",
           "theme": "Enablers", "text": "ok", "start": "0", "end": "2", "coder": "coder_a"}
    p = _csv(tmp_path / "coded_segments.csv", [cols, [row[c] for c in cols]])
    seg = read_coded_segments(p)
    assert set(cols) <= set(seg.columns)
    assert seg.loc[0, "segment_id"] == "SEG1" and seg.loc[0, "end"] == 2


def test_problems_name_rows_and_columns(tmp_path):
    p = _csv(tmp_path / "bad.csv", [
        ["source", "code", "excerpt", "start", "end", "wave"],
        ["s1", "Enablers", "fine", "0", "4", "1"],
        ["", "Enablers", "no source", "0", "4", "1"],
        ["s1", "", "no code", "2.5", "4", "x"],
        ["s1", "Barriers", "backwards", "9", "3", "2"],
    ])
    with pytest.raises(DataError) as e:
        read_coded_segments(p)
    got = {(pr.row, pr.column) for pr in e.value.problems}
    assert got == {(3, "source"), (4, "code"), (4, "start"), (4, "wave"), (5, "end")}
    assert e.value.path.endswith("bad.csv")


def test_missing_required_columns(tmp_path):
    p = _csv(tmp_path / "m.csv", [["document", "something"], ["a", "b"]])
    with pytest.raises(DataError) as e:
        read_coded_segments(p)
    assert {pr.column for pr in e.value.problems} == {"code_path", "text"}
    assert all(pr.row == 1 for pr in e.value.problems)


_part = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\:>%"),
                min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(_part, min_size=1, max_size=4), sep=st.sampled_from(["/", "::", " > ", "\\"]))
def test_code_path_separators_property(parts, sep):
    written = sep.join(parts)
    if sep == "\\":
        written = "Nodes\\" + written
    assert normalise_code_path(written) == "/".join(parts)


_cell = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n\t")),
                min_size=1, max_size=30).filter(lambda t: t.strip() != "")


@pytest.mark.filterwarnings("ignore::carejourneys.errors.DataWarning")  # random spans look like paragraphs
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_cell, min_size=1, max_size=6), data=st.data())
def test_generic_csv_round_trip_property(tmp_path_factory, texts, data):
    rows = [["segment_id", "source_id", "code_path", "text", "start", "end"]]
    spans = []
    for k, t in enumerate(texts):
        a = data.draw(st.integers(0, 1000))
        b = data.draw(st.integers(a, 2000))
        spans.append((a, b))
        rows.append([f"id{k}", f"doc {k % 2}", "Programme learning/Governance", t, str(a), str(b)])
    p = _csv(tmp_path_factory.mktemp("c") / "x.csv", rows)
    seg = read_coded_segments(p)
    assert seg["text"].tolist() == texts  # text is data: kept exactly, spaces included
    assert list(zip(seg["start"], seg["end"], strict=True)) == spans
    assert seg["segment_id"].tolist() == [f"id{k}" for k in range(len(texts))]


def test_synthetic_exports_read_to_the_same_segments(synthetic_dir):
    """The bundled coded_segments.csv, checked against the transcripts, matches each site's .qdpx."""
    import warnings

    from carejourneys.inputs.loaders import read_qdpx

    texts = {p.stem: p.read_text(encoding="utf-8") for p in (synthetic_dir / "transcripts").glob("*.txt")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seg = read_coded_segments(synthetic_dir / "coded_segments.csv", texts=texts)
    cols = ["segment_id", "source_id", "code_path", "theme", "text", "start", "end"]
    for site in ("brent", "plymouth"):
        q = read_qdpx(synthetic_dir / f"{site}.qdpx").segments[cols].sort_values("segment_id")
        c = seg.loc[seg["site"] == site, cols].sort_values("segment_id")
        pd.testing.assert_frame_equal(q.reset_index(drop=True), c.reset_index(drop=True), check_dtype=False)


def test_maxqda_coded_segments_export(tmp_path):
    """MAXQDA's export: text in "Segment", codes as "Parent\\Child", Begin/End as paragraph numbers."""
    import warnings

    from carejourneys.errors import DataWarning

    p = _csv(tmp_path / "coded segments.csv", [
        ["Color", "Document group", "Document name", "Code", "Begin", "End", "Weight score", "Segment",
         "Comment", "Created by"],
        ["#ff0000", "Plymouth", "PLY-I-001", "Barriers\\Housing/accommodation", "3", "3", "0",
         "We had nowhere to live & nobody <would> help.", "", "AB"],
        ["#00ff00", "Plymouth", "PLY-I-001", "Enablers", "5", "6", "0",
         "The advice line helped us a great deal.", "", "AB"],
    ])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        seg = read_coded_segments(p)
    assert seg["text"].tolist() == ["We had nowhere to live & nobody <would> help.",
                                    "The advice line helped us a great deal."]
    assert seg["code_path"].tolist() == ["Barriers/Housing%2Faccommodation", "Enablers"]
    assert seg["coder"].tolist() == ["AB", "AB"]
    assert any("paragraph or line numbers" in str(w.message) for w in caught)
