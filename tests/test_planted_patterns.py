"""The analyses find the patterns planted in the synthetic replica (data/synthetic).

These read the bundled synthetic data through cj.load_dataset and check what the Plymouth digest
reports: Lifelong Links took about two years from proposal to a worker in post; senior managers
spoke more positively than practitioners; the partnership board stopped meeting for a long spell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import carejourneys as cj
from carejourneys.metrics import governance, themes, timeline

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"

pytestmark = pytest.mark.skipif(not (SYNTHETIC / "manifest.yml").exists(),
                                reason="data/synthetic/manifest.yml not generated yet (carejourneys synth)")


@pytest.fixture(scope="module")
def plymouth():
    return cj.load_dataset(data_dir=SYNTHETIC, site="plymouth")


def test_lifelong_links_took_about_two_years_from_proposal_to_worker(plymouth):
    days = timeline.elapsed_days(plymouth.milestones, "Lifelong Links", "proposal", "worker")
    assert days is not None
    assert 1.5 * 365 <= days <= 2.5 * 365
    # planned: the launch was meant to follow the proposal within months
    planned = timeline.elapsed_days(plymouth.milestones, "Lifelong Links", "proposal", "worker", planned=True)
    assert planned < 365
    s = timeline.slippage(plymouth.milestones)
    reached = s[s["reached"]]
    worst = reached.loc[reached["slippage_days"].idxmax()]
    assert worst["initiative"] == "Lifelong Links" and worst["slippage_days"] > 365


def test_valence_rises_with_seniority_in_plymouth(plymouth):
    trend = themes.valence_trend(plymouth.coded_segments, unit="person")
    assert trend.groups == ("practitioner", "manager", "senior_leader")
    assert trend.direction == "increasing"
    assert trend.jt_p < 0.05 and trend.tau > 0.1
    by = themes.valence_by_group(plymouth.coded_segments, groups=["practitioner", "senior_leader"])
    assert by.loc[1, "percent_positive"] > by.loc[0, "percent_positive"]


def test_gap_in_plymouth_partnership_board_meetings(plymouth):
    gaps = governance.meeting_gaps(plymouth.meetings, "partnership_board")
    longest = gaps.loc[gaps["gap_days"].idxmax()]
    assert longest["gap_days"] > 180 and longest["long_gap"]
    assert longest["gap_days"] > 3 * np.median(gaps["gap_days"])
    # the gap shows as quarters without a board meeting in the middle of the programme
    per_q = governance.meetings_per_quarter(plymouth.meetings)["partnership_board"]
    assert (per_q == 0).sum() >= 2


def test_plymouth_work_paused_while_lifelong_links_was_negotiated(plymouth):
    window = timeline.negotiation_window(plymouth.milestones, "Lifelong Links", end="worker")
    paused = timeline.paused_during(plymouth.activities, window)
    assert (paused["status"] == "paused").sum() >= 1
    q = timeline.quietest_stretch(plymouth.participation, window).set_index("period")
    before = q.loc["before the window", "attendances_per_30_days"]
    assert q.loc["quietest stretch in the window", "attendances_per_30_days"] < 0.5 * before
