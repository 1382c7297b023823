"""Inside a report kernel: make a kernel that has already run a report as good as a fresh one.

The build keeps one kernel per worker and runs report after report in it, so that each report
does not pay for a kernel start and the imports again (:class:`carejourneys.publish.execute.ReportKernel`).
Before every report, including the first, the build runs :func:`prepare` in the kernel. It puts
back what a report notebook can change and a fresh kernel would not have:

* the user namespace, the output cache, the input history and the execution counter
  (``InteractiveShell.reset(new_session=True)``: the first cell is ``In [1]`` again);
* the working folder and the environment (the report's own variables, such as
  ``CAREJOURNEYS_REPORT``, replace the previous report's);
* ``sys.path``, the warning filters (and the "already shown" registries, so that a warning shown
  by the previous report is shown again), pandas options and matplotlib's settings (``rcParams``,
  open figures);
* the package's own per-report state: :mod:`carejourneys.render.report`'s current context,
  :mod:`carejourneys.inputs.public`'s cache of the official files (so a frame one report changed in place
  is never seen by the next) and the site registry (a report may register a site of its own).
  ``STATE`` lists them; ``tests/test_build_reuse.py`` fails when a
  module of the package gains module-level state that is neither listed here nor known to be
  harmless.

What it cannot put back: changes a report makes to the code of imported modules (replacing a
library's function), threads it leaves running, and files it writes outside its output folder.
The project's notebooks do none of these, and ``tests/test_build_reuse.py`` would show a page
that differs; a notebook that must do them can be built with ``--fresh-kernels``.

Modules stay imported: that is the point. The first call records the baseline (environment,
``sys.path``, warning filters, matplotlib's settings as a fresh kernel has them); later calls
restore it. This module imports only the standard library at import time.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from typing import Any

#: module-level state of the package put back before each report: module -> {attribute: how}
#: ("none": set to None; "clear": emptied; "baseline": the dict's items as the first report found them)
STATE: dict[str, dict[str, str]] = {
    "carejourneys.render.report": {"_CONTEXT": "none"},
    "carejourneys.inputs.public": {"_CACHE": "clear"},
    "carejourneys.sites": {"_REGISTRY": "baseline"},  # a report may register a site of its own
}

_BASELINE: dict[str, Any] | None = None


def _snapshot() -> dict[str, Any]:
    import matplotlib

    rc = dict(matplotlib.rcParams.copy())
    rc.pop("backend", None)  # as matplotlib.rc_context does: never re-resolve the backend
    package = {}
    for name, attributes in STATE.items():
        module = sys.modules.get(name)
        for attribute, how in attributes.items():
            if how == "baseline" and module is not None:
                package[(name, attribute)] = dict(getattr(module, attribute))
    return {
        "environ": dict(os.environ),
        "path": list(sys.path),
        "filters": list(warnings.filters),
        "rc": rc,
        "package": package,
    }


def _restore_warnings(filters: list[Any]) -> None:
    """The baseline's warning filters, and every "already shown" registry emptied: public API only
    (``resetwarnings`` tells the warnings machinery that the filters changed, which invalidates
    the registries; the baseline's filters are then put back in place)."""
    warnings.resetwarnings()
    warnings.filters[:] = filters
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()


def _restore_matplotlib(rc: dict[str, Any]) -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    import matplotlib

    dict.update(matplotlib.rcParams, rc)  # as matplotlib.rc_context restores: no re-validation


def _restore_pandas() -> None:
    pd = sys.modules.get("pandas")
    if pd is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")


def _restore_package_state(baseline: dict[tuple[str, str], dict]) -> None:
    for name, attributes in STATE.items():
        module = sys.modules.get(name)
        if module is None:
            continue
        for attribute, how in attributes.items():
            if how == "none":
                setattr(module, attribute, None)
            elif how == "clear":
                getattr(module, attribute).clear()
            elif how == "baseline":
                value = getattr(module, attribute)
                value.clear()
                value.update(baseline.get((name, attribute), {}))
            else:  # pragma: no cover - a mistake in STATE
                raise ValueError(f"unknown reset {how!r} for {name}.{attribute}")


def prepare(env: dict[str, str], cwd: str) -> None:
    """Make this kernel ready for the next report: ``env`` on top of the kernel's baseline
    environment, ``cwd`` as the working folder, and everything else as in a fresh kernel."""
    global _BASELINE
    os.chdir(cwd)  # first: the previous report's folder may be gone (the build removes it)
    first = _BASELINE is None
    if first:
        _BASELINE = _snapshot()
    base = _BASELINE
    assert base is not None
    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)
    os.environ.clear()
    os.environ.update(base["environ"])
    os.environ.update(env)
    os.chdir(cwd)
    if not first:
        sys.path[:] = base["path"]
        _restore_warnings(base["filters"])
        _restore_matplotlib(base["rc"])
        _restore_pandas()
        _restore_package_state(base["package"])
    gc.collect()


def _shell() -> Any:
    from IPython import get_ipython  # a declared dependency, present in every kernel

    return get_ipython()
