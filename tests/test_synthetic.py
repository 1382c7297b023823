"""Tests of the synthetic replica (carejourneys.inputs.synthetic) and of the committed data/synthetic/."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from carejourneys.inputs import schemas
from carejourneys.inputs.manifest import MANIFEST, check_manifest, read_manifest
from carejourneys.inputs.synthetic import generate
from carejourneys.inputs.synthetic._io import csv_bytes

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "synthetic"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("synth_a")
    generate(d, seed=2024)
    return d


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _parse(path: Path, source: schemas.Source) -> pd.DataFrame:
    """Light parsing of a contract CSV: text stays text, empty cells are missing, kinds converted."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    for f in source.fields:
        if f.name not in df:
            continue
        if f.kind == schemas.INT:
            df[f.name] = pd.to_numeric(df[f.name]).astype("Int64")
        elif f.kind == schemas.FLOAT:
            df[f.name] = pd.to_numeric(df[f.name]).astype("Float64")
        elif f.kind == schemas.DATE:
            fmt = "%d/%m/%Y" if source.name == "oc3" else "%Y-%m-%d"
            df[f.name] = pd.to_datetime(df[f.name], format=fmt).astype("datetime64[ns]")
        else:
            df[f.name] = df[f.name].astype("str")
    return df


def _load(out: Path, name: str) -> pd.DataFrame:
    return _parse(out / schemas.SOURCES[name].filename, schemas.SOURCES[name])


def _oc3_paths(root: Path) -> list[tuple[str, int, Path]]:
    return [(site, year, root / site / f"oc3_{year}.csv") for site, years in schemas.OC3_YEARS.items()
            for year in years]


# ------------------------------------------------------------------------------------ determinism


def test_same_seed_is_byte_identical(out, tmp_path):
    generate(tmp_path, seed=2024)
    assert _files(tmp_path) == _files(out)


def test_different_seed_differs(out, tmp_path):
    generate(tmp_path, seed=7)
    a, b = _files(out), _files(tmp_path)
    assert a["coded_segments.csv"] != b["coded_segments.csv"]
    assert a["fieldwork.csv"] != b["fieldwork.csv"]
    assert a[MANIFEST] != b[MANIFEST]


def test_committed_data_equals_generator_output(out):
    """The "regenerates and compares" check: data/synthetic/ is exactly generate(seed=2024)."""
    assert (COMMITTED / MANIFEST).is_file(), "run `carejourneys synth data/synthetic --seed 2024`"
    committed, fresh = _files(COMMITTED), _files(out)
    assert sorted(committed) == sorted(fresh)
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert not changed, f"data/synthetic differs from the generator in {changed[:5]}"


def test_regenerating_into_used_folder_removes_stale_transcripts(tmp_path):
    stale = tmp_path / "transcripts" / "OLD-I-999.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("left over", encoding="utf-8")
    old_return = tmp_path / "brent" / "oc3_2015.csv"
    old_return.parent.mkdir(parents=True)
    old_return.write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n", encoding="utf-8")
    generate(tmp_path, seed=3)
    assert not stale.exists() and not old_return.exists()
    assert check_manifest(tmp_path) == []


def test_negative_seed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="seed"):
        generate(tmp_path, seed=-1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.one_of(st.none(), st.integers(-10**6, 10**6)),
                          st.dates(date(1990, 1, 1), date(2030, 12, 31))), max_size=8))
def test_csv_writer_round_trips(rows):
    """csv_bytes writes text, integers, missing values and ISO dates that read back unchanged."""
    data = [{"t": t, "n": n, "d": d} for t, n, d in rows]
    raw = csv_bytes(data, ["t", "n", "d"])
    assert not raw.startswith(b"\xef\xbb\xbf")
    back = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert back[0] == ["t", "n", "d"]
    assert b"\r" not in raw
    expected = [[t.replace("\r\n", "\n").replace("\r", "\n"), "" if n is None else str(n), d.isoformat()]
                for t, n, d in rows]
    assert back[1:] == expected


# ------------------------------------------------------------------------------------ format and contract


def test_manifest_lists_every_file_with_origin_and_seed(out):
    assert check_manifest(out) == []
    m = read_manifest(out)
    assert m.origin == "synthetic"
    assert m.extra["generator"] == {"package": "carejourneys", "seed": 2024}
    assert {e.origin for e in m.files} == {"synthetic"}
    for name, src in schemas.SOURCES.items():
        if name != "oc3":
            assert src.filename in m.paths


