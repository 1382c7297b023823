"""Kept kernels: a build worker runs report after report in one kernel, reset between reports.

The promise (``carejourneys.publish.execute.ReportKernel``, ``carejourneys.publish.kernels``): a report
built in a kernel that has already run other reports is the same, byte for byte, as one built in
a fresh kernel. Checked here with a notebook written to change every kind of state a report can
change, and with the real reports (every page and log of the full build against a build with a
fresh kernel per report).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import notebook_helpers
import pytest

from carejourneys import config
from carejourneys.publish import build
from carejourneys.publish import execute as build_exec
from carejourneys.publish import kernels as build_kernel

PACKAGE = Path(build.__file__).resolve().parents[1]

PARAMS = 'site = "brent"\ndata_dir = None\ndisclosure_threshold = 5'

#: changes everything a report could change in its kernel
MESSY = [
    "import os, sys, warnings\n"
    "import pandas as pd\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "leaked_global = 'from the messy report'\n"
    "os.environ['CJ_LEAK'] = 'yes'\n"
    "os.environ['CAREJOURNEYS_REPORT'] = 'overwritten'\n"
    "os.chdir('/')\n"
    "sys.path.insert(0, '/nowhere')\n"
    "warnings.simplefilter('ignore')\n"
    "pd.set_option('display.max_rows', 3)\n"
    "matplotlib.rcParams['lines.linewidth'] = 9\n"
    "plt.figure()\n"
    "import carejourneys as cj\n"
    "ctx = cj.report.setup(site, data_dir=data_dir, disclosure_threshold=disclosure_threshold)\n"
    "cj.public._CACHE[('x', 0.0)] = 'stale'\n"
    "import datetime as dt\n"
    "cj.sites.register(cj.sites.Site('leaky', 'Leaky', '999', 'Z99999999', 'Nowhere', 'None', 'Test',\n"
    "                                dt.date(2020, 1, 1), dt.date(2021, 1, 1)))\n"
    "1 + 1",
]

#: reports what a fresh kernel would show
PROBE = [
    "import os, sys, warnings, json\n"
    "import pandas as pd\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "import carejourneys as cj\n"
    "seen = {\n"
    "    'globals': sorted(k for k in globals() if not k.startswith('_') and k not in\n"
    "                      ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'os', 'sys', 'warnings',\n"
    "                       'json',\n"
    "                       'pd', 'matplotlib', 'plt', 'cj', 'site', 'data_dir', 'disclosure_threshold')),\n"
    "    'leak_env': os.environ.get('CJ_LEAK'),\n"
    "    'report': os.environ.get('CAREJOURNEYS_REPORT'),\n"
    "    'cwd': os.getcwd(),\n"
    "    'nowhere_on_path': '/nowhere' in sys.path,\n"
    "    'max_rows': pd.get_option('display.max_rows'),\n"
    "    'linewidth': matplotlib.rcParams['lines.linewidth'],\n"
    "    'figures': plt.get_fignums(),\n"
    "    'context': cj.report.current() is not None,\n"
    "    'public_cache': len(cj.public._CACHE),\n"
    "    'sites': [s.key for s in cj.sites.all_sites()],\n"
    "    'pid': os.getpid(),\n"
    "}\n"
    "print(json.dumps(seen, sort_keys=True))",
    "import warnings\nwith warnings.catch_warnings(record=True) as w:\n"
    "    warnings.warn('shown every time')\nprint('warnings recorded', len(w))",
    "warnings.warn('a module-level warning shown once per kernel unless reset')",
]


def write_notebook(folder: Path, name: str, cells: list[str]) -> Path:
    return notebook_helpers.write_notebook(folder, name, cells, sites=("brent",), params=PARAMS)


def probe_output(nb) -> tuple[dict, list[int | None], list[str]]:
    """What the probe saw, the execution counts, and the text of every stream output."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    body = [c for c in code if not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    seen = json.loads(body[0].outputs[0]["text"])
    streams = [o.get("name", "") + ":" + o.get("text", "").split(":")[-1].strip()
               for c in body for o in c.outputs if c is not body[0]]
    return seen, [c.execution_count for c in code], streams


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reuse_nbs")
    return write_notebook(folder, "messy", MESSY), write_notebook(folder, "probe", PROBE)


