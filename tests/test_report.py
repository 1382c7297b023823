"""cj.report: setup and the banner, protected tables, deterministic figures, notes, quotes."""

from __future__ import annotations

import datetime as dt
import sys
import types
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import carejourneys as cj  # noqa: E402
from carejourneys.render import report  # noqa: E402


@dataclass
class FakeManifest:
    checksum: str = "ab" * 32
    extra: dict = field(default_factory=lambda: {"data_date": "2024-06-30"})


@dataclass
class FakeDataset:
    site: str
    origin: str = "synthetic"
    manifest: FakeManifest = field(default_factory=FakeManifest)
    coded_segments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"text": ["x"], "site": ["plymouth"]}))
    data_dir: str = "."
    files: dict = field(default_factory=dict)

    @property
    def frames(self) -> dict:
        return {"coded_segments": self.coded_segments}


@pytest.fixture
def shown(monkeypatch):
    """Collect what the report functions display, and load a fake dataset."""
    out: list[str] = []
    monkeypatch.setattr(report, "_display", out.append)
    loads: list[tuple] = []

    def fake_load(data_dir, site):
        loads.append((data_dir, site))
        return FakeDataset(site=site)

    monkeypatch.setattr(report, "_load_dataset", fake_load)
    monkeypatch.setattr(report, "_CONTEXT", None)
    out_loads = types.SimpleNamespace(html=out, loads=loads)
    return out_loads


def test_setup_loads_the_dataset_and_shows_the_banner(shown):
    ctx = cj.report.setup(site="plymouth", data_dir=None, disclosure_threshold=5)
    assert shown.loads == [(None, "all")]  # every site is read once: each page is protected with the others
    assert ctx.ds.site == "plymouth" and ctx.origin == "synthetic" and not ctx.public_only
    assert report.current() is ctx
    banner = shown.html[0]
    assert 'class="cj-banner"' in banner and 'data-origin="synthetic"' in banner
    # a short origin banner, then "About this page" (the published page moves it to its footer)
    about = banner[banner.index('<details class="cj-about"'):]
    assert "Synthetic data" in banner.split("<details")[0]
    for text in ("Plymouth", "site: plymouth", "disclosure threshold: 5", cj.__version__, "ab" * 32,
                 "2024-06-30", "Data manifest sha256"):
        assert text in about, text
    assert "data_dir" not in banner and "None" not in about
    # never the clock
    assert dt.date.today().isoformat() not in banner


def test_banner_for_real_data_and_for_all_sites(shown, monkeypatch):
    monkeypatch.setattr(report, "_load_dataset",
                        lambda d, s: FakeDataset(site=s, origin="real", manifest=FakeManifest(extra={})))
    ctx = cj.report.setup(site="all", data_dir="/secure/cj", disclosure_threshold=10, wave=2)
    banner = shown.html[-1]
    assert 'data-origin="real"' in banner and "All sites" in banner and "wave: 2" in banner
    assert "not stated in the data" in banner
    assert "/secure" not in banner and "a private data folder" in banner  # never the folder's path
    assert ctx.parameters() == {"site": "all", "data_dir": "/secure/cj", "disclosure_threshold": 10,
                                "wave": 2}


def test_setup_any_la(shown):
    ctx = cj.report.setup(site="E08000025", any_la=True)
    assert ctx.ds is None and ctx.la_code == "E08000025" and ctx.public_only and ctx.origin == "public"
    assert shown.loads == []
    assert "Official statistics" in shown.html[-1] and "data_dir" not in shown.html[-1]
    ctx = cj.report.setup(site="330", any_la=True)
    assert ctx.la_code == "330"
    ctx = cj.report.setup(site="brent", any_la=True)
    assert ctx.ds is not None and ctx.la_code == cj.sites.get("brent").la_new_code
    with pytest.raises(ValueError, match="local authority code"):
        cj.report.setup(site="leeds", any_la=True)


def test_setup_rejects_bad_parameters(shown):
    with pytest.raises(KeyError, match="valid sites"):
        cj.report.setup(site="leeds")
    with pytest.raises(KeyError):
        cj.report.setup(site="330")  # an LA code only with any_la
    with pytest.raises(TypeError):
        cj.report.setup(site="brent", disclosure_threshold="5")
    with pytest.raises(ValueError):
        cj.report.setup(site="brent", disclosure_threshold=0)
    assert shown.loads == []


