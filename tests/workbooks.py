"""Excel workbooks written by tests (openpyxl), shared by the bad-input corpora."""

from __future__ import annotations

import io

import openpyxl


def xlsx_bytes(sheets: dict[str, list[list[object]]], merge: str | None = None) -> bytes:
    """A workbook with one sheet per entry (in order); ``merge`` merges that range on every sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
