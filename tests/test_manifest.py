"""Tests of carejourneys.inputs.manifest: writing, reading and checking manifest.yml."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from carejourneys.errors import DataError, ManifestError
from carejourneys.inputs.manifest import (
    MANIFEST,
    check_manifest,
    folder_files,
    read_manifest,
    sha256_file,
    unlisted_files,
    write_folder_manifest,
    write_manifest,
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("y\n2\n")
    return tmp_path


def test_sha256_matches_hashlib(folder):
    assert sha256_file(folder / "a.csv") == hashlib.sha256(b"x\n1\n").hexdigest()


def test_write_then_read_round_trip(folder):
    out = write_manifest(folder, ["sub/b.csv", folder / "a.csv"], "synthetic", "demo", extra={"seed": 7})
    assert out == folder / MANIFEST
    m = read_manifest(folder)
    assert m.origin == "synthetic" and m.description == "demo" and m.extra == {"seed": 7}
    assert m.paths == ["a.csv", "sub/b.csv"]
    assert m.entry("sub/b.csv").sha256 == sha256_file(folder / "sub" / "b.csv")
    assert m.checksum == hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    assert check_manifest(folder) == []


def test_write_manifest_rejects_unknown_origin(folder):
    with pytest.raises(ValueError, match="origin"):
        write_manifest(folder, ["a.csv"], "made-up")


def test_check_reports_changed_missing_and_unlisted(folder):
    write_manifest(folder, ["a.csv", "sub/b.csv"], "real")
    (folder / "a.csv").write_text("x\n2\n")
    (folder / "sub" / "b.csv").unlink()
    (folder / "new.csv").write_text("z\n")
    (folder / ".hidden").write_text("ignored")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "c.pyc").write_bytes(b"\0")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "a-checkpoint.csv").write_text("x")
    problems = check_manifest(folder)
    messages = sorted(p.message for p in problems)
    assert messages == sorted([
        "changed since manifest.yml was written (sha256 differs); if you changed it on purpose, run: "
        f"carejourneys manifest {folder}",
        "listed in manifest.yml but missing",
        "new.csv is in the folder but not in manifest.yml",
    ])
    by_message = {p.message: p.path for p in problems}
    assert by_message["listed in manifest.yml but missing"] == str(folder / "sub" / "b.csv")
    assert len(check_manifest(folder, unlisted=False)) == 2
    assert unlisted_files(folder, read_manifest(folder)) == ["new.csv"]


def test_folder_files_and_folder_manifest(folder):
    (folder / ".DS_Store").write_bytes(b"x")
    assert folder_files(folder) == ["a.csv", "sub/b.csv"]
    write_folder_manifest(folder, "real")
    assert read_manifest(folder).paths == ["a.csv", "sub/b.csv"]
    assert check_manifest(folder) == []


@pytest.mark.parametrize("text, fragment", [
    ("files: [\n", "not valid YAML"),
    ("- just a list\n", "expected a mapping"),
    ("origin: invented\nfiles: []\n", "origin must be one of"),
    ("origin: real\nfiles:\n  - path: a.csv\n", "needs 'path' and 'sha256'"),
    ("origin: real\nfiles:\n  - {path: ../x.csv, sha256: ab}\n", "leaves the dataset folder"),
])
def test_read_manifest_malformed(folder, text, fragment):
    (folder / MANIFEST).write_text(text)
    with pytest.raises(ManifestError, match=fragment) as e:
        read_manifest(folder)
    assert isinstance(e.value, DataError)
    assert e.value.path == str(folder / MANIFEST)
    assert [p.message for p in check_manifest(folder)] == [e.value.message]


def test_read_manifest_missing_says_how_to_make_one(tmp_path):
    with pytest.raises(ManifestError, match="carejourneys manifest"):
        read_manifest(tmp_path)


def test_manifest_is_plain_yaml(folder):
    write_manifest(folder, ["a.csv"], "public")
    doc = yaml.safe_load((folder / MANIFEST).read_text())
    assert doc["files"] == [{"path": "a.csv", "origin": "public", "sha256": sha256_file(folder / "a.csv")}]


def test_read_manifest_unreadable(folder, monkeypatch):
    write_manifest(folder, ["a.csv"], "real")
    real = type(folder).read_bytes

    def refuse(self):
        if self.name == MANIFEST:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(type(folder), "read_bytes", refuse)
    with pytest.raises(ManifestError, match="cannot read the manifest: Permission denied"):
        read_manifest(folder)


def test_check_manifest_unreadable_file(folder, monkeypatch):
    import carejourneys.inputs.manifest as manifest_mod

    write_manifest(folder, ["a.csv", "sub/b.csv"], "real")
    real = manifest_mod.sha256_file

    def refuse(path, *args):
        if str(path).endswith("a.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args)

    monkeypatch.setattr(manifest_mod, "sha256_file", refuse)
    problems = check_manifest(folder)
    assert [(p.path, p.message) for p in problems] == [(str(folder / "a.csv"),
                                                        "cannot read the file: Permission denied")]


def test_atomic_writes_get_ordinary_file_permissions(tmp_path):
    import stat

    from carejourneys.inputs.manifest import _UMASK, atomic_write_bytes

    atomic_write_bytes(tmp_path / "page.html", b"<p>hi</p>")
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o666 & ~_UMASK
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) & 0o044  # others can read
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
