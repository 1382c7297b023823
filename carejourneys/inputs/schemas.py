"""The data contract: code lists and one pandera schema per source (DESIGN.md section 4).

Every code list lives here and nowhere else. Each source is described by a :class:`Source`:
its file name, its columns (in the order files are written) and the pandera schema that a
loaded frame must satisfy. Loaders read files, normalise headers and parse values, then
validate with ``SOURCES[name].schema``; the synthetic generator writes columns in
``SOURCES[name].columns`` order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from carejourneys import sites

# --------------------------------------------------------------------------- code lists


class SiteCodes(Sequence[str]):
    """The keys of the site registry as they are when asked (:func:`carejourneys.sites.keys`), then
    ``extra`` codes: a code list that follows :func:`carejourneys.sites.register`, never fixed at import.

    It behaves as a tuple of the codes (iterate, index, ``in``, ``len``, compare with a tuple).
    """

    def __init__(self, *extra: str) -> None:
        self.extra = extra

    def codes(self) -> tuple[str, ...]:
        return (*sites.keys(), *self.extra)

    def __getitem__(self, index):  # type: ignore[override]
        return self.codes()[index]

    def __len__(self) -> int:
        return len(self.codes())

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes())

    def __contains__(self, value: object) -> bool:
        return value in self.codes()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SiteCodes):
            return self.extra == other.extra
        if isinstance(other, (tuple, list)):
            return self.codes() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((SiteCodes, self.extra))

    def __repr__(self) -> str:
        return f"SiteCodes{self.codes()!r}"


#: the partnership sites' keys (every registered site)
SITES = SiteCodes()
#: where fieldwork happened: a site, or the national programme
FIELDWORK_SITES = SiteCodes("national")
#: the deny list's sites: a site, or every site at once
DENY_LIST_SITES = SiteCodes(sites.ALL)

METHODS = ("interview", "focus_group", "observation", "document_review")
PARTICIPANT_GROUPS = ("young_person", "cj_staff", "la_staff", "stakeholder", "barnardos_staff")
WAVES = (1, 2, 3)
#: fieldwork windows of the evaluation's three waves (interim 1, interim 2, final)
WAVE_PERIODS = {
    1: ("2019-10-01", "2020-12-31"),
    2: ("2021-01-01", "2022-06-30"),
    3: ("2022-07-01", "2024-06-30"),
}

ROLES = ("Young person", "Staff member", "Manager", "Senior leader", "Stakeholder")
#: ordered from least to most senior; young people are not on the staff ladder
SENIORITY = ("not_applicable", "practitioner", "manager", "senior_leader")
STAFF_SENIORITY = SENIORITY[1:]

CODEBOOK: dict[str, tuple[str, ...]] = {
    "Outcomes for young people": (
        "Social connections",
        "Wellbeing, confidence and identity",
        "Skills and knowledge",
        "Personal goals and positive destinations",
    ),
    "Programme learning": (
        "Additional resource",
        "Power between council and voluntary sector",
        "Decision-making and momentum",
        "Permission to fail",
        "Endings and legacy",
        "Governance",
    ),
    "Collaboration": (
        "Ethos across roles",
        "Leading by example",
        "Team skills and lived experience",
        "Strategic support",
    ),
    # what helped and what got in the way, each coded to what it names (ranked on the site pages)
    "Enablers": (
        "Dedicated resource",
        "Senior sponsorship",
        "Lived-experience staff",
        "Flexible funding",
        "Joint ownership of decisions",
        "Space to experiment",
        "Approachable, flexible workers",
        "Practical help",
    ),
    "Barriers": (
        "Staff turnover",
        "Procurement and contracting",
        "Data sharing",
        "Short-term funding",
        "Competing priorities",
        "COVID-19",
        "Slow decision-making",
        "Different views of systems change",
        "Travel and timing",
    ),
    "Five outcomes": (
        "Co-production",
        "Robust partnership",
        "Learning shared",
        "Systems improved",
        "Policy influence",
    ),
    "Valence": ("Positive", "Negative", "Mixed"),
}
CODE_SEPARATOR = "/"


def code_paths() -> list[str]:
    """Every code in the codebook as a full path (parents before children)."""
    out: list[str] = []
    for top, children in CODEBOOK.items():
        out.append(top)
        out += [f"{top}{CODE_SEPARATOR}{c}" for c in children]
    return out


#: the four outcome domains for young people, keyed as in survey column names
OUTCOME_DOMAINS = {
    "social_connections": "Outcomes for young people/Social connections",
    "wellbeing": "Outcomes for young people/Wellbeing, confidence and identity",
    "skills": "Outcomes for young people/Skills and knowledge",
    "goals": "Outcomes for young people/Personal goals and positive destinations",
}

TIMEPOINTS = ("pre", "post")
SWEMWBS_ITEMS = tuple(f"swemwbs_{i}" for i in range(1, 8))
UCLA_ITEMS = tuple(f"ucla_{i}" for i in range(1, 4))
ONS_ITEMS = tuple(f"ons_{i}" for i in range(1, 5))
#: retrospective (then-test) items, each asked as <item>_before and <item>_now on 1-5
RETRO_ITEMS = ("confidence", "social_connections", "wellbeing", "skills", "goals")
PA_CHANGE_SCALE = ("Much worse", "A little worse", "No change", "A little better", "Much better")
PA_DONT_KNOW = "Don't know"
PA_DOMAINS = tuple(OUTCOME_DOMAINS)

PARTICIPATION_ROLES = ("participant", "co-designer", "volunteer", "paid")
AGE_BANDS = ("16-17", "18-20", "21-25")
GENDERS = ("female", "male", "non_binary_or_other", "not_known")
ETHNICITY_GROUPS = ("white", "mixed", "asian", "black", "other", "not_known")
CARE_STATUS = ("looked_after", "care_leaver")

ACTIVITY_KINDS = ("participation", "wellbeing", "employment", "practice", "systems", "relationships",
                  "output")
#: "handed_over": the work goes on, run by the council (or another body) instead of the programme
ACTIVITY_STATUS = ("planned", "running", "paused", "completed", "stopped", "handed_over")
#: what a learning-point record is: a learning point, or one of the digests' summary findings
FINDING_KINDS = ("learning_point", "strength", "challenge", "recommendation")
CHANGE_LEVELS = ("local", "national")
CHANGE_KINDS = ("policy", "practice", "service")
CHANGE_STATUS = ("influenced", "proposed", "adopted", "embedded")
FORUMS = ("partnership_board", "operational_group", "young_people_forum", "practice_network")
RUBRIC_OUTCOMES = ("co_production", "robust_partnership", "learning_shared", "systems_improved",
                   "policy_influence", "overall")
RUBRIC_LEVELS = ("Insufficient evidence", "Poor", "Adequate", "Good", "Very good", "Excellent")

# SSDA903 OC3 (DfE guide); see carejourneys.inputs.loaders.oc3 for the rules between fields.
OC3_COLUMNS = ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")
OC3_IN_TOUCH = ("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
OC3_ACTIV_EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
OC3_ACTIV_LEGACY = ("F3", "P3")
OC3_ACTIV_NEET = ("G4", "G5", "G6")
OC3_ACTIV = (*OC3_ACTIV_EET, *OC3_ACTIV_LEGACY, *OC3_ACTIV_NEET, "0")
OC3_ACCOM_LETTERS = tuple("BCDEGHKRSTUVWXYZ")
OC3_ACCOM = (*(f"{a}{s}" for a in OC3_ACCOM_LETTERS for s in "12"), "0")
#: the collection years of each site's care leaver returns in the synthetic replica
OC3_YEARS = {"brent": (2021, 2022, 2023), "plymouth": (2022, 2023)}

DENY_TAGS = ("name", "place", "service", "organisation")
BRIGHT_SPOTS_COMPARATORS = ("national", "all_young_people")

# --------------------------------------------------------------------------- sources

TEXT, INT, FLOAT, DATE = "text", "int", "float", "date"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = True  # the column must be present
    nullable: bool = False  # empty cells allowed
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    unique: bool = False
    #: the column identifies a person (an id, a name, a date of birth): never published as it is
    identifier: bool = False

    def column(self) -> pa.Column:
        dtype = {TEXT: "str", INT: "Int64", FLOAT: "Float64", DATE: "datetime64[ns]"}[self.kind]
        checks = []
        if isinstance(self.allowed, SiteCodes):  # the registry as it is when the check runs
            allowed = self.allowed
            checks.append(pa.Check(lambda s: s.isin(list(allowed)), name="isin"))
        elif self.allowed is not None:
            checks.append(pa.Check.isin(list(self.allowed)))
        if self.min is not None or self.max is not None:
            lo = self.min if self.min is not None else float("-inf")
            hi = self.max if self.max is not None else float("inf")
            checks.append(pa.Check.in_range(lo, hi))
        return pa.Column(dtype, checks=checks, nullable=self.nullable, unique=self.unique,
                         required=self.required)


@dataclass(frozen=True)
class Source:
    name: str
    filename: str
    fields: tuple[Field, ...]
    description: str
    optional: bool = True  # a dataset may lack it; loading then gives an empty frame
    site_column: str | None = "site"
    unique_together: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    @property
    def schema(self) -> pa.DataFrameSchema:
        return pa.DataFrameSchema(
            {f.name: f.column() for f in self.fields},
            strict=False,
            unique=list(self.unique_together) or None,
            name=self.name,
        )

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def empty(self) -> pd.DataFrame:
        """An empty frame with this source's columns and dtypes."""
        dtypes = {TEXT: "str", INT: "Int64", FLOAT: "Float64", DATE: "datetime64[ns]"}
        return pd.DataFrame({f.name: pd.Series(dtype=dtypes[f.kind]) for f in self.fields})


