"""Jonckheere-Terpstra test for an ordered trend across groups, exact for small groups.

:func:`jonckheere_terpstra` takes groups in their hypothesised order (e.g. seniority) and returns
a :class:`JTResult` whose ``method`` names how the p-value was found:

* **exact** (:data:`EXACT_LABEL`): the complete permutation distribution of J given the pooled
  values, ties included - every way of sharing the observed values among groups of the observed
  sizes is equally likely under no trend. It is computed without listing the assignments, by
  placing the distinct values from smallest to largest and counting, for each way of sharing a
  block of tied values among the groups, how many assignments lead to each J (exact integer
  arithmetic; tested against full enumeration). Used whenever that computation is small enough
  (always for totals up to about 12, and far beyond for a few groups).
* **Monte Carlo permutation** (:data:`MONTE_CARLO_LABEL`): when the exact distribution is too big
  to compute quickly but the groups are not large (total up to :data:`MAX_MONTE_CARLO_N`), the
  p-value is estimated from seeded random reassignments of the observed values, as
  (count + 1) / (shuffles + 1) so that it is never 0.
* **normal approximation** (:data:`NORMAL_LABEL`): z from the exact permutation mean and the
  tie-corrected variance (Hollander, Wolfe & Chicken 2014, section 6.2), used only for large
  groups, and labelled so.

J counts, over every pair of groups i < j, the pairs of observations with the later group's value
larger, ties counting one half. Two-sided p = min(1, 2 * min(P(J <= j), P(J >= j))), the
convention used for the signed-rank test in :mod:`carejourneys.metrics.outcomes`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Alternative = Literal["two-sided", "increasing", "decreasing"]
Method = Literal["auto", "exact", "monte-carlo", "normal"]

EXACT_LABEL = "exact (complete permutation distribution, ties included)"
NORMAL_LABEL = "normal approximation (large groups; tie-corrected variance)"
MONTE_CARLO_LABEL = "Monte Carlo permutation ({n:,} seeded random reassignments)"
#: above this many observations in all, the normal approximation is used
MAX_MONTE_CARLO_N = 300

#: the exact distribution is computed when (states x values of J) is at most this many cells
MAX_EXACT_CELLS = 4_000_000


@dataclass(frozen=True)
class JTResult:
    """Result of :func:`jonckheere_terpstra`. ``mean``/``variance`` are J's permutation mean and
    (tie-corrected) variance; ``z`` = (J - mean) / sqrt(variance) is given whatever the method;
    ``p_value`` is NaN when the test is not defined (every value the same), with ``note`` saying so."""

    statistic: float
    mean: float
    variance: float
    z: float
    p_value: float
    alternative: str
    method: str
    sizes: tuple[int, ...]
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.method == EXACT_LABEL

    def as_dict(self) -> dict:
        return {"statistic": self.statistic, "z": self.z, "p_value": self.p_value,
                "alternative": self.alternative, "method": self.method,
                "sizes": " / ".join(map(str, self.sizes)), "note": self.note}


def _clean(groups: Sequence[Sequence[float]]) -> list[np.ndarray]:
    arrays = [np.asarray(pd.to_numeric(pd.Series(list(g), dtype="object"), errors="coerce"), dtype=float)
              for g in groups]
    arrays = [a[~np.isnan(a)] for a in arrays]
    if sum(len(a) > 0 for a in arrays) < 2:
        raise ValueError("the Jonckheere-Terpstra test needs at least two non-empty groups")
    return [a for a in arrays if len(a)]


def jt_statistic(groups: Sequence[Sequence[float]]) -> float:
    """J: over every pair of groups i < j, pairs with the later group's value larger (ties 1/2)."""
    arrays = _clean(groups)
    j = 0.0
    for i in range(len(arrays)):
        for k in range(i + 1, len(arrays)):
            a, b = arrays[i][:, None], arrays[k][None, :]
            j += float((b > a).sum() + 0.5 * (b == a).sum())
    return j


