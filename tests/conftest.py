"""Shared fixtures.

``repo_root``      the project folder
``shared_dir``     the reference folder ``../shared`` beside the project (skips when absent)
``synthetic_dir``  the bundled replica ``data/synthetic`` (skips while it has no manifest.yml)
``small_dataset``  a factory writing a tiny valid dataset (with manifest) into a temporary folder
``small_files``    the texts of that dataset's files
``full_build``     every report for every site built once per session into a temporary folder
                   (shared by the notebook, browser and publishing tests; skips without the data)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"

# Tiny, fresh, synthetic rows for the dataset fixture (no real people or quotes).
SMALL_FILES: dict[str, str] = {
    "fieldwork.csv": (
        "event_id,site,method,participant_group,date,wave,n_participants,source_id\n"
        "F001,brent,interview,young_person,2020-03-02,1,1,T001\n"
        "F002,plymouth,focus_group,cj_staff,2021-05-10,2,6,T002\n"
        "F003,plymouth,observation,la_staff,2022-09-01,3,12,\n"
        "F004,national,interview,barnardos_staff,2023-01-16,3,1,T004\n"
    ),
    "prepost_survey.csv": (
        "respondent_id,site,activity,timepoint,completed_on,"
        + ",".join(f"swemwbs_{i}" for i in range(1, 8)) + ","
        + ",".join(f"ucla_{i}" for i in range(1, 4)) + ","
        + ",".join(f"ons_{i}" for i in range(1, 5)) + "\n"
        "R01,plymouth,Friday Hub,pre,2023-01-13,3,3,2,4,3,3,2,2,2,3,5,6,5,4\n"
        "R01,plymouth,Friday Hub,post,2023-04-14,4,4,3,4,4,3,3,1,2,2,7,7,6,3\n"
    ),
    "deny_list.csv": (
        "site,term,tag\n"
        "all,Example Street,place\n"
        "plymouth,Harbour Youth Space,service\n"
        "brent,Jordan Q,name\n"
    ),
    "coded_segments.csv": (
        "segment_id,source_id,site,role,seniority,wave,date,code_path,theme,text,start,end,coder\n"
        "S1,T001,brent,Young person,not_applicable,1,2020-03-02,Outcomes for young people/Social connections,"
        "Outcomes for young people,I made new friends at the group,0,31,C1\n"
        "S2,T002,plymouth,Staff member,practitioner,2,2021-05-10,Programme learning/Governance,"
        "Programme learning,"
        "The board met every month,10,35,C2\n"
        "S3,T004,national,Senior leader,senior_leader,3,2023-01-16,Collaboration/Strategic support,"
        "Collaboration,Leaders backed the work,5,28,C1\n"
    ),
    "brent/oc3_2022.csv": (
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "B0001,15/06/2002,YES,F2,S1\n"
        "B0002,03/11/2003,YES,G5,B1\n"
    ),
}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"reference folder {SHARED_DIR} is absent")
    return SHARED_DIR


@pytest.fixture(scope="session")
def synthetic_dir(repo_root: Path) -> Path:
    d = repo_root / "data" / "synthetic"
    if not (d / "manifest.yml").is_file():
        pytest.skip(f"{d} has no manifest.yml yet")
    return d


@pytest.fixture(scope="session")
def small_files() -> dict[str, str]:
    """The files of ``small_dataset`` (relative path -> text); a copy, safe to change."""
    return dict(SMALL_FILES)


@pytest.fixture
def small_dataset(tmp_path: Path) -> Callable[..., Path]:
    """``small_dataset(changes=None, origin="synthetic")`` -> folder of a tiny valid dataset.

    ``changes`` maps a relative path to new text (``None`` leaves the file out); the manifest is
    written after the changes, so it agrees with the files.
    """
    from carejourneys.inputs.manifest import write_manifest

    def make(changes: dict[str, str | bytes | None] | None = None, origin: str = "synthetic",
             name: str = "ds") -> Path:
        root = tmp_path / name
        files = {**SMALL_FILES, **(changes or {})}
        written = []
        for rel, text in files.items():
            if text is None:
                continue
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                p.write_bytes(text)
            else:
                p.write_text(text, encoding="utf-8", newline="")
            written.append(rel)
        write_manifest(root, written, origin)
        return root

    return make


class FullBuild(NamedTuple):
    """The session's full build: outputs folder, ``cj.build.run``'s result, reports by (notebook, site)."""

    out: Path
    result: Any
    reports: dict[tuple[str, str], Any]


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> FullBuild:
    """Every notebook for every site it declares, built once (output checker included) on the bundled data.

    Slow (about a minute): only tests marked ``slow`` should use it. Read it, never change it.
    """
    if not (REPO_ROOT / "data" / "synthetic" / "manifest.yml").is_file():
        pytest.skip("the bundled synthetic data are not generated")
    if not any((REPO_ROOT / "notebooks").glob("*.ipynb")):
        pytest.skip("no notebook in notebooks/")
    from carejourneys.publish import build
    out = tmp_path_factory.mktemp("full_build")
    result = build.run(outputs=out, force=True, quiet=True)
    return FullBuild(out, result, {(r.notebook, r.site): r for r in result.reports})
