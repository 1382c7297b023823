"""Speed of the indicators report for many councils: time per council.

    .venv/bin/python benchmarks/bench_councils.py [--councils 20 | --all] [--jobs N] [--fresh-kernels]

Builds ``04_care_leaver_indicators`` (which accepts any local authority code) for councils of the
official files (``carejourneys.inputs.public``: every area at "Local authority" level of
``areas.csv`` with a single
code; two rows give a pair of merged councils' codes and are left out),
with ``cj.build.run(force=True)`` into a temporary folder: first one council alone, then the
sample (default 20 councils, spread evenly over the list; ``--all``: every council). Prints the
time per council and the time each extra council adds,
``(T(sample) - T(one)) / (len(sample) - 1)``, against the target of 1.5 s per extra council on
2 cores. ``--fresh-kernels`` starts a kernel per report instead of keeping one per job (the
build's default), to show what keeping them saves. Nothing is asserted: these are measurements.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import carejourneys as cj
from carejourneys.inputs import public
from carejourneys.publish import build

NOTEBOOK = "04_care_leaver_indicators"


def council_codes() -> list[str]:
    """A code for every council in the official files (:func:`carejourneys.inputs.public.council_codes`)."""
    return public.council_codes()


def sample(codes: list[str], n: int) -> list[str]:
    """``n`` codes spread evenly over ``codes`` (all of them when n >= len(codes))."""
    if n >= len(codes):
        return list(codes)
    step = len(codes) / n
    return [codes[int(i * step)] for i in range(n)]


def timed_build(codes: list[str], out: Path, jobs: int | None,
                fresh: bool = False) -> tuple[float, list[str]]:
    start = time.perf_counter()
    result = build.run(sites=codes, notebooks=[NOTEBOOK], outputs=out, force=True, jobs=jobs, quiet=True,
                       fresh_kernels=fresh)
    seconds = time.perf_counter() - start
    return seconds, [r.error or r.status for r in result.reports if not r.ok]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--councils", type=int, default=20, help="how many councils (default 20)")
    ap.add_argument("--all", action="store_true", help="every council in the official files")
    ap.add_argument("--jobs", type=int, default=None, help="build jobs (default: CPU cores)")
    ap.add_argument("--fresh-kernels", action="store_true", help="a fresh kernel per report")
    args = ap.parse_args()
    codes = council_codes()
    chosen = codes if args.all else sample(codes, max(2, args.councils))
    areas = public.load_public().areas
    listed = int((areas["geographic_level"] == "Local authority").sum())
    print(f"councils in the official files: {listed} ({len(codes)} with a single code); "
          f"building {len(chosen)}  "
          f"cores: {os.cpu_count()}  jobs: {args.jobs or os.cpu_count()}  "
          f"kernels: {'fresh per report' if args.fresh_kernels else 'one kept per job'}  "
          f"carejourneys {cj.__version__}, Python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cj-bench-councils-") as tmp:
        one, bad_one = timed_build(chosen[:1], Path(tmp) / "one", args.jobs, args.fresh_kernels)
        print(f"one council ({chosen[0]}):        {one:7.1f} s", flush=True)
        many, bad = timed_build(chosen, Path(tmp) / "many", args.jobs, args.fresh_kernels)
        print(f"{len(chosen)} councils:               {many:7.1f} s  "
              f"({many / len(chosen):.2f} s per council)", flush=True)
    extra = (many - one) / (len(chosen) - 1)
    print(f"each extra council adds:     {extra:7.2f} s  (target: < 1.5 s on 2 cores)"
          f"{'' if extra < 1.5 else '  ABOVE TARGET'}")
    failures = bad_one + bad
    if failures:
        print(f"{len(failures)} report(s) failed, e.g. {failures[0]}")


if __name__ == "__main__":
    main()
