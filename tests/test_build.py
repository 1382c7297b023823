"""cj.build: planning and parameter checks, execution with papermill, the failure path, HTML pages."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_helpers import PARAMS, write_notebook

from carejourneys import cli, config
from carejourneys.errors import BuildError
from carejourneys.publish import build
from carejourneys.publish import execute as build_exec
from carejourneys.publish import html as build_html

GOOD = [
    'from IPython.display import HTML, display\n'
    'secret_code_marker = 1\n'
    'display(HTML(f"<p class=\'shown\'>site is {site}, threshold {disclosure_threshold}</p>"))',
    'import warnings\nwarnings.warn("a noisy warning on stderr")',
    'import matplotlib\nprint("backend", matplotlib.get_backend())\nimport sys\nprint(sys.executable)',
    'import os\nprint("report", os.environ["CAREJOURNEYS_REPORT"], "in", os.getcwd())',
    'import carejourneys as cj\np = cj.report.log_path("demo")\np.write_text("demo log\\n")\n'
    'print("log named", p.name)',
    'from carejourneys.sdc import disclosure\n'
    'disclosure.emit_log([{"table": "T9", "row": 2, "column": "n", "rule": "primary"}])',
]
BROKEN = ['x = 1', 'raise ValueError("deliberate failure")', 'print("never runs")']


# --------------------------------------------------------------------------- planning (no kernel)


def test_parameters_of_reads_literal_defaults(tmp_path):
    p = write_notebook(tmp_path, "a", [], params=PARAMS + "\nwaves: list = [1, 2]\nratio = 0.5")
    info = build.read_notebook_info(p)
    assert info.parameters == {"site": "plymouth", "data_dir": None, "disclosure_threshold": 5,
                               "waves": [1, 2], "ratio": 0.5}
    assert info.sites == ("brent", "plymouth") and info.title == "Report a" and not info.any_la


@pytest.mark.parametrize("params, message", [
    ("site = 'x'\nprint(site)", "may only assign"),
    ("site = 'x'\ndata_dir = None\ndisclosure_threshold = int('5')", "literal default"),
    ("site = 'x'\ndata_dir = None", "lacks disclosure_threshold"),
    ("site = (", "not valid Python"),
])
def test_bad_parameters_cells(tmp_path, params, message):
    p = write_notebook(tmp_path, "a", [], params=params)
    with pytest.raises(BuildError, match=re.escape(message)):
        build.read_notebook_info(p)


def test_bad_metadata(tmp_path):
    p = write_notebook(tmp_path, "a", [], sites=("leeds",))
    with pytest.raises(BuildError, match="unknown sites"):
        build.read_notebook_info(p)
    nb = nbformat.read(p, as_version=4)
    del nb.metadata["carejourneys"]
    nbformat.write(nb, p)
    with pytest.raises(BuildError, match="carejourneys"):
        build.read_notebook_info(p)
    nb.metadata["carejourneys"] = {"sites": ["brent"]}
    for c in nb.cells:
        c.metadata.pop("tags", None)
    nbformat.write(nb, p)
    with pytest.raises(BuildError, match="tagged 'parameters'"):
        build.read_notebook_info(p)


def test_check_parameters_rejects_unknown_names_and_wrong_types(tmp_path):
    info = build.read_notebook_info(write_notebook(tmp_path, "a", []))
    ok = build.check_parameters(info, {"site": "brent", "data_dir": tmp_path, "disclosure_threshold": 10})
    assert ok == {"site": "brent", "data_dir": str(tmp_path), "disclosure_threshold": 10}
    with pytest.raises(BuildError, match="unknown parameter 'colour'"):
        build.check_parameters(info, {"colour": "red"})
    with pytest.raises(BuildError, match="'disclosure_threshold' must be int"):
        build.check_parameters(info, {"disclosure_threshold": "5"})
    with pytest.raises(BuildError, match="must be int"):
        build.check_parameters(info, {"disclosure_threshold": True})
    with pytest.raises(BuildError, match="'site' must be str"):
        build.check_parameters(info, {"site": 3})
    with pytest.raises(BuildError, match="None or a string"):
        build.check_parameters(info, {"data_dir": 3})


def test_plan_filters_sites_and_accepts_la_codes_only_where_declared(tmp_path):
    a = build.read_notebook_info(write_notebook(tmp_path, "a", [], sites=("brent", "plymouth", "all")))
    b = build.read_notebook_info(write_notebook(tmp_path, "b", [], sites=("brent",), any_la=True))
    kw = {"data_dir": None, "disclosure_threshold": 5, "extra": {}}
    every = build.plan(None, [a, b], **kw)
    assert [(i.name, s) for i, s, _ in every] == [("a", "brent"), ("a", "plymouth"), ("a", "all"),
                                                  ("b", "brent")]
    assert [(i.name, s) for i, s, _ in build.plan(["plymouth"], [a, b], **kw)] == [("a", "plymouth")]
    # a council's old and new codes are one site, built under its new code
    assert [(i.name, s) for i, s, _ in build.plan(["E08000025", "330"], [a, b], **kw)] == [("b", "E08000025")]
    assert [(i.name, s) for i, s, _ in build.plan(["330"], [a, b], **kw)] == [("b", "E08000025")]
    with pytest.raises(BuildError, match="unknown site or council 'leeds'"):
        build.plan(["leeds"], [a, b], **kw)
    with pytest.raises(BuildError, match="unknown parameter 'wave'"):
        build.plan(None, [a], data_dir=None, disclosure_threshold=5, extra={"wave": 2})


def test_find_notebooks(tmp_path):
    write_notebook(tmp_path, "01_b", [])
    write_notebook(tmp_path, "00_a", [])
    assert [p.name for p in build.find_notebooks(tmp_path)] == ["00_a.ipynb", "01_b.ipynb"]
    assert [p.stem for p in build.find_notebooks(tmp_path, ["01_b.ipynb"])] == ["01_b"]
    with pytest.raises(BuildError, match="no notebook named 'zz'.*available: 00_a, 01_b"):
        build.find_notebooks(tmp_path, ["zz"])


def test_bad_request_fails_before_anything_runs(tmp_path):
    write_notebook(tmp_path / "nb", "a", GOOD)
    with pytest.raises(BuildError, match="must be int"):
        build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", disclosure_threshold="5",
                  quiet=True)
    assert not (tmp_path / "out").exists()


def test_kernel_start_is_retried(tmp_path, monkeypatch):
    """A kernel that dies while starting (port race) is started again; the third failure is reported."""
    nb_path = write_notebook(tmp_path, "a", ["y = 2", "print(y * site_n)"], params="site = \"x\"\nsite_n = 1")
    real_launch = build_exec.ReportKernel._launch
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real_launch(self)

    monkeypatch.setattr(build_exec.ReportKernel, "_launch", flaky)
    nb, failure = build_exec.execute(nb_path, {"site": "brent", "site_n": 3}, cwd=tmp_path, timeout=30)
    assert failure is None and len(calls) == 3
    assert nb.cells[-1].outputs[0]["text"] == "6\n"
    calls.clear()

    def dead(self):
        calls.append(1)
        raise RuntimeError("dead")

    monkeypatch.setattr(build_exec.ReportKernel, "_launch", dead)
    nb, failure = build_exec.execute(nb_path, {"site": "brent"}, cwd=tmp_path, timeout=5)
    assert len(calls) == build_exec.START_ATTEMPTS
    assert failure.kind == "kernel" and failure.cell is None and "dead" in failure.describe()


def test_kernel_spec_runs_this_interpreter():
    import sys

    spec = build_exec.SameInterpreterKernelSpecManager().get_kernel_spec(build_exec.KERNEL_NAME)
    assert spec.argv[0] == sys.executable and spec.env["MPLBACKEND"] == "Agg"


def test_clean_notebook_removes_timings_and_random_ids():
    nb = new_notebook(cells=[new_markdown_cell("x"), new_code_cell("1")])
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.5, "parameters": {"a": 1}}
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["papermill"] = {"duration": 0.2, "status": "completed"}
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stderr", text="warn"),
                           nbformat.v4.new_output("stream", name="stdout", text="out")]
    clean = build_html.clean_notebook(nb)
    assert clean.metadata["papermill"] == {"parameters": {"a": 1}}
    assert "execution" not in clean.cells[1].metadata and clean.cells[1].metadata["papermill"] == {
        "status": "completed"}
    assert [o["name"] for o in clean.cells[1].outputs] == ["stdout"]
    assert [c["id"] for c in clean.cells] == ["cell-0", "cell-1"]
    assert "duration" in nb.metadata["papermill"]  # the input is not modified


# --------------------------------------------------------------------------- real builds


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    nbs = root / "notebooks"
    write_notebook(nbs, "01_good", GOOD)
    write_notebook(nbs, "02_broken", BROKEN, sites=("brent",))
    write_notebook(nbs, "03_any", ['print("la", site)'], sites=("plymouth",), any_la=True)
    out = root / "outputs"
    result = build.run(notebooks_dir=nbs, outputs=out, jobs=2, sites=["brent", "plymouth", "E08000025"],
                       quiet=True, check=False)
    return root, nbs, out, result


@pytest.mark.slow
def test_build_writes_pages_and_executed_notebooks(built):
    root, nbs, out, result = built
    got = {(r.notebook, r.site): r for r in result.reports}
    assert set(got) == {("01_good", "brent"), ("01_good", "plymouth"), ("02_broken", "brent"),
                        ("03_any", "plymouth"), ("03_any", "E08000025")}
    good = got[("01_good", "plymouth")]
    assert good.status == "ok" and good.html == out / "plymouth" / "01_good.html"
    page = good.html.read_text()
    assert "site is plymouth, threshold 5" in page
    # code hidden, stderr warnings dropped, kernel on this interpreter with the Agg backend
    assert "secret_code_marker" not in page and "class=\"input_area" not in page
    assert "noisy warning" not in page
    assert "backend agg" in page.lower()
    import sys

    # no absolute path on the page: the interpreter is named by its place, not its path
    assert sys.executable not in page and "&lt;python&gt;/bin/python" in page
    # the kernel runs in its private staging folder and knows which report it is building
    assert "report 01_good in &lt;private working folder&gt;/stage/plymouth/01_good" in page
    # records are written apart from the page and moved to the private working folder
    work = config.work_dir(outputs=out)
    assert "log named 01_good.demo.csv" in page
    assert (work / "logs" / "plymouth" / "01_good.demo.csv").read_text() == "demo log\n"
    # disclosure records a notebook attaches to its outputs go there too, never in the page
    from carejourneys.sdc import disclosure
    log = (work / "logs" / "plymouth" / "01_good.disclosure.csv").read_text()
    assert "T9" in log and "01_good" in log and "T9" not in page
    assert good.ipynb == work / "notebooks" / "plymouth" / "01_good.ipynb"
    assert disclosure.LOG_MIMETYPE not in good.ipynb.read_text()
    # outputs/ holds pages only
    assert {p.suffix for p in out.rglob("*") if p.is_file()} == {".html"}
    # no request to any other host: nothing with a src/href to http(s) or //, and a strict CSP
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "default-src 'none'" in page
    executed = nbformat.read(good.ipynb, as_version=4)
    meta = executed.metadata["carejourneys"]["build"]
    assert meta["status"] == "ok" and meta["params"]["site"] == "plymouth"
    assert executed.metadata["kernelspec"]["name"] == "python3"
    assert "start_time" not in json.dumps(executed.metadata)
    assert got[("03_any", "E08000025")].status == "ok"
    assert "la E08000025" in got[("03_any", "E08000025")].html.read_text()


@pytest.mark.slow
def test_a_failing_notebook_gets_a_page_and_names_the_cell(built):
    root, nbs, out, result = built
    assert not result.ok
    [bad] = result.failures
    assert (bad.notebook, bad.site) == ("02_broken", "brent")
    # the failing cell is the 4th of the notebook: heading, parameters, x = 1, raise
    assert "02_broken" in bad.error and "site brent" in bad.error and "cell 4" in bad.error
    assert "ValueError: deliberate failure" in bad.error
    page = (out / "brent" / "02_broken.html").read_text()
    assert "This report failed to build" in page and "deliberate failure" in page
    assert "never runs" not in page
    executed = nbformat.read(config.work_dir(outputs=out) / "notebooks" / "brent" / "02_broken.ipynb",
                             as_version=4)
    assert executed.metadata["carejourneys"]["build"]["status"] == "failed"
    assert "ValueError: deliberate failure" in bad.log.read_text()  # the private build log
    assert any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))
    # the others went on
    assert sum(r.status == "ok" for r in result.reports) == 4


@pytest.mark.slow
def test_index_lists_every_report(built):
    root, nbs, out, result = built
    index = (out / "index.html").read_text()
    for r in result.reports:
        assert f'href="{r.site}/{r.notebook}.html"' in index
    assert "Birmingham (E08000025)" in index and "(failed)" in index  # named from areas.csv
    assert "disclosure_threshold=5" in index and "0.1.0" in index


@pytest.mark.slow
def test_rebuild_is_skipped_when_nothing_changed_and_identical_when_forced(built, monkeypatch):
    root, nbs, out, result = built
    # the package's own files are part of the key; others may be editing them while the tests run
    monkeypatch.setattr(build, "environment_key", lambda data_dir: "fixed")
    build.run(notebooks_dir=nbs, outputs=out, notebooks=["01_good"], sites=["brent"], force=True, quiet=True,
              check=False)
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    again = build.run(notebooks_dir=nbs, outputs=out, notebooks=["01_good"], sites=["brent"], quiet=True,
                      check=False)
    assert [r.status for r in again.reports] == ["reused"]
    stale = config.work_dir(outputs=out) / "logs" / "brent" / "01_good.stale.csv"
    stale.write_text("an old log")
    forced = build.run(notebooks_dir=nbs, outputs=out, notebooks=["01_good"], sites=["brent"], force=True,
                       quiet=True, check=False)
    assert not stale.exists()  # a report's logs are rewritten by each run
    assert [r.status for r in forced.reports] == ["ok"]
    after = {p: p.read_bytes() for p in out.rglob("*.html")}
    assert after == before  # byte-identical pages, index included
    # a change in what the reports depend on makes them out of date
    monkeypatch.setattr(build, "environment_key", lambda data_dir: "changed")
    changed = build.run(notebooks_dir=nbs, outputs=out, notebooks=["01_good"], sites=["brent"], quiet=True,
                        check=False)
    assert [r.status for r in changed.reports] == ["ok"]


def test_environment_key_follows_the_data_manifest(tmp_path):
    (tmp_path / "manifest.yml").write_text("origin: synthetic\nfiles: []\n")
    a = build.environment_key(tmp_path)
    (tmp_path / "manifest.yml").write_text("origin: synthetic\nfiles: []\ndescription: changed\n")
    assert build.environment_key(tmp_path) != a


@pytest.mark.slow
def test_cli_exits_non_zero_naming_notebook_site_and_cell(built, monkeypatch, capsys):
    root, nbs, out, result = built
    monkeypatch.setenv("CAREJOURNEYS_NOTEBOOKS", str(nbs))
    code = cli.main(["build", "--notebook", "02_broken", "--site", "brent", "--outputs", str(root / "cli"),
                     "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == cli.Exit.BUILD  # a report failed: 4
    assert "02_broken for site brent failed at cell 4" in captured.err
    assert captured.out.strip().endswith(str(root / "cli" / "index.html"))


@pytest.mark.slow
def test_cell_timeout_names_the_cell(tmp_path):
    write_notebook(tmp_path / "nb", "slow", ["import time\ntime.sleep(60)"], sites=("brent",))
    result = build.run(notebooks_dir=tmp_path / "nb", outputs=tmp_path / "out", timeout=2, quiet=True,
                       check=False)
    [r] = result.reports
    assert r.status == "failed" and "cell 3" in r.error and "Timeout" in r.error
    assert (tmp_path / "out" / "brent" / "slow.html").is_file()


@pytest.mark.slow
def test_show_code_flag_keeps_the_code(built):
    root, nbs, out, result = built
    shown = build.run(notebooks_dir=nbs, outputs=root / "with_code", notebooks=["01_good"], sites=["brent"],
                      show_code=True, quiet=True, check=False)
    page = shown.reports[0].html.read_text()
    assert "secret_code_marker" in page and 'class="input_area' in page
