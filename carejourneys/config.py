"""Every folder and setting of carejourneys, resolved in one place.

| setting | environment variable | default |
|---|---|---|
| evaluation data | ``CAREJOURNEYS_DATA`` | the bundled synthetic replica, ``data/synthetic`` |
| public statistics | ``CAREJOURNEYS_PUBLIC`` | the bundled extract, ``data/public`` |
| report notebooks | ``CAREJOURNEYS_NOTEBOOKS`` | ``notebooks/`` |
| published site | ``CAREJOURNEYS_OUTPUTS`` | ``outputs/`` |
| private working folder | ``CAREJOURNEYS_WORK`` | ``.carejourneys-work/`` beside ``outputs/`` |
| disclosure policy file | ``CAREJOURNEYS_POLICY`` | the package's ``sdc/policy.yml`` |

An argument always wins over the environment, and the environment over the default. Paths from
the environment or an argument have ``~`` expanded and are made absolute. The private working
folder holds what must never be published: executed notebooks, build logs, disclosure and quote
records, failure details. It is never inside ``outputs/``.

:func:`settings` gives every setting at once (the build puts them in its cache key).
"""

from __future__ import annotations

import os
from pathlib import Path

#: the folder holding the package (``carejourneys/``)
PACKAGE_DIR = Path(__file__).resolve().parent
#: the project folder (the package's parent: a checkout, or site-packages when installed)
PROJECT_DIR = PACKAGE_DIR.parent

ENV_DATA = "CAREJOURNEYS_DATA"
ENV_PUBLIC = "CAREJOURNEYS_PUBLIC"
ENV_NOTEBOOKS = "CAREJOURNEYS_NOTEBOOKS"
ENV_OUTPUTS = "CAREJOURNEYS_OUTPUTS"
ENV_WORK = "CAREJOURNEYS_WORK"
ENV_POLICY = "CAREJOURNEYS_POLICY"
#: set by the build inside a report's kernel: the report's name and its private staging folder
ENV_REPORT = "CAREJOURNEYS_REPORT"
ENV_STAGE = "CAREJOURNEYS_STAGE"

#: every variable a user may set, in the README's order
USER_VARIABLES = (ENV_DATA, ENV_PUBLIC, ENV_NOTEBOOKS, ENV_OUTPUTS, ENV_WORK, ENV_POLICY)


def _path(value: str | os.PathLike) -> Path:
    return Path(value).expanduser().resolve()


def _choose(arg: str | os.PathLike | None, env: str, default: Path) -> Path:
    if arg is not None and str(arg).strip() != "":
        return _path(arg)
    value = os.environ.get(env, "").strip()
    return _path(value) if value else default


def bundled_data_dir() -> Path:
    """The synthetic replica shipped with the project."""
    return PROJECT_DIR / "data" / "synthetic"


def bundled_public_dir() -> Path:
    """The extract of public statistics shipped with the project."""
    return PROJECT_DIR / "data" / "public"


def data_dir(arg: str | os.PathLike | None = None) -> Path:
    """Where the evaluation data are: ``arg``, else ``$CAREJOURNEYS_DATA``, else the replica."""
    return _choose(arg, ENV_DATA, bundled_data_dir())


def public_dir(arg: str | os.PathLike | None = None) -> Path:
    """Where the public statistics are: ``arg``, else ``$CAREJOURNEYS_PUBLIC``, else the extract."""
    return _choose(arg, ENV_PUBLIC, bundled_public_dir())


def notebooks_dir(arg: str | os.PathLike | None = None) -> Path:
    """Where the report notebooks are."""
    return _choose(arg, ENV_NOTEBOOKS, PROJECT_DIR / "notebooks")


def outputs_dir(arg: str | os.PathLike | None = None) -> Path:
    """Where the publishable site is written."""
    return _choose(arg, ENV_OUTPUTS, PROJECT_DIR / "outputs")


def work_dir(arg: str | os.PathLike | None = None, *, outputs: str | os.PathLike | None = None) -> Path:
    """The private working folder: ``arg``, else ``$CAREJOURNEYS_WORK``, else
    ``.carejourneys-work`` beside the outputs folder (never inside it)."""
    out = outputs_dir(outputs)
    return _choose(arg, ENV_WORK, out.parent / f".carejourneys-work-{out.name}"
                   if out.name != "outputs" else out.parent / ".carejourneys-work")


def policy_file(arg: str | os.PathLike | None = None) -> Path:
    """The disclosure policy file (threshold, zeros, rounding, dominance)."""
    return _choose(arg, ENV_POLICY, PACKAGE_DIR / "sdc" / "policy.yml")


def settings() -> dict[str, str]:
    """Every resolved setting by name (for the build's cache key and ``carejourneys --version``)."""
    return {"data": str(data_dir()), "public": str(public_dir()), "notebooks": str(notebooks_dir()),
            "outputs": str(outputs_dir()), "work": str(work_dir()), "policy": str(policy_file())}
