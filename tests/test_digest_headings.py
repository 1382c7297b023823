"""Issue 15: each page carries the headings of the digest it reproduces, with data-derived content
under each (a table, a quote, a chart's numbers or a sentence holding a number), and sentences that
summarise a table agree with it. Read from the session's full build of the bundled data."""

from __future__ import annotations

import html
import re

import pytest

OUTCOME_AREAS = ("Social connections", "Wellbeing, confidence and identity", "Skills and knowledge",
                 "Personal goals and positive destinations")

#: (notebook, sites) -> headings the page must show, each with data-derived content under it
HEADINGS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {
    # the evaluation's data-gathering table: a qualitative and a quantitative half
    ("00_evidence_base", ("brent", "plymouth", "all")): (
        "Qualitative evaluation methods", "Quantitative evaluation methods",
        "People counted: one definition for every page"),
    # digest 4: the four outcome questions, answered from the evidence
    ("01_young_people_outcomes", ("brent", "plymouth", "all")): (
        *OUTCOME_AREAS, "Bringing the evidence together"),
    # digest 6 (Plymouth)
    ("02_site_learning", ("plymouth",)): (
        "Activities since the interim report", "Key strengths", "Challenges", "Enablers", "Barriers",
        "Recommendations", "Additional resource",
        "Reframing power between the council and the voluntary sector",
        "Timely decisions and keeping momentum", "Permission to fail", "Endings", "Governance",
        "The covenant and care experience as a protected characteristic"),
    # digest 5 (Brent)
    ("02_site_learning", ("brent",)): (
        "What made the collaboration work", "Outputs", "Legacy and continuity", "Key strengths",
        "Enablers", "Barriers"),
    # the summary page: the five outcomes of the partnerships and systems change
    ("03_partnership_and_systems_change", ("brent", "plymouth")): (
        "The five outcomes, rated at each wave", "Why: the rationale of the latest ratings",
        "What changed in the local system", "How the partnership's governance held up"),
    ("04_care_leaver_indicators", ("brent", "plymouth")): (
        "Where the council stood in the latest year", "Trends", "The gap to all young people"),
}

CASES = [(nb, site, heading) for (nb, sites), heads in HEADINGS.items()
         for site in sites for heading in heads]


def _sections(page: str) -> dict[str, str]:
    """Heading text (h2/h3, without the anchor mark) -> the markup up to the next h2 or h3."""
    main = page.split("</main>")[0]
    parts = re.split(r"(<h[23]\b[^>]*>.*?</h[23]>)", main, flags=re.S)
    out: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        text = html.unescape(re.sub(r"<[^>]+>|¶", "", parts[i])).strip()
        out.setdefault(text, parts[i + 1])
    return out


def _has_data(body: str) -> bool:
    if "<table" in body or 'class="cj-quote' in body:
        return True
    prose = re.findall(r'<p class="cj-(?:note|answer)[^"]*">(.*?)</p>', body, flags=re.S)
    return any(re.search(r"\d", re.sub(r"<[^>]+>", "", p)) for p in prose)


@pytest.mark.slow
@pytest.mark.parametrize("notebook, site, heading", CASES,
                         ids=[f"{n[:2]}[{s}] {h[:30]}" for n, s, h in CASES])
def test_digest_heading_is_on_the_page_with_data_under_it(full_build, notebook, site, heading):
    page = full_build.out / site / f"{notebook}.html"
    assert page.is_file(), f"{site}/{notebook} was not built"
    sections = _sections(page.read_text(encoding="utf-8"))
    assert heading in sections, f"{site}/{notebook}: no heading {heading!r}; has {sorted(sections)}"
    body = sections[heading]
    assert _has_data(body), f"{site}/{notebook}: nothing computed under {heading!r}"


@pytest.mark.slow
@pytest.mark.parametrize("site", ["brent", "plymouth", "all"])
def test_outcome_answers_on_the_page_state_only_the_table_beside_them(full_build, site):
    """01: the 'In short' answer under each outcome question states only n values its own table shows."""
    page = (full_build.out / site / "01_young_people_outcomes.html").read_text(encoding="utf-8")
    sections = _sections(page)
    for area in OUTCOME_AREAS:
        body = sections[area]
        answer = re.search(r'<p class="cj-answer">(.*?)</p>', body, flags=re.S)
        if answer is None:
            continue
        stated = {int(n) for n in re.findall(r"n=(\d+)", html.unescape(answer.group(1)))}
        table = body.split("<table", 1)[1].split("</table>", 1)[0]
        cells = {int(c) for c in re.findall(r"<td[^>]*>\s*(\d+)\s*</td>", table)}
        assert stated <= cells, (site, area, stated, cells)
