"""write_qdpx -> XSD validation -> read_qdpx gives the same segments; determinism; bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from carejourneys.errors import DataError
from carejourneys.inputs.loaders import read_qdpx, write_qdpx
from carejourneys.inputs.schemas import SOURCES, code_paths

XSD = Path(__file__).resolve().parents[2] / "shared" / "samples" / "qdpx" / "Project.xsd"

TEXTS = {
    "int-001": "Interviewer: How was it?\nIt helped me meet people 😀 and feel less alone.\n"
               "Some weeks were hard.",
    "fg-002": "Facilitator: Thoughts?\nA: The board moved slowly on decisions.\n"
              "B: We shared what we learned.",
    "int-003": "Working with the council felt more equal by the end.",
}


def _segments() -> pd.DataFrame:
    spans = [
        ("s-01", "int-001", "Outcomes for young people/Social connections", "It helped me meet people", "P01",
         "Young person", "not_applicable", 1, "2020-02-03", "coder_a"),
        ("s-02", "int-001", "Valence/Positive", "It helped me meet people 😀 and feel less alone.", "P01",
         "Young person", "not_applicable", 1, "2020-02-03", "coder_a"),
        ("s-03", "int-001", "Barriers", "Some weeks were hard.", "P01", "Young person", "not_applicable", 1,
         "2020-02-03", "coder_b"),
        ("s-04", "fg-002", "Programme learning/Decision-making and momentum",
         "The board moved slowly on decisions.", "P02", "Manager", "manager", 2, "2021-05-06", "coder_a"),
        ("s-05", "fg-002", "Five outcomes/Learning shared", "We shared what we learned.", "P03",
         "Staff member", "practitioner", 2, "2021-05-06", "coder_a"),
        ("s-06", "int-003", "Five outcomes/Robust partnership", TEXTS["int-003"], "P04", "Senior leader",
         "senior_leader", 3, "2023-09-10", "coder_b"),
    ]
    rows = []
    for sid, src, code, text, spk, role, sen, wave, date, coder in spans:
        start = TEXTS[src].index(text)
        rows.append({"segment_id": sid, "source_id": src, "site": "plymouth", "speaker_id": spk, "role": role,
                     "seniority": sen, "wave": wave, "date": date, "code_path": code,
                     "theme": code.split("/")[0], "text": text, "start": start, "end": start + len(text),
                     "coder": coder})
    df = pd.DataFrame(rows)[SOURCES["coded_segments"].columns]
    df["wave"] = df["wave"].astype("Int64")
    df["start"] = df["start"].astype("Int64")
    df["end"] = df["end"].astype("Int64")
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    return SOURCES["coded_segments"].schema.validate(df)


def _contract(frame: pd.DataFrame) -> pd.DataFrame:
    cols = SOURCES["coded_segments"].columns
    return frame[cols].sort_values("segment_id").reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".qdpx", ".qde"])
def test_round_trip_gives_the_same_segments(tmp_path, suffix):
    seg = _segments()
    path = write_qdpx(tmp_path / f"plymouth{suffix}", seg, TEXTS, codebook=code_paths())
    proj = read_qdpx(path)
    back = SOURCES["coded_segments"].schema.validate(_contract(proj.segments))
    pd.testing.assert_frame_equal(back, _contract(seg), check_dtype=False)
    assert len(proj.codes) == len(code_paths())
    assert set(proj.texts) == set(TEXTS) and all(proj.texts[k] == v for k, v in TEXTS.items())
    # the focus group has two people: each keeps their own role
    fg = proj.segments[proj.segments["source_id"] == "fg-002"].set_index("segment_id")
    assert fg.loc["s-04", "role"] == "Manager" and fg.loc["s-05", "role"] == "Staff member"


@pytest.mark.skipif(not XSD.is_file(), reason="../shared/samples/qdpx/Project.xsd is absent")
@pytest.mark.parametrize("suffix", [".qdpx", ".qde"])
def test_written_project_validates_against_the_official_xsd(tmp_path, suffix):
    path = write_qdpx(tmp_path / f"p{suffix}", _segments(), TEXTS, codebook=code_paths())
    if suffix == ".qdpx":
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert names[0] == "project.qde" and all(n.startswith("sources/") for n in names[1:])
            xml = zf.read("project.qde")
    else:
        xml = path.read_bytes()
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), schema.error_log


def test_writing_is_byte_identical(tmp_path):
    a = write_qdpx(tmp_path / "a.qdpx", _segments(), TEXTS).read_bytes()
    b = write_qdpx(tmp_path / "b.qdpx", _segments().sample(frac=1, random_state=3), TEXTS).read_bytes()
    assert a == b


def test_segments_that_do_not_fit_their_text_are_refused(tmp_path):
    seg = _segments()
    seg.loc[0, "end"] = 10_000
    seg.loc[1, "text"] = "something else"
    seg.loc[2, "source_id"] = "unknown"
    with pytest.raises(DataError) as e:
        write_qdpx(tmp_path / "x.qdpx", seg, TEXTS)
    rows = sorted(p.row for p in e.value.problems)
    assert rows == [2, 3, 4]
    assert {p.column for p in e.value.problems} == {"start", "text", "source_id"}
    assert not (tmp_path / "x.qdpx").exists()


_text = st.text(alphabet=st.sampled_from(list("ab \n.,é€") + ["😀", "\u00e9"]), min_size=1, max_size=60)


@settings(max_examples=50, deadline=None)
@given(text=_text, data=st.data())
def test_round_trip_property(tmp_path_factory, text, data):
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), min_size=1, max_size=5))
    rows = []
    for k, (a, b) in enumerate(spans):
        a, b = min(a, b), max(a, b)
        rows.append({"segment_id": f"s{k}", "source_id": "src", "code_path": "Enablers", "start": a, "end": b,
                     "text": text[a:b], "coder": "c"})
    seg = pd.DataFrame(rows)
    path = write_qdpx(tmp_path_factory.mktemp("p") / "p.qdpx", seg, {"src": text})
    back = read_qdpx(path).segments.sort_values("segment_id").reset_index(drop=True)
    assert back["start"].tolist() == seg["start"].tolist()
    assert back["end"].tolist() == seg["end"].tolist()
    assert back["text"].tolist() == seg["text"].tolist()


def test_write_site_projects(tmp_path):
    from carejourneys.inputs.loaders.qdpx import write_site_projects

    seg = _segments()
    seg.loc[seg["source_id"] == "int-003", "site"] = "brent"
    paths = write_site_projects(tmp_path, seg, TEXTS)
    assert [p.name for p in paths] == ["brent.qdpx", "plymouth.qdpx"]
    brent = read_qdpx(tmp_path / "brent.qdpx")
    assert brent.segments["segment_id"].tolist() == ["s-06"] and set(brent.texts) == {"int-003"}
    assert len(brent.codes) == len(code_paths())
    ply = read_qdpx(tmp_path / "plymouth.qdpx").segments
    assert sorted(ply["segment_id"]) == ["s-01", "s-02", "s-03", "s-04", "s-05"]
