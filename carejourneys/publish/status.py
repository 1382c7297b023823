"""The status of a report, one definition for the build, the site index and the pages.

``ok``: built and checked now; ``reused``: its inputs had not changed, so the page checked by an
earlier build stands (a cache state: the build and its progress say it, the published index does
not); ``failed``: it did not build, or its page failed the output check (the page says so).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    REUSED = "reused"
    FAILED = "failed"

    @property
    def ok(self) -> bool:
        return self in OK_STATUSES

    @property
    def published(self) -> Status:
        """The status a reader sees: ``ok`` or ``failed`` (never a cache state)."""
        return Status.OK if self.ok else Status.FAILED


#: statuses of a report with a good page
OK_STATUSES = frozenset({Status.OK, Status.REUSED})


def status(value: str | Status) -> Status:
    """``value`` as a :class:`Status` (anything unknown, e.g. from a damaged record, is ``failed``)."""
    try:
        return Status(value)
    except ValueError:
        return Status.FAILED
