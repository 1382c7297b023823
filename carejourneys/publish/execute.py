"""Executing report notebooks with papermill, in a kernel that runs this very interpreter.

:class:`ReportKernel` keeps one kernel for report after report, prepared before each by
:func:`carejourneys.publish.kernels.prepare`; papermill runs each notebook in it through the engine
:data:`ENGINE_NAME` (papermill's nbclient engine, handed the running kernel).

No global kernelspec is needed: :class:`SameInterpreterKernelManager` resolves the kernel name
:data:`KERNEL_NAME` to ``[sys.executable, -m, ipykernel_launcher, -f, {connection_file}]`` itself,
with ``MPLBACKEND=Agg`` and a fixed ``PYTHONHASHSEED`` in the kernel's environment. Each report's
working folder is its private staging folder (set by the preparation). A kernel that dies while
starting (two kernels racing for the same ports, papermill issue 511) is started again, up to
:data:`START_ATTEMPTS` times. The kernel process's own stdout and stderr (ipykernel's log lines
such as "Kernel is running over TCP without encryption" or "KeyboardInterrupt caught in kernel" at
shutdown) go to a log file in the kernel's scratch folder (passed to ``start_kernel`` as Popen
arguments), not to the build's terminal; when the kernel dies, the last lines of that log are
part of the failure message. What the notebook prints is unaffected (it travels over the kernel's
messages into the notebook's outputs).

:func:`execute` returns the executed notebook (with papermill's error marker cells when a cell
failed) and a :class:`Failure` describing the failing cell, or None.

The kernel's scratch folder (its connection file, its process log, papermill's output) is made in
``scratch_root`` when given (the build gives a folder of its private working folder, so that a
killed build leaves nothing in the system's temporary folder and the next build clears it), else
in the system's temporary folder. The few uses of other libraries' internals are in
:mod:`carejourneys.publish.thirdparty`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from traitlets import default

from carejourneys.publish import thirdparty

KERNEL_NAME = "carejourneys-build"
#: papermill engine that runs a notebook in a :class:`ReportKernel`
ENGINE_NAME = "carejourneys-kept-kernel"
START_ATTEMPTS = 3
#: a kept kernel is replaced by a fresh one after this many reports (bounds memory growth)
MAX_REPORTS_PER_KERNEL = 40
#: environment of every report kernel (on top of the build's own)
KERNEL_ENV = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}


class SameInterpreterKernelSpecManager(KernelSpecManager):
    """Knows :data:`KERNEL_NAME` as a kernel running ``sys.executable``; other names as usual."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL_NAME:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                      "--IPKernelApp.log_level=ERROR"],
                display_name="Python (carejourneys build)",
                language="python",
                env=dict(KERNEL_ENV),
                resource_dir="",
                metadata={"debugger": False},
            )
        return super().get_kernel_spec(kernel_name)

    def find_kernel_specs(self) -> dict[str, str]:
        specs = super().find_kernel_specs()
        specs.setdefault(KERNEL_NAME, "")
        return specs


class SameInterpreterKernelManager(AsyncKernelManager):
    """The kernel manager of a :class:`ReportKernel`: :data:`KERNEL_NAME` resolved by
    :class:`SameInterpreterKernelSpecManager`."""

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return SameInterpreterKernelSpecManager(data_dir=self.data_dir)


