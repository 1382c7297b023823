"""What the build relies on in papermill, nbclient and jupyter_client beyond their documented API.

Everything such is in ``carejourneys/publish/thirdparty.py``; each test here checks one thing it
relies on and, when an upgrade changes it, fails saying what changed. The rest of the publishing
code uses public APIs only (checked by reading its source).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from nbformat.v4 import new_notebook

from carejourneys.publish import execute as build_exec
from carejourneys.publish import thirdparty

PUBLISH = Path(build_exec.__file__).resolve().parent

#: private internals of other libraries the build used to touch
PRIVATE = re.compile(r"_async_launch_kernel|_filters_mutated|\b_path\b|clientwrap|client\.kc\s*=|provisioner")


def test_private_internals_are_only_in_the_thirdparty_module():
    for path in sorted(PUBLISH.glob("*.py")):
        if path.name == "thirdparty.py":
            continue
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        found = PRIVATE.findall(code)
        assert not found, f"{path.name} uses {found}: keep library internals in thirdparty.py"


class _FakeKernelManager:
    has_kernel = True

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name):  # any other use of the manager is recorded and fails the test
        self.calls.append(name)
        raise AttributeError(name)


class _FakeClient:
    def __init__(self) -> None:
        self.stopped = False

    def stop_channels(self) -> None:
        self.stopped = True


class _Managed:
    def __init__(self) -> None:
        self.nb = new_notebook()


def test_nbclient_keeps_a_kernel_client_it_is_given_and_leaves_it_open():
    """``run_in_kernel`` hands papermill's client the kept kernel's manager (``km=``, documented)
    and its client as the attribute ``kc``: nbclient must neither start another client nor stop
    this one, since it does not own the manager."""
    from papermill.clientwrap import PapermillNotebookClient

    km, kc = _FakeKernelManager(), _FakeClient()
    client = PapermillNotebookClient(_Managed(), km=km)
    assert client.owns_km is False, "nbclient: a client given km= now thinks it owns the kernel manager"
    client.kc = kc
    with client.setup_kernel():
        assert client.kc is kc, "nbclient: setup_kernel replaced the kernel client it was given"
    assert client.kc is kc and not kc.stopped, "nbclient: setup_kernel closed a client it does not own"
    assert km.calls == [], f"nbclient: setup_kernel now uses the kernel manager's {km.calls}"
    assert callable(getattr(PapermillNotebookClient, "execute", None)), "papermill: no client execute()"


def test_the_engine_is_registered_with_papermill():
    from papermill.engines import papermill_engines

    build_exec._register_engine()
    engine = papermill_engines.get_engine(build_exec.ENGINE_NAME)
    assert engine.__name__ == "KeptKernelEngine"


@pytest.mark.slow
def test_kernel_process_and_its_log(tmp_path):
    """The kernel's Popen is found (to kill it from another thread), its stdout and stderr go to
    the process log (public: Popen arguments passed to ``start_kernel``), and its scratch folder,
    connection file included, is where it was asked to be."""
    from jupyter_core.utils import run_sync

    kernel = build_exec.ReportKernel(scratch_root=tmp_path / "scratch")
    try:
        kernel.start()
        process = thirdparty.kernel_process(kernel.km)
        assert isinstance(process, subprocess.Popen) and process.poll() is None, \
            "jupyter_client: the local provisioner no longer keeps the kernel's Popen as .process"
        assert Path(kernel.km.connection_file).parent == kernel._scratch
        assert kernel._scratch.parent == tmp_path / "scratch"
        reply = run_sync(kernel.kc.execute_interactive)(
            "import os, sys\nos.write(2, b'kernel stderr line\\n')\n"
            "sys.__stdout__.write('kernel stdout line\\n')\nsys.__stdout__.flush()", timeout=60)
        assert reply["content"]["status"] == "ok"
        kernel.kill()
        assert process.poll() is not None
        log = kernel.process_log.read_text()
        assert "kernel stderr line" in log and "kernel stdout line" in log
    finally:
        kernel.dispose()
    assert not any((tmp_path / "scratch").iterdir())
