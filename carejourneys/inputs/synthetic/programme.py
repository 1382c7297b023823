"""Programme records: activities, milestones, systems changes, meetings, rubric and learning points.

They follow the digests' timelines. Planted patterns that analyses should find:

- Plymouth's Lifelong Links: proposed (agreed) in May 2021, planned to launch in October 2021,
  worker appointed in July 2023, launched in September 2023: about two years from proposal to a
  worker in post.
- Plymouth's Journey Bags: 200 bags packed by April 2023, all in use by April 2024.
- Plymouth's Friday Hub runs from February 2020 until December 2023.
- Programme end: April 2024 in Plymouth, March 2024 in Brent.
- Plymouth's partnership board does not meet between 28 June 2022 and 27 March 2023 (about nine
  months); otherwise boards meet every six to eight weeks.
- While Lifelong Links was negotiated, other Plymouth work was put on hold for over a year: Social
  Action Projects and Peer Mentoring were paused in summer 2021 and no new work started until
  autumn 2022 (``HIATUS``: July 2021 to August 2022; the participation register dips in that
  period, only the Friday Hub carries on).
- Some milestones were never reached (empty ``actual_date``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from carejourneys.sites import get as get_site

D = date.fromisoformat

# site, activity_id, name, kind, start, end, status
ACTIVITIES: tuple[tuple[str, str, str, str, str, str | None, str], ...] = (
    ("brent", "BRE-A01", "Youth Voice Panel", "participation", "2019-07-01", "2024-03-31", "completed"),
    ("brent", "BRE-A02", "Mentoring Scheme", "relationships", "2020-01-15", "2024-03-31", "completed"),
    ("brent", "BRE-A03", "Digital Inclusion Project", "participation", "2020-02-03", None, "paused"),
    ("brent", "BRE-A04", "Relational Practice Training", "practice", "2020-06-01", "2022-12-16", "completed"),
    ("brent", "BRE-A05", "Skills Academy", "employment", "2020-09-01", "2024-03-31", "completed"),
    ("brent", "BRE-A06", "Housing Pathway Redesign", "systems", "2021-03-01", "2023-03-31", "completed"),
    ("brent", "BRE-A07", "Wellbeing Circle", "wellbeing", "2021-05-04", "2024-02-29", "completed"),
    ("brent", "BRE-A08", "Summer Programme", "participation", "2021-07-19", "2023-08-31", "completed"),
    ("plymouth", "PLY-A01", "Young Inspectors", "participation", "2019-09-02", "2020-03-20", "stopped"),
    ("plymouth", "PLY-A02", "Friday Hub", "participation", "2020-02-07", "2023-12-15", "completed"),
    ("plymouth", "PLY-A03", "Social Action Projects", "participation", "2020-09-07", "2021-06-30", "paused"),
    ("plymouth", "PLY-A04", "Practice Learning Lab", "practice", "2020-10-01", "2022-03-31", "completed"),
    ("plymouth", "PLY-A05", "Care Leaver Offer Review", "systems", "2021-01-11", "2022-07-29", "completed"),
    ("plymouth", "PLY-A06", "Peer Mentoring", "relationships", "2021-01-18", "2021-07-16", "paused"),
    ("plymouth", "PLY-A07", "Care Leaver Apprenticeships", "employment", "2021-04-06", "2024-03-29",
     "completed"),
    ("plymouth", "PLY-A08", "Journey Bags", "relationships", "2022-06-01", "2024-04-30", "completed"),
    ("plymouth", "PLY-A09", "Wellbeing Workshops", "wellbeing", "2022-09-12", "2023-06-30", "completed"),
    ("plymouth", "PLY-A10", "Confidence Course", "wellbeing", "2023-05-08", "2023-11-30", "completed"),
    ("plymouth", "PLY-A11", "Lifelong Links", "relationships", "2023-09-04", None, "running"),
)

# site, initiative, milestone, planned_date, actual_date (None: not reached)
MILESTONES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("plymouth", "Lifelong Links", "Proposal agreed by partnership board", "2021-03-31", "2021-05-20"),
    ("plymouth", "Lifelong Links", "Worker appointed", "2021-09-01", "2023-07-10"),
    ("plymouth", "Lifelong Links", "Service launched", "2021-10-01", "2023-09-04"),
    ("plymouth", "Lifelong Links", "First young people linked with family", "2022-01-31", "2023-11-20"),
    ("plymouth", "Journey Bags", "Bag contents co-designed", "2022-06-30", "2022-07-15"),
    ("plymouth", "Journey Bags", "200 bags packed", "2023-03-31", "2023-04-14"),
    ("plymouth", "Journey Bags", "All 200 bags in use", "2023-12-31", "2024-04-10"),
    ("plymouth", "Friday Hub", "Hub opened", "2020-02-01", "2020-02-07"),
    ("plymouth", "Friday Hub", "Hub closed", "2023-12-31", "2023-12-15"),
    ("plymouth", "Care Leaver Offer Review", "Revised offer published", "2022-04-01", "2022-07-29"),
    ("plymouth", "Care Leaver Apprenticeships", "Ten apprenticeships ring-fenced", "2022-03-31", None),
    ("plymouth", "Programme", "Exit plan agreed", "2023-06-30", "2023-11-30"),
    ("plymouth", "Programme", "Programme ended", "2024-04-30", "2024-04-30"),
    ("plymouth", "Programme", "Legacy funding secured", "2024-01-31", None),
    ("brent", "Youth Voice Panel", "Panel launched", "2019-07-01", "2019-07-01"),
    ("brent", "Youth Voice Panel", "Young people join partnership board", "2020-04-01", "2020-10-14"),
    ("brent", "Skills Academy", "Academy launched", "2020-04-01", "2020-09-01"),
    ("brent", "Skills Academy", "Fifty young people completed", "2022-03-31", "2022-11-30"),
    ("brent", "Mentoring Scheme", "Thirty mentors trained", "2021-03-31", "2021-06-30"),
    ("brent", "Mentoring Scheme", "Paid peer mentor roles created", "2022-09-01", None),
    ("brent", "Housing Pathway Redesign", "Review started", "2021-03-01", "2021-03-01"),
    ("brent", "Housing Pathway Redesign", "New pathway agreed", "2022-01-31", "2023-03-31"),
    ("brent", "Programme", "Exit plan agreed", "2023-06-30", "2023-09-15"),
    ("brent", "Programme", "Programme ended", "2024-03-31", "2024-03-31"),
    ("brent", "Programme", "Legacy funding secured", "2024-01-31", None),
)

# site, change_id, description, level, kind, [(status, date)], evidence
SYSTEMS_CHANGES = (
    ("plymouth", "PLY-SC01", "Council tax exemption for care leavers extended to age 25", "local", "policy",
     (("proposed", "2020-11-10"), ("adopted", "2021-04-01"), ("embedded", "2022-04-01")),
     "Cabinet decision; board minutes"),
    ("plymouth", "PLY-SC02", "Care leaver offer rewritten with young people", "local", "policy",
     (("proposed", "2021-01-11"), ("adopted", "2022-07-29")), "Published offer; wave 2 interviews"),
    ("plymouth", "PLY-SC03", "Lifelong Links family-finding offered to young people in care", "local",
     "service",
     (("proposed", "2021-05-20"), ("adopted", "2023-07-10")), "Board minutes; recruitment record"),
    ("plymouth", "PLY-SC04", "Relationship questions added to pathway plans", "local", "practice",
     (("influenced", "2021-09-15"), ("proposed", "2022-03-01"), ("adopted", "2022-11-07")),
     "Practice guidance; practice lab notes"),
    ("plymouth", "PLY-SC05", "A Journey Bag for every young person moving home", "local", "practice",
     (("proposed", "2022-06-01"), ("adopted", "2023-04-14"), ("embedded", "2024-04-10")), "Project log"),
    ("plymouth", "PLY-SC06", "Evidence submitted to a national review of children's social care", "national",
     "policy", (("influenced", "2022-08-12"),), None),
    ("plymouth", "PLY-SC07", "Young people sit on staff interview panels", "local", "practice",
     (("adopted", "2021-03-08"), ("embedded", "2023-01-16")), "HR guidance"),
    ("brent", "BRE-SC01", "Housing pathway for care leavers redesigned", "local", "service",
     (("proposed", "2021-03-01"), ("adopted", "2023-03-31"), ("embedded", "2024-01-15")),
     "Pathway document; wave 3 interviews"),
    ("brent", "BRE-SC02", "Free leisure passes for care leavers", "local", "policy",
     (("proposed", "2020-06-22"), ("adopted", "2020-12-01")), "Cabinet decision"),
    ("brent", "BRE-SC03", "Relational practice standard for the leaving care team", "local", "practice",
     (("influenced", "2020-06-01"), ("adopted", "2022-01-10"), ("embedded", "2023-06-05")),
     "Practice standard; observation notes"),
    ("brent", "BRE-SC04", "Ring-fenced council apprenticeships for care leavers", "local", "policy",
     (("proposed", "2021-09-20"), ("adopted", "2022-04-04")), "HR policy"),
    ("brent", "BRE-SC05", "Regional care leaver covenant pledges", "national", "policy",
     (("influenced", "2022-10-03"), ("proposed", "2023-02-13")), None),
    ("brent", "BRE-SC06", "Youth Voice Panel reports to the corporate parenting panel", "local", "practice",
     (("adopted", "2020-10-14"), ("embedded", "2022-02-21")), "Panel minutes"),
)

#: from when young people sit on each partnership board (Brent: the Youth Voice Panel milestone)
YOUNG_PEOPLE_ON_BOARD = {"brent": D("2020-10-14"), "plymouth": D("2020-01-01")}

#: the period in which other Plymouth work was on hold while Lifelong Links was negotiated
HIATUS = {"plymouth": (D("2021-07-01"), D("2022-08-31"))}

#: the planted gap in Plymouth's partnership board: the last meeting before it and the first after it
#: (272 days, about nine months)
BOARD_GAP = {"plymouth": (D("2022-06-28"), D("2023-03-27"))}
FORUM_INTERVALS = {"partnership_board": (42, 57), "operational_group": (26, 33),
                   "young_people_forum": (26, 36), "practice_network": (84, 100)}
FORUM_START = {"partnership_board": "2019-06-03", "operational_group": "2019-09-09",
               "young_people_forum": "2020-01-20", "practice_network": "2020-06-15"}

RUBRIC_LEVELS_BY_SITE = {
    # outcome: (wave 1, wave 2, wave 3)
    "brent": {"co_production": ("Adequate", "Good", "Good"),
              "robust_partnership": ("Good", "Good", "Very good"),
              "learning_shared": ("Adequate", "Adequate", "Good"),
              "systems_improved": ("Poor", "Adequate", "Good"),
              "policy_influence": ("Insufficient evidence", "Poor", "Adequate"),
              "overall": ("Adequate", "Good", "Good")},
    "plymouth": {"co_production": ("Adequate", "Good", "Very good"),
                 "robust_partnership": ("Adequate", "Adequate", "Adequate"),
                 "learning_shared": ("Poor", "Adequate", "Good"),
                 "systems_improved": ("Insufficient evidence", "Adequate", "Good"),
                 "policy_influence": ("Insufficient evidence", "Poor", "Adequate"),
                 "overall": ("Adequate", "Adequate", "Good")},
}
_RUBRIC_RATIONALE = {
    "co_production": ("Young people consulted on plans; few decisions shared yet.",
                      "Young people shaping activities and sitting on recruitment panels.",
                      "Co-design is routine and young people influence board decisions."),
    "robust_partnership": ("Early trust built between managers; roles still being worked out.",
                           "Partners working together through staff changes, some tension over decisions.",
                           "Partnership tested by gaps in governance; relationships between leads held."),
    "learning_shared": ("Learning mostly informal and kept within the team.",
                        "Learning events started; some practice written up.",
                        "Learning shared across the council and with other areas."),
    "systems_improved": ("Too early to see changes in systems.",
                         "First policy and practice changes adopted.",
                         "Several changes adopted and some embedded in everyday practice."),
    "policy_influence": ("No evidence of influence beyond the site yet.",
                         "Contributions to regional discussions, little visible effect.",
                         "Evidence used in regional and national policy conversations."),
    "overall": ("A promising start held back by the pandemic.",
                "Solid progress in some outcomes, slower in others.",
                "A partnership that changed practice, with uneven reach into wider systems."),
}

LEARNING_POINTS = (
    ("plymouth", "PLY-L1", "Extra capacity works best when the core service is ready to receive it",
     "Programme learning/Additional resource;Barriers"),
    ("plymouth", "PLY-L2", "Long approval chains can hold a good idea back for years",
     "Programme learning/Decision-making and momentum;Barriers"),
    ("plymouth", "PLY-L3", "Governance has to keep meeting when leaders change",
     "Programme learning/Governance;Five outcomes/Robust partnership"),
    ("plymouth", "PLY-L4", "Ideas from young people travel further when leaders turn up",
     "Collaboration/Leading by example;Five outcomes/Co-production"),
    ("plymouth", "PLY-L5", "Plan the ending from the start", "Programme learning/Endings and legacy"),
    ("plymouth", "PLY-L6", "Staff with lived experience need support of their own",
     "Collaboration/Team skills and lived experience"),
    ("brent", "BRE-L1", "A shared language across teams grows out of shared work",
     "Collaboration/Ethos across roles"),
    ("brent", "BRE-L2", "A senior sponsor keeps proposals moving",
     "Collaboration/Strategic support;Programme learning/Decision-making and momentum"),
    ("brent", "BRE-L3", "Room to try and drop ideas made the partnership braver",
     "Programme learning/Permission to fail"),
    ("brent", "BRE-L4", "Shifts in power between partners are slow and need naming",
     "Programme learning/Power between council and voluntary sector"),
    ("brent", "BRE-L5", "Skills young people gain need recording to count",
     "Outcomes for young people/Skills and knowledge"),
    ("brent", "BRE-L6", "Stable housing underpins every other goal",
     "Outcomes for young people/Personal goals and positive destinations;Barriers"),
)


def activities() -> list[dict]:
    return [{"site": s, "activity_id": a, "name": n, "kind": k, "start": D(st), "end": D(en) if en else None,
             "status": status} for s, a, n, k, st, en, status in ACTIVITIES]


def milestones() -> list[dict]:
    return [{"site": s, "initiative": i, "milestone": m, "planned_date": D(p),
             "actual_date": D(a) if a else None} for s, i, m, p, a in MILESTONES]


def systems_changes() -> list[dict]:
    return [{"site": s, "change_id": c, "description": desc, "level": lvl, "kind": kind, "status": status,
             "date": D(when), "evidence": ev}
            for s, c, desc, lvl, kind, steps, ev in SYSTEMS_CHANGES for status, when in steps]


def _meeting_dates(rng: np.random.Generator, site: str, forum: str) -> list[date]:
    """Dates of one forum's meetings, every ``FORUM_INTERVALS`` days, with the planted board gap."""
    lo, hi = FORUM_INTERVALS[forum]
    end = get_site(site).programme_end
    dates = []
    when = D(FORUM_START[forum]) + timedelta(days=int(rng.integers(0, 10)))
    while when <= end:
        dates.append(when)
        when += timedelta(days=int(rng.integers(lo, hi)))
    gap = BOARD_GAP.get(site) if forum == "partnership_board" else None
    if gap:  # the last meeting before the gap is on gap[0], the next on gap[1]
        dates = [d for d in dates if not gap[0] - timedelta(days=lo) < d < gap[1] + timedelta(days=lo)]
        dates = sorted([*dates, *gap])
    return dates


