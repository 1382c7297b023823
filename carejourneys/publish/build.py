"""The build: run every report notebook for each of its sites and publish checked HTML.

    result = cj.build.run()                       # every notebook x every site it declares
    result = cj.build.run(sites=["brent"], notebooks=["00_evidence_base"], jobs=2)
    result.ok, result.reports                     # ReportResult(notebook, site, status, html, error, ...)
    cj.build.remove_site("E08000025")             # a site's pages and records gone, index rewritten
                                                  # (carejourneys remove SITE)

Targets are each ``notebooks/NN_name.ipynb`` x the sites in its metadata
``{"carejourneys": {"title": ..., "sites": [...], "any_la": false}}``; ``sites=`` filters them (a
site a notebook does not declare is skipped for it, except that a notebook declaring
``"any_la": true`` also accepts the code of any council of the public extract's ``areas.csv``; an
old code such as ``"330"`` is the same council as its new code ``"E08000025"`` and is built under
the new one). A request that names an unknown site or council, or that leaves nothing to build,
raises BuildError before anything runs.

**What goes where.** ``outputs/`` receives only what may be published: the report pages and the
index pages. Everything else goes to the private working folder
(:func:`carejourneys.config.work_dir`, beside ``outputs/`` and never inside it; laid out in
:mod:`carejourneys.publish.cache`): executed notebooks, build logs, the records a report writes
(disclosure decisions, quotes) and the cache records. A report runs in its private staging
folder, with ``CAREJOURNEYS_REPORT`` (its name) and ``CAREJOURNEYS_STAGE`` (that folder) in its
environment (:func:`carejourneys.render.report.log_path`).

**Every page is checked before it is published.** Once a notebook has run, its page is rendered
with every absolute path and user name replaced (:mod:`carejourneys.publish.scrub`), checked by
the output checker (:mod:`carejourneys.sdc.checker`) and only then moved into ``outputs/``
(atomically), and its record (with the sha256 of the checked bytes) written. A page that fails the
check is replaced by a notice and its report fails. A page in ``outputs/`` that no record vouches
for (from an earlier version, or left by an interrupted build) is removed at the start of the
next build (:func:`carejourneys.publish.cache.sweep`), as are executed notebooks, logs and CSV
files found there; so no interruption (Ctrl-C, SIGKILL) can leave an unchecked page published.

**A failing report** still gets a page: with synthetic data, the page shows what ran and the
error (paths and user names replaced); with real data (the dataset's manifest says anything but
``synthetic``), a notice that the report failed and where the private log is
(``logs/<site>/<report>.log`` in the working folder), and nothing else. The other targets go on;
``result.ok`` is False and each failure names the notebook, the site and the failing cell.

**One build at a time**: a build holds a lock on its working folder (``fcntl.flock``); a second
build of the same outputs waits :data:`carejourneys.publish.cache.LOCK_WAIT` seconds, then refuses
naming the first one's pid.

Each job keeps one kernel for the reports it runs and resets it between them
(:class:`carejourneys.publish.execute.ReportKernel`, :mod:`carejourneys.publish.kernels`; the pages
are byte-identical to those of fresh kernels, which ``fresh_kernels=True`` gives).

**The cache**: a target whose inputs have not changed since its last successful build, and whose
checked page is still in ``outputs/`` byte for byte, is not run again (status ``reused``: a state
of the build, which the published index never shows) unless ``force=True``. Its inputs, hashed
into the key of its record (:func:`target_key`), are

* the notebook's cells: their type, source and tags, markdown included (the prose is part of the
  page), but not outputs, execution counts, cell ids or other metadata that Jupyter rewrites on
  every save (:func:`notebook_key`); and its ``carejourneys`` metadata;
* the parameters (site, data folder, disclosure threshold, any others) and ``show_code``;
* every file of the data folder (its manifest with the checksums, and the files themselves, so a
  file edited without updating the manifest still counts), of the public data and the
  disclosure policy file;
* every file of the ``carejourneys`` package (code, templates), and the name and version of every
  installed distribution (:func:`package_versions`) and the Python version (:func:`environment_key`).

``outputs/index.html`` and a page per site list every report with its site, data origin, data
date and status (ok or failed) (:mod:`carejourneys.publish.site_index`). Progress is shown by
:mod:`carejourneys.publish.progress`.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from carejourneys import __version__, config, sites
from carejourneys.errors import BuildError, WriteError
from carejourneys.inputs.manifest import MANIFEST, atomic_write_bytes
from carejourneys.publish.cache import WorkFolder, sweep
from carejourneys.publish.progress import Progress
from carejourneys.publish.scrub import Scrubber
from carejourneys.publish.status import OK_STATUSES, Status, status

PACKAGE_DIR = config.PACKAGE_DIR
#: seconds a cell may run without finishing
CELL_TIMEOUT = 600
#: the parameters every report notebook takes
STANDARD_PARAMETERS = ("site", "data_dir", "disclosure_threshold")
REUSED = Status.REUSED
__all__ = ["OK_STATUSES", "REUSED", "BuildResult", "ReportResult", "Status", "remove_site", "run"]

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
    """The outcome of one (notebook, site): status ok (built now), reused (unchanged inputs), failed.

    ``html`` is the published page; ``ipynb`` and ``log`` are the executed notebook and the build
    log in the private working folder."""

    notebook: str
    site: str
    status: Status
    html: Path | None = None
    ipynb: Path | None = None
    error: str | None = None
    seconds: float = 0.0
    title: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    version: str = __version__
    data_date: str = ""
    log: Path | None = None

    def __post_init__(self) -> None:
        self.status = status(self.status)

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


_DIST_FOLDER = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py[\d.]+)?\.(?:dist|egg)-info$", re.I)


def package_versions() -> list[str]:
    """``name-version`` of every installed distribution, sorted (an upgrade of any library the
    reports may use changes the key).

    Read as :mod:`importlib.metadata` finds them, from the ``*.dist-info`` and ``*.egg-info``
    folders on ``sys.path``, by their names (``pandas-3.0.0.dist-info``), without parsing every
    distribution's metadata (the better part of a no-change rebuild). An ``egg-info`` named
    without its version (the ``carejourneys.egg-info`` an editable install leaves in the
    repository, found on ``sys.path`` when the build runs from there) is read for it, so that it
    names the same ``carejourneys-<version>`` whatever the working folder."""
    found = set()
    for entry in dict.fromkeys(sys.path):
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            m = _DIST_FOLDER.match(name)
            if m:
                found.add(f"{m['name'].lower().replace('_', '-')}-{m['version']}")
                continue
            version = _egg_info_version(Path(entry or ".") / name)
            if version:
                found.add(f"{name.rsplit('.', 1)[0].lower().replace('_', '-')}-{version}")
    return sorted(found)


def _egg_info_version(folder: Path) -> str | None:
    path = folder / "PKG-INFO" if folder.is_dir() else folder
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    break
    except OSError:
        return None
    return None


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


class BuildCancelled(Exception):  # noqa: N818 - not an error: the build was told to stop
    """A report finished running after the build was interrupted: nothing of it is published."""


_BANNER = re.compile(r'class="cj-banner" data-origin="(\w+)"')
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _origin_of(nb: Any) -> str | None:
    """The data origin the report's banner states (None when it shows no banner)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            m = _BANNER.search(text)
            if m:
                return m.group(1)
    return None