def _likert(prefix_items, lo, hi, nullable=True):
    return tuple(Field(i, INT, nullable=nullable, min=lo, max=hi) for i in prefix_items)


_SITE = Field("site", allowed=SITES)

SOURCES: dict[str, Source] = {}


def _add(src: Source) -> None:
    SOURCES[src.name] = src


_add(Source("fieldwork", "fieldwork.csv", (
    Field("event_id", unique=True),
    Field("site", allowed=FIELDWORK_SITES),
    Field("method", allowed=METHODS),
    Field("participant_group", allowed=PARTICIPANT_GROUPS),
    Field("date", DATE),
    Field("wave", INT, allowed=WAVES),
    Field("n_participants", INT, min=1),
    Field("source_id", nullable=True),
), "data-gathering events of the evaluation", optional=False))

_add(Source("coded_segments", "coded_segments.csv", (
    Field("segment_id", unique=True),
    Field("source_id"),
    Field("site", allowed=FIELDWORK_SITES),
    Field("speaker_id", required=False, nullable=True, identifier=True),
    Field("role", allowed=ROLES),
    Field("seniority", allowed=SENIORITY),
    Field("wave", INT, allowed=WAVES),
    Field("date", DATE),
    Field("code_path"),
    Field("theme"),
    Field("text"),
    Field("start", INT, min=0),
    Field("end", INT, min=0),
    Field("coder"),
), "coded excerpts (CSV form; the REFI-QDA form is <site>.qdpx)"))

