"""Builds never lose or corrupt outputs.

* every page and executed notebook is written through a temporary file moved into place;
* a build interrupted mid-way (Ctrl-C, or killed outright) leaves the previous outputs exactly as
  they were, leaves nothing behind that upsets the next build (nor any ``cj-*`` folder in the
  system's temporary folder), says nothing but that it was interrupted, and the next build gives
  the same outputs as an uninterrupted one;
* a kernel killed under a running report fails that report (named) and the next build recovers;
* a notebook that hangs hits the per-cell timeout and is reported with its cell;
* the data folder is only ever read, by a build and by ``carejourneys validate``.

The notebooks are tiny and written here, so each build takes a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import notebook_helpers
import pytest

from carejourneys import config
from carejourneys.inputs import manifest
from carejourneys.publish import build

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "synthetic"

# The pause cell waits only when the test asks for it (CJ_TEST_PAUSE_MARK names a file to create
# first, so the test knows the kernel is inside the cell); the notebook itself, hence its cache key
# and its outputs, are the same with or without the pause.
PAUSE = (
    "import os, time\n"
    "mark = os.environ.get('CJ_TEST_PAUSE_MARK')\n"
    "if mark:\n"
    "    with open(mark + '.tmp', 'w') as f:\n"
    "        f.write(str(os.getpid()))\n"
    "    os.replace(mark + '.tmp', mark)\n"
    "    time.sleep(120)"
)
SHOW = ("from IPython.display import HTML, display\n"
        "display(HTML(f\"<p class='shown'>report for {site} at threshold {disclosure_threshold}</p>\"))")
LOG = ("from carejourneys.sdc import disclosure\n"
       "disclosure.emit_log([{'table': 'T1', 'row': 1, 'column': 'n', 'rule': 'primary'}])")


def write_notebook(folder: Path, name: str, cells: list[str], *, sites=("brent",)) -> Path:
    return notebook_helpers.write_notebook(folder, name, cells, sites=sites)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _system_tmp(outputs: Path) -> Path:
    """The system temporary folder the build of ``outputs`` is given (its own, to look into)."""
    return outputs.parent / f"systmp-{outputs.name}"


def _cli(notebooks: Path, outputs: Path, *extra: str, pause_mark: Path | None = None) -> subprocess.Popen:
    tmp = _system_tmp(outputs)
    tmp.mkdir(exist_ok=True)
    env = dict(os.environ, CAREJOURNEYS_NOTEBOOKS=str(notebooks), TMPDIR=str(tmp))
    env.pop("CJ_TEST_PAUSE_MARK", None)
    if pause_mark is not None:
        env["CJ_TEST_PAUSE_MARK"] = str(pause_mark)
    cmd = [sys.executable, "-m", "carejourneys.cli", "build", "--outputs", str(outputs), "--jobs", "1",
           *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own process group, as a terminal job is


def _run_cli(notebooks: Path, outputs: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = _cli(notebooks, outputs, *extra)
    out, err = proc.communicate(timeout=240)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the build ended before reaching the pause: {err.decode()[-2000:]}")
        if time.monotonic() > end:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the build never reached the pause cell")
        time.sleep(0.1)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Two tiny notebooks and a reference build of them, made with the command line."""
    root = tmp_path_factory.mktemp("robust")
    nbs = root / "notebooks"
    write_notebook(nbs, "01_first", [SHOW, LOG])
    write_notebook(nbs, "02_pausing", [SHOW, PAUSE, LOG, "print('finished', site)"])
    reference = root / "reference"
    done = _run_cli(nbs, reference, "--force")
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    ref = snapshot(reference)
    # outputs/ holds the pages only; the notebook's log went to the private working folder
    assert set(ref) == {"brent/01_first.html", "brent/02_pausing.html", "brent/index.html", "index.html"}
    work = config.work_dir(outputs=reference)
    assert (work / "logs" / "brent" / "02_pausing.disclosure.csv").is_file()
    assert (work / "notebooks" / "brent" / "02_pausing.ipynb").is_file()
    return root, nbs, ref


def _previous_build(root: Path, name: str, ref: dict[str, bytes]) -> Path:
    """An outputs folder holding what the reference build wrote (as a previous build would have)."""
    out = root / name
    shutil.copytree(root / "reference", out)
    shutil.copytree(config.work_dir(outputs=root / "reference"), config.work_dir(outputs=out))
    assert snapshot(out) == ref
    return out


