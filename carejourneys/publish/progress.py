"""The build's progress display: one line per report as it changes state.

    progress = Progress(["00_evidence_base [brent]", ...], stream=sys.stderr)
    progress.update("00_evidence_base [brent]", "running")
    progress.update("00_evidence_base [brent]", "done", seconds=12.3)
    progress.close()

States are :data:`STATES`: ``queued`` (waiting for a free job), ``running`` (its kernel is
working), ``done`` (built), ``reused`` (its inputs have not changed since its last successful
build, so the earlier page stands) and ``failed``.

Two modes, chosen by :func:`is_live` unless given:

* **plain** (not a terminal, ``TERM=dumb``, CI logs): every state change prints one line,
  ``  running   00_evidence_base [brent]``, ending with the time once the report is finished;
* **live** (a terminal): finished reports print their final line once, and below them a block of
  the reports still running, with their running time, and a count of those queued is redrawn
  in place (ANSI cursor movements) at each change and twice a second.

The display is thread-safe: the build's worker threads call :meth:`Progress.update`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import TextIO

STATES = ("queued", "running", "done", "reused", "failed")
#: states after which a report does not change any more
FINAL = ("done", "reused", "failed")
#: seconds between redraws of the live block
TICK = 0.5
_UP_AND_CLEAR = "\x1b[{n}F\x1b[J"  # cursor to the start of the line n lines up, clear to the end


def is_live(stream: TextIO) -> bool:
    """Whether to redraw in place: ``stream`` is a terminal and ``TERM`` is not ``dumb``."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False
    return bool(tty) and os.environ.get("TERM", "") not in ("dumb", "")


def format_seconds(seconds: float) -> str:
    """``4.2s`` under a minute, ``3m05s`` above."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s"


class Progress:
    """Shows the state of each report of a build (see the module docstring)."""

    def __init__(
        self,
        labels: Iterable[str],
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        tick: float = TICK,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = is_live(self.stream) if live is None else live
        self.clock = clock
        self.states: dict[str, str] = {}
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self._lock = threading.RLock()
        self._drawn = 0  # lines of the live block now on screen
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        for label in labels:
            self.update(label, "queued")
        if self.live and tick > 0:
            self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True,
                                            name="carejourneys-progress")
            self._ticker.start()

    # ------------------------------------------------------------------ changes

    def update(self, label: str, state: str, *, seconds: float | None = None, detail: str = "") -> None:
        """Record that ``label`` is now in ``state`` (``seconds``: its time, for final states;
        ``detail``: printed indented under its line, e.g. why it failed)."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}; states are {', '.join(STATES)}")
        with self._lock:
            if self.states.get(label) == state and not detail:
                return
            self.states[label] = state
            now = self.clock()
            if state == "running":
                self.started[label] = now
            if state in FINAL:
                self.seconds[label] = seconds if seconds is not None else now - self.started.get(label, now)
            if self.live:
                self._erase()
                if state in FINAL:
                    self._write(self._line(label) + "\n" + (self._indent(detail)))
                self._draw()
            else:
                self._write(self._line(label) + "\n" + self._indent(detail))

    def counts(self) -> dict[str, int]:
        """How many reports are in each state."""
        with self._lock:
            return {s: sum(1 for v in self.states.values() if v == s) for s in STATES}

    def close(self) -> None:
        """Stop redrawing; leave the finished lines and a last summary on screen."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self._lock:
            if self.live:
                self._erase()
                self._draw(final=True)
                self._drawn = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ drawing

    def _line(self, label: str) -> str:
        state = self.states[label]
        if state in FINAL:
            return f"  {state:8}  {label}  {format_seconds(self.seconds[label])}"
        if state == "running" and self.live:
            return f"  {state:8}  {label}  {format_seconds(self.clock() - self.started[label])}"
        return f"  {state:8}  {label}"

    @staticmethod
    def _indent(detail: str) -> str:
        return "".join(f"      {line}\n" for line in detail.splitlines())

    def _summary(self) -> str:
        c = self.counts()
        return "  " + ", ".join(f"{c[s]} {s}" for s in STATES)

    def _erase(self) -> None:
        if self._drawn:
            self._write(_UP_AND_CLEAR.format(n=self._drawn))
            self._drawn = 0

    def _draw(self, *, final: bool = False) -> None:
        lines = [] if final else [self._line(k) for k, v in self.states.items() if v == "running"]
        lines.append(self._summary())
        self._write("".join(f"{line}\n" for line in lines))
        self._drawn = len(lines)

    def _write(self, text: str) -> None:
        if text:
            self.stream.write(text)
            self.stream.flush()

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                if any(v == "running" for v in self.states.values()):
                    self._erase()
                    self._draw()