class Context:
    """What every target of one build shares: its folders, options, the dataset's origin and date
    (from its manifest), the output checker's rules, and the scrubber of paths."""

    def __init__(self, work: WorkFolder, *, data_dir: str | None, threshold: int, check: bool,
                 show_code: bool, timeout: int, force: bool, notebooks_dir: Path) -> None:
        self.work = work
        self.data_dir = data_dir
        self.threshold = threshold
        self.check = check
        self.show_code = show_code
        self.timeout = timeout
        self.force = force
        self.scrubber = Scrubber.for_build(data_dir=config.data_dir(data_dir), outputs=work.outputs,
                                           work=work.root, notebooks=notebooks_dir)
        self._lock = threading.Lock()
        self._rules: Any = None

    @cached_property
    def dataset(self) -> tuple[str, str]:
        """(origin, data date) as the data folder's manifest states them; ("unknown", "") when it
        cannot be read (then failures are treated as with real data)."""
        from carejourneys.inputs.manifest import read_manifest

        try:
            manifest = read_manifest(config.data_dir(self.data_dir))
        except Exception:  # noqa: BLE001 - any unreadable manifest: the safe side is "real"
            return "unknown", ""
        extra = manifest.extra or {}
        date = next((str(extra[k]) for k in ("data_date", "as_of", "date") if extra.get(k)), "")
        return str(manifest.origin), date

    @property
    def real(self) -> bool:
        """Whether failures must publish nothing of the report (anything but synthetic data)."""
        with self._lock:
            return self.dataset[0] != "synthetic"

    def findings(self, page: bytes, name: str) -> list[Any]:
        """The output checker's findings on one page (rules learnt once per build)."""
        from carejourneys.sdc import checker

        with self._lock:
            if self._rules is None:
                self._rules = checker.rules_from_data(self.data_dir, self.threshold)
            rules = self._rules
        return checker.check_page(page, name=name, rules=rules)

    def trusts(self, record: dict[str, Any] | None) -> bool:
        """Whether a record vouches for the page now in ``outputs/`` (checked, or, in a build that
        does not check, built without the check)."""
        return self.work.trusted(record, unchecked=not self.check)


