"""Loading a whole dataset: ``cj.load_dataset(data_dir=None, site="plymouth")``.

A dataset is one folder (the bundled ``data/synthetic``, or an evaluator's private folder) with
a ``manifest.yml`` and one file per source of :data:`carejourneys.inputs.schemas.SOURCES`:

* ``<filename>`` as named in the contract (``fieldwork.csv``, ...) or the same name with
  ``.xlsx``; missing optional sources load as empty frames with the right columns;
* care leaver returns under ``<site>/oc3_<year>.csv`` (or ``.xlsx``), read with
  :func:`carejourneys.inputs.loaders.oc3.read_oc3` (hook: :func:`_read_oc3_files`);
* coded segments from ``<site>.qdpx`` (REFI-QDA) when present, else ``coded_segments.csv``
  (hook: :func:`_read_coded_segments`).

Where the folder is: the ``data_dir`` argument, else the environment variable
``CAREJOURNEYS_DATA``, else the bundled synthetic replica.

Sites: a site the manifest declares (its ``sites:`` list) is registered when the dataset is loaded
(:func:`register_sites`). Links between files (:data:`LINKS`: every participant in the register,
every coded source in the fieldwork log, every young person who speaks in the register) are checked
with the files, and a broken one is reported with the file, row and column of the referring row.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys import config, sites
from carejourneys.errors import DataError, DataProblem, DataWarning, ManifestError
from carejourneys.inputs import manifest as manifest_mod
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders import tabular
from carejourneys.inputs.loaders.oc3 import read_oc3
from carejourneys.inputs.loaders.qdpx import read_qdpx

_OC3_FILE = re.compile(r"^oc3_(\d{4})\.(csv|xlsx|xlsm)$", re.IGNORECASE)


bundled_data_dir = config.bundled_data_dir
resolve_data_dir = config.data_dir


def covered_sites(site: str) -> list[str]:
    """Site keys a report for ``site`` covers: every registered site for ``"all"``."""
    if site == sites.ALL:
        return sites.keys()
    return [sites.get(site).key]


@dataclass
class Dataset:
    """A loaded dataset: one validated DataFrame per source, filtered to a site.

    ``ds.fieldwork``, ``ds.prepost_survey``, ... (every key of ``schemas.SOURCES``) are frames;
    ``origin`` is the manifest's ``synthetic`` or ``real``; ``sites`` the site keys covered
    (every site for ``site="all"``); ``files`` the files each source was read from, each with the
    number of rows it gave (after filtering to the site).
    """

    data_dir: Path
    site: str
    sites: list[str]
    origin: str
    manifest: manifest_mod.Manifest | None = field(repr=False)
    frames: dict[str, pd.DataFrame] = field(repr=False)
    files: dict[str, dict[Path, int]] = field(default_factory=dict, repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("frames")
        if frames is not None and name in frames:
            return frames[name]
        raise AttributeError(f"Dataset has no attribute {name!r}; sources: {', '.join(schemas.SOURCES)}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.frames})

    def sources(self) -> list[str]:
        """The names of the sources, in contract order."""
        return list(self.frames)

    def summary(self) -> pd.DataFrame:
        """One row per source and file read: ``source``, ``file`` (relative; empty when absent), ``rows``."""
        out = []
        for name, frame in self.frames.items():
            files = self.files.get(name) or {}
            if not files:
                out.append((name, "", len(frame)))
            for path, n in files.items():
                out.append((name, _relative(path, self.data_dir), n))
        return pd.DataFrame(out, columns=["source", "file", "rows"]).astype(
            {"source": "str", "file": "str", "rows": "int64"})


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_dataset(
    data_dir: str | Path | None = None, site: str = "plymouth", *, check_manifest: bool = True
) -> Dataset:
    """Load and validate every source of a dataset, filtered to ``site``.

    ``data_dir``: the dataset folder (default ``$CAREJOURNEYS_DATA``, else the bundled synthetic
    replica). ``site``: a site key (see ``carejourneys sites``) or ``"all"``; an unknown key
    raises ``KeyError`` listing the valid ones. With ``check_manifest`` a file changed since the
    manifest was written, or listed but missing, is a :class:`DataError`; files not listed only
    warn. Problems in the files are gathered over every file and raised as one DataError. Sites the
    manifest declares (its ``sites:`` list) are registered first (:func:`register_sites`).
    """
    root = resolve_data_dir(data_dir)
    if not root.is_dir():
        raise DataError("dataset folder not found" if not root.exists() else "not a folder", path=root)
    manifest = manifest_mod.read_manifest(root)
    for declared in manifest.sites():
        sites.register(declared)
    covered = covered_sites(site)
    if check_manifest:
        problems = manifest_mod.check_manifest(root, manifest, unlisted=False)
        if problems:
            raise ManifestError.from_problems(problems)
        for p in manifest_mod.unlisted_files(root, manifest):
            warnings.warn(f"{root / p}: not listed in {manifest_mod.MANIFEST}", DataWarning, stacklevel=2)
    frames, files, problems = read_sources(root, site)
    if problems:
        raise DataError.from_problems(problems)
    return Dataset(data_dir=root, site=site, sites=covered, origin=manifest.origin, manifest=manifest,
                   frames=frames, files=files)


def register_sites(data_dir: str | Path | None = None) -> list[str]:
    """Register the sites the dataset at ``data_dir`` declares in its manifest (none when it has no
    manifest); returns their keys. A build or report calls it before it checks a site key, so that
    a site declared by the data is known in every process that reads them."""
    root = resolve_data_dir(data_dir)
    if not (root / manifest_mod.MANIFEST).is_file():
        return []
    return [sites.register(s).key for s in manifest_mod.read_manifest(root).sites()]


def source_path(root: Path, source: schemas.Source) -> Path | None:
    """The file holding ``source`` in ``root``: its contract name, or the same name as .xlsx/.xlsm."""
    first = root / source.filename
    if first.is_file():
        return first
    for suffix in tabular.EXCEL_SUFFIXES:
        alt = first.with_suffix(suffix)
        if alt.is_file():
            return alt
    return None


def read_sources(
    root: Path, site: str
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[Path, int]], list[DataProblem]]:
    """Read every source of ``root`` for ``site``, gathering problems instead of stopping.

    Returns ``(frames, files, problems)``: ``files`` maps each source to the files read and the
    rows each gave; a source whose file has problems is an empty frame. The problems include the
    links between files that fail (:data:`LINKS`, :func:`link_problems`). Sites the manifest
    declares must be registered first (:func:`register_sites`).
    """
    covered = covered_sites(site)
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, dict[Path, int]] = {}
    origins: dict[str, Origin] = {}
    problems: list[DataProblem] = []
    failed: set[str] = set()
    for name, source in schemas.SOURCES.items():
        origin: Origin = []
        try:
            if name == "oc3":
                frame, used = _read_oc3_files(root, covered)
            elif name == "coded_segments":
                frame, used, origin = _read_coded_segments(root, site, covered)
            else:
                path = source_path(root, source)
                if path is None:
                    if not source.optional:
                        raise DataError(f"missing: every dataset needs this file ({source.description})",
                                        path=root / source.filename)
                    frame, used = source.empty(), {}
                else:
                    frame = tabular.read_source(name, path, site=site, keep_rows=True)
                    if name in _LINKED:
                        origin = [(path, int(r)) for r in frame.index]
                    frame = frame.reset_index(drop=True)
                    used = {path: len(frame)}
        except DataError as e:
            problems += e.problems
            failed.add(name)
            frame, used = source.empty(), {}
        frames[name] = frame
        files[name] = used
        origins[name] = origin
    problems += link_problems(frames, files, origins, skip=failed, root=root)
    return frames, files, problems


# --------------------------------------------------------------------------- links between files

#: where each row of a source came from: (file, spreadsheet row; None for a REFI-QDA project)
Origin = list[tuple[Path, int | None]]


@dataclass(frozen=True)
class Link:
    """Each value of ``source.column`` must be a value of ``target.target_column`` (of the same site
    when both have a site column); ``when``: only rows whose column holds that value; ``unless_from``:
    not rows whose value merely copies that column (a speaker named by a REFI-QDA project's case,
    which the coding tool names as it likes)."""

    source: str
    column: str
    target: str
    target_column: str
    what: str
    when: tuple[str, str] | None = None
    unless_from: str | None = None


#: the links between sources of the data contract (DESIGN.md section 4)
LINKS = (
    Link("participation", "young_person_id", "young_people", "young_person_id", "young person"),
    Link("coded_segments", "source_id", "fieldwork", "source_id", "fieldwork source (transcript)"),
    Link("coded_segments", "speaker_id", "young_people", "young_person_id", "young person",
         when=("role", "Young person"), unless_from="case"),
)

_LINKED = {link.source for link in LINKS}


def link_problems(
    frames: dict[str, pd.DataFrame], files: dict[str, dict[Path, int]], origins: dict[str, Origin], *,
    skip: set[str] | frozenset = frozenset(), root: Path | None = None,
) -> list[DataProblem]:
    """A problem for each row whose value of a :data:`LINKS` column is not in the file it refers to,
    naming the file, row and column. Links from or to a source in ``skip`` (a file with problems of its
    own) are not checked; a link to a file the dataset lacks is one problem for the referring file."""
    problems: list[DataProblem] = []
    for link in LINKS:
        if link.source in skip or link.target in skip:
            continue
        frame, target = frames[link.source], frames[link.target]
        origin = origins.get(link.source) or []
        if frame.empty or link.column not in frame.columns or len(origin) != len(frame):
            continue
        values = frame[link.column]
        rows = values.notna()
        if link.when is not None:
            rows &= frame[link.when[0]] == link.when[1]
        if link.unless_from is not None and link.unless_from in frame.columns:
            rows &= ~(values == frame[link.unless_from]).fillna(False)
        site_col = "site" if "site" in frame.columns and "site" in target.columns else None
        if site_col is not None:  # rows of a site the target cannot hold (national) have nothing to link to
            rows &= frame[site_col].isin(list(schemas.SOURCES[link.target].field(site_col).allowed or ()))
        if not rows.any():
            continue
        target_file = schemas.SOURCES[link.target].filename
        if not files.get(link.target):
            first = origin[int(np.flatnonzero(rows.to_numpy())[0])][0]
            problems.append(DataProblem(str(first), None, link.column,
                                        f"{int(rows.sum())} rows name a {link.what} ({link.column}) but the "
                                        f"dataset has no {target_file} to find them in"))
            continue
        if site_col is None:
            found = values.isin(target[link.target_column].dropna())
        else:
            wanted = pd.MultiIndex.from_arrays([frame[site_col], values])
            found = pd.Series(wanted.isin(pd.MultiIndex.from_arrays([target[site_col],
                                                                     target[link.target_column]])),
                              index=frame.index)
        bad = np.flatnonzero((rows & ~found).to_numpy())
        if not len(bad):
            continue
        sites_of = target.groupby(link.target_column, sort=False)[site_col].agg(
            lambda s: ", ".join(sorted(map(str, s.unique())))) if site_col else pd.Series(dtype="str")
        where = ", ".join(sorted(_relative(p, root) if root else str(p) for p in files[link.target]))
        for i in bad:
            value = values.iat[i]
            if value in sites_of.index:
                message = (f"{link.what} {value!r} is in {where} for site {sites_of[value]}, "
                           f"not {frame[site_col].iat[i]}")
            else:
                message = f"{link.what} {value!r} is not in {where}"
            path, row = origin[i]
            problems.append(DataProblem(str(path), row, link.column, message))
    problems.sort(key=lambda p: (p.path or "", p.row or 0))
    return problems


# --------------------------------------------------------------------------- hooks (special sources)


def oc3_files(root: Path, covered: list[str]) -> list[tuple[str, int, Path]]:
    """``(site, collection_year, path)`` of each care leaver return under ``<root>/<site>/``."""
    out = []
    for key in covered:
        folder = root / key
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            m = _OC3_FILE.match(p.name)
            if m and p.is_file():
                out.append((key, int(m.group(1)), p))
    return out


def _read_oc3_files(root: Path, covered: list[str]) -> tuple[pd.DataFrame, dict[Path, int]]:
    """HOOK (oc3): every ``<site>/oc3_<year>`` file of the covered sites, with ``site`` and
    ``collection_year`` columns added. Several files' problems are raised together."""
    parts, problems = [], []
    used: dict[Path, int] = {}
    for key, year, path in oc3_files(root, covered):
        try:
            frame = read_oc3(path, year)
        except DataError as e:
            problems += e.problems
            continue
        except ValueError as e:  # e.g. a year in the file name that no return can have
            problems.append(DataProblem(str(path), None, None, f"{e} (the year comes from the file name)"))
            continue
        frame = frame.assign(site=pd.Series(key, index=frame.index, dtype="str"),
                             collection_year=pd.Series(year, index=frame.index, dtype="Int64"))
        parts.append(frame)
        used[path] = len(frame)
    if problems:
        raise DataError.from_problems(problems)
    if parts:
        out = pd.concat(parts, ignore_index=True)
    else:
        out = schemas.SOURCES["oc3"].empty().assign(site=pd.Series(dtype="str"),
                                                    collection_year=pd.Series(dtype="Int64"))
    return out, used


