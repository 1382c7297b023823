"""Speed of the build: a cold full build against a naive loop, and a no-change rebuild.

    .venv/bin/python benchmarks/bench_build.py [--quick] [--jobs N]

Three timings, in one run on this machine, of the same reports (every notebook x every site it
declares; ``--quick``: only ``00_evidence_base``):

1. naive loop: for each (notebook, site), one after another, the ``papermill`` command line
   (``-p site ...``) and then ``jupyter nbconvert --to html --no-input`` on its output;
2. cold build: ``cj.build.run(force=True, outputs=tmp)`` (parallel jobs, kernel per report,
   in-process HTML export, output checker included);
3. no-change rebuild: ``cj.build.run(outputs=tmp)`` again, in the same process (every report
   reused), and the same through the command line ``carejourneys build`` (Python start and imports
   included).

Prints the times and the ratios against the targets: cold build at least 2x faster than the naive
loop; no-change rebuild under 1 second. Nothing is asserted: these are measurements.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import carejourneys as cj
from carejourneys import config
from carejourneys.publish import build

BIN = Path(sys.executable).parent


def targets(notebooks: list[str] | None) -> list[tuple[Path, str]]:
    """(notebook path, site) of every report the build makes."""
    infos = [build.read_notebook_info(p) for p in build.find_notebooks(config.notebooks_dir(), notebooks)]
    return [(info.path, site) for info, site, _ in
            build.plan(None, infos, data_dir=None, disclosure_threshold=5, extra={})]


def naive_loop(pairs: list[tuple[Path, str]], out: Path) -> float:
    """papermill CLI then nbconvert CLI, per report, one after another; seconds taken."""
    start = time.perf_counter()
    for nb, site in pairs:
        folder = out / site
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / nb.name
        env = {**os.environ, "MPLBACKEND": "Agg", "CAREJOURNEYS_REPORT": nb.stem,
               "CAREJOURNEYS_OUTPUT_DIR": str(folder)}
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-p", "site", site,
                        "-p", "disclosure_threshold", "5", "--cwd", str(folder), "--no-progress-bar"],
                       check=True, env=env, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the 00_evidence_base reports")
    ap.add_argument("--jobs", type=int, default=None, help="build jobs (default: CPU cores)")
    args = ap.parse_args()
    notebooks = ["00_evidence_base"] if args.quick else None
    pairs = targets(notebooks)
    print(f"reports: {len(pairs)}  cores: {os.cpu_count()}  jobs: {args.jobs or os.cpu_count()}  "
          f"carejourneys {cj.__version__}, Python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="cj-bench-build-") as tmp:
        tmp_path = Path(tmp)
        naive = naive_loop(pairs, tmp_path / "naive")
        print(f"naive loop (papermill CLI + nbconvert CLI): {naive:7.1f} s  "
              f"({naive / len(pairs):.1f} s per report)", flush=True)

        out = tmp_path / "build"
        t = time.perf_counter()
        cold = build.run(notebooks=notebooks, outputs=out, force=True, jobs=args.jobs, quiet=True)
        cold_s = time.perf_counter() - t
        bad = [r.error for r in cold.reports if not r.ok]
        print(f"cold build (cj.build.run, force=True):      {cold_s:7.1f} s  "
              f"({cold_s / len(pairs):.1f} s per report){'  FAILURES: ' + '; '.join(bad) if bad else ''}",
              flush=True)

        t = time.perf_counter()
        again = build.run(notebooks=notebooks, outputs=out, jobs=args.jobs, quiet=True)
        rebuild = time.perf_counter() - t
        reused = sum(r.status == build.REUSED for r in again.reports)
        print(f"no-change rebuild (in process):             {rebuild:7.2f} s  "
              f"({reused}/{len(again.reports)} reused)", flush=True)

        cmd = [str(BIN / "carejourneys"), "build", "--outputs", str(out)]
        for n in notebooks or []:
            cmd += ["--notebook", n]
        t = time.perf_counter()
        cli = subprocess.run(cmd, capture_output=True, text=True)
        cli_s = time.perf_counter() - t
        print(f"no-change rebuild (carejourneys build CLI): {cli_s:7.2f} s  (exit {cli.returncode}; "
              "includes starting Python and importing the package)", flush=True)

    speedup = naive / cold_s
    print(f"\nratio naive / cold build:   {speedup:5.2f}x  (target: >= 2x)"
          f"{'' if speedup >= 2 else '  BELOW TARGET'}")
    print(f"ratio rebuild / cold build: {rebuild / cold_s:5.3f}   no-change rebuild {rebuild:.2f} s "
          f"(target: < 1 s){'' if rebuild < 1 else '  ABOVE TARGET'}")


if __name__ == "__main__":
    main()