def test_a_kept_kernel_is_reset_between_reports(notebooks, tmp_path):
    messy, probe = notebooks
    cwd_a, cwd_b = tmp_path / "a", tmp_path / "b"
    cwd_a.mkdir()
    cwd_b.mkdir()
    fresh_nb, failure = build_exec.execute(probe, {"site": "brent"}, cwd=cwd_b, timeout=60,
                                           env={"CAREJOURNEYS_REPORT": "probe"})
    assert failure is None
    fresh, fresh_counts, fresh_streams = probe_output(fresh_nb)

    kernel = build_exec.ReportKernel()
    try:
        for notebook, cwd, env in [(probe, cwd_b, {"CAREJOURNEYS_REPORT": "probe"}),
                                   (messy, cwd_a, {"CAREJOURNEYS_REPORT": "messy", "CJ_ONLY_MESSY": "1"}),
                                   (probe, cwd_b, {"CAREJOURNEYS_REPORT": "probe"})]:
            nb, failure = build_exec.execute(notebook, {"site": "brent"}, cwd=cwd, timeout=60, env=env,
                                             kernel=kernel)
            assert failure is None
        assert kernel.starts == 1 and kernel.reports == 3  # one kernel ran all three
        kept, kept_counts, kept_streams = probe_output(nb)
    finally:
        kernel.dispose()
    assert kept.pop("pid") != fresh.pop("pid")
    assert kept == fresh == {
        "globals": [], "leak_env": None, "report": "probe", "cwd": str(cwd_b), "nowhere_on_path": False,
        "max_rows": 60, "linewidth": 1.5, "figures": [], "context": False, "public_cache": 0,
        "sites": ["brent", "plymouth"],
    }
    assert kept_counts == fresh_counts == [1, 2, 3, 4, 5]
    assert kept_streams == fresh_streams
    assert any("shown once per kernel" in s for s in kept_streams)  # the warnings registry was reset too


def test_a_failed_report_gives_the_next_one_a_fresh_kernel(notebooks, tmp_path):
    _, probe = notebooks
    broken = write_notebook(tmp_path / "nbs", "broken", ["import os\nprint(os.getpid())", "1 / 0"])
    kernel = build_exec.ReportKernel()
    try:
        nb, failure = build_exec.execute(broken, {"site": "brent"}, cwd=tmp_path, timeout=60, kernel=kernel)
        assert failure is not None and failure.ename == "ZeroDivisionError" and failure.cell == 4
        first_pid = int(next(c for c in nb.cells if c.get("id") == "broken-2").outputs[0]["text"])
        assert not kernel.alive  # given up after the failure
        nb, failure = build_exec.execute(probe, {"site": "brent"}, cwd=tmp_path, timeout=60, kernel=kernel)
        assert failure is None and kernel.starts == 2
        assert probe_output(nb)[0]["pid"] != first_pid
    finally:
        kernel.dispose()


def test_a_kept_kernel_that_died_between_reports_is_replaced(notebooks, tmp_path):
    _, probe = notebooks
    kernel = build_exec.ReportKernel()
    try:
        nb, failure = build_exec.execute(probe, {"site": "brent"}, cwd=tmp_path, timeout=60, kernel=kernel)
        assert failure is None
        first = probe_output(nb)[0]["pid"]
        kernel.kill()  # as the out-of-memory killer might, while the kernel waits for its next report
        nb, failure = build_exec.execute(probe, {"site": "brent"}, cwd=tmp_path, timeout=60, kernel=kernel)
        assert failure is None and kernel.starts == 2 and probe_output(nb)[0]["pid"] != first
    finally:
        kernel.dispose()


def test_a_kernel_is_replaced_after_max_reports(notebooks, tmp_path):
    _, probe = notebooks
    kernel = build_exec.ReportKernel(max_reports=2)
    try:
        pids = []
        for _ in range(3):
            nb, failure = build_exec.execute(probe, {"site": "brent"}, cwd=tmp_path, timeout=60,
                                             kernel=kernel)
            assert failure is None
            pids.append(probe_output(nb)[0]["pid"])
        assert pids[0] == pids[1] != pids[2] and kernel.starts == 2
    finally:
        kernel.dispose()
    assert not kernel.alive


