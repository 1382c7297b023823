"""``governance.workforce_context``: None only when the public statistics are absent or have no
figures for the council; a damaged extract or an unknown site is an error, not "context unavailable"."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from carejourneys import sites
from carejourneys.errors import DataError
from carejourneys.metrics import governance


@pytest.fixture
def public_copy(tmp_path, monkeypatch, repo_root):
    folder = tmp_path / "public"
    shutil.copytree(repo_root / "data" / "public", folder)
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(folder))
    return folder


def test_the_bundled_extract_gives_a_table(public_copy):
    table = governance.workforce_context("plymouth")
    assert table is not None and "Turnover %" in table.columns and len(table) > 0


def test_no_extract_installed_is_none(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(tmp_path / "nothing here"))
    assert governance.workforce_context("brent") is None


def test_a_council_the_extract_does_not_know_is_none(public_copy, monkeypatch):
    monkeypatch.setattr(sites, "_REGISTRY", dict(sites._REGISTRY))
    sites.register(sites.Site("nowhere", "Nowhere", "999", "E06000999", "Nowhere", "Barnardo's", "Test",
                              date(2020, 1, 1), date(2021, 1, 1)))
    assert governance.workforce_context("nowhere") is None


def test_a_damaged_extract_is_an_error_not_a_missing_context(public_copy):
    path = public_copy / "workforce.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[2], "twenty", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        governance.workforce_context("plymouth")
    assert e.value.path == str(path)


def test_a_partial_extract_names_the_missing_file(public_copy):
    (public_copy / "ofsted.csv").unlink()
    with pytest.raises(DataError, match="make public"):
        governance.workforce_context("plymouth")


def test_an_unknown_site_is_a_key_error():
    with pytest.raises(KeyError, match="unknown site 'atlantis'"):
        governance.workforce_context("atlantis")
