"""Errors raised for bad input.

Every loader reports problems as :class:`DataError` naming the file, the row and the column.
Rows are counted as a person sees them in a spreadsheet: the header is row 1 and the first
record is row 2 (for sources without a header, such as XML, the row is ``None``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: the longest message one problem keeps (longer ones are cut, saying how much was left out)
MAX_MESSAGE = 1_000
#: items a message lists before "... and N more"
MAX_LISTED = 20
_MAX_COLUMN_NAME = 100


def short_list(items: Iterable[object], limit: int = MAX_LISTED, sep: str = ", ") -> str:
    """``items`` joined by ``sep``; beyond ``limit`` items, the first ``limit`` then "... and N more"."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return sep.join(items)
    return f"{sep.join(items[:limit])} ... and {len(items) - limit} more"


def _capped(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[:MAX_MESSAGE]} ... and {len(message) - MAX_MESSAGE} more characters"


@dataclass(frozen=True)
class DataProblem:
    """One problem in one place of one file (a message longer than :data:`MAX_MESSAGE` is cut)."""

    path: str | None
    row: int | None
    column: str | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _capped(str(self.message)))
        if self.column is not None and len(self.column) > _MAX_COLUMN_NAME:
            object.__setattr__(self, "column", self.column[: _MAX_COLUMN_NAME - 1] + "…")

    def __str__(self) -> str:
        where = [self.path or "<data>"]
        where.append(f"row {self.row}" if self.row is not None else "row -")
        where.append(f"column {self.column!r}" if self.column is not None else "column -")
        return f"{', '.join(where)}: {self.message}"


class DataError(ValueError):
    """Bad input: names the file (``.path``), row (``.row``) and column (``.column``).

    A loader that finds several problems raises one DataError carrying all of them in
    ``.problems``; the attributes and the first line of the message describe the first.
    """

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        problems: list[DataProblem] | None = None,
    ) -> None:
        first = DataProblem(str(path) if path is not None else None, row, column, message)
        self.path, self.row, self.column, self.message = first.path, first.row, first.column, first.message
        self.problems: list[DataProblem] = list(problems) if problems else [first]
        super().__init__(self._render())

    @classmethod
    def from_problems(cls, problems: list[DataProblem]) -> DataError:
        if not problems:
            raise ValueError("from_problems needs at least one problem")
        p = problems[0]
        return cls(p.message, p.path, p.row, p.column, problems=problems)

    def _render(self) -> str:
        head = str(DataProblem(self.path, self.row, self.column, self.message))
        more = len(self.problems) - 1
        if more <= 0:
            return head
        lines = [f"{head} (and {more} more problem{'s' if more > 1 else ''})"]
        lines += [f"  - {p}" for p in self.problems[1:21]]
        if more > 20:
            lines.append(f"  ... {more - 20} more")
        return "\n".join(lines)


class DataWarning(UserWarning):
    """Input that loads but deserves a reader's attention (old codes, assumed positions, missing files)."""


class ManifestError(DataError):
    """A dataset's manifest is missing, malformed, or disagrees with the files."""


class BuildError(RuntimeError):
    """One or more reports failed to build, or a build request was refused before anything ran."""


class WriteError(BuildError):
    """The build's files could not be written (a full disk, no permission): the build failed, the request
    was fine (``carejourneys`` exits 4, not 2)."""
