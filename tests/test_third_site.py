"""A third partnership site, declared by the data: valid in every source, loaded, validated, built.

The dataset is the synthetic replica with a copy of Plymouth's rows relabelled ``cornwall`` (every
identifier renamed, so that nothing is shared with Plymouth), Plymouth's care leaver returns copied
under ``cornwall/``, and a manifest whose ``sites:`` list describes Cornwall. Nothing in the package
names Cornwall.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import carejourneys as cj
from carejourneys import sites
from carejourneys.errors import DataError, ManifestError
from carejourneys.inputs import manifest, schemas
from carejourneys.inputs.dataset import register_sites
from carejourneys.inputs.validate import validate_dataset

CORNWALL = sites.Site(key="cornwall", name="Cornwall", la_old_code="908", la_new_code="E06000052",
                      region="South West", partner="Barnardo's", programme="Cornwall Care Journeys",
                      programme_start=date(2020, 4, 1), programme_end=date(2024, 3, 31))
FROM, NEW, PREFIX = "plymouth", "cornwall", "COR"


@pytest.fixture
def registry(monkeypatch):
    """The site registry, put back as it was after the test."""
    monkeypatch.setattr(sites, "_REGISTRY", dict(sites._REGISTRY))
    return sites._REGISTRY


def _renamed(value: str, unique: bool) -> str:
    if "PLY" in value:
        return value.replace("PLY", PREFIX)
    return f"{PREFIX}-{value}" if unique and value else value


def third_site_dataset(synthetic: Path, root: Path) -> Path:
    """``root``: the replica plus a copy of Plymouth's rows as Cornwall's, with a manifest declaring it."""
    shutil.copytree(synthetic, root)
    for source in schemas.SOURCES.values():
        path = root / source.filename
        if source.site_column is None or not path.is_file():
            continue
        renamed = {f.name for f in source.fields if f.unique or f.identifier
                   or f.name in ("source_id", "activity_id", "change_id", "point_id", "response_id")}
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            header, rows = list(reader.fieldnames or []), list(reader)
        extra = [{c: (NEW if c == source.site_column else _renamed(v, c in renamed)) for c, v in r.items()}
                 for r in rows if r[source.site_column] == FROM]
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows + extra)
    shutil.copytree(root / FROM, root / NEW)
    (root / manifest.MANIFEST).unlink()
    manifest.write_manifest(root, manifest.folder_files(root), "synthetic", "replica with a third site",
                            extra={"sites": [CORNWALL.as_dict()]})
    return root


@pytest.fixture
def third_site(synthetic_dir, tmp_path, registry):
    return third_site_dataset(synthetic_dir, tmp_path / "data")


def test_a_declared_site_is_registered_by_loading_its_dataset(third_site, registry):
    assert NEW not in sites.keys()
    with pytest.raises(KeyError, match="unknown site 'cornwall'"):
        sites.get(NEW)
    ds = cj.load_dataset(third_site, NEW)
    assert sites.get(NEW) == CORNWALL and NEW in schemas.SITES and NEW in schemas.FIELDWORK_SITES
    assert ds.sites == [NEW]
    for name in ("fieldwork", "coded_segments", "participation", "young_people", "prepost_survey", "oc3"):
        frame = getattr(ds, name)
        assert len(frame) > 0, name
        assert set(frame["site"]) == {NEW}, name
    plymouth = cj.load_dataset(third_site, FROM)
    assert len(ds.participation) == len(plymouth.participation)
    assert NEW in set(cj.load_dataset(third_site, "all").young_people["site"])


def test_the_registry_decides_what_a_valid_site_is_when_the_check_runs(third_site, registry):
    """The site column's check reads the registry as it is: the same file fails, then passes."""
    path = third_site / "young_people.csv"
    with pytest.raises(DataError, match="'cornwall' is not one of brent, plymouth"):
        cj.loaders.read_source("young_people", path)
    sites.register(CORNWALL)
    assert NEW in set(cj.loaders.read_source("young_people", path)["site"])


def test_validate_knows_the_declared_site(third_site, registry):
    assert validate_dataset(third_site) == []
    assert NEW in sites.keys()


def test_a_declared_site_that_is_not_a_site_is_a_manifest_error(tmp_path, small_dataset, registry):
    root = small_dataset()
    doc = (root / manifest.MANIFEST).read_text(encoding="utf-8")
    (root / manifest.MANIFEST).write_text(doc.replace("files:", "sites:\n- key: cornwall\n  name: Cornwall\n"
                                                                "files:"), encoding="utf-8")
    with pytest.raises(ManifestError, match="sites entry 1: site 'cornwall': missing la_old_code") as e:
        register_sites(root)
    assert e.value.column == "sites" and e.value.row == 1
    assert any("sites entry 1" in p.message for p in validate_dataset(root))
    with pytest.raises(ValueError, match="already registered with other details"):
        sites.register(dataclasses.replace(sites.get("brent"), name="Brent!"))


@pytest.mark.slow
def test_the_third_site_reports_are_built(third_site, tmp_path, registry, repo_root):
    """Its reports are built like Brent's and Plymouth's, from notebooks that list it."""
    from carejourneys.publish import build

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for src in sorted((repo_root / "notebooks").glob("[0-9]*.ipynb")):
        nb = json.loads(src.read_text(encoding="utf-8"))
        meta = nb["metadata"]["carejourneys"]
        if FROM in meta["sites"]:
            meta["sites"] = [*meta["sites"], NEW]
        (notebooks / src.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    register_sites(third_site)  # as the command line does for --data before it checks --site
    out = tmp_path / "out"
    result = build.run(sites=[NEW], data_dir=third_site, outputs=out, notebooks_dir=notebooks, jobs=2,
                       quiet=True)
    failures = [r.error for r in result.reports if r.status == "failed"]
    assert result.ok, failures
    built = sorted(r.notebook for r in result.reports if r.site == NEW)
    assert built == sorted(p.stem for p in notebooks.glob("*.ipynb"))
    for name in built:
        page = (out / NEW / f"{name}.html").read_text(encoding="utf-8")
        assert "Cornwall" in page