def jt_moments(groups: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Permutation mean and tie-corrected variance of J (Hollander, Wolfe & Chicken)."""
    arrays = _clean(groups)
    n = np.array([len(a) for a in arrays], dtype=float)
    big_n = n.sum()
    _, t = np.unique(np.concatenate(arrays), return_counts=True)
    t = t.astype(float)
    mean = (big_n ** 2 - (n ** 2).sum()) / 4
    var = (big_n * (big_n - 1) * (2 * big_n + 5) - (n * (n - 1) * (2 * n + 5)).sum()
           - (t * (t - 1) * (2 * t + 5)).sum()) / 72
    if big_n > 2:
        var += ((n * (n - 1) * (n - 2)).sum() * (t * (t - 1) * (t - 2)).sum()
                / (36 * big_n * (big_n - 1) * (big_n - 2)))
    var += (n * (n - 1)).sum() * (t * (t - 1)).sum() / (8 * big_n * (big_n - 1))
    return float(mean), float(var)


def _exact_cells(sizes: Sequence[int]) -> int:
    states = math.prod(s + 1 for s in sizes)
    pairs = sum(sizes[i] * sizes[k] for i in range(len(sizes)) for k in range(i + 1, len(sizes)))
    return states * (2 * pairs + 1)


def _compositions(t: int, caps: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every way of writing t as c_1 + ... + c_k with 0 <= c_g <= caps[g]."""
    if len(caps) == 1:
        if t <= caps[0]:
            yield (t,)
        return
    for c in range(min(t, caps[0]) + 1):
        for rest in _compositions(t - c, caps[1:]):
            yield (c, *rest)


def exact_distribution(groups: Sequence[Sequence[float]]) -> dict[int, int]:
    """The permutation distribution of 2J: {2J: number of assignments}, in exact integers.

    Every assignment of the pooled (labelled) observations to groups of the observed sizes counts
    once; the counts sum to N! / (n_1! ... n_k!)."""
    arrays = _clean(groups)
    sizes = [len(a) for a in arrays]
    k = len(sizes)
    _, ties = np.unique(np.concatenate(arrays), return_counts=True)
    # state: how many of each group hold the values placed so far -> {2J so far: ways}
    states: dict[tuple[int, ...], dict[int, int]] = {tuple([0] * k): {0: 1}}
    for t in (int(x) for x in ties):
        nxt: dict[tuple[int, ...], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for placed, dist in states.items():
            caps = [sizes[g] - placed[g] for g in range(k)]
            for c in _compositions(t, caps):
                ways = math.factorial(t)
                for x in c:
                    ways //= math.factorial(x)
                # the block's values are larger than every value placed before and tie each other
                add = 0
                below = 0  # observations of earlier groups placed before
                tied = 0   # observations of earlier groups in this block
                for g in range(k):
                    add += c[g] * (2 * below + tied)
                    below += placed[g]
                    tied += c[g]
                new = tuple(placed[g] + c[g] for g in range(k))
                target = nxt[new]
                for j2, w in dist.items():
                    target[j2 + add] += w * ways
        states = {s: dict(d) for s, d in nxt.items()}
    (final,) = states.values()
    return dict(sorted(final.items()))


def _monte_carlo_js(arrays: list[np.ndarray], n_shuffles: int, seed: int) -> np.ndarray:
    """J of ``n_shuffles`` seeded random reassignments of the pooled values to groups of the same sizes."""
    values = np.concatenate(arrays)
    order = np.argsort(values, kind="stable")
    v = values[order]
    block = np.searchsorted(np.unique(v), v)          # tie block of each sorted position (contiguous)
    first = np.searchsorted(v, v, side="left")        # first position of that block
    starts = np.unique(first)
    labels0 = np.concatenate([np.full(len(a), g) for g, a in enumerate(arrays)])
    k = len(arrays)
    rng = np.random.default_rng(seed)
    out = np.empty(n_shuffles)
    chunk = max(1, 2_000_000 // (len(values) * k))
    for start in range(0, n_shuffles, chunk):
        b = min(chunk, n_shuffles - start)
        lab = rng.permuted(np.tile(labels0, (b, 1)), axis=1)  # labels of the sorted positions
        onehot = (lab[:, :, None] == np.arange(k)[None, None, :]).astype(np.int32)
        before = np.cumsum(onehot, axis=1) - onehot    # per group, positions strictly before
        below = before[:, first, :]                    # per group, values strictly smaller
        totals = np.add.reduceat(onehot, starts, axis=1)
        within = totals[:, block, :] - onehot          # per group, other values tied with this one
        # earlier groups only: cumulative over groups, shifted by one
        cum_below = np.cumsum(below, axis=2) - below
        cum_within = np.cumsum(within, axis=2) - within
        pick = lab[:, :, None]
        j = (np.take_along_axis(cum_below, pick, axis=2)[..., 0]
             + 0.5 * np.take_along_axis(cum_within, pick, axis=2)[..., 0]).sum(axis=1)
        out[start:start + b] = j
    return out


def jonckheere_terpstra(groups: Sequence[Sequence[float]], alternative: Alternative = "two-sided",
                        *, method: Method = "auto", max_exact_cells: int = MAX_EXACT_CELLS,
                        n_shuffles: int = 20_000, seed: int = 2024) -> JTResult:
    """Jonckheere-Terpstra test of an ordered trend across ``groups`` (in their hypothesised order).

    ``alternative``: ``"two-sided"``, ``"increasing"`` (later groups larger) or ``"decreasing"``.
    ``method="auto"`` computes the exact permutation distribution whenever it has at most
    ``max_exact_cells`` cells (small groups); otherwise a seeded Monte Carlo permutation p (``n_shuffles``
    reassignments) up to :data:`MAX_MONTE_CARLO_N` observations, and the normal approximation beyond;
    ``"exact"``, ``"monte-carlo"`` and ``"normal"`` force one. Empty groups are dropped. ``method`` in
    the result names what was used."""
    if alternative not in ("two-sided", "increasing", "decreasing"):
        raise ValueError("alternative must be two-sided, increasing or decreasing")
    if method not in ("auto", "exact", "monte-carlo", "normal"):
        raise ValueError("method must be auto, exact, monte-carlo or normal")
    arrays = _clean(groups)
    sizes = tuple(len(a) for a in arrays)
    j = jt_statistic(arrays)
    mean, var = jt_moments(arrays)
    z = (j - mean) / math.sqrt(var) if var > 0 else float("nan")
    if var <= 0:
        return JTResult(j, mean, var, z, float("nan"), alternative,
                        EXACT_LABEL if method != "normal" else NORMAL_LABEL, sizes,
                        "not defined: every value is the same")
    if method == "auto":
        method = ("exact" if _exact_cells(list(sizes)) <= max_exact_cells
                  else "monte-carlo" if sum(sizes) <= MAX_MONTE_CARLO_N else "normal")
    if method == "exact":
        dist = exact_distribution(arrays)
        total = sum(dist.values())
        j2 = int(round(2 * j))
        le = sum(w for v, w in dist.items() if v <= j2) / total
        ge = sum(w for v, w in dist.items() if v >= j2) / total
        label = EXACT_LABEL
    elif method == "monte-carlo":
        js = _monte_carlo_js(arrays, n_shuffles, seed)
        eps = 1e-9
        le = (float((js <= j + eps).sum()) + 1) / (n_shuffles + 1)
        ge = (float((js >= j - eps).sum()) + 1) / (n_shuffles + 1)
        label = MONTE_CARLO_LABEL.format(n=n_shuffles)
    else:
        le, ge = float(stats.norm.cdf(z)), float(stats.norm.sf(z))
        label = NORMAL_LABEL
    p = {"increasing": ge, "decreasing": le, "two-sided": 2 * min(le, ge)}[alternative]
    return JTResult(j, mean, var, float(z), float(min(1.0, p)), alternative, label, sizes)