def test_files_are_utf8_without_bom_with_lf(out):
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.suffix != ".qdpx":  # REFI-QDA projects are zip archives
            raw = p.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf"), p
            assert b"\r" not in raw, p
            raw.decode("utf-8")


@pytest.mark.parametrize("name", [n for n in schemas.SOURCES if n != "oc3"])
def test_every_source_has_its_columns_and_validates(out, name):
    src = schemas.SOURCES[name]
    path = out / src.filename
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == src.columns
    df = _parse(path, src)
    assert len(df) > 0
    src.schema.validate(df, lazy=True)
    if src.site_column:
        assert set(df[src.site_column]) >= {"brent", "plymouth"} or name in {
            "prepost_survey", "pa_survey", "facilitator_ratings"}


def test_oc3_returns_validate_and_follow_dfe_rules(out):
    src = schemas.SOURCES["oc3"]
    paths = _oc3_paths(out)
    assert [(s, y) for s, y, _ in paths] == [("brent", 2021), ("brent", 2022), ("brent", 2023),
                                              ("plymouth", 2022), ("plymouth", 2023)]
    for site, year, path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert tuple(header) == schemas.OC3_COLUMNS
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^\d+,\d{2}/\d{2}/\d{4},", text.splitlines()[1])
        df = _parse(path, src)
        src.schema.validate(df, lazy=True)
        assert df["CHILD"].is_unique
        lo, hi = {"brent": (300, 400), "plymouth": (250, 350)}[site]
        assert lo <= len(df) <= hi, (site, year, len(df))
        # every care leaver is 17-21 at their birthday in the year 1 April (year-1) to 31 March (year)
        dob = df["DOB"]
        cohort = dob.dt.year + (dob.dt.month >= 4).astype(int)
        assert ((year - cohort) >= 17).all() and ((year - cohort) <= 21).all()
        gone = df["IN_TOUCH"].isin(["DIED", "RHOM"])
        assert (df.loc[gone, "ACTIV"] == "0").all() and (df.loc[gone, "ACCOM"] == "0").all()
        yes = df["IN_TOUCH"] == "YES"
        assert (df.loc[yes, "ACTIV"] != "0").all() and (df.loc[yes, "ACCOM"] != "0").all()
        assert not df["ACTIV"].isin(schemas.OC3_ACTIV_LEGACY).any()


def test_oc3_rates_near_published_figures(out):
    """EET of 19-21 year olds within 10 points of the council's published rate for that year."""
    dfe = SHARED / "public-data" / "dfe" / "la_care_leavers_activity.csv"
    if not dfe.is_file():
        pytest.skip("shared public data not available")
    pub = pd.read_csv(dfe, encoding="utf-8-sig", dtype=str)
    codes = {"brent": "304", "plymouth": "879"}
    for site, year, path in _oc3_paths(out):
        sel = pub[(pub["old_la_code"] == codes[site]) & (pub["time_period"] == str(year))
                  & (pub["care_leaver_age"] == "19 to 21 years")]
        total = float(sel.loc[sel["breakdown"] == "Total", "care_leaver_count"].iloc[0])
        eet = float(sel.loc[sel["breakdown"] == "Total in education, employment or training",
                            "care_leaver_count"].iloc[0])
        df = _parse(path, schemas.SOURCES["oc3"])
        dob = df["DOB"]
        age = year - (dob.dt.year + (dob.dt.month >= 4).astype(int))
        older = df[age >= 19]
        ours = older["ACTIV"].isin(schemas.OC3_ACTIV_EET).mean()
        assert abs(ours - eet / total) < 0.10, (site, year, ours, eet / total)
        acc = SHARED / "public-data" / "dfe" / "la_care_leavers_accommodation_suitability.csv"
        if acc.is_file():
            pa = pd.read_csv(acc, encoding="utf-8-sig", dtype=str)
            sel = pa[(pa["old_la_code"] == codes[site]) & (pa["time_period"] == str(year))
                     & (pa["care_leaver_age"] == "19 to 21 years")]
            count = sel.set_index("breakdown")["care_leaver_count"].astype(float)
            published = count["Accommodation considered suitable"] / count["Suitability total"]
            suitable = older["ACCOM"].str.endswith("1").mean()
            assert abs(suitable - published) < 0.10, (site, year, suitable, published)


# ------------------------------------------------------------------------------------ calibration


