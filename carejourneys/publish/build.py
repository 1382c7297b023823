"""The build: run every report notebook for each of its sites and publish HTML.

    result = cj.build.run()                       # every notebook x every site it declares
    result = cj.build.run(sites=["brent"], notebooks=["00_evidence_base"], jobs=2)
    result.ok, result.reports                     # ReportResult(notebook, site, status, html, error, ...)

Targets are each ``notebooks/NN_name.ipynb`` x the sites in its metadata
``{"carejourneys": {"title": ..., "sites": [...], "any_la": false}}``; ``sites=`` filters them (a
site a notebook does not declare is skipped for it, except that a notebook declaring
``"any_la": true`` also accepts any local authority code such as ``"330"`` or ``"E08000025"``).

For each target the build checks the parameters itself against the notebook's ``parameters``
cell (unknown names and wrong types are errors: papermill only warns), runs the notebook with
papermill in a kernel on this interpreter (:mod:`carejourneys.publish.execute`), saves the executed
notebook as ``outputs/<site>/<notebook>.ipynb`` and the page, code hidden, as
``outputs/<site>/<notebook>.html`` (:mod:`carejourneys.publish.html`), both written atomically.
Each job keeps one kernel for the reports it runs and resets it between them, so that kernel
start-up and imports are paid once per job, not once per report
(:class:`carejourneys.publish.execute.ReportKernel`, :mod:`carejourneys.publish.kernels`; the pages are
byte-identical to those of fresh kernels, which ``fresh_kernels=True`` gives).
The report runs in ``outputs/<site>/`` with ``CAREJOURNEYS_REPORT`` (the notebook's name) and
``CAREJOURNEYS_OUTPUT_DIR`` (a staging folder) in its environment, so that logs which must never
reach the HTML (disclosure decisions, quote anonymisation) are written apart from the page and
moved beside it as ``<notebook>.<kind>.csv`` once the page is in place (see
:func:`carejourneys.render.report.log_path`): an interrupted build keeps the previous page and logs.
A failing notebook still gets both files, the page showing the error; the other targets go on;
``result.ok`` is False and each failure names the notebook, the site and the failing cell.
``outputs/index.html`` lists every report in the outputs folder.

The cache: a target whose inputs have not changed since its last successful build is not run
again (status ``reused``, shown as such in the index) unless ``force=True``. Its inputs, hashed
into the key recorded in the executed notebook's metadata (:func:`target_key`), are

* the notebook's cells: their type, source and tags, markdown included (the prose is part of the
  page), but not outputs, execution counts, cell ids or other metadata that Jupyter rewrites on
  every save (:func:`notebook_key`); and its ``carejourneys`` metadata;
* the parameters (site, data folder, disclosure threshold, any others) and ``show_code``;
* every file of the data folder (its manifest with the checksums, and the files themselves, so a
  file edited without updating the manifest still counts) and of ``data/public``;
* every file of the ``carejourneys`` package (code, templates), and the name and version of every
  installed distribution (:func:`importlib.metadata.distributions`) and the Python version
  (:func:`environment_key`).

Progress is shown by :mod:`carejourneys.publish.progress` (a line per report as it is queued,
running, done, reused or failed, redrawn in place on a terminal).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carejourneys import __version__, config, sites
from carejourneys.errors import BuildError
from carejourneys.inputs.manifest import MANIFEST, atomic_write_bytes
from carejourneys.publish.progress import Progress

PACKAGE_DIR = config.PACKAGE_DIR
#: seconds a cell may run without finishing
CELL_TIMEOUT = 600
#: the parameters every report notebook takes
STANDARD_PARAMETERS = ("site", "data_dir", "disclosure_threshold")
#: statuses of a report that built: built now, reused from an earlier build ("up to date": older name)
OK_STATUSES = ("ok", "reused", "up to date")
REUSED = "reused"


# --------------------------------------------------------------------------- notebooks


@dataclass(frozen=True)
class NotebookInfo:
    """A report notebook: its metadata and the defaults of its ``parameters`` cell."""

    path: Path
    name: str
    title: str
    sites: tuple[str, ...]
    any_la: bool
    parameters: dict[str, Any]

    def accepts(self, site: str) -> bool:
        return site in self.sites or (self.any_la and is_la_code(site))


def is_la_code(site: str) -> bool:
    return bool(sites.LA_CODE.match(site))


def parameters_of(nb: Any, path: Path | str = "<notebook>") -> dict[str, Any]:
    """The names and default values assigned in the cell tagged ``parameters``.

    Raises BuildError when there is no such cell or it does anything but assign literals.
    """
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise BuildError(f"{path}: no cell is tagged 'parameters'")
    if cells[0]["cell_type"] != "code":
        raise BuildError(f"{path}: the cell tagged 'parameters' is not a code cell")
    try:
        tree = ast.parse(_source(cells[0]))
    except SyntaxError as e:
        raise BuildError(f"{path}: the parameters cell is not valid Python: {e}") from None
    params: dict[str, Any] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else None
        if targets is None or len(targets) != 1 or not isinstance(targets[0], ast.Name):
            raise BuildError(f"{path}: the parameters cell may only assign values to names "
                             f"(line {getattr(node, 'lineno', '?')})")
        try:
            params[targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise BuildError(f"{path}: parameter {targets[0].id!r} must have a literal default "
                             f"(line {node.lineno})") from None
    return params


def _source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (the file may hold it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_notebook_json(path: Path) -> dict[str, Any]:
    """A notebook as plain JSON: what the build needs to plan and to check its cache, read
    without importing nbformat (whose schema validator alone takes most of a second to import,
    the better part of a no-change rebuild). A notebook in an older format is converted by
    nbformat; anything unreadable raises BuildError."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
            import nbformat

            nb = nbformat.read(path, as_version=4)
    except Exception as e:  # noqa: BLE001 - any unreadable notebook
        raise BuildError(f"{path}: not a readable notebook ({e})") from None
    return nb


