"""Tests of carejourneys.inputs.dataset: load_dataset, the Dataset object and the oc3/QDPX hooks."""

from __future__ import annotations

import csv
import io
import types
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import carejourneys as cj
from carejourneys import config
from carejourneys.errors import DataError, DataWarning, ManifestError
from carejourneys.inputs import dataset as dataset_mod
from carejourneys.inputs import schemas
from carejourneys.inputs.manifest import sha256_file, write_manifest


def _column(text: str, column: str) -> list[str]:
    return [r[column] for r in csv.DictReader(io.StringIO(text))]


def _rows_for(files: dict[str, str], rel: str, site: str) -> int:
    values = _column(files[rel], "site")
    if site == "all":
        return len(values)
    return sum(v == site or (rel == "deny_list.csv" and v == "all") for v in values)


@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_load_dataset_filters_to_site(small_files, small_dataset, site):
    root = small_dataset()
    ds = cj.load_dataset(root, site)
    assert ds.site == site and ds.data_dir == root and ds.origin == "synthetic"
    assert ds.sites == (["brent", "plymouth"] if site == "all" else [site])
    for name, rel in [("fieldwork", "fieldwork.csv"), ("deny_list", "deny_list.csv"),
                      ("coded_segments", "coded_segments.csv"), ("prepost_survey", "prepost_survey.csv")]:
        assert len(getattr(ds, name)) == _rows_for(small_files, rel, site), name
    if site != "all":
        assert "national" not in set(ds.fieldwork["site"])
        assert "national" not in set(ds.coded_segments["site"])
    schemas.SOURCES["fieldwork"].schema.validate(ds.fieldwork)


def test_dataset_object(small_dataset):
    ds = cj.load_dataset(small_dataset(), "all")
    assert ds.sources() == list(schemas.SOURCES)
    assert "fieldwork" in dir(ds)
    with pytest.raises(AttributeError, match="sources: fieldwork"):
        ds.no_such_source  # noqa: B018
    summary = ds.summary()
    assert list(summary.columns) == ["source", "file", "rows"]
    assert set(summary["source"]) == set(schemas.SOURCES)
    totals = summary.groupby("source")["rows"].sum()
    for name in schemas.SOURCES:
        assert totals[name] == len(getattr(ds, name)), name
    assert summary.set_index("source").loc["fieldwork", "file"] == "fieldwork.csv"
    assert summary.set_index("source").loc["bright_spots", "file"] == ""


def test_missing_optional_sources_are_typed_empty_frames(small_dataset):
    ds = cj.load_dataset(small_dataset(), "plymouth")
    for name in ("bright_spots", "rubric", "milestones"):
        frame = getattr(ds, name)
        assert len(frame) == 0
        assert frame.dtypes.to_dict() == schemas.SOURCES[name].empty().dtypes.to_dict()


def test_missing_required_source(small_dataset):
    root = small_dataset({"fieldwork.csv": None})
    with pytest.raises(DataError, match="every dataset needs this file") as e:
        cj.load_dataset(root, "brent")
    assert e.value.path == str(root / "fieldwork.csv")


def test_unknown_site_lists_valid_keys(small_dataset):
    with pytest.raises(KeyError, match="valid sites: brent, plymouth"):
        cj.load_dataset(small_dataset(), "leeds")


def test_origin_comes_from_manifest(small_dataset):
    assert cj.load_dataset(small_dataset(origin="real"), "brent").origin == "real"


def test_changed_and_missing_files_are_errors(small_files, small_dataset):
    root = small_dataset()
    (root / "deny_list.csv").write_text(small_files["deny_list.csv"] + "brent,Someone,name\n")
    (root / "prepost_survey.csv").unlink()
    with pytest.raises(ManifestError) as e:
        cj.load_dataset(root, "brent")
    got = {p.path: p.message for p in e.value.problems}
    changed = ("changed since manifest.yml was written (sha256 differs); if you changed it on purpose, "
               f"run: carejourneys manifest {root}")  # the hint says how to record a deliberate edit
    assert got == {str(root / "deny_list.csv"): changed,
                   str(root / "prepost_survey.csv"): "listed in manifest.yml but missing"}
    ds = cj.load_dataset(root, "brent", check_manifest=False)
    assert "Someone" in set(ds.deny_list["term"])


