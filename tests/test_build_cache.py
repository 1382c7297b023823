"""cj.build's cache: a report is reused only when nothing it depends on changed.

What the key covers (carejourneys/build.py): the notebook's cells (type, source, tags; markdown
included), the parameters, every file of the data folder (manifest included) and of the public
data, every file of the package, the installed distributions and the Python version. Each
invalidation is checked end to end (the report runs again) or on the key itself (no kernel).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from carejourneys.publish import build

PARAMS = 'site = "brent"\ndata_dir = None\ndisclosure_threshold = 5'


def write_notebook(folder: Path, code: str = 'print("threshold", disclosure_threshold)',
                   prose: str = "# A small report") -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["carejourneys"] = {"title": "Cache test", "sites": ["brent", "plymouth"]}
    params = new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(prose), params, new_code_cell(code)]
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "01_cached.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A notebook folder, a data folder, and a stand-in package and public data folder (so that
    others editing the real package while the tests run cannot disturb the key)."""
    nb_path = write_notebook(tmp_path / "nb")
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.yml").write_text("origin: synthetic\nfiles: []\n")
    (data / "fieldwork.csv").write_text("event_id,site\n1,brent\n")
    package = tmp_path / "package"
    package.mkdir()
    (package / "metrics.py").write_text("VALUE = 1\n")
    public = tmp_path / "public"
    public.mkdir()
    (public / "areas.csv").write_text("area_code\nE09000005\n")
    monkeypatch.setattr(build, "PACKAGE_DIR", package)
    monkeypatch.setenv("CAREJOURNEYS_PUBLIC", str(public))
    monkeypatch.setattr(build, "package_versions", lambda: ["pandas-3.1.0", "numpy-2.0.0"])
    return tmp_path, nb_path, data, package, public


def run(root: Path, data: Path, **kw) -> build.BuildResult:
    return build.run(notebooks_dir=root / "nb", outputs=root / "out", data_dir=data, sites=["brent"],
                     quiet=True, check=False, **kw)


def statuses(result: build.BuildResult) -> list[str]:
    return [r.status for r in result.reports]


def outputs_bytes(root: Path) -> dict[Path, bytes]:
    """Every file the report wrote (the index pages are rewritten by each build)."""
    return {p: p.read_bytes() for p in (root / "out").rglob("*") if p.is_file() and p.name != "index.html"}


@pytest.mark.slow
def test_each_input_change_rebuilds_and_nothing_changed_reuses_byte_for_byte(project):
    root, nb_path, data, package, public = project
    first = run(root, data)
    assert statuses(first) == ["ok"]
    before = outputs_bytes(root)
    page = root / "out" / "brent" / "01_cached.html"
    assert "threshold 5" in page.read_text()

    again = run(root, data)
    assert statuses(again) == ["reused"]
    assert outputs_bytes(root) == before  # reused outputs are untouched
    index = (root / "out" / "index.html").read_bytes()
    assert b'class="cj-status-reused"' not in index  # a reader is not told which pages were taken over

    forced = run(root, data, force=True)
    assert statuses(forced) == ["ok"]
    assert (root / "out" / "index.html").read_bytes() == index

    # a code cell
    write_notebook(root / "nb", code='print("THRESHOLD IS", disclosure_threshold)')
    assert statuses(run(root, data)) == ["ok"]
    assert "THRESHOLD IS 5" in page.read_text()
    assert statuses(run(root, data)) == ["reused"]

    # a parameter
    assert statuses(run(root, data, disclosure_threshold=7)) == ["ok"]
    assert "THRESHOLD IS 7" in page.read_text()
    assert statuses(run(root, data, disclosure_threshold=7)) == ["reused"]

    # a data file, even with the manifest left as it was
    (data / "fieldwork.csv").write_text("event_id,site\n1,brent\n2,brent\n")
    assert statuses(run(root, data, disclosure_threshold=7)) == ["ok"]

    # a source file of the library
    (package / "metrics.py").write_text("VALUE = 2\n")
    assert statuses(run(root, data, disclosure_threshold=7)) == ["ok"]
    assert statuses(run(root, data, disclosure_threshold=7)) == ["reused"]


def test_notebook_key_follows_code_markdown_and_tags_but_not_outputs_or_ids(tmp_path):
    path = write_notebook(tmp_path)
    key = build.notebook_key(path)
    assert build.notebook_key(path) == key  # stable

    # what Jupyter rewrites on save (outputs, execution counts, ids, cell metadata) is left out
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].execution_count = 12
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="old output\n")]
    nb.cells[2]["id"] = "renamed"
    nb.cells[2].metadata["collapsed"] = True
    nb.metadata["language_info"] = {"name": "python", "version": "3.11"}
    nbformat.write(nb, path)
    assert build.notebook_key(path) == key

    changes = {
        "code": lambda nb: setattr(nb.cells[2], "source", "print(1)"),
        "markdown": lambda nb: setattr(nb.cells[0], "source", "# Another heading"),
        "tags": lambda nb: nb.cells[2].metadata.__setitem__("tags", ["remove-cell"]),
        "cell type": lambda nb: setattr(nb.cells[0], "cell_type", "raw"),
        "metadata": lambda nb: nb.metadata["carejourneys"].__setitem__("title", "Renamed"),
    }
    for what, change in changes.items():
        path_copy = tmp_path / what / "01_cached.ipynb"
        path_copy.parent.mkdir()
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path_copy)
        assert build.notebook_key(path_copy) != key, what