def test_fieldwork_calibrated_to_published_sample(out):
    fw = _load(out, "fieldwork")
    interviews = fw[fw["method"] == "interview"]
    by_group = interviews.groupby("participant_group")["n_participants"].sum()
    assert by_group["young_person"] == 45
    assert by_group[["cj_staff", "la_staff", "stakeholder"]].sum() == 97
    assert by_group["barnardos_staff"] == 13
    assert (interviews["n_participants"] == 1).all()
    assert set(interviews.loc[interviews["participant_group"] == "barnardos_staff", "site"]) == {"national"}
    assert set(interviews.loc[interviews["participant_group"] != "barnardos_staff", "site"]) == {"brent",
                                                                                                 "plymouth"}
    fg = fw[fw["method"] == "focus_group"]
    assert len(fg) == 4 and fg["n_participants"].between(4, 8).all()
    assert len(fw[fw["method"] == "observation"]) == 45
    assert (fw["method"] == "document_review").sum() > 0
    for wave, (lo, hi) in schemas.WAVE_PERIODS.items():
        dates = fw.loc[fw["wave"] == wave, "date"]
        assert dates.between(pd.Timestamp(lo), pd.Timestamp(hi)).all()


def test_transcripts_match_fieldwork(out):
    fw = _load(out, "fieldwork")
    linked = fw[fw["method"].isin(["interview", "focus_group"])]
    assert linked["source_id"].notna().all()
    assert fw.loc[~fw["method"].isin(["interview", "focus_group"]), "source_id"].isna().all()
    names = {p.stem for p in (out / "transcripts").glob("*.txt")}
    assert names == set(linked["source_id"])
    for p in sorted((out / "transcripts").glob("*.txt")):
        text = p.read_text("utf-8")
        assert p.stem in text.splitlines()[0]
        assert "{" not in text and not re.search(r"\bthe the\b", text, re.IGNORECASE), p.name


def test_segments_point_into_their_transcripts(out):
    seg = _load(out, "coded_segments")
    assert 1500 <= len(seg) <= 3000
    cache: dict[str, str] = {}
    for r in seg.itertuples(index=False):
        text = cache.setdefault(r.source_id, (out / "transcripts" / f"{r.source_id}.txt").read_text("utf-8"))
        assert text[r.start:r.end] == r.text, r.segment_id


def test_segments_use_the_codebook_and_consistent_roles(out):
    seg = _load(out, "coded_segments")
    assert set(seg["code_path"]) <= set(schemas.code_paths())
    assert (seg["theme"] == seg["code_path"].str.split("/").str[0]).all()
    expected = {"Young person": {"not_applicable"}, "Staff member": {"practitioner"}, "Manager": {"manager"},
                "Senior leader": {"senior_leader"}, "Stakeholder": set(schemas.STAFF_SENIORITY)}
    for role, levels in seg.groupby("role")["seniority"]:
        assert set(levels) <= expected[role], role
    assert seg.groupby("speaker_id")["role"].nunique().max() == 1
    # nearly every excerpt carries a theme code and a valence code
    first = seg[seg["coder"] == "coder_a"]
    has_valence = first.groupby(["source_id", "start"])["theme"].apply(lambda t: "Valence" in set(t))
    assert has_valence.all()
    yp = first[first["role"] == "Young person"]
    assert set(schemas.OUTCOME_DOMAINS.values()) <= set(yp["code_path"])


def test_young_people_interviewed_are_in_the_register(out):
    seg = _load(out, "coded_segments")
    people = _load(out, "young_people").set_index("young_person_id")
    yp = seg[seg["role"] == "Young person"].groupby("speaker_id")[["date", "site"]].first()
    assert len(yp) == 45
    assert set(yp.index) <= set(people.index)
    assert (people.loc[yp.index, "site"] == yp["site"]).all()
    assert (people.loc[yp.index, "first_contact"] <= yp["date"] - pd.Timedelta(days=14)).all()


def test_contact_details_planted_are_fictional(out):
    text = "\n".join(p.read_text("utf-8") for p in sorted((out / "transcripts").glob("*.txt")))
    phones = re.findall(r"\b07\d{3} ?\d{6}\b", text)
    emails = re.findall(r"[\w.]+@[\w.]+", text)
    assert phones and emails
    assert all(p.replace(" ", "").startswith("07700900") for p in phones)  # Ofcom's drama range
    assert all(e.endswith("@example.org") for e in emails)


