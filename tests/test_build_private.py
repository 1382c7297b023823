"""What a build publishes and what it keeps private (issue 13 items 8, 9, 10, 14; issue 17's edges).

* ``outputs/`` holds only pages; executed notebooks, logs, records and the cache state are in the
  private working folder, and leftovers of earlier versions are removed from ``outputs/``;
* every page is checked before it is moved into ``outputs/``; a page no record vouches for is
  rebuilt or removed, never trusted;
* a failing report with real data publishes a notice naming the private log, nothing else; no
  page or index shows an absolute path or a user name;
* one build at a time (a lock, tested with two processes);
* unknown councils refused and old codes normalised before anything runs; a request that builds
  nothing says why; a full disk or an unusable outputs folder gives a clean message;
  ``remove_site`` deletes a site's pages and records.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from notebook_helpers import write_notebook

from carejourneys import cli, config
from carejourneys.errors import BuildError
from carejourneys.publish import build
from carejourneys.publish.cache import WorkFolder, sweep
from carejourneys.publish.scrub import Scrubber

ROOT = Path(__file__).resolve().parents[1]


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- no kernel needed


def test_unknown_council_is_refused_before_anything_runs(tmp_path):
    write_notebook(tmp_path / "nb", "04_any", ['print("la", site)'], sites=("brent",), any_la=True)
    with pytest.raises(BuildError) as e:
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", sites=["999"], quiet=True)
    message = str(e.value)
    assert "'999'" in message and "areas.csv" in message and "carejourneys sites" in message
    assert not (tmp_path / "out").exists() and not config.work_dir(outputs=tmp_path / "out").exists()


def test_old_and_new_council_codes_are_one_site(tmp_path):
    assert build.normalise_sites(["330", "E08000025", "brent", "330"]) == ["E08000025", "brent"]


def test_a_request_that_builds_nothing_says_why_and_the_cli_fails(tmp_path, monkeypatch, capsys):
    write_notebook(tmp_path / "nb", "02_site_learning", ["x = 1"], sites=("brent", "plymouth"))
    with pytest.raises(BuildError, match=r"nothing to build.*02_site_learning is built for brent, plymouth"):
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", sites=["all"], quiet=True)
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nb"))
    code = cli.main(["build", "--site", "all", "--notebook", "02_site_learning", "--outputs",
                     str(tmp_path / "out")])
    assert code != 0 and "nothing to build" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_outputs_that_is_a_file_gives_a_clean_message(tmp_path, capsys, monkeypatch):
    write_notebook(tmp_path / "nb", "01_a", ["x = 1"], sites=("brent",))
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(BuildError, match="is a file, not a folder"):
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", quiet=True)
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nb"))
    assert cli.main(["build", "--outputs", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_outputs_gives_a_clean_message(tmp_path):
    write_notebook(tmp_path / "nb", "01_a", ["x = 1"], sites=("brent",))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(BuildError, match="permission denied"):
            build.run(notebooks_dir=tmp_path / "nb", outputs=locked / "out", quiet=True)
    finally:
        locked.chmod(0o700)


def test_a_full_disk_gives_a_clean_message(tmp_path, monkeypatch, capsys):
    write_notebook(tmp_path / "nb", "01_a", ["x = 1"], sites=("brent",))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "brent" / "01_a.html"))

    monkeypatch.setattr(build, "_build_all", full)
    with pytest.raises(BuildError, match="the disk is full"):
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", quiet=True)
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(tmp_path / "nb"))
    assert cli.main(["build", "--outputs", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err


def test_the_working_folder_is_never_inside_outputs(tmp_path, monkeypatch):
    write_notebook(tmp_path / "nb", "01_a", ["x = 1"], sites=("brent",))
    monkeypatch.setenv(config.ENV_WORK, str(tmp_path / "out" / "private"))
    with pytest.raises(BuildError, match="inside the outputs folder"):
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", quiet=True)


def _record(work: WorkFolder, site: str, report: str, page: bytes, *, checked: bool = True) -> None:
    import hashlib

    path = work.page(site, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page)
    work.write(site, report, {"key": "k", "status": "ok", "site": site, "notebook": report,
                              "title": report, "params": {"site": site}, "origin": "synthetic",
                              "version": "0.1.0", "data_date": "2024-06-28",
                              "page_sha256": hashlib.sha256(page).hexdigest(), "checked": checked})


def test_sweep_removes_what_must_not_be_published_and_pages_no_record_vouches_for(tmp_path):
    out = tmp_path / "out"
    work = WorkFolder(tmp_path / "work", out)
    _record(work, "brent", "00_checked", b"<p>checked</p>")
    _record(work, "brent", "01_edited", b"<p>as checked</p>")
    work.page("brent", "01_edited").write_bytes(b"<p>changed after the check</p>")
    _record(work, "brent", "02_unchecked", b"<p>never checked</p>", checked=False)
    leftovers = ["brent/00_checked.ipynb", "brent/00_checked.disclosure.csv", "brent/00_checked.quotes.csv",
                 "brent/build.log", "brent/03_from_an_old_version.html", "brent/.00_checked.html.x1y2.tmp",
                 "plymouth/00_old.html", "plymouth/index.html"]
    for rel in leftovers:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("old")
    (work.tmp / "cj-kernel-abc").mkdir(parents=True)
    (work.stage("brent", "00_checked")).mkdir(parents=True)
    removed = sweep(work)
    assert _files(out) == ["brent/00_checked.html"]
    assert sorted(removed) == sorted([*leftovers[:-1], "brent/01_edited.html", "brent/02_unchecked.html"])
    assert not (out / "plymouth").exists()  # a site with no page left goes, its index page too
    assert not work.tmp.exists() and not (work.root / "stage").exists()


def test_lock_refuses_a_second_build_naming_the_first(tmp_path):
    """Two processes: one holds the lock of an outputs folder, a build of the same folder refuses."""
    write_notebook(tmp_path / "nb", "01_a", ["x = 1"], sites=("brent",))
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from carejourneys import config
            from carejourneys.publish.cache import WorkFolder
            out = Path({str(out)!r})
            with WorkFolder(config.work_dir(outputs=out), out).lock():
                print("locked", flush=True)
                sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildError, match=rf"another build \(pid {holder.pid}\) is writing to"):
            build.run(notebooks_dir=tmp_path / "nb", outputs=out, quiet=True, lock_wait=0.3)
        env = dict(os.environ, CAREJOURNEYS_NOTEBOOKS=str(tmp_path / "nb"))
        second = subprocess.run([sys.executable, "-m", "carejourneys.cli", "build", "--outputs", str(out)],
                                env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode != 0 and f"pid {holder.pid}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        holder.communicate("done\n", timeout=30)
    assert not (out / "brent").exists()  # the refused builds wrote nothing
    with WorkFolder(config.work_dir(outputs=out), out).lock(wait=0):  # free again once the holder is gone
        pass
    assert (config.work_dir(outputs=out) / ".gitignore").read_text().splitlines()[-1] == "*"


def test_remove_site_deletes_its_pages_and_records_and_rewrites_the_index(tmp_path, monkeypatch):
    nbs = tmp_path / "nb"
    write_notebook(nbs, "04_any", ['print("la", site)'], sites=("brent",), any_la=True)
    out = tmp_path / "out"
    work = WorkFolder(config.work_dir(outputs=out), out)
    _record(work, "brent", "04_any", b"<p>brent</p>")
    _record(work, "E08000025", "04_any", b"<p>Birmingham</p>")
    work.log("E08000025", "04_any").parent.mkdir(parents=True, exist_ok=True)
    work.log("E08000025", "04_any").write_text("the failure")
    build.write_index(out, build.collect_reports(work, build._all_notebooks(nbs)))
    assert 'href="E08000025/04_any.html"' in (out / "index.html").read_text()
    removed = build.remove_site("330", outputs=out, notebooks_dir=nbs)  # either code names the council
    assert out / "E08000025" / "04_any.html" in removed
    text = (out / "index.html").read_text()
    assert 'href="E08000025/04_any.html"' not in text and 'href="brent/04_any.html"' in text
    assert not (out / "E08000025").exists() and work.read("E08000025", "04_any") is None
    assert not work.logs("E08000025").exists()
    assert build.remove_site("E08000025", outputs=out, notebooks_dir=nbs) == []
    with pytest.raises(BuildError, match="not a site key"):
        build.remove_site("../etc", outputs=out, notebooks_dir=nbs)
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(nbs))
    assert cli.main(["remove", "brent", "--outputs", str(out)]) == 0
    assert not (out / "brent").exists()


def test_scrubber_replaces_folders_and_home_folders_but_not_images():
    s = Scrubber.for_build(data_dir="/home/alice/SECURE evaluation/data", outputs="/srv/site/outputs",
                           work="/srv/site/.carejourneys-work")
    text = ("data_dir='/home/alice/SECURE evaluation/data' "
            "File /home/alice/SECURE evaluation/data/young_people.csv, row 7; /home/bob/x.py; "
            "/srv/site/.carejourneys-work/stage/brent/01; /tmpfile stays")
    clean = s.text(text)
    assert "alice" not in clean and "bob" not in clean and "/srv/site" not in clean
    assert "<data folder>/young_people.csv" in clean and "<private working folder>/stage" in clean
    assert "/tmpfile stays" in clean
    html = '<p>/home/alice/notes</p><img src="data:image/png;base64,iVBOR/home/aliceAAA=">'
    assert s.html(html) == '<p>~/notes</p><img src="data:image/png;base64,iVBOR/home/aliceAAA=">'
    assert s.text("&lt;x /home/alice/SECURE evaluation/data&gt;", markup=True) == \
        "&lt;x &lt;data folder&gt;&gt;"


# --------------------------------------------------------------------------- real builds


FAILING = [
    "from IPython.display import HTML, display\n"
    "display(HTML(f'<p>ran with data in {data_dir}</p>'))",
    "raise ValueError(f\"young_people.csv, row 7, column 'ethnicity_group': 'Casey Z, Somali' \"\n"
    "                 f\"in {data_dir}\")",
]
SAYS_A_DENIED_NAME = ["print('quoted: Jordan Q said hello')"]


@pytest.fixture(scope="module")
def private_builds(tmp_path_factory):
    """A real and a synthetic dataset kept under a fake secure home folder, a notebook that fails
    naming a value and the data folder, one whose page names a deny-listed person, and one that
    works; built once with each dataset."""
    from conftest import SMALL_FILES

    from carejourneys.inputs.manifest import write_manifest

    root = tmp_path_factory.mktemp("private")
    nbs = root / "notebooks"
    write_notebook(nbs, "01_fails", FAILING, sites=("brent",))
    write_notebook(nbs, "02_names", SAYS_A_DENIED_NAME, sites=("brent",))
    write_notebook(nbs, "03_fine", ["print('all well')"], sites=("brent",))
    builds = {}
    for origin in ("real", "synthetic"):
        data = root / "home" / "alice" / f"SECURE {origin} evaluation"
        for rel, text in SMALL_FILES.items():
            (data / rel).parent.mkdir(parents=True, exist_ok=True)
            (data / rel).write_text(text, encoding="utf-8")
        write_manifest(data, list(SMALL_FILES), origin)
        out = root / f"out_{origin}"
        result = build.run(notebooks_dir=nbs, outputs=out, data_dir=data, jobs=2, quiet=True)
        builds[origin] = (out, data, result)
    return root, builds


@pytest.mark.slow
def test_real_data_failure_publishes_a_notice_and_nothing_of_the_report(private_builds):
    root, builds = private_builds
    out, data, result = builds["real"]
    failed = {r.notebook: r for r in result.failures}
    assert set(failed) == {"01_fails", "02_names"}
    page = (out / "brent" / "01_fails.html").read_text()
    assert "failed to build" in page and "logs/brent/01_fails.log" in page
    for leak in ("Casey", "Somali", "row 7", "ValueError", "Traceback", "ran with data", "SECURE", "alice"):
        assert leak not in page, leak
    log = (config.work_dir(outputs=out) / "logs" / "brent" / "01_fails.log").read_text()
    assert "Casey Z, Somali" in log and "ValueError" in log  # the private log has the details


@pytest.mark.slow
def test_synthetic_failure_shows_the_error_without_paths(private_builds):
    root, builds = private_builds
    out, data, result = builds["synthetic"]
    page = (out / "brent" / "01_fails.html").read_text()
    assert "This report failed to build" in page and "ValueError" in page
    assert "ran with data in &lt;data folder&gt;" in page
    assert str(data) not in page and "alice" not in page


@pytest.mark.slow
def test_a_page_failing_the_check_is_withheld_before_it_is_published(private_builds):
    root, builds = private_builds
    for out, _data, result in builds.values():
        r = next(r for r in result.reports if r.notebook == "02_names")
        assert r.status == "failed" and "output check" in r.error and "deny-list term" in r.error
        page = (out / "brent" / "02_names.html").read_text()
        assert "withheld" in page and "Jordan" not in page and "logs/brent/02_names.log" in page
        record = json.loads((config.work_dir(outputs=out) / "state" / "brent" / "02_names.json").read_text())
        assert record["status"] == "failed" and record["checked"] is True


@pytest.mark.slow
def test_no_published_file_shows_a_path_a_user_or_anything_private(private_builds):
    root, builds = private_builds
    for origin, (out, data, _result) in builds.items():
        files = _files(out)
        assert files and all(f.endswith(".html") for f in files), files
        work = config.work_dir(outputs=out)
        assert not work.is_relative_to(out)
        for rel in files:
            text = (out / rel).read_text(encoding="utf-8")
            for leak in (str(root), str(data), "/home/", "alice", "pytest-of-", str(work)):
                assert leak not in text, f"{origin}: {rel} shows {leak}"
            assert not re.search(r"(?<![\w<&;])/(?:tmp|root|home|Users|srv|work)/", text), f"{origin}: {rel}"
        index = (out / "index.html").read_text()
        assert "reused" not in re.sub(r"<style>.*?</style>", "", index, flags=re.S)
        assert (work / "notebooks" / "brent" / "03_fine.ipynb").is_file()


@pytest.mark.slow
def test_a_page_with_no_record_is_rebuilt_never_trusted(private_builds, monkeypatch):
    root, builds = private_builds
    out, data, result = builds["synthetic"]
    monkeypatch.setattr(build, "environment_key", lambda data_dir: "fixed")
    first = build.run(notebooks_dir=root / "notebooks", outputs=out, data_dir=data, notebooks=["03_fine"],
                      quiet=True)
    assert [r.status for r in first.reports] == ["ok"]
    again = build.run(notebooks_dir=root / "notebooks", outputs=out, data_dir=data, notebooks=["03_fine"],
                      quiet=True)
    assert [r.status for r in again.reports] == ["reused"]
    page = out / "brent" / "03_fine.html"
    page.write_text(page.read_text().replace("all well", "Jordan Q was here"))  # as an old version's page
    state = config.work_dir(outputs=out) / "state" / "brent" / "03_fine.json"
    third = build.run(notebooks_dir=root / "notebooks", outputs=out, data_dir=data, notebooks=["03_fine"],
                      quiet=True)
    assert [r.status for r in third.reports] == ["ok"]  # rebuilt: its record did not vouch for it
    assert "Jordan" not in page.read_text() and state.is_file()
    state.unlink()  # no record at all: rebuilt too
    fourth = build.run(notebooks_dir=root / "notebooks", outputs=out, data_dir=data, notebooks=["03_fine"],
                       quiet=True)
    assert [r.status for r in fourth.reports] == ["ok"]

