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

# site, activity_id, name, kind, start, end, status, description
ACTIVITIES: tuple[tuple[str, str, str, str, str, str | None, str, str | None], ...] = (
    ("brent", "BRE-A01", "Youth Voice Panel", "participation", "2019-07-01", "2024-03-31", "completed", None),
    ("brent", "BRE-A02", "Mentoring Scheme", "relationships", "2020-01-15", "2024-03-31", "completed", None),
    ("brent", "BRE-A03", "Digital Inclusion Project", "participation", "2020-02-03", "2021-09-30", "paused",
     None),
    ("brent", "BRE-A04", "Relational Practice Training", "practice", "2020-06-01", "2024-03-31",
     "handed_over",
     "Training for social workers and personal advisers, taken on by the council's workforce team"),
    ("brent", "BRE-A05", "Skills Academy", "employment", "2020-09-01", "2024-03-31", "completed", None),
    ("brent", "BRE-A06", "Housing Pathway Redesign", "systems", "2021-03-01", "2023-03-31", "completed",
     None),
    ("brent", "BRE-A07", "Wellbeing Circle", "wellbeing", "2021-05-04", "2024-02-29", "completed", None),
    ("brent", "BRE-A08", "Summer Programme", "participation", "2021-07-19", "2023-08-31", "completed", None),
    ("brent", "BRE-A09", "Films by young people", "output", "2021-10-04", "2023-11-30", "completed",
     "Short films written, shot and voiced by care-experienced young people"),
    ("brent", "BRE-A10", "Poetry collection", "output", "2022-02-07", "2023-06-30", "completed",
     "Poems by young people about leaving care, performed and printed"),
    ("brent", "BRE-A11", "Welcome packs for semi-independent accommodation", "output", "2022-05-03",
     "2023-10-31", "handed_over",
     "Packs co-designed with young people; now a requirement of every local semi-independent provider"),
    ("brent", "BRE-A12", "Work with Ofsted inspectors", "practice", "2023-01-16", "2024-03-31", "completed",
     "Young people's films and experiences shared with inspectors of children's services"),
    ("plymouth", "PLY-A01", "Young Inspectors", "participation", "2019-09-02", "2020-03-20", "stopped", None),
    ("plymouth", "PLY-A02", "One-to-one and group work", "relationships", "2019-10-07", "2024-04-26",
     "completed", "Support from Barnardo's workers for young people involved with the programme"),
    ("plymouth", "PLY-A03", "Friday Hub", "participation", "2020-02-07", "2023-12-15", "completed",
     "Weekly drop-in with health, employment and other services; closed when the programme left its "
     "building"),
    ("plymouth", "PLY-A04", "Social Action Projects", "participation", "2020-09-07", "2021-06-30", "paused",
     None),
    ("plymouth", "PLY-A05", "Practice Learning Lab", "practice", "2020-10-01", "2022-03-31", "completed",
     None),
    ("plymouth", "PLY-A06", "Care Leaver Offer Review", "systems", "2021-01-11", "2022-07-29", "completed",
     None),
    ("plymouth", "PLY-A07", "Peer Mentoring", "relationships", "2021-01-18", "2021-07-16", "paused", None),
    ("plymouth", "PLY-A08", "Positive Connectors", "relationships", "2021-02-01", "2024-03-28", "completed",
     "Matching young people with people and groups in their community"),
    ("plymouth", "PLY-A09", "Journey Bags", "relationships", "2022-06-01", "2024-04-10", "handed_over",
     "200 bags for young people entering care, packed with young people and given out by the fostering "
     "team"),
    ("plymouth", "PLY-A10", "Walk a Day in My Shoes", "participation", "2022-09-05", "2023-05-26",
     "completed",
     "Young people's stories of care told through shoes; shown at the council and in Parliament"),
    ("plymouth", "PLY-A11", "Wellbeing Workshops", "wellbeing", "2022-09-12", "2023-06-30", "completed",
     None),
    ("plymouth", "PLY-A12", "Care-experienced project assistant", "employment", "2022-11-01", "2024-03-29",
     "completed", "A paid post in the programme team for a care-experienced young person"),
    ("plymouth", "PLY-A13", "Confidence Course", "wellbeing", "2023-05-08", "2023-11-30", "completed", None),
    ("plymouth", "PLY-A14", "Lifelong Links", "relationships", "2023-09-04", "2023-12-11", "handed_over",
     "Family-finding and network-building; few referrals before the council took the service in-house"),
)

