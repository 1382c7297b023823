"""The intruder test of issue 13: read only a built site and try to recover every withheld count.

``tests/intruder.py`` reads every page (tables, the numbers behind each chart), guesses the additive
relations a careful reader would try, and asks an integer programme for the range of each ``c``. The
site passes when no withheld cell is pinned to one value and no statistic stands beside a withheld
count, for the default build, for thresholds 7 and 10, and for a replica made with another seed.
The first tests show that the intruder does find such leaks when they are there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import intruder
import pytest

# --------------------------------------------------------------------------- the intruder finds leaks


def _page(path: Path, tables: list[tuple[list[str], list[list[str]]]], note: str = "") -> None:
    body = []
    for headers, rows in tables:
        head = "".join(f"<th>{h}</th>" for h in headers)
        trs = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows)
        body.append(f"<div><table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>"
                    f"<p>{note}</p></div>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<html><body>" + "".join(body) + "</body></html>")


def test_the_intruder_recovers_a_complement_inside_a_row(tmp_path):
    """Issue 13 item 3: Came once only = Young people - Came back, shown in other rows."""
    headers = ["Activity", "Young people", "Came back", "Came once only"]
    rows = [["A", "12", "11", "c"], ["B", "30", "20", "10"], ["C", "25", "19", "6"]]
    _page(tmp_path / "plymouth" / "02.html", [(headers, rows)])
    found = intruder.attack(tmp_path)
    assert [(p[2], p[3], p[4]) for p in found.pinned] == [("A", "Came once only", 1.0)]


def test_the_intruder_recovers_a_cell_from_the_page_for_all_sites(tmp_path):
    """Issue 13 item 2: all - plymouth = brent."""
    headers = ["Outcome", "People", "Negative"]
    _page(tmp_path / "all" / "01.html", [(headers, [["Wellbeing", "20", "9"], ["Skills", "18", "7"]])])
    _page(tmp_path / "plymouth" / "01.html", [(headers, [["Wellbeing", "11", "5"], ["Skills", "9", "c"]])])
    _page(tmp_path / "brent" / "01.html", [(headers, [["Wellbeing", "9", "c"], ["Skills", "9", "c"]])])
    found = intruder.attack(tmp_path)
    pinned = {(p[0], p[2]): p[4] for p in found.pinned}
    assert pinned[("brent/01.html", "Wellbeing")] == 4.0


def test_the_intruder_uses_the_lower_bound_of_one(tmp_path):
    """Issue 13 item 7: with zeros shown a c is at least 1, so c, c beside 13 of 15 is 1 and 1."""
    headers = ["Measure", "Pairs", "Improved", "Same", "Worse"]
    rows = [["X", "15", "13", "c", "c"], ["Y", "20", "11", "5", "4"], ["Z", "12", "7", "5", "0"]]
    _page(tmp_path / "site" / "p.html", [(headers, rows)])
    found = intruder.attack(tmp_path)
    assert sorted((p[3], p[4]) for p in found.pinned) == [("Same", 1.0), ("Worse", 1.0)]
    # where the table says a c may be 0, the same cells are not pinned
    _page(tmp_path / "site" / "p.html", [(headers, rows)], note="a c may also stand for 0")
    assert intruder.attack(tmp_path).pinned == []


def test_the_intruder_flags_a_statistic_beside_a_withheld_count(tmp_path):
    """Issue 13 item 1: a sign-test p next to c, c, 0 gives the counts back."""
    headers = ["Area", "Pairs", "Improved", "Same", "Worse", "Sign test p"]
    _page(tmp_path / "site" / "p.html", [(headers, [["Confidence", "6", "c", "c", "0", "0.062"]])])
    assert intruder.attack(tmp_path).statistics


# --------------------------------------------------------------------------- built sites


def _build(out: Path, data_dir: Path | None = None, threshold: int = 5) -> Path:
    from carejourneys.publish import build

    result = build.run(outputs=out, data_dir=data_dir, disclosure_threshold=threshold, jobs=2, quiet=True)
    failed = [r for r in result.reports if str(getattr(r.status, "value", r.status)) == "failed"]
    assert not failed, [getattr(r, "error", r) for r in failed]
    return out


def _assert_safe(out: Path) -> None:
    found = intruder.attack(out)
    assert found.unknowns > 0, "the site withholds nothing: the test would prove nothing"
    assert not found.pinned, f"withheld cells recovered: {found.pinned[:10]}"
    assert not found.statistics, f"statistics beside withheld counts: {found.statistics[:10]}"


@pytest.mark.slow
def test_no_withheld_cell_can_be_recovered_from_the_default_site(full_build):
    """The session's default build (threshold 5, bundled data)."""
    assert full_build.result.ok
    _assert_safe(full_build.out)


@pytest.mark.slow
def test_no_withheld_cell_can_be_recovered_at_threshold_10(tmp_path):
    _assert_safe(_build(tmp_path / "out", threshold=10))


@pytest.mark.slow
def test_no_withheld_cell_can_be_recovered_from_another_replica_at_threshold_7(tmp_path):
    """A replica generated with another seed, at threshold 7: other data, other small cells."""
    from carejourneys.inputs import synthetic

    data = tmp_path / "data"
    synthetic.generate(data, seed=7)
    _assert_safe(_build(tmp_path / "out", data_dir=data, threshold=7))
    shutil.rmtree(data)
