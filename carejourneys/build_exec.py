"""Executing one report notebook with papermill, in a kernel that runs this very interpreter.

No global kernelspec is needed: :class:`SameInterpreterKernelManager` resolves the kernel name
:data:`KERNEL_NAME` to ``[sys.executable, -m, ipykernel_launcher, -f, {connection_file}]`` itself,
with ``MPLBACKEND=Agg`` and a fixed ``PYTHONHASHSEED`` in the kernel's environment. The kernel's
working folder is the report's output folder. A kernel that dies while starting (two kernels
racing for the same ports, papermill issue 511) is started again, up to :data:`START_ATTEMPTS` times.
The kernel process's own stdout and stderr (ipykernel's log lines such as "Kernel is running over
TCP without encryption" or "KeyboardInterrupt caught in kernel" at shutdown) go to a log file in a
scratch folder, not to the build's terminal; when the kernel dies, the last lines of that log are
part of the failure message. What the notebook prints is unaffected (it travels over the kernel's
messages into the notebook's outputs).

:func:`execute` returns the executed notebook (with papermill's error marker cells when a cell
failed) and a :class:`Failure` describing the failing cell, or None.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import default

KERNEL_NAME = "carejourneys-build"
START_ATTEMPTS = 3
#: environment of every report kernel (on top of the build's own)
KERNEL_ENV = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "CAREJOURNEYS_BUILD": "1"}


class SameInterpreterKernelSpecManager(KernelSpecManager):
    """Knows :data:`KERNEL_NAME` as a kernel running ``sys.executable``; other names as usual."""

    #: environment added for one report (set by the kernel manager)
    extra_env: dict[str, str] = {}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL_NAME:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                      "--IPKernelApp.log_level=ERROR"],
                display_name="Python (carejourneys build)",
                language="python",
                env={**KERNEL_ENV, **self.extra_env},
                resource_dir="",
                metadata={"debugger": False},
            )
        return super().get_kernel_spec(kernel_name)

    def find_kernel_specs(self) -> dict[str, str]:
        specs = super().find_kernel_specs()
        specs.setdefault(KERNEL_NAME, "")
        return specs


class SameInterpreterKernelManager(AsyncKernelManager):
    """The kernel manager nbclient uses for report notebooks (see :func:`manager_for`)."""

    extra_env: dict[str, str] = {}
    #: file that receives the kernel process's stdout and stderr (None: inherited, as usual)
    process_log: str | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.process_log is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        with open(self.process_log, "ab") as log:  # the kernel keeps its own copy of the descriptor
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        ksm = SameInterpreterKernelSpecManager(data_dir=self.data_dir)
        ksm.extra_env = dict(self.extra_env)
        return ksm


def manager_for(env: dict[str, str], process_log: str | Path | None = None
                ) -> type[SameInterpreterKernelManager]:
    """A kernel manager class whose kernels get ``env`` on top of :data:`KERNEL_ENV` and write
    their process output to ``process_log`` (if given)."""
    return type("ReportKernelManager", (SameInterpreterKernelManager,),
                {"extra_env": dict(env), "process_log": None if process_log is None else str(process_log)})


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


def _never_ran(path: Path) -> bool:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - nothing usable was written
        return True
    return all(c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    timeout: int,
    start_timeout: int = 60,
    env: dict[str, str] | None = None,
) -> tuple[Any, Failure | None]:
    """Run ``notebook`` with ``parameters`` in a kernel started in ``cwd`` with ``env`` added to its
    environment; return the executed notebook and the failure, if any."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    source_nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="cj-build-") as scratch:
        out = Path(scratch) / notebook.name
        process_log = Path(scratch) / "kernel.log"
        failure: Failure | None = None
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                pm.execute_notebook(
                    str(notebook), str(out), parameters=parameters, kernel_name=KERNEL_NAME,
                    kernel_manager_class=manager_for(env or {}, process_log), language="python",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                    execution_timeout=timeout, start_timeout=start_timeout,
                    resources={"metadata": {"path": str(cwd)}},
                )
                failure = None
                break
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
                break
            except NoSuchKernel as e:  # pragma: no cover - our manager always knows the name
                failure = Failure("kernel", None, None, type(e).__name__, str(e))
                break
            except CellTimeoutError:
                nb = nbformat.read(out, as_version=4) if out.exists() else source_nb
                failure = _failure_from_nb(source_nb, nb, "timeout", "CellTimeoutError",
                                           f"the cell did not finish within {timeout} s")
                break
            except Exception as e:  # noqa: BLE001 - dead kernels, start failures
                if out.exists() and not _never_ran(out):
                    nb = nbformat.read(out, as_version=4)
                    failure = _failure_from_nb(source_nb, nb, "kernel", type(e).__name__, str(e))
                    break
                tail = log_tail(process_log)
                message = (str(e) or "kernel did not start") + (f" (kernel log: {tail})" if tail else "")
                failure = Failure("kernel", None, None, type(e).__name__, message)
                if attempt == START_ATTEMPTS:
                    break
        if out.exists():
            nb = nbformat.read(out, as_version=4)
        else:
            nb = source_nb
    return nb, failure

