"""Bad-input corpus for read_qdpx (REFI-QDA projects): damaged archives and project XML either load
as a user would expect (with a DataWarning where something was assumed) or raise one DataError
naming the file and what was expected; the file is never changed. Hostile archives (entities, zip
bombs, escaping paths) are in test_qdpx_safety.py."""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from carejourneys.errors import DataError, DataWarning
from carejourneys.inputs.loaders import read_qdpx, write_qdpx

TEXTS = {"t1": "We met every Friday and it helped.\nThe bus was late.", "t2": "The board decided slowly."}
SPANS = [("s1", "t1", "Outcomes for young people/Social connections", "it helped"),
         ("s2", "t1", "Barriers", "The bus was late."),
         ("s3", "t2", "Programme learning/Decision-making and momentum", "decided slowly")]


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> tuple[bytes, dict[str, bytes]]:
    rows = []
    for sid, src, code, text in SPANS:
        start = TEXTS[src].index(text)
        rows.append({"segment_id": sid, "source_id": src, "code_path": code, "text": text, "start": start,
                     "end": start + len(text), "speaker_id": "P1", "role": "Young person", "coder": "a",
                     "site": "brent", "wave": 1, "date": pd.Timestamp("2021-03-04")})
    seg = pd.DataFrame(rows)
    for c in ("start", "end", "wave"):
        seg[c] = seg[c].astype("Int64")
    path = write_qdpx(tmp_path_factory.mktemp("qdpx") / "project.qdpx", seg, TEXTS)
    with zipfile.ZipFile(path) as z:
        return path.read_bytes(), {n: z.read(n) for n in z.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return buf.getvalue()


def _with_xml(members: dict[str, bytes], old: str, new: str) -> bytes:
    xml = members["project.qde"].decode("utf-8")
    assert old in xml
    return _zip({**members, "project.qde": xml.replace(old, new, 1).encode("utf-8")})


def _write(tmp_path: Path, data: bytes, name: str = "p.qdpx") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _error(p: Path) -> DataError:
    before = _digest(p)
    with pytest.raises(DataError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        read_qdpx(p)
    assert _digest(p) == before
    assert info.value.path is not None and info.value.path.startswith(str(p))
    return info.value


def _load(p: Path, warns: str | None = None):
    before = _digest(p)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = read_qdpx(p)
    assert _digest(p) == before
    messages = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    if warns is not None:
        assert any(warns in m for m in messages), messages
    return project


def test_reference_project_loads(parts, tmp_path):
    project = _load(_write(tmp_path, parts[0]))
    assert sorted(project.segments["text"]) == sorted(t for *_, t in SPANS)


@pytest.mark.parametrize("cut", [0, 10, 100, -30])
def test_truncated_archive(parts, tmp_path, cut):
    archive = parts[0]
    err = _error(_write(tmp_path, archive[:cut] if cut else b""))
    assert "REFI-QDA" in err.message or "archive" in err.message


def test_corrupt_compressed_member(parts, tmp_path):
    archive = parts[0]
    # scramble the compressed bytes of project.qde (the first member) but keep the zip structure
    start = archive.index(b"project.qde") + len("project.qde")
    damaged = archive[:start] + bytes(b ^ 0x55 for b in archive[start:start + 150]) + archive[start + 150:]
    err = _error(_write(tmp_path, damaged))
    assert "project.qde" in err.message and "cannot read" in err.message


def test_archive_without_or_with_two_project_files(parts, tmp_path):
    members = parts[1]
    err = _error(_write(tmp_path, _zip({k: v for k, v in members.items() if k != "project.qde"})))
    assert "exactly one .qde" in err.message and "none" in err.message
    err = _error(_write(tmp_path, _zip({**members, "copy.qde": members["project.qde"]}), "two.qdpx"))
    assert "copy.qde" in err.message


def test_project_xml_not_well_formed(parts, tmp_path):
    err = _error(_write(tmp_path, _zip({**parts[1], "project.qde": b"<Project><Sources></Project>"})))
    assert "not well formed" in err.message and err.row is not None


def test_end_before_start_is_named(parts, tmp_path):
    xml = parts[1]["project.qde"].decode()
    start = TEXTS["t1"].index("it helped")
    old = f'startPosition="{start}" endPosition="{start + len("it helped")}"'
    err = _error(_write(tmp_path, _with_xml(parts[1], old, f'startPosition="{start}" endPosition="2"')))
    assert err.column == "endPosition" and "before it starts" in err.message
    assert "'t1'" in err.message
    assert xml.count(old) == 1


@pytest.mark.parametrize("value", ["abc", "", "1.5", "99999999999999999999"])
def test_positions_that_are_not_positions(parts, tmp_path, value):
    start = TEXTS["t2"].index("decided slowly")
    data = _with_xml(parts[1], f'startPosition="{start}"', f'startPosition="{value}"')
    err = _error(_write(tmp_path, data))
    assert "startPosition" in err.column and "'t2'" in err.message


def test_position_outside_the_text_loads_with_a_warning(parts, tmp_path):
    start = TEXTS["t1"].index("The bus")
    _load(_write(tmp_path, _with_xml(parts[1], f'endPosition="{start + 17}"', 'endPosition="9999"')),
          warns="selection")


def test_missing_source_file_loads_with_a_warning(parts, tmp_path):
    members = {k: v for k, v in parts[1].items()
               if not (k.startswith("sources/") and v.startswith(b"We met"))}
    project = _load(_write(tmp_path, _zip(members)), warns="not found")
    assert len(project.segments) == 3


def test_unknown_code_reference_loads_with_a_warning(parts, tmp_path):
    xml = parts[1]["project.qde"].decode()
    ref = xml.split('<CodeRef targetGUID="', 1)[1].split('"', 1)[0]
    _load(_write(tmp_path, _with_xml(parts[1], f'<CodeRef targetGUID="{ref}"',
                                     '<CodeRef targetGUID="00000000-0000-0000-0000-000000000000"')),
          warns="unknown code")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_source_texts_in_other_unicode_encodings(parts, tmp_path, encoding):
    members = {k: (v.decode("utf-8").encode(encoding) if k.startswith("sources/") else v)
               for k, v in parts[1].items()}
    project = _load(_write(tmp_path, _zip(members)))
    assert sorted(project.segments["text"]) == sorted(t for *_, t in SPANS)


def test_bare_project_xml_with_wrong_name(parts, tmp_path):
    err = _error(_write(tmp_path, parts[1]["project.qde"], "project.txt"))
    assert ".qdpx" in err.message


def test_missing_file(tmp_path):
    with pytest.raises(DataError):
        read_qdpx(tmp_path / "absent.qdpx")
