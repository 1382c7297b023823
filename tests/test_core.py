"""Errors, the site registry and the data contract."""

from __future__ import annotations

import pandas as pd
import pytest

import carejourneys as cj
from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs import schemas


def test_data_error_names_file_row_and_column():
    e = DataError("expected a date (yyyy-mm-dd)", path="data/x.csv", row=7, column="date")
    assert (e.path, e.row, e.column) == ("data/x.csv", 7, "date")
    s = str(e)
    assert "data/x.csv" in s and "row 7" in s and "'date'" in s and "expected a date" in s
    assert isinstance(e, ValueError)
    assert cj.DataError is DataError


def test_data_error_from_many_problems_keeps_them_all():
    probs = [DataProblem("f.csv", r, "wave", f"bad {r}") for r in range(2, 40)]
    e = DataError.from_problems(probs)
    assert e.problems == probs and e.row == 2
    assert "and 37 more problems" in str(e)
    with pytest.raises(ValueError):
        DataError.from_problems([])


def test_sites_registry():
    p = cj.sites.get("plymouth")
    assert (p.la_old_code, p.la_new_code, p.region) == ("879", "E06000026", "South West")
    b = cj.sites.get("brent")
    assert (b.la_old_code, b.la_new_code) == ("304", "E09000005")
    with pytest.raises(KeyError, match="brent, plymouth"):
        cj.sites.get("leeds")
    with pytest.raises(ValueError):
        cj.sites.register(cj.sites.Site("all", "All", "", "", "", "", "", p.programme_start, p.programme_end))


def test_codebook_paths_are_unique_and_cover_the_outcome_domains():
    paths = schemas.code_paths()
    assert len(paths) == len(set(paths))
    assert set(schemas.OUTCOME_DOMAINS.values()) <= set(paths)
    assert len(schemas.CODEBOOK["Five outcomes"]) == 5


def test_oc3_code_lists_follow_the_dfe_guide():
    assert "K1" in schemas.OC3_ACCOM and "Z2" in schemas.OC3_ACCOM and "A1" not in schemas.OC3_ACCOM
    assert set(schemas.OC3_ACTIV_NEET) == {"G4", "G5", "G6"}
    assert {"F3", "P3"} <= set(schemas.OC3_ACTIV)


@pytest.mark.parametrize("name", list(schemas.SOURCES))
def test_every_source_schema_accepts_its_empty_frame(name):
    src = schemas.SOURCES[name]
    out = src.schema.validate(src.empty())
    assert list(out.columns) == src.columns


def test_schema_rejects_out_of_range_and_unknown_codes():
    src = schemas.SOURCES["facilitator_ratings"]
    df = pd.DataFrame({
        "session_id": ["s1"], "site": ["leeds"], "activity": ["a"],
        "session_date": pd.to_datetime(["2023-01-01"]), "facilitator_id": ["f"],
        "attendees": pd.array([3], dtype="Int64"), "engagement": pd.array([9], dtype="Int64"),
        "wellbeing": pd.array([3], dtype="Int64"), "note": [None],
    })
    import pandera.pandas as pa

    with pytest.raises(pa.errors.SchemaErrors) as info:
        src.schema.validate(df, lazy=True)
    failed = set(info.value.failure_cases["column"])
    assert {"site", "engagement"} <= failed


def test_cli_sites_lists_both(capsys):
    from carejourneys.cli import main

    assert main(["sites"]) == 0
    out = capsys.readouterr().out
    assert "brent" in out and "plymouth" in out and "E06000026" in out


def test_cli_manifest_writes_a_manifest_for_an_evaluators_folder(tmp_path, capsys):
    from carejourneys.cli import main
    from carejourneys.inputs.manifest import check_manifest, read_manifest

    (tmp_path / "fieldwork.csv").write_text("event_id\n", encoding="utf-8")
    assert main(["manifest", str(tmp_path)]) == 0
    m = read_manifest(tmp_path)
    assert m.origin == "real" and m.paths == ["fieldwork.csv"]
    assert check_manifest(tmp_path) == []


def test_every_name_in_the_loaders_namespace_resolves():
    for name in cj.loaders.__all__:
        assert callable(getattr(cj.loaders, name)) or isinstance(getattr(cj.loaders, name), type)


def test_cli_build_passes_its_options_to_run(monkeypatch):
    from carejourneys import cli
    from carejourneys.publish import build
    seen = {}

    class Result:
        ok = False
        reports = [build.ReportResult("00_evidence_base", "brent", "failed", error="boom")]

    def fake_run(**kwargs):
        seen.update(kwargs)
        return Result()

    monkeypatch.setattr(build, "run", fake_run)
    code = cli.main(["build", "--site", "brent", "--notebook", "00_evidence_base", "--jobs", "1",
                     "--force", "--show-code", "--disclosure-threshold", "10"])
    assert code == cli.Exit.BUILD == 4  # a failed build exits 4 (see tests/test_cli.py for the others)
    assert seen["sites"] == ["brent"] and seen["notebooks"] == ["00_evidence_base"]
    assert seen["jobs"] == 1 and seen["force"] and seen["show_code"]
    assert seen["disclosure_threshold"] == 10


def test_cli_reports_an_unknown_site_without_a_traceback(capsys):
    from carejourneys.cli import main

    assert main(["build", "--site", "leeds", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "unknown site" in err and "'leeds'" in err and "Traceback" not in err


def test_site_labels():
    assert cj.sites.label("all") == "All sites"
    assert cj.sites.label("plymouth") == "Plymouth"
    assert cj.sites.label("330") == "Birmingham (330)"  # named from the official extract
    assert cj.sites.label("E06000001") == "Hartlepool (E06000001)"
    assert cj.sites.label("999") == "Local authority 999"  # a code the extract does not know
