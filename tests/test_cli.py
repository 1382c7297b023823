"""The ``carejourneys`` command as a newcomer meets it: help, version, exit codes, messages."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_helpers import write_notebook

import carejourneys
from carejourneys import cli
from carejourneys.errors import BuildError, DataError, WriteError
from carejourneys.publish import build

ROOT = Path(__file__).resolve().parents[1]


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 0
    return capsys.readouterr().out


class FakeResult:
    def __init__(self, statuses: list[str]):
        self.reports = [build.ReportResult("00_evidence_base", "brent", s, error="boom" if s == "failed"
                                           else None) for s in statuses]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)


@pytest.fixture
def fake_run(monkeypatch):
    """Replace the build with one that returns the given statuses (or raises the given error)."""
    seen: dict = {}

    def install(outcome):
        def run(**kwargs):
            seen.update(kwargs)
            if isinstance(outcome, BaseException):
                raise outcome
            return FakeResult(outcome)

        monkeypatch.setattr(build, "run", run)
        return seen

    return install


# --------------------------------------------------------------------------- help and version


def test_help_is_plain_text_with_examples_sites_settings_and_exit_codes(capsys):
    out = _help(["--help"], capsys)
    assert "``" not in out and ":func:" not in out and ":class:" not in out  # no raw rst
    assert "examples:" in out and "carejourneys build --site plymouth" in out
    assert "brent, plymouth, all" in out and "E08000025" in out
    assert "CAREJOURNEYS_DATA" in out
    for code in cli.Exit:
        assert re.search(rf"^\s+{code.value}\s+\S", out, re.M), f"exit code {code.value} not explained"
    for command in ("build", "validate", "check", "remove", "manifest", "synth", "sites", "public"):
        assert re.search(rf"^\s+{command}\s+\w", out, re.M), command


def test_build_help_lists_the_sites_and_exit_codes(capsys):
    out = _help(["build", "--help"], capsys)
    assert "brent, plymouth, all" in out and "examples:" in out and "exit codes:" in out
    assert "``" not in out


def _subparsers(parser):
    for action in parser._actions:  # argparse keeps its subparsers here (read only in this test)
        if action.choices and isinstance(action.choices, dict):
            yield from action.choices.items()


def test_every_argument_of_every_command_has_help():
    parser = cli.make_parser()
    for name, sub in _subparsers(parser):
        assert sub.description, name
        for action in sub._actions:
            assert action.help, f"{name} {action.dest} has no help"


def test_version(capsys):
    out = _help(["--version"], capsys)
    assert out.strip() == f"carejourneys {carejourneys.__version__}"


def test_python_m_carejourneys_is_the_command():
    done = subprocess.run([sys.executable, "-m", "carejourneys", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"carejourneys {carejourneys.__version__}"
    done = subprocess.run([sys.executable, "-m", "carejourneys", "sites"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "plymouth" in done.stdout


# --------------------------------------------------------------------------- exit codes


def test_exit_codes_are_distinct_and_in_the_readme():
    values = [c.value for c in cli.Exit]
    assert len(values) == len(set(values)) and values[:5] == [0, 1, 2, 3, 4]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in cli.Exit:
        assert re.search(rf"^\|\s*`?{code.value}`?\s*\|", readme, re.M), f"README lacks exit {code.value}"


def test_a_usage_error_exits_2(capsys):
    for argv in (["build", "--no-such-option"], ["no-such-command"], ["check"], ["build", "--jobs", "x"]):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == cli.Exit.USAGE == 2
    capsys.readouterr()


def test_a_bad_request_exits_2_before_anything_runs(fake_run, capsys):
    fake_run(BuildError("unknown site 'leeds'; valid sites: brent, plymouth, all"))
    assert cli.main(["build", "--site", "leeds"]) == cli.Exit.USAGE
    err = capsys.readouterr().err
    assert "unknown site 'leeds'" in err and "Traceback" not in err


def test_an_unknown_council_code_is_refused_with_exit_2(monkeypatch, tmp_path, capsys):
    """The build refuses it before anything runs (carejourneys.publish.build); the command says so."""
    ran = []
    monkeypatch.setattr(build, "run_workers", lambda targets, *a, **k: ran.append(targets) or [])
    code = cli.main(["build", "--site", "999", "--notebook", "04_care_leaver_indicators", "--jobs", "1",
                     "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert not ran, "an unknown council code should be refused before any report runs"
    assert code == cli.Exit.USAGE and "999" in err and "Traceback" not in err


def test_a_data_error_exits_3(fake_run, capsys):
    fake_run(DataError("expected a date", path="fieldwork.csv", row=4, column="date"))
    assert cli.main(["build"]) == cli.Exit.DATA == 3
    err = capsys.readouterr().err
    assert "fieldwork.csv, row 4, column 'date': expected a date" in err and "Traceback" not in err


def test_a_failed_report_exits_4(fake_run, capsys):
    fake_run(["ok", "failed"])
    assert cli.main(["build"]) == cli.Exit.BUILD == 4


def test_a_full_disk_exits_4_with_a_clean_message(fake_run, capsys):
    fake_run(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "outputs/brent/00_evidence_base.html"))
    assert cli.main(["build"]) == cli.Exit.BUILD
    err = capsys.readouterr().err
    assert err.strip() == ("carejourneys: outputs/brent/00_evidence_base.html: "
                           f"{os.strerror(errno.ENOSPC)}")
    # as the build reports it: a WriteError is a failed build (4), other BuildErrors a refused request (2)
    fake_run(WriteError("the disk is full: no space left to write the build's files"))
    assert cli.main(["build"]) == cli.Exit.BUILD
    assert "the disk is full" in capsys.readouterr().err


def test_a_full_disk_during_a_real_build_exits_4(tmp_path, monkeypatch, capsys):
    write_notebook(tmp_path / "nbs", "01_a", ["x = 1"], sites=("brent",))
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nbs"))

    def full(*args, **kwargs):  # the disk fills while the reports are written
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "brent" / "01_a.html"))

    monkeypatch.setattr(build, "_build_all", full)
    assert cli.main(["build", "--outputs", str(tmp_path / "out"), "--jobs", "1"]) == cli.Exit.BUILD
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err


def test_an_unusable_outputs_folder_is_refused_with_exit_2(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert cli.main(["build", "--outputs", str(tmp_path / "file"), "--jobs", "1"]) == cli.Exit.USAGE
    err = capsys.readouterr().err
    assert str(tmp_path / "file") in err and "Traceback" not in err


def test_ctrl_c_exits_130_quietly(fake_run, capsys):
    fake_run(KeyboardInterrupt())
    assert cli.main(["build"]) == cli.Exit.INTERRUPTED == 130
    assert capsys.readouterr().err.strip() == "carejourneys: interrupted"


# --------------------------------------------------------------------------- build messages


def test_a_build_with_nothing_to_do_says_why(fake_run, tmp_path, monkeypatch, capsys):
    write_notebook(tmp_path / "nbs", "02_site_learning", ["x = 1"], sites=("brent", "plymouth"))
    write_notebook(tmp_path / "nbs", "04_indicators", ["x = 1"], sites=("brent",), any_la=True)
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nbs"))
    fake_run([])
    assert cli.main(["build", "--site", "all", "--notebook", "02_site_learning"]) == cli.Exit.USAGE
    err = capsys.readouterr().err
    assert "nothing to build" in err and "02_site_learning is made for brent, plymouth" in err
    assert cli.main(["build", "--site", "all"]) == cli.Exit.USAGE
    assert "04_indicators is made for brent, or any council code" in capsys.readouterr().err


def test_nothing_to_build_with_the_real_build(tmp_path, monkeypatch, capsys):
    write_notebook(tmp_path / "nbs", "02_site_learning", ["x = 1"], sites=("brent", "plymouth"))
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nbs"))
    code = cli.main(["build", "--site", "all", "--outputs", str(tmp_path / "out"), "--jobs", "1"])
    assert code == cli.Exit.USAGE
    err = capsys.readouterr().err
    assert "nothing to build" in err and "02_site_learning is" in err and "brent, plymouth" in err


def test_an_empty_notebooks_folder_is_nothing_to_build(tmp_path, monkeypatch, capsys):
    (tmp_path / "nbs").mkdir()
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nbs"))
    assert cli.main(["build", "--outputs", str(tmp_path / "out"), "--jobs", "1"]) == cli.Exit.USAGE
    assert f"nothing to build: there are no report notebooks in {tmp_path / 'nbs'}" in capsys.readouterr().err


def test_a_build_that_reuses_everything_says_so(fake_run, capsys):
    fake_run([build.REUSED, build.REUSED])
    assert cli.main(["build"]) == cli.Exit.OK
    err = capsys.readouterr().err
    assert "nothing to do" in err and "2 report(s)" in err and "--force" in err


def test_build_passes_its_options_to_run(fake_run):
    seen = fake_run(["ok"])
    assert cli.main(["build", "--site", "brent", "--site", "330", "--notebook", "00_evidence_base",
                     "--jobs", "1", "--force", "--show-code", "--fresh-kernels", "--outputs", "o",
                     "--data-dir", "d", "--disclosure-threshold", "10"]) == cli.Exit.OK
    assert seen["sites"] == ["brent", "330"] and seen["notebooks"] == ["00_evidence_base"]
    assert (seen["jobs"], seen["force"], seen["show_code"], seen["fresh_kernels"]) == (1, True, True, True)
    assert (seen["outputs"], seen["data_dir"], seen["disclosure_threshold"]) == ("o", "d", 10)


def test_the_threshold_defaults_to_the_policy_file(fake_run, tmp_path, monkeypatch, capsys):
    seen = fake_run(["ok"])
    assert cli.main(["build"]) == cli.Exit.OK and seen["disclosure_threshold"] == 5  # the bundled policy
    policy = tmp_path / "policy.yml"
    policy.write_text("threshold: 10\n", encoding="utf-8")
    monkeypatch.setenv("CAREJOURNEYS_POLICY", str(policy))
    assert cli.main(["build"]) == cli.Exit.OK and seen["disclosure_threshold"] == 10
    assert cli.main(["build", "--disclosure-threshold", "7"]) == cli.Exit.OK
    assert seen["disclosure_threshold"] == 7
    policy.write_text("threshold: zero\n", encoding="utf-8")
    assert cli.main(["build"]) == cli.Exit.DATA  # a bad policy file is a data error naming the file
    assert str(policy) in capsys.readouterr().err


# --------------------------------------------------------------------------- check, remove, manifest hint


@pytest.fixture
def pages(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "deny_list.csv").write_text("site,term,tag\nall,Saltmarsh Lodge,place\n", encoding="utf-8")
    out = tmp_path / "outputs"
    (out / "brent").mkdir(parents=True)
    (out / "index.html").write_text("<!DOCTYPE html><html><body><p>Reports</p></body></html>",
                                    encoding="utf-8")
    return data, out


def test_check_passes_clean_pages(pages, capsys):
    data, out = pages
    assert cli.main(["check", str(out), "--data-dir", str(data)]) == cli.Exit.OK
    assert "1 page(s) checked, 0 finding(s)" in capsys.readouterr().out


def test_check_lists_findings_and_exits_1(pages, capsys):
    data, out = pages
    (out / "brent" / "a.html").write_text("<html><body><p>We met at Saltmarsh Lodge.</p></body></html>",
                                          encoding="utf-8")
    assert cli.main(["check", str(out), "--data-dir", str(data)]) == cli.Exit.PROBLEMS
    got = capsys.readouterr().out
    assert "brent/a.html" in got and "2 page(s) checked, 1 finding(s)" in got


def test_check_refuses_a_missing_folder(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "nope")]) == cli.Exit.USAGE
    assert "no such folder" in capsys.readouterr().err


def test_remove_takes_a_sites_pages_away(monkeypatch, tmp_path, capsys):
    asked = {}

    def remove_site(site, outputs=None):
        asked.update(site=site, outputs=outputs)
        return [tmp_path / "330" / "04.html", tmp_path / "330" / "04.ipynb"]

    monkeypatch.setattr(build, "remove_site", remove_site, raising=False)
    assert cli.main(["remove", "330", "--outputs", str(tmp_path)]) == cli.Exit.OK
    assert asked == {"site": "330", "outputs": str(tmp_path)}
    assert "removed 2 file(s) of 330" in capsys.readouterr().out
    monkeypatch.setattr(build, "remove_site", lambda site, outputs=None: [], raising=False)
    assert cli.main(["remove", "330"]) == cli.Exit.OK
    assert "nothing removed" in capsys.readouterr().out


def test_remove_refuses_an_unknown_site(monkeypatch, capsys):
    def remove_site(site, outputs=None):
        raise BuildError(f"unknown site {site!r}")

    monkeypatch.setattr(build, "remove_site", remove_site, raising=False)
    assert cli.main(["remove", "leeds"]) == cli.Exit.USAGE
    assert "unknown site 'leeds'" in capsys.readouterr().err


def test_an_edited_data_file_says_to_run_carejourneys_manifest(small_files, small_dataset, capsys):
    root = small_dataset()
    (root / "deny_list.csv").write_text(small_files["deny_list.csv"] + "brent,Someone,name\n")
    assert cli.main(["validate", str(root)]) == cli.Exit.PROBLEMS
    out = capsys.readouterr().out
    assert "changed since manifest.yml was written" in out and f"carejourneys manifest {root}" in out
    assert cli.main(["manifest", str(root), "--origin", "synthetic"]) == cli.Exit.OK
    capsys.readouterr()
    assert cli.main(["validate", str(root)]) == cli.Exit.OK
