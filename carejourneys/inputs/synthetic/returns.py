"""Care leaver returns (SSDA903 OC3) and Bright Spots indicators.

``<site>/oc3_<year>.csv`` for each year of ``schemas.OC3_YEARS``: the real OC3 layout (header
``CHILD,DOB,IN_TOUCH,ACTIV,ACCOM``, DOB as ``dd/mm/yyyy``), one row per care leaver whose 17th to
21st birthday falls in the collection year (1 April to 31 March). The same young people carry the
same CHILD id from year to year. Rates are near the council's published figures (2021-2023):
about three quarters of Brent's 17-18 year olds and a little over half of its 19-21 year olds in
education, employment or training; in Plymouth a little over half and under half; roughly 9 in 10
in suitable accommodation; about 9 in 10 in touch.

Codes follow the DfE rules: IN_TOUCH ``DIED`` or ``RHOM`` -> ACTIV and ACCOM ``0``; ``YES`` -> neither
is ``0``; not in touch (``NO``, ``REFU``, ``NREQ``) -> activity and accommodation not known, written
``0``; no legacy F3/P3 codes.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from carejourneys.inputs.manifest import atomic_write_bytes
from carejourneys.inputs.schemas import OC3_COLUMNS, OC3_YEARS

#: per site: young people in each birth cohort counted at 19-21, and at 17-18
COHORT = {"brent": (82, 46), "plymouth": (68, 41)}
#: chance of each IN_TOUCH code, by age group (not in touch = activity and accommodation not known)
IN_TOUCH_P = {
    "17-18": {"YES": 0.95, "NO": 0.02, "REFU": 0.01, "NREQ": 0.005, "RHOM": 0.013, "DIED": 0.002},
    "19-21": {"YES": 0.9, "NO": 0.04, "REFU": 0.025, "NREQ": 0.015, "RHOM": 0.017, "DIED": 0.003},
}
#: share of all care leavers in education, employment or training, by site, collection year and age
#: group: the council's published rates (DfE, rounded), which the returns aim at
EET_TARGET = {
    ("brent", 2021): {"17-18": 0.75, "19-21": 0.54}, ("brent", 2022): {"17-18": 0.75, "19-21": 0.56},
    ("brent", 2023): {"17-18": 0.70, "19-21": 0.54},
    ("plymouth", 2022): {"17-18": 0.67, "19-21": 0.49}, ("plymouth", 2023): {"17-18": 0.56, "19-21": 0.47},
}
EET_SPLIT = {
    "17-18": {"F2": 0.62, "P2": 0.12, "F1": 0.02, "F4": 0.04, "P4": 0.02, "F5": 0.09, "P5": 0.09},
    ("brent", "19-21"): {"F1": 0.17, "P1": 0.02, "F2": 0.33, "P2": 0.08, "F4": 0.02, "P4": 0.01, "F5": 0.18,
                         "P5": 0.19},
    ("plymouth", "19-21"): {"F1": 0.06, "P1": 0.01, "F2": 0.22, "P2": 0.07, "F4": 0.03, "P4": 0.02,
                            "F5": 0.29, "P5": 0.3},
}
NEET_SPLIT = {"brent": {"G4": 0.12, "G5": 0.75, "G6": 0.13}, "plymouth": {"G4": 0.3, "G5": 0.58, "G6": 0.12}}


def activ_p(site: str, year: int, group: str) -> dict[str, float]:
    """Probability of each ACTIV code for a care leaver in touch."""
    eet = EET_TARGET[(site, year)][group] / IN_TOUCH_P[group]["YES"]
    split = EET_SPLIT["17-18"] if group == "17-18" else EET_SPLIT[(site, group)]
    out = {k: eet * v / sum(split.values()) for k, v in split.items()}
    out.update({k: (1 - eet) * v / sum(NEET_SPLIT[site].values()) for k, v in NEET_SPLIT[site].items()})
    return out


SUITABLE_P = 0.96
_SUITABLE_LETTERS = {"U": 0.36, "D": 0.16, "E": 0.09, "B": 0.1, "Z": 0.11, "T": 0.05, "K": 0.05, "Y": 0.05,
                     "C": 0.01, "G": 0.01, "R": 0.01}
_UNSUITABLE_LETTERS = {"S": 0.2, "W": 0.15, "V": 0.2, "X": 0.2, "B": 0.1, "U": 0.1, "R": 0.05}


def _draw(rng: np.random.Generator, probs: dict[str, float]) -> str:
    keys = list(probs)
    p = np.array([probs[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _pool(rng: np.random.Generator, site: str) -> list[tuple[str, date, bool]]:
    """Care leavers of every birth cohort needed: (CHILD, DOB, counted at 17-18)."""
    years = OC3_YEARS[site]
    n19, n17 = COHORT[site]
    people = []
    n_ids = (n19 + 10) * (max(years) - min(years) + 5)
    ids = rng.choice(np.arange(100000, 999999), size=n_ids, replace=False)
    k = 0
    # a cohort is everyone born 1 April (c-1) to 31 March c: aged Y-c at their birthday in year Y
    for c in range(min(years) - 21, max(years) - 17 + 1):
        size = int(rng.integers(n19 - 6, n19 + 7))
        start = date(c - 1, 4, 1)
        for i in range(size):
            dob = start + timedelta(days=int(rng.integers(0, 365)))
            people.append((str(int(ids[k])), dob, i < n17 + int(rng.integers(-4, 5))))
            k += 1
    return people


def _quota(rng: np.random.Generator, probs: dict[str, float], n: int) -> list[str]:
    """``n`` codes in proportions ``probs`` (largest-remainder rounding), in random order.

    Quotas rather than independent draws keep each return's rates close to their targets.
    """
    keys = list(probs)
    p = np.array([probs[k] for k in keys]) / sum(probs.values())
    counts = np.floor(p * n).astype(int)
    remainder = p * n - counts
    for i in np.argsort(-remainder, kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    codes = [k for k, c in zip(keys, counts, strict=True) for _ in range(int(c))]
    return [codes[int(i)] for i in rng.permutation(n)]


def oc3_rows(rng: np.random.Generator, site: str, year: int, pool) -> list[dict]:
    """The care leavers of ``pool`` counted in ``year``'s return, with their codes."""
    people: dict[str, list[tuple[str, date]]] = {"17-18": [], "19-21": []}
    for child, dob, young_counted in pool:
        c = dob.year + 1 if dob.month >= 4 else dob.year
        age = year - c
        if not 17 <= age <= 21 or (age <= 18 and not young_counted) or rng.random() < 0.03:
            continue
        people["17-18" if age <= 18 else "19-21"].append((child, dob))
    rows = []
    for group, members in people.items():
        in_touch = _quota(rng, IN_TOUCH_P[group], len(members))
        n_yes = in_touch.count("YES")
        activ = iter(_quota(rng, activ_p(site, year, group), n_yes))
        suitable = iter(_quota(rng, {"1": SUITABLE_P, "2": 1 - SUITABLE_P}, n_yes))
        for (child, dob), touch in zip(members, in_touch, strict=True):
            if touch == "YES":
                s = next(suitable)
                letter = _draw(rng, _SUITABLE_LETTERS if s == "1" else _UNSUITABLE_LETTERS)
                codes = (next(activ), f"{letter}{s}")
            else:
                codes = ("0", "0")
            rows.append({"CHILD": child, "DOB": dob.strftime("%d/%m/%Y"), "IN_TOUCH": touch,
                         "ACTIV": codes[0], "ACCOM": codes[1]})
    rows.sort(key=lambda r: int(r["CHILD"]))
    return rows