def _interrupt_and_recover(project, name: str, sig: signal.Signals,
                           jobs: int = 1) -> tuple[Path, dict[str, bytes], str]:
    root, nbs, ref = project
    out = _previous_build(root, name, ref)
    mark = root / f"{name}.paused"
    proc = _cli(nbs, out, "--force", "--jobs", str(jobs), pause_mark=mark)
    _wait_for(mark, proc)
    kernel = int(mark.read_text())
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"the build did not stop within a minute of {sig.name}")
    assert proc.returncode != 0
    end = time.monotonic() + 30
    while not _gone(kernel) and time.monotonic() < end:
        time.sleep(0.2)
    if not _gone(kernel):  # do not leave it behind, whatever the outcome
        os.kill(kernel, signal.SIGKILL)
        pytest.fail("the report's kernel outlived the interrupted build")
    return out, snapshot(out), err.decode()


def _recovery_matches(project, out: Path) -> None:
    root, nbs, ref = project
    again = _run_cli(nbs, out, "--force")
    assert again.returncode == 0, again.stderr.decode()[-3000:]
    assert snapshot(out) == ref  # the same bytes as the uninterrupted build
    work = config.work_dir(outputs=out)  # no staging or kernel scratch folder is left behind
    assert [p.name for p in (work / "stage").rglob("*") if p.is_file()] == []
    assert not (work / "tmp").exists() or list((work / "tmp").iterdir()) == []
    assert list(_system_tmp(out).glob("cj-*")) == []
    reused = _run_cli(nbs, out)  # and the cache, trusted again, reuses both reports
    assert reused.returncode == 0
    assert _reports(snapshot(out)) == _reports(ref)


def _reports(snap: dict[str, bytes]) -> dict[str, bytes]:
    """The reports' files without the index pages (which say which reports were reused)."""
    return {k: v for k, v in snap.items() if Path(k).name != "index.html"}


@pytest.fixture(scope="module", params=[(signal.SIGINT, 1), (signal.SIGKILL, 1), (signal.SIGINT, 2)],
                ids=["ctrl-c", "killed", "ctrl-c-2-jobs"])
def interrupted(project, request):
    """A previous build's outputs, then a forced rebuild stopped (Ctrl-C to its process group, or
    SIGKILL) while its second report is running (with 2 jobs: while both run, or the first has
    just been published): (outputs folder, files right after the stop)."""
    sig, jobs = request.param
    return _interrupt_and_recover(project, f"int_{sig.name}_{jobs}", sig, jobs)


def test_interrupted_build_keeps_pages_and_leaves_no_temporary_files(project, interrupted):
    root, nbs, ref = project
    out, after, err = interrupted
    pages = [k for k in ref if k.endswith((".html", ".ipynb"))]
    assert {k: after.get(k) for k in pages} == {k: ref[k] for k in pages}
    assert [k for k in after if k not in ref] == []  # no temporary files left among the outputs
    assert list(_system_tmp(out).glob("cj-*")) == []  # nor in the system's temporary folder


def test_interrupted_build_is_quiet(project, interrupted):
    out, after, err = interrupted
    assert "Task exception was never retrieved" not in err and "Traceback" not in err, err[-3000:]


def test_interrupted_build_leaves_previous_outputs_intact(project, interrupted):
    root, nbs, ref = project
    out, after, err = interrupted
    assert after == ref, sorted(set(ref) ^ set(after)) or [k for k in ref if ref[k] != after.get(k)]


def test_next_build_after_an_interruption_gives_the_uninterrupted_outputs(project, interrupted):
    out, after, err = interrupted
    _recovery_matches(project, out)


def test_killed_kernel_fails_the_report_and_the_next_build_recovers(project):
    root, nbs, ref = project
    out = _previous_build(root, "kernel_killed", ref)
    mark = root / "kernel_killed.paused"
    proc = _cli(nbs, out, "--force", pause_mark=mark)
    _wait_for(mark, proc)
    os.kill(int(mark.read_text()), signal.SIGKILL)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the build hung after its kernel died")
    assert proc.returncode != 0
    message = err.decode()
    assert "02_pausing" in message and "brent" in message
    after = snapshot(out)
    assert after["brent/01_first.html"] == ref["brent/01_first.html"]  # the other report is untouched
    assert [k for k in after if k not in ref] == []
    _recovery_matches(project, out)


