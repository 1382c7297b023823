"""The committed public extract: equal to the official files, reproducible, small, readable."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pandas as pd
import pytest
import yaml

import carejourneys as cj
from carejourneys.inputs import public
from carejourneys.inputs.loaders.dfe import SYMBOLS, measure_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DFE = SHARED / "public-data" / "dfe"
EXTRACT = ROOT / "data" / "public"


def need_dfe() -> Path:
    if not DFE.exists():
        pytest.skip("../shared/public-data/dfe is absent")
    return DFE


def raw(name: str) -> list[dict]:
    with open(need_dfe() / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def area_code(r: dict) -> str:
    if r["geographic_level"] == "National":
        return "E92000001"
    if r["geographic_level"] == "Regional":
        return r["region_code"]
    return r["new_la_code"]


@pytest.fixture(scope="module")
def pub():
    return public.load_public(EXTRACT)


@pytest.mark.parametrize("name,table", [("la_care_leavers_activity.csv", "activity"),
                                        ("la_care_leavers_accommodation_suitability.csv", "accommodation")])
def test_extract_figures_equal_the_published_ones(pub, name, table):
    rows = raw(name)
    got = pub.care_leavers.set_index(["area_code", "time_period", "table", "age", "measure"])
    assert got.index.is_unique
    n = 0
    for r in rows:
        m = measure_of(table, r["breakdown"])
        key = (area_code(r), int(r["time_period"]), table, r["care_leaver_age"].split(" ")[0] + "-"
               + r["care_leaver_age"].split(" ")[2], m)
        g = got.loc[key]
        for col in ("count", "percent"):
            v = r[f"care_leaver_{col}"]
            if v in SYMBOLS:
                assert g[f"{col}_symbol"] == v and pd.isna(g[col]), key
            else:
                assert g[col] == float(v) and pd.isna(g[f"{col}_symbol"]), key
        n += 1
    assert n == len(rows) == (pub.care_leavers["table"] == table).sum()


def test_rebuild_is_byte_identical_to_the_committed_extract(tmp_path):
    dfe_dir = need_dfe()
    files = public.build_extract(dfe_dir, tmp_path)
    assert {p.name for p in files} == {p.name for p in EXTRACT.iterdir() if p.suffix in (".csv", ".yml")}
    for p in files:
        assert p.read_bytes() == (EXTRACT / p.name).read_bytes(), f"{p.name} differs: run `make public`"


def test_extract_is_small_and_has_provenance():
    total = sum(p.stat().st_size for p in EXTRACT.iterdir() if p.is_file())
    assert total < 1_000_000
    prov = yaml.safe_load((EXTRACT / "provenance.yml").read_text())
    for src in prov["sources"].values():
        assert src["publisher"] and src["release"] and src["table"]
        assert "Open Government Licence" in src["licence"]
        assert len(src["sha256"]) == 64
    assert set(prov["files"]) == {p.name for p in EXTRACT.glob("*.csv")}
    assert (EXTRACT / "README.md").exists()


def test_sources_recorded_are_the_shared_files():
    dfe_dir = need_dfe()
    prov = yaml.safe_load((EXTRACT / "provenance.yml").read_text())
    for src in prov["sources"].values():
        assert public._sha256(dfe_dir / src["file"]) == src["sha256"]


def test_workforce_rates_equal_published():
    rows = [r for r in raw("csww_indicators_2017_to_2025.csv") if r["geographic_level"] == "Local authority"]
    for code in ("304", "879", "E06000026"):
        wf = cj.public.workforce(code).set_index("time_period")
        mine = [r for r in rows if code in (r["old_la_code"], r["new_la_code"])]
        assert len(wf) == len(mine) >= 9
        for r in mine:
            for m in ("turnover_rate_fte", "vacancy_rate_fte", "agency_rate_fte"):
                v = r[m]
                got = wf.loc[int(r["time_period"]), m]
                if v in SYMBOLS:
                    assert pd.isna(got) and wf.loc[int(r["time_period"]), f"{m}_symbol"] == v
                else:
                    assert got == float(v)


def test_workforce_keeps_symbols(pub):
    wf = pub.workforce
    sym = wf["vacancy_rate_fte_symbol"].notna()
    assert sym.any()
    assert wf.loc[sym, "vacancy_rate_fte"].isna().all()


def test_neighbours_equal_the_groupings():
    need_dfe()
    with open(DFE / "New_Statistical_Neighbour_Groupings_April_2021.csv", encoding="utf-8-sig") as f:
        rows = {r[0]: r for r in csv.reader(f)}
    assert cj.public.neighbours("brent", 2021) == [rows["304"][5 + 2 * k] for k in range(10)]
    with open(DFE / "sn_model_2025_wide.csv", encoding="utf-8-sig") as f:
        rows = {r[0]: r for r in csv.reader(f)}
    assert cj.public.neighbours("E06000026", 2025) == [rows["879"][4 + 2 * k] for k in range(10)]


def test_neighbour_medians_recomputed_from_the_official_file(pub):
    rows = raw("la_care_leavers_activity.csv")
    med = pub.neighbour_medians.set_index(["la_old_code", "model", "time_period", "age", "table", "measure"])
    for site in ("304", "879"):
        for model in (2021, 2025):
            nbs = set(cj.public.neighbours(site, model))
            for year in (2021, 2025):
                vals = [float(r["care_leaver_percent"]) for r in rows
                        if r["old_la_code"] in nbs and r["time_period"] == str(year)
                        and r["care_leaver_age"] == "19 to 21 years"
                        and r["breakdown"] == "Total in education, employment or training"
                        and r["care_leaver_percent"] not in SYMBOLS]
                got = med.loc[(site, model, year, "19-21", "activity", "eet")]
                assert got["median_percent"] == pytest.approx(statistics.median(vals))
                assert got["n_neighbours"] == len(vals)


def test_ofsted_latest_matches_the_as_at_sheet():
    need_dfe()
    grid = pd.read_excel(DFE / "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
                         sheet_name="Inspections_as_at_31_March", header=2, engine="odf")
    for code in ("E09000005", "E06000026", "E08000025", "E10000016"):
        row = grid[grid["Local authority area code"] == code].iloc[0]
        of = cj.public.ofsted(code)
        last = of.sort_values("inspection_date").iloc[-1]
        assert last["inspection_date"] == pd.Timestamp(row["Inspection date"])
        assert last["overall"] == row["Overall effectiveness"]


def test_areas_resolve_by_any_code(pub):
    assert pub.area("brent")["area_code"] == "E09000005"
    assert pub.area("304")["name"] == pub.area("E09000005")["name"] == "Brent"
    assert pub.area("england")["area_code"] == public.ENGLAND
    with pytest.raises(KeyError, match="not a council"):
        pub.area("999")
    assert cj.public.is_area_code("879") and not cj.public.is_area_code("nowhere")
    assert (pub.areas["geographic_level"] == "Local authority").sum() >= 150


def test_comparators_are_cited_and_marked(pub):
    c = pub.comparators
    assert len(c) and c["citation"].str.len().gt(20).all() and c["url"].str.startswith("http").all()
    assert set(c["verified"]) <= {"yes", "secondary", "unverified"}
    assert set(c["comparator"]) <= set(cj.schemas.BRIGHT_SPOTS_COMPARATORS)


def test_missing_extract_says_how_to_make_it(tmp_path):
    with pytest.raises(cj.DataError, match="make public"):
        public.load_public(tmp_path)


def test_cli_public_writes_the_extract(tmp_path):
    dfe_dir = need_dfe()
    from carejourneys.cli import main

    assert main(["public", str(dfe_dir), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "care_leavers.csv").exists()


def test_council_codes_name_every_council_once_by_a_code_that_resolves():
    codes = public.council_codes()
    areas = public.load_public().areas
    councils = areas[areas["geographic_level"] == "Local authority"]
    assert codes == sorted(set(codes)) and len(codes) >= 150
    assert all(cj.sites.LA_CODE.match(c) for c in codes)
    # each council listed once; the rows combining two councils' figures are left out
    combined = councils["area_code"].str.contains(" / ")
    assert 0 < combined.sum() <= 5
    assert len(codes) == len(councils) - combined.sum()
    assert not any(" / " in c for c in codes)  # (each council of a combined row has a row of its own)
    by_code = {c: areas.loc[public.resolve_area(c, areas)] for c in codes}
    assert all(row["geographic_level"] == "Local authority" for row in by_code.values())
    assert {"E09000005", "E06000026"} <= set(codes)  # Brent and Plymouth


def test_cli_all_councils_asks_for_every_council(monkeypatch):
    from carejourneys import cli
    from carejourneys.publish import build
    asked = {}

    class Result:
        ok = True
        reports = [build.ReportResult("04_care_leaver_indicators", "brent", "ok")]

    monkeypatch.setattr(build, "run", lambda **kw: asked.update(kw) or Result())
    args = ["build", "--all-councils", "--site", "brent", "--notebook", "04_care_leaver_indicators"]
    assert cli.main(args) == 0
    assert asked["sites"] == ["brent", *public.council_codes()]
    assert asked["notebooks"] == ["04_care_leaver_indicators"]
    assert cli.main(["build", "--all-councils"]) == 0  # every site as usual, and every council
    assert asked["sites"] == ["brent", "plymouth", "all", *public.council_codes()]
    assert asked["notebooks"] is None
