"""Hamlet files print readably: wrapped explanation and check columns in rows tall enough
for their text, A4 pages one page wide (the list and the guide)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter

from vaxclean_xl.commands.split import split_file
from vaxclean_xl.formats.hamlet_file import layout as L
from vaxclean_xl.formats.hamlet_file.writer import PROBLEM_COL, STATUS_COL


def _source(path: Path) -> None:
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = wb.add_worksheet("DS")
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"])
    rows = [
        ("Nguyễn Văn An", "01/05/1990", "Nam", "001090123456"),  # correct
        ("Tèo", "31/02/1990", "x", "00109012345A"),  # four problems
        ("Lê Thị Bình", "01/05/1990", "Nữ", "001 190 123 456"),  # one
    ]
    for i, (name, dob, sex, idn) in enumerate(rows, start=1):
        ws.write_row(i, 0, [i, name, dob, sex, idn, "Xóm Đông"])
    wb.close()


def _fit_one_page_wide_a4(ws) -> None:
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth or 1) == 1  # absent means 1 (the OOXML default)
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed


def test_rows_fit_their_wrapped_text_and_pages_fit_the_width(tmp_path):
    src = tmp_path / "ds.xlsx"
    _source(src)
    (hamlet,) = split_file(src, tmp_path / "out", all_records=True).files
    wb = openpyxl.load_workbook(hamlet.path)
    ws = wb[L.DATA_SHEET]
    _fit_one_page_wide_a4(ws)
    assert ws.page_setup.orientation == "landscape"

    heights = {}
    for r in range(L.FIRST_ROW, L.FIRST_ROW + 3):
        problem = ws.cell(r, PROBLEM_COL + 1)
        status = ws.cell(r, STATUS_COL + 1)
        assert problem.alignment.wrap_text and status.alignment.wrap_text
        dim = ws.row_dimensions[r]
        assert dim.customHeight
        lines = (problem.value or "").count("\n") + 1
        assert dim.height >= lines * L.LINE_PT  # every explanation line has room
        heights[r] = dim.height
    assert ws.column_dimensions[_letter(PROBLEM_COL)].width >= L.PROBLEM_WIDTH
    many, one, none = heights[L.FIRST_ROW + 1], heights[L.FIRST_ROW + 2], heights[L.FIRST_ROW]
    assert many >= 4 * L.LINE_PT > one >= none >= L.MIN_ROW_PT

    guide = wb[L.GUIDE_SHEET]
    _fit_one_page_wide_a4(guide)
    width = guide.column_dimensions["A"].width
    for row in guide.iter_rows(min_col=1, max_col=1):
        cell = row[0]
        if cell.value and cell.alignment.wrap_text:
            need = L.wrapped_lines(cell.value, int(width)) * L.GUIDE_LINE_PT
            assert guide.row_dimensions[cell.row].height >= need, cell.value[:30]


def test_wrapped_lines_counts_like_a_printer():
    assert L.wrapped_lines("", 40) == 1
    assert L.wrapped_lines("một\nhai\nba", 40) == 3
    assert L.wrapped_lines("chữ " * 30, 40) == 4  # 120 characters in 35-character lines
    assert L.wrapped_lines("x" * 100, 40) == 3  # a long word is broken
    assert L.row_height([("a", 40), ("b\nc\nd", 45)]) == 3 * L.LINE_PT + 3


def _letter(col: int) -> str:
    from vaxclean_xl.io.reader import column_letter

    return column_letter(col)