def log_tail(path: Path, lines: int = 5) -> str:
    """The last ``lines`` lines of a kernel's process log ("" when there is none)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass(frozen=True)
class Failure:
    """Why a notebook failed: ``cell`` is the 1-based position of the failing cell in the source
    notebook (None when no cell is to blame), ``kind`` error/timeout/kernel."""

    kind: str
    cell: int | None
    execution_count: int | None
    ename: str
    evalue: str

    def describe(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        if self.cell == 0:
            where = "the injected parameters cell"
        count = f" (In [{self.execution_count}])" if self.execution_count else ""
        message = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return f"{where}{count}: {message}"


def source_position(source_nb: Any, executed_cell: Any) -> int | None:
    """1-based position in ``source_nb`` of an executed cell (matched by cell id), 0 for the
    injected parameters cell, None when unknown."""
    tags = executed_cell.get("metadata", {}).get("tags", [])
    if "injected-parameters" in tags:
        return 0
    cid = executed_cell.get("id")
    for i, cell in enumerate(source_nb.cells, start=1):
        if cid is not None and cell.get("id") == cid:
            return i
    return None


def _failure_from_nb(source_nb: Any, nb: Any, kind: str, ename: str, evalue: str) -> Failure:
    """Locate the failing cell in an executed notebook: the one papermill marks running or failed,
    else the last code cell that was given an execution count (after a timeout papermill marks
    every cell completed, but only the cells the kernel reached have a count)."""
    statuses = [(cell, cell.get("metadata", {}).get("papermill", {}).get("status")) for cell in nb.cells]
    chosen = next((c for c, st in statuses if st in ("running", "failed")), None)
    if chosen is None:
        started = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count") is not None]
        chosen = started[-1] if started else None
    if chosen is None:
        return Failure(kind, None, None, ename, evalue)
    return Failure(kind, source_position(source_nb, chosen), chosen.get("execution_count"), ename, evalue)


class KernelStartError(RuntimeError):
    """The kernel could not be started (after :data:`START_ATTEMPTS` attempts) or prepared."""


def _quiet_output(msg: dict[str, Any]) -> None:
    """Output hook that drops what the preparing code prints (nothing is expected)."""


class ReportKernel:
    """One kernel in which a build worker runs report after report.

    A fresh kernel costs about a second to start and as much again for the imports of the first
    cell; a worker that builds many reports (the indicators report for every council) keeps its
    kernel and, before every report, runs :func:`carejourneys.publish.kernels.prepare` in it, which
    puts back everything a report can change (namespace, execution counter, working folder,
    environment, warnings, pandas and matplotlib settings, the package's per-report state).
    ``tests/test_build_reuse.py`` checks that pages built in a kept kernel are byte-identical to
    pages built in fresh ones.

    The kernel is given up, and the next report gets a fresh one, after a report fails (error,
    timeout or dead kernel), when preparing fails, and after ``max_reports`` reports. It must be
    used from one thread only (its client lives on that thread's event loop); :meth:`close` it
    from that thread too.
    """

    def __init__(self, *, start_timeout: int = 60, max_reports: int = MAX_REPORTS_PER_KERNEL,
                 scratch_root: Path | None = None) -> None:
        self.start_timeout = start_timeout
        self.max_reports = max_reports
        self.km: Any = None
        self.kc: Any = None
        self.reports = 0
        self.starts = 0
        #: set by :meth:`kill`: the build was interrupted, nothing more is run in this kernel
        self.cancelled = False
        if scratch_root is not None:
            Path(scratch_root).mkdir(parents=True, exist_ok=True)
        self._scratch = Path(tempfile.mkdtemp(prefix="cj-kernel-", dir=scratch_root))
        self.process_log = self._scratch / "kernel.log"

    @property
    def alive(self) -> bool:
        return self.km is not None and self.kc is not None

    def _launch(self) -> None:
        """Start one kernel and wait until it answers (raises when it does not). It starts in a
        scratch folder with :data:`KERNEL_ENV` only: each report's folder and variables are set
        by :meth:`prepare`, so that no report's variables become part of the kernel's baseline."""
        from jupyter_core.utils import run_sync

        km = SameInterpreterKernelManager(kernel_name=KERNEL_NAME,
                                          connection_file=str(self._scratch / "kernel.json"))
        self.km = km
        with open(self.process_log, "ab") as log:  # the kernel keeps its own copy of the descriptor
            run_sync(km.start_kernel)(cwd=str(self._scratch), stdout=log, stderr=log)
        kc = km.client()
        kc.start_channels()
        self.kc = kc
        run_sync(kc.wait_for_ready)(timeout=self.start_timeout)

    def start(self) -> None:
        """Start the kernel, trying again when it dies while starting (papermill issue 511)."""
        message = ""
        for _attempt in range(START_ATTEMPTS):
            self.starts += 1
            try:
                self._launch()
                return
            except Exception as e:  # noqa: BLE001 - port races, dead kernels
                self.close()
                tail = log_tail(self.process_log)
                message = (str(e) or type(e).__name__ or "kernel did not start") + (
                    f" (kernel log: {tail})" if tail else "")
        raise KernelStartError(message)

    def prepare(self, env: dict[str, str], cwd: Path) -> None:
        """Make the kernel as good as a fresh one for the next report
        (:mod:`carejourneys.publish.kernels`)."""
        from jupyter_core.utils import run_sync

        code = ("import carejourneys.publish.kernels as _cj_build_kernel\n"
                f"_cj_build_kernel.prepare({dict(env)!r}, {str(cwd)!r})\n")
        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=self.start_timeout, output_hook=_quiet_output)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelStartError(f"preparing the kernel failed: {content.get('ename', '')}: "
                                   f"{content.get('evalue', '')}".rstrip(": "))

    def close(self) -> None:
        """Stop the kernel (if any); the next :meth:`run` starts a fresh one."""
        from jupyter_core.utils import run_sync

        kc, km, self.kc, self.km = self.kc, self.km, None, None
        self.reports = 0
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001, S110 - closing what may already be gone
                pass
        if km is not None:
            try:
                if run_sync(km.is_alive)():
                    run_sync(km.shutdown_kernel)(now=True)
                run_sync(km.cleanup_resources)()
            except Exception:  # noqa: BLE001, S110 - the process may already be gone
                pass

    def _process_alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a manager that cannot tell has no usable kernel
            return False

    def cancel(self) -> None:
        """The build was interrupted: kill the kernel (:meth:`kill`) and run no other report in this
        kernel object, nor the one it may be starting (:attr:`cancelled`)."""
        self.cancelled = True
        self.kill()

    def kill(self) -> None:
        """Kill the kernel process at once; safe from any thread (the build calls it, through
        :meth:`cancel`, from the main thread when interrupted, as a kernel runs in its own session
        and does not get the terminal's Ctrl-C). The report running in it fails; :meth:`close`
        tidies up afterwards."""
        process = thirdparty.kernel_process(self.km)
        if process is not None:
            try:
                process.kill()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):  # already gone, or past caring
                pass

    def dispose(self) -> None:
        """Close the kernel and remove its scratch folder."""
        self.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def run(self, notebook: Path, parameters: dict[str, Any], *, cwd: Path, timeout: int,
            env: dict[str, str] | None = None) -> tuple[Any, Failure | None]:
        """Run ``notebook`` with ``parameters`` in this kernel (started or prepared as needed);
        return the executed notebook and the failure, if any."""
        env = dict(env or {})
        source_nb = nbformat.read(notebook, as_version=4)
        if self.cancelled:
            return source_nb, Failure("kernel", None, None, "KeyboardInterrupt", "the build was interrupted")
        if self.alive and (self.reports >= self.max_reports or not self._process_alive()):
            self.close()
        while True:
            kept = self.alive and self.reports > 0
            try:
                if not self.alive:
                    self.start()
                self.prepare(env, cwd)
                break
            except Exception as e:  # noqa: BLE001 - it did not start, or died while waiting or being prepared
                self.close()
                if kept:  # a kept kernel that died between reports: the report gets a fresh one
                    continue
                ename = "KernelStartError" if isinstance(e, KernelStartError) else type(e).__name__
                return source_nb, Failure("kernel", None, None, ename, str(e) or "kernel died")
        if self.cancelled:  # interrupted while the kernel was starting
            self.close()
            return source_nb, Failure("kernel", None, None, "KeyboardInterrupt", "the build was interrupted")
        self.reports += 1
        nb, failure = self._papermill(notebook, source_nb, parameters, timeout)
        if failure is not None:
            self.close()  # whatever went wrong, the next report gets a fresh kernel
        return nb, failure

    def _papermill(self, notebook: Path, source_nb: Any, parameters: dict[str, Any],
                   timeout: int) -> tuple[Any, Failure | None]:
        import papermill as pm
        from nbclient.exceptions import CellTimeoutError
        from papermill.exceptions import PapermillExecutionError

        with tempfile.TemporaryDirectory(prefix="cj-build-", dir=self._scratch) as scratch:
            out = Path(scratch) / notebook.name
            failure: Failure | None = None
            try:
                pm.execute_notebook(
                    str(notebook), str(out), parameters=parameters, kernel_name=KERNEL_NAME,
                    engine_name=ENGINE_NAME, report_kernel=self, language="python",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                    execution_timeout=timeout, start_timeout=self.start_timeout,
                )
            except PapermillExecutionError as e:
                nb = nbformat.read(out, as_version=4)
                cell = None
                for c in nb.cells:  # the error marker cells shifted the index: find the failed cell
                    if c.get("metadata", {}).get("papermill", {}).get("status") == "failed" or \
                            any(o.get("output_type") == "error" for o in c.get("outputs", [])):
                        cell = c
                        break
                position = source_position(source_nb, cell) if cell is not None else None
                failure = Failure("error", position, e.exec_count, e.ename, str(e.evalue))
            except CellTimeoutError:
                nb = nbformat.read(out, as_version=4) if out.exists() else source_nb
                failure = _failure_from_nb(source_nb, nb, "timeout", "CellTimeoutError",
                                           f"the cell did not finish within {timeout} s")
            except Exception as e:  # noqa: BLE001 - a kernel that died while running
                if out.exists():
                    nb = nbformat.read(out, as_version=4)
                    failure = _failure_from_nb(source_nb, nb, "kernel", type(e).__name__, str(e))
                else:
                    tail = log_tail(self.process_log)
                    message = (str(e) or "kernel died") + (f" (kernel log: {tail})" if tail else "")
                    failure = Failure("kernel", None, None, type(e).__name__, message)
            nb = nbformat.read(out, as_version=4) if out.exists() else source_nb
        return nb, failure


def _register_engine() -> None:
    """Register :data:`ENGINE_NAME` with papermill: its nbclient engine, run in the
    :class:`ReportKernel` passed to ``execute_notebook`` as ``report_kernel``."""
    thirdparty.register_engine(ENGINE_NAME, _report_kernel)


def _report_kernel(kwargs: dict[str, Any]) -> ReportKernel:
    return kwargs.pop("report_kernel")


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    timeout: int,
    start_timeout: int = 60,
    env: dict[str, str] | None = None,
    kernel: ReportKernel | None = None,
    scratch_root: Path | None = None,
) -> tuple[Any, Failure | None]:
    """Run ``notebook`` with ``parameters`` in a kernel working in ``cwd`` with ``env`` added to its
    environment; return the executed notebook and the failure, if any. ``kernel``: a
    :class:`ReportKernel` to run it in (kept running afterwards); default: a fresh kernel, stopped
    afterwards; its scratch folder in ``scratch_root``)."""
    _register_engine()
    if kernel is not None:
        return kernel.run(notebook, parameters, cwd=cwd, timeout=timeout, env=env)
    one = ReportKernel(start_timeout=start_timeout, max_reports=1, scratch_root=scratch_root)
    try:
        return one.run(notebook, parameters, cwd=cwd, timeout=timeout, env=env)
    finally:
        one.dispose()