_add(Source("prepost_survey", "prepost_survey.csv", (
    Field("respondent_id", identifier=True),
    _SITE,
    Field("activity"),
    Field("timepoint", allowed=TIMEPOINTS),
    Field("completed_on", DATE),
    *_likert(SWEMWBS_ITEMS, 1, 5),
    *_likert(UCLA_ITEMS, 1, 3),
    *_likert(ONS_ITEMS, 0, 10),
), "pre/post questionnaire (wide)", unique_together=("respondent_id", "activity", "timepoint")))

_add(Source("retrospective_survey", "retrospective_survey.csv", (
    Field("respondent_id", unique=True, identifier=True),
    _SITE,
    Field("activity"),
    Field("completed_on", DATE),
    *(f for item in RETRO_ITEMS for f in _likert((f"{item}_before", f"{item}_now"), 1, 5)),
), "retrospective (then-test) survey"))

_add(Source("pa_survey", "pa_survey.csv", (
    Field("response_id"),
    Field("pa_id", identifier=True),
    Field("young_person_ref", identifier=True),
    _SITE,
    Field("completed_on", DATE),
    *(Field(f"change_{d}", nullable=True, allowed=(*PA_CHANGE_SCALE, PA_DONT_KNOW)) for d in PA_DOMAINS),
    Field("comment", nullable=True),
), "Personal Adviser survey: one row per young person rated",
    unique_together=("response_id", "young_person_ref")))

_add(Source("facilitator_ratings", "facilitator_ratings.csv", (
    Field("session_id", unique=True),
    _SITE,
    Field("activity"),
    Field("session_date", DATE),
    Field("facilitator_id", identifier=True),
    Field("attendees", INT, min=0),
    Field("engagement", INT, min=1, max=5),
    Field("wellbeing", INT, min=1, max=5),
    Field("note", nullable=True),
), "wellbeing workshop facilitator ratings"))

_add(Source("participation", "participation.csv", (
    Field("young_person_id", identifier=True),
    _SITE,
    Field("activity"),
    Field("date", DATE),
    Field("role", allowed=PARTICIPATION_ROLES),
), "participation register: one row per attendance"))

_add(Source("young_people", "young_people.csv", (
    Field("young_person_id", unique=True, identifier=True),
    _SITE,
    Field("age_band", allowed=AGE_BANDS),
    Field("gender", allowed=GENDERS),
    Field("ethnicity_group", allowed=ETHNICITY_GROUPS),
    Field("care_status", allowed=CARE_STATUS),
    Field("first_contact", DATE),
), "young people in the participation register"))

