"""The two places where the build relies on other libraries beyond their documented API.

Everything else the build uses of papermill, nbclient and jupyter_client is public: papermill's
engines are its extension point (``papermill_engines.register``), nbclient's client takes a kernel
manager (``km``), a kernel manager's ``start_kernel`` passes Popen arguments (the kernel's stdout
and stderr) down to the process it launches. What is not public is kept here, small, and checked
by ``tests/test_build_thirdparty.py``, which fails naming what changed when an upgrade changes it:

* :func:`run_in_kernel`: a notebook is run in a kernel that outlives it by giving papermill's
  nbclient client (``papermill.clientwrap.PapermillNotebookClient``, the class papermill's own
  engine uses) the running kernel's manager *and its client*, set as the attribute ``kc``; nbclient
  then neither starts a client of its own nor, since it does not own the manager, stops one;
* :func:`kernel_process`: the kernel's ``Popen``, which jupyter_client's local provisioner keeps as
  ``provisioner.process``, to kill a kernel at once from another thread (the manager's own
  ``shutdown_kernel`` is a coroutine of the thread that started it).
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable
from typing import Any


def run_in_kernel(nb_man: Any, km: Any, kc: Any, **options: Any) -> Any:
    """Run papermill's managed notebook ``nb_man`` in the kernel of ``km`` through its client ``kc``
    (both left running); ``options`` as for papermill's nbclient engine (timeout, log, ...)."""
    from papermill.clientwrap import PapermillNotebookClient

    client = PapermillNotebookClient(nb_man, km=km, **options)
    client.kc = kc  # nbclient's setup_kernel keeps a client it is given, and leaves it open
    return client.execute()


def kernel_process(km: Any) -> subprocess.Popen | None:
    """The kernel process of a jupyter_client kernel manager (None when there is none)."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    return process if isinstance(process, subprocess.Popen) else None


@functools.cache
def register_engine(name: str, kernel_of: Callable[[dict[str, Any]], Any]) -> None:
    """Register the papermill engine ``name``: papermill's nbclient engine, but run in the kernel
    that ``kernel_of(kwargs)`` gives (an object with ``km`` and ``kc``), which it leaves running."""
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None,
                                     start_timeout: int = 60, execution_timeout: int | None = None,
                                     **kwargs: Any) -> Any:
            kernel = kernel_of(kwargs)
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            return run_in_kernel(nb_man, kernel.km, kernel.kc, timeout=execution_timeout,
                                 startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                 log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                                 **kwargs)

    papermill_engines.register(name, KeptKernelEngine)
