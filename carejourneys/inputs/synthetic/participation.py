"""Participation register (``participation.csv``, ``young_people.csv``) and council populations.

Young people join over 2019-2024, more of them each year as the programme grows (in Plymouth few
join during the hiatus of ``programme.HIATUS``, when only the Friday Hub and workers' own support
carried on, and none after ``INTAKE_CLOSED``: no new young people in the last eighteen months), and
attend activities of the participation, wellbeing, employment and relationships kinds while those
run, some also joining activities that start while they are involved. Lifelong Links had a handful
of sessions only (minimal referrals). Attendance stops when the programme ends (Brent March 2024,
Plymouth April 2024). Roles:
mostly participants, some become co-designers after a few sessions, a few volunteers and paid
roles (aged 18 or over).

``population.csv`` gives each council's looked-after children aged 16-17 and care leavers aged
16-25 in 2022 by age band, gender and ethnic group: plausible, fictional numbers, restricted to the
programme's age range so that they compare with the register.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from carejourneys.inputs.schemas import AGE_BANDS, ETHNICITY_GROUPS, GENDERS
from carejourneys.inputs.synthetic._io import pick
from carejourneys.inputs.synthetic.fieldwork import SITE_PREFIX
from carejourneys.inputs.synthetic.programme import ACTIVITIES, HIATUS
from carejourneys.sites import get as get_site

N_YOUNG_PEOPLE = {"brent": 130, "plymouth": 160}
#: joining dates are span * U ** GROWTH_EXPONENT: below 1, more young people join in later years
GROWTH_EXPONENT = 0.5
ETHNICITY_P = {"brent": (0.22, 0.14, 0.16, 0.38, 0.07, 0.03),
               "plymouth": (0.82, 0.08, 0.03, 0.03, 0.02, 0.02)}
GENDER_P = (0.47, 0.46, 0.04, 0.03)
AGE_P = (0.3, 0.5, 0.2)
_REGISTER_KINDS = {"participation", "wellbeing", "employment", "relationships"}
_NOT_ATTENDED = {"Journey Bags", "Care-experienced project assistant"}  # given or a job, not attended
#: ran through the hiatus (less busy): the regular drop-in and the workers' own support for young people
_CARRIED_ON = {"Friday Hub", "One-to-one and group work", "Positive Connectors"}
#: referrals were minimal: a handful of young people, one or two sessions each (see ``_few_referrals``)
_FEW_REFERRALS = {"plymouth": ("Lifelong Links", 4)}
#: from this date no new young people were taken on, so as not to raise hopes before the end
INTAKE_CLOSED = {"plymouth": date(2022, 11, 1)}
#: chance that a young person also joins an activity that starts while they are involved
_LATER_P = {"brent": 0.25, "plymouth": 0.6}
#: mean days a young person stays with an activity (exponential); workers' own support lasts longer
_STAY_DAYS = {"One-to-one and group work": 600}
_STAY_DEFAULT = 260

POPULATION = {
    # care_status: (total, age band shares)
    "brent": {"looked_after": (112, (1.0, 0.0, 0.0)), "care_leaver": (455, (0.08, 0.55, 0.37))},
    "plymouth": {"looked_after": (128, (1.0, 0.0, 0.0)), "care_leaver": (342, (0.09, 0.56, 0.35))},
}
_POP_GENDER_P = {"looked_after": (0.42, 0.56, 0.01, 0.01), "care_leaver": (0.4, 0.58, 0.01, 0.01)}


def _programme_window(site: str) -> tuple[date, date]:
    s = get_site(site)
    return s.programme_start, s.programme_end


def _few(site: str) -> str | None:
    return _FEW_REFERRALS[site][0] if site in _FEW_REFERRALS else None


def _starting(site: str, after: date, before: date, end_cap: date) -> list[tuple[str, date, date]]:
    """Register activities of ``site`` that start after ``after`` and before ``before``."""
    return [(name, st, en) for name, st, en in
            (_activity_span(a, end_cap) for a in ACTIVITIES if a[0] == site)
            if after < st < before and name is not None]


def _activity_span(a: tuple, end_cap: date) -> tuple[str | None, date, date]:
    s, _aid, name, kind, start, end, _status, _desc = a
    st = date.fromisoformat(start)
    en = min(date.fromisoformat(end), end_cap) if end else end_cap
    ok = kind in _REGISTER_KINDS and name not in _NOT_ATTENDED and name != _few(s)
    return (name if ok else None), st, en


def _running(site: str, when: date, end_cap: date) -> list[tuple[str, date, date]]:
    out = []
    for s, _aid, name, kind, start, end, _status, _desc in ACTIVITIES:
        if s != site or kind not in _REGISTER_KINDS or name in _NOT_ATTENDED or name == _few(site):
            continue
        st = date.fromisoformat(start)
        en = min(date.fromisoformat(end), end_cap) if end else end_cap
        if st <= when < en - timedelta(days=14):
            out.append((name, st, en))
    return out


def register(rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
    """Rows of ``young_people.csv`` and of ``participation.csv``."""
    people: list[dict] = []
    attendance: list[dict] = []
    for site, n in N_YOUNG_PEOPLE.items():
        start, end = _programme_window(site)
        last_join = INTAKE_CLOSED.get(site, end - timedelta(days=60))
        span = (last_join - start).days - 60
        # joining dates weighted towards the later years (growth), few during a hiatus, none once the
        # intake closed, then sorted
        hiatus = HIATUS.get(site)
        accepted: list[int] = []
        while len(accepted) < n:
            offset = int(span * rng.random() ** GROWTH_EXPONENT)
            joined = start + timedelta(days=offset + 60)
            if hiatus and hiatus[0] <= joined <= hiatus[1] and rng.random() < 0.85:
                continue
            accepted.append(offset)
        offsets = np.sort(np.array(accepted))
        for k in range(n):
            first = start + timedelta(days=int(offsets[k]) + 60)
            options = _running(site, first, end)
            while not options:
                first += timedelta(days=7)
                options = _running(site, first, end)
            age = pick(rng, AGE_BANDS, p=AGE_P)
            looked_after = age == "16-17" and rng.random() < 0.8
            pid = f"{SITE_PREFIX[site]}-YP-{k + 1:03d}"
            people.append({"young_person_id": pid, "site": site, "age_band": age,
                           "gender": pick(rng, GENDERS, p=GENDER_P),
                           "ethnicity_group": pick(rng, ETHNICITY_GROUPS, p=ETHNICITY_P[site]),
                           "care_status": "looked_after" if looked_after else "care_leaver",
                           "first_contact": first})
            role = pick(rng, ("participant", "co-designer", "volunteer", "paid"),
                        p=(0.72, 0.16, 0.08, 0.04) if age != "16-17" else (0.82, 0.18, 0.0, 0.0))
            n_activities = 1 if rng.random() < 0.65 else 2
            chosen = rng.choice(len(options), size=min(n_activities, len(options)), replace=False)
            spells = [(options[int(j)], first) for j in sorted(int(c) for c in chosen)]
            # some also join something new that starts while they are involved
            later = _starting(site, first, first + timedelta(days=450), end)
            if later and rng.random() < _LATER_P[site]:
                pickd = later[int(rng.integers(len(later)))]
                spells.append((pickd, pickd[1]))
            for (name, _st, act_end), begin in spells:
                stay = int(rng.exponential(_STAY_DAYS.get(name, _STAY_DEFAULT))) + 1
                last = min(act_end, begin + timedelta(days=stay))
                sessions = 1 + int(rng.geometric(0.12)) if rng.random() < 0.85 else 1
                days = np.sort(rng.integers(0, max(1, (last - begin).days), size=sessions))
                if begin == first:
                    days[0] = 0  # a young person's first session is the day they first came
                for i, d in enumerate(days):
                    when = begin + timedelta(days=int(d))
                    if hiatus and hiatus[0] <= when <= hiatus[1] and (
                            name not in _CARRIED_ON or rng.random() < 0.6):
                        continue  # work on hold; only regular support carried on, and less busy
                    attendance.append({"young_person_id": pid, "site": site, "activity": name, "date": when,
                                       "role": role if (role == "paid" or i >= 2) else "participant"})
        attendance += _few_referrals(rng, site, people)
    attendance.sort(key=lambda r: (r["site"], r["date"], r["young_person_id"], r["activity"]))
    return people, attendance


def _few_referrals(rng: np.random.Generator, site: str, people: list[dict]) -> list[dict]:
    """A handful of sessions of the site's minimal-referral activity (none when there is none)."""
    if site not in _FEW_REFERRALS:
        return []
    name, k = _FEW_REFERRALS[site]
    span = next(_activity_span(a, get_site(site).programme_end)[1:] for a in ACTIVITIES
                if a[0] == site and a[2] == name)
    eligible = sorted(r["young_person_id"] for r in people
                      if r["site"] == site and r["first_contact"] < span[0])
    rows = []
    for i in sorted(int(j) for j in rng.choice(len(eligible), size=k, replace=False)):
        for _ in range(1 + int(rng.random() < 0.4)):
            when = span[0] + timedelta(days=int(rng.integers(14, max(15, (span[1] - span[0]).days))))
            rows.append({"young_person_id": eligible[i], "site": site, "activity": name, "date": when,
                         "role": "participant"})
    return rows


def _split(rng: np.random.Generator, total: int, p: tuple[float, ...]) -> list[int]:
    return [int(x) for x in rng.multinomial(total, np.array(p) / sum(p))]


def population(rng: np.random.Generator, year: int = 2022) -> list[dict]:
    rows: list[dict] = []
    for site, statuses in POPULATION.items():
        for status, (total, age_p) in statuses.items():
            breakdowns = {"age_band": (AGE_BANDS, _split(rng, total, age_p)),
                          "gender": (GENDERS, _split(rng, total, _POP_GENDER_P[status])),
                          "ethnicity_group": (ETHNICITY_GROUPS, _split(rng, total, ETHNICITY_P[site]))}
            for characteristic, (cats, counts) in breakdowns.items():
                for cat, count in zip(cats, counts, strict=True):
                    rows.append({"site": site, "year": year, "care_status": status,
                                 "characteristic": characteristic, "category": cat, "count": count})
    return rows