# site, initiative, milestone, planned_date, actual_date (None: not reached)
MILESTONES: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("plymouth", "Lifelong Links", "Proposal agreed by partnership board", "2021-03-31", "2021-05-20"),
    ("plymouth", "Lifelong Links", "Worker appointed", "2021-09-01", "2023-07-10"),
    ("plymouth", "Lifelong Links", "Service launched", "2021-10-01", "2023-09-04"),
    ("plymouth", "Lifelong Links", "First young people linked with family", "2022-01-31", "2023-11-20"),
    ("plymouth", "Lifelong Links", "Service handed to the council", "2023-03-31", "2023-12-11"),
    ("plymouth", "Journey Bags", "Bag contents co-designed", "2022-06-30", "2022-07-15"),
    ("plymouth", "Journey Bags", "200 bags packed", "2023-03-31", "2023-04-14"),
    ("plymouth", "Journey Bags", "All 200 bags in use", "2023-12-31", "2024-04-10"),
    ("plymouth", "Friday Hub", "Hub opened", "2020-02-01", "2020-02-07"),
    ("plymouth", "Friday Hub", "Hub closed", "2023-12-31", "2023-12-15"),
    ("plymouth", "Care Leaver Offer Review", "Revised offer published", "2022-04-01", "2022-07-29"),
    ("plymouth", "Walk a Day in My Shoes", "Exhibition shown in Parliament", "2023-02-28", "2023-03-14"),
    ("plymouth", "Programme", "Exit plan agreed", "2023-06-30", "2023-11-30"),
    ("plymouth", "Programme", "Programme ended", "2024-04-30", "2024-04-30"),
    ("plymouth", "Programme", "Legacy funding secured", "2024-01-31", None),
    ("brent", "Youth Voice Panel", "Panel launched", "2019-07-01", "2019-07-01"),
    ("brent", "Youth Voice Panel", "Young people join partnership board", "2020-04-01", "2020-10-14"),
    ("brent", "Skills Academy", "Academy launched", "2020-04-01", "2020-09-01"),
    ("brent", "Skills Academy", "Fifty young people completed", "2022-03-31", "2022-11-30"),
    ("brent", "Mentoring Scheme", "Thirty mentors trained", "2021-03-31", "2021-06-30"),
    ("brent", "Mentoring Scheme", "Paid peer mentor roles created", "2022-09-01", "2023-02-06"),
    ("brent", "Housing Pathway Redesign", "Review started", "2021-03-01", "2021-03-01"),
    ("brent", "Housing Pathway Redesign", "New pathway agreed", "2022-01-31", "2023-03-31"),
    ("brent", "Welcome packs for semi-independent accommodation", "Packs co-designed with young people",
     "2022-09-30", "2022-10-21"),
    ("brent", "Welcome packs for semi-independent accommodation", "Packs required of every provider",
     "2023-09-30", "2023-10-31"),
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
    ("plymouth", "PLY-SC08", "Care leaver covenant strengthened with new local pledges", "local", "policy",
     (("influenced", "2021-11-22"), ("proposed", "2022-10-10"), ("adopted", "2023-03-20")),
     "Covenant document; council cabinet minutes, March 2023"),
    ("plymouth", "PLY-SC09", "Care experience treated as a protected characteristic", "local", "policy",
     (("influenced", "2022-11-14"), ("proposed", "2023-04-17"), ("adopted", "2023-07-24")),
     "Council motion, July 2023; stories from Walk a Day in My Shoes"),
    ("plymouth", "PLY-SC10", "Councils as rent guarantors for care leavers", "national", "policy",
     (("influenced", "2023-03-14"),), "Exhibition and meetings with MPs, March 2023"),
    ("plymouth", "PLY-SC11", "A council-run hub for care leavers, following the Friday Hub", "local",
     "service", (("influenced", "2023-06-12"), ("proposed", "2024-02-05")),
     "Council capital plan, February 2024; wave 3 interviews"),
    ("plymouth", "PLY-SC12", "More personal advisers for care leavers", "local", "service",
     (("influenced", "2022-05-09"), ("adopted", "2023-04-03")), "Council budget, April 2023"),
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
    ("brent", "BRE-SC07", "Welcome packs required of every semi-independent accommodation provider", "local",
     "policy", (("proposed", "2022-10-21"), ("adopted", "2023-10-31"), ("embedded", "2024-03-04")),
     "Provider contract terms, October 2023"),
    ("brent", "BRE-SC08", "Young people's films used in the preparation of inspections", "national",
     "practice", (("influenced", "2023-01-16"), ("adopted", "2023-11-20")),
     "Inspectorate briefing notes, November 2023"),
    ("brent", "BRE-SC09", "Relational practice training kept in the council's workforce offer", "local",
     "practice", (("proposed", "2023-06-05"), ("adopted", "2024-02-12")),
     "Workforce development plan, February 2024"),
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

