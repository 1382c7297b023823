"""The site registry: partnership sites the reports are built for.

``get(key)`` returns a :class:`Site`; an unknown key raises ``KeyError`` listing the valid ones.
A future partnership site is added with :func:`register`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: a local authority code, accepted where a site is: old 3-digit or new 9-character form
LA_CODE = re.compile(r"^(?:\d{3}|E\d{8})$")


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    la_old_code: str
    la_new_code: str
    region: str
    partner: str
    programme: str
    programme_start: date
    programme_end: date

    @property
    def label(self) -> str:
        return f"{self.name} ({self.programme})"


_REGISTRY: dict[str, Site] = {}

#: the pseudo-site for reports that cover every site at once
ALL = "all"


def register(site: Site) -> Site:
    if site.key == ALL or not site.key.isidentifier() or site.key != site.key.lower():
        raise ValueError(f"invalid site key {site.key!r}: use a lower-case identifier other than {ALL!r}")
    _REGISTRY[site.key] = site
    return site


def get(key: str) -> Site:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown site {key!r}; valid sites: {', '.join(keys())}") from None


def keys() -> list[str]:
    return list(_REGISTRY)


def label(key: str) -> str:
    """How pages name a build target: a site's name, "All sites", or a council by its name and
    code from the official extract ("Birmingham (330)"; "Local authority <code>" when the
    extract does not know the code; :mod:`carejourneys.inputs.council_names`)."""
    if key == ALL:
        return "All sites"
    if key in _REGISTRY:
        return _REGISTRY[key].name
    from carejourneys.inputs.council_names import council_label

    return council_label(key)


def all_sites() -> list[Site]:
    return list(_REGISTRY.values())


register(
    Site(
        key="brent",
        name="Brent",
        la_old_code="304",
        la_new_code="E09000005",
        region="Outer London",
        partner="Barnardo's",
        programme="Brent Care Journeys",
        programme_start=date(2019, 4, 1),
        programme_end=date(2024, 3, 31),
    )
)
register(
    Site(
        key="plymouth",
        name="Plymouth",
        la_old_code="879",
        la_new_code="E06000026",
        region="South West",
        partner="Barnardo's",
        programme="Plymouth Care Journeys",
        programme_start=date(2019, 4, 1),
        programme_end=date(2024, 4, 30),
    )
)
