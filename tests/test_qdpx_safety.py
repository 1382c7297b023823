"""Hostile projects are refused with DataError: entity expansion, external entities, zip bombs, ../ paths."""

from __future__ import annotations

import zipfile

import pytest

from carejourneys.errors import DataError
from carejourneys.inputs.loaders import read_qdpx
from carejourneys.inputs.loaders.qdpx import Limits

NS = "urn:QDA-XML:project:1.0"

LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
          b'<Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
MINIMAL = f'<Project xmlns="{NS}" name="ok"/>'.encode()


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("xml", [LAUGHS, EXTERNAL], ids=["entity-expansion", "external-entity"])
@pytest.mark.parametrize("container", ["qde", "qdpx"])
def test_entities_are_refused(tmp_path, xml, container):
    if container == "qde":
        path = tmp_path / "p.qde"
        path.write_bytes(xml)
    else:
        path = _zip(tmp_path / "p.qdpx", {"project.qde": xml})
    with pytest.raises(DataError, match="unsafe XML") as e:
        read_qdpx(path)
    assert "p.q" in e.value.path


def test_zip_bomb_is_refused(tmp_path):
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": MINIMAL, "sources/a.txt": b"\0" * (8 * 1024**2)})
    assert zipfile.ZipFile(path).getinfo("sources/a.txt").compress_size < 64 * 1024  # it really is a bomb
    with pytest.raises(DataError, match="zip bomb"):
        read_qdpx(path)


def test_size_limits_are_enforced(tmp_path):
    path = _zip(tmp_path / "big.qdpx", {"project.qde": MINIMAL, "sources/a.txt": b"x" * 5000},
                compression=zipfile.ZIP_STORED)
    with pytest.raises(DataError, match="over the limit"):
        read_qdpx(path, limits=Limits(max_member_bytes=4000))
    with pytest.raises(DataError, match="members"):
        read_qdpx(path, limits=Limits(max_members=1))
    assert read_qdpx(path).name == "ok"


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil", "C:/evil.txt",
                                    "..\\evil.txt"])
def test_member_paths_escaping_the_archive_are_refused(tmp_path, member):
    path = _zip(tmp_path / "esc.qdpx", {"project.qde": MINIMAL, member: b"x"})
    with pytest.raises(DataError, match="escape"):
        read_qdpx(path)


def test_source_path_escaping_the_project_is_refused(tmp_path):
    xml = (f'<Project xmlns="{NS}" name="t"><Sources><TextSource guid="11111111-1111-1111-1111-111111111111" '
           'name="d" plainTextPath="internal://../../secret.txt"/></Sources></Project>').encode()
    (tmp_path / "secret.txt").write_text("secret")
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "p.qde").write_bytes(xml)
    with pytest.raises(DataError, match="escape"):
        read_qdpx(sub / "p.qde")
    with pytest.raises(DataError, match="escape"):
        read_qdpx(_zip(tmp_path / "p.qdpx", {"project.qde": xml}))


def test_corrupt_archive(tmp_path):
    path = tmp_path / "c.qdpx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(DataError):
        read_qdpx(path)