def test_table_applies_disclosure_with_the_context_threshold(shown):
    cj.report.setup(site="brent", disclosure_threshold=10)
    t = pd.DataFrame({"Group": ["a", "b", "c"], "People": [7, 12, 30], "Mean": [2.5, 3.25, 4.0]})
    cj.report.table(t, caption="People by group", counts=["People"], percent_of={"Mean": "People"})
    html = shown.html[-1]
    assert "<caption>People by group</caption>" in html
    assert '>c</td>' in html and ">7<" not in html and ">12<" not in html
    assert '>30</td>' in html and '>4.0</td>' in html
    assert "fewer than 10 people" in html
    # the decision is logged in the context, positions and rules only
    log = report.current().disclosure_log
    assert {(d["row"], d["column"]) for d in log} >= {(0, "People"), (1, "People"), (0, "Mean")}
    assert all(d["table"] == "People by group" for d in log)


def test_table_html_formatting_and_escaping():
    t = pd.DataFrame({"Name": ["<b>x</b>", None], "n": pd.array([1234, None], dtype="Int64"),
                      "when": pd.to_datetime(["2021-10-01", "2022-01-31"])},
                     index=pd.Index(["one", "Total"], name="Row"))
    html = report.table_html(t, caption="A & B", decimals=2)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "A &amp; B" in html and "1,234" in html and report.MISSING in html
    assert "2021-10-01" in html and 'scope="row">one<' in html and 'class="cj-total"' in html
    assert 'scope="col">Row<' in html
    plain = report.table_html(pd.DataFrame({"x": [1.234]}), caption="c", decimals=2)
    assert "1.23" in plain and 'scope="row"' not in plain


def test_an_empty_table_says_so(shown):
    empty = pd.DataFrame({"Indicator": pd.Series([], dtype="str"),
                          "Council %": pd.Series([], dtype="Float64")})
    html = report.table_html(empty, caption="Latest year", index=False)
    assert f'<td colspan="2" class="cj-empty">{report.EMPTY_TABLE}</td>' in html
    assert '>Council %</th>' in html  # the headers still say what would be there
    report.table(empty, caption="Latest year shown", index=False, counts=["Council %"])
    assert report.EMPTY_TABLE in shown.html[-1]
    assert report.EMPTY_TABLE not in report.table_html(pd.DataFrame({"x": [1]}), caption="c")


def test_table_needs_a_caption(shown):
    with pytest.raises(ValueError):
        cj.report.table(pd.DataFrame({"x": [1]}), caption="")


def _chart(seed: int = 0):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [seed + 1, 3])
    ax.set_title("t")
    return fig


def test_figures_are_deterministic_png_with_alt_text_and_closed(shown):
    before = set(plt.get_fignums())
    a = report.png_bytes(_chart())
    b = report.png_bytes(_chart())
    assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"matplotlib" not in a.lower() and b"Software" not in a
    assert set(plt.get_fignums()) == before
    assert report.png_bytes(_chart(1)) != a
    cj.report.figure(_chart(), alt='Two bars "a" and b', caption="Demo",
                     data=cj.disclosure.declare(pd.DataFrame({"bar": ["a", "b"], "height": [1, 2]}), []))
    html = shown.html[-1]
    assert 'alt="Two bars &quot;a&quot; and b"' in html and "data:image/png;base64," in html
    assert "<figcaption>Demo</figcaption>" in html
    with pytest.raises(ValueError, match="alt text"):
        cj.report.figure(_chart(), alt=" ", data=cj.disclosure.declare(pd.DataFrame({"x": [1]}), []))
    # Axes are accepted too
    fig, ax = plt.subplots()
    assert report.png_bytes(ax)[:4] == b"\x89PNG"


def test_notes_caveats_and_key_figures(shown):
    cj.report.note("Fewer <than> five")
    cj.report.caveat("Small samples")
    assert "Fewer &lt;than&gt; five" in shown.html[0]
    assert "Caveat:" in shown.html[1] and "Small samples" in shown.html[1]
    cj.report.setup(site="brent", disclosure_threshold=5)
    cj.report.key_figures({"young people interviewed": 45, "in one group": 3, "none": 0})
    html = shown.html[-1]
    assert ">45<" in html and ">c<" in html and ">0<" in html and ">3<" not in html


