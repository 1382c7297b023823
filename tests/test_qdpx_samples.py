"""read_qdpx against real REFI-QDA files written by other tools (../shared/samples/qdpx)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from carejourneys.errors import DataWarning
from carejourneys.inputs.loaders import read_qdpx

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "samples" / "qdpx"
NS = {"q": "urn:QDA-XML:project:1.0"}

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples/qdpx is absent")

FILES = ["atlasti-8.4-spec-annex-Project.qde", "atlasti-8.4-spec-annex-TestProject.qdpx",
         "qc-1.3.2-demo.qdpx"]


def _xml(path: Path) -> etree._Element:
    """The project XML, parsed independently of the reader (lxml, no entities, no network)."""
    if path.suffix == ".qde":
        data = path.read_bytes()
    else:
        with zipfile.ZipFile(path) as zf:
            (qde,) = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n]
            data = zf.read(qde)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _read(path: Path):
    with pytest.warns() as rec:
        proj = read_qdpx(path)
    return proj, rec


@pytest.mark.parametrize("name", FILES)
def test_counts_match_the_xml(name):
    path = SAMPLES / name
    root = _xml(path)
    n_codes = len(root.xpath("//q:CodeBook//q:Code", namespaces=NS))
    n_sources = len(root.xpath("/q:Project/q:Sources/*", namespaces=NS))
    n_codings = len(root.xpath("//q:Sources//*[contains(local-name(), 'Selection')]/q:Coding", namespaces=NS))
    n_whole = len(root.xpath("/q:Project/q:Sources/*/q:Coding", namespaces=NS))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        proj = read_qdpx(path)
    assert len(proj.codes) == n_codes > 0
    assert len(proj.sources) == n_sources > 0
    assert len(proj.segments) == n_codings + n_whole > 0
    assert proj.segments["segment_id"].is_unique
    # every coding points at a code of the codebook
    assert proj.segments["code_path"].notna().all()
    assert set(proj.segments["code_path"]) <= set(proj.codes["code_path"])


def test_atlasti_hierarchy_sets_and_missing_sources():
    with pytest.warns(DataWarning, match="not found"):
        proj = read_qdpx(SAMPLES / "atlasti-8.4-spec-annex-TestProject.qdpx")
    codes = proj.codes.set_index("guid")
    # "Coke::diet Coke" is a child of "Coke"
    diet = codes.loc["D299EFAE-5779-46DC-9827-A3D1A5D544BC"]
    assert diet["code_path"] == "Coke/diet Coke" and diet["name"] == "diet Coke"
    assert codes.loc[diet["parent_guid"], "name"] == "Coke"
    # sets named "gender: male", "age: 67" become source variables
    src = proj.sources.set_index("source_id")
    assert src.loc["Simon.docx", "gender"] == "male"
    assert src.loc["Mabel.txt", "gender"] == "female"
    assert str(src.loc["Simon.docx", "age"]) == "67"
    seg = proj.segments
    assert set(seg.loc[seg["source_id"] == "Simon.docx", "gender"]) == {"male"}
    # the source files are not in the archive: text falls back to full-length names only
    root = _xml(SAMPLES / "atlasti-8.4-spec-annex-Project.qde")
    for sel in root.xpath("//q:PlainTextSelection", namespaces=NS):
        name, s, e = sel.get("name"), int(sel.get("startPosition")), int(sel.get("endPosition"))
        rows = seg[(seg["selection_guid"] == sel.get("guid")) & (seg["kind"] == "text")]
        for r in rows.itertuples():
            assert (r.start, r.end) == (s, e)
            assert (r.text == name) if len(name) == e - s else pd.isna(r.text)
    assert (proj.positions["policy"] == "raw").all()


def test_qc_texts_and_positions_match_the_source_files():
    path = SAMPLES / "qc-1.3.2-demo.qdpx"
    proj = read_qdpx(path)
    with zipfile.ZipFile(path) as zf:
        raw = {n.split("/")[-1].removesuffix(".txt"): zf.read(n).decode("utf-8")
               for n in zf.namelist() if n.startswith("sources/")}
    seg = proj.segments
    assert set(seg["source_id"]) <= set(raw)
    for r in seg.itertuples():
        assert r.text == raw[r.source_id][r.start:r.end]
    # qc names selections "line:N": each starts on line N (counted from 0)
    for r in seg.drop_duplicates("selection_guid").itertuples():
        line = int(r.selection_name.split(":")[1])
        assert raw[r.source_id][: r.start].count("\n") == line  # 0-based
    # duplicate code names live at different paths
    prog = proj.codes[proj.codes["name"] == "programming"]
    assert len(prog) == 2 and prog["code_path"].is_unique
    assert (proj.positions["inexact"] == 0).all()
