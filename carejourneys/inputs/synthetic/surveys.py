"""Survey sources: pre/post questionnaire, retrospective survey, PA survey, facilitator ratings.

- ``prepost_survey.csv``: 15 Plymouth young people from the register (pre at their first session
  of the activity, post 6-12 weeks later, both sessions in participation.csv), from
  three activities (Wellbeing Workshops 6, Friday Hub 5, Confidence Course 4). SWEMWBS items 1-5,
  UCLA-3 items 1-3 (higher = lonelier), ONS4 items 0-10 (``ons_4`` is anxiety: higher = worse).
  On average wellbeing improves modestly, with real spread: some people change little, some get
  worse. Four respondents have exactly one missing item (three SWEMWBS, one ONS) for proration.
- ``retrospective_survey.csv``: 11 young people (5 Brent, 6 Plymouth) rating each of
  ``schemas.RETRO_ITEMS`` before and now on 1-5.
- ``pa_survey.csv``: Brent only: 8 responses by Personal Advisers covering 15 young people; three
  ratings are "Don't know" and one is blank.
- ``facilitator_ratings.csv``: 9 Plymouth Wellbeing Workshops sessions rated by their facilitators.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from carejourneys.inputs.schemas import (
    ONS_ITEMS,
    PA_CHANGE_SCALE,
    PA_DOMAINS,
    PA_DONT_KNOW,
    RETRO_ITEMS,
    SWEMWBS_ITEMS,
    UCLA_ITEMS,
)
from carejourneys.inputs.synthetic._io import pick

PREPOST_ACTIVITIES = (("Wellbeing Workshops", 6, date(2022, 9, 12)), ("Friday Hub", 5, date(2023, 1, 13)),
                      ("Confidence Course", 4, date(2023, 5, 8)))
RETRO = (("brent", "Skills Academy", 3, date(2023, 7, 20)),
         ("brent", "Wellbeing Circle", 2, date(2023, 11, 9)),
         ("plymouth", "Friday Hub", 4, date(2023, 11, 24)),
         ("plymouth", "Wellbeing Workshops", 2, date(2023, 6, 19)))
PA_YOUNG_PEOPLE_PER_RESPONSE = (3, 2, 2, 2, 2, 2, 1, 1)  # 8 responses, 15 young people

_PA_COMMENTS = (
    "More settled since joining; turns up to appointments now.",
    "Has started a college course and talks about it a lot.",
    "Hard to say, we have only met twice this year.",
    "Friendships from the group seem to matter to them.",
    "Still struggling with housing, which affects everything else.",
    "Noticeably more confident on the phone and in meetings.",
    "Moved out of area, so contact has been limited.",
    "Keen to volunteer and asked about paid roles.",
)
_FACILITATOR_NOTES = (
    "Quiet start, lively by the end.", "Two new faces; both stayed for food.", "Good discussion on sleep.",
    "Group set its own ground rules.", "Low numbers because of exams.", "Lots of laughter in the art task.",
    "One person left early, followed up by phone.", "Asked for a session on money worries.",
    "Closing circle ran over time.",
)


def _clip(x: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, round(x))))


def _respondents(rng: np.random.Generator, attendance: list[dict], activity: str, start: date, n: int,
                 taken: set[str]) -> list[tuple[str, date]]:
    """``n`` Plymouth young people for ``activity``'s questionnaire, with the date of their pre.

    First those who attended it in its first four months (pre at their first session then), then,
    if too few, young people already in the register by ``start`` (pre in its first fortnight).
    """
    first: dict[str, date] = {}
    joined: dict[str, date] = {}
    for r in attendance:
        pid = r["young_person_id"]
        if r["site"] != "plymouth" or pid in taken:
            continue
        joined[pid] = min(r["date"], joined.get(pid, r["date"]))
        if r["activity"] == activity and start <= r["date"] <= start + timedelta(days=120):
            first[pid] = min(r["date"], first.get(pid, r["date"]))
    near = sorted(first)
    earlier = sorted(pid for pid, when in joined.items() if when <= start and pid not in first)
    chosen = [(near[int(i)], first[near[int(i)]]) for i in rng.permutation(len(near))[:n]]
    chosen += [(earlier[int(i)], start + timedelta(days=int(rng.integers(0, 14))))
               for i in rng.permutation(len(earlier))[: n - len(chosen)]]
    taken.update(pid for pid, _ in chosen)
    return chosen


def prepost(rng: np.random.Generator, attendance: list[dict]) -> list[dict]:
    """Pre/post rows; respondents are register young people who attended the activity.

    ``attendance`` (participation.csv rows) gains a row for each questionnaire completed at a
    session the register did not already hold, so the two sources agree.
    """
    rows: list[dict] = []
    taken: set[str] = set()
    ids = [who for activity, n, start in PREPOST_ACTIVITIES
           for who in _respondents(rng, attendance, activity, start, n, taken)]
    k = 0
    missing_people = set(int(i) for i in rng.choice(15, size=4, replace=False))
    missing_items = [*rng.choice(SWEMWBS_ITEMS, size=3, replace=True), pick(rng, ONS_ITEMS)]
    # people's average change per SWEMWBS item, spread from a little worse to clearly better
    changes = rng.permutation(np.linspace(-0.35, 0.95, 15))
    for activity, n, _start in PREPOST_ACTIVITIES:
        for _ in range(n):
            rid, first_session = ids[k]
            base = rng.normal(2.8, 0.5)  # person's SWEMWBS item level before
            change = changes[k] + rng.normal(0, 0.05)
            lonely = rng.normal(2.1, 0.4)
            lonely_change = rng.normal(-0.25, 0.35)
            sat = rng.normal(5.0, 1.5)
            sat_change = rng.normal(0.8, 1.2)
            pre_on = first_session
            post_on = pre_on + timedelta(days=int(rng.integers(42, 85)))
            for tp, when in (("pre", pre_on), ("post", post_on)):
                after = tp == "post"
                r: dict = {"respondent_id": rid, "site": "plymouth", "activity": activity, "timepoint": tp,
                           "completed_on": when}
                for item in SWEMWBS_ITEMS:
                    r[item] = _clip(base + after * change + rng.normal(0, 0.5), 1, 5)
                for item in UCLA_ITEMS:
                    r[item] = _clip(lonely + after * lonely_change + rng.normal(0, 0.4), 1, 3)
                for item in ONS_ITEMS:
                    if item == "ons_4":  # anxiety: higher is worse
                        r[item] = _clip(10 - sat - after * sat_change + rng.normal(0, 1.2), 0, 10)
                    else:
                        r[item] = _clip(sat + after * sat_change + rng.normal(0, 1.0), 0, 10)
                rows.append(r)
            if k in missing_people:
                j = sorted(missing_people).index(k)
                target = rows[-1] if rng.random() < 0.5 else rows[-2]
                target[str(missing_items[j])] = None
            k += 1
    held = {(r["young_person_id"], r["activity"], r["date"]) for r in attendance}
    for r in rows:
        key = (r["respondent_id"], r["activity"], r["completed_on"])
        if key not in held:
            held.add(key)
            attendance.append({"young_person_id": key[0], "site": "plymouth", "activity": key[1],
                               "date": key[2], "role": "participant"})
    attendance.sort(key=lambda a: (a["site"], a["date"], a["young_person_id"], a["activity"]))
    return rows


def retrospective(rng: np.random.Generator) -> list[dict]:
    rows: list[dict] = []
    n = 0
    for site, activity, count, when in RETRO:
        for _ in range(count):
            n += 1
            r: dict = {"respondent_id": f"RS{n:02d}", "site": site, "activity": activity,
                       "completed_on": when + timedelta(days=int(rng.integers(0, 3)))}
            for item in RETRO_ITEMS:
                before = _clip(rng.normal(2.4, 0.8), 1, 5)
                step = int(rng.choice([-1, 0, 1, 2], p=(0.07, 0.3, 0.43, 0.2)))
                r[f"{item}_before"] = before
                r[f"{item}_now"] = _clip(before + step, 1, 5)
            rows.append(r)
    return rows


def pa_survey(rng: np.random.Generator, people: list[dict]) -> list[dict]:
    """PA ratings of 15 Brent care leavers from the register (``people``: young_people.csv rows)."""
    rows: list[dict] = []
    leavers = sorted(r["young_person_id"] for r in people
                     if r["site"] == "brent" and r["care_status"] == "care_leaver")
    n = sum(PA_YOUNG_PEOPLE_PER_RESPONSE)
    refs = [leavers[int(i)] for i in rng.choice(len(leavers), size=n, replace=False)]
    p = (0.03, 0.07, 0.27, 0.42, 0.21)
    k = 0
    for i, n in enumerate(PA_YOUNG_PEOPLE_PER_RESPONSE, start=1):
        pa = f"PA{min(i, 7):02d}"  # seven advisers; the seventh answered twice
        when = date(2023, 10, 2) + timedelta(days=int(rng.integers(0, 40)))
        for _ in range(n):
            r: dict = {"response_id": f"PAR{i:02d}", "pa_id": pa,
                       "young_person_ref": refs[k], "site": "brent",
                       "completed_on": when}
            for d in PA_DOMAINS:
                r[f"change_{d}"] = pick(rng, PA_CHANGE_SCALE, p=p)
            r["comment"] = pick(rng, _PA_COMMENTS) if rng.random() < 0.7 else None
            rows.append(r)
            k += 1
    # a few ratings the adviser could not give: three "Don't know" and one left blank
    cells = rng.choice(len(rows) * len(PA_DOMAINS), size=4, replace=False)
    for j, c in enumerate(int(c) for c in cells):
        row, domain = divmod(c, len(PA_DOMAINS))
        rows[row][f"change_{PA_DOMAINS[domain]}"] = PA_DONT_KNOW if j < 3 else None
    return rows


def facilitator_ratings(rng: np.random.Generator) -> list[dict]:
    """Nine Plymouth Wellbeing Workshops sessions, autumn 2022 to spring 2023."""
    rows: list[dict] = []
    when = date(2022, 9, 12)
    for i in range(9):
        rows.append({"session_id": f"WW{i + 1:02d}", "site": "plymouth", "activity": "Wellbeing Workshops",
                     "session_date": when, "facilitator_id": "FAC1" if i % 3 else "FAC2",
                     "attendees": int(rng.integers(4, 13)), "engagement": _clip(rng.normal(4.0, 0.7), 1, 5),
                     "wellbeing": _clip(rng.normal(3.6, 0.8), 1, 5), "note": _FACILITATOR_NOTES[i]})
        when += timedelta(days=int(rng.choice([14, 21, 28])))
    return rows
