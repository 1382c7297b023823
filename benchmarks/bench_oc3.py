"""Speed of the OC3 loader: read_oc3 on 1,000,000 care leaver rows against a bare pandas.read_csv.

    .venv/bin/python benchmarks/bench_oc3.py [ROWS]

Writes a valid OC3 file of ROWS rows (default 1,000,000; random but seeded) to a temporary folder,
then times the best of three runs of ``pandas.read_csv(path)`` and of
``carejourneys.inputs.loaders.read_oc3(path, 2023)`` (which also checks every rule and validates the
schema) and prints the ratio. Target: within 3x of the bare read.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.errors import DataWarning
from carejourneys.inputs import schemas
from carejourneys.inputs.loaders.oc3 import read_oc3

YEAR = 2023


def write_oc3(path: Path, n: int, seed: int = 903) -> None:
    rng = np.random.default_rng(seed)
    age = rng.integers(17, 22, n)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    year = np.where(month >= 4, YEAR - 1, YEAR) - age
    dob = [f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(day, month, year, strict=True)]
    touch = rng.choice(["YES", "NO", "REFU", "NREQ", "DIED", "RHOM", ""], n,
                       p=[.8, .05, .04, .04, .01, .01, .05])
    activ = rng.choice([*schemas.OC3_ACTIV_EET, *schemas.OC3_ACTIV_NEET], n)
    accom = rng.choice([c for c in schemas.OC3_ACCOM if c != "0"], n)
    gone = np.isin(touch, ["DIED", "RHOM"])
    blank = touch == ""
    activ = np.where(gone, "0", np.where(blank, "", activ))
    accom = np.where(gone, "0", np.where(blank, "", accom))
    pd.DataFrame({"CHILD": np.arange(100000, 100000 + n).astype(str), "DOB": dob, "IN_TOUCH": touch,
                  "ACTIV": activ, "ACCOM": accom}).to_csv(path, index=False)


def best_of(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU time (all threads) of ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main(n: int = 1_000_000) -> float:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"oc3_{YEAR}.csv"
        write_oc3(path, n)
        bare = best_of(lambda: pd.read_csv(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            ours = best_of(lambda: read_oc3(path, YEAR))
    ratio = ours[0] / bare[0]
    print(f"rows: {n:,}")
    print(f"pandas.read_csv: {bare[0]:.3f} s wall, {bare[1]:.3f} s CPU")
    print(f"read_oc3:        {ours[0]:.3f} s wall, {ours[1]:.3f} s CPU  (rules checked and schema validated)")
    print(f"CPU ratio:       {ours[1] / bare[1]:.2f}x  (steadier than wall time on a busy machine)")
    verdict = "OK" if ratio <= 3 else "SLOWER THAN TARGET"
    print(f"ratio:           {ratio:.2f}x  (target: within 3x) {verdict}")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