def write_oc3(rng: np.random.Generator, out_dir: Path) -> list[Path]:
    paths = []
    for site, years in OC3_YEARS.items():
        pool = _pool(rng, site)
        for year in years:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(OC3_COLUMNS)
            for r in oc3_rows(rng, site, year, pool):
                w.writerow([r[c] for c in OC3_COLUMNS])
            path = out_dir / site / f"oc3_{year}.csv"
            atomic_write_bytes(path, buf.getvalue().encode("utf-8"))
            paths.append(path)
    return paths


BRIGHT_SPOTS_YEAR = {"brent": 2021, "plymouth": 2022}
BRIGHT_SPOTS_RESPONDENTS = {"brent": 58, "plymouth": 47}
# indicator: national comparator percent, site offset (brent, plymouth)
BRIGHT_SPOTS = {
    "Feel settled where they live": (77.0, (-3, 2)),
    "Have a trusted adult in their life": (88.0, (1, 3)),
    "Have a really good friend": (84.0, (-4, 1)),
    "Feel safe where they live all or most of the time": (85.0, (-2, -1)),
    "High life satisfaction": (48.0, (-5, -2)),
    "Felt happy yesterday": (52.0, (-3, 1)),
    "Feel the things they do are worthwhile": (60.0, (2, 4)),
    "Low anxiety yesterday": (41.0, (-2, -6)),
    "Feel lonely often or always": (22.0, (3, 5)),
    "Know who to contact for leaving care support": (91.0, (2, 4)),
}


def bright_spots(rng: np.random.Generator) -> list[dict]:
    rows = []
    for s_index, site in enumerate(("brent", "plymouth")):
        base = BRIGHT_SPOTS_RESPONDENTS[site]
        for indicator, (national, offsets) in BRIGHT_SPOTS.items():
            n = base - int(rng.integers(0, 4))
            pct = round(min(100.0, max(0.0, national + offsets[s_index] + rng.normal(0, 1.5))))
            count = round(pct / 100 * n)
            rows.append({"site": site, "survey_year": BRIGHT_SPOTS_YEAR[site], "indicator": indicator,
                         "respondents": n, "percent": 100.0 * count / n, "comparator": "national",
                         "comparator_percent": national})
    return rows