#: per site and outcome, one (level, rationale, evidence) per wave: the evaluators' judgement, written
#: for each site, consistent with the site's own records (Brent's board never went more than 120 days
#: without meeting; Plymouth's did, for about nine months)
RUBRIC: dict[str, dict[str, tuple[tuple[str, str, str], ...]]] = {
    "brent": {
        "co_production": (
            ("Adequate", "The Youth Voice Panel was set up and consulted on plans; it did not yet share "
             "decisions.", "Youth Voice Panel notes, autumn 2019; wave 1 interviews with young people"),
            ("Good", "Young people joined the partnership board and co-designed the Skills Academy and "
             "the Mentoring Scheme.", "Partnership board minutes, October 2020; wave 2 interviews"),
            ("Very good", "Young people and staff designed and tested work as equals, from films and poetry "
             "to welcome packs that became a requirement for providers.",
             "Welcome pack design notes, October 2022; provider contract terms, October 2023; wave 3 "
             "interviews and observations")),
        "robust_partnership": (
            ("Good", "Council and Barnardo's leads met regularly and agreed shared aims early.",
             "Partnership board minutes, 2019-2020"),
            ("Good", "The board kept meeting every six to eight weeks through the pandemic; both partners "
             "funded posts.", "Partnership board minutes, 2021-2022; wave 2 interviews with council staff"),
            ("Very good", "Senior leaders on both sides backed the work and its budget to the end, and the "
             "council took on training and welcome packs.",
             "Partnership board minutes, 2023-2024; workforce development plan, February 2024")),
        "learning_shared": (
            ("Adequate", "Learning was shared inside the team and with the corporate parenting panel.",
             "Corporate parenting panel papers, 2020"),
            ("Good", "Training in relational practice carried the approach to social workers and personal "
             "advisers.", "Training records, 2021-2022; observation of training sessions"),
            ("Good", "Films and poetry by young people reached inspectors and other councils.",
             "Inspectorate briefing notes, November 2023; wave 3 interviews")),
        "systems_improved": (
            ("Poor", "No change to services or policy was yet in place.", "Wave 1 interviews"),
            ("Adequate", "Leisure passes and ring-fenced apprenticeships were adopted.",
             "Cabinet decision, December 2020; council HR policy, April 2022"),
            ("Good", "The housing pathway was redesigned and welcome packs became a requirement of every "
             "provider.", "Pathway document, March 2023; provider contract terms, October 2023")),
        "policy_influence": (
            ("Insufficient evidence", "Too early to judge influence beyond the borough.",
             "Wave 1 interviews"),
            ("Poor", "Some contributions to regional discussions; no visible effect yet.",
             "Regional network notes, 2022"),
            ("Adequate", "Regional covenant pledges were proposed and inspectors used young people's films.",
             "Regional covenant proposal, February 2023; inspectorate briefing notes, November 2023")),
        "overall": (
            ("Adequate", "A promising start, with young people involved from the outset.",
             "Wave 1 interviews and board minutes"),
            ("Good", "A strong partnership delivering co-designed work despite the pandemic.",
             "Wave 2 interviews and observations"),
            ("Very good", "An exceptional collaboration whose outputs were taken up by the council; direct "
             "support for young people is harder to sustain.",
             "Wave 3 interviews, observations and records")),
    },
    "plymouth": {
        "co_production": (
            ("Adequate", "Young people helped choose the programme's themes of loneliness and isolation.",
             "Co-design workshop notes, autumn 2019"),
            ("Good", "Young people shaped social action projects and the Friday Hub.",
             "Friday Hub records, 2020-2021; wave 2 interviews with young people"),
            ("Adequate", "Walk a Day in My Shoes was led by young people, but Lifelong Links was chosen "
             "without them and front-line staff were left out of key decisions.",
             "Lifelong Links business case, autumn 2021; wave 3 interviews with staff")),
        "robust_partnership": (
            ("Good", "Strong senior commitment from both partners at the start.",
             "Partnership board minutes, 2019-2020"),
            ("Adequate", "Joint work continued, but decisions on Lifelong Links took many months.",
             "Partnership board minutes, 2021-2022; Lifelong Links milestones"),
            ("Poor", "The partnership board did not meet for about nine months and staff changes on both "
             "sides slowed decisions.", "Meeting records, June 2022 to March 2023; wave 3 interviews")),
        "learning_shared": (
            ("Poor", "Learning stayed mostly within the programme team.", "Wave 1 interviews"),
            ("Adequate", "Practice learning sessions shared what worked with council teams.",
             "Practice Learning Lab notes, 2021-2022"),
            ("Adequate", "The exhibition and the Friday Hub model informed council plans; monitoring data "
             "were thin.", "Council capital plan, February 2024; wave 3 interviews")),
        "systems_improved": (
            ("Insufficient evidence", "Too early to see changes in the local system.", "Wave 1 interviews"),
            ("Adequate", "Council tax exemption extended; the care leaver offer was being rewritten with "
             "young people.", "Cabinet decision, April 2021; draft care leaver offer, spring 2022"),
            ("Good", "The care leaver covenant was strengthened and the council now treats care experience "
             "as a protected characteristic.", "Council cabinet minutes, March 2023; council motion, "
             "July 2023")),
        "policy_influence": (
            ("Insufficient evidence", "No influence beyond the city yet.", "Wave 1 interviews"),
            ("Poor", "Evidence submitted to the national review of children's social care.",
             "Submission, August 2022"),
            ("Adequate", "Young people took the case for councils as rent guarantors to Parliament; no "
             "commitment has followed.", "Exhibition and meetings with MPs, March 2023")),
        "overall": (
            ("Adequate", "Committed partners and a clear focus on loneliness, slowed by the pandemic.",
             "Wave 1 interviews and board minutes"),
            ("Adequate", "Valued work with young people, while one initiative held much else back.",
             "Wave 2 interviews; Lifelong Links milestones"),
            ("Adequate", "Influence on council policy beyond the programme's size, with an early and "
             "abrupt ending.", "Wave 3 interviews and records")),
    },
}