def build_target(target: Target, ctx: Context, *, on_start: Callable[[], None] | None = None,
                 kernel: Callable[[], Any] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ReportResult:
    """Run one (notebook, site) and publish its checked page; never raises for a bad notebook.

    Returns a ``reused`` result without running anything when its record has the target's key and
    vouches for the page in ``outputs/`` (unless ``ctx.force``); otherwise calls ``on_start`` (if
    given) just before running. ``kernel``: gives the
    :class:`~carejourneys.publish.execute.ReportKernel` to run it in (None: a fresh kernel).
    ``cancelled``: asked once the notebook has run; when it answers True (the build was
    interrupted meanwhile) nothing is published and :class:`BuildCancelled` is raised."""
    info, site, work = target.info, target.site, ctx.work
    if not ctx.force:
        record = work.read(site, info.name)
        if record is not None and record.get("key") == target.key and record.get("status") == Status.OK \
                and ctx.trusts(record):
            return ReportResult(info.name, site, Status.REUSED, work.page(site, info.name),
                                work.notebook(site, info.name), title=info.title, params=target.params,
                                origin=str(record.get("origin", "")), log=work.log(site, info.name),
                                data_date=str(record.get("data_date", "")))
    if on_start is not None:
        on_start()
    from carejourneys.publish import (
        execute as build_exec,  # imports nbformat and jupyter_client: only when something runs
    )
    start = time.perf_counter()
    stage = work.stage(site, info.name)
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    try:
        env = {config.ENV_REPORT: info.name, config.ENV_STAGE: str(stage)}
        nb, failure = build_exec.execute(info.path, target.params, cwd=stage, timeout=ctx.timeout, env=env,
                                         kernel=None if kernel is None else kernel(), scratch_root=work.tmp)
        if cancelled is not None and cancelled():
            raise BuildCancelled(f"{info.name} [{site}]")
        _take_disclosure_log(nb, info.name, stage)
        return _publish(target, ctx, nb, failure, stage, start)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(target: Target, ctx: Context, nb: Any, failure: Any, stage: Path, start: float) -> ReportResult:
    """Render, scrub and check the page; write the private files, then the page, then its record."""
    import copy

    import nbformat

    from carejourneys.publish import html as build_html

    info, site, work, scrub = target.info, target.site, ctx.work, ctx.scrubber
    name = info.name
    error = None if failure is None else f"{name} for site {site} failed at {failure.describe()}"
    origin = _origin_of(nb) or ctx.dataset[0]
    data_date = "" if origin == "public" else ctx.dataset[1]
    saved = build_html.clean_notebook(nb)
    shown = scrub.notebook(copy.deepcopy(saved))
    subtitle = sites.label(site)
    hint = work.log_hint(site, name)
    if failure is not None and ctx.real:
        page = build_html.failure_page(title=info.title, subtitle=subtitle, log=hint)
    else:
        page = build_html.report_page(shown, title=info.title, subtitle=subtitle,
                                      error=None if error is None else scrub.text(error),
                                      show_code=ctx.show_code)
    findings = ctx.findings(page, f"{site}/{name}.html") if ctx.check else []
    if findings:
        check = ("; ".join(f"{f.kind} ({f.where}): {f.message}" for f in findings[:5])
                 + (f" and {len(findings) - 5} more" if len(findings) > 5 else ""))
        error = (f"{name} for site {site} failed the output check: {check}" if error is None else
                 f"{error}; and its page failed the output check: {check}")
        page = build_html.failure_page(title=info.title, subtitle=subtitle, log=hint, withheld=True)
    state = Status.OK if error is None else Status.FAILED
    # the private files first: the executed notebook, marked with what it was built from, and the log
    source_meta = read_notebook_json(info.path).get("metadata", {})
    if "kernelspec" in source_meta:
        saved.metadata["kernelspec"] = source_meta["kernelspec"]
    saved.metadata.setdefault("carejourneys", {})["build"] = {
        "key": target.key, "status": str(state), "site": site, "params": target.params, "origin": origin,
        "version": __version__, "error": error}
    atomic_write_bytes(work.notebook(site, name), nbformat.writes(saved).encode("utf-8") + b"\n")
    atomic_write_bytes(work.log(site, name), _log_text(target, state, origin, error, nb, findings).encode())
    _replace_logs(stage, work.logs(site), name)
    # then the checked page, then the record that vouches for it
    atomic_write_bytes(work.page(site, name), page)
    public_params = {k: scrub.text(v) if isinstance(v, str) else v for k, v in target.params.items()}
    work.write(site, name, {
        "key": target.key, "status": str(state), "site": site, "notebook": name, "title": info.title,
        "params": public_params, "origin": origin, "version": __version__, "data_date": data_date,
        "page_sha256": hashlib.sha256(page).hexdigest(), "checked": ctx.check, "error": error})
    return ReportResult(name, site, state, work.page(site, name), work.notebook(site, name), error=error,
                        seconds=round(time.perf_counter() - start, 2), title=info.title, params=target.params,
                        origin=origin, data_date=data_date, log=work.log(site, name))


def _log_text(target: Target, state: Status, origin: str, error: str | None, nb: Any,
              findings: list[Any]) -> str:
    """The private build log of one report: what it was, how it ended, the traceback, the findings."""
    lines = [f"report: {target.info.name}", f"site: {target.site}", f"status: {state}",
             f"data origin: {origin}", f"carejourneys: {__version__}",
             f"parameters: {json.dumps(target.params, sort_keys=True, default=str)}"]
    if error:
        lines += ["", f"error: {error}"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                lines += ["", "traceback:", *(_ANSI.sub("", str(t)) for t in out.get("traceback", []))]
    if findings:
        lines += ["", f"output check: {len(findings)} finding(s)", *(f"  - {f}" for f in findings)]
    return "\n".join(lines) + "\n"


def _replace_logs(stage: Path, logs: Path, name: str) -> None:
    """Put the records of the run just finished (``<name>.<kind>.csv``) in the private logs folder,
    and remove the earlier run's others."""
    new = {p.name: p for p in stage.glob(f"{name}.*.csv")}
    for old in logs.glob(f"{name}.*.csv"):
        if old.name not in new:
            old.unlink()
    for fname, path in sorted(new.items()):
        atomic_write_bytes(logs / fname, path.read_bytes())


def _take_disclosure_log(nb: Any, name: str, stage: Path) -> None:
    """Move disclosure records a notebook attached to its outputs (``disclosure.emit_log``) out of
    the notebook and into ``<notebook>.disclosure.csv`` in its staging folder (after any rows
    ``cj.report`` wrote there itself)."""
    import csv

    from carejourneys.sdc import disclosure

    records = disclosure.take_log(nb, report=name)
    if not records:
        return
    path = stage / f"{name}.disclosure.csv"
    earlier = []
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as f:
            earlier = list(csv.DictReader(f))
    disclosure.write_log(path, [*earlier, *records])


# --------------------------------------------------------------------------- index


def _all_notebooks(nb_dir: Path) -> list[NotebookInfo]:
    every = []
    for p in find_notebooks(nb_dir):
        try:
            every.append(read_notebook_info(p))
        except BuildError:
            continue
    return every


def collect_reports(work: WorkFolder, notebooks: Iterable[NotebookInfo]) -> list[ReportResult]:
    """Every report with a page in ``outputs/`` and a record, built from a notebook that still
    exists; its status as a reader sees it (ok or failed)."""
    known = {n.name: n for n in notebooks}
    found = []
    for record in work.records():
        name, site = str(record.get("notebook", "")), str(record.get("site", ""))
        info = known.get(name)
        page = work.page(site, name)
        if info is None or not page.is_file():
            continue
        found.append(ReportResult(
            name, site, status(record.get("status", "")).published, page, work.notebook(site, name),
            error=record.get("error"), title=info.title, params=dict(record.get("params") or {}),
            origin=str(record.get("origin") or "unknown"), version=str(record.get("version") or ""),
            data_date=str(record.get("data_date") or ""), log=work.log(site, name)))
    return found


def write_index(outputs: Path, reports: list[ReportResult]) -> Path:
    """Write ``outputs/index.html`` and a page per site (:mod:`carejourneys.publish.site_index`)."""
    from carejourneys.publish.site_index import write_site

    return Path(write_site(outputs, reports)[0])


# --------------------------------------------------------------------------- run


def _say(quiet: bool, text: str, *, err: bool = False) -> None:
    if not quiet:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _council_codes() -> dict[str, str]:
    """Every council code of the public extract's ``areas.csv`` (new and old) -> the code its pages
    are built under: the new one ("330" -> "E08000025"; for an old code whose council's new code
    changed, the first row's)."""
    from carejourneys.inputs import council_names

    known = council_names.councils()
    codes: dict[str, str] = {}
    for code, c in known.items():
        if code != c.old_code:  # a new code
            codes.setdefault(code, code)
            if c.old_code:
                codes.setdefault(c.old_code, code)
    for code in known:
        codes.setdefault(code, code)  # an old code with no new one
    return codes


def normalise_sites(requested: Iterable[str]) -> list[str]:
    """The sites asked for, each once, a council by the code its pages use ("330" and "E08000025"
    are one site); BuildError naming every unknown site or council and how to find the codes."""
    valid = [*sites.keys(), sites.ALL]
    out, bad = [], []
    councils: dict[str, str] | None = None
    for site in requested:
        site = str(site).strip()
        if site in valid:
            out.append(site)
            continue
        if is_la_code(site):
            councils = _council_codes() if councils is None else councils
            if site in councils:
                out.append(councils[site])
                continue
        bad.append(site)
    if bad:
        areas = config.public_dir() / "areas.csv"
        known = (f"a council's code in the public extract ({areas.name}: area_code such as E08000025, or "
                 "old_la_code such as 330; `carejourneys build --all-councils` builds them all)"
                 if councils or councils is None else
                 f"no council is known: the public extract's {areas.name} is missing or unreadable")
        raise BuildError(f"unknown site or council {', '.join(map(repr, bad))}: a site is one of "
                         f"{', '.join(valid)} (`carejourneys sites` lists them), a council is {known}")
    return list(dict.fromkeys(out))


def plan(
    sites_filter: Iterable[str] | None,
    infos: list[NotebookInfo],
    *,
    data_dir: str | None,
    disclosure_threshold: int,
    extra: dict[str, Any],
) -> list[tuple[NotebookInfo, str, dict[str, Any]]]:
    """(notebook, site, parameters) for every target, parameters checked; BuildError for an unknown
    site or council, a parameter of the wrong type, or a request that leaves nothing to build."""
    wanted = normalise_sites(sites_filter) if sites_filter else None
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
    if not out and infos and wanted:
        built_for = "; ".join(f"{i.name} is built for {', '.join(i.sites)}"
                              + (" and any council" if i.any_la else "") for i in infos)
        raise BuildError(f"nothing to build: no notebook asked for has a page for {', '.join(wanted)} "
                         f"({built_for})")
    return out


def _check_folders(outputs: Path, work: Path) -> None:
    """BuildError, before anything runs, for an outputs or working folder that cannot be used."""
    for what, folder in (("outputs folder", outputs), ("private working folder", work)):
        if folder.exists() and not folder.is_dir():
            raise BuildError(f"the {what} {folder} is a file, not a folder: name another (--outputs)")
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is None or not os.access(existing, os.W_OK | os.X_OK):
            raise BuildError(f"cannot write to the {what} {folder}: permission denied (name another with "
                             "--outputs, or change the folder's permissions)")
    if work == outputs or work.is_relative_to(outputs):
        raise BuildError(f"the private working folder {work} is inside the outputs folder {outputs}: it "
                         f"must never be published (set {config.ENV_WORK} to a folder outside it)")
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        work.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"cannot create the {outputs} or {work} folder: {e.strerror}") from None


@contextlib.contextmanager
def _clean_errors(outputs: Path) -> Any:
    """A full disk or a folder that cannot be written becomes a BuildError saying so (no traceback),
    and Ctrl-C stays quiet (the kernels' cancelled tasks are not reported as errors)."""
    try:
        yield
    except KeyboardInterrupt:
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # "Task exception was never retrieved"
        raise
    except OSError as e:
        where = f" ({e.filename})" if e.filename else ""
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WriteError(f"the disk is full: no space left to write the build's files{where}. Free some "
                             f"space and build again; the pages already in {outputs} are kept") from None
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise WriteError(f"cannot write the build's files{where}: {e.strerror}") from None
        raise


def run_workers(targets: list[Target],
                one: Callable[[Target, Callable[[], Any], Callable[[], bool]], ReportResult],
                jobs: int, *, fresh_kernels: bool = False,
                scratch_root: Path | None = None) -> list[ReportResult]:
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
                kept.append(build_exec.ReportKernel(
                    scratch_root=scratch_root,
                    max_reports=1 if fresh_kernels else build_exec.MAX_REPORTS_PER_KERNEL))
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
                k.cancel()
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
    lock_wait: float | None = None,
    pdf: bool = False,
) -> BuildResult:
    """Build the reports (see the module docstring); returns a :class:`BuildResult`.

    ``params``: further notebook parameters (checked against each notebook's parameters cell).
    ``jobs``: reports built at once (default: the number of CPU cores). ``notebooks_dir``: where
    the notebooks are (default: $CAREJOURNEYS_NOTEBOOKS, else the project's ``notebooks/``).
    ``check``: run the output checker (:mod:`carejourneys.sdc.checker`) on each page before it is
    published (a page with findings is replaced by a notice and its report fails); a build
    without it trusts only pages built without it. ``show_code``: keep the code in the pages.
    ``quiet``: print nothing. ``fresh_kernels``: start a new kernel for every report instead of
    keeping one per job (slower; the pages are the same). ``lock_wait``: seconds to wait for
    another build of the same outputs (default :data:`carejourneys.publish.cache.LOCK_WAIT`).
    ``pdf``: also print each good page to ``<report>.pdf`` beside it with headless Chromium
    (:mod:`carejourneys.publish.pdf`; without Chromium the request is refused before anything runs).
    Bad requests (an unknown site or notebook, a parameter of the wrong type, nothing to build, an
    unusable outputs folder, another build running) raise BuildError before anything runs, and a
    full disk raises BuildError saying so; a notebook that fails while running does not raise.
    """
    from carejourneys.publish import cache
    from carejourneys.publish import pdf as pdf_out

    if pdf:
        try:
            pdf_out.require_chromium()
        except pdf_out.PdfUnavailable as e:
            raise BuildError(str(e)) from None
    nb_dir = config.notebooks_dir(notebooks_dir)
    out_dir = config.outputs_dir(outputs)
    data = None if data_dir is None else str(config.data_dir(data_dir))
    paths = find_notebooks(nb_dir, notebooks)
    infos, broken = [], []
    for p in paths:
        try:
            infos.append(read_notebook_info(p))
        except BuildError as e:
            broken.append(ReportResult(p.stem, "-", Status.FAILED, error=str(e), title=p.stem))
    targets_spec = plan(sites, infos, data_dir=data, disclosure_threshold=disclosure_threshold,
                        extra=dict(params or {}))
    work = WorkFolder(config.work_dir(outputs=out_dir), out_dir)
    _check_folders(out_dir, work.root)
    env_key = environment_key(config.data_dir(data))
    targets = [Target(info, site, p, target_key(info, p, env_key, show_code))
               for info, site, p in targets_spec]
    if sites:
        skipped = [s for s in normalise_sites(sites) if s not in {t.site for t in targets}]
        if skipped:
            _say(quiet, f"nothing to build for {', '.join(skipped)}: no notebook asked for has a page for it",
                 err=True)
    ctx = Context(work, data_dir=data, threshold=disclosure_threshold, check=check, show_code=show_code,
                  timeout=timeout, force=force, notebooks_dir=nb_dir)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    with _clean_errors(out_dir), work.lock(cache.LOCK_WAIT if lock_wait is None else lock_wait):
        removed = sweep(work, unchecked=not check)
        if removed:
            _say(quiet, f"removed {len(removed)} file(s) from {out_dir} that are not to be published or that "
                        f"no build record vouches for: {', '.join(removed[:5])}"
                        + (f" and {len(removed) - 5} more" if len(removed) > 5 else ""), err=True)
        _say(quiet, f"building {len(targets)} report(s) with {min(jobs, max(len(targets), 1))} job(s)",
             err=True)
        results = _build_all(targets, broken, ctx, jobs, quiet=quiet, fresh_kernels=fresh_kernels)
        if pdf:  # the pages just published (or kept) printed beside them
            pdf_out.write_pdfs([r.html for r in results if r.ok and r.html is not None and r.html.is_file()],
                               say=lambda text: _say(quiet, text, err=True))
        index = write_index(out_dir, collect_reports(work, _all_notebooks(nb_dir)))
    result = BuildResult(results, index)
    if result.failures:
        _say(quiet, f"{len(result.failures)} report(s) failed:", err=True)
        for r in result.failures:
            _say(quiet, f"  - {r.error}" + (f" (build log: {r.log})" if r.log else ""), err=True)
    _say(quiet, str(index))
    return result


