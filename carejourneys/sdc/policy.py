"""The disclosure policy: one file (``sdc/policy.yml`` or ``$CAREJOURNEYS_POLICY``), read once per report.

    policy = load()                   # the file's values
    policy = load(threshold=7)        # a report's disclosure_threshold overrides the file's
    policy.describe()                 # the policy in plain words, for the foot of every page
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path

import yaml

from carejourneys import config
from carejourneys.errors import DataError

KEYS = ("threshold", "show_zeros", "rounding", "withhold_row_statistics")


@dataclass(frozen=True)
class Policy:
    """What may be shown. ``lower_bound`` is what a reader knows a withheld cell to be at least."""

    threshold: int = 5
    show_zeros: bool = True
    rounding: int | None = None
    withhold_row_statistics: bool = True

    @property
    def lower_bound(self) -> int:
        return 1 if self.show_zeros else 0

    def describe(self) -> str:
        """The policy in words, as every page states it."""
        parts = [f"Counts of fewer than {self.threshold} people are withheld and shown as c; other cells "
                 "are withheld too where a withheld count could otherwise be worked out, across every "
                 "page and every site of this publication."]
        parts.append("Zeros are shown." if self.show_zeros else "Zeros are withheld as well.")
        if self.rounding:
            parts.append(f"Counts shown are rounded to the nearest {self.rounding}.")
        if self.withhold_row_statistics:
            parts.append("Percentages, averages, tests and intervals are not shown where their counts are "
                         f"withheld or where they rest on fewer than {self.threshold} people.")
        return " ".join(parts)


def _whole(value: object, name: str, path: Path, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise DataError(f"{name} must be a whole number of at least {minimum}, not {value!r}", path=path,
                        column=name)
    return int(value)


def load(path: str | Path | None = None, *, threshold: int | None = None) -> Policy:
    """The policy in ``path`` (default :func:`carejourneys.config.policy_file`), with ``threshold``
    (a report's ``disclosure_threshold``) taking the place of the file's when given."""
    p = config.policy_file(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise DataError(f"cannot read the disclosure policy ({e.strerror})", path=p) from None
    except yaml.YAMLError as e:
        raise DataError(f"the disclosure policy is not valid YAML ({e})", path=p) from None
    if not isinstance(raw, dict):
        raise DataError("the disclosure policy must be a mapping of settings", path=p)
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise DataError(f"unknown settings {unknown}; known: {', '.join(KEYS)}", path=p)
    file_threshold = _whole(raw.get("threshold", 5), "threshold", p, 1)
    rounding = raw.get("rounding")
    if rounding is not None:
        rounding = _whole(rounding, "rounding", p, 2)
    chosen = file_threshold if threshold is None else _whole(threshold, "disclosure_threshold", p, 1)
    return Policy(threshold=chosen, show_zeros=bool(raw.get("show_zeros", True)), rounding=rounding,
                  withhold_row_statistics=bool(raw.get("withhold_row_statistics", True)))