PL, CO, FO, EN, BA = ("Programme learning", "Collaboration", "Five outcomes", "Enablers", "Barriers")
# site, point_id, kind, theme (the heading's code), heading, code paths (';')
LEARNING_POINTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("plymouth", "PLY-L1", "learning_point", f"{PL}/Additional resource",
     "Small sums spent with a few young people can shape decisions that reach many more",
     f"{PL}/Additional resource;{EN}/Dedicated resource"),
    ("plymouth", "PLY-L2", "learning_point", f"{PL}/Power between council and voluntary sector",
     "Bringing its own money let the charity meet the council as an equal partner",
     f"{PL}/Power between council and voluntary sector;{EN}/Joint ownership of decisions"),
    ("plymouth", "PLY-L3", "learning_point", f"{PL}/Decision-making and momentum",
     "Keep other work moving while one initiative waits for a decision",
     f"{PL}/Decision-making and momentum;{BA}/Slow decision-making"),
    ("plymouth", "PLY-L4", "learning_point", f"{PL}/Decision-making and momentum",
     "Check who is missing from the table before committing to a new service",
     f"{FO}/Co-production;{BA}/Different views of systems change"),
    ("plymouth", "PLY-L5", "learning_point", f"{PL}/Permission to fail",
     "Permission to fail needs protecting when budgets tighten",
     f"{PL}/Permission to fail;{EN}/Space to experiment;{BA}/Competing priorities"),
    ("plymouth", "PLY-L6", "learning_point", f"{PL}/Endings and legacy",
     "Talk about the ending from the first day, and plan the handover together",
     f"{PL}/Endings and legacy;{BA}/Short-term funding"),
    ("plymouth", "PLY-L7", "learning_point", f"{PL}/Governance",
     "Agree how the partners will decide, and keep meeting when leaders change",
     f"{PL}/Governance;{BA}/Staff turnover"),
    ("plymouth", "PLY-S1", "strength", f"{CO}/Strategic support",
     "Senior leaders in both organisations committed to the work at the start",
     f"{EN}/Senior sponsorship;{CO}/Strategic support"),
    ("plymouth", "PLY-S2", "strength", f"{FO}/Systems improved",
     "The council paid more attention to care leavers, with a stronger covenant",
     f"{FO}/Systems improved"),
    ("plymouth", "PLY-S3", "strength", f"{EN}/Approachable, flexible workers",
     "Young people who took part valued approachable, flexible support",
     f"{EN}/Approachable, flexible workers;{EN}/Practical help"),
    ("plymouth", "PLY-C1", "challenge", f"{BA}/Staff turnover",
     "Staff kept changing in both organisations", f"{BA}/Staff turnover"),
    ("plymouth", "PLY-C2", "challenge", f"{BA}/Data sharing",
     "Little evidence that more, and more varied, young people benefited as the work grew",
     f"{BA}/Data sharing"),
    ("plymouth", "PLY-C3", "challenge", f"{BA}/Short-term funding",
     "Budgets squeezed by the pandemic and rising costs cut what both partners could put in",
     f"{BA}/COVID-19;{BA}/Short-term funding"),
    ("plymouth", "PLY-R1", "recommendation", f"{FO}/Co-production",
     "Widen the range of young people taking part, including those who face most barriers",
     f"{FO}/Co-production;{BA}/Travel and timing"),
    ("plymouth", "PLY-R2", "recommendation", f"{PL}/Endings and legacy",
     "Keep relationships, communication and leadership strong right up to the ending",
     f"{PL}/Endings and legacy;{CO}/Leading by example"),
    ("brent", "BRE-L1", "learning_point", f"{CO}/Ethos across roles",
     "A shared language across teams grows out of shared work", f"{CO}/Ethos across roles"),
    ("brent", "BRE-L2", "learning_point", f"{CO}/Leading by example",
     "People learn to share power by taking part in work that does it", f"{CO}/Leading by example"),
    ("brent", "BRE-L3", "learning_point", f"{CO}/Team skills and lived experience",
     "Lived experience and creative skills in the team build trust quickly",
     f"{CO}/Team skills and lived experience;{EN}/Lived-experience staff"),
    ("brent", "BRE-L4", "learning_point", f"{CO}/Strategic support",
     "A senior sponsor and a protected budget keep ambitious work moving",
     f"{CO}/Strategic support;{EN}/Senior sponsorship"),
    ("brent", "BRE-L5", "learning_point", f"{PL}/Endings and legacy",
     "Plan early what can carry on, and be honest about what cannot",
     f"{PL}/Endings and legacy;{BA}/Short-term funding"),
    ("brent", "BRE-L6", "learning_point", f"{PL}/Endings and legacy",
     "Outputs the council owns outlast the team that made them",
     f"{PL}/Endings and legacy;{FO}/Systems improved"),
    ("brent", "BRE-S1", "strength", f"{FO}/Co-production",
     "Young people and professionals worked together as equal partners",
     f"{FO}/Co-production;{CO}/Ethos across roles"),
    ("brent", "BRE-C1", "challenge", f"{PL}/Endings and legacy",
     "Relationships with young people could not carry on beyond the funding",
     f"{BA}/Short-term funding"),
    ("brent", "BRE-R1", "recommendation", f"{PL}/Endings and legacy",
     "Support partnerships like this one to sustain change after their funding ends",
     f"{PL}/Endings and legacy;{EN}/Flexible funding"),
)


def activities() -> list[dict]:
    return [{"site": s, "activity_id": a, "name": n, "kind": k, "start": D(st), "end": D(en) if en else None,
             "status": status, "description": desc} for s, a, n, k, st, en, status, desc in ACTIVITIES]


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


def rubric() -> list[dict]:
    """Ratings per site, wave and outcome; ``overall`` is its own judgement, not an average."""
    rows: list[dict] = []
    for site, by_outcome in RUBRIC.items():
        for wave in (1, 2, 3):
            for outcome, ratings in by_outcome.items():
                level, rationale, evidence = ratings[wave - 1]
                rows.append({"site": site, "wave": wave, "outcome": outcome, "level": level,
                             "rationale": rationale, "evidence_refs": evidence})
    return rows


def learning_points() -> list[dict]:
    return [{"site": s, "point_id": p, "heading": h, "code_paths": c, "kind": k, "theme": t}
            for s, p, k, t, h, c in LEARNING_POINTS]
