"""Errors raised for bad input.

Every loader reports problems as :class:`DataError` naming the file, the row and the column.
Rows are counted as a person sees them in a spreadsheet: the header is row 1 and the first
record is row 2 (for sources without a header, such as XML, the row is ``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataProblem:
    """One problem in one place of one file."""

    path: str | None
    row: int | None
    column: str | None
    message: str

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
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.message = message
        first = DataProblem(self.path, row, column, message)
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
    """One or more reports failed to build."""
