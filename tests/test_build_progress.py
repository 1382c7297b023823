"""The build's progress display (carejourneys.publish.progress) and what a build prints."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from carejourneys.publish import progress as build_progress
from carejourneys.publish.progress import Progress

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(text: str) -> list[str]:
    """What a terminal shows after ``text``: replays newlines and 'n lines up, clear below'."""
    lines: list[str] = []
    for token in re.split(r"(\x1b\[\d+F\x1b\[J|\n)", text):
        if not token:
            continue
        m = re.fullmatch(r"\x1b\[(\d+)F\x1b\[J", token)
        if m:
            del lines[len(lines) - int(m.group(1)):]
        elif token != "\n":
            lines.append(token)
    return lines


def test_plain_mode_prints_a_line_per_state_change_with_times():
    out, clock = io.StringIO(), Clock()
    p = Progress(["a [brent]", "b [plymouth]", "c [all]"], stream=out, live=False, clock=clock)
    p.update("a [brent]", "running")
    clock.now += 2.5
    p.update("a [brent]", "done")
    p.update("b [plymouth]", "reused", seconds=0.01)
    p.update("c [all]", "running")
    p.update("c [all]", "running")  # no change, no line
    clock.now += 75
    p.update("c [all]", "failed", detail="c failed at cell 3: ValueError\nsecond line")
    p.close()
    text = out.getvalue()
    assert not ANSI.search(text)
    assert text.splitlines() == [
        "  queued    a [brent]",
        "  queued    b [plymouth]",
        "  queued    c [all]",
        "  running   a [brent]",
        "  done      a [brent]  2.5s",
        "  reused    b [plymouth]  0.0s",
        "  running   c [all]",
        "  failed    c [all]  1m15s",
        "      c failed at cell 3: ValueError",
        "      second line",
    ]
    assert p.counts() == {"queued": 0, "running": 0, "done": 1, "reused": 1, "failed": 1}


def test_live_mode_redraws_running_reports_in_place_and_keeps_finished_lines():
    term, clock = FakeTerminal(), Clock()
    p = Progress(["a [brent]", "b [plymouth]"], stream=term, clock=clock, tick=0)
    assert p.live
    p.update("a [brent]", "running")
    p.update("b [plymouth]", "running")
    clock.now += 3
    shown = screen(term.getvalue())
    assert shown[-3:] == ["  running   a [brent]  0.0s", "  running   b [plymouth]  0.0s",
                          "  0 queued, 2 running, 0 done, 0 reused, 0 failed"]
    p.update("a [brent]", "done")
    shown = screen(term.getvalue())
    assert shown == ["  done      a [brent]  3.0s", "  running   b [plymouth]  3.0s",
                     "  0 queued, 1 running, 1 done, 0 reused, 0 failed"]
    p.update("b [plymouth]", "failed", detail="why")
    p.close()
    shown = screen(term.getvalue())
    assert shown == ["  done      a [brent]  3.0s", "  failed    b [plymouth]  3.0s", "      why",
                     "  0 queued, 0 running, 1 done, 0 reused, 1 failed"]


def test_live_mode_ticks_while_reports_run():
    import time

    term = FakeTerminal()
    with Progress(["a"], stream=term, tick=0.01) as p:
        p.update("a", "running")
        waited = time.monotonic()
        while term.getvalue().count("\x1b[") < 6 and time.monotonic() - waited < 10:
            time.sleep(0.01)
        # redrawn by the ticker while nothing changed (the change to running alone erases once:
        # two escape sequences)
        assert term.getvalue().count("\x1b[") >= 6
        p.update("a", "done")
    assert screen(term.getvalue())[0].startswith("  done      a  ")


@pytest.mark.parametrize("tty, term, live", [(True, "xterm-256color", True), (True, "dumb", False),
                                             (True, "", False), (False, "xterm", False)])
def test_live_only_on_a_terminal_that_is_not_dumb(monkeypatch, tty, term, live):
    monkeypatch.setenv("TERM", term)
    stream = FakeTerminal() if tty else io.StringIO()
    assert build_progress.is_live(stream) is live
    assert Progress([], stream=stream, tick=0).live is live


def test_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown state"):
        Progress([], stream=io.StringIO(), live=False).update("a", "finished")


def test_updates_from_many_threads_each_make_one_whole_line():
    out = io.StringIO()
    labels = [f"r{i}" for i in range(40)]
    p = Progress(labels, stream=out, live=False)

    def work(label: str) -> None:
        p.update(label, "running")
        p.update(label, "done", seconds=1.0)

    threads = [threading.Thread(target=work, args=(label,)) for label in labels]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 * len(labels)
    assert all(re.fullmatch(r"  (queued|running|done) +r\d+( +1\.0s)?", line) for line in lines)
    assert p.counts()["done"] == len(labels)


@pytest.mark.parametrize("seconds, text", [(0.04, "0.0s"), (9.96, "10.0s"), (59.9, "59.9s"),
                                           (60, "1m00s"), (125.4, "2m05s")])
def test_format_seconds(seconds, text):
    assert build_progress.format_seconds(seconds) == text


@pytest.mark.slow
def test_a_build_prints_only_its_own_lines(tmp_path):
    """The kernel's own log lines and raw writes to its stderr stay out of the build's output."""
    nb = new_notebook()
    nb.metadata["carejourneys"] = {"title": "Noisy", "sites": ["brent"]}
    params = new_code_cell('site = "brent"\ndata_dir = None\ndisclosure_threshold = 5')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell('get_ipython().kernel.log.error("KERNEL LOG MARKER")'),
                new_code_cell('import os\nos.write(2, b"RAW STDERR MARKER\\n")')]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "01_noisy.ipynb")
    script = ("from carejourneys.publish import build\n"
              f"r = build.run(notebooks_dir={str(tmp_path / 'nb')!r}, outputs={str(tmp_path / 'out')!r}, "
              "check=False)\nraise SystemExit(0 if r.ok else 1)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    assert "MARKER" not in printed and "IPKernelApp" not in printed
    assert not ANSI.search(printed)  # not a terminal: plain lines
    lines = done.stderr.splitlines()
    assert lines[0] == "building 1 report(s) with 1 job(s)"
    assert [re.sub(r"\s+[\d.]+s$", "", x) for x in lines[1:]] == [
        "  queued    01_noisy [brent]", "  running   01_noisy [brent]", "  done      01_noisy [brent]"]
    assert done.stdout.strip() == str(tmp_path / "out" / "index.html")