def test_double_coding_mostly_agrees(out):
    seg = _load(out, "coded_segments")
    assert set(seg["coder"]) == {"coder_a", "coder_b"}
    sets = seg.groupby(["coder", "source_id", "start", "end"])["code_path"].apply(frozenset).unstack("coder")
    both = sets.dropna()
    assert len(both) >= 100
    assert set(both.index.get_level_values("source_id")) < set(seg["source_id"])
    agree = (both["coder_a"] == both["coder_b"]).mean()
    assert 0.5 < agree < 0.98


def test_surveys_calibrated(out):
    pp = _load(out, "prepost_survey")
    assert pp["respondent_id"].nunique() == 15
    assert set(pp["site"]) == {"plymouth"} and pp["activity"].nunique() == 3
    assert (pp.groupby("respondent_id")["timepoint"].apply(sorted) == pd.Series(
        [["post", "pre"]] * 15, index=sorted(pp["respondent_id"].unique()))).all()
    items = [*schemas.SWEMWBS_ITEMS, *schemas.UCLA_ITEMS, *schemas.ONS_ITEMS]
    missing = pp[items].isna().sum(axis=1).groupby(pp["respondent_id"]).sum()
    assert missing.max() == 1 and 2 <= (missing == 1).sum() <= 6
    total = pp[list(schemas.SWEMWBS_ITEMS)].mean(axis=1) * 7  # prorated total
    wide = total.groupby([pp["respondent_id"], pp["timepoint"]]).first().unstack()
    change = wide["post"] - wide["pre"]
    assert 0 < change.mean() < 7
    assert (change <= 0).any()
    # the improvement is modest: a paired t-test agrees with the direction but it is not overwhelming
    t = stats.ttest_rel(wide["post"], wide["pre"])
    assert t.statistic > 0

    retro = _load(out, "retrospective_survey")
    assert len(retro) == 11 and set(retro["site"]) == {"brent", "plymouth"}
    pa = _load(out, "pa_survey")
    assert pa["response_id"].nunique() == 8 and pa["young_person_ref"].nunique() == 15 and len(pa) == 15
    assert set(pa["site"]) == {"brent"}
    people = _load(out, "young_people").set_index("young_person_id")
    assert (people.loc[pa["young_person_ref"], "care_status"] == "care_leaver").all()
    change_cols = [f"change_{d}" for d in schemas.PA_DOMAINS]
    assert (pa[change_cols] == schemas.PA_DONT_KNOW).to_numpy().sum() >= 1
    fr = _load(out, "facilitator_ratings")
    assert len(fr) == 9


def test_prepost_respondents_took_part_in_the_activity(out):
    pp = _load(out, "prepost_survey")
    part = _load(out, "participation")
    pre = pp[pp["timepoint"] == "pre"]
    seen = set(zip(part["young_person_id"], part["activity"], part["date"], strict=True))
    for r in pp.itertuples():  # every questionnaire was completed at a session in the register
        assert (r.respondent_id, r.activity, r.completed_on) in seen, r
    people = _load(out, "young_people").set_index("young_person_id")
    joined = people.loc[pre["respondent_id"], "first_contact"].to_numpy()
    assert (joined <= pre["completed_on"].to_numpy()).all()
    post = pp[pp["timepoint"] == "post"].set_index("respondent_id")["completed_on"]
    weeks = (post - pre.set_index("respondent_id")["completed_on"]).dt.days / 7
    assert weeks.between(6, 12.5).all()


def test_activities_named_in_surveys_exist(out):
    acts = _load(out, "activities")
    known = set(zip(acts["site"], acts["name"], strict=True))
    for name in ("prepost_survey", "retrospective_survey", "facilitator_ratings", "participation"):
        df = _load(out, name)
        assert set(zip(df["site"], df["activity"], strict=True)) <= known, name


def test_participation_grows_then_ends_with_programme(out):
    from carejourneys.sites import get

    part = _load(out, "participation")
    people = _load(out, "young_people")
    assert set(part["young_person_id"]) <= set(people["young_person_id"])
    assert set(part["role"]) == set(schemas.PARTICIPATION_ROLES)
    for site in ("brent", "plymouth"):
        p = part[part["site"] == site]
        end = pd.Timestamp(get(site).programme_end)
        assert p["date"].max() <= end and p["date"].min() >= pd.Timestamp("2019-01-01")
        per_year = p.groupby(p["date"].dt.year).size()
        assert per_year[2023] > per_year[2020]
    # Plymouth took on no new young people in its last eighteen months
    ply = people[people["site"] == "plymouth"]
    assert ply["first_contact"].max() < pd.Timestamp("2022-11-01")
    pop = _load(out, "population")
    totals = pop.groupby(["site", "care_status", "characteristic"])["count"].sum().unstack("characteristic")
    assert (totals.nunique(axis=1) == 1).all()  # each breakdown adds up to the same population


