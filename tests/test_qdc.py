"""read_qdc: REFI-QDA codebooks (.qdc) as NVivo, ATLAS.ti and Taguette write them."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders import read_qdc, read_qdpx, split_code_path, write_qdpx
from carejourneys.inputs.loaders.qdpx import Limits

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "qdpx"

NESTED = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
 <Codes>
  <Code guid="aaaaaaaa-0000-0000-0000-000000000001" name="Barriers" isCodable="false" color="#FF0000">
   <Description>What got in the way</Description>
   <Code guid="aaaaaaaa-0000-0000-0000-000000000002" name="Housing/accommodation" isCodable="true"/>
   <Code guid="aaaaaaaa-0000-0000-0000-000000000003" name="Staffing &amp; turnover" isCodable="true"/>
  </Code>
  <Code guid="aaaaaaaa-0000-0000-0000-000000000004" name="Enablers" isCodable="true"/>
 </Codes>
 <Sets>
  <Set guid="bbbbbbbb-0000-0000-0000-000000000001" name="Practical">
   <MemberCode guid="aaaaaaaa-0000-0000-0000-000000000002"/>
   <MemberCode guid="aaaaaaaa-0000-0000-0000-000000000004"/>
  </Set>
 </Sets>
</CodeBook>
"""

TAGUETTE = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.2"><Codes>\
<Code guid="C0000000-0000-0000-0000-000000000001" name="barriers.staffing.turnover" isCodable="true"></Code>\
<Code guid="C0000000-0000-0000-0000-000000000002" name="barriers.money" isCodable="true"></Code>\
<Code guid="C0000000-0000-0000-0000-000000000003" name="housing/accommodation" isCodable="true"></Code>\
</Codes><Sets></Sets></CodeBook>"""


def _write(tmp_path, text, name="codebook.qdc"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _read(p, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        cb = read_qdc(p, **kw)
    return cb, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def test_nested_codebook(tmp_path):
    cb, warned = _read(_write(tmp_path, NESTED))
    assert warned == []
    assert cb.origin == "NVivo 14"
    names = ["Barriers", "Housing/accommodation", "Staffing & turnover", "Enablers"]
    assert cb.codes["name"].tolist() == names
    assert [split_code_path(p) for p in cb.code_paths()] == [
        ["Barriers"], ["Barriers", names[1]], ["Barriers", names[2]], ["Enablers"]]
    assert cb.codes["depth"].tolist() == [0, 1, 1, 0]
    assert cb.codes["is_codable"].tolist() == [False, True, True, True]
    assert cb.codes.loc[0, "description"] == "What got in the way"
    assert cb.codes.loc[1, "parent_guid"] == "AAAAAAAA-0000-0000-0000-000000000001"
    assert cb.sets["set"].tolist() == ["Practical", "Practical"]
    assert [split_code_path(p)[-1] for p in cb.sets["code_path"]] == ["Housing/accommodation", "Enablers"]


def test_taguette_codebook_flat_unless_asked(tmp_path):
    p = _write(tmp_path, TAGUETTE)
    cb, warned = _read(p)
    assert cb.code_paths() == ["barriers.staffing.turnover", "barriers.money", "housing%2Faccommodation"]
    assert any("level_separator='.'" in w for w in warned)
    cb, warned = _read(p, level_separator=".")
    assert warned == []
    assert cb.code_paths() == ["barriers", "barriers/staffing", "barriers/staffing/turnover",
                               "barriers/money", "housing%2Faccommodation"]
    codes = cb.codes.set_index("code_path")
    assert not codes.loc["barriers", "is_codable"]
    assert codes.loc["barriers/staffing/turnover", "name"] == "turnover"
    assert codes.loc["barriers/money", "parent_guid"] == codes.loc["barriers", "guid"]


def test_atlas_double_colon_names(tmp_path):
    text = NESTED.replace('name="Enablers"', 'name="Enablers::Strategic support"')
    cb, _ = _read(_write(tmp_path, text))
    assert cb.code_paths()[-1] == "Enablers/Strategic support"


def test_codebook_feeds_write_qdpx(tmp_path):
    cb, _ = _read(_write(tmp_path, NESTED))
    seg = pd.DataFrame({
        "segment_id": ["s1"], "source_id": ["t"], "code_path": [cb.code_paths()[1]], "start": [0], "end": [5],
        "text": ["Hello"]})
    proj = read_qdpx(write_qdpx(tmp_path / "p.qdpx", seg, {"t": "Hello world"}, codebook=cb.code_paths()))
    assert sorted(proj.codes["code_path"]) == sorted(cb.code_paths())


@pytest.mark.parametrize("text,message,row", [
    ("not xml at all", "not well formed", 1),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><CodeBook><Codes/></CodeBook>', "refused unsafe XML",
     None),
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "expected <CodeBook>", None),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "no <Codes>", None),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code guid="x" isCodable="true"/></Codes>'
     "</CodeBook>", "has no name", 3),
])
def test_bad_codebooks_name_file_and_place(tmp_path, text, message, row):
    p = _write(tmp_path, text)
    with pytest.raises(DataError, match=message) as e:
        read_qdc(p)
    assert e.value.path == str(p)
    assert e.value.row == row


def test_size_limit(tmp_path):
    with pytest.raises(DataError, match="over the limit"):
        read_qdc(_write(tmp_path, NESTED), limits=Limits(max_member_bytes=100))
    with pytest.raises(DataError, match="more than 2 codes"):
        read_qdc(_write(tmp_path, NESTED), limits=Limits(max_records=2))


@pytest.mark.skipif(not (SAMPLES / "atlasti-8.4-spec-annex-Project.qde").is_file(),
                    reason="../shared/samples/qdpx is absent")
def test_codebook_of_a_real_project_reads_as_the_project_does(tmp_path):
    qde = (SAMPLES / "atlasti-8.4-spec-annex-Project.qde").read_text(encoding="utf-8-sig")
    body = re.search(r"<CodeBook>.*?</CodeBook>", qde, re.S).group(0)
    body = body.replace("<CodeBook>", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti">', 1)
    cb, _ = _read(_write(tmp_path, '<?xml version="1.0" encoding="utf-8"?>\n' + body))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the sample's source files are not beside it
        proj = read_qdpx(SAMPLES / "atlasti-8.4-spec-annex-Project.qde")
    assert len(cb.codes) > 10
    assert cb.code_paths() == proj.codes["code_path"].tolist()
