"""The project's set-up files agree with each other."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(req: str) -> str:
    """A requirement with its name normalised (conda writes jupyter_client, PyPI jupyter-client)."""
    req = req.replace(" ", "")
    name = _name(req)
    return name + req[len(name):]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    py = _pyproject()["project"]
    declared = {_name(r): _spec(r) for r in py["dependencies"]}
    for reqs in py.get("optional-dependencies", {}).values():  # the conda environment has every extra
        declared.update({_name(r): _spec(r) for r in reqs})

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) not in {"python", "pip"}:
            conda[_name(d)] = _spec(d)
    assert conda == declared, (
        f"only in environment.yml: {sorted(set(conda) - set(declared))}; "
        f"only in pyproject.toml: {sorted(set(declared) - set(conda))}; "
        f"different pins: {sorted(k for k in conda.keys() & declared.keys() if conda[k] != declared[k])}"
    )


def _imported_modules(folder: Path) -> set[str]:
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


#: import name -> distribution name, where they differ
_DISTRIBUTION = {"yaml": "pyyaml", "IPython": "ipython", "odf": "odfpy"}


def test_every_third_party_import_of_the_package_is_declared():
    imported = _imported_modules(ROOT / "carejourneys")
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "carejourneys"}
    declared = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    missing = sorted(m for m in third_party if _name(_DISTRIBUTION.get(m, m)) not in declared)
    assert not missing, f"imported by carejourneys but not in pyproject's dependencies: {missing}"


def test_every_runtime_dependency_is_used():
    imported = {_name(_DISTRIBUTION.get(m, m)) for m in _imported_modules(ROOT / "carejourneys")}
    # used without an import statement: odfpy is pandas' engine for .ods, ipykernel runs the reports
    indirect = {"odfpy", "ipykernel"}
    unused = sorted(n for n in (_name(r) for r in _pyproject()["project"]["dependencies"])
                    if n not in imported and n not in indirect)
    assert not unused, f"declared but never imported: {unused}"


def test_jupyterlab_is_an_extra_not_a_dependency():
    py = _pyproject()["project"]
    assert "jupyterlab" not in {_name(r) for r in py["dependencies"]}
    assert "jupyterlab" in {_name(r) for r in py["optional-dependencies"]["lab"]}
    assert "-e \".[lab]\"" in (ROOT / "Makefile").read_text()


def test_license_is_an_spdx_expression_with_its_file():
    py = _pyproject()["project"]
    assert py["license"] == "MIT" and py["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "carejourneys contributors" in text


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split(";", 1)[0].split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_the_lock_file_pins_every_dependency_and_the_test_extra():
    py = _pyproject()["project"]
    pins = _locked()
    wanted = {_name(r) for r in [*py["dependencies"], *py["optional-dependencies"]["test"]]}
    missing = sorted(wanted - set(pins))
    assert not missing, f"not in requirements.lock (run make lock): {missing}"
    assert "jupyterlab" not in pins  # the lab extra is installed on demand, constrained by the lock
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install .*-r \$\(LOCK\)", make) and "LOCK   := requirements.lock" in make
    assert re.search(r"^lock:", make, re.M)


def test_the_lock_file_agrees_with_pyproject_bounds():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    py = _pyproject()["project"]
    pins = {canonicalize_name(k): v for k, v in _locked().items()}
    for req in map(Requirement, [*py["dependencies"], *py["optional-dependencies"]["test"]]):
        version = pins[canonicalize_name(req.name)]
        assert req.specifier.contains(version, prereleases=True), f"{req.name}=={version} breaks {req}"


def test_version_is_consistent():
    import carejourneys

    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert carejourneys.__version__ == py["version"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", ci, re.M)
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:.*\n\t\$\(VENV\)/bin/ruff check", make, re.M)  # lint is part of the tests
    assert "make test" in readme and "make report" in readme


def test_notebooks_are_committed_without_outputs():
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        doc = json.loads(nb.read_text(encoding="utf-8"))
        for cell in doc["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{nb.name} has stored outputs"
                assert cell.get("execution_count") is None, f"{nb.name} has execution counts"


def test_the_data_dictionary_is_generated_from_the_schemas_and_up_to_date():
    from carejourneys.inputs import dictionary, schemas

    page = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert page == dictionary.render(), (
        "docs/data-dictionary.md is out of date: run  .venv/bin/python -m carejourneys.inputs.dictionary")
    for source in schemas.SOURCES.values():
        assert f"## `{source.name}`" in page
        for f in source.fields:
            assert f"| `{f.name}` |" in page, (source.name, f.name)
    assert "| `CHILD` | text | yes | no |  | identifier |" in page
    assert "`Young person`, `Staff member`" in page


def test_the_data_dictionary_command_checks_and_writes(tmp_path, capsys):
    from carejourneys.inputs import dictionary

    out = tmp_path / "dd.md"
    assert dictionary.main(["--check", "--out", str(out)]) == 1
    assert dictionary.main(["--out", str(out)]) == 0
    assert dictionary.main(["--check", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == dictionary.render()


def test_citation_cff_is_cff_1_2_0_with_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "version", "license"} <= set(cff)
    assert str(cff["version"]) == _pyproject()["project"]["version"]
    assert cff["license"] == _pyproject()["project"]["license"]
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_changelog_keeps_an_unreleased_section_and_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{_pyproject()['project']['version']}]" in text


def test_contributing_states_the_privacy_rules():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "No real data" in text and "No copied source text" in text
    assert "make test" in text and "make lock" in text and "nbstripout" in text


def test_pre_commit_runs_ruff_at_the_locked_version_and_nbstripout():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: repo for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "nbstripout", "data-dictionary"} <= set(hooks)
    assert hooks["ruff"]["rev"] == f"v{_locked()['ruff']}", "ruff's rev should be the version the lock pins"


def test_the_readme_documents_every_setting():
    from carejourneys import config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable in config.USER_VARIABLES:
        assert re.search(rf"^\| `{variable}` \|", readme, re.M), f"README's settings table lacks {variable}"
    assert ".venv/bin/carejourneys" in readme and "source .venv/bin/activate" in readme


def test_the_assumptions_log_has_the_analysis_function_columns():
    text = (ROOT / "docs" / "assumptions-and-caveats.md").read_text(encoding="utf-8")
    assert "| id | assumption | where used | quality | impact | evidence and what follows |" in text
    rows = re.findall(r"^\| A\d+ \|", text, re.M)
    assert len(rows) >= 10 and len(rows) == len(set(rows))
