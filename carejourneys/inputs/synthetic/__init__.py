"""The synthetic replica: every source of the data contract for both sites, from a seed.

    from carejourneys.inputs.synthetic import generate
    generate(Path("data/synthetic"), seed=2024)      # or: carejourneys synth data/synthetic --seed 2024

The output is byte-identical for the same seed: every random draw comes from a numpy Generator
seeded from ``seed`` and a fixed stream name (one stream per module), files are written in a
fixed order with fixed formatting, and nothing depends on the clock or on hash order. (numpy does
not promise identical Generator streams across its own versions: after a numpy upgrade, rerun
``carejourneys synth data/synthetic`` if tests/test_synthetic.py reports that the committed data
differ from the generator.)

It is calibrated to the counts the evaluation published (DESIGN.md section 4) and follows the
digests' timelines; see the modules for what each file holds and which patterns are planted:
:mod:`.fieldwork`, :mod:`.qualitative`, :mod:`.surveys`, :mod:`.participation`, :mod:`.programme`,
:mod:`.returns`. Everything in it is fictional.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from carejourneys.inputs.loaders.qdpx_write import write_site_projects
from carejourneys.inputs.manifest import write_manifest
from carejourneys.inputs.synthetic import fieldwork, participation, programme, qualitative, returns, surveys
from carejourneys.inputs.synthetic._io import rng_for, write_source, write_text

__all__ = ["generate", "DESCRIPTION"]

DESCRIPTION = ("Synthetic replica of the Care Journeys evaluation data for Brent and Plymouth, written by "
               "carejourneys.inputs.synthetic: fictional people and text in the real file formats, "
               "calibrated to "
               "the published sample sizes and timelines. Not real data.")


def _remove_stale(out_dir: Path, written: list[Path]) -> None:
    """Remove generated-looking files this run did not write (transcripts, OC3 returns of other years)."""
    keep = set(written)
    stale = [*out_dir.glob("transcripts/*.txt"), *out_dir.glob("*/oc3_*.csv"), *out_dir.glob("*.qdpx")]
    for path in sorted(stale):
        if path not in keep:
            path.unlink()


def _last_fieldwork_date(rows) -> str:
    """The date the data describe up to: the last fieldwork event (ISO), shown in report banners."""
    dates = pd.DataFrame(rows)["date"].astype(str)
    return str(max(dates))[:10]


def generate(out_dir: Path, seed: int = 2024) -> list[Path]:
    """Write every source for both sites into ``out_dir`` and then ``manifest.yml``.

    Returns the paths written (data files first, the manifest last). ``seed`` is a non-negative
    integer; the same seed always gives byte-identical files. Transcripts and OC3 returns of an
    earlier run that this run does not write are removed, so the folder matches its manifest; other
    files in ``out_dir`` are left alone.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    people, attendance = participation.register(rng_for(seed, "participation"))
    fw_rows, sessions = fieldwork.generate(rng_for(seed, "fieldwork"), people)
    files.append(write_source(out_dir, "fieldwork", fw_rows))

    transcripts, segments = qualitative.generate(rng_for(seed, "qualitative"), sessions)
    tdir = out_dir / "transcripts"
    for source_id in sorted(transcripts):
        files.append(write_text(tdir / f"{source_id}.txt", transcripts[source_id]))
    files.append(write_source(out_dir, "coded_segments", segments))
    # The same excerpts as one standard REFI-QDA project per site (what load_dataset reads first);
    # coded_segments.csv stays for the national strand and for readers without a QDA tool.
    frame = pd.DataFrame(segments)
    frame["start"] = frame["start"].astype(int)
    frame["end"] = frame["end"].astype(int)
    files += write_site_projects(out_dir, frame, transcripts, sites=["brent", "plymouth"])
    files.append(write_source(out_dir, "deny_list", qualitative.deny_list()))

    prepost = surveys.prepost(rng_for(seed, "prepost"), attendance)
    files.append(write_source(out_dir, "prepost_survey", prepost))
    files.append(write_source(out_dir, "retrospective_survey", surveys.retrospective(rng_for(seed, "retro"))))
    files.append(write_source(out_dir, "pa_survey", surveys.pa_survey(rng_for(seed, "pa"), people)))
    files.append(write_source(out_dir, "facilitator_ratings",
                              surveys.facilitator_ratings(rng_for(seed, "facilitator"))))

    files.append(write_source(out_dir, "young_people", people))
    files.append(write_source(out_dir, "participation", attendance))
    files.append(write_source(out_dir, "population", participation.population(rng_for(seed, "population"))))

    files.append(write_source(out_dir, "activities", programme.activities()))
    files.append(write_source(out_dir, "milestones", programme.milestones()))
    files.append(write_source(out_dir, "systems_changes", programme.systems_changes()))
    files.append(write_source(out_dir, "meetings", programme.meetings(rng_for(seed, "meetings"))))
    files.append(write_source(out_dir, "rubric", programme.rubric()))
    files.append(write_source(out_dir, "learning_points", programme.learning_points()))

    files.append(write_source(out_dir, "bright_spots", returns.bright_spots(rng_for(seed, "bright_spots"))))
    files += returns.write_oc3(rng_for(seed, "oc3"), out_dir)
    _remove_stale(out_dir, files)

    relative = [f.relative_to(out_dir) for f in files]
    manifest = write_manifest(out_dir, relative, origin="synthetic", description=DESCRIPTION,
                              extra={"generator": {"package": "carejourneys", "seed": int(seed)},
                                     "data_date": _last_fieldwork_date(fw_rows)})
    return [*files, manifest]