def _build_all(targets: list[Target], broken: list[ReportResult], ctx: Context, jobs: int, *, quiet: bool,
               fresh_kernels: bool) -> list[ReportResult]:
    labels = {id(t): f"{t.info.name} [{t.site}]" for t in targets}
    progress = None if quiet else Progress([*labels.values(), *(f"{r.notebook}" for r in broken)],
                                           stream=sys.stderr)

    def one(t: Target, kernel: Callable[[], Any], cancelled: Callable[[], bool]) -> ReportResult:
        label = labels[id(t)]
        started = time.perf_counter()
        on_start = None if progress is None else (lambda: progress.update(label, "running"))
        try:
            r = build_target(t, ctx, on_start=on_start, kernel=kernel, cancelled=cancelled)
        except BaseException:
            if progress is not None:
                progress.update(label, "failed", seconds=time.perf_counter() - started)
            raise
        if progress is not None:
            state = {Status.OK: "done", Status.REUSED: "reused"}.get(r.status, "failed")
            progress.update(label, state, seconds=time.perf_counter() - started, detail=r.error or "")
        return r

    try:
        for r in broken:
            if progress is not None:
                progress.update(r.notebook, "failed", seconds=0.0, detail=r.error or "")
        return broken + run_workers(targets, one, jobs, fresh_kernels=fresh_kernels,
                                    scratch_root=ctx.work.tmp)
    finally:
        if progress is not None:
            progress.close()