def test_outputs_are_moved_into_place_and_a_failed_move_keeps_the_old_file(project, tmp_path, monkeypatch):
    root, nbs, ref = project
    out = _previous_build(root, "atomic", ref)
    moves: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src, dst, *a, **kw):
        moves.append((Path(src), Path(dst)))
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", spy)
    result = build.run(notebooks_dir=nbs, outputs=out, notebooks=["01_first"], force=True, quiet=True,
                       check=False)
    assert result.ok
    written = {dst.resolve() for _, dst in moves}
    executed = config.work_dir(outputs=out) / "notebooks" / "brent" / "01_first.ipynb"
    for page in (out / "brent" / "01_first.html", executed, out / "index.html"):
        assert page.resolve() in written, f"{page} was not moved into place"
    for src, dst in moves:
        assert src.parent.resolve() == dst.parent.resolve() and src.name.startswith(f".{dst.name}.")

    # a failure while publishing (disk full, say) leaves the previous file whole and no temporary file
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>previous</p>")

    def failing(src, dst, *a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        manifest.atomic_write_bytes(page, b"<p>new</p>" * 1000)
    assert page.read_bytes() == b"<p>previous</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


@pytest.fixture(scope="module")
def hung(tmp_path_factory):
    """A build of a fine notebook and one whose fourth cell never ends (a busy loop, then a cell
    after it), with a 3 s cell timeout."""
    root = tmp_path_factory.mktemp("hang")
    nbs = root / "notebooks"
    write_notebook(nbs, "01_fine", [SHOW])
    write_notebook(nbs, "02_hangs", [SHOW, "while True:\n    pass", "print('never')"])
    started = time.monotonic()
    result = build.run(notebooks_dir=nbs, outputs=root / "out", timeout=3, jobs=1, quiet=True, check=False)
    return root, result, time.monotonic() - started


def test_hanging_notebook_hits_the_cell_timeout_and_is_reported(hung):
    root, result, seconds = hung
    assert seconds < 120
    by_name = {r.notebook: r for r in result.reports}
    assert by_name["01_fine"].status == "ok"
    failed = by_name["02_hangs"]
    assert failed.status == "failed" and not result.ok
    assert "02_hangs" in failed.error and "brent" in failed.error
    assert "timeout" in failed.error.lower() and "3 s" in failed.error
    assert (root / "out" / "brent" / "02_hangs.html").is_file()
    assert [r.notebook for r in result.failures] == ["02_hangs"]


def test_hanging_notebook_is_reported_with_the_cell_that_hung(hung):
    root, result, seconds = hung
    failed = {r.notebook: r for r in result.reports}["02_hangs"]
    assert "cell 4" in failed.error  # heading 1, parameters 2, display 3, the loop 4


def _state(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry under ``folder`` with its content hash, mtime (ns) and mode."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.stat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[str(p.relative_to(folder))] = (digest, st.st_mtime_ns, st.st_mode)
    return out


def test_data_folder_is_only_read_by_build_and_validate(tmp_path):
    if not (SYNTHETIC / manifest.MANIFEST).is_file():
        pytest.skip("the bundled synthetic data is absent")
    data = tmp_path / "data"
    shutil.copytree(SYNTHETIC, data)
    before = _state(data)
    nbs = tmp_path / "notebooks"
    write_notebook(nbs, "01_reads", [
        "import carejourneys as cj\n"
        "ds = cj.load_dataset(data_dir=data_dir, site=site)\n"
        "print(ds.origin, len(ds.fieldwork), len(ds.coded_segments))"])
    result = build.run(notebooks_dir=nbs, outputs=tmp_path / "out", data_dir=data, quiet=True, check=False)
    assert result.ok, [r.error for r in result.failures]
    work = config.work_dir(outputs=tmp_path / "out")
    executed = nbformat.read(work / "notebooks" / "brent" / "01_reads.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert printed.startswith("synthetic ")  # the build really read this folder
    assert _state(data) == before
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-m", "carejourneys.cli", "validate", str(data)], env=env,
                          capture_output=True, timeout=240)
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]
    assert _state(data) == before
