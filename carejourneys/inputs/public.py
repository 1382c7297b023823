"""The committed extract of public statistics (``data/public/``): how it is made and how it is read.

Made by ``carejourneys public DFE_DIR OUT_DIR`` (``make public``) from the official files with the
project's own loaders (:mod:`carejourneys.inputs.loaders.dfe`); read by :func:`load_public` and the small
helpers below, which notebooks and other modules use::

    import carejourneys as cj
    pub = cj.public.load_public()                 # PublicData: one frame per file
    cj.public.workforce("304")                    # turnover, vacancy, agency rates by year for Brent
    cj.public.care_leavers("E06000026")           # Plymouth's published care leaver indicators
    cj.public.neighbours("brent", model=2025)     # its ten statistical neighbours (old LA codes)

An area may be named by site key (``brent``), old LA code (``304``), new code (``E09000005``) or
``england``. Published values keep their symbols: a number column is ``<NA>`` where the file has
``c``, ``k``, ``z``, ``x``, ``low`` or ``u``, and the symbol is in the matching ``*_symbol`` column.

Files (all CSV, UTF-8, written in a fixed order so that a rebuild is byte-identical):

    areas.csv                  England, the regions and every council: codes, name, region
    care_leavers.csv           care leaver activity and accommodation suitability, every area and year:
                               one row per area, year and age band, then per measure its published
                               count and percent (``act_eet_count``, ``act_eet_percent``, ...)
    neighbour_medians.csv      the statistical-neighbour median per indicator for Brent and Plymouth
    statistical_neighbours.csv ten neighbours per council, 2021 and 2025 models
    workforce.csv              social work turnover, vacancy and agency rates (FTE), every area and year
    ofsted.csv                 ILACS inspections since 2018 with their judgements
    comparators.csv            national comparators (all young people, Bright Spots) with citations
    provenance.yml             publisher, release, table, licence and sha256 of every source file
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from carejourneys import config, sites
from carejourneys.errors import DataError, DataProblem
from carejourneys.inputs import council_names
from carejourneys.inputs.loaders import dfe
from carejourneys.sites import LA_CODE

ENGLAND = "E92000001"
#: the files of the extract that :func:`load_public` reads (``provenance.yml`` is optional)
EXTRACT_FILES = ("areas.csv", "care_leavers.csv", "neighbour_medians.csv", "statistical_neighbours.csv",
                 "workforce.csv", "ofsted.csv", "comparators.csv")

#: the official files the extract is made from (names as published)
SOURCE_FILES = {
    "activity": "la_care_leavers_activity.csv",
    "accommodation": "la_care_leavers_accommodation_suitability.csv",
    "workforce": "csww_indicators_2017_to_2025.csv",
    "sn2021": "New_Statistical_Neighbour_Groupings_April_2021.csv",
    "sn2025": "sn_model_2025_wide.csv",
    "ofsted": "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
}

#: the care leaver measures kept in the extract: every breakdown of the official tables
EXTRACT_MEASURES = {
    "activity": ("total", "eet", "higher_education", "other_education", "apprenticeship",
                 "training_or_employment", "training_or_employment_all", "neet", "neet_illness_disability",
                 "neet_other", "neet_pregnancy_parenting", "not_known"),
    "accommodation": ("total", "suitable", "unsuitable", "not_known"),
}
WORKFORCE_MEASURES = tuple(dfe.WORKFORCE_RATES)
MODELS = (2021, 2025)

_OGL = "Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)"
_CLA_RELEASE = "Children looked after in England including adoptions, reporting year 2025 (years 2021-2025)"
_KEPT_IN = ("as kept in the MIT-licensed repository dfe-analytical-services/CSC_outcomes_and_enablers "
            "(commit 2f5d11a4, folder data-raw/)")
PROVENANCE = {
    "activity": {
        "publisher": "Department for Education",
        "release": _CLA_RELEASE,
        "table": "Care leavers by activity, by local authority (la_care_leavers_activity)",
        "licence": _OGL,
    },
    "accommodation": {
        "publisher": "Department for Education",
        "release": _CLA_RELEASE,
        "table": "Care leavers by suitability of accommodation, by local authority "
                 "(la_care_leavers_accommodation_suitability)",
        "licence": _OGL,
    },
    "workforce": {
        "publisher": "Department for Education",
        "release": "Children's social work workforce, reporting year 2025 (years 2017-2025)",
        "table": "Children's social work workforce indicators by local authority "
                 "(csww_indicators_2017_to_2025)",
        "licence": _OGL,
    },
    "sn2021": {
        "publisher": "Department for Education",
        "release": "Children's services statistical neighbour benchmarking tool, 2021 model (April 2021)",
        "table": "New statistical neighbour groupings, April 2021",
        "licence": _OGL,
    },
    "sn2025": {
        "publisher": "Department for Education",
        "release": "Children's services statistical neighbour benchmarking tool, 2025 model",
        "table": "Statistical neighbour model 2025 (wide)",
        "licence": _OGL,
    },
    "ofsted": {
        "publisher": "Ofsted",
        "release": "Local authority inspection outcomes as at 31 March 2025 (published 25 September 2025)",
        "table": "ILACS inspection history from 2018",
        "licence": _OGL,
    },
}


# --------------------------------------------------------------------------- national comparators

#: National comparators. Each says where its figure comes from and how far it was checked: none of
#: them is in the official files above, and this project had no internet access when it was written,
#: so every figure here is taken from a secondary report of the publication and is marked as such.
COMPARATORS = [
    {
        "comparator": "all_young_people", "indicator": "neet",
        "label": "Not in education, employment or training",
        "population": "all young people aged 19-21",
        "year": 2017, "percent": 13.0,
        "care_leaver_percent": 40.0,
        "publisher": "Department for Education",
        "citation": "DfE, Children looked after in England (including adoption), year ending 31 March 2017 "
                    "(SFR 50/2017): care leavers aged 19-21 not in education, employment or training "
                    "compared with all young people of the same age",
        "url": "https://www.gov.uk/government/statistics/children-looked-after-in-england-including-adoption-2016-to-2017",
        "verified": "secondary",
        "note": "Figures as reported by Children & Young People Now (cypnow.co.uk, 2018) citing the 2017 "
                "government statistics; not checked against the release itself. No later "
                "all-young-people figure for ages 19-21 is in the official files used here, so the gap "
                "is shown for 2017 only.",
    },
    {
        "comparator": "all_young_people", "indicator": "neet",
        "label": "Not in education, employment or training",
        "population": "all young people aged 18",
        "year": 2017, "percent": 12.0,
        "care_leaver_percent": 31.0,
        "publisher": "Department for Education",
        "citation": "DfE, Children looked after in England (including adoption), year ending 31 March 2017 "
                    "(SFR 50/2017): 18-year-old care leavers NEET compared with all 18-year-olds",
        "url": "https://www.gov.uk/government/statistics/children-looked-after-in-england-including-adoption-2016-to-2017",
        "verified": "secondary",
        "note": "As reported by Children & Young People Now (8 November 2017); not checked against "
                "the release.",
    },
    {
        "comparator": "national", "indicator": "low_life_satisfaction", "label": "Low life satisfaction",
        "population": "care leavers aged 16-25 in six local authorities (Your Life Beyond Care, 2018)",
        "year": 2018, "percent": 23.0,
        "care_leaver_percent": None,
        "publisher": "Coram Voice",
        "citation": "Coram Voice and University of Bristol (2018), Bright Spots: Our Lives Beyond Care - "
                    "care leavers' views on their well-being in 2018 (474 care leavers aged 16-25)",
        "url": "https://coramvoice.org.uk/for-professionals/bright-spots/",
        "verified": "secondary",
        "note": "As summarised by Fosterline (fosterline.info) from the Coram Voice report; the report "
                "compares with 3% of 16-24 year olds in the general population (ONS).",
    },
    {
        "comparator": "all_young_people", "indicator": "low_life_satisfaction",
        "label": "Low life satisfaction",
        "population": "young people aged 16-24 in the general population (ONS)",
        "year": 2018, "percent": 3.0,
        "care_leaver_percent": 23.0,
        "publisher": "Coram Voice",
        "citation": "Coram Voice and University of Bristol (2018), Bright Spots: Our Lives Beyond Care, "
                    "comparison with the ONS Annual Population Survey",
        "url": "https://coramvoice.org.uk/for-professionals/bright-spots/",
        "verified": "secondary",
        "note": "As summarised by Fosterline; not checked against the report itself.",
    },
    {
        "comparator": "national", "indicator": "trust_worker", "label": "Trust their leaving care worker",
        "population": "care leavers aged 16-25 in six local authorities (Your Life Beyond Care, 2018)",
        "year": 2018, "percent": 96.0, "care_leaver_percent": None,
        "publisher": "Coram Voice",
        "citation": "Coram Voice and University of Bristol (2018), Bright Spots: Our Lives Beyond Care",
        "url": "https://coramvoice.org.uk/for-professionals/bright-spots/",
        "verified": "secondary",
        "note": "As summarised by Fosterline; not checked against the report itself.",
    },
    {
        "comparator": "national", "indicator": "involved_in_plans",
        "label": "Feel involved in plans about their future",
        "population": "care leavers aged 16-25 in six local authorities (Your Life Beyond Care, 2018)",
        "year": 2018, "percent": 86.0, "care_leaver_percent": None,
        "publisher": "Coram Voice",
        "citation": "Coram Voice and University of Bristol (2018), Bright Spots: Our Lives Beyond Care",
        "url": "https://coramvoice.org.uk/for-professionals/bright-spots/",
        "verified": "secondary",
        "note": "As summarised by Fosterline; not checked against the report itself.",
    },
    {
        "comparator": "national", "indicator": "really_good_friend", "label": "Have a really good friend",
        "population": "care leavers aged 16-25 in six local authorities "
                      "(Your Life Beyond Care, 2017-18 pilot)",
        "year": 2018, "percent": 85.0, "care_leaver_percent": None,
        "publisher": "Coram Voice",
        "citation": "Coram Voice and University of Bristol (2018), Bright Spots: Our Lives Beyond Care",
        "url": "https://coramvoice.org.uk/for-professionals/bright-spots/",
        "verified": "secondary",
        "note": "As described in a Coram Voice guest article on freedomfostering.com; not checked against "
                "the report itself.",
    },
]
COMPARATOR_COLUMNS = ["comparator", "indicator", "label", "population", "year", "percent",
                      "care_leaver_percent", "publisher", "citation", "url", "verified", "note"]


# --------------------------------------------------------------------------- build

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _published(value: pd.Series, symbol: pd.Series) -> pd.Series:
    """A number back in its published form ('154', '12.5') or its symbol ('c')."""
    def fmt(v: object) -> str:
        if pd.isna(v):
            return ""
        return str(int(v)) if float(v).is_integer() else repr(float(v))

    text = value.map(fmt)
    return symbol.fillna(text.astype("str")).fillna("").astype("str")


def _area_code(df: pd.DataFrame) -> pd.Series:
    code = df["new_la_code"].copy()
    code = code.where(df["geographic_level"] != "Regional", df["region_code"])
    return code.where(df["geographic_level"] != "National", ENGLAND).astype("str")


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_suffix(path.suffix + ".tmp")
    df.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def build_extract(dfe_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Make ``data/public`` from the official files in ``dfe_dir`` (see :data:`SOURCE_FILES`).

    Returns the files written. The same inputs give byte-identical files.
    """
    dfe_dir, out_dir = Path(dfe_dir), Path(out_dir)
    missing = [n for n in SOURCE_FILES.values() if not (dfe_dir / n).exists()]
    if missing:
        raise DataError.from_problems([DataProblem(str(dfe_dir / n), None, None, "official file not found")
                                       for n in missing])
    out_dir.mkdir(parents=True, exist_ok=True)
    src = {k: dfe_dir / n for k, n in SOURCE_FILES.items()}

    # care leavers ---------------------------------------------------------------------------
    cl = pd.concat([dfe.read_dfe_care_leavers(src["activity"]),
                    dfe.read_dfe_care_leavers(src["accommodation"])], ignore_index=True)
    keep = pd.Series(False, index=cl.index)
    for table, measures in EXTRACT_MEASURES.items():
        keep |= (cl["table"] == table) & cl["measure"].isin(list(measures))
    cl = cl[keep].copy()
    cl["area_code"] = _area_code(cl)
    areas = _areas(cl, dfe.read_workforce(src["workforce"]))
    long = pd.DataFrame({
        "time_period": cl["time_period"], "area_code": cl["area_code"], "table": cl["table"],
        "age": cl["age"], "measure": cl["measure"],
        "count": _published(cl["count"], cl["count_symbol"]),
        "percent": _published(cl["percent"], cl["percent_symbol"]),
    })
    care = _care_wide(long)

    # statistical neighbours --------------------------------------------------------------------
    sn = pd.concat([dfe.read_statistical_neighbours(src["sn2021"], model=2021),
                    dfe.read_statistical_neighbours(src["sn2025"], model=2025)], ignore_index=True)
    sn = sn[["model", "old_la_code", "rank", "neighbour_old_code", "closeness"]].sort_values(
        ["model", "old_la_code", "rank"], kind="stable")

    # workforce -------------------------------------------------------------------------------
    wf_long = dfe.read_workforce(src["workforce"])
    wf_long = wf_long[wf_long["measure"].isin(list(WORKFORCE_MEASURES))].copy()
    wf_long["area_code"] = _area_code(wf_long)
    wf_long["published"] = _published(wf_long["value"], wf_long["symbol"])
    wf = wf_long.pivot(index=["area_code", "time_period"], columns="measure", values="published")
    wf = wf.reset_index()[["time_period", "area_code", *WORKFORCE_MEASURES]].sort_values(
        ["area_code", "time_period"], kind="stable")

    # Ofsted ----------------------------------------------------------------------------------
    of = dfe.read_ofsted(src["ofsted"])
    ofw = of.pivot(index=["new_la_code", "inspection_date", "publication_date", "inspection_type"],
                   columns="judgement", values="grade").reset_index()
    judgements = [j for j in dict.fromkeys(dfe.OFSTED_JUDGEMENTS.values()) if j in ofw.columns]
    ofw = ofw.rename(columns={"new_la_code": "area_code"})[
        ["area_code", "inspection_date", "publication_date", "inspection_type", *judgements]]
    for c in ("inspection_date", "publication_date"):
        ofw[c] = ofw[c].dt.strftime("%Y-%m-%d")
    ofw = ofw.sort_values(["area_code", "inspection_date"], kind="stable")

    # neighbour medians (Brent, Plymouth) ------------------------------------------------------
    from carejourneys.metrics import indicators

    typed = _typed_care_leavers(_care_long(care.astype("str")), areas)
    med = pd.concat([indicators.neighbour_median(typed, sn, s.la_old_code, model=m)
                     for s in sites.all_sites() for m in MODELS], ignore_index=True)
    med["median_percent"] = med["median_percent"].round(2)

    comparators = pd.DataFrame(COMPARATORS, columns=COMPARATOR_COLUMNS)

    written = [
        _write_csv(areas, out_dir / "areas.csv"),
        _write_csv(care, out_dir / "care_leavers.csv"),
        _write_csv(med, out_dir / "neighbour_medians.csv"),
        _write_csv(sn, out_dir / "statistical_neighbours.csv"),
        _write_csv(wf, out_dir / "workforce.csv"),
        _write_csv(ofw, out_dir / "ofsted.csv"),
        _write_csv(comparators, out_dir / "comparators.csv"),
    ]
    prov = {
        "description": "Public statistics for every English council, England and the regions, made by "
                       "`carejourneys public DFE_DIR data/public` (make public) from the official files "
                       + _KEPT_IN + ". Symbols: c suppressed, k under 0.5%, z not applicable, x not "
                       "available, low under 0.5, u low reliability. National and regional counts are "
                       "rounded to the nearest 10 by the publisher. A figure belongs to its release: later "
                       "releases revise earlier years slightly.",
        "command": "carejourneys public ../shared/public-data/dfe data/public",
        "sources": {k: {**PROVENANCE[k], "file": SOURCE_FILES[k], "sha256": _sha256(src[k])}
                    for k in SOURCE_FILES},
        "files": {
            "areas.csv": "England, regions and councils present in the official files: codes and names",
            "care_leavers.csv": "sources activity + accommodation; measures " + ", ".join(
                f"{t}: {'/'.join(ms)}" for t, ms in EXTRACT_MEASURES.items()) + "; count and percent as "
                "published (symbols kept)",
            "neighbour_medians.csv": "median of the published percentages of a council's ten "
                                     "statistical neighbours with a published figure "
                                     "(sources sn2021/sn2025 + care leavers)",
            "statistical_neighbours.csv": "sources sn2021, sn2025",
            "workforce.csv": "source workforce; turnover, vacancy and agency rates (FTE) as published",
            "ofsted.csv": "source ofsted; one row per ILACS short or standard inspection",
            "comparators.csv": "national comparators with citations; see the verified and note columns "
                               "(not from the official files above)",
        },
    }
    prov_path = out_dir / "provenance.yml"
    tmp = prov_path.with_suffix(".yml.tmp")
    tmp.write_text(yaml.safe_dump(prov, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    os.replace(tmp, prov_path)
    written.append(prov_path)
    return written


def _care_columns() -> list[tuple[str, str, str, str]]:
    """(file column, table, measure, count|percent) of the wide care_leavers.csv, in file order."""
    cols = []
    for table, measures in EXTRACT_MEASURES.items():
        for m in measures:
            for what in ("count", "percent"):
                cols.append((f"{_PREFIX[table]}_{m}_{what}", table, m, what))
    return cols


_PREFIX = {"activity": "act", "accommodation": "acc"}


def _care_wide(long: pd.DataFrame) -> pd.DataFrame:
    """One row per area, year and age band; per measure its published count and percent (text)."""
    long = long.assign(key=long["table"].map(_PREFIX) + "_" + long["measure"])
    wide = long.pivot(index=["area_code", "time_period", "age"], columns="key", values=["count", "percent"])
    out = wide.index.to_frame(index=False)
    for col, table, m, what in _care_columns():
        key = f"{_PREFIX[table]}_{m}"
        out[col] = wide[(what, key)].to_numpy() if (what, key) in wide.columns else ""
    out = out.fillna("")
    return out[["time_period", "area_code", "age", *[c[0] for c in _care_columns()]]].sort_values(
        ["area_code", "time_period", "age"], kind="stable")


def _care_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The long form (time_period, area_code, table, age, measure, count, percent) of care_leavers.csv."""
    parts = []
    for table, measures in EXTRACT_MEASURES.items():
        for m in measures:
            pre = f"{_PREFIX[table]}_{m}"
            parts.append(pd.DataFrame({
                "time_period": wide["time_period"], "area_code": wide["area_code"], "table": table,
                "age": wide["age"], "measure": m, "count": wide[f"{pre}_count"],
                "percent": wide[f"{pre}_percent"]}))
    long = pd.concat(parts, ignore_index=True)
    empty = (long["count"] == "") & (long["percent"] == "")
    return long[~empty].reset_index(drop=True)


def _areas(cl: pd.DataFrame, wf: pd.DataFrame) -> pd.DataFrame:
    cols = ["geographic_level", "area_code", "old_la_code", "la_name", "region_code", "region_name"]
    wf = wf.assign(area_code=_area_code(wf))
    both = pd.concat([cl[[*cols, "time_period"]], wf[[*cols, "time_period"]]], ignore_index=True)
    both = both.sort_values("time_period", kind="stable").drop_duplicates("area_code", keep="last")
    both["name"] = both["la_name"]
    both.loc[both["geographic_level"] == "Regional", "name"] = both["region_name"]
    both.loc[both["geographic_level"] == "National", "name"] = "England"
    level = {"National": 0, "Regional": 1, "Local authority": 2}
    both = both.assign(_l=both["geographic_level"].map(level)).sort_values(["_l", "area_code"], kind="stable")
    return both[list(council_names.AREA_COLUMNS)]


# --------------------------------------------------------------------------- read

@dataclass
class PublicData:
    """The extract, typed: one frame per file (see the module docstring)."""

    root: Path
    areas: pd.DataFrame
    care_leavers: pd.DataFrame
    neighbour_medians: pd.DataFrame
    statistical_neighbours: pd.DataFrame
    workforce: pd.DataFrame
    ofsted: pd.DataFrame
    comparators: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    def area(self, code: str) -> pd.Series:
        """The areas.csv row of a site key, old or new LA code, region code or 'england'."""
        return self.areas.loc[resolve_area(code, self.areas)]


def _read(root: Path, name: str) -> pd.DataFrame:
    path = root / name
    if not path.exists():
        raise DataError(f"public extract file not found; make it with `make public` ({name})", path=path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _typed(df: pd.DataFrame, path: Path, cols: list[str]) -> pd.DataFrame:
    problems: list[DataProblem] = []
    out = df.copy()
    for c in cols:
        num, sym = dfe.parse_numbers(df[c], path, c, problems)
        out[c] = num
        out[f"{c}_symbol"] = sym
    if problems:
        raise DataError.from_problems(problems)
    return out


def _typed_care_leavers(care: pd.DataFrame, areas: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    df = care.copy()
    df["time_period"] = pd.to_numeric(df["time_period"]).astype("Int64")
    df = _typed(df.astype({c: "str" for c in ("count", "percent")}), path or Path("care_leavers.csv"),
                ["count", "percent"])
    a = areas.set_index("area_code")
    df["geographic_level"] = df["area_code"].map(a["geographic_level"]).astype("str")
    df["old_la_code"] = df["area_code"].map(a["old_la_code"].replace("", pd.NA)).astype("str")
    df["name"] = df["area_code"].map(a["name"]).astype("str")
    return df[["time_period", "geographic_level", "area_code", "old_la_code", "name", "table", "age",
               "measure", "count", "count_symbol", "percent", "percent_symbol"]]


def extract_available(data_dir: str | Path | None = None) -> bool:
    """False when the extract's folder holds none of :data:`EXTRACT_FILES` (an installation without
    the public statistics); a partial extract is True: reading it then names the missing file."""
    root = config.public_dir(data_dir)
    return any((root / name).is_file() for name in EXTRACT_FILES)


_CACHE: dict[tuple[str, float], PublicData] = {}


def load_public(data_dir: str | Path | None = None) -> PublicData:
    """Read the extract (default: the bundled ``data/public``) into typed frames.

    ``care_leavers``: time_period, geographic_level, area_code, old_la_code, name, table, age,
    measure, count (+ count_symbol), percent (+ percent_symbol). ``workforce``: time_period,
    area_code, then per rate a Float64 column and its ``*_symbol``. ``ofsted``: one row per
    inspection with dates and a grade per judgement. ``statistical_neighbours``: model,
    old_la_code, rank, neighbour_old_code, closeness.
    """
    root = config.public_dir(data_dir)
    stamp = max((p.stat().st_mtime for p in root.glob("*.csv")), default=0.0)
    key = (str(root.resolve()), stamp)
    if key in _CACHE:
        return _CACHE[key]
    areas = pd.DataFrame(council_names.read_areas(root), columns=list(council_names.AREA_COLUMNS),
                         dtype="str").replace("", pd.NA).astype("str")
    care = _typed_care_leavers(_care_long(_read(root, "care_leavers.csv")), areas, root / "care_leavers.csv")
    med = _read(root, "neighbour_medians.csv")
    for c in ("time_period", "model", "n_neighbours"):
        med[c] = pd.to_numeric(med[c]).astype("Int64")
    med["median_percent"] = pd.to_numeric(med["median_percent"].replace("", pd.NA)).astype("Float64")
    sn = _read(root, "statistical_neighbours.csv")
    sn["model"] = pd.to_numeric(sn["model"]).astype("Int64")
    sn["rank"] = pd.to_numeric(sn["rank"]).astype("Int64")
    wf = _typed(_read(root, "workforce.csv"), root / "workforce.csv", list(WORKFORCE_MEASURES))
    wf["time_period"] = pd.to_numeric(wf["time_period"]).astype("Int64")
    of = _read(root, "ofsted.csv").replace("", pd.NA)
    for c in ("inspection_date", "publication_date"):
        of[c] = pd.to_datetime(of[c], format="%Y-%m-%d").astype("datetime64[ns]")
    comp = _read(root, "comparators.csv")
    for c in ("year",):
        comp[c] = pd.to_numeric(comp[c]).astype("Int64")
    for c in ("percent", "care_leaver_percent"):
        comp[c] = pd.to_numeric(comp[c].replace("", pd.NA)).astype("Float64")
    prov_path = root / "provenance.yml"
    prov = yaml.safe_load(prov_path.read_text(encoding="utf-8")) if prov_path.exists() else {}
    data = PublicData(root, areas, care, med, sn, wf, of, comp, prov)
    _CACHE.clear()
    _CACHE[key] = data
    return data


def resolve_area(code: str, areas: pd.DataFrame | None = None) -> int:
    """Index in ``areas`` of a site key, old LA code, new LA/region code or 'england'.

    Raises ``KeyError`` naming the code when it is not in the official files.
    """
    if areas is None:
        areas = load_public().areas
    text = str(code).strip()
    if text.lower() in sites.keys():
        text = sites.get(text.lower()).la_new_code
    if text.lower() == "england":
        text = ENGLAND
    hit = areas.index[(areas["area_code"] == text.upper()) | (areas["old_la_code"] == text)]
    if len(hit) == 0:
        raise KeyError(f"{code!r} is not a council, region or England code found in the official files "
                       "(use an old code such as 304, a new code such as E09000005, or a site key)")
    return hit[0]


def same_council_codes(code: str, areas: pd.DataFrame | None = None) -> list[str]:
    """Every new (nine-character) code under which the files publish the area of ``code``, that code first.

    A council keeps its old three-digit LA code when only its new code changes: Barnsley and
    Sheffield were given new codes in the 2025 workforce file (E08000038, E08000039) while the care
    leaver files keep E08000016 and E08000019; Buckinghamshire, North Yorkshire and Somerset became
    unitary councils over the same area (E06000060, E06000065, E06000066 after E10000002,
    E10000023, E10000027). Codes that share the old LA code and the name are the same council here.
    Councils merged into a new one (Bournemouth, Poole and the old Dorset) have a code of their own
    and keep it alone. Regions and England have one code.
    """
    if areas is None:
        areas = load_public().areas
    row = areas.loc[resolve_area(code, areas)]
    codes = [row["area_code"]]
    if row["geographic_level"] == "Local authority" and pd.notna(row["old_la_code"]):
        same = areas[(areas["geographic_level"] == "Local authority")
                     & (areas["old_la_code"] == row["old_la_code"]) & (areas["name"] == row["name"])]
        codes += [c for c in same["area_code"] if c not in codes]
    return codes


def council_codes(data_dir: str | Path | None = None) -> list[str]:
    """A code for every council in the official files, sorted: its new code (E06..., E08...,
    E09..., E10...), else its old three-digit one. A council whose code changed appears under
    each of its codes (see :func:`same_council_codes`): either may be asked for. Rows that give
    two councils' combined figures ("E06000061 / E06000062", "940 / 941") are left out (each of
    the two has a row of its own). ``carejourneys build --all-councils`` builds the
    indicators report for each code."""
    areas = load_public(data_dir).areas
    councils = areas[areas["geographic_level"] == "Local authority"]
    codes = set()
    for new, old in zip(councils["area_code"], councils["old_la_code"], strict=True):
        for code in (new, old):
            if isinstance(code, str) and LA_CODE.match(code):
                codes.add(code)
                break
    return sorted(codes)


def _own_rows(df: pd.DataFrame, codes: list[str], keys: list[str]) -> pd.DataFrame:
    """Rows of ``df`` for any of ``codes``; where two codes have the same ``keys``, the first code's row."""
    rows = df[df["area_code"].isin(codes)]
    order = rows["area_code"].map({c: i for i, c in enumerate(codes)})
    rows = rows.assign(_order=order).sort_values("_order", kind="stable")
    return rows.drop_duplicates(keys, keep="first").drop(columns="_order")