def read_notebook_info(path: Path) -> NotebookInfo:
    """Read a report notebook's metadata and parameters (BuildError naming the problem)."""
    path = Path(path)
    nb = read_notebook_json(path)
    meta = nb.get("metadata", {}).get("carejourneys")
    if not isinstance(meta, dict):
        raise BuildError(f'{path}: notebook metadata lacks "carejourneys": {{"title": ..., "sites": [...]}}')
    declared = meta.get("sites")
    if not isinstance(declared, list) or not declared or not all(isinstance(s, str) for s in declared):
        raise BuildError(f"{path}: carejourneys.sites must be a non-empty list of site keys")
    valid = [*sites.keys(), sites.ALL]
    unknown = [s for s in declared if s not in valid]
    if unknown:
        raise BuildError(f"{path}: unknown sites {unknown} in its metadata; valid: {', '.join(valid)}")
    params = parameters_of(nb, path)
    missing = [p for p in STANDARD_PARAMETERS if p not in params]
    if missing:
        raise BuildError(f"{path}: the parameters cell lacks {', '.join(missing)}")
    return NotebookInfo(path=path, name=path.stem, title=str(meta.get("title") or path.stem),
                        sites=tuple(declared), any_la=bool(meta.get("any_la", False)), parameters=params)


def find_notebooks(notebooks_dir: Path, names: Iterable[str] | None = None) -> list[Path]:
    """The report notebooks in ``notebooks_dir`` (sorted), restricted to ``names`` if given."""
    available = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if names is None:
        return available
    by_name = {p.stem: p for p in available}
    chosen, unknown = [], []
    for n in names:
        stem = Path(n).name.removesuffix(".ipynb")
        (chosen.append(by_name[stem]) if stem in by_name else unknown.append(n))
    if unknown:
        raise BuildError(f"no notebook named {', '.join(map(repr, unknown))} in {notebooks_dir}; "
                         f"available: {', '.join(by_name) or 'none'}")
    return sorted(set(chosen))