def test_quotes_delegate_to_select_quotes(shown, monkeypatch):
    calls = []

    def select_quotes(segments, theme, n=3, site=None, deny=None):
        calls.append((segments, theme, n, site, deny))
        quotes = pd.DataFrame({"text": ["It <helped>", "Not much"],
                               "attribution": ["Young person", "Manager"]})
        return quotes, pd.DataFrame({"item": [1], "original": ["a secret name"]})

    logged = []
    monkeypatch.setitem(sys.modules, "carejourneys.sdc.quotes", types.SimpleNamespace(
        select_quotes=select_quotes,
        append_quotes_log=lambda sel, path, context: logged.append((path, context))))
    ctx = cj.report.setup(site="plymouth")
    ctx.ds.deny_list = pd.DataFrame({"site": ["all"], "term": ["x"], "tag": ["name"]})
    cj.report.quotes("Outcomes for young people", n=2, caption="In their words")
    assert calls[0][0] is ctx.ds.coded_segments
    assert calls[0][1:4] == ("Outcomes for young people", 2, "plymouth")
    assert calls[0][4] is ctx.ds.deny_list
    assert logged == []  # outside a build no log is written
    html = shown.html[-1]
    assert html.count('<blockquote class="cj-quote">') == 2
    assert "It &lt;helped&gt;" in html and "— Young person" in html and "In their words" in html
    assert "secret" not in html
    # lists of mappings and (quotes, log) pairs render too; the log never does
    html = report.quotes_html(([{"quote": "Fine", "role": "Stakeholder"}], ["log: secret"]))
    assert "Fine" in html and "Stakeholder" in html and "secret" not in html
    assert "No excerpt" in report.quotes_html([])


def test_logs_are_written_beside_the_page_during_a_build(shown, monkeypatch, tmp_path):
    monkeypatch.setenv("CAREJOURNEYS_STAGE", str(tmp_path))
    monkeypatch.setenv("CAREJOURNEYS_REPORT", "00_demo")
    assert report.log_path("disclosure") == tmp_path / "00_demo.disclosure.csv"
    assert report.log_path("../escape") is None
    cj.report.setup(site="brent")
    cj.report.table(pd.DataFrame({"people": [2, 30, 40]}), caption="T1", counts=["people"])
    import csv

    with open(tmp_path / "00_demo.disclosure.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    decisions = {(r["table"], r["row"], r["column"], r["rule"]) for r in rows}
    # rows counted as in a spreadsheet: the first record is row 2
    assert decisions == {("T1", "2", "people", "primary"), ("T1", "3", "people", "secondary")}
    assert {r["report"] for r in rows} == {"00_demo"}
    # the page never shows the log
    assert "primary" not in shown.html[-1] and "secondary" not in shown.html[-1]
    logged = []
    monkeypatch.setitem(sys.modules, "carejourneys.sdc.quotes", types.SimpleNamespace(
        select_quotes=lambda segments, theme, **kw: (pd.DataFrame({"text": ["ok"]}), pd.DataFrame()),
        append_quotes_log=lambda sel, path, context: logged.append((path, context))))
    cj.report.quotes("Barriers")
    assert logged == [(tmp_path / "00_demo.quotes.csv", "00_demo: Barriers")]


def _sites(values: list[int], labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"people": values}, index=pd.Index(labels, name="site"))