# ------------------------------------------------------------------------------------ planted patterns


def _milestone(ms: pd.DataFrame, site: str, initiative: str, word: str) -> pd.Series:
    rows = ms[(ms["site"] == site) & (ms["initiative"] == initiative)
              & ms["milestone"].str.contains(word, case=False)]
    assert len(rows) == 1, (initiative, word)
    return rows.iloc[0]


def test_lifelong_links_delay(out):
    ms = _load(out, "milestones")
    proposal = _milestone(ms, "plymouth", "Lifelong Links", "proposal")
    worker = _milestone(ms, "plymouth", "Lifelong Links", "worker")
    launch = _milestone(ms, "plymouth", "Lifelong Links", "launch")
    assert proposal["actual_date"].year == 2021
    assert (launch["planned_date"].year, launch["planned_date"].month) == (2021, 10)
    assert worker["actual_date"].year == 2023 and worker["actual_date"].month in (6, 7, 8)
    years = (worker["actual_date"] - proposal["actual_date"]).days / 365.25
    assert 1.75 < years < 2.5
    assert ms["actual_date"].isna().any()  # some milestones never reached


def test_journey_bags_friday_hub_and_programme_end(out):
    ms = _load(out, "milestones")
    packed = _milestone(ms, "plymouth", "Journey Bags", "packed")
    assert "200" in packed["milestone"] and packed["actual_date"] <= pd.Timestamp("2023-04-30")
    in_use = _milestone(ms, "plymouth", "Journey Bags", "in use")
    assert in_use["actual_date"] <= pd.Timestamp("2024-04-30") and in_use["actual_date"].year == 2024
    acts = _load(out, "activities")
    hub = acts[(acts["site"] == "plymouth") & (acts["name"] == "Friday Hub")].iloc[0]
    assert (hub["end"].year, hub["end"].month) == (2023, 12)
    ended = {s: _milestone(ms, s, "Programme", "ended")["actual_date"] for s in ("brent", "plymouth")}
    assert (ended["plymouth"].year, ended["plymouth"].month) == (2024, 4)
    assert (ended["brent"].year, ended["brent"].month) == (2024, 3)


def test_other_plymouth_work_on_hold_while_lifelong_links_was_negotiated(out):
    ms = _load(out, "milestones")
    acts = _load(out, "activities")
    part = _load(out, "participation")
    ll = ms[(ms["site"] == "plymouth") & (ms["initiative"] == "Lifelong Links")]
    start, end = ll["actual_date"].min(), ll["actual_date"].max()
    ply = acts[acts["site"] == "plymouth"]
    paused = ply[ply["status"].isin(["paused", "stopped"]) & (ply["start"] <= end) & (ply["end"] >= start)]
    assert len(paused) >= 2
    p = part[part["site"] == "plymouth"]
    quarterly = p.groupby(p["date"].dt.to_period("Q")).size()
    quarterly = quarterly.reindex(pd.period_range("2019Q1", "2024Q4", freq="Q"), fill_value=0)
    hold = quarterly[pd.Period("2021Q3"):pd.Period("2022Q2")]
    year_before = quarterly[pd.Period("2020Q3"):pd.Period("2021Q2")]
    assert hold.mean() < 0.5 * year_before.mean()
    # only the Friday Hub and the workers' own support for young people carried on through it
    during = p[(p["date"] >= "2021-07-01") & (p["date"] <= "2022-08-31")]
    assert set(during["activity"]) <= {"Friday Hub", "One-to-one and group work", "Positive Connectors"}
    assert "Friday Hub" in set(during["activity"])


def test_partnership_board_gap_in_plymouth_only(out):
    mt = _load(out, "meetings")
    board = mt[mt["forum"] == "partnership_board"].sort_values("date")
    gaps = {site: g["date"].diff().dt.days.max() for site, g in board.groupby("site")}
    assert 240 <= gaps["plymouth"] <= 300  # about nine months without a board meeting
    assert gaps["brent"] <= 70  # otherwise every six to eight weeks
    typical = board[board["site"] == "plymouth"]["date"].diff().dt.days.median()
    assert 40 <= typical <= 60
    assert set(mt["forum"]) == set(schemas.FORUMS)
    # young people sit on Brent's board only once the milestone says they joined it
    joined = _milestone(_load(out, "milestones"), "brent", "Youth Voice Panel", "partnership board")
    brent_board = board[board["site"] == "brent"]
    assert (brent_board.loc[brent_board["date"] < joined["actual_date"], "young_people_present"] == 0).all()
    assert (brent_board.loc[brent_board["date"] >= joined["actual_date"], "young_people_present"] > 0).any()