_add(Source("activities", "activities.csv", (
    _SITE,
    Field("activity_id", unique=True),
    Field("name"),
    Field("kind", allowed=ACTIVITY_KINDS),
    Field("start", DATE),
    Field("end", DATE, nullable=True),
    Field("status", allowed=ACTIVITY_STATUS),
    Field("description", required=False, nullable=True),
), "programme activities (kind 'output': something the programme produced, such as a film)"))

_add(Source("milestones", "milestones.csv", (
    _SITE,
    Field("initiative"),
    Field("milestone"),
    Field("planned_date", DATE),
    Field("actual_date", DATE, nullable=True),
), "planned and actual milestones", unique_together=("site", "initiative", "milestone")))

_add(Source("systems_changes", "systems_changes.csv", (
    _SITE,
    Field("change_id"),
    Field("description"),
    Field("level", allowed=CHANGE_LEVELS),
    Field("kind", allowed=CHANGE_KINDS),
    Field("status", allowed=CHANGE_STATUS),
    Field("date", DATE),
    Field("evidence", nullable=True),
), "systems changes log: one row per change and status reached",
    unique_together=("site", "change_id", "status")))

_add(Source("meetings", "meetings.csv", (
    _SITE,
    Field("forum", allowed=FORUMS),
    Field("date", DATE),
    Field("attendees_council", INT, min=0),
    Field("attendees_barnardos", INT, min=0),
    Field("attendees_other", INT, min=0),
    Field("young_people_present", INT, min=0),
), "governance meetings"))

_add(Source("rubric", "rubric.csv", (
    _SITE,
    Field("wave", INT, allowed=WAVES),
    Field("outcome", allowed=RUBRIC_OUTCOMES),
    Field("level", allowed=RUBRIC_LEVELS),
    Field("rationale"),
    Field("evidence_refs", nullable=True),
), "rubric ratings of the five programme outcomes", unique_together=("site", "wave", "outcome")))

_add(Source("learning_points", "learning_points.csv", (
    _SITE,
    Field("point_id", unique=True),
    Field("heading"),
    Field("code_paths"),
    Field("kind", required=False, nullable=True, allowed=FINDING_KINDS),
    Field("theme", required=False, nullable=True),
), "learning points and summary findings (kind; empty = learning_point), the codes that support them "
   "(code_paths separated by ';') and the code of the heading they sit under (theme)"))

_add(Source("bright_spots", "bright_spots.csv", (
    _SITE,
    Field("survey_year", INT, min=2015, max=2030),
    Field("indicator"),
    Field("respondents", INT, min=0),
    Field("percent", FLOAT, min=0, max=100, nullable=True),
    Field("comparator", allowed=BRIGHT_SPOTS_COMPARATORS),
    Field("comparator_percent", FLOAT, min=0, max=100, nullable=True),
), "Bright Spots 'Your Life Beyond Care' indicators", unique_together=("site", "survey_year", "indicator")))

_add(Source("population", "population.csv", (
    _SITE,
    Field("year", INT, min=2015, max=2030),
    Field("care_status", allowed=CARE_STATUS),
    Field("characteristic", allowed=("age_band", "gender", "ethnicity_group")),
    Field("category"),
    Field("count", INT, min=0),
), "the council's children in care and care leavers by characteristic (for diversity comparisons)",
    unique_together=("site", "year", "care_status", "characteristic", "category")))

_add(Source("deny_list", "deny_list.csv", (
    Field("site", allowed=DENY_LIST_SITES),
    Field("term"),
    Field("tag", allowed=DENY_TAGS),
), "names, places and services to replace in published quotes", unique_together=("site", "term")))

_add(Source("oc3", "oc3_<year>.csv", (
    Field("CHILD", identifier=True),
    Field("DOB", DATE, identifier=True),
    Field("IN_TOUCH", nullable=True, allowed=OC3_IN_TOUCH),
    Field("ACTIV", nullable=True, allowed=OC3_ACTIV),
    Field("ACCOM", nullable=True, allowed=OC3_ACCOM),
), "SSDA903 care leaver return (one file per site and collection year, under <data_dir>/<site>/)",
    site_column=None))


def identifier_columns() -> dict[str, tuple[str, ...]]:
    """The columns of each source that identify a person (``Field.identifier``): source -> columns.
    Sources without any are left out."""
    out = {name: tuple(f.name for f in src.fields if f.identifier) for name, src in SOURCES.items()}
    return {name: cols for name, cols in out.items() if cols}