def meetings(rng: np.random.Generator) -> list[dict]:
    rows: list[dict] = []
    for site in ("brent", "plymouth"):
        start, end = D("2019-04-01"), get_site(site).programme_end
        for forum in FORUM_INTERVALS:
            for when in _meeting_dates(rng, site, forum):
                progress = (when - start).days / (end - start).days
                if forum == "young_people_forum":
                    yp = int(rng.integers(3, 6 + int(8 * progress)))
                    council, barnardos, other = (int(rng.integers(0, 3)), int(rng.integers(1, 4)),
                                                 int(rng.integers(0, 2)))
                elif forum == "partnership_board":
                    yp = int(rng.integers(0, 2 + int(3 * progress)))
                    yp = yp if when >= YOUNG_PEOPLE_ON_BOARD[site] else 0
                    council, barnardos, other = (int(rng.integers(2, 7)), int(rng.integers(1, 5)),
                                                 int(rng.integers(0, 4)))
                else:
                    yp = int(rng.random() < 0.2 + 0.3 * progress)
                    council, barnardos, other = (int(rng.integers(2, 6)), int(rng.integers(2, 6)),
                                                 int(rng.integers(0, 3)))
                rows.append({"site": site, "forum": forum, "date": when, "attendees_council": council,
                             "attendees_barnardos": barnardos, "attendees_other": other,
                             "young_people_present": yp})
    rows.sort(key=lambda r: (r["site"], r["date"], r["forum"]))
    return rows


def rubric(fieldwork_rows: list[dict]) -> list[dict]:
    """Ratings per site, wave and outcome; ``overall`` is its own judgement, not an average."""
    rows: list[dict] = []
    for site, by_outcome in RUBRIC_LEVELS_BY_SITE.items():
        for wave in (1, 2, 3):
            refs = [r["source_id"] for r in fieldwork_rows
                    if r["site"] == site and r["wave"] == wave and r["source_id"]][:3]
            for outcome, levels in by_outcome.items():
                rows.append({"site": site, "wave": wave, "outcome": outcome, "level": levels[wave - 1],
                             "rationale": _RUBRIC_RATIONALE[outcome][wave - 1],
                             "evidence_refs": ";".join(refs) or None})
    return rows


def learning_points() -> list[dict]:
    return [{"site": s, "point_id": p, "heading": h, "code_paths": c} for s, p, h, c in LEARNING_POINTS]
