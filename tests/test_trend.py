"""Jonckheere-Terpstra: exact permutation p for small groups (checked by full enumeration), the
normal approximation only for large groups and labelled."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourneys.metrics import trend as tr


def _j(groups):
    j = 0.0
    for i in range(len(groups)):
        for k in range(i + 1, len(groups)):
            for x in groups[i]:
                for y in groups[k]:
                    j += 1.0 if y > x else 0.5 if y == x else 0.0
    return j


def _enumerate(groups):
    """Every assignment of the pooled labelled observations to groups of the same sizes: J of each."""
    pooled = [x for g in groups for x in g]
    sizes = [len(g) for g in groups]

    def assignments(free: tuple[int, ...], k: int):
        if k == len(sizes) - 1:
            yield [list(free)]
            return
        for chosen in itertools.combinations(free, sizes[k]):
            rest = tuple(i for i in free if i not in chosen)
            for tail in assignments(rest, k + 1):
                yield [list(chosen), *tail]

    return [_j([[pooled[i] for i in g] for g in a]) for a in assignments(tuple(range(len(pooled))), 0)]


def _enumerated_p(groups, alternative="two-sided"):
    js = _enumerate(groups)
    j = _j(groups)
    le = sum(x <= j + 1e-9 for x in js) / len(js)
    ge = sum(x >= j - 1e-9 for x in js) / len(js)
    return {"two-sided": min(1.0, 2 * min(le, ge)), "increasing": ge, "decreasing": le}[alternative]


def test_issue_case_is_exact_0_100():
    groups = [[1], [0, 0, 0], [-1]]
    assert len(_enumerate(groups)) == 20
    assert _enumerated_p(groups) == pytest.approx(0.1)
    res = tr.jonckheere_terpstra(groups)
    assert res.method == tr.EXACT_LABEL and res.exact
    assert res.p_value == pytest.approx(0.1, abs=1e-12)
    assert res.statistic == 0
    # the normal approximation gives the misleading 0.029 the issue reports
    approx = tr.jonckheere_terpstra(groups, method="normal")
    assert approx.method == tr.NORMAL_LABEL and approx.p_value == pytest.approx(0.029, abs=0.001)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-2, 2), min_size=0, max_size=4), min_size=2, max_size=4),
       st.sampled_from(["two-sided", "increasing", "decreasing"]))
def test_exact_matches_full_enumeration(groups, alternative):
    groups = [g for g in groups if g]
    if len(groups) < 2 or sum(map(len, groups)) > 9:
        return
    res = tr.jonckheere_terpstra(groups, alternative)
    if len(set(x for g in groups for x in g)) == 1:
        assert math.isnan(res.p_value) and res.note
        return
    assert res.method == tr.EXACT_LABEL
    assert res.statistic == _j(groups)
    assert res.p_value == pytest.approx(_enumerated_p(groups, alternative), abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_exact_distribution_moments_equal_the_tie_corrected_formula(seed):
    rng = np.random.default_rng(seed)
    groups = [list(rng.integers(0, 4, int(rng.integers(2, 7)))) for _ in range(int(rng.integers(2, 5)))]
    dist = tr.exact_distribution(groups)
    sizes = [len(g) for g in groups]
    assert sum(dist.values()) == math.factorial(sum(sizes)) // math.prod(math.factorial(s) for s in sizes)
    total = sum(dist.values())
    mean = sum(v / 2 * w for v, w in dist.items()) / total
    var = sum((v / 2 - mean) ** 2 * w for v, w in dist.items()) / total
    m, v = tr.jt_moments(groups)
    assert mean == pytest.approx(m) and var == pytest.approx(v)


def test_large_groups_use_the_labelled_normal_approximation():
    rng = np.random.default_rng(3)
    groups = [list(rng.normal(i * 0.2, 1, 80)) for i in range(4)]
    res = tr.jonckheere_terpstra(groups)
    assert res.method == tr.NORMAL_LABEL and not res.exact
    from scipy import stats
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(res.z)))


def test_monte_carlo_reassignments_follow_the_exact_distribution():
    groups = [[1, 0], [0, 0, 1], [-1, 2]]
    dist = tr.exact_distribution(groups)
    total = sum(dist.values())
    js = tr._monte_carlo_js([np.asarray(g, dtype=float) for g in groups], 40_000, seed=5)
    assert set(np.unique(2 * js).astype(int)) <= set(dist)
    for v, w in dist.items():
        assert np.mean(2 * js == v) == pytest.approx(w / total, abs=0.01)


def test_middle_sized_groups_use_a_labelled_seeded_monte_carlo_p_close_to_exact():
    rng = np.random.default_rng(0)
    groups = [list(np.round(rng.uniform(-1, 1, s) * 3) / 3) for s in (6, 7, 5, 4)]
    res = tr.jonckheere_terpstra(groups, max_exact_cells=10_000)  # as if too big to compute exactly
    assert res.method == tr.MONTE_CARLO_LABEL.format(n=20_000) and not res.exact
    assert res.p_value == tr.jonckheere_terpstra(groups, max_exact_cells=10_000).p_value  # seeded
    exact = tr.jonckheere_terpstra(groups)
    assert exact.exact and res.p_value == pytest.approx(exact.p_value, abs=0.015)


def test_total_of_twelve_is_exact_and_agrees_with_enumeration():
    groups = [[0, 1, 1, 2], [1, 2, 2, 3], [2, 3, 4, 4]]
    res = tr.jonckheere_terpstra(groups)
    assert res.exact
    assert res.p_value == pytest.approx(_enumerated_p(groups), abs=1e-12)


def test_bad_input():
    with pytest.raises(ValueError):
        tr.jonckheere_terpstra([[1, 2], []])
    with pytest.raises(ValueError):
        tr.jonckheere_terpstra([[1], [2]], "up")