def test_unlisted_file_warns(small_dataset):
    root = small_dataset()
    (root / "notes.txt").write_text("to do")
    with pytest.warns(DataWarning, match="notes.txt"):
        cj.load_dataset(root, "brent")


def test_no_manifest(small_dataset):
    root = small_dataset()
    (root / "manifest.yml").unlink()
    with pytest.raises(ManifestError, match="manifest.yml"):
        cj.load_dataset(root, "brent")


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="not found") as e:
        cj.load_dataset(tmp_path / "nowhere", "brent")
    assert e.value.path == str(tmp_path / "nowhere")


def test_problems_of_every_file_in_one_error(small_files, small_dataset):
    bad_fieldwork = small_files["fieldwork.csv"].replace("2021-05-10", "2021-05-40")
    bad_deny = small_files["deny_list.csv"].replace("place", "street")
    root = small_dataset({"fieldwork.csv": bad_fieldwork, "deny_list.csv": bad_deny})
    with pytest.raises(DataError) as e:
        cj.load_dataset(root, "plymouth")
    where = [(Path(p.path).name, p.row, p.column) for p in e.value.problems]
    assert where == [("fieldwork.csv", 3, "date"), ("deny_list.csv", 2, "tag")]


def test_files_unchanged_by_loading(small_files, small_dataset):
    root = small_dataset({"fieldwork.csv": small_files["fieldwork.csv"].replace("brent,", "leeds,")})
    before = {p: sha256_file(p) for p in root.rglob("*") if p.is_file()}
    with pytest.raises(DataError):
        cj.load_dataset(root, "brent")
    cj.load_dataset(small_dataset(name="good"), "brent")
    assert {p: sha256_file(p) for p in root.rglob("*") if p.is_file()} == before


def test_xlsx_instead_of_csv(small_files, small_dataset, tmp_path):
    root = small_dataset({"deny_list.csv": None})
    wb = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(small_files["deny_list.csv"])):
        wb.active.append(row)
    wb.save(root / "deny_list.xlsx")
    files = [p for p in root.rglob("*") if p.is_file() and p.name != "manifest.yml"]
    write_manifest(root, files, "synthetic")
    ds = cj.load_dataset(root, "all")
    assert ds.deny_list["term"].tolist() == _column(small_files["deny_list.csv"], "term")
    assert ds.files["deny_list"] == {root / "deny_list.xlsx": len(ds.deny_list)}


# --------------------------------------------------------------------------- data folder fallback


def test_resolve_data_dir_order(monkeypatch, tmp_path, repo_root):
    monkeypatch.delenv(config.ENV_DATA, raising=False)
    assert dataset_mod.resolve_data_dir(None) == repo_root / "data" / "synthetic"
    monkeypatch.setenv(config.ENV_DATA, str(tmp_path / "env"))
    assert dataset_mod.resolve_data_dir(None) == tmp_path / "env"
    assert dataset_mod.resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"


def test_env_var_used_by_load_dataset(monkeypatch, small_dataset):
    root = small_dataset(origin="real")
    monkeypatch.setenv(config.ENV_DATA, str(root))
    ds = cj.load_dataset(site="brent")
    assert ds.data_dir == root and ds.origin == "real"


# --------------------------------------------------------------------------- hooks


def test_oc3_files_get_site_and_year(small_dataset):
    extra = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nP0001,20/08/2003,YES,F1,S1\n"
    root = small_dataset({"plymouth/oc3_2023.csv": extra})
    ds = cj.load_dataset(root, "all")
    got = ds.oc3[["CHILD", "site", "collection_year"]].astype(str).values.tolist()
    assert got == [["B0001", "brent", "2022"], ["B0002", "brent", "2022"], ["P0001", "plymouth", "2023"]]
    assert cj.load_dataset(root, "plymouth").oc3["CHILD"].tolist() == ["P0001"]
    summary = ds.summary().set_index("file")
    assert summary.loc["brent/oc3_2022.csv", "rows"] == 2
    assert summary.loc["plymouth/oc3_2023.csv", "rows"] == 1


