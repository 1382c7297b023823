"""How long read_qdpx takes on a project with 100,000 coded segments (not a test: prints figures).

    .venv/bin/python benchmarks/bench_qdpx.py [--segments 100000] [--crlf]

Builds a synthetic project with write_qdpx (500 sources of fresh filler text, codes from the
codebook), then times read_qdpx against two baselines on the same file: unzipping plus parsing the
XML with lxml's safe settings alone (the floor for any reader), and pandas reading the same segments
from CSV. With --crlf the texts are written with CRLF line ends and an emoji per line under an
NVivo origin, so that every position policy is scored and mapped.
"""

from __future__ import annotations

import argparse
import bisect
import io
import re
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from carejourneys.inputs.loaders import read_qdpx, write_qdpx
from carejourneys.inputs.schemas import code_paths

WORDS = ("we", "met", "the", "group", "each", "week", "and", "it", "helped", "people", "talk", "plan",
         "together", "with", "staff", "who", "listened", "carefully", "about", "work", "next", "steps")


def build(path: Path, n_segments: int, n_sources: int = 500, crlf: bool = False) -> Path:
    rng = np.random.default_rng(1)
    per = n_segments // n_sources
    codes = code_paths()
    texts, rows = {}, []
    for s in range(n_sources):
        lines = [" ".join(rng.choice(WORDS, size=12)) + (" 😀" if crlf else "") for _ in range(per)]
        text = "\n".join(lines)
        texts[f"src{s:04d}"] = text
        pos = 0
        for k, line in enumerate(lines):
            rows.append({"segment_id": f"S{s:04d}-{k:04d}", "source_id": f"src{s:04d}",
                         "code_path": codes[int(rng.integers(len(codes)))], "start": pos,
                         "end": pos + len(line), "coder": "coder_a", "speaker_id": f"P{s:04d}",
                         "role": "Manager", "seniority": "manager", "site": "plymouth", "wave": 1 + s % 3,
                         "date": "2021-01-01"})
            pos += len(line) + 1
    seg = pd.DataFrame(rows)
    write_qdpx(path, seg, texts)
    if crlf:  # rewrite as NVivo would: CRLF texts, UTF-16 positions, NVivo origin
        zin = zipfile.ZipFile(path)
        qde = zin.read("project.qde").decode("utf-8")
        qde = qde.replace('origin="carejourneys', 'origin="NVivo 14 (Windows)')

        by_guid = {}
        for name in zin.namelist():
            if name.startswith("sources/"):
                by_guid[name] = zin.read(name).decode("utf-8")

        def utf16(text: str, i: int) -> int:
            return len(text[:i].replace("\n", "\r\n").encode("utf-16-le")) // 2

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            # positions: each selection's own source text
            src_of = {}
            for m in re.finditer(r'<TextSource guid="([^"]+)"', qde):
                src_of[m.start()] = by_guid[f"sources/{m.group(1)}.txt"]
            starts = sorted(src_of)

            def fix(m: re.Match) -> str:
                text = src_of[starts[bisect.bisect(starts, m.start()) - 1]]
                a, b = int(m.group(1)), int(m.group(2))
                return f'startPosition="{utf16(text, a)}" endPosition="{utf16(text, b)}"'

            qde = re.sub(r'startPosition="(\d+)" endPosition="(\d+)"', fix, qde)
            zout.writestr("project.qde", qde.encode("utf-8"))
            for name, text in by_guid.items():
                zout.writestr(name, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        path.write_bytes(out.getvalue())
    return path


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=100_000)
    ap.add_argument("--crlf", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = build(Path(d) / "bench.qdpx", args.segments, crlf=args.crlf)
        proj = read_qdpx(path)
        assert len(proj.segments) == args.segments, len(proj.segments)
        if args.crlf:
            assert set(proj.positions["policy"]) == {"utf16"}

        def floor():
            with zipfile.ZipFile(path) as zf:
                etree.fromstring(zf.read("project.qde"), etree.XMLParser(resolve_entities=False,
                                                                         no_network=True, load_dtd=False))
                for n in zf.namelist():
                    zf.read(n)

        csv_path = Path(d) / "seg.csv"
        proj.segments.to_csv(csv_path, index=False)
        t_read = best_of(lambda: read_qdpx(path))
        t_floor = best_of(floor)
        t_csv = best_of(lambda: pd.read_csv(csv_path))
        size = path.stat().st_size / 1e6
    print(f"project: {args.segments:,} segments in 500 sources, {size:.1f} MB"
          f"{' (NVivo-style CRLF/UTF-16)' if args.crlf else ''}")
    print(f"read_qdpx:                 {t_read:6.2f} s")
    print(f"unzip + XML parse (floor): {t_floor:6.2f} s   read_qdpx / parse = {t_read / t_floor:5.1f}x")
    print(f"pandas.read_csv (same rows): {t_csv:4.2f} s   read_qdpx / read_csv = {t_read / t_csv:5.1f}x")


if __name__ == "__main__":
    main()