def _positive_by_seniority(seg: pd.DataFrame, site: str) -> pd.DataFrame:
    v = seg[(seg["coder"] == "coder_a") & (seg["site"] == site) & (seg["theme"] == "Valence")
            & (seg["seniority"] != "not_applicable")]
    return pd.crosstab(v["seniority"], v["code_path"] == "Valence/Positive")


def test_seniority_gradient_in_plymouth(out):
    seg = _load(out, "coded_segments")
    ply = _positive_by_seniority(seg, "plymouth")
    share = ply[True] / ply.sum(axis=1)
    assert share["senior_leader"] > share["manager"] > share["practitioner"]
    assert share["senior_leader"] - share["practitioner"] > 0.2
    chi2, p, _, _ = stats.chi2_contingency(ply.to_numpy())
    assert p < 0.01
    bre = _positive_by_seniority(seg, "brent")
    bshare = bre[True] / bre.sum(axis=1)
    ply_gradient = share["senior_leader"] - share["practitioner"]
    assert abs(bshare["senior_leader"] - bshare["practitioner"]) < ply_gradient


def test_rubric_and_learning_points_use_contract_codes(out):
    rb = _load(out, "rubric")
    assert len(rb) == 2 * 3 * len(schemas.RUBRIC_OUTCOMES)
    lp = _load(out, "learning_points")
    codes = set(schemas.code_paths())
    for paths in lp["code_paths"]:
        assert set(paths.split(";")) <= codes


# ------------------------------------------------------------------------------------ privacy


def test_planted_terms_are_in_the_deny_list(out):
    deny = _load(out, "deny_list")
    text = "\n".join(p.read_text("utf-8") for p in sorted((out / "transcripts").glob("*.txt")))
    used = [t for t in deny["term"] if t in text]
    assert len(used) >= 0.5 * len(deny)
    for tag in ("name", "place", "service"):
        assert set(deny.loc[deny["tag"] == tag, "term"]) & set(used), tag


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def test_no_text_from_the_seeds(out):
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared seeds not available")
    grams: set[tuple[str, ...]] = set()
    for p in sorted(seeds.glob("*")):
        w = _words(p.read_text("utf-8", errors="replace"))
        grams |= {tuple(w[i:i + 8]) for i in range(len(w) - 7)}
    assert grams
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.suffix in {".txt", ".csv", ".yml"}:
            w = _words(p.read_text("utf-8"))
            hits = {tuple(w[i:i + 8]) for i in range(len(w) - 7)} & grams
            assert not hits, (p.name, sorted(hits)[:3])


def test_generation_uses_independent_streams():
    """Changing one stream's draws must not shift another's: same seed, same fieldwork, always."""
    from carejourneys.inputs.synthetic._io import rng_for

    a = rng_for(5, "fieldwork").random(3)
    b = rng_for(5, "qualitative").random(3)
    assert not np.allclose(a, b)
    assert np.array_equal(a, rng_for(5, "fieldwork").random(3))


XSD = Path(__file__).resolve().parents[2] / "shared" / "samples" / "qdpx" / "Project.xsd"


@pytest.mark.parametrize("site", ["brent", "plymouth"])
def test_each_site_ships_a_refi_qda_project_holding_the_same_segments(out, site):
    import zipfile

    from carejourneys.inputs.loaders.qdpx import read_qdpx

    path = out / f"{site}.qdpx"
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("project.qde")
    if XSD.is_file():
        from lxml import etree

        schema = etree.XMLSchema(etree.parse(str(XSD)))
        doc = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        assert schema.validate(doc), schema.error_log
    project = read_qdpx(path)
    csv = pd.read_csv(out / "coded_segments.csv", dtype=str, keep_default_na=False)
    csv = csv[csv["site"] == site]
    cols = ["source_id", "code_path", "text", "start", "end", "coder"]
    got = project.segments[cols].astype(str).sort_values(cols).reset_index(drop=True)
    want = csv[cols].astype(str).sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_manifest_states_the_data_date_as_the_last_fieldwork_event(out):
    import yaml

    doc = yaml.safe_load((out / "manifest.yml").read_text(encoding="utf-8"))
    fw = pd.read_csv(out / "fieldwork.csv", dtype=str)
    assert doc["data_date"] == max(fw["date"])
