"""Dataset manifests: ``manifest.yml`` names each file, its origin and its sha256.

    origin: synthetic                 # synthetic | real | public (the dataset's own)
    description: ...
    files:
      - path: fieldwork.csv           # relative to the dataset folder, '/' separated
        origin: synthetic
        sha256: 3b5d...

A changed, missing or unlisted file is reported as a :class:`DataProblem` by :func:`check_manifest`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from carejourneys import sites as sites_mod
from carejourneys.errors import DataProblem, ManifestError

MANIFEST = "manifest.yml"
ORIGINS = ("synthetic", "real", "public")


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    origin: str
    sha256: str


@dataclass
class Manifest:
    root: Path
    origin: str
    description: str = ""
    files: list[ManifestEntry] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    checksum: str = ""  # sha256 of manifest.yml itself: one value that identifies the whole dataset

    def entry(self, relpath: str) -> ManifestEntry | None:
        for e in self.files:
            if e.path == relpath:
                return e
        return None

    @property
    def paths(self) -> list[str]:
        return [e.path for e in self.files]

    def sites(self) -> list[sites_mod.Site]:
        """The partnership sites the dataset declares (its ``sites:`` list; see :mod:`carejourneys.sites`).

        :class:`ManifestError` naming the entry when one is not a site."""
        declared = self.extra.get("sites") or []
        path = self.root / MANIFEST
        if not isinstance(declared, list):
            raise ManifestError("'sites' must be a list of sites, each a mapping of "
                                f"{', '.join(sites_mod.FIELDS)}", path=path, column="sites")
        out = []
        for i, entry in enumerate(declared, start=1):
            try:
                out.append(sites_mod.from_dict(entry))
            except ValueError as e:
                raise ManifestError(f"sites entry {i}: {e}", path=path, row=i, column="sites") from None
        return out


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# read once at import: os.umask is process-wide, and reading it means briefly changing it, which
# must not happen while build threads are creating files
_UMASK = _read_umask()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Readers see either the old file or the new one, never a part. The file gets the permissions an
    ordinary new file would have (0666 less the umask), not mkstemp's owner-only 0600, so that
    published pages can be served and shared.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_manifest(
    root: str | Path,
    files: Iterable[str | Path],
    origin: str,
    description: str = "",
    extra: dict | None = None,
) -> Path:
    """Write ``root/manifest.yml`` listing ``files`` (paths relative to root, or absolute under it)."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    root = Path(root)
    entries = []
    for f in files:
        p = Path(f)
        rel = p.relative_to(root) if p.is_absolute() else p
        entries.append({"path": rel.as_posix(), "origin": origin, "sha256": sha256_file(root / rel)})
    entries.sort(key=lambda e: e["path"])
    doc = {"origin": origin, "description": description, **(extra or {}), "files": entries}
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    out = root / MANIFEST
    atomic_write_bytes(out, text.encode("utf-8"))
    return out


def read_manifest(root: str | Path) -> Manifest:
    """The manifest of the dataset folder ``root``; :class:`ManifestError` if missing or malformed."""
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        raise ManifestError(f"no {MANIFEST} in this dataset folder (for your own data, write one with: "
                            f"carejourneys manifest {root})",
                            path=path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ManifestError(f"cannot read the manifest: {e.strerror or e}", path=path) from None
    try:
        doc = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ManifestError(f"not valid YAML: {e}", path=path) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise ManifestError("expected a mapping with a 'files' list", path=path)
    origin = doc.get("origin")
    if origin not in ORIGINS:
        raise ManifestError(f"origin must be one of {', '.join(ORIGINS)}, not {origin!r}", path=path,
                            column="origin")
    entries = []
    for i, e in enumerate(doc["files"], start=1):
        if not isinstance(e, dict) or not {"path", "sha256"} <= set(e):
            raise ManifestError(f"files entry {i} needs 'path' and 'sha256'", path=path, row=i)
        rel = str(e["path"])
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise ManifestError(f"files entry {i}: path {rel!r} leaves the dataset folder", path=path, row=i)
        entries.append(ManifestEntry(rel, str(e.get("origin", origin)), str(e["sha256"])))
    extra = {k: v for k, v in doc.items() if k not in {"origin", "description", "files"}}
    return Manifest(root, origin, str(doc.get("description", "")), entries, extra,
                    hashlib.sha256(raw).hexdigest())


def check_manifest(root: str | Path, manifest: Manifest | None = None, *, unlisted: bool = True
                   ) -> list[DataProblem]:
    """Every disagreement between the manifest and the files on disk (empty when all is well).

    A listed file that is missing or whose sha256 differs is a problem; so, with ``unlisted``,
    is a file in the folder that the manifest does not list (hidden files and folders, whose
    names start with '.', and ``__pycache__`` are ignored). A missing or malformed manifest is
    reported as the only problem.
    """
    root = Path(root)
    try:
        m = manifest or read_manifest(root)
    except ManifestError as e:
        return list(e.problems)
    mpath = str(root / MANIFEST)
    problems = []
    for e in m.files:
        p = root / e.path
        if not p.is_file():
            problems.append(DataProblem(str(p), None, None, f"listed in {MANIFEST} but missing"))
            continue
        try:
            digest = sha256_file(p)
        except OSError as err:
            problems.append(DataProblem(str(p), None, None, f"cannot read the file: {err.strerror or err}"))
            continue
        if digest != e.sha256:
            problems.append(DataProblem(str(p), None, None,
                                        f"changed since {MANIFEST} was written (sha256 differs); if "
                                        f"you changed it on purpose, run: carejourneys manifest {root}"))
    if unlisted:
        for rel in unlisted_files(root, m):
            problems.append(DataProblem(mpath, None, None, f"{rel} is in the folder but not in {MANIFEST}"))
    return problems


def folder_files(root: str | Path) -> list[str]:
    """The data files of a dataset folder, relative and '/'-separated, sorted.

    Leaves out the manifest itself, hidden files and folders (names starting with '.') and
    ``__pycache__`` folders.
    """
    root = Path(root)
    out = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if not p.is_file() or rel.as_posix() == MANIFEST:
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        out.append(rel.as_posix())
    return sorted(out)


def unlisted_files(root: str | Path, manifest: Manifest) -> list[str]:
    """Files of the folder (see :func:`folder_files`) that ``manifest`` does not list."""
    listed = set(manifest.paths)
    return [rel for rel in folder_files(root) if rel not in listed]


def write_folder_manifest(root: str | Path, origin: str, description: str = "") -> Path:
    """Write ``root/manifest.yml`` listing every data file now in the folder (see :func:`folder_files`).

    For an evaluator's own dataset: ``write_folder_manifest("/secure/carejourneys", "real")``.
    """
    return write_manifest(root, folder_files(root), origin, description)
