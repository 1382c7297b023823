"""metrics.qualitative: prevalence, framework matrix, co-occurrence, valence, agreement, saturation."""

from __future__ import annotations

import itertools

import krippendorff
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from openpyxl import load_workbook
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from carejourneys.metrics import qualitative as q

OY = "Outcomes for young people"


def _frame(rows):
    cols = ["segment_id", "source_id", "speaker_id", "site", "role", "seniority", "wave", "code_path", "text",
            "start", "end", "coder", "date"]
    df = pd.DataFrame(rows, columns=cols)
    df["start"] = df["start"].astype("Int64")
    df["end"] = df["end"].astype("Int64")
    return df


def _sample():
    R = [
        # id, source, speaker, site, role, seniority, wave, code, text, start, end, coder, date
        ("a1", "i1", "p1", "plymouth", "Young person", "not_applicable", 1, f"{OY}/Social connections",
         "made friends", 0, 12, "A", "2020-01-01"),
        ("a2", "i1", "p1", "plymouth", "Young person", "not_applicable", 1, "Valence/Positive",
            "made friends",
         0, 12, "A", "2020-01-01"),
        ("a3", "i1", "p1", "plymouth", "Young person", "not_applicable", 1, "Barriers", "buses were late",
         20, 35, "A", "2020-01-01"),
        ("a4", "i1", "p1", "plymouth", "Young person", "not_applicable", 1, f"{OY}/Skills and knowledge",
         "made friends and learnt", 0, 24, "A", "2020-01-01"),
        ("b1", "i2", "p2", "plymouth", "Manager", "manager", 2, "Barriers", "slow decisions", 5, 19, "A",
         "2021-03-01"),
        ("b2", "i2", "p2", "plymouth", "Manager", "manager", 2, "Valence/Negative", "slow decisions", 5,
            19, "A",
         "2021-03-01"),
        ("c1", "g3", "p3", "brent", "Staff member", "practitioner", 2, "Enablers", "good team", 0, 9, "A",
         "2021-04-01"),
        ("c2", "g3", "p4", "brent", "Senior leader", "senior_leader", 2, "Enablers", "strong sponsor", 10, 24,
         "A", "2021-04-01"),
        ("c3", "g3", "p4", "brent", "Senior leader", "senior_leader", 2, "Valence/Positive", "strong sponsor",
         10, 24, "A", "2021-04-01"),
        # coder B double-codes i1's first passage identically: still one passage
        ("d1", "i1", "p1", "plymouth", "Young person", "not_applicable", 1, f"{OY}/Social connections",
         "made friends", 0, 12, "B", "2020-01-01"),
    ]
    return _frame(R)


def test_theme_prevalence_counts_passages_sources_and_people():
    seg = _sample()
    out = q.theme_prevalence(seg, by=["site"])
    ply = out[out["site"] == "plymouth"].set_index("theme")
    assert ply.loc[OY, "passages"] == 2  # (0,12) and (0,24); coder B's copy is the same passage
    assert ply.loc[OY, "segments"] == 3
    assert ply.loc["Barriers", ["passages", "sources", "people"]].tolist() == [2, 2, 2]
    assert ply.loc[OY, "group_people"] == 2
    assert ply.loc[OY, "percent_people"] == 50.0
    assert "Valence" not in set(out["theme"])
    brent = out[out["site"] == "brent"].set_index("theme")
    assert brent.loc["Enablers", "people"] == 2 and brent.loc["Enablers", "sources"] == 1
    # the same from first principles
    for (site, theme), g in seg.assign(t=seg["code_path"].str.split("/").str[0]).groupby(["site", "t"]):
        if theme == "Valence":
            continue
        row = out[(out["site"] == site) & (out["theme"] == theme)].iloc[0]
        assert row["people"] == g["speaker_id"].nunique()
        assert row["passages"] == len(set(zip(g["source_id"], g["start"], g["end"], strict=True)))
    overall = q.theme_prevalence(seg, by=[])
    assert overall.set_index("theme").loc["Barriers", "people"] == 2


