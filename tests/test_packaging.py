"""The project's set-up files agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r): r.replace(" ", "") for r in py["dependencies"]}
    for reqs in py.get("optional-dependencies", {}).values():
        declared.update({_name(r): r.replace(" ", "") for r in reqs})

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) not in {"python", "pip"}:
            conda[_name(d)] = d.replace(" ", "")
    assert conda == declared, (
        f"only in environment.yml: {sorted(set(conda) - set(declared))}; "
        f"only in pyproject.toml: {sorted(set(declared) - set(conda))}; "
        f"different pins: {sorted(k for k in conda.keys() & declared.keys() if conda[k] != declared[k])}"
    )


def test_version_is_consistent():
    import carejourneys

    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert carejourneys.__version__ == py["version"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "make test" in readme and "make report" in readme


def test_notebooks_are_committed_without_outputs():
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        doc = json.loads(nb.read_text(encoding="utf-8"))
        for cell in doc["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{nb.name} has stored outputs"
                assert cell.get("execution_count") is None, f"{nb.name} has execution counts"
