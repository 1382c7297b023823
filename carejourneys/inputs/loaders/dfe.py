"""Readers for the official files published by the Department for Education (DfE) and Ofsted.

    read_dfe_care_leavers(path)          care leaver activity / accommodation suitability / in touch
    read_statistical_neighbours(path)    statistical neighbour groupings (2021 and 2025 models)
    read_workforce(path)                 children's social work workforce indicators
    read_ofsted(path)                    Ofsted ILACS inspection outcomes (.ods or .xlsx)

Every reader returns a tidy frame and never alters the file. Published symbols that stand in for
numbers are kept as typed missing values: the number is ``<NA>`` and a ``*_symbol`` column holds the
symbol (``c`` suppressed, ``k`` under 0.5%, ``z`` not applicable, ``x`` not available, ``low``,
``u`` low reliability). A symbol is never turned into a zero.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from carejourneys.errors import DataError, DataProblem

#: symbols the DfE prints instead of a number, and what they mean
SYMBOLS = {
    "c": "suppressed to protect confidentiality",
    "k": "rounds to 0% but is not zero (under 0.5%)",
    "z": "not applicable",
    "x": "not available",
    "low": "fewer than 0.5 (rounds to 0)",
    "u": "low reliability",
    ":": "not available",
}

GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")

#: the columns of the tidy care leaver frame, in order
CARE_LEAVER_COLUMNS = [
    "time_period", "geographic_level", "region_code", "region_name", "old_la_code", "new_la_code",
    "la_name", "table", "age", "breakdown", "measure", "count", "count_symbol", "percent",
    "percent_symbol",
]

CARE_LEAVER_TABLES = ("activity", "accommodation", "in_touch")

# (table, pattern on the lower-cased label, measure key); first match wins
_MEASURE_RULES: list[tuple[str, str, str]] = [
    ("activity", r"^total in education, employment or training$", "eet"),
    ("activity", r"^total not in education, (employment or training|training or employment)$", "neet"),
    ("activity", r"information not known", "not_known"),
    ("activity", r"^higher education", "higher_education"),
    ("activity", r"^education other than higher", "other_education"),
    ("activity", r"^in training or employment \(excl", "training_or_employment"),
    ("activity", r"^in an apprenticeship|^apprenticeship", "apprenticeship"),
    ("activity", r"^in training or employment$", "training_or_employment_all"),
    ("activity", r"^not in education.*illness or disability", "neet_illness_disability"),
    ("activity", r"^not in education.*other reasons", "neet_other"),
    ("activity", r"^not in education.*pregnancy or parenting", "neet_pregnancy_parenting"),
    ("activity", r"^total$", "total"),
    ("accommodation", r"not suitable|unsuitable", "unsuitable"),
    ("accommodation", r"suitable$", "suitable"),
    ("accommodation", r"no information|information not known", "not_known"),
    ("accommodation", r"^(suitability )?total$", "total"),
    ("in_touch", r"^(total )?in touch$|^local authority in touch", "in_touch"),
    ("in_touch", r"not in touch", "not_in_touch"),
    ("in_touch", r"refuse", "refused_contact"),
    ("in_touch", r"no longer requires", "no_longer_requires_services"),
    ("in_touch", r"returned home", "returned_home"),
    ("in_touch", r"died", "died"),
    ("in_touch", r"information not known|no information", "not_known"),
    ("in_touch", r"^total$", "total"),
]

#: measure keys with their DfE meaning (the denominator of every percentage is the age band's total)
MEASURES = {
    "total": "all care leavers of the age band (the denominator)",
    "eet": "in education, employment or training",
    "neet": "not in education, employment or training",
    "neet_illness_disability": "NEET owing to illness or disability",
    "neet_other": "NEET owing to other reasons",
    "neet_pregnancy_parenting": "NEET owing to pregnancy or parenting",
    "not_known": "information not known",
    "higher_education": "in higher education (beyond A level)",
    "other_education": "in education other than higher education",
    "apprenticeship": "in an apprenticeship",
    "training_or_employment": "in training or employment other than an apprenticeship",
    "training_or_employment_all": "in training or employment (including apprenticeships; older releases)",
    "suitable": "in accommodation considered suitable",
    "unsuitable": "in accommodation considered unsuitable",
    "in_touch": "the local authority is in touch",
    "not_in_touch": "the local authority is not in touch",
    "refused_contact": "the young person refuses contact",
    "no_longer_requires_services": "the young person no longer requires services",
    "returned_home": "returned home for six months or more",
    "died": "died",
}

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _read_csv_text(path: Path) -> pd.DataFrame:
    """Every cell as text, empty cells as '', headers lower-cased without surrounding spaces.

    Reading (UTF-8 with or without a byte-order mark, UTF-16, Windows-1252, blank lines, rows
    longer than the header) is the shared :func:`carejourneys.inputs.loaders.tabular.read_table`. The
    index is the spreadsheet row less 2, so that ``index + 2`` is the row a spreadsheet shows
    even when blank lines were skipped. A header repeated in the file is a :class:`DataError`.
    """
    from carejourneys.inputs.loaders.tabular import read_table

    df = read_table(path)
    df.columns = [str(c).strip().lower() for c in df.columns]  # the DfE's headers are lower case
    seen: set[str] = set()
    repeated = [c for c in df.columns if c in seen or seen.add(c)]
    if repeated:
        raise DataError.from_problems([
            DataProblem(str(path), 1, c, f"column {c!r} appears more than once in the header; "
                                         "expected each column once") for c in dict.fromkeys(repeated)])
    df.index = pd.Index(df.index.to_numpy() - 2)
    return df


def parser_error_row(error: Exception) -> int | None:
    """The line a pandas CSV parser error names ("... in line 4, saw 16"), else None."""
    m = re.search(r"line (\d+)", str(error))
    return int(m.group(1)) if m else None


def parse_numbers(values: pd.Series, path: Path | str, column: str,
                  problems: list[DataProblem]) -> tuple[pd.Series, pd.Series]:
    """Split published cells into numbers (Float64, NA for symbols) and symbols (str, NA for numbers).

    Empty cells become NA with no symbol. Anything else is reported in ``problems`` with its
    spreadsheet row (header row 1).
    """
    text = values.astype("str").str.strip().str.replace(",", "", regex=False)
    lower = text.str.lower()
    is_num = text.str.match(_NUMBER.pattern)
    is_sym = lower.isin(list(SYMBOLS))
    bad = ~(is_num | is_sym | (text == ""))
    for idx in values.index[bad.to_numpy()][:50]:
        problems.append(DataProblem(
            str(path), int(idx) + 2, column,
            f"expected a number or one of the symbols {', '.join(SYMBOLS)}; found {values[idx]!r}"))
    numbers = pd.to_numeric(text.where(is_num), errors="coerce").astype("Float64")
    symbols = lower.where(is_sym).astype("str")
    return numbers, symbols


def _age_band(label: str) -> str:
    m = re.search(r"(\d+)\s*(?:to|-)\s*(\d+)", label)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"(\d+)", label)
    return m.group(1) if m else label.strip().lower()


def measure_of(table: str, breakdown: str) -> str | None:
    """The measure key (see :data:`MEASURES`) of a published breakdown label, or None."""
    label = re.sub(r"\s+", " ", breakdown.strip().lower())
    for t, pattern, key in _MEASURE_RULES:
        if t == table and re.search(pattern, label):
            return key
    return None


def _table_of_labels(labels: pd.Series) -> str:
    text = " ".join(labels.astype(str).str.lower().unique())
    if "suitab" in text:
        return "accommodation"
    if "touch" in text:
        return "in_touch"
    return "activity"


_OLD_BREAKDOWN = {"activity": "activity", "accommodation_suitability": "accommodation",
                  "in_touch": "in_touch"}


def read_dfe_care_leavers(path: str | Path) -> pd.DataFrame:
    """Read an official DfE care leaver CSV (activity, accommodation suitability or in touch).

    Both layouts are accepted: the 2025 release (``care_leaver_age, breakdown, care_leaver_count,
    care_leaver_percent``) and 2024 and earlier (``age, activity|accommodation_suitability|in_touch,
    number, percentage``), with or without a byte-order mark. Returns one row per published cell
    with columns :data:`CARE_LEAVER_COLUMNS`: ``age`` is ``"17-18"`` or ``"19-21"``; ``table`` is
    activity / accommodation / in_touch; ``measure`` a key of :data:`MEASURES` (NA for a label not
    known); ``count``/``percent`` are Float64 with NA where the file has a symbol, kept in
    ``count_symbol``/``percent_symbol``. National and regional counts are as published (rounded to 10).
    """
    path = Path(path)
    raw = _read_csv_text(path)
    cols = set(raw.columns)
    if {"care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"} <= cols:
        age_col, label_col, count_col, pct_col = ("care_leaver_age", "breakdown", "care_leaver_count",
                                                  "care_leaver_percent")
        table = _table_of_labels(raw["breakdown"])
    else:
        old = [c for c in _OLD_BREAKDOWN if c in cols]
        if not ({"age", "number", "percentage"} <= cols and len(old) == 1):
            raise DataError(
                "not a DfE care leaver file: expected columns care_leaver_age, breakdown, care_leaver_count,"
                " care_leaver_percent (2025 layout) or age, activity|accommodation_suitability|in_touch,"
                f" number, percentage (earlier layout); found {', '.join(raw.columns)}", path=path, row=1)
        age_col, label_col, count_col, pct_col = "age", old[0], "number", "percentage"
        table = _OLD_BREAKDOWN[old[0]]
    for needed in ("time_period", "geographic_level"):
        if needed not in cols:
            raise DataError(f"missing column {needed!r}", path=path, row=1, column=needed)

    problems: list[DataProblem] = []
    count, count_symbol = parse_numbers(raw[count_col], path, count_col, problems)
    percent, percent_symbol = parse_numbers(raw[pct_col], path, pct_col, problems)
    period = raw["time_period"].str.strip()
    bad_period = ~period.str.fullmatch(r"\d{4}(\d{2})?")
    for idx in raw.index[bad_period.to_numpy()][:20]:
        problems.append(DataProblem(str(path), int(idx) + 2, "time_period",
                                    f"expected a year such as 2025; found {raw.at[idx, 'time_period']!r}"))
    level = raw["geographic_level"].str.strip()
    bad_level = ~level.isin(GEOGRAPHIC_LEVELS)
    for idx in raw.index[bad_level.to_numpy()][:20]:
        problems.append(DataProblem(str(path), int(idx) + 2, "geographic_level",
                                    f"expected one of {', '.join(GEOGRAPHIC_LEVELS)}; found {level[idx]!r}"))
    if problems:
        raise DataError.from_problems(problems)

    def col(name: str) -> pd.Series:
        return raw[name].str.strip().replace("", pd.NA).astype("str") if name in cols else \
            pd.Series(pd.NA, index=raw.index, dtype="str")

    ages = raw[age_col].map(_age_band)
    labels = raw[label_col].str.strip()
    unique_labels = labels.unique()
    lookup = {lab: measure_of(table, lab) for lab in unique_labels}
    out = pd.DataFrame({
        # a financial-year period such as 202425 counts as its end year 2025
        "time_period": period.map(lambda p: int(p[:4]) + 1 if len(p) == 6 else int(p)).astype("Int64"),
        "geographic_level": level.astype("str"),
        "region_code": col("region_code"),
        "region_name": col("region_name"),
        "old_la_code": col("old_la_code"),
        "new_la_code": col("new_la_code"),
        "la_name": col("la_name"),
        "table": pd.Series(table, index=raw.index, dtype="str"),
        "age": ages.astype("str"),
        "breakdown": labels.astype("str"),
        "measure": labels.map(lookup).astype("str"),
        "count": count,
        "count_symbol": count_symbol,
        "percent": percent,
        "percent_symbol": percent_symbol,
    })
    return out[CARE_LEAVER_COLUMNS]


# --------------------------------------------------------------------------- statistical neighbours

NEIGHBOUR_COLUMNS = ["model", "old_la_code", "la_name", "rank", "neighbour_old_code", "closeness"]


def read_statistical_neighbours(path: str | Path, model: int | None = None) -> pd.DataFrame:
    """Read a DfE statistical neighbour grouping (the 2021 model's CSV or the 2025 model's wide CSV).

    Returns one row per local authority and neighbour: ``model`` (2021 or 2025; taken from the
    argument, else from a year in the file name, else from the layout: ``SN1`` 2021, ``SN_1`` 2025),
    ``old_la_code``, ``la_name``, ``rank`` (1 = closest), ``neighbour_old_code`` and ``closeness``
    (lower case, e.g. "very close").
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", path=path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", header=None)
    header = [str(h).strip() for h in raw.iloc[0]]
    body = raw.iloc[1:]
    sn_cols = [i for i, h in enumerate(header) if re.fullmatch(r"SN_?(\d+)", h)]
    if not sn_cols or not header or header[0] not in ("LA num", "old_la_code"):
        raise DataError("not a statistical neighbour file: expected a first column 'LA num' or "
                        f"'old_la_code' and columns SN1..SN10 or SN_1..SN_10; found {', '.join(header)}",
                        path=path, row=1)
    if model is None:
        years = re.findall(r"(20\d\d)", path.name)
        model = int(years[0]) if years else (2025 if "_" in header[sn_cols[0]] else 2021)
    name_col = header.index("LA Name") if "LA Name" in header else header.index("la_name")
    problems: list[DataProblem] = []
    rows = []
    for r, rec in enumerate(body.itertuples(index=False), start=2):
        code = str(rec[0]).strip()
        if not code:
            continue
        if not code.isdigit():
            problems.append(DataProblem(str(path), r, header[0],
                                        f"expected a 3-digit LA code; found {code!r}"))
            continue
        for i in sn_cols:
            rank = int(re.fullmatch(r"SN_?(\d+)", header[i]).group(1))
            nb = str(rec[i]).strip()
            if not nb:
                continue
            if not nb.isdigit():
                problems.append(DataProblem(str(path), r, header[i],
                                            f"expected a 3-digit LA code; found {nb!r}"))
                continue
            closeness = str(rec[i + 1]).strip().lower() if i + 1 < len(rec) else ""
            rows.append((model, code, str(rec[name_col]).strip(), rank, nb, closeness or None))
    if problems:
        raise DataError.from_problems(problems)
    out = pd.DataFrame(rows, columns=NEIGHBOUR_COLUMNS)
    out = out.astype({"model": "Int64", "rank": "Int64", "old_la_code": "str", "la_name": "str",
                      "neighbour_old_code": "str", "closeness": "str"})
    return out.sort_values(["old_la_code", "rank"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- workforce

WORKFORCE_ID_COLUMNS = ["time_period", "geographic_level", "region_code", "region_name", "old_la_code",
                        "new_la_code", "la_name"]
#: the headline workforce rates (percent of full-time equivalent posts or staff)
WORKFORCE_RATES = {
    "turnover_rate_fte": "leavers as a percentage of social workers in post (FTE)",
    "vacancy_rate_fte": "vacant posts as a percentage of all posts (FTE)",
    "agency_rate_fte": "agency social workers as a percentage of all social workers (FTE)",
}


def read_workforce(path: str | Path) -> pd.DataFrame:
    """Read the children's social work workforce indicators CSV in long form.

    One row per area, year and indicator: the identifying columns of :data:`WORKFORCE_ID_COLUMNS`,
    then ``measure`` (the official column name, e.g. ``turnover_rate_fte``), ``value`` (Float64,
    NA where a symbol is published) and ``symbol``.
    """
    path = Path(path)
    raw = _read_csv_text(path)
    missing = [c for c in ("time_period", "geographic_level", *WORKFORCE_RATES) if c not in raw.columns]
    if missing:
        raise DataError(f"not a workforce indicators file: missing columns {', '.join(missing)}",
                        path=path, row=1, column=missing[0])
    ids = [c for c in WORKFORCE_ID_COLUMNS if c in raw.columns]
    skip = {*ids, "time_identifier", "country_code", "country_name"}
    measures = [c for c in raw.columns if c not in skip]
    problems: list[DataProblem] = []
    parts = []
    for m in measures:
        value, symbol = parse_numbers(raw[m], path, m, problems)
        part = raw[ids].copy()
        part["measure"] = m
        part["value"] = value
        part["symbol"] = symbol
        parts.append(part)
    if problems:
        raise DataError.from_problems(problems)
    out = pd.concat(parts, ignore_index=True)
    for c in ids:
        out[c] = out[c].str.strip().replace("", pd.NA).astype("str")
    out["time_period"] = pd.to_numeric(out["time_period"]).astype("Int64")
    for c in WORKFORCE_ID_COLUMNS:
        if c not in out.columns:
            out[c] = pd.Series(pd.NA, index=out.index, dtype="str")
    return out[[*WORKFORCE_ID_COLUMNS, "measure", "value", "symbol"]]


# --------------------------------------------------------------------------- Ofsted

OFSTED_JUDGEMENTS = {
    "Overall effectiveness": "overall",
    "The impact of leaders on social work practice with children and families": "leadership",
    "The experiences and progress of children who need help and protection": "help_and_protection",
    "The experiences and progress of children in care": "children_in_care",
    "The experiences and progress of children in care and care leavers": "children_in_care",
    "The experiences and progress of care leavers": "care_leavers",
}
OFSTED_GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
OFSTED_COLUMNS = ["new_la_code", "la_name", "inspection_date", "publication_date", "inspection_type",
                  "judgement", "grade"]


def read_ofsted(path: str | Path, sheet: str = "ILACS_inspection_history") -> pd.DataFrame:
    """Read Ofsted's local authority inspection outcomes workbook (.ods via odfpy, or .xlsx).

    ``sheet`` is ``ILACS_inspection_history`` (every short and standard inspection since 2018) or
    ``Inspections_as_at_31_March`` (the latest per council). The table's header row is found by its
    ``Local authority area code`` cell. Returns one row per inspection and judgement: ``new_la_code``,
    ``la_name``, ``inspection_date``, ``publication_date``, ``inspection_type`` (NA on the latest
    sheet), ``judgement`` (overall, leadership, help_and_protection, children_in_care, care_leavers)
    and ``grade`` (one of :data:`OFSTED_GRADES`; judgements not made are left out).
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", path=path)
    engine = "odf" if path.suffix.lower() == ".ods" else None
    try:
        grid = pd.read_excel(path, sheet_name=sheet, header=None, engine=engine, dtype=object)
    except ValueError as e:
        raise DataError(f"cannot read sheet {sheet!r} ({e})", path=path) from None
    hits = [i for i in range(min(len(grid), 30))
            if any(str(v).strip() == "Local authority area code" for v in grid.iloc[i])]
    if not hits:
        raise DataError("no header row with 'Local authority area code' in the first 30 rows", path=path)
    h = hits[0]
    header = [str(v).strip() for v in grid.iloc[h]]
    body = grid.iloc[h + 1:].copy()
    body.columns = header
    body = body[body["Local authority area code"].notna()]
    judgement_cols = [c for c in header if c in OFSTED_JUDGEMENTS]
    problems: list[DataProblem] = []
    rows = []
    for i, rec in body.iterrows():
        row = int(i) + 1  # spreadsheet row of this record
        dates = {}
        for c in ("Inspection date", "Publication date"):
            v = pd.to_datetime(rec.get(c), errors="coerce")
            if pd.isna(v):
                problems.append(DataProblem(str(path), row, c, f"expected a date; found {rec.get(c)!r}"))
            dates[c] = v
        for c in judgement_cols:
            grade = rec[c]
            if pd.isna(grade) or str(grade).strip() == "":
                continue
            grade = str(grade).strip()
            if grade not in OFSTED_GRADES:
                problems.append(DataProblem(str(path), row, c,
                                            f"expected one of {', '.join(OFSTED_GRADES)}; found {grade!r}"))
                continue
            rows.append((str(rec["Local authority area code"]).strip(),
                         str(rec["Local authority name"]).strip(),
                         dates["Inspection date"], dates["Publication date"],
                         rec.get("Inspection type"), OFSTED_JUDGEMENTS[c], grade))
    if problems:
        raise DataError.from_problems(problems)
    out = pd.DataFrame(rows, columns=OFSTED_COLUMNS)
    out["inspection_type"] = out["inspection_type"].where(out["inspection_type"].notna(), None)
    out = out.astype({"new_la_code": "str", "la_name": "str", "inspection_type": "str", "judgement": "str",
                      "grade": "str"})
    for c in ("inspection_date", "publication_date"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out
