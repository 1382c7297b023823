"""Code names that hold "/" stay whole: code paths escape them, and REFI-QDA round trips keep the codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from carejourneys.inputs.loaders import join_code_path, read_qdpx, split_code_path, write_qdpx
from carejourneys.inputs.loaders.coded import normalise_code_path
from carejourneys.inputs.loaders.codepaths import escape_level, looks_dotted, unescape_level

XSD = Path(__file__).resolve().parents[2] / "shared" / "samples" / "qdpx" / "Project.xsd"

TEXT = "We had nowhere to live. The advice line helped. Rent went up again."

QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="names" origin="NVivo 14">
 <CodeBook><Codes>
  <Code guid="11111111-0000-0000-0000-000000000001" name="Barriers" isCodable="true">
   <Code guid="11111111-0000-0000-0000-000000000002" name="Housing/accommodation" isCodable="true"/>
  </Code>
  <Code guid="11111111-0000-0000-0000-000000000003" name="Support/advice" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="22222222-0000-0000-0000-000000000001" name="int-01">
   <PlainTextContent>{TEXT}</PlainTextContent>
   <PlainTextSelection guid="33333333-0000-0000-0000-000000000001" name="We had nowhere to live."
                       startPosition="0" endPosition="23">
    <Coding guid="44444444-0000-0000-0000-000000000001">
     <CodeRef targetGUID="11111111-0000-0000-0000-000000000002"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="33333333-0000-0000-0000-000000000002" name="The advice line helped."
                       startPosition="24" endPosition="47">
    <Coding guid="44444444-0000-0000-0000-000000000002">
     <CodeRef targetGUID="11111111-0000-0000-0000-000000000003"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>
"""


def _project(tmp_path):
    p = tmp_path / "names.qde"
    p.write_text(QDE, encoding="utf-8")
    return read_qdpx(p)


def test_reader_keeps_each_name_whole(tmp_path):
    proj = _project(tmp_path)
    assert len(proj.codes) == 3
    assert proj.codes["name"].tolist() == ["Barriers", "Housing/accommodation", "Support/advice"]
    assert [split_code_path(c) for c in proj.codes["code_path"]] == [
        ["Barriers"], ["Barriers", "Housing/accommodation"], ["Support/advice"]]
    assert proj.codes["depth"].tolist() == [0, 1, 0]
    seg = proj.segments.set_index("text")
    assert seg.loc["We had nowhere to live.", "theme"] == "Barriers"
    assert seg.loc["The advice line helped.", "theme"] == "Support/advice"
    # a naive split (as the metrics do) still sees one level per name
    assert [len(c.split("/")) for c in proj.codes["code_path"]] == [1, 2, 1]


@pytest.mark.parametrize("suffix", [".qdpx", ".qde"])
def test_read_write_read_keeps_the_codes(tmp_path, suffix):
    first = _project(tmp_path)
    out = write_qdpx(tmp_path / f"again{suffix}", first.segments, first.texts,
                     codebook=first.codes["code_path"].tolist())
    second = read_qdpx(out)
    assert len(second.codes) == len(first.codes) == 3
    assert sorted(second.codes["code_path"]) == sorted(first.codes["code_path"])
    assert sorted(second.codes["name"]) == sorted(first.codes["name"])
    cols = ["code_path", "theme", "text", "start", "end"]
    a = first.segments[cols].sort_values("start").reset_index(drop=True)
    b = second.segments[cols].sort_values("start").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


@pytest.mark.skipif(not XSD.is_file(), reason="../shared/samples/qdpx/Project.xsd is absent")
def test_written_names_with_slashes_are_valid(tmp_path):
    first = _project(tmp_path)
    out = write_qdpx(tmp_path / "again.qde", first.segments, first.texts)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    names = [c.get("name") for c in doc.iter("{urn:QDA-XML:project:1.0}Code")]
    assert sorted(names) == ["Barriers", "Housing/accommodation", "Support/advice"]


def test_write_keeps_sources_without_segments(tmp_path):
    first = _project(tmp_path)
    texts = {**first.texts, "int-02 (not yet coded)": "Nothing coded here yet."}
    back = read_qdpx(write_qdpx(tmp_path / "all.qdpx", first.segments, texts))
    assert sorted(back.sources["source_id"]) == ["int-01", "int-02 (not yet coded)"]
    assert back.texts["int-02 (not yet coded)"] == "Nothing coded here yet."
    assert len(back.segments) == len(first.segments)


def test_generic_paths_from_other_tools():
    assert normalise_code_path("Nodes\\Barriers\\Housing/accommodation") == "Barriers/Housing%2Faccommodation"
    assert normalise_code_path("Barriers::Housing/accommodation") == "Barriers/Housing%2Faccommodation"
    assert normalise_code_path("Barriers/Housing%2Faccommodation") == "Barriers/Housing%2Faccommodation"
    assert normalise_code_path("needs.housing/flat", ".") == "needs/housing%2Fflat"
    assert normalise_code_path("50% attended") == "50% attended"


def test_looks_dotted():
    assert looks_dotted(["barriers.staffing", "barriers.money", "enablers"]) == ["barriers.staffing",
                                                                                 "barriers.money"]
    assert looks_dotted(["barriers", "barriers.staffing"]) == ["barriers.staffing"]
    assert looks_dotted(["Dr. Who", "v1.2", "e.g. this", "end."]) == []
    assert looks_dotted(["1.1 Housing", "1.2 Money", "2.1 Staff"]) == []


_name = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(levels=st.lists(_name, min_size=1, max_size=5))
def test_join_split_round_trip(levels):
    path = join_code_path(levels)
    assert split_code_path(path) == levels
    assert len(path.split("/")) == len(levels)
    assert all(unescape_level(escape_level(n)) == n for n in levels)


def test_dotted_names_in_a_project_are_levels_only_when_asked(tmp_path):
    import warnings

    from carejourneys.errors import DataWarning

    # as Taguette writes it: every tag a flat code named by its dotted path
    qde = QDE.replace('isCodable="true">\n   <Code guid="11111111-0000-0000-0000-000000000002" '
                      'name="Housing/accommodation" isCodable="true"/>\n  </Code>',
                      'isCodable="true"/>\n  <Code guid="11111111-0000-0000-0000-000000000002" '
                      'name="barriers.housing/accommodation" isCodable="true"/>')
    qde = qde.replace('name="Barriers"', 'name="barriers.staffing"').replace('name="Support/advice"',
                                                                              'name="barriers.money"')
    assert qde.count("<Code ") == 3 and "</Code>" not in qde
    p = tmp_path / "taguette.qde"
    p.write_text(qde, encoding="utf-8")
    with pytest.warns(DataWarning, match="level_separator='.'"):
        flat = read_qdpx(p)
    assert "barriers.money" in flat.codes["code_path"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        nested = read_qdpx(p, level_separator=".")
    assert nested.codes["code_path"].tolist() == ["barriers/staffing", "barriers/housing%2Faccommodation",
                                                  "barriers/money"]
    assert set(nested.segments["theme"]) == {"barriers"}