# --------------------------------------------------------------------------- parameters


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def check_parameters(info: NotebookInfo, params: dict[str, Any]) -> dict[str, Any]:
    """Check ``params`` against the notebook's parameters cell; return them ready for papermill.

    Unknown names and values of the wrong type raise BuildError. The expected type is the type of
    the default: an ``int`` parameter takes an int (not a bool), a ``float`` takes a float or int,
    a parameter that defaults to None takes None or a string (paths are turned into strings).
    """
    problems = []
    ready: dict[str, Any] = {}
    for name, value in params.items():
        if name not in info.parameters:
            problems.append(f"unknown parameter {name!r} (the notebook takes "
                            f"{', '.join(info.parameters)})")
            continue
        default = info.parameters[name]
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        ok = (
            (default is None and (value is None or isinstance(value, str)))
            or (isinstance(default, bool) and isinstance(value, bool))
            or (isinstance(default, int) and not isinstance(default, bool) and isinstance(value, int)
                and not isinstance(value, bool))
            or (isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool))
            or (isinstance(default, str) and isinstance(value, str))
            or (isinstance(default, list | tuple | dict) and isinstance(value, type(default)))
        )
        if not ok:
            expected = "None or a string" if default is None else _type_name(default)
            problems.append(f"parameter {name!r} must be {expected}, not {value!r} ({_type_name(value)})")
            continue
        ready[name] = value
    if problems:
        raise BuildError(f"{info.name}: " + "; ".join(problems))
    return ready


# --------------------------------------------------------------------------- results


@dataclass
class ReportResult:
    """The outcome of one (notebook, site): status ok (built now), reused (unchanged inputs), failed."""

    notebook: str
    site: str
    status: str
    html: Path | None = None
    ipynb: Path | None = None
    error: str | None = None
    seconds: float = 0.0
    title: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    version: str = __version__

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def site_label(self) -> str:
        return sites.label(self.site)

    @property
    def href(self) -> str | None:
        return f"{self.site}/{self.notebook}.html" if self.html is not None else None


@dataclass
class BuildResult:
    reports: list[ReportResult]
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def failures(self) -> list[ReportResult]:
        return [r for r in self.reports if not r.ok]


# --------------------------------------------------------------------------- inputs key


