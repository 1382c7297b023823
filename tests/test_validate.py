"""Tests of carejourneys.inputs.validate and the `carejourneys validate` command."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from carejourneys.cli import main
from carejourneys.errors import DataProblem
from carejourneys.inputs.validate import print_report, validate_dataset


def _broken(small_dataset, small_files) -> Path:
    """A dataset with problems in two files, plus a changed file and an unlisted file."""
    root = small_dataset({
        "fieldwork.csv": small_files["fieldwork.csv"].replace("young_person,2020", "child,2020")
                                                      .replace(",6,T002", ",six,T002"),
        "prepost_survey.csv": small_files["prepost_survey.csv"].replace(",3,3,2,4,", ",3,3,9,4,"),
    })
    (root / "deny_list.csv").write_text("site,term\nall,Example Street\n")   # changed, and a column lost
    (root / "stray.csv").write_text("a\n1\n")
    return root


def test_validate_clean_dataset(small_dataset, small_files):
    root = small_dataset()
    assert validate_dataset(root) == []
    out = io.StringIO()
    print_report([], root, out)
    assert out.getvalue() == f"no problems found in {root} ({len(small_files)} files)\n"


def test_validate_lists_every_problem(small_dataset, small_files):
    root = _broken(small_dataset, small_files)
    problems = validate_dataset(root)
    where = {(Path(p.path).name, p.row, p.column) for p in problems}
    assert where == {
        ("deny_list.csv", None, None),           # changed since the manifest
        ("manifest.yml", None, None),            # stray.csv not listed
        ("fieldwork.csv", 2, "participant_group"),
        ("fieldwork.csv", 3, "n_participants"),
        ("prepost_survey.csv", 2, "swemwbs_3"),
        ("deny_list.csv", 1, "tag"),
    }
    assert len(problems) == len(where)


def test_validate_missing_folder(tmp_path):
    problems = validate_dataset(tmp_path / "absent")
    assert [p.message for p in problems] == ["dataset folder not found"]
    out = io.StringIO()
    print_report(problems, tmp_path / "absent", out)
    assert f"\n{tmp_path / 'absent'} (1 problem)\n  dataset folder not found" in out.getvalue()


def test_print_report_groups_by_file(tmp_path):
    problems = [
        DataProblem(str(tmp_path / "a.csv"), 2, "site", "'x' is not one of brent, plymouth"),
        DataProblem(str(tmp_path / "b" / "c.csv"), None, None, "listed in manifest.yml but missing"),
        DataProblem(str(tmp_path / "a.csv"), 5, "date", "'31/02/2022' is not a real date"),
    ]
    out = io.StringIO()
    print_report(problems, tmp_path, out)
    assert out.getvalue().splitlines() == [
        f"3 problems in 2 files of {tmp_path}:",
        "",
        "a.csv (2 problems)",
        "  row 2, column 'site': 'x' is not one of brent, plymouth",
        "  row 5, column 'date': '31/02/2022' is not a real date",
        "",
        "b/c.csv (1 problem)",
        "  listed in manifest.yml but missing",
    ]


def test_cli_validate_good_exit_0(small_dataset, capsys):
    root = small_dataset()
    assert main(["validate", str(root)]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_cli_validate_broken_exit_1(small_dataset, small_files, capsys):
    root = _broken(small_dataset, small_files)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("6 problems in 4 files of")
    for header in ("fieldwork.csv (2 problems)", "prepost_survey.csv (1 problem)",
                   "deny_list.csv (2 problems)", "manifest.yml (1 problem)"):
        assert header in out
    assert "row 3, column 'n_participants': 'six' is not a whole number" in out
    assert "row 2, column 'swemwbs_3': '9' is outside 1-5" in out


def test_cli_validate_uses_env_var(small_dataset, monkeypatch, capsys):
    monkeypatch.setenv("CAREJOURNEYS_DATA", str(small_dataset()))
    assert main(["validate"]) == 0


def test_validate_command_as_installed(small_dataset, small_files):
    root = _broken(small_dataset, small_files)
    run = subprocess.run([sys.executable, "-m", "carejourneys.cli", "validate", str(root)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "fieldwork.csv (2 problems)" in run.stdout


def test_validate_synthetic_replica_is_clean(synthetic_dir):
    problems = validate_dataset(synthetic_dir)
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_validate_default_folder_is_the_bundled_replica(monkeypatch, repo_root):
    monkeypatch.delenv("CAREJOURNEYS_DATA", raising=False)
    out = io.StringIO()
    print_report(validate_dataset(None), None, out)
    assert str(repo_root / "data" / "synthetic") in out.getvalue().splitlines()[0]


def test_validate_one_file_lists_every_oc3_breach(tmp_path, capsys):
    from carejourneys.cli import main

    p = tmp_path / "oc3_2022.csv"
    p.write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nA,01/01/2003,DIED,F1,B1\nB,01/01/2003,YES,ZZ,B1\n",
                 encoding="utf-8")
    before = p.read_bytes()
    assert main(["validate", str(p)]) == 1  # the year comes from the file name
    out = capsys.readouterr().out
    assert "3 problems in 1 file" in out
    for where in ("row 2, column 'ACTIV'", "row 2, column 'ACCOM'", "row 3, column 'ACTIV'"):
        assert where in out
    assert p.read_bytes() == before


def test_validate_one_contract_file_by_its_name_or_source(tmp_path, capsys):
    from carejourneys.cli import main
    from carejourneys.inputs.validate import source_of_file

    assert source_of_file(tmp_path / "fieldwork.csv") == "fieldwork"
    assert source_of_file(tmp_path / "plymouth.qdpx") == "coded_segments"
    assert source_of_file(tmp_path / "notes.csv") is None
    p = tmp_path / "notes.csv"
    p.write_text("session_id,site\ns1,leeds\n", encoding="utf-8")
    assert main(["validate", str(p)]) == 1
    assert "--source" in capsys.readouterr().out
    assert main(["validate", str(p), "--source", "facilitator_ratings"]) == 1
    out = capsys.readouterr().out
    assert "missing" in out.lower() and "notes.csv" in out


# ----------------------------------------------------------------------------- coding exports, one file


def _taguette_csv(path: Path, rows: list[list[object]]) -> Path:
    from taguette_helpers import write_csv

    return write_csv(path, rows)


def test_validate_clean_taguette_export(tmp_path, capsys):
    from carejourneys.inputs.validate import coding_format, validate_file

    p = _taguette_csv(tmp_path / "all_tags.csv", [[1, "int 1", "family", "Mum & Dad came <laughs>."],
                                                  [1, "int 1", "humour", "Mum & Dad came <laughs>."]])
    assert coding_format(p) == "taguette"
    assert validate_file(p) == []
    assert main(["validate", str(p)]) == 0
    assert "no problems found" in capsys.readouterr().out
    # named as the contract's file, or with --source coded_segments, it is still read as what it is
    assert validate_file(p, source="coded_segments") == []
    q = _taguette_csv(tmp_path / "coded_segments.csv", [[1, "int 1", "family", "ok"]])
    assert validate_file(q) == []


def test_validate_broken_taguette_export_names_row_and_column(tmp_path, capsys):
    p = _taguette_csv(tmp_path / "all_tags.csv", [[1, "int 1", "family", "fine"], [2, "", "family", "x"],
                                                  [3, "int 1", "family", "   "]])
    assert main(["validate", str(p)]) == 1
    out = capsys.readouterr().out
    assert "2 problems in 1 file" in out
    assert "row 3, column 'document': empty source id" in out
    assert "row 4, column 'content': empty text" in out


def test_validate_taguette_xlsx_and_generic_exports(tmp_path):
    from taguette_helpers import write_xlsx

    from carejourneys.inputs.validate import coding_format, validate_file

    x = write_xlsx(tmp_path / "all_tags.xlsx", [[1, "int 1", "family", "text"]])
    assert coding_format(x) == "taguette" and validate_file(x) == []
    g = tmp_path / "nvivo_export.csv"
    g.write_text("Document,Node,Coded text,Begin,End\nT1,Nodes\\Barriers,No bus,0,6\nT1,,x,0,1\n",
                 encoding="utf-8")
    assert coding_format(g) == "generic"
    problems = validate_file(g)
    assert [(Path(p.path).name, p.row, p.column) for p in problems] == [("nvivo_export.csv", 3, "Node")]


def test_validate_qdc_clean_and_broken(tmp_path, capsys):
    from carejourneys.inputs.validate import validate_file

    good = tmp_path / "codebook.qdc"
    good.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
                    'origin="Taguette 1.5.2"><Codes><Code guid="C0000000-0000-0000-0000-000000000001" '
                    'name="barriers" isCodable="true"/></Codes><Sets/></CodeBook>', encoding="utf-8")
    assert validate_file(good) == []
    assert main(["validate", str(good)]) == 0
    capsys.readouterr()
    bad = tmp_path / "broken.qdc"
    bad.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code guid="x" isCodable="true"/>'
                   "\n</Codes></CodeBook>", encoding="utf-8")
    problems = validate_file(bad)
    assert [(p.row, p.column) for p in problems] == [(3, "name")]
    assert main(["validate", str(bad)]) == 1
    assert "row 3, column 'name'" in capsys.readouterr().out


def test_validate_taguette_database(tmp_path):
    from taguette_helpers import TaguetteDb, plain_to_html

    from carejourneys.inputs.validate import coding_format, validate_file

    db = TaguetteDb(tmp_path / "2024-01-01_study.sqlite3")
    d = db.add_document("d", plain_to_html("short text"))
    t = db.add_tag("t")
    db.add_highlight(d, "short", [t])
    good = db.close()
    assert coding_format(good) == "taguette_sqlite"
    assert validate_file(good) == []
    db = TaguetteDb(tmp_path / "broken.sqlite3")
    d = db.add_document("d", plain_to_html("short text"))
    db.add_highlight(d, "short", [db.add_tag("t")], offsets=(0, 99))
    problems = validate_file(db.close())
    assert [(p.row, p.column) for p in problems] == [(1, "end_offset")]
    assert "broken.sqlite3" in problems[0].path
