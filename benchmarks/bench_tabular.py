"""Speed of read_source against a bare pandas.read_csv (ratio printed; target within 3x).

    .venv/bin/python benchmarks/bench_tabular.py [ROWS]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.inputs.loaders.tabular import read_source


def write_participation(path: Path, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    pd.DataFrame({
        "young_person_id": [f"YP{i:05d}" for i in rng.integers(0, 3000, n)],
        "site": rng.choice(["brent", "plymouth"], n),
        "activity": rng.choice(["Friday Hub", "Wellbeing Workshops", "Skills Academy"], n),
        "date": days.strftime("%d/%m/%Y"),
        "role": rng.choice(["participant", "co-designer", "volunteer", "paid"], n),
    }).to_csv(path, index=False)


def best(f, k: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU time (all threads) of ``k`` runs."""
    wall, cpu = [], []
    for _ in range(k):
        t, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "participation.csv"
        write_participation(path, n)
        base = best(lambda: pd.read_csv(path))
        ours = best(lambda: read_source("participation", path))
    print(f"{n} rows: pandas.read_csv {base[0]:.2f}s, read_source {ours[0]:.2f}s, "
          f"ratio {ours[0] / base[0]:.1f}x (target <= 3x)")
    print(f"CPU: pandas.read_csv {base[1]:.2f}s, read_source {ours[1]:.2f}s, "
          f"ratio {ours[1] / base[1]:.1f}x (steadier than wall time on a busy machine)")


if __name__ == "__main__":
    main()