def test_the_build_keeps_one_kernel_per_job(tmp_path):
    nbs = tmp_path / "nbs"
    for name in ("a", "b", "c"):
        write_notebook(nbs, name, ["import os\nprint(os.getpid())"])
    pids = {}
    for fresh in (False, True):
        out = tmp_path / f"out_{fresh}"
        result = build.run(notebooks_dir=nbs, outputs=out, jobs=1, quiet=True, check=False,
                           fresh_kernels=fresh)
        assert result.ok
        executed = config.work_dir(outputs=out) / "notebooks" / "brent"
        last = [[c for c in nbformat.read(executed / f"{n}.ipynb", as_version=4).cells
                 if c.cell_type == "code"][-1] for n in ("a", "b", "c")]
        pids[fresh] = {c.outputs[0].text for c in last}
    assert len(pids[False]) == 1 and len(pids[True]) == 3


@pytest.mark.slow
def test_real_pages_are_the_same_in_kept_and_fresh_kernels(full_build, tmp_path):
    """Every page and log of the full build (kept kernels, 2 jobs: the reports share kernels in an
    order that varies) equals a build with a fresh kernel per report."""
    out = tmp_path / "fresh"
    result = build.run(outputs=out, force=True, quiet=True, fresh_kernels=True)
    assert result.ok, [r.error for r in result.failures]

    def files(root: Path) -> dict[str, bytes]:
        """Every page, and every record the reports wrote in the private working folder."""
        logs = config.work_dir(outputs=root) / "logs"
        pages = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.html"))
                 if p.name != "index.html"}
        return pages | {f"logs/{p.relative_to(logs)}": p.read_bytes() for p in sorted(logs.rglob("*.csv"))}

    kept, fresh = files(full_build.out), files(out)
    assert len(kept) >= 12 and kept.keys() == fresh.keys()
    assert [k for k in kept if kept[k] != fresh[k]] == []


# --------------------------------------------------------------------------- package state


_MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add",
             "discard", "remove", "__setitem__", "__delitem__"}


def _module_state(path: Path) -> set[str]:
    """Module-level names that functions of the module change: declared ``global``, or a
    module-level container that a function assigns into, deletes from or calls a mutating method
    of (``_CACHE[key] = ...``, ``_CACHE.clear()``). Tables built once at import are not state."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        module_names |= {t.id for t in targets if isinstance(t, ast.Name)}
    changed: set[str] = set()
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        local = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                changed |= set(node.names)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                        changed.add(t.value.id)
                    elif isinstance(node, ast.AugAssign) and isinstance(t, ast.Name):
                        changed.add(t.id)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name)):
                changed.add(node.func.value.id)
        changed -= local
    return changed & module_names


#: module-level state that is harmless across reports: (module, name) -> why
HARMLESS = {
    ("carejourneys.sdc.anonymise", "_DENY_CACHE"):
        "compiled regular expressions keyed by the deny-list terms",
    ("carejourneys.publish.kernels", "_BASELINE"): "the kernel's own baseline, recorded once",
    ("carejourneys.inputs.schemas", "SOURCES"):
        "filled at import by the private _add; nothing changes it later",
    ("carejourneys.inputs.council_names", "_CACHE"): "areas.csv as read, keyed by its path, size and mtime",
    ("carejourneys.render.report", "_SHARED"):
        "protected tables keyed by the data's manifest checksum, the policy, the sites and the sources",
}


def test_every_piece_of_package_state_is_reset_or_known_to_be_harmless():
    """A module of the package that keeps state between calls (a cache, a current context) must be
    reset between reports in a kept kernel (``build_kernel.STATE``) or be listed as harmless."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(("carejourneys", *path.relative_to(PACKAGE).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        found |= {(module, name) for name in _module_state(path)}
    reset = {(m, a) for m, attrs in build_kernel.STATE.items() for a in attrs}
    assert found - reset - HARMLESS.keys() == set()
    assert reset <= found  # STATE names nothing that no longer exists