def _read_coded_segments(
    root: Path, site: str, covered: list[str]
) -> tuple[pd.DataFrame, dict[Path, int], Origin]:
    """HOOK (coded_segments): ``<site>.qdpx`` for each covered site that has one, and
    ``coded_segments.csv`` rows for the other sites (and, for ``"all"``, the national rows)."""
    source = schemas.SOURCES["coded_segments"]
    parts = []
    used: dict[Path, int] = {}
    origin: Origin = []
    qdpx_sites = []
    for key in covered:
        path = root / f"{key}.qdpx"
        if path.is_file():
            segments = _conform(read_qdpx(path).segments, source, key, path)
            parts.append(segments)
            used[path] = len(segments)
            origin += [(path, None)] * len(segments)
            qdpx_sites.append(key)
    csv_path = source_path(root, source)
    rest = [k for k in covered if k not in qdpx_sites]
    if csv_path is not None and (rest or site == sites.ALL):
        frame = tabular.read_source("coded_segments", csv_path, keep_rows=True)
        keep = frame["site"].isin(rest + (["national"] if site == sites.ALL else []))
        parts.append(frame[keep].reset_index(drop=True))
        used[csv_path] = int(keep.sum())
        origin += [(csv_path, int(r)) for r in frame.index[keep]]
    if not parts:
        return source.empty(), used, origin
    return pd.concat(parts, ignore_index=True), used, origin


def _conform(frame: pd.DataFrame, source: schemas.Source, site: str, path: Path) -> pd.DataFrame:
    """Segments from a QDPX project in the contract's columns and dtypes, validated."""
    dtypes = {schemas.TEXT: "str", schemas.INT: "Int64", schemas.FLOAT: "Float64",
              schemas.DATE: "datetime64[ns]"}
    frame = frame.copy()
    if "site" not in frame.columns:
        frame["site"] = site
    for f in source.fields:
        if f.name not in frame.columns:
            frame[f.name] = pd.Series(pd.NA, index=frame.index).astype(dtypes[f.kind])
        try:
            frame[f.name] = frame[f.name].astype(dtypes[f.kind])
        except (TypeError, ValueError) as e:
            raise DataError(f"segments from this project have values that are not {f.kind}: {e}",
                            path=path, column=f.name) from None
    extras = [c for c in frame.columns if c not in source.columns]
    frame = frame[source.columns + extras].reset_index(drop=True)
    problems = tabular.check_frame(frame, source, path, rows=False)
    if problems:
        raise DataError.from_problems(problems)
    return frame
