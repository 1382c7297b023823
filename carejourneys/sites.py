"""The site registry: partnership sites the reports are built for.

``get(key)`` returns a :class:`Site`; an unknown key raises ``KeyError`` listing the valid ones.
A future partnership site is added with :func:`register`, or declared by the dataset that holds its
data: a ``sites:`` list in the dataset's ``manifest.yml``, one mapping per site with the fields of
:class:`Site` (:func:`from_dict`), which :func:`carejourneys.load_dataset` registers. Every code list
of the data contract follows the registry (:class:`carejourneys.inputs.schemas.SiteCodes`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from carejourneys.inputs import council_names

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

    def as_dict(self) -> dict[str, str]:
        """The site as a mapping of text (dates ISO), as a manifest's ``sites:`` list holds it."""
        return {k: v.isoformat() if isinstance(v, date) else str(v)
                for k, v in dataclasses.asdict(self).items()}


def from_dict(data: Any) -> Site:
    """A :class:`Site` from a mapping of its fields (dates as ``date`` or ISO text).

    Raises ``ValueError`` naming what is missing, unknown or not a date."""
    if not isinstance(data, dict):
        raise ValueError(f"a site is a mapping of {', '.join(FIELDS)}, not {type(data).__name__}")
    missing = [f for f in FIELDS if f not in data]
    unknown = [str(k) for k in data if k not in FIELDS]
    if missing or unknown:
        raise ValueError("site " + repr(data.get("key", "?")) + ": "
                         + "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                                     + ([f"unknown {', '.join(unknown)}"] if unknown else [])))
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = data[name]
        if name in _DATES:
            if not isinstance(value, date):
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    raise ValueError(f"site {data['key']!r}: {name} {value!r} is not a date such as "
                                     "2020-04-01") from None
        else:
            value = str(value).strip()
        values[name] = value
    if not (LA_CODE.match(values["la_old_code"]) and LA_CODE.match(values["la_new_code"])):
        raise ValueError(f"site {values['key']!r}: la_old_code and la_new_code must be local authority "
                         "codes such as 304 and E09000005")
    return Site(**values)


#: the fields of a site, as a manifest's ``sites:`` entries give them
FIELDS = tuple(f.name for f in dataclasses.fields(Site))
_DATES = ("programme_start", "programme_end")


_REGISTRY: dict[str, Site] = {}

#: the pseudo-site for reports that cover every site at once
ALL = "all"


def register(site: Site) -> Site:
    """Add ``site`` to the registry (the same site again is harmless); returns it.

    ``ValueError`` for a key that is not a lower-case identifier, is ``"all"`` or is a code of the
    data contract (``national``), or that names a registered site with other details."""
    if (site.key in (ALL, "national") or not site.key.isidentifier() or site.key != site.key.lower()):
        raise ValueError(f"invalid site key {site.key!r}: use a lower-case identifier other than "
                         f"{ALL!r} and 'national'")
    known = _REGISTRY.get(site.key)
    if known is not None and known != site:
        raise ValueError(f"site {site.key!r} is already registered with other details")
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
    return council_names.council_label(key)


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