def test_framework_matrix_and_xlsx(tmp_path):
    seg = _sample()
    m = q.framework_matrix(seg)
    assert list(m.columns[:3]) == ["site", "role", "seniority"]
    assert m.loc["p1", f"{OY}/Social connections"] == "[1 passage] “made friends”"
    assert m.loc["p2", f"{OY}/Social connections"] == ""
    assert m.loc["p2", "Barriers"].startswith("[1 passage]")
    assert not any(c.startswith("Valence") for c in m.columns)
    path = q.write_framework_xlsx(seg, tmp_path / "framework.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Index"
    assert OY in wb.sheetnames
    ws = wb[OY]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Case", "site", "role", "seniority"]
    assert "Social connections" in header and "Skills and knowledge" in header
    assert [c.value for c in ws["A"]][1:] == ["p1"]  # only cases with a passage under the theme
    assert ws.freeze_panes == "E2"


def test_framework_matrix_anonymises_when_asked():
    seg = _sample()
    seg.loc[0, "text"] = "made friends with Jordan at Tamar House"
    deny = pd.DataFrame({"site": ["all", "all"], "term": ["Jordan", "Tamar House"], "tag": ["name", "place"]})
    m = q.framework_matrix(seg, anonymise_with=deny)
    cell = m.loc["p1", f"{OY}/Social connections"]
    assert "Jordan" not in cell and "[name]" in cell and "[place]" in cell


def test_cooccurrence_against_brute_force():
    rng = np.random.default_rng(7)
    rows = []
    for k in range(60):
        s = int(rng.integers(0, 200))
        rows.append((f"s{k}", f"src{rng.integers(0, 4)}", None, "brent", "Manager", "manager", 1,
                     str(rng.choice(["Enablers", "Barriers", f"{OY}/Social connections", "Collaboration"])),
                     "x", s, s + int(rng.integers(1, 40)), "A", "2021-01-01"))
    seg = _frame(rows)
    m = q.cooccurrence(seg, unit="passage")
    # brute force: build overlap components with union-find, then count components having both codes
    parent = list(range(len(seg)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    r = seg.to_dict("records")
    for i, j in itertools.combinations(range(len(r)), 2):
        same = r[i]["source_id"] == r[j]["source_id"]
        if same and r[i]["start"] < r[j]["end"] and r[j]["start"] < r[i]["end"]:
            parent[find(i)] = find(j)
    comp: dict[int, set] = {}
    for i in range(len(r)):
        comp.setdefault(find(i), set()).add(r[i]["code_path"])
    for a, b in itertools.product(m.index, m.columns):
        assert m.loc[a, b] == sum(1 for cs in comp.values() if a in cs and b in cs)
    by_source = q.cooccurrence(seg, unit="source")
    for a, b in itertools.product(by_source.index, by_source.columns):
        want = sum(1 for _, g in seg.groupby("source_id") if {a, b} <= set(g["code_path"]))
        assert by_source.loc[a, b] == want
    assert (m.to_numpy() == m.to_numpy().T).all()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_agreement_matches_statsmodels_and_krippendorff(seed):
    rng = np.random.default_rng(seed)
    codes = ["Enablers", "Barriers", f"{OY}/Skills and knowledge"]
    rows = []
    k = 0
    for src in range(6):
        for p in range(8):
            start = p * 10
            for coder in ("A", "B"):
                for c in codes:
                    base = rng.random() < 0.4
                    use = base if coder == "A" or rng.random() < 0.8 else not base
                    if use:
                        k += 1
                        rows.append((f"x{k}", f"s{src}", None, "brent", "Manager", "manager", 1, c, "t",
                            start,
                                     start + 5, coder, "2021-01-01"))
    seg = _frame(rows)
    units = q.agreement_units(seg)
    res = q.intercoder_agreement(seg).set_index("code")
    for code, g in units.groupby("code"):
        a, b = g["A"].to_numpy(), g["B"].to_numpy()
        table = np.zeros((2, 2))
        np.add.at(table, (a, b), 1)
        assert res.loc[code, "kappa"] == pytest.approx(sm_kappa(table).kappa, abs=1e-9)
        want_alpha = krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                        level_of_measurement="nominal")
        assert res.loc[code, "alpha"] == pytest.approx(want_alpha, abs=1e-9)
        assert res.loc[code, "percent_agreement"] == round(100 * float((a == b).mean()), 1)
    # every passage either coder coded is a unit for every code
    n_passages = seg[["source_id", "start", "end"]].drop_duplicates().shape[0]
    assert (res["units"] == n_passages).all()


def test_alpha_with_missing_values_and_three_coders():
    rng = np.random.default_rng(11)
    data = rng.integers(0, 3, size=(3, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    assert q.krippendorff_alpha_nominal(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)


def _valence_frame(rng, n_per_group=30, shift=(0.0, 0.5, 1.0)):
    rows = []
    k = 0
    for g, sh in zip(["practitioner", "manager", "senior_leader"], shift, strict=True):
        for i in range(n_per_group):
            score = int(np.clip(np.round(rng.normal(0.8 + sh, 0.8)), 0, 2))
            k += 1
            rows.append((f"v{k}", f"src{k}", f"{g}{i % 10}", "plymouth", "Manager", g, 1,
                         f"Valence/{q.VALENCE_ORDER[score]}", "t", 0, 5, "A", "2021-01-01"))
    return _frame(rows)


def test_valence_comparison_effect_sizes_match_scipy():
    seg = _valence_frame(np.random.default_rng(5))
    res = q.valence_comparison(seg)
    v = q.valence_scores(seg)
    samples = [v.loc[v["seniority"] == g, "score"].to_numpy(float) for g in res.groups]
    h, p = stats.kruskal(*samples)
    assert res.kw_h == pytest.approx(h) and res.kw_p == pytest.approx(p)
    assert res.epsilon_squared == pytest.approx(h / (sum(map(len, samples)) - 1))
    for d in res.deltas.itertuples():
        x = v.loc[v["seniority"] == d.higher, "score"].to_numpy(float)
        y = v.loc[v["seniority"] == d.lower, "score"].to_numpy(float)
        u = stats.mannwhitneyu(x, y, alternative="two-sided")
        assert d.cliffs_delta == pytest.approx(2 * u.statistic / (len(x) * len(y)) - 1)
        assert d.p == pytest.approx(u.pvalue)
    assert res.odds_ratio > 1 and res.or_low < res.odds_ratio < res.or_high  # planted upward trend
    assert res.table["percent_positive"].is_monotonic_increasing


def test_cumulative_logit_reduces_to_logistic_regression_with_two_levels():
    rng = np.random.default_rng(9)
    rows = []
    for k in range(120):
        g = ["practitioner", "senior_leader"][k % 2]
        pos = rng.random() < (0.3 if g == "practitioner" else 0.6)
        rows.append((f"v{k}", f"s{k}", f"p{k}", "plymouth", "Manager", g, 1,
                     "Valence/Positive" if pos else "Valence/Negative", "t", 0, 5, "A", "2021-01-01"))
    seg = _frame(rows)
    res = q.valence_comparison(seg, order=("practitioner", "senior_leader"))
    v = q.valence_scores(seg)
    y = (v["score"] == 2).astype(float)
    x = sm.add_constant((v["seniority"] == "senior_leader").astype(float))
    logit = sm.Logit(y, x).fit(disp=False)
    assert res.odds_ratio == pytest.approx(np.exp(logit.params.iloc[1]), rel=1e-3)
    assert res.or_p == pytest.approx(logit.pvalues.iloc[1], rel=1e-2)


def test_saturation_curve():
    seg = _sample()
    curve = q.saturation(seg)
    assert curve["source_id"].tolist() == ["i1", "i2", "g3"]  # by date
    assert curve["new_codes"].tolist() == [3, 0, 1]
    assert curve["cumulative_codes"].tolist() == [3, 3, 4]
    assert curve["percent_of_final"].iloc[-1] == 100.0
    assert q.saturation_point(pd.DataFrame({"n": [1, 2, 3, 4, 5], "new_codes": [3, 1, 0, 0, 0]})) == 2
    assert q.saturation_point(curve) is None
    by_site = q.saturation(seg, by="site")
    assert by_site.groupby("site")["n"].max().to_dict() == {"brent": 1, "plymouth": 2}


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_character_agreement_matches_per_character_arrays(seed):
    rng = np.random.default_rng(seed)
    lengths = {"s1": 120, "s2": 80}
    codes = ["Enablers", "Barriers"]
    rows = []
    k = 0
    for src, n in lengths.items():
        for coder in ("A", "B"):
            for _ in range(6):
                a = int(rng.integers(0, n - 5))
                k += 1
                rows.append((f"c{k}", src, None, "brent", "Manager", "manager", 1, str(rng.choice(codes)),
                             "t", a, min(n, a + int(rng.integers(1, 30))), coder, "2021-01-01"))
    seg = _frame(rows)
    res = q.intercoder_agreement(seg, unit="character", source_lengths=lengths).set_index("code")
    for code in codes:
        arrays = {}
        for coder in ("A", "B"):
            parts = []
            for src, n in lengths.items():
                x = np.zeros(n, dtype=int)
                sub = seg[(seg["source_id"] == src) & (seg["coder"] == coder) & (seg["code_path"] == code)]
                for r in sub.itertuples():
                    x[r.start:r.end] = 1
                parts.append(x)
            arrays[coder] = np.concatenate(parts)
        a, b = arrays["A"], arrays["B"]
        table = np.zeros((2, 2))
        np.add.at(table, (a, b), 1)
        assert res.loc[code, "units"] == len(a) == sum(lengths.values())
        assert res.loc[code, "kappa"] == pytest.approx(sm_kappa(table).kappa, abs=1e-9)
        want = krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                  level_of_measurement="nominal")
        assert res.loc[code, "alpha"] == pytest.approx(want, abs=1e-9)
        assert res.loc[code, "units_coded"] == int((a | b).sum())