def test_tables_shown_together_are_protected_together(shown):
    """A count hidden in one table must not be shown in its breakdown (it would give the other away)."""
    cj.report.setup(site="all", disclosure_threshold=5)
    by_site = _sites([3, 40, 43], ["brent", "plymouth", "Total"])
    with_national = _sites([3, 40, 4, 47], ["brent", "plymouth", "national", "Total"])
    # protected one by one, plymouth's 40 is hidden in the first table and shown in the second,
    # so brent's 3 = 43 - 40 could be worked out: the reason for tables()
    alone = [cj.report.protected(t, counts="people") for t in (by_site, with_national)]
    assert alone[0].loc["plymouth", "people"] == "c" and alone[1].loc["plymouth", "people"] == 40
    cj.report.tables([by_site, with_national], captions=["People by site", "People by site and national"],
                     counts="people")
    first, second = shown.html[-2:]
    assert "<caption>People by site</caption>" in first and "national" in second
    together = cj.report.protected_together([by_site, with_national], counts="people")
    for label in ("brent", "plymouth"):  # the same number in both tables: hidden in both or in neither
        assert {str(t.loc[label, "people"]) for t in together} == {"c"}
    # national = 47 - (brent + plymouth) = 47 - 43: the second table's total is hidden too
    assert together[1].loc["national", "people"] == "c" and together[1].loc["Total", "people"] == "c"
    assert ">40<" not in first + second and ">47<" not in second
    tables_logged = {d["table"] for d in report.current().disclosure_log}
    assert tables_logged == {"People by site", "People by site and national"}


def test_tables_take_settings_per_table_or_for_all(shown):
    cj.report.setup(site="brent", disclosure_threshold=5)
    people = pd.DataFrame({"Group": ["a", "b", "c"], "People": [2, 12, 30]}).set_index("Group")
    scores = pd.DataFrame({"Group": ["a", "b", "d"], "n": [3, 20, 25], "Mean": [1.25, 2.5, 3.75]})
    cj.report.tables([people, scores], captions=["People", "Scores"], counts=[["People"], ["n"]],
                     percent_of=[None, {"Mean": "n"}], decimals=[0, {"Mean": 2}],
                     footnotes=[["Counted once."], []], index=[None, False])
    first, second = shown.html[-2:]
    assert "Counted once." in first and "Counted once." not in second
    assert '>c</td>' in second and "1.25" not in second and "3.75" in second
    assert '<th scope="row">a</th>' in first and '<th scope="row">' not in second
    with pytest.raises(ValueError, match="caption"):
        cj.report.tables([people, scores], captions=["only one"], counts="People")
    with pytest.raises(ValueError, match="at least one"):
        cj.report.tables([], captions=[])


def test_tables_need_protection_to_show_the_same_number_the_same_way(shown):
    """Property: whatever the counts, a cell with the same label and value in two tables is shown
    in both or hidden in both, and every count below the threshold is hidden."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cj.report.setup(site="all", disclosure_threshold=5)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.integers(0, 30), min_size=2, max_size=4), st.integers(0, 30))
    def check(counts: list[int], extra: int) -> None:
        labels = [f"s{i}" for i in range(len(counts))]
        a = _sites([*counts, sum(counts)], [*labels, "Total"])
        b = _sites([*counts, extra, sum(counts) + extra], [*labels, "other", "Total"])
        ta, tb = cj.report.protected_together([a, b], counts="people")
        for label in labels:
            assert (ta.loc[label, "people"] == "c") == (tb.loc[label, "people"] == "c")
        for t, src in ((ta, a), (tb, b)):
            small = src["people"].between(1, 4)
            assert (t.loc[small, "people"] == "c").all()

    check()


def test_cells_withheld_before_display_are_logged_too(shown, monkeypatch, tmp_path):
    """A metric may hand over a table that already shows c: the log still has a line for each."""
    monkeypatch.setenv("CAREJOURNEYS_STAGE", str(tmp_path))
    monkeypatch.setenv("CAREJOURNEYS_REPORT", "01_demo")
    cj.report.setup(site="brent")
    given = pd.DataFrame({"Measure": ["a", "b"], "Pairs": [12, 3], "Mean change": [0.4, "c"]})
    cj.report.table(given, caption="Given", counts=["Pairs"], index=False)
    import csv

    with open(tmp_path / "01_demo.disclosure.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    decisions = {(r["row"], r["row_label"], r["column"], r["rule"]) for r in rows}
    assert ("3", "b", "Mean change", report.UPSTREAM_RULE) in decisions  # already c when given
    assert ("3", "b", "Pairs", "primary") in decisions
    assert sum(r["column"] == "Mean change" for r in rows) == 1  # logged once
    assert shown.html[-1].count('>c</td>') <= len(rows)
