"""Links between files (``carejourneys.inputs.dataset.LINKS``): every participant in the register,
every coded source in the fieldwork log, every young person who speaks in the register.

A broken link is a problem naming the file, row and column of the referring row, reported by
``validate`` and raised by ``load_dataset`` before any analysis runs.
"""

from __future__ import annotations

import io

import pytest

import carejourneys as cj
from carejourneys.errors import DataError
from carejourneys.inputs.validate import print_report, validate_dataset

REGISTER = ("young_person_id,site,age_band,gender,ethnicity_group,care_status,first_contact\n"
            "BRE-YP-001,brent,18-20,female,white,care_leaver,2020-01-06\n"
            "PLY-YP-001,plymouth,16-17,male,mixed,looked_after,2021-02-01\n")
PARTICIPATION = ("young_person_id,site,activity,date,role\n"
                 "BRE-YP-001,brent,Music group,2020-02-03,participant\n"
                 "PLY-YP-001,plymouth,Friday Hub,2021-03-05,participant\n")


@pytest.fixture
def linked(small_dataset):
    def make(changes=None):
        return small_dataset({"young_people.csv": REGISTER, "participation.csv": PARTICIPATION,
                              **(changes or {})})
    return make


def test_a_consistent_dataset_has_no_link_problems(linked):
    root = linked()
    assert validate_dataset(root) == []
    assert len(cj.load_dataset(root, "all").participation) == 2


def test_a_participant_missing_from_the_register_fails_validate_and_load(linked):
    missing = "\nBRE-YP-999,brent,Music group,2020-02-10,volunteer\n"
    root = linked({"participation.csv": PARTICIPATION + missing})
    problems = validate_dataset(root)
    assert [(p.path, p.row, p.column) for p in problems] == [
        (str(root / "participation.csv"), 5, "young_person_id")]  # row 4 is blank: spreadsheet rows
    assert "'BRE-YP-999' is not in young_people.csv" in problems[0].message
    for site in ("brent", "all"):
        with pytest.raises(DataError) as e:
            cj.load_dataset(root, site)
        assert (e.value.path, e.value.row, e.value.column) == (str(root / "participation.csv"), 5,
                                                               "young_person_id")
    assert len(cj.load_dataset(root, "plymouth").participation) == 1  # brent's rows are not plymouth's


def test_a_participant_registered_for_another_site(linked):
    elsewhere = "PLY-YP-001,brent,Music group,2020-02-10,volunteer\n"
    root = linked({"participation.csv": PARTICIPATION + elsewhere})
    (problem,) = validate_dataset(root)
    assert (problem.row, problem.column) == (4, "young_person_id")
    assert problem.message == "young person 'PLY-YP-001' is in young_people.csv for site plymouth, not brent"


def test_participation_without_a_register_is_one_problem(small_dataset):
    root = small_dataset({"participation.csv": PARTICIPATION})
    (problem,) = validate_dataset(root)
    assert problem.path == str(root / "participation.csv") and problem.column == "young_person_id"
    assert "2 rows name a young person" in problem.message and "young_people.csv" in problem.message


def test_a_register_with_problems_of_its_own_is_not_checked_against(linked):
    root = linked({"young_people.csv": REGISTER.replace("female", "unknown")})
    problems = validate_dataset(root)
    assert [(p.path, p.column) for p in problems] == [(str(root / "young_people.csv"), "gender")]


def test_coded_segments_name_known_sources_and_young_people(linked, small_files):
    segments = small_files["coded_segments.csv"]
    extra = ("S4,T999,plymouth,Staff member,practitioner,2,2021-05-10,Programme learning/Governance,"
             "Programme learning,Another line,0,12,C2\n")
    speaker = segments.replace("segment_id,source_id,site,", "segment_id,source_id,speaker_id,site,")
    lines = speaker.splitlines()
    lines[1] = lines[1].replace("S1,T001,brent,", "S1,T001,BRE-YP-404,brent,")  # a young person: checked
    lines[2] = lines[2].replace("S2,T002,plymouth,", "S2,T002,PLY-ST-404,plymouth,")  # staff: not
    lines[3] = lines[3].replace("S3,T004,national,", "S3,T004,,national,")
    root = linked({"coded_segments.csv": "\n".join(lines) + "\n" + extra.replace("S4,T999,", "S4,T999,,")})
    problems = validate_dataset(root)
    got = [(p.path, p.row, p.column) for p in problems]
    assert got == [(str(root / "coded_segments.csv"), 2, "speaker_id"),
                   (str(root / "coded_segments.csv"), 5, "source_id")]
    assert "'T999' is not in fieldwork.csv" in problems[1].message
    with pytest.raises(DataError, match="BRE-YP-404"):
        cj.load_dataset(root, "brent")


def test_the_validate_report_names_file_row_and_column(linked):
    unknown = "BRE-YP-404,brent,Music group,2020-02-10,volunteer\n"
    root = linked({"participation.csv": PARTICIPATION + unknown})
    out = io.StringIO()
    print_report(validate_dataset(root), root, stream=out)
    text = out.getvalue()
    assert "participation.csv (1 problem)" in text
    assert "row 4, column 'young_person_id': young person 'BRE-YP-404' is not in young_people.csv" in text


def test_national_young_people_have_no_register_to_be_in(linked, small_files):
    segments = small_files["coded_segments.csv"].replace("segment_id,source_id,site,",
                                                         "segment_id,source_id,speaker_id,site,")
    lines = segments.splitlines()
    lines[1] = lines[1].replace("S1,T001,brent,", "S1,T001,,brent,")
    lines[2] = lines[2].replace("S2,T002,plymouth,", "S2,T002,,plymouth,")
    lines[3] = lines[3].replace("S3,T004,national,Senior leader,senior_leader,",
                                "S3,T004,NAT-YP-1,national,Young person,not_applicable,")
    assert validate_dataset(linked({"coded_segments.csv": "\n".join(lines) + "\n"})) == []