def _hash_files(paths: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


resolve_data_dir = config.data_dir


def _folder_files(root: Path, *, skip_compiled: bool = False) -> list[Path]:
    """The files under ``root``, without hidden ones (``.ipynb_checkpoints``, editors' swap files)
    and, with ``skip_compiled``, without ``__pycache__`` and ``*.pyc``."""
    out = []
    for p in root.rglob("*"):
        parts = p.relative_to(root).parts
        if any(part.startswith(".") for part in parts):
            continue
        if skip_compiled and ("__pycache__" in parts or p.suffix == ".pyc"):
            continue
        if p.is_file():
            out.append(p)
    return out


def package_versions() -> list[str]:
    """``name-version`` of every installed distribution, sorted (an upgrade of any library the
    reports may use changes the key)."""
    import importlib.metadata as md

    found = set()
    for dist in md.distributions():
        # the folder name (pandas-3.1.0.dist-info) says the same as the metadata, without parsing it
        # (an egg-info folder named without its version, such as the carejourneys.egg-info that an
        # editable install leaves in the repository, is read: found again on sys.path when the
        # build runs from the repository, it must name the same carejourneys-0.1.0)
        folder = getattr(dist, "_path", None)
        if isinstance(folder, Path) and folder.suffix in (".dist-info", ".egg-info") and "-" in folder.stem:
            found.add(folder.stem.lower())
            continue
        name = dist.metadata["Name"] if dist.metadata is not None else None
        if name:
            found.add(f"{name.lower()}-{dist.version}")
    return sorted(found)


def environment_key(data_dir: Path, *, package_dir: Path | None = None,
                    public_dir: Path | None = None) -> str:
    """One hash of everything besides the notebook and its parameters that a report depends on:
    the data folder's manifest and files, the public data, the package's files, the installed
    distributions and the Python version."""
    package_dir = PACKAGE_DIR if package_dir is None else package_dir
    public_dir = config.public_dir() if public_dir is None else public_dir
    h = hashlib.sha256()
    h.update(b"package:" + _hash_files(_folder_files(package_dir, skip_compiled=True), package_dir).encode())
    manifest = data_dir / MANIFEST
    h.update(b"manifest:")
    h.update(hashlib.sha256(manifest.read_bytes()).digest() if manifest.is_file() else b"no manifest")
    if data_dir.is_dir():
        h.update(b"data:" + _hash_files(_folder_files(data_dir), data_dir).encode())
    if public_dir.is_dir():
        h.update(b"public:" + _hash_files(_folder_files(public_dir), public_dir).encode())
    policy = config.policy_file()
    h.update(b"policy:" + (policy.read_bytes() if policy.is_file() else b"no policy file"))
    h.update("\n".join(package_versions()).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def notebook_key(path: Path) -> str:
    """Hash of what in a notebook shapes its report: each cell's type, source and tags (markdown
    included, as the prose is on the page) and the ``carejourneys`` metadata. Outputs, execution
    counts, cell ids and other metadata (rewritten by Jupyter on every save) are left out."""
    nb = read_notebook_json(path)
    cells = [[c["cell_type"], _source(c), sorted(c.get("metadata", {}).get("tags", []))] for c in nb["cells"]]
    meta = nb.get("metadata", {}).get("carejourneys", {})
    return hashlib.sha256(json.dumps([cells, meta], sort_keys=True, default=str).encode()).hexdigest()


def target_key(info: NotebookInfo, params: dict[str, Any], env_key: str, show_code: bool) -> str:
    """The cache key of one (notebook, site): the notebook, the parameters, the environment."""
    h = hashlib.sha256(notebook_key(info.path).encode())
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    h.update(env_key.encode())
    h.update(b"code" if show_code else b"nocode")
    return h.hexdigest()


# --------------------------------------------------------------------------- one target


@dataclass(frozen=True)
class Target:
    info: NotebookInfo
    site: str
    params: dict[str, Any]
    key: str


def _origin_of(nb: Any) -> str:
    import re

    pattern = re.compile(r'class="cj-banner" data-origin="(\w+)"')
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            m = pattern.search(text)
            if m:
                return m.group(1)
    return "unknown"


def build_record(ipynb_path: Path) -> dict[str, Any] | None:
    """The build's record in an executed notebook (``metadata.carejourneys.publish.build``): read as plain
    JSON, without nbformat's validation, which is what a no-change rebuild spends its time on.
    None when the file is unreadable or holds no record."""
    try:
        meta = json.loads(ipynb_path.read_bytes())["metadata"]["carejourneys"]["build"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return meta if isinstance(meta, dict) and meta else None


def _up_to_date(target: Target, html_path: Path, ipynb_path: Path) -> ReportResult | None:
    if not (html_path.is_file() and ipynb_path.is_file()):
        return None
    meta = build_record(ipynb_path)
    if meta is None:
        return None
    if meta.get("key") != target.key or meta.get("status") != "ok":
        return None
    return ReportResult(target.info.name, target.site, REUSED, html_path, ipynb_path,
                        title=target.info.title, params=target.params, origin=meta.get("origin", ""))


class BuildCancelled(Exception):  # noqa: N818 - not an error: the build was told to stop
    """A report finished running after the build was interrupted: nothing of it is published."""


def build_target(target: Target, outputs: Path, *, force: bool, timeout: int,
                 show_code: bool, on_start: Callable[[], None] | None = None,
                 kernel: Callable[[], Any] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ReportResult:
    """Run one (notebook, site), write its executed notebook and page; never raises for a bad notebook.

    Returns a ``reused`` result without running anything when the outputs are up to date (unless
    ``force``); otherwise calls ``on_start`` (if given) just before running. ``kernel``: gives
    the :class:`~carejourneys.publish.execute.ReportKernel` to run it in (called only when the report
    is run; None, or a None answer: a fresh kernel).
    ``cancelled``: asked once the notebook has run; when it answers True (the build was
    interrupted meanwhile, and the run was probably cut short by it) nothing is published and
    :class:`BuildCancelled` is raised, so the previous page and logs stay as they were."""
    info = target.info
    site_dir = outputs / target.site
    html_path = site_dir / f"{info.name}.html"
    ipynb_path = site_dir / f"{info.name}.ipynb"
    if not force:
        done = _up_to_date(target, html_path, ipynb_path)
        if done is not None:
            return done
    if on_start is not None:
        on_start()
    from carejourneys.publish import (
        execute as build_exec,  # imports nbformat and jupyter_client: only when something runs
    )
    start = time.perf_counter()
    site_dir.mkdir(parents=True, exist_ok=True)
    # The run writes its logs (disclosure, quotes) into a staging folder; they replace the previous
    # run's logs only once the page is in place, so an interrupted build keeps every earlier output.
    staging = Path(tempfile.mkdtemp(prefix=f"cj-logs-{info.name}-"))
    try:
        env = {"CAREJOURNEYS_REPORT": info.name, "CAREJOURNEYS_OUTPUT_DIR": str(staging)}
        nb, failure = build_exec.execute(info.path, target.params, cwd=site_dir, timeout=timeout, env=env,
                                         kernel=None if kernel is None else kernel())
        if cancelled is not None and cancelled():
            raise BuildCancelled(f"{info.name} [{target.site}]")
        _take_disclosure_log(nb, info.name, staging)
        result = _publish(target, nb, failure, html_path, ipynb_path, show_code, start)
        _replace_logs(staging, site_dir, info.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _replace_logs(staging: Path, site_dir: Path, name: str) -> None:
    """Put the logs of the run just finished beside its page, and remove the earlier run's others."""
    new = {p.name: p for p in staging.glob(f"{name}.*.csv")}
    for old in site_dir.glob(f"{name}.*.csv"):
        if old.name not in new:
            old.unlink()
    for fname, path in sorted(new.items()):
        atomic_write_bytes(site_dir / fname, path.read_bytes())


def _publish(target: Target, nb: Any, failure: Any, html_path: Path, ipynb_path: Path, show_code: bool,
             start: float) -> ReportResult:
    """Write the executed notebook and its page (atomically) and describe the result."""
    from carejourneys.publish import html as build_html
    info = target.info
    error = None if failure is None else f"{info.name} for site {target.site} failed at {failure.describe()}"
    origin = _origin_of(nb)
    # the executed notebook, tidied the same way as the page and marked with what it was built from
    saved = build_html.clean_notebook(nb)
    import nbformat

    source_meta = nbformat.read(info.path, as_version=4).metadata
    if "kernelspec" in source_meta:
        saved.metadata["kernelspec"] = source_meta["kernelspec"]
    saved.metadata.setdefault("carejourneys", {})["build"] = {
        "key": target.key, "status": "ok" if failure is None else "failed", "site": target.site,
        "params": target.params, "origin": origin, "version": __version__, "error": error,
    }
    atomic_write_bytes(ipynb_path, nbformat.writes(saved).encode("utf-8") + b"\n")
    subtitle = ReportResult(info.name, target.site, "").site_label
    page = build_html.report_page(nb, title=info.title, subtitle=subtitle, error=error, show_code=show_code)
    atomic_write_bytes(html_path, page)
    return ReportResult(info.name, target.site, "ok" if failure is None else "failed", html_path, ipynb_path,
                        error=error, seconds=round(time.perf_counter() - start, 2), title=info.title,
                        params=target.params, origin=origin)


def _take_disclosure_log(nb: Any, name: str, site_dir: Path) -> None:
    """Move disclosure records a notebook attached to its outputs (``disclosure.emit_log``) out of
    the notebook and into ``<notebook>.disclosure.csv`` beside the page (after any rows
    ``cj.report`` wrote there itself)."""
    from carejourneys.sdc import disclosure
    take = getattr(disclosure, "take_log", None)
    if take is None:
        return
    records = take(nb, report=name)
    if not records:
        return
    import csv

    path = site_dir / f"{name}.disclosure.csv"
    earlier = []
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as f:
            earlier = list(csv.DictReader(f))
    disclosure.write_log(path, [*earlier, *records])


# --------------------------------------------------------------------------- index


def collect_reports(outputs: Path, notebooks: Iterable[NotebookInfo]) -> list[ReportResult]:
    """Every report in ``outputs`` built from a notebook that still exists (read from its .ipynb)."""
    known = {n.name: n for n in notebooks}
    found = []
    for ipynb in sorted(outputs.glob("*/*.ipynb")):
        info = known.get(ipynb.stem)
        html_path = ipynb.with_suffix(".html")
        if info is None or not html_path.is_file():
            continue
        meta = build_record(ipynb)
        if meta is None:  # skip what is not ours
            continue
        found.append(ReportResult(
            info.name, ipynb.parent.name, str(meta.get("status", "unknown")), html_path, ipynb,
            error=meta.get("error"), title=info.title, params=dict(meta.get("params", {})),
            origin=str(meta.get("origin", "unknown")), version=str(meta.get("version", ""))))
    return found


def write_index(outputs: Path, reports: list[ReportResult]) -> Path:
    """Write ``outputs/index.html`` (and the per-site pages of :mod:`carejourneys.publish.site_index` when
    that module is present; else a single index page of :mod:`carejourneys.publish.html`)."""
    try:
        from carejourneys.publish.site_index import write_site
    except ImportError:
        write_site = None
    if write_site is not None:
        written = write_site(outputs, reports)
        return Path(written[0]) if written else outputs / "index.html"
    from carejourneys.publish import html as build_html
    path = outputs / "index.html"
    atomic_write_bytes(path, build_html.index_page(reports))
    return path


# --------------------------------------------------------------------------- output check


def _check_pages(results: list[ReportResult], outputs: Path, data_dir: str | None, threshold: int,
                 quiet: bool) -> None:
    """Run the output checker on the pages just written; withhold and fail those with findings."""
    try:
        from carejourneys.sdc import checker
    except ImportError:  # pragma: no cover - the checker ships with the package
        return
    from carejourneys.publish import html as build_html
    built = {r.html: r for r in results if r.html is not None and r.status not in (REUSED, "up to date")}
    if not built:
        return
    findings = checker.check_outputs(outputs, data_dir=data_dir, threshold=threshold, files=list(built))
    by_page: dict[Path, list] = {}
    for f in findings:
        page = (outputs / f.path) if not Path(f.path).is_absolute() else Path(f.path)
        by_page.setdefault(page.resolve(), []).append(f)
    for html_path, r in built.items():
        found = by_page.get(html_path.resolve())
        if not found:
            continue
        r.status = "failed"
        r.error = (f"{r.notebook} for site {r.site} failed the output check: "
                   + "; ".join(f"{f.kind} ({f.where}): {f.message}" for f in found[:5])
                   + (f" and {len(found) - 5} more" if len(found) > 5 else ""))
        body = "<h1>Withheld</h1><p>This page was not published: the output checker found:</p><ul>" + "".join(
            f"<li>{build_html._esc(f.kind)} ({build_html._esc(f.where)}): {build_html._esc(f.message)}</li>"
            for f in found) + "</ul>"
        atomic_write_bytes(html_path, build_html.page(body, title=f"{r.title} (withheld)"))
        if r.ipynb is not None and r.ipynb.is_file():
            import nbformat

            nb = nbformat.read(r.ipynb, as_version=4)
            nb.metadata.setdefault("carejourneys", {}).setdefault("build", {}).update(
                status="failed", error=r.error)
            atomic_write_bytes(r.ipynb, nbformat.writes(nb).encode("utf-8") + b"\n")
        _say(quiet, f"  WITHHELD   {r.notebook} [{r.site}]: {len(found)} output-check finding(s)", err=True)


# --------------------------------------------------------------------------- run


def _say(quiet: bool, text: str, *, err: bool = False) -> None:
    if not quiet:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)


def plan(
    sites_filter: Iterable[str] | None,
    infos: list[NotebookInfo],
    *,
    data_dir: str | None,
    disclosure_threshold: int,
    extra: dict[str, Any],
) -> list[tuple[NotebookInfo, str, dict[str, Any]]]:
    """(notebook, site, parameters) for every target, parameters checked (BuildError if wrong)."""
    valid = [*sites.keys(), sites.ALL]
    wanted = list(dict.fromkeys(sites_filter)) if sites_filter else None
    if wanted:
        bad = [s for s in wanted if s not in valid and not is_la_code(s)]
        if bad:
            raise BuildError(f"unknown site {', '.join(map(repr, bad))}; valid sites: {', '.join(valid)} "
                             "(or a local authority code for notebooks that accept any)")
    out = []
    problems = []
    for info in infos:
        for site in (wanted if wanted else list(info.sites)):
            if not info.accepts(site):
                continue
            params = {"site": site, "data_dir": data_dir, "disclosure_threshold": disclosure_threshold,
                      **extra}
            try:
                out.append((info, site, check_parameters(info, params)))
            except BuildError as e:
                problems.append(str(e))
    if problems:
        raise BuildError("\n".join(dict.fromkeys(problems)))
    return out


def run_workers(targets: list[Target],
                one: Callable[[Target, Callable[[], Any], Callable[[], bool]], ReportResult],
                jobs: int, *, fresh_kernels: bool = False) -> list[ReportResult]:
    """Build ``targets`` with ``jobs`` workers, each taking the next target from one queue and
    keeping one :class:`~carejourneys.publish.execute.ReportKernel` for all the reports it runs (a
    fresh kernel per report when ``fresh_kernels``); results come back in the order of
    ``targets``. With one job the work is done on the calling thread. When the build is
    interrupted (Ctrl-C), the workers take no further target, their kernels are killed (a kernel
    runs in a session of its own, out of reach of the terminal's Ctrl-C), whatever they were
    running is not published (:class:`BuildCancelled`), and the interrupt is raised."""
    results: list[ReportResult | None] = [None] * len(targets)
    todo = deque(enumerate(targets))
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []
    every_kernel: list[Any] = []

    def worker() -> None:
        kept: list[Any] = []  # this worker's kernel, started when a report first needs to run

        def kernel() -> Any:
            if not kept:
                from carejourneys.publish import execute as build_exec
                kept.append(build_exec.ReportKernel(max_reports=1 if fresh_kernels else
                                                    build_exec.MAX_REPORTS_PER_KERNEL))
                every_kernel.append(kept[0])
            return kept[0]

        try:
            while not stop.is_set():
                with lock:
                    if not todo:
                        return
                    i, t = todo.popleft()
                results[i] = one(t, kernel, stop.is_set)
        except BuildCancelled:
            return
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            errors.append(e)
            stop.set()
        finally:
            for k in kept:
                k.dispose()

    n = min(jobs, len(targets))
    if n <= 1:
        worker()  # an interrupt reaches this thread inside the run; worker() hands it on via errors
    else:
        threads = [threading.Thread(target=worker, name=f"carejourneys-build-{k}", daemon=True)
                   for k in range(n)]
        for th in threads:
            th.start()
        try:
            for th in threads:
                th.join()
        except KeyboardInterrupt:
            stop.set()
            for k in list(every_kernel):  # their own session: the terminal's Ctrl-C did not reach them
                k.kill()
            for th in threads:
                th.join()
            raise
    if errors:
        raise errors[0]
    if stop.is_set():  # pragma: no cover - set only by an interrupt or an error, both raised above
        raise KeyboardInterrupt
    return [r for r in results if r is not None]


def run(
    sites: Iterable[str] | None = None,
    notebooks: Iterable[str] | None = None,
    data_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    force: bool = False,
    outputs: str | os.PathLike | None = None,
    *,
    notebooks_dir: str | os.PathLike | None = None,
    disclosure_threshold: int = 5,
    params: dict[str, Any] | None = None,
    timeout: int = CELL_TIMEOUT,
    show_code: bool = False,
    check: bool = True,
    quiet: bool = False,
    fresh_kernels: bool = False,
) -> BuildResult:
    """Build the reports (see the module docstring); returns a :class:`BuildResult`.

    ``params``: further notebook parameters (checked against each notebook's parameters cell).
    ``jobs``: reports built at once (default: the number of CPU cores). ``notebooks_dir``: where
    the notebooks are (default: $CAREJOURNEYS_NOTEBOOKS, else the project's ``notebooks/``).
    ``check``: run the output checker (:mod:`carejourneys.sdc.checker`) on the pages built; a page
    with findings is replaced by a notice listing them and its report fails. ``show_code``: keep
    the code in the pages. ``quiet``: print nothing. ``fresh_kernels``: start a new kernel for
    every report instead of keeping one per job (slower; the pages are the same).
    Bad requests (an unknown site or notebook, a parameter of the wrong type) raise BuildError
    before anything runs; a notebook that fails while running does not raise.
    """
    if notebooks_dir is None:
        notebooks_dir = config.notebooks_dir()
    nb_dir = Path(notebooks_dir)
    out_dir = config.outputs_dir(outputs)
    data = None if data_dir is None else str(Path(data_dir).resolve())
    paths = find_notebooks(nb_dir, notebooks)
    infos, broken = [], []
    for p in paths:
        try:
            infos.append(read_notebook_info(p))
        except BuildError as e:
            broken.append(ReportResult(p.stem, "-", "failed", error=str(e), title=p.stem))
    targets_spec = plan(sites, infos, data_dir=data, disclosure_threshold=disclosure_threshold,
                        extra=dict(params or {}))
    env_key = environment_key(resolve_data_dir(data))
    targets = [Target(info, site, p, target_key(info, p, env_key, show_code))
               for info, site, p in targets_spec]
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    _say(quiet, f"building {len(targets)} report(s) with {min(jobs, max(len(targets), 1))} job(s)", err=True)
    labels = {id(t): f"{t.info.name} [{t.site}]" for t in targets}
    progress = None if quiet else Progress([*labels.values(), *(f"{r.notebook}" for r in broken)],
                                           stream=sys.stderr)

    def one(t: Target, kernel: Callable[[], Any], cancelled: Callable[[], bool]) -> ReportResult:
        label = labels[id(t)]
        started = time.perf_counter()
        on_start = None if progress is None else (lambda: progress.update(label, "running"))
        try:
            r = build_target(t, out_dir, force=force, timeout=timeout, show_code=show_code, on_start=on_start,
                             kernel=kernel, cancelled=cancelled)
        except BaseException:
            if progress is not None:
                progress.update(label, "failed", seconds=time.perf_counter() - started)
            raise
        if progress is not None:
            state = {"ok": "done", REUSED: "reused"}.get(r.status, "failed")
            progress.update(label, state, seconds=time.perf_counter() - started, detail=r.error or "")
        return r

    try:
        for r in broken:
            if progress is not None:
                progress.update(r.notebook, "failed", seconds=0.0, detail=r.error or "")
        results = run_workers(targets, one, jobs, fresh_kernels=fresh_kernels)
    finally:
        if progress is not None:
            progress.close()
    results = broken + results
    if check:
        _check_pages(results, out_dir, data, disclosure_threshold, quiet)
    out_dir.mkdir(parents=True, exist_ok=True)
    every = []  # the index lists reports of every notebook, not only of those built now
    for p in find_notebooks(nb_dir):
        try:
            every.append(read_notebook_info(p))
        except BuildError:
            continue
    reused = {(r.notebook, r.site) for r in results if r.status == REUSED}
    listed = collect_reports(out_dir, every)
    for r in listed:  # the index says which pages this build took over from an earlier one
        if (r.notebook, r.site) in reused and r.status == "ok":
            r.status = REUSED
    index = write_index(out_dir, listed)
    result = BuildResult(results, index)
    if result.failures:
        _say(quiet, f"{len(result.failures)} report(s) failed:", err=True)
        for r in result.failures:
            _say(quiet, f"  - {r.error}", err=True)
    _say(quiet, str(index))
    return result
