"""The fieldwork log (``fieldwork.csv``) and the people behind each interview and focus group.

Calibrated to the evaluation's published sample: interviews with 45 young people (20 in Brent,
25 in Plymouth), 97 with Care Journeys staff, council staff and stakeholders (46 Brent, 51
Plymouth), 13 with Barnardo's national staff (site ``national``), 4 staff focus groups (two per
site, 4-8 people each), 45 observations (21 Brent, 24 Plymouth; ``n_participants`` = people
observed) and a few document reviews. In Plymouth the last wave is the lightest (see
``_WAVE_P``). Every interview and focus group has a ``source_id`` that names its transcript
(``transcripts/<source_id>.txt``); observations and document reviews have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from carejourneys.inputs.schemas import WAVE_PERIODS
from carejourneys.inputs.synthetic._io import pick

SITE_PREFIX = {"brent": "BRE", "plymouth": "PLY", "national": "NAT"}

#: interviews per site and participant group
INTERVIEWS: dict[tuple[str, str], int] = {
    ("brent", "young_person"): 20,
    ("plymouth", "young_person"): 25,
    ("brent", "cj_staff"): 16,
    ("brent", "la_staff"): 19,
    ("brent", "stakeholder"): 11,
    ("plymouth", "cj_staff"): 18,
    ("plymouth", "la_staff"): 21,
    ("plymouth", "stakeholder"): 12,
    ("national", "barnardos_staff"): 13,
}
FOCUS_GROUPS = (("brent", "cj_staff"), ("brent", "la_staff"),
                ("plymouth", "cj_staff"), ("plymouth", "la_staff"))
OBSERVATIONS = {"brent": 21, "plymouth": 24}
DOCUMENT_REVIEWS = {"brent": 5, "plymouth": 6}

#: probabilities of the coded role of a staff member by participant group
_STAFF_ROLES = ("Staff member", "Manager", "Senior leader")
_ROLE_P = {"cj_staff": (0.5, 0.3, 0.2), "la_staff": (0.45, 0.33, 0.22), "barnardos_staff": (0.15, 0.45, 0.4)}
_SENIORITY_OF = {"Young person": "not_applicable", "Staff member": "practitioner", "Manager": "manager",
                 "Senior leader": "senior_leader"}
#: share of each group's interviews in waves 1, 2, 3, by site. In Plymouth the last wave is the
#: lightest: fieldwork there was hard to arrange in the programme's last eighteen months (strikes, staff
#: changes and the early end of funding), so its busiest wave is the second.
_WAVE_P = {("brent", "young_person"): (0.2, 0.35, 0.45), ("plymouth", "young_person"): (0.32, 0.46, 0.22)}
_WAVE_P_SITE = {"plymouth": (0.34, 0.44, 0.22)}
_WAVE_P_DEFAULT = (0.3, 0.33, 0.37)
#: share of observations in waves 1, 2, 3
_OBS_WAVE_P = {"plymouth": (0.36, 0.46, 0.18)}
_OBS_WAVE_P_DEFAULT = (0.25, 0.35, 0.4)


@dataclass(frozen=True)
class Person:
    """A pseudonymous speaker: id, coded role and seniority."""

    speaker_id: str
    role: str
    seniority: str


@dataclass
class Session:
    """One interview or focus group: what its transcript and coded segments are generated from."""

    source_id: str
    site: str
    method: str
    group: str
    date: date
    wave: int
    speakers: list[Person] = field(default_factory=list)


def _date_in_wave(rng: np.random.Generator, wave: int) -> date:
    start, end = (date.fromisoformat(d) for d in WAVE_PERIODS[wave])
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _staff_person(rng: np.random.Generator, site: str, group: str, n: int) -> Person:
    prefix = SITE_PREFIX[site]
    if group == "stakeholder":
        sen = pick(rng, ("practitioner", "manager", "senior_leader"), p=(0.35, 0.4, 0.25))
        return Person(f"{prefix}-SH-{n:03d}", "Stakeholder", sen)
    role = pick(rng, _STAFF_ROLES, p=_ROLE_P[group])
    return Person(f"{prefix}-ST-{n:03d}", role, _SENIORITY_OF[role])


def _assign_young_people(rng: np.random.Generator, sessions: list[Session], register: list[dict]) -> None:
    """Give each young person interviewed the id of someone in the register who had joined by then."""
    for site in ("brent", "plymouth"):
        people = sorted((r["first_contact"], r["young_person_id"]) for r in register if r["site"] == site)
        free = [pid for _, pid in people]
        joined = dict((pid, when) for when, pid in people)
        for s in sessions:
            if s.site != site or s.group != "young_person":
                continue
            eligible = [pid for pid in free if joined[pid] <= s.date - timedelta(days=14)]
            if eligible:
                pid = eligible[int(rng.integers(len(eligible)))]
            else:  # too early for anyone: interview the earliest joiner a little later instead
                pid = free[0]
                s.date = joined[pid] + timedelta(days=int(rng.integers(14, 45)))
            free.remove(pid)
            s.speakers = [Person(pid, "Young person", "not_applicable")]


def generate(rng: np.random.Generator, register: list[dict]) -> tuple[list[dict], list[Session]]:
    """Fieldwork rows (columns of ``fieldwork.csv``) and the interview/focus-group sessions.

    ``register`` is ``young_people.csv``'s rows: young people interviewed are people from it who
    had joined the programme at least two weeks before their interview.
    """
    sessions: list[Session] = []
    counters: dict[str, int] = {}
    staff_pool: dict[tuple[str, str], list[Person]] = {}

    def next_id(key: str) -> int:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]

    for (site, group), n in INTERVIEWS.items():
        waves = rng.choice([1, 2, 3], size=n,
                           p=_WAVE_P.get((site, group), _WAVE_P_SITE.get(site, _WAVE_P_DEFAULT)))
        for k in range(n):
            wave = int(waves[k])
            if group == "young_person":
                person = Person(f"{SITE_PREFIX[site]}-YP-{k + 1:03d}", "Young person", "not_applicable")
            else:
                pool = staff_pool.setdefault((site, group), [])
                # about a quarter of staff interviews revisit someone interviewed before
                if pool and rng.random() < 0.25:
                    person = pool[int(rng.integers(len(pool)))]
                else:
                    person = _staff_person(rng, site, group, next_id(f"{site}-person"))
                    pool.append(person)
            sessions.append(Session("", site, "interview", group, _date_in_wave(rng, wave), wave, [person]))
    for site, group in FOCUS_GROUPS:
        wave = int(rng.choice([2, 3])) if site != "plymouth" else 2
        size = int(rng.integers(4, 9))
        people = [_staff_person(rng, site, group, next_id(f"{site}-person")) for _ in range(size)]
        sessions.append(Session("", site, "focus_group", group, _date_in_wave(rng, wave), wave, people))

    sessions.sort(key=lambda s: (s.date, s.site, s.method, s.group, s.speakers[0].speaker_id))
    _assign_young_people(rng, sessions, register)
    sessions.sort(key=lambda s: (s.date, s.site, s.method, s.group, s.speakers[0].speaker_id))
    for s in sessions:
        kind = "FG" if s.method == "focus_group" else "I"
        s.source_id = f"{SITE_PREFIX[s.site]}-{kind}-{next_id(f'{s.site}-{kind}'):03d}"

    rows: list[dict] = [
        {"site": s.site, "method": s.method, "participant_group": s.group, "date": s.date, "wave": s.wave,
         "n_participants": len(s.speakers), "source_id": s.source_id}
        for s in sessions
    ]
    for site, n in OBSERVATIONS.items():
        for _ in range(n):
            wave = int(rng.choice([1, 2, 3], p=_OBS_WAVE_P.get(site, _OBS_WAVE_P_DEFAULT)))
            group = pick(rng, ("young_person", "cj_staff", "la_staff"), p=(0.5, 0.25, 0.25))
            people = int(rng.integers(4, 19)) if group == "young_person" else int(rng.integers(3, 13))
            rows.append({"site": site, "method": "observation", "participant_group": group,
                         "date": _date_in_wave(rng, wave), "wave": wave, "n_participants": people,
                         "source_id": None})
    for site, n in DOCUMENT_REVIEWS.items():
        for _ in range(n):
            wave = int(rng.choice([1, 2, 3]))
            rows.append({"site": site, "method": "document_review", "participant_group": "cj_staff",
                         "date": _date_in_wave(rng, wave), "wave": wave, "n_participants": 1,
                         "source_id": None})
    rows.sort(key=lambda r: (r["date"], r["site"], r["method"], r["participant_group"], r["source_id"] or ""))
    for i, r in enumerate(rows, start=1):
        r["event_id"] = f"FW{i:04d}"
    return rows, sessions
