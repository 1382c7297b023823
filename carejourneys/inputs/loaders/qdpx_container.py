"""Opening REFI-QDA containers safely: ``.qdpx`` zip archives or bare ``.qde`` files, their source
files, and the project XML.

Archives with too many or too large members, a suspicious compression ratio (zip bomb), or member names
that escape the archive (``../``, absolute paths) are refused with :class:`DataError`, as are source
paths that would leave the project. XML is parsed with lxml without loading DTDs, resolving entities or
touching the network, and a document that declares a DTD (the vehicle of entity expansion and external
entities) is refused.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from carejourneys.errors import DataError, DataWarning

Element = etree._Element


@dataclass(frozen=True)
class Limits:
    """Size limits that protect the reader from hostile or broken archives."""

    max_members: int = 20_000
    max_member_bytes: int = 512 * 1024**2
    max_total_bytes: int = 2 * 1024**3
    #: members that expand more than this many times (and beyond 1 MiB) are treated as zip bombs
    max_ratio: float = 200.0
    #: rows read from one table of a project database (Taguette's highlights, tags, links)
    max_records: int = 5_000_000


DEFAULT_LIMITS = Limits()



#: what a damaged archive raises while it is opened or read: a bad header or directory (BadZipFile,
#: EOFError), a corrupt compressed stream (zlib.error), an unknown compression method
#: (NotImplementedError), undecodable member names or bad sizes (ValueError), a read failure (OSError)
_ARCHIVE_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, ValueError)


def _norm_member(name: str) -> str:
    return name.replace("\\", "/")


def _unsafe_member(name: str) -> bool:
    n = _norm_member(name)
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return True
    return any(part == ".." for part in n.split("/"))


class _Container:
    """Where the .qde and its source files come from (a zip archive or a folder)."""

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        self.limits = limits
        self.zip: zipfile.ZipFile | None = None
        self.members: dict[str, zipfile.ZipInfo] = {}
        if path.suffix.lower() == ".qde" or not zipfile.is_zipfile(path):
            if path.suffix.lower() != ".qde":
                raise DataError("not a REFI-QDA project: expected a .qdpx (zip) archive or a .qde file",
                                path=path)
            size = path.stat().st_size
            if size > limits.max_member_bytes:
                raise DataError(f"project XML is {size} bytes, over the limit of "
                                f"{limits.max_member_bytes}", path=path)
            self.qde_name = path.name
            self.qde = path.read_bytes()
            self.base = path.parent
            return
        self.base = None
        try:
            self.zip = zipfile.ZipFile(path)
        except _ARCHIVE_ERRORS as e:
            raise DataError(f"cannot open the archive: {e}", path=path) from e
        infos = self.zip.infolist()
        if len(infos) > limits.max_members:
            raise DataError(f"archive has {len(infos)} members, over the limit of {limits.max_members}",
                            path=path)
        total = 0
        for info in infos:
            if _unsafe_member(info.filename):
                raise DataError(f"archive member {info.filename!r} would escape the archive "
                                "(absolute path or '..'); refusing to read it", path=path)
            total += info.file_size
            if info.file_size > limits.max_member_bytes:
                raise DataError(f"archive member {info.filename!r} expands to {info.file_size} bytes, "
                                f"over the limit of {limits.max_member_bytes}", path=path)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024**2 and ratio > limits.max_ratio:
                raise DataError(f"archive member {info.filename!r} expands {ratio:.0f} times "
                                f"(limit {limits.max_ratio:.0f}): refusing a possible zip bomb", path=path)
            if not info.is_dir():
                self.members[_norm_member(info.filename).lower()] = info
        if total > limits.max_total_bytes:
            raise DataError(f"archive expands to {total} bytes, over the limit of {limits.max_total_bytes}",
                            path=path)
        qdes = [i for k, i in self.members.items() if "/" not in k and k.endswith(".qde")]
        if len(qdes) != 1:
            found = ", ".join(sorted(i.filename for i in qdes)) or "none"
            raise DataError(f"expected exactly one .qde file at the root of the archive, found {found}",
                            path=path)
        self.qde_name = qdes[0].filename
        self.qde = self._read_member(qdes[0])

    def _read_member(self, info: zipfile.ZipInfo) -> bytes:
        assert self.zip is not None
        cap = self.limits.max_member_bytes
        try:
            with self.zip.open(info) as f:
                data = f.read(cap + 1)
        except (*_ARCHIVE_ERRORS, RuntimeError) as e:
            raise DataError(f"cannot read archive member {info.filename!r}: {e}", path=self.path) from e
        if len(data) > cap:
            raise DataError(f"archive member {info.filename!r} expands beyond {cap} bytes", path=self.path)
        return data

    def read_source(self, ref: str) -> bytes | None:
        """The bytes of a source file referred to by ``ref``, or None when it is not there."""
        kind, rest = _split_ref(ref)
        if kind != "absolute":
            rest = rest.lstrip("/")
        if _unsafe_member(rest) and kind != "absolute":
            raise DataError(f"source path {ref!r} would escape the project; refusing to read it",
                            path=self.path)
        rest = rest.lstrip("/")
        candidates = [f"sources/{rest}", rest] if kind != "absolute" else []
        candidates.append(f"sources/{PurePosixPath(rest).name}")
        if self.zip is not None:
            for c in candidates:
                info = self.members.get(c.lower())
                if info is not None:
                    return self._read_member(info)
            return None
        assert self.base is not None
        base = self.base.resolve()
        for c in candidates:
            for folder in ("", "sources", "Sources"):
                p = (base / folder / c.removeprefix("sources/")).resolve() if folder else (base / c).resolve()
                if base not in p.parents and p != base:
                    continue
                if p.is_file():
                    if p.stat().st_size > self.limits.max_member_bytes:
                        raise DataError(f"source file is over the limit of {self.limits.max_member_bytes} "
                                        "bytes", path=p)
                    return p.read_bytes()
        return None


def _split_ref(ref: str) -> tuple[str, str]:
    r = ref.strip().replace("\\", "/")
    low = r.lower()
    for prefix in ("internal://", "relative://"):
        if low.startswith(prefix):
            return prefix[:-3], r[len(prefix):]
    if low.startswith("file://"):
        return "absolute", r[len("file://"):]
    if r.startswith("/") or re.match(r"^[A-Za-z]:", r):
        return "absolute", r
    return "bare", r


def decode_text(data: bytes, where: str | Path | None = None) -> str:
    """Source bytes as text: UTF-8 with or without a byte-order mark (UTF-16 when it has a UTF-16 BOM)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.warn(f"{where}: source text is not UTF-8; read as Windows-1252", DataWarning, stacklevel=3)
        return data.decode("cp1252", errors="replace")



def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                       dtd_validation=False, remove_comments=True, remove_pis=True)


def _parse_xml(data: bytes, path: Path, name: str) -> Element:
    """Parse project XML safely: no DTD loading, no entity resolution, no network; any DTD is refused."""
    where = f"{path}!{name}" if path.name != name else str(path)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        if b"<!ENTITY" in data[:65536] or b"<!DOCTYPE" in data[:65536]:
            raise DataError("refused unsafe XML: a document type declaration (entities) is not allowed in a "
                            "REFI-QDA project", path=where) from e
        raise DataError(f"the project XML is not well formed: {e.msg}", path=where, row=e.lineno) from e
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise DataError("refused unsafe XML: a document type declaration (entity definitions or external "
                        "references) is not allowed in a REFI-QDA project", path=where)
    return root