def is_area_code(code: str, data_dir: str | Path | None = None) -> bool:
    """True when ``code`` names an area of the extract (site keys count)."""
    try:
        resolve_area(code, load_public(data_dir).areas)
    except KeyError:
        return False
    return True


def care_leavers(la_code: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The published care leaver indicators of one area (every year, age, table and measure).

    Rows published under another code of the same council (:func:`same_council_codes`) are
    included; ``area_code`` says under which code each row was published."""
    pub = load_public(data_dir)
    codes = same_council_codes(la_code, pub.areas)
    rows = _own_rows(pub.care_leavers, codes, ["time_period", "table", "age", "measure"])
    return rows.sort_values(["time_period", "table", "age", "measure"], kind="stable").reset_index(drop=True)


def workforce(la_code: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Social work workforce rates of one area by year (percent of FTE; NA where a symbol is published).

    Columns: time_period, area_code, old_la_code, name, turnover_rate_fte, vacancy_rate_fte,
    agency_rate_fte, and for each rate its ``*_symbol``. Turnover: leavers as a percentage of social
    workers in post; vacancy: vacant posts as a percentage of all posts; agency: agency social workers
    as a percentage of all social workers (all at 30 September, children and family social workers).
    Years published under another code of the same council (:func:`same_council_codes`) are
    included, with that code in ``area_code``.
    """
    pub = load_public(data_dir)
    area = pub.area(la_code)
    wf = _own_rows(pub.workforce, same_council_codes(la_code, pub.areas), ["time_period"]).copy()
    wf["old_la_code"] = area["old_la_code"]
    wf["name"] = area["name"]
    wf = wf.astype({"old_la_code": "str", "name": "str"})
    cols = ["time_period", "area_code", "old_la_code", "name"]
    for m in WORKFORCE_MEASURES:
        cols += [m, f"{m}_symbol"]
    return wf[cols].sort_values("time_period").reset_index(drop=True)


def neighbours(la_code: str, model: int = 2025, data_dir: str | Path | None = None) -> list[str]:
    """The old LA codes of a council's ten statistical neighbours, closest first."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    pub = load_public(data_dir)
    old = pub.area(la_code)["old_la_code"]
    sn = pub.statistical_neighbours
    rows = sn[(sn["old_la_code"] == old) & (sn["model"] == model)].sort_values("rank")
    return list(rows["neighbour_old_code"])


def ofsted(la_code: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The council's ILACS inspections (dates and a grade per judgement), oldest first (those listed
    under another code of the same council included, see :func:`same_council_codes`)."""
    pub = load_public(data_dir)
    of = pub.ofsted[pub.ofsted["area_code"].isin(same_council_codes(la_code, pub.areas))]
    return of.sort_values("inspection_date", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- reader-facing tables

def workforce_table(la_code: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Workforce rates of an area and England by year, as a reader-facing table (percent, FTE).

    Where the publisher printed a symbol instead of the area's rate, the symbol is shown
    (x not available, z not applicable, c suppressed, u low reliability, low under 0.5)."""
    own = workforce(la_code, data_dir)
    eng = workforce(ENGLAND, data_dir).set_index("time_period")
    out = pd.DataFrame({"Year": own["time_period"].map(str).astype("str")})
    for m, label in (("turnover_rate_fte", "Turnover"), ("vacancy_rate_fte", "Vacancy"),
                     ("agency_rate_fte", "Agency")):
        values = own[m]
        if own[f"{m}_symbol"].notna().any():  # show the published symbol (x, z, c, ...) in place of a number
            values = pd.Series([sym if pd.notna(sym) else (v if pd.notna(v) else None)
                                for v, sym in zip(own[m], own[f"{m}_symbol"], strict=True)], dtype=object)
        out[f"{label} %"] = values.to_numpy()
        out[f"{label} %, England"] = own["time_period"].map(eng[m]).astype("Float64").to_numpy()
    return out.reset_index(drop=True)


def ofsted_table(la_code: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The area's ILACS inspections: dates, type and the grade of each judgement."""
    of = ofsted(la_code, data_dir)
    labels = {"overall": "Overall effectiveness", "leadership": "Leaders' impact",
              "help_and_protection": "Help and protection", "children_in_care": "Children in care",
              "care_leavers": "Care leavers"}
    out = pd.DataFrame({"Inspected": of["inspection_date"].dt.strftime("%d %b %Y"),
                        "Published": of["publication_date"].dt.strftime("%d %b %Y"),
                        "Inspection": of["inspection_type"].str.replace("ILACS ", "", regex=False)})
    for k, v in labels.items():
        if k in of.columns:
            out[v] = of[k].fillna("not judged").to_numpy()
    return out


def sources_table(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Publisher, release, table and licence of every official file behind the extract."""
    prov = load_public(data_dir).provenance.get("sources", {})
    return pd.DataFrame([{"Publisher": s.get("publisher"), "Release": s.get("release"),
                          "Table": s.get("table"), "Licence": str(s.get("licence", "")).split(" (")[0]}
                         for s in prov.values()])
