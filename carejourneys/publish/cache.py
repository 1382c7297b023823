"""The build's private working folder: what was built, the lock, the logs and the leftovers.

``outputs/`` holds only what may be published. Everything else a build makes lives in the private
working folder (:func:`carejourneys.config.work_dir`, never inside ``outputs/``)::

    <work>/build.lock                        the lock: one build at a time (holds the builder's pid)
    <work>/.gitignore                        "*": git never offers to commit any of it
    <work>/state/<site>/<report>.json        the cache record: key, status, and the checked page's sha256
    <work>/notebooks/<site>/<report>.ipynb   the executed notebook
    <work>/logs/<site>/<report>.log          the build log (error, traceback, output-check findings)
    <work>/logs/<site>/<report>.<kind>.csv   records the report wrote (disclosure decisions, quotes)
    <work>/stage/<site>/<report>/            a report's private staging folder while it runs
    <work>/tmp/                              kernels' scratch folders

A page in ``outputs/`` is trusted only when a record says the output checker passed these exact
bytes (:meth:`WorkFolder.trusted`); :func:`sweep` removes, at the start of every build, what an
earlier version or an interrupted build left: executed notebooks, logs and CSV files inside
``outputs/``, report pages without a record, half-written temporary files, staging and scratch
folders.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carejourneys.errors import BuildError
from carejourneys.inputs.manifest import atomic_write_bytes

LOCK_FILE = "build.lock"
#: seconds a build waits for another build of the same outputs to finish before refusing
LOCK_WAIT = 5.0
#: what a report's name and a site folder may be called
NAME = re.compile(r"[A-Za-z0-9_-]+")
#: files of earlier versions (or of other tools) that must never sit among the published pages
PRIVATE_SUFFIXES = (".ipynb", ".csv", ".log")
#: temporary files of :func:`carejourneys.inputs.manifest.atomic_write_bytes` left by a killed build
_PARTIAL = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


def sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class WorkFolder:
    """The private working folder of the build of one outputs folder."""

    root: Path
    outputs: Path

    def state(self, site: str, report: str) -> Path:
        return self.root / "state" / site / f"{report}.json"

    def notebook(self, site: str, report: str) -> Path:
        return self.root / "notebooks" / site / f"{report}.ipynb"

    def log(self, site: str, report: str) -> Path:
        return self.root / "logs" / site / f"{report}.log"

    def logs(self, site: str) -> Path:
        return self.root / "logs" / site

    def stage(self, site: str, report: str) -> Path:
        return self.root / "stage" / site / report

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def page(self, site: str, report: str) -> Path:
        return self.outputs / site / f"{report}.html"

    @staticmethod
    def log_hint(site: str, report: str) -> str:
        """Where the log is, said without any absolute path (for pages)."""
        return f"logs/{site}/{report}.log"

    # ------------------------------------------------------------------ records

    def read(self, site: str, report: str) -> dict[str, Any] | None:
        """The record of (site, report), or None when there is none or it is unreadable."""
        try:
            record = json.loads(self.state(site, report).read_bytes())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("key") else None

    def write(self, site: str, report: str, record: dict[str, Any]) -> None:
        atomic_write_bytes(self.state(site, report),
                           json.dumps(record, sort_keys=True, indent=1, default=str).encode() + b"\n")

    def records(self) -> list[dict[str, Any]]:
        """Every record, sorted by site and report."""
        out = []
        for path in sorted((self.root / "state").glob("*/*.json")):
            record = self.read(path.parent.name, path.stem)
            if record is not None:
                out.append(record)
        return out

    def trusted(self, record: dict[str, Any] | None, page: Path | None = None, *,
                unchecked: bool = False) -> bool:
        """Whether the page the record describes is in ``outputs/`` with the bytes the checker passed
        (``unchecked``: or that a build without the check wrote)."""
        if record is None or not record.get("page_sha256") or not (record.get("checked") or unchecked):
            return False
        page = page or self.page(str(record.get("site")), str(record.get("notebook")))
        return sha256(page) == record["page_sha256"]

    def forget(self, site: str) -> list[Path]:
        """Remove every private file of ``site`` (records, notebooks, logs, staging); returns them."""
        gone = []
        for kind in ("state", "notebooks", "logs", "stage"):
            folder = self.root / kind / site
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder)
        return gone

    # ------------------------------------------------------------------ lock

    @contextlib.contextmanager
    def lock(self, wait: float = LOCK_WAIT) -> Iterator[None]:
        """Hold the build lock of this outputs folder (``fcntl.flock`` on ``build.lock``), waiting up
        to ``wait`` seconds for another build to finish; then refuse with BuildError naming its pid.
        The lock goes with the process, however it ends (a killed build leaves no stale lock)."""
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.exists():  # never committed by accident, wherever it is (a checkout's root, say)
            atomic_write_bytes(ignore, b"# carejourneys' private working folder: never commit it\n*\n")
        path = self.root / LOCK_FILE
        f = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the duration of the build
        try:
            end = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    if time.monotonic() >= end:
                        f.seek(0)
                        other = f.read().strip() or "unknown"
                        raise BuildError(
                            f"another build (pid {other}) is writing to {self.outputs}; wait for it to "
                            f"finish (or stop it) and build again") from None
                    time.sleep(0.1)
            f.seek(0)
            f.truncate()
            f.write(f"{os.getpid()}\n")
            f.flush()
            yield
        finally:
            f.close()


def sweep(work: WorkFolder, *, unchecked: bool = False) -> list[str]:
    """Remove the leftovers (see the module docstring) and return what was removed from
    ``outputs/``, as relative paths. Run under the lock, before anything is built. A report page
    without a record that vouches for it is removed (it is rebuilt if asked for, never trusted);
    ``unchecked``: a build without the output check also keeps the pages such builds wrote."""
    removed: list[str] = []
    for scratch in (work.root / "stage", work.tmp):
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    out = work.outputs
    if not out.is_dir():
        return removed
    for path in sorted(out.rglob("*")):
        if path.is_dir() or path.is_symlink() and not path.exists():
            continue
        rel = path.relative_to(out)
        if path.suffix.lower() in PRIVATE_SUFFIXES or _PARTIAL.match(path.name):
            path.unlink(missing_ok=True)
            removed.append(rel.as_posix())
            continue
        if len(rel.parts) == 2 and path.suffix == ".html" and path.name != "index.html":
            site, report = rel.parts[0], path.stem
            if not work.trusted(work.read(site, report), path, unchecked=unchecked):
                path.unlink(missing_ok=True)
                removed.append(rel.as_posix())
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        if any(p.name != "index.html" for p in folder.glob("*.html")):
            continue
        (folder / "index.html").unlink(missing_ok=True)  # the index page of a site with no report left
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when nothing else is in it
    return removed