def test_oc3_empty_has_extra_columns(small_dataset):
    ds = cj.load_dataset(small_dataset({"brent/oc3_2022.csv": None}), "brent")
    assert len(ds.oc3) == 0
    assert {"site", "collection_year", *schemas.OC3_COLUMNS} <= set(ds.oc3.columns)


def test_oc3_problems_name_the_file(small_files, small_dataset):
    bad = small_files["brent/oc3_2022.csv"].replace("G5", "ZZ")
    root = small_dataset({"brent/oc3_2022.csv": bad})
    with pytest.raises(DataError) as e:
        cj.load_dataset(root, "brent")
    assert e.value.path == str(root / "brent" / "oc3_2022.csv")
    assert (e.value.row, e.value.column) == (3, "ACTIV")


def test_oc3_implausible_year_in_file_name(small_files, small_dataset):
    root = small_dataset({"plymouth/oc3_1875.csv": small_files["brent/oc3_2022.csv"]})
    with pytest.raises(DataError, match="file name") as e:
        cj.load_dataset(root, "plymouth")
    assert e.value.path == str(root / "plymouth" / "oc3_1875.csv")


def test_qdpx_hook_prefers_project_per_site(small_files, small_dataset, monkeypatch):
    root = small_dataset({"brent.qdpx": b"stand-in project"})
    seen = []

    def fake_read_qdpx(path):
        seen.append(Path(path))
        seg = pd.DataFrame({
            "segment_id": ["Q1"], "source_id": ["T001"], "role": ["Manager"], "seniority": ["manager"],
            "wave": [2], "date": [pd.Timestamp("2021-06-01")], "code_path": ["Programme learning/Governance"],
            "theme": ["Governance"], "text": ["Short synthetic excerpt"], "start": [0], "end": [23],
            "coder": ["C1"],
        })
        return types.SimpleNamespace(segments=seg)

    monkeypatch.setattr(dataset_mod, "read_qdpx", fake_read_qdpx)
    brent = cj.load_dataset(root, "brent").coded_segments
    assert brent["segment_id"].tolist() == ["Q1"] and brent["site"].tolist() == ["brent"]
    schemas.SOURCES["coded_segments"].schema.validate(brent)
    every = cj.load_dataset(root, "all").coded_segments
    text = small_files["coded_segments.csv"]
    pairs = zip(_column(text, "segment_id"), _column(text, "site"), strict=True)
    csv_rows = [i for i, s in pairs if s != "brent"]
    assert sorted(every["segment_id"]) == sorted(["Q1", *csv_rows])
    assert seen == [root / "brent.qdpx"] * 2


def test_no_warnings_for_clean_dataset(small_dataset):
    root = small_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cj.load_dataset(root, "all")


# --------------------------------------------------------------------------- the bundled replica


@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_synthetic_replica_loads(synthetic_dir, site):
    ds = cj.load_dataset(synthetic_dir, site)
    assert ds.origin == "synthetic"
    assert len(ds.fieldwork) > 0
    if site != "all":
        assert set(ds.fieldwork["site"]) == {site}


def test_qdpx_hook_with_the_real_reader(small_dataset):
    qdpx = pytest.importorskip("carejourneys.inputs.loaders.qdpx")
    root = small_dataset()
    text = "I made new friends at the group. It helped."
    seg = cj.load_dataset(root, "brent").coded_segments
    seg = seg.assign(text="I made new friends at the group", start=0, end=31)
    qdpx.write_qdpx(root / "brent.qdpx", seg, {"T001": text}, codebook=schemas.code_paths())
    files = [p for p in root.rglob("*") if p.is_file() and p.name != "manifest.yml"]
    write_manifest(root, files, "synthetic")
    ds = cj.load_dataset(root, "brent")
    assert list(ds.files["coded_segments"]) == [root / "brent.qdpx"]
    columns = [c for c in seg.columns if c != "speaker_id"]  # the reader names a case for each segment
    got = ds.coded_segments[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, seg[columns].reset_index(drop=True), check_dtype=False)