def test_environment_key_covers_data_public_package_versions_and_python(project, monkeypatch):
    root, nb_path, data, package, public = project
    key = build.environment_key(data)
    assert build.environment_key(data) == key

    def changed(edit) -> bool:
        edit()
        return build.environment_key(data) != key

    assert changed(lambda: (data / "manifest.yml").write_text("origin: synthetic\nfiles: []\n# edited\n"))
    key = build.environment_key(data)
    assert changed(lambda: (data / "sub").mkdir() or (data / "sub" / "new.csv").write_text("a\n1\n"))
    key = build.environment_key(data)
    assert changed(lambda: (public / "areas.csv").write_text("area_code\nE09000006\n"))
    key = build.environment_key(data)
    assert changed(lambda: (package / "templates.css").write_text("h1{}\n"))  # not only *.py
    key = build.environment_key(data)
    assert changed(lambda: monkeypatch.setattr(build, "package_versions", lambda: ["pandas-3.2.0"]))
    key = build.environment_key(data)
    assert changed(lambda: monkeypatch.setattr(build.sys, "version", "3.99.0 (test)"))
    key = build.environment_key(data)

    # what does not shape a report: compiled files, hidden files (editors, checkpoints)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "metrics.cpython-311.pyc").write_bytes(b"\x00compiled")
    (data / ".~lock.fieldwork.csv#").write_text("someone has it open")
    (data / ".ipynb_checkpoints").mkdir()
    (data / ".ipynb_checkpoints" / "x.csv").write_text("a\n")
    assert build.environment_key(data) == key


def test_package_versions_lists_the_installed_distributions():
    import importlib.metadata as md

    versions = build.package_versions()
    assert versions == sorted(versions)
    for dist in ("pandas", "numpy", "papermill", "nbconvert"):
        expected = f"{dist}-{md.version(dist)}"
        assert expected in versions, expected


def test_package_versions_do_not_depend_on_the_working_folder(tmp_path, monkeypatch):
    """Run from the repository, Python also finds the ``carejourneys.egg-info`` an editable install
    leaves there (named without its version): the key must not change with the working folder."""
    import importlib.metadata as md

    before = build.package_versions()
    egg = tmp_path / "carejourneys.egg-info"
    egg.mkdir()
    version = md.version("carejourneys")
    (egg / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: carejourneys\nVersion: {version}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert build.package_versions() == before


def test_target_key_follows_parameters_and_show_code(tmp_path):
    info = build.read_notebook_info(write_notebook(tmp_path))
    base = {"site": "brent", "data_dir": None, "disclosure_threshold": 5}
    key = build.target_key(info, base, "env", False)
    assert build.target_key(info, dict(base), "env", False) == key
    assert build.target_key(info, {**base, "disclosure_threshold": 6}, "env", False) != key
    assert build.target_key(info, {**base, "site": "plymouth"}, "env", False) != key
    assert build.target_key(info, {**base, "data_dir": "/elsewhere"}, "env", False) != key
    assert build.target_key(info, base, "other env", False) != key
    assert build.target_key(info, base, "env", True) != key


def test_an_unreadable_or_foreign_record_is_rebuilt_not_reused(tmp_path):
    from carejourneys.publish.cache import WorkFolder

    work = WorkFolder(tmp_path / "work", tmp_path / "out")
    bad = work.state("brent", "x")
    bad.parent.mkdir(parents=True)
    bad.write_text("{ not json")
    assert work.read("brent", "x") is None
    bad.write_text('{"status": "ok"}')
    assert work.read("brent", "x") is None
    bad.write_text('{"key": "k", "status": "ok", "site": "brent", "notebook": "x", "checked": true, '
                   '"page_sha256": "0000"}')
    record = work.read("brent", "x")
    assert record["key"] == "k" and not work.trusted(record)  # no page with those bytes
    page = work.page("brent", "x")
    page.parent.mkdir(parents=True)
    page.write_bytes(b"<p>x</p>")
    import hashlib

    record["page_sha256"] = hashlib.sha256(b"<p>x</p>").hexdigest()
    assert work.trusted(record)
    assert not work.trusted({**record, "checked": False})  # a page the checker never saw
    assert work.trusted({**record, "checked": False}, unchecked=True)


def test_statuses_are_one_enum_and_the_index_never_says_reused():
    from carejourneys.publish import site_index, status
    from carejourneys.publish.site_index import Entry, _status_html

    assert build.Status is status.Status and build.OK_STATUSES is status.OK_STATUSES
    assert not hasattr(site_index, "OK_STATUSES") and not hasattr(site_index, "REUSED_STATUSES")

    def entry(state):
        return Entry("00_x", "brent", "X", status.status(state).published, "synthetic", "0.1.0", (), True)

    assert entry("reused").ok and entry("ok").ok and not entry("failed").ok and not entry("up to date").ok
    assert _status_html(entry("reused")) == _status_html(entry("ok")) == ""
    assert "cj-status-failed" in _status_html(entry("failed"))