def remove_site(site: str, outputs: str | os.PathLike | None = None, *,
                notebooks_dir: str | os.PathLike | None = None, lock_wait: float | None = None) -> list[Path]:
    """Delete a site's pages (``outputs/<site>/``) and its private records, logs and executed
    notebooks, and rewrite the index without it; returns what was removed (empty when the site
    had nothing). A council may be named by either of its codes."""
    from carejourneys.publish import cache

    out_dir = config.outputs_dir(outputs)
    work = WorkFolder(config.work_dir(outputs=out_dir), out_dir)
    site = str(site).strip()
    if not cache.NAME.fullmatch(site):
        raise BuildError(f"{site!r} is not a site key or council code")
    names = [site]
    if is_la_code(site):
        names.append(_council_codes().get(site, site))
    removed: list[Path] = []
    with _clean_errors(out_dir), work.lock(cache.LOCK_WAIT if lock_wait is None else lock_wait):
        for name in dict.fromkeys(names):
            folder = out_dir / name
            if folder.is_dir():
                removed += sorted(p for p in folder.rglob("*") if p.is_file())
                shutil.rmtree(folder)
            removed += work.forget(name)
        if removed:
            every = _all_notebooks(config.notebooks_dir(notebooks_dir))
            write_index(out_dir, collect_reports(work, every))
    return removed
