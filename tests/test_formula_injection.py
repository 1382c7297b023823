"""Issue 13 item 13: a value starting with =, +, -, @, tab or CR never becomes a live formula in a file the
package writes for people to open (the framework-matrix workbook, the CSV logs)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import load_workbook

from carejourneys.metrics import qualitative as q
from carejourneys.sdc.anonymise import safe_cell, write_replacement_log
from carejourneys.sdc.quotes import append_quotes_log, select_quotes

EVIL = ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


def _segments() -> pd.DataFrame:
    rows = []
    for k, bad in enumerate(EVIL):
        rows.append({"segment_id": f"S{k}", "source_id": f"src{k}", "speaker_id": bad, "site": "plymouth",
                     "role": "Young person", "seniority": bad, "wave": 1,
                     "code_path": f"Barriers/{bad}", "text": bad, "start": 0, "end": len(bad), "coder": "A",
                     "date": pd.Timestamp("2020-01-01")})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("value", EVIL)
def test_safe_cell_makes_text(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain") == "plain" and safe_cell(3) == 3 and safe_cell(-2) == -2
    assert safe_cell(None) is None


def test_framework_workbook_cells_stay_text(tmp_path):
    path = q.write_framework_xlsx(_segments(), tmp_path / "framework.xlsx",
                                  attributes=("site", "role", "seniority"))
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert '=HYPERLINK("http://x")' in values  # the code's name, as text (a header)
    assert "@SUM(A1:A2)" in values  # a case, as text
    hyperlink = next(c for c in cells if c.value == '=HYPERLINK("http://x")')
    assert hyperlink.data_type == "s" and hyperlink.quotePrefix


def test_csv_logs_are_not_formulas(tmp_path):
    log = pd.DataFrame({"item": [1, 2], "tag": ["name", "phone"], "original": ['=HYPERLINK("http://x")',
                                                                               "+44 7700 900123"],
                        "start": [0, 5], "end": [22, 20], "rule": ["deny list", "telephone number"]})
    path = write_replacement_log(log, tmp_path / "log.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert [r[2] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+44 7700 900123"]
    assert [r[3] for r in rows[1:]] == ["0", "5"]
    deny = {'=HYPERLINK("http://x")': "name"}
    seg = pd.DataFrame([{"segment_id": "S1", "source_id": "=cmd", "speaker_id": "p1", "site": "plymouth",
                         "role": "Manager", "code_path": "Barriers",
                         "text": 'Talking about =HYPERLINK("http://x") and the many other things we did here '
                                 "together.", "start": 0, "end": 80}])
    sel = select_quotes(seg, "Barriers", n=1, deny=deny)
    out = append_quotes_log(sel, tmp_path / "quotes.csv", context="=ctx")
    text = out.read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
