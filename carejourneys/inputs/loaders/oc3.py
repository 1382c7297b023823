"""SSDA903 care leaver returns (table OC3) and the DfE's care leaver indicators built from them.

A council's OC3 return holds one row per care leaver whose 17th to 21st birthday falls in the
collection year (1 April to 31 March; ``collection_year`` is the year of that 31 March):

    CHILD      the council's child identifier
    DOB        date of birth, dd/mm/yyyy
    IN_TOUCH   YES, NO, DIED, REFU (refuses contact), NREQ (no longer requires services),
               RHOM (returned home for six months or more)
    ACTIV      activity around the birthday: F1/P1 higher education, F2/P2 other education,
               F4/P4 apprenticeship, F5/P5 other training or employment (F full time, P part time),
               G4/G5/G6 not in education, employment or training (illness or disability / other
               reasons / pregnancy or parenting); ``0`` when IN_TOUCH is DIED or RHOM.
               F3/P3 (training or employment, before apprenticeships were split out) are accepted
               with a DataWarning.
    ACCOM      accommodation: a letter (B, C, D, E, G, H, K, R, S, T, U, V, W, X, Y, Z) then
               1 (suitable) or 2 (unsuitable); ``0`` when IN_TOUCH is DIED or RHOM.

Rules checked by :func:`oc3_problems` (all breaches are reported, each with its row and column):
codes from the lists above (``schemas.OC3_*``); IN_TOUCH, ACTIV and ACCOM all filled or all blank;
DIED or RHOM => ACTIV and ACCOM are ``0``; YES => neither is ``0``; a valid DOB giving an age of
17 to 21 at the birthday in the collection year; CHILD filled and not repeated.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from carejourneys.errors import DataError, DataProblem, DataWarning
from carejourneys.inputs import schemas

AGE_BANDS = {"17-18": (17, 18), "19-21": (19, 21)}
_BLANK_AS_ZERO = ("DIED", "RHOM")
_FULL_SCHEMA_ROWS = 50_000
_FEW_VALUES = ("DOB", "IN_TOUCH", "ACTIV", "ACCOM")


def _read_raw(path: Path) -> pd.DataFrame:
    """The file's cells as text ('' for empty), headers upper-cased, indexed by spreadsheet row.

    Reading (encodings, byte-order marks, Excel sheets, merged cells, blank lines) is the shared
    :func:`carejourneys.inputs.loaders.tabular.read_table`, so row numbers match what a spreadsheet shows.
    """
    from carejourneys.inputs.loaders.tabular import read_table

    # the coded columns and DOB hold few distinct values: read as Categoricals (same strings), whose
    # codes are used below instead of factorising each column again
    raw = read_table(path, name="oc3", columns=schemas.OC3_COLUMNS, categorical=_FEW_VALUES)
    raw.columns = [str(c).strip().upper() for c in raw.columns]
    headers = list(raw.columns)
    repeated = [c for c in dict.fromkeys(headers) if c != "" and headers.count(c) > 1]
    if repeated:
        raise DataError.from_problems([
            DataProblem(str(path), 1, c, f"column {c} appears more than once in the header; "
                                         "expected each column once") for c in repeated])
    return raw


def _clean(values: np.ndarray) -> np.ndarray:
    """Cells with surrounding spaces stripped (only those cells are touched: most have none)."""
    n = len(values)
    if n == 0:
        return values
    try:
        b = values.astype("S")
    except UnicodeEncodeError:
        spaced = np.fromiter((v != v.strip() for v in values), dtype=bool, count=n)
    else:
        width = b.dtype.itemsize
        if width == 0:
            return values
        u = b.view(np.uint8).reshape(n, width)
        length = np.count_nonzero(u, axis=1)
        last = u[np.arange(n), np.maximum(length - 1, 0)]
        space = np.array([9, 10, 11, 12, 13, 32], dtype=np.uint8)
        spaced = (length > 0) & (np.isin(u[:, 0], space) | np.isin(last, space))
    if not spaced.any():
        return values
    out = values.copy()
    out[spaced] = [v.strip() for v in values[spaced]]
    return out


def age_at_birthday(dob: pd.Series, collection_year: int) -> pd.Series:
    """Age reached at the birthday that falls in the collection year (1 April to 31 March).

    A birthday on or after 1 April falls in ``collection_year - 1``; one before it in
    ``collection_year``. 29 February birthdays count as falling in March.
    """
    year = np.where(dob.dt.month >= 4, collection_year - 1, collection_year)
    return (pd.Series(year, index=dob.index) - dob.dt.year).astype("Int64")


def _parse_dob_slow(text: pd.Series) -> pd.Series:
    dob = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = dob.isna() & text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    if iso.any():
        dob = dob.where(~iso, pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce"))
    return dob.astype("datetime64[ns]")


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm; years >= 0)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _parse_dob(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates of birth written dd/mm/yyyy (or yyyy-mm-dd): (datetime64[ns], year, month).

    NaT (and year/month 0) where a cell is not a real date. The common case (exactly ten ASCII
    characters dd/mm/yyyy) is parsed with array arithmetic; other cells go through pandas' parser.
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    years = np.zeros(n, dtype=np.int64)
    months = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out, years, months
    try:
        b = values.astype("S11")
    except UnicodeEncodeError:
        b = None
    if b is not None:
        u = b.view(np.uint8).reshape(n, 11)
        ok = (u[:, 2] == 47) & (u[:, 5] == 47) & (u[:, 10] == 0)
        d = {}
        for i in (0, 1, 3, 4, 6, 7, 8, 9):
            col = u[:, i] - np.uint8(48)  # wraps round for bytes below '0'
            ok &= col < 10
            d[i] = col.astype(np.int64)
        day = d[0] * 10 + d[1]
        month = d[3] * 10 + d[4]
        year = d[6] * 1000 + d[7] * 100 + d[8] * 10 + d[9]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
        ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
        days = _days_from_civil(year, month, day)
        out[ok] = (days[ok] * 86_400_000_000_000).view("datetime64[ns]")
        years[ok] = year[ok]
        months[ok] = month[ok]
        rest = np.flatnonzero(~ok & (values != ""))
    else:
        rest = np.flatnonzero(values != "")
    if len(rest):
        slow = _parse_dob_slow(pd.Series(values[rest], dtype="str").str.strip())
        out[rest] = slow.to_numpy()
        good = slow.notna().to_numpy()
        years[rest[good]] = slow.dt.year.to_numpy()[good]
        months[rest[good]] = slow.dt.month.to_numpy()[good]
    return out, years, months


class _Coded:
    """A text column as codes into its distinct values: tests run once per distinct value.

    A Categorical column (see ``read_table(categorical=...)``) gives its codes and categories as
    they are (categories no row uses are harmless: every result is spread back by the codes).
    """

    def __init__(self, column: pd.Series, strip: bool = True) -> None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            uniques = column.cat.categories.to_numpy(dtype=object)
        else:
            codes, uniques = pd.factorize(column.to_numpy(dtype=object))
            uniques = np.asarray(uniques, dtype=object)
        if strip:
            cleaned = np.array([u.strip() for u in uniques], dtype=object)
            if len(cleaned) and (cleaned != uniques).any():
                # distinct values may now coincide: that is fine, tests are per value
                uniques = cleaned
        self.codes = codes
        self.uniques = uniques

    def test(self, fn) -> np.ndarray:
        """``fn`` applied to the distinct values, spread back to one bool per row."""
        per_value = np.fromiter((bool(fn(u)) for u in self.uniques), dtype=bool, count=len(self.uniques))
        return per_value[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)

    def values(self) -> np.ndarray:
        return self.uniques[self.codes]

    def text(self, index: pd.Index) -> pd.Series:
        """The column as pandas text, blanks as missing."""
        labels = pd.array([None if u == "" else u for u in self.uniques], dtype="str")
        return pd.Series(labels.take(self.codes), index=index)


def _check(raw: pd.DataFrame, path: Path, collection_year: int) -> tuple[list[DataProblem], pd.DataFrame]:
    """All rule breaches of an OC3 frame, plus the parsed records (DOB, age).

    Each column is factorised and every test runs once per distinct value, so that a million rows
    take well under a second.
    """
    where = str(path)
    problems: list[tuple[int, int, DataProblem]] = []  # (row, column order, problem) for sorting
    order = {c: i for i, c in enumerate(schemas.OC3_COLUMNS)}

    rownum = raw.index.to_numpy()

    def add(mask: np.ndarray, column: str, message) -> None:
        for i in np.flatnonzero(mask):
            row = int(rownum[i])
            msg = message(int(i)) if callable(message) else message
            problems.append((row, order.get(column, 9), DataProblem(where, row, column, msg)))

    col = {c: _Coded(raw[c]) for c in ("IN_TOUCH", "ACTIV", "ACCOM")}
    codes = {"IN_TOUCH": schemas.OC3_IN_TOUCH, "ACTIV": schemas.OC3_ACTIV, "ACCOM": schemas.OC3_ACCOM}
    blank = {c: col[c].test(lambda u: u == "") for c in col}

    child = raw["CHILD"].to_numpy(dtype=object)
    child_blank = child == ""
    add(child_blank, "CHILD", "CHILD is blank; expected the child's identifier")
    add(_duplicated(child) & ~child_blank, "CHILD", lambda i: f"CHILD {child[i]!r} appears more than once")

    dob_col = _Coded(raw["DOB"], strip=False)
    dob_u, year_u, month_u = _parse_dob(dob_col.uniques)
    dob = dob_u[dob_col.codes]
    nat = np.isnat(dob)
    dob_text, dob_codes = dob_col.uniques, dob_col.codes  # the cells as written
    add(nat, "DOB", lambda i: f"expected a date of birth as dd/mm/yyyy; found {dob_text[dob_codes[i]]!r}")
    age_u = np.where(month_u >= 4, collection_year - 1, collection_year) - year_u
    age_np = age_u[dob_col.codes]
    age = pd.Series(pd.array(age_np, dtype="Int64"), index=raw.index).mask(nat)
    out_of_range = ~nat & ((age_np < 17) | (age_np > 21))
    add(out_of_range, "DOB",
        lambda i: f"age {int(age_np[i])} at the birthday in collection year {collection_year - 1}-"
                  f"{collection_year % 100:02d}; OC3 covers ages 17 to 21 only")

    for c, allowed in codes.items():
        ok = set(allowed)
        bad = col[c].test(lambda u, ok=ok: u != "" and u not in ok)
        if bad.any():
            v = col[c].values()
            add(bad, c, lambda i, v=v, c=c: f"{v[i]!r} is not a valid {c} code; expected one of "
                                             f"{', '.join(codes[c])} (or blank)")

    n_filled = sum((~blank[c]).astype(np.int8) for c in ("IN_TOUCH", "ACTIV", "ACCOM"))
    partial = (n_filled > 0) & (n_filled < 3)
    if partial.any():
        for c in ("IN_TOUCH", "ACTIV", "ACCOM"):
            add(partial & blank[c], c,
                f"{c} is blank but other care leaver fields are filled: IN_TOUCH, ACTIV and ACCOM must "
                "be all filled or all blank")

    gone = col["IN_TOUCH"].test(lambda u: u in _BLANK_AS_ZERO)
    yes = col["IN_TOUCH"].test(lambda u: u == "YES")
    for c in ("ACTIV", "ACCOM"):
        zero = col[c].test(lambda u: u == "0")
        wrong = gone & ~zero & ~blank[c]
        if wrong.any():
            v, touch = col[c].values(), col["IN_TOUCH"].values()
            add(wrong, c, lambda i, v=v, c=c, touch=touch: f"IN_TOUCH is {touch[i]} so {c} must be '0'; "
                                                           f"found {v[i]!r}")
        add(yes & zero, c, f"IN_TOUCH is YES so {c} must describe the young person's situation, not '0'")

    legacy = col["ACTIV"].test(lambda u: u in schemas.OC3_ACTIV_LEGACY)

    problems.sort(key=lambda t: (t[0], t[1]))
    records = pd.DataFrame({
        "CHILD": raw["CHILD"],
        "DOB": pd.Series(dob, index=raw.index),
        "IN_TOUCH": col["IN_TOUCH"].text(raw.index),
        "ACTIV": col["ACTIV"].text(raw.index),
        "ACCOM": col["ACCOM"].text(raw.index),
        "collection_year": pd.Series(collection_year, index=raw.index, dtype="Int64"),
        "age": age,
    }, copy=False)
    return [p for _, _, p in problems], records, rownum[np.flatnonzero(legacy)]


def _duplicated(values: np.ndarray) -> np.ndarray:
    """True for every repeat of an earlier value (the first occurrence is False)."""
    if not _may_repeat(values):
        return np.zeros(len(values), dtype=bool)
    try:
        b = values.astype("S")
    except UnicodeEncodeError:
        return pd.Series(values, dtype=object).duplicated(keep="first").to_numpy()
    out = np.zeros(len(values), dtype=bool)
    if len(values) < 2:
        return out
    idx = np.argsort(b, kind="stable")
    s = b[idx]
    same = s[1:] == s[:-1]
    out[idx[1:][same]] = True
    return out


def _may_repeat(values: np.ndarray) -> bool:
    """False only when no value is repeated for certain (a quick test of the usual case).

    Equal values have equal first 16 bytes, hence equal keys below: distinct keys prove the values
    distinct. Equal keys (or text that is not ASCII) leave the answer to :func:`_duplicated`'s
    exact comparison.
    """
    n = len(values)
    if n < 2:
        return False
    try:
        b = values.astype("S16")  # the first 16 bytes of each value (ASCII)
    except (UnicodeEncodeError, TypeError, ValueError):
        return True
    words = b.view(np.uint64).reshape(n, 2)
    keys = np.sort(words[:, 0] ^ (words[:, 1] * np.uint64(0x9E3779B97F4A7C15)))
    return bool((keys[1:] == keys[:-1]).any())


def _prepare(path: str | Path, collection_year: int) -> tuple[Path, pd.DataFrame]:
    path = Path(path)
    if not isinstance(collection_year, int | np.integer) or not 2000 <= int(collection_year) <= 2100:
        raise ValueError(f"collection_year must be a year such as 2023; got {collection_year!r}")
    raw = _read_raw(path)
    missing = [c for c in schemas.OC3_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError.from_problems([
            DataProblem(str(path), 1, c, f"missing column {c}; an OC3 file has columns "
                                         f"{', '.join(schemas.OC3_COLUMNS)}") for c in missing])
    return path, raw


def oc3_problems(path: str | Path, collection_year: int) -> list[DataProblem]:
    """Every rule breach in an OC3 file, in row order (an empty list for a clean file)."""
    path, raw = _prepare(path, int(collection_year))
    return _check(raw, path, int(collection_year))[0]


def read_oc3(path: str | Path, collection_year: int) -> pd.DataFrame:
    """Read and validate a council's SSDA903 OC3 return (CSV or XLSX) for one collection year.

    Returns one row per care leaver: CHILD, DOB (datetime), IN_TOUCH, ACTIV, ACCOM (text, NA when
    blank), ``collection_year``, ``age`` (at the birthday in the collection year) and ``age_band``
    ("17-18" or "19-21"). Raises one :class:`DataError` listing every breach (see the module
    docstring); F3/P3 activity codes load with a :class:`DataWarning` naming their rows.
    """
    collection_year = int(collection_year)
    path, raw = _prepare(path, collection_year)
    problems, records, legacy = _check(raw, path, collection_year)
    if problems:
        raise DataError.from_problems(problems)
    if len(legacy):
        shown = ", ".join(map(str, legacy[:10])) + (" ..." if len(legacy) > 10 else "")
        warnings.warn(f"{path}: {len(legacy)} row(s) use the older ACTIV codes F3/P3 (training or "
                      f"employment); counted as in education, employment or training. Rows: {shown}",
                      DataWarning, stacklevel=2)
    bands = pd.array(list(AGE_BANDS), dtype="str")  # "17-18", "19-21"
    older = (records["age"].to_numpy(dtype=np.int64) > 18).astype(np.intp)
    records["age_band"] = pd.Series(bands.take(older), index=records.index)
    # The contract's schema: columns, types and (for up to 50,000 rows) every value. Beyond that the
    # value checks above (the same code lists from schemas) have already covered every row, and
    # pandera's row-by-row checks would triple the time of a large read.
    schema = schemas.SOURCES["oc3"].schema
    schema.validate(records if len(records) <= _FULL_SCHEMA_ROWS else records.head(_FULL_SCHEMA_ROWS))
    return records.reset_index(drop=True)


# --------------------------------------------------------------------------- indicators

#: how each OC3 code counts in the DfE's indicators; blank or '0' is "information not known"
ACTIVITY_MEASURES = {
    **{c: "eet" for c in (*schemas.OC3_ACTIV_EET, *schemas.OC3_ACTIV_LEGACY)},
    "G4": "neet_illness_disability",
    "G5": "neet_other",
    "G6": "neet_pregnancy_parenting",
}
IN_TOUCH_MEASURES = {"YES": "in_touch", "NO": "not_in_touch", "REFU": "refused_contact",
                     "NREQ": "no_longer_requires_services", "RHOM": "returned_home", "DIED": "died"}

INDICATOR_COLUMNS = ["collection_year", "age", "table", "measure", "count", "total", "percent"]


def oc3_indicators(records: pd.DataFrame) -> pd.DataFrame:
    """The DfE's care leaver indicators from OC3 records (one or more collection years).

    For each collection year and age band ("17-18", "19-21"; age at the birthday in the year) the
    denominator ``total`` is every care leaver of that band, as in the DfE tables, and ``percent``
    is ``100 * count / total``. Measures (keys as in :data:`carejourneys.inputs.loaders.dfe.MEASURES`):

    - activity: ``eet`` (F1-F5, P1-P5 including older F3/P3), ``neet`` (G4-G6) and its three
      reasons, ``not_known`` (blank or ``0``);
    - accommodation: ``suitable`` (second character 1), ``unsuitable`` (2), ``not_known``
      (blank or ``0``);
    - in_touch: ``in_touch`` (YES), ``not_in_touch``, ``refused_contact``,
      ``no_longer_requires_services``, ``returned_home``, ``died``, ``not_known`` (blank).

    Every combination is present, with a zero count where no record falls in it.
    """
    need = {"IN_TOUCH", "ACTIV", "ACCOM", "collection_year"}
    if not need <= set(records.columns):
        raise ValueError(f"oc3_indicators needs columns {sorted(need)}; got {list(records.columns)}")
    if "age_band" in records.columns:
        band = records["age_band"].astype("str")
    else:
        band = pd.Series(np.where(records["age"] <= 18, "17-18", "19-21"), index=records.index, dtype="str")
    activ = records["ACTIV"].astype("str").fillna("")
    accom = records["ACCOM"].astype("str").fillna("")
    touch = records["IN_TOUCH"].astype("str").fillna("")
    act = activ.map(ACTIVITY_MEASURES).fillna("not_known")
    acc = pd.Series(np.select([accom.str.endswith("1") & (accom.str.len() == 2),
                               accom.str.endswith("2") & (accom.str.len() == 2)],
                              ["suitable", "unsuitable"], "not_known"), index=records.index)
    tch = touch.map(IN_TOUCH_MEASURES).fillna("not_known")
    base = pd.DataFrame({"collection_year": records["collection_year"].astype("Int64").to_numpy(),
                         "age": band.to_numpy()})
    long = pd.concat([
        base.assign(table="activity", measure=act.to_numpy()),
        base.assign(table="activity", measure=np.where(act.str.startswith("neet_"), "neet", "")),
        base.assign(table="accommodation", measure=acc.to_numpy()),
        base.assign(table="in_touch", measure=tch.to_numpy()),
    ], ignore_index=True)
    long = long[long["measure"] != ""]
    counts = long.groupby(["collection_year", "age", "table", "measure"]).size()
    totals = base.groupby(["collection_year", "age"]).size().rename("total")

    layout = {
        "activity": ["eet", "neet", "neet_illness_disability", "neet_other", "neet_pregnancy_parenting",
                     "not_known"],
        "accommodation": ["suitable", "unsuitable", "not_known"],
        "in_touch": ["in_touch", *[m for m in IN_TOUCH_MEASURES.values() if m != "in_touch"], "not_known"],
    }
    years = sorted(base["collection_year"].dropna().unique())
    rows = [(int(y), a, t, m) for y in years for a in AGE_BANDS for t, ms in layout.items() for m in ms]
    index = pd.MultiIndex.from_tuples(rows, names=["collection_year", "age", "table", "measure"])
    out = counts.reindex(index, fill_value=0).rename("count").reset_index()
    out = out.merge(totals.reset_index(), on=["collection_year", "age"], how="left")
    out["total"] = out["total"].fillna(0).astype("Int64")
    out["count"] = out["count"].astype("Int64")
    out["collection_year"] = out["collection_year"].astype("Int64")
    pct = 100 * out["count"].astype("Float64") / out["total"].astype("Float64").replace(0, pd.NA)
    out["percent"] = pct.astype("Float64")
    for c in ("age", "table", "measure"):
        out[c] = out[c].astype("str")
    return out[INDICATOR_COLUMNS]
