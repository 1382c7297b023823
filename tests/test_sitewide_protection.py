"""Disclosure control for the whole publication (issue 13): declarations, sites protected together,
statistics beside withheld counts, charts drawn from protected values, undeclared tables refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carejourneys.sdc import disclosure, policy
from carejourneys.sdc.disclosure import SUPPRESSED, declare, protect_views


def _site_tables(brent: list[int], plymouth: list[int]) -> dict[str, pd.DataFrame]:
    rows = ["Wellbeing", "Skills", "Goals"]

    def frame(values: list[int]) -> pd.DataFrame:
        return declare(pd.DataFrame({"Area": rows, "People negative": values,
                                     "Share %": [50.0, 40.0, 30.0]}), ["People negative"], labels=["Area"])

    total = [b + p for b, p in zip(brent, plymouth, strict=True)]
    return {"brent": frame(brent), "plymouth": frame(plymouth), "all": frame(total)}


def test_a_site_cell_cannot_be_worked_out_from_the_page_for_all_sites():
    """Issue 13 item 2: all - plymouth = brent. Protected together, brent's 4 is withheld and so is
    a cell of every line that would give it back."""
    out = protect_views(_site_tables([4, 9, 12], [5, 8, 9]), threshold=5)
    assert out["brent"]["People negative"].iloc[0] == SUPPRESSED
    shown_all = out["all"]["People negative"].iloc[0]
    shown_ply = out["plymouth"]["People negative"].iloc[0]
    assert SUPPRESSED in (shown_all, shown_ply), "all - plymouth would give brent's 4 back"
    # the pattern is the same whichever page asks: it depends on the three tables only
    again = protect_views(_site_tables([4, 9, 12], [5, 8, 9]), threshold=5)
    for key in out:
        assert out[key].equals(again[key])


def test_statistics_in_a_row_with_a_withheld_count_are_withheld():
    """Issue 13 item 1: a p-value or percentage beside a c could give the count back."""
    t = declare(pd.DataFrame({"Measure": ["Confidence", "Hope"], "Pairs": [6, 12], "Improved": [5, 7],
                              "Same": [1, 3], "Worse": [0, 2], "Sign test p": [0.062, 0.18]}),
                ["Pairs", "Improved", "Same", "Worse"], labels=["Measure"],
                total_columns={"Pairs": ["Improved", "Same", "Worse"]}, secondary="columns")
    out = protect_views({"plymouth": t}, threshold=5, total=None)["plymouth"]
    first = out.iloc[0]
    assert first["Same"] == SUPPRESSED and first["Sign test p"] == SUPPRESSED
    assert first["Measure"] == "Confidence"


def test_a_complement_inside_a_row_is_protected():
    """Issue 13 item 3: Young people = Came back + Came once only, declared by the metric."""
    t = declare(pd.DataFrame({"Activity": ["A", "B", "C"], "Young people": [12, 30, 25],
                              "Came back": [11, 20, 19], "Came once only": [1, 10, 6]}),
                ["Young people", "Came back", "Came once only"], labels=["Activity"],
                total_columns={"Young people": ["Came back", "Came once only"]}, secondary="both")
    out = protect_views({"plymouth": t}, threshold=5, total=None)["plymouth"]
    row = out.iloc[0]
    assert row["Came once only"] == SUPPRESSED
    assert SUPPRESSED in (row["Young people"], row["Came back"])


def test_undeclared_tables_and_people_tables_given_as_frames_are_refused():
    from carejourneys.render import report

    with pytest.raises(disclosure.UndeclaredTable):
        report.protected(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(disclosure.UndeclaredTable):
        report.protected(declare(pd.DataFrame({"n": [1, 2]}), ["n"]))
    fine = declare(pd.DataFrame({"date": ["2022-01-01"]}), [])
    assert report.protected(fine) is fine


def test_a_figure_needs_the_declared_table_it_was_drawn_from():
    import matplotlib.pyplot as plt

    from carejourneys.render import report

    fig, _ = plt.subplots()
    with pytest.raises(disclosure.UndeclaredTable):
        report.figure(fig, alt="a chart", data=pd.DataFrame({"x": [1]}))


def test_charts_see_withheld_cells_as_missing():
    from carejourneys.render import report

    t = pd.DataFrame({"Group": ["a", "b"], "People": [SUPPRESSED, 12], "Share %": [SUPPRESSED, 40.0]})
    n = report.numeric(t)
    assert np.isnan(n["People"].iloc[0]) and n["People"].iloc[1] == 12
    assert np.isnan(n["Share %"].iloc[0])


def test_the_policy_file_and_its_words(tmp_path):
    p = policy.load()
    assert p.threshold == 5 and p.show_zeros and p.lower_bound == 1
    assert "fewer than 5 people" in p.describe()
    assert policy.load(threshold=7).threshold == 7
    bad = tmp_path / "policy.yml"
    bad.write_text("threshold: 5\nunknown: 1\n")
    from carejourneys.errors import DataError

    with pytest.raises(DataError, match="unknown"):
        policy.load(bad)


def test_every_notebook_leaves_declarations_to_the_metrics():
    """Notebooks name no count columns: the metrics declare them (issue 13)."""
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "code")
        for word in ("counts=", "percent_of=", "count_rows=", "secondary="):
            assert word not in code, f"{path.name} passes {word}"
