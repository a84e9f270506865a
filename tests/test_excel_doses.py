"""The live sheet's doses (issue 11): "Kiểm tra danh sách", "Xóa đánh dấu" and "Áp dụng
gợi ý sửa" on lists with dose columns, through xlwings' remote engine (the fixtures and
replay helpers of tests/test_excel_buttons.py). Real workbooks: a generated commune list
with vaccination histories (doses side by side, two header rows) and a one-row-per-dose
list written with XlsxWriter; the sheet must say what ``vaxclean validate`` writes into
the annotated copy of the same file."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
import xlwings as xw

from tests.test_excel_buttons import (  # noqa: F401  (remote_engine: autouse fixture)
    actions,
    alerts,
    painted,
    payload,
    remote,
    remote_engine,
    replay_values,
)
from vaxclean_xl.commands.common import validate_table
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.catalogue import all_rules
from vaxclean_xl.core.model import is_dose_field
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS, status_cells
from vaxclean_xl.excel import buttons, marks
from vaxclean_xl.excel.paint import COLOURS, HEADER_COLOUR
from vaxclean_xl.excel.sheet import Grid, locate_list
from vaxclean_xl.formats.annotated_list import dose_columns
from vaxclean_xl.io.reader import read_table
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.settings import LABELS_VI, SETTINGS_SHEET

TODAY = _dt.date(2026, 1, 1)
SHEET = "Danh sách"
ERROR, WARNING, FIXED = (COLOURS[k] for k in ("error", "warning", "fixed"))
HEADERS4 = [*STATUS_HEADERS, DOSE_STATUS_HEADER]
ARGB = {"FFFFC7CE": ERROR, "FFFFEB9C": WARNING}


# --------------------------------------------------------------------------- helpers


def sheet_values(path: Path, sheet: str) -> list[list[Any]]:
    """A sheet's values as Excel sends them (None for empty cells)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [[None if v == "" else v for v in row] for row in rows]


def annotated(path: Path, header_row: int) -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    """The annotated copy's first sheet: its values and the tool's fills below the header
    ((row, column) 1-based -> colour)."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    fills = {(c.row, c.column): ARGB[c.fill.fgColor.rgb]
             for row in ws.iter_rows(min_row=header_row + 1) for c in row
             if c.fill.fill_type == "solid" and c.fill.fgColor.rgb in ARGB}
    return values, fills


def status_block(book: xw.Book) -> dict[str, Any]:
    [block] = [a for a in actions(book) if a["func"] == "setValues"]
    return block


def marked(book: xw.Book) -> dict[tuple[int, int], str]:
    return {c: v for c, v in painted(actions(book)).items() if v in (ERROR, WARNING)}


def one_based(cols: set[int]) -> set[int]:
    return {c + 1 for c in cols}


# --------------------------------------------------------------------------- lists


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[Any]]]:
    """A 300-person commune list with histories (doses side by side, two header rows)."""
    path = tmp_path_factory.mktemp("wide") / "danh-sach.xlsx"
    generate_sample(path, rows=300, seed=3, today=TODAY, doses=True)
    return path, sheet_values(path, SHEET)


LONG_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn", "Mũi thứ",
               "Ngày tiêm", "Tên vắc xin", "Số lô", "Nơi tiêm"]


def write_long(path: Path) -> Path:
    """One row per dose. Ngô Thị Hoa (rows 4, 6, 8): an ID of five digits (on each of her
    rows), dose 2 in the future (so dose 3 is before it), dose 3 spelled "Astra"; Nguyễn
    Văn An (rows 5, 7): right; Lê Văn Cường (row 9): a vaccine no catalogue knows."""
    hoa = ["Ngô Thị Hoa", "15/08/1992", "Nữ", "12345", "Thôn 1"]
    an = ["Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1"]
    cuong = ["Lê Văn Cường", "12/03/1970", "Nam", "036070001234", "Thôn 2"]
    rows = [
        [1, *hoa, 1, "01/09/2021", "Pfizer", "P1", "TYT Tân Lập"],
        [2, *an, 1, "01/09/2021", "Pfizer", "P1", "TYT Tân Lập"],
        [3, *hoa, 2, "22/09/2030", "Pfizer", "P2", "TYT Tân Lập"],
        [4, *an, 2, "22/09/2021", "Pfizer", "P2", "TYT Tân Lập"],
        [5, *hoa, 3, "15/03/2022", "Astra", "A3", "TYT Tân Lập"],
        [6, *cuong, 1, "10/08/2021", "Vắc xin TQ", "V1", "TYT Tân Lập"],
    ]
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, ["DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN PHÒNG COVID-19"])
    for r, values in enumerate([LONG_HEADER, *rows], start=2):
        ws.write_row(r, 0, values)
    wb.close()
    return path


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[Any]]]:
    path = write_long(tmp_path_factory.mktemp("long") / "lich-su.xlsx")
    return path, sheet_values(path, SHEET)


# --------------------------------------------------------------------------- validate


def test_wide_list_says_what_the_annotated_copy_says(wide) -> None:
    path, values = wide
    book = remote(values)
    out = buttons.validate_sheet(book, today=TODAY)
    table = read_table(path)
    assert table.dose_layout and table.dose_layout.wide
    # the remote engine cannot tell fonts: names only a legacy font gives away differ
    result = validate_table(table, TODAY)
    fontless = validate_table(dataclasses.replace(table, name_fonts={}), TODAY)
    font_rows = {a.row for a, b in zip(result.records, fontless.records, strict=True)
                 if status_cells(a, True) != status_cells(b, True)}
    copy = validate_file(path, path.with_name("kiem-tra.xlsx"), today=TODAY).output
    cli_values, cli_fills = annotated(copy, table.header_row)

    block = status_block(book)
    status_col = block["start_column"] + 1
    assert (block["start_row"] + 1, status_col) == (table.header_row, table.max_col + 2)
    assert block["values"][0] == HEADERS4
    assert cli_values[table.header_row - 1][status_col - 1:status_col + 3] == HEADERS4
    compared = 0
    for i, row in enumerate(block["values"][1:], table.header_row + 1):
        if i in font_rows:
            continue
        cli = [v or "" for v in cli_values[i - 1][status_col - 1:status_col + 3]]
        cli += [""] * (4 - len(cli))
        assert row == cli, i
        compared += 1
    assert compared >= 295
    # exact texts of a few dose findings, as the CLI writes them
    texts = [r[3] for r in block["values"][1:]]
    assert any(t.startswith("Cần xem lại mũi tiêm: [DOSE104] Mũi ") and
               "là tên gọi khác của" in t for t in texts)
    assert any(t.startswith("Sai thông tin mũi tiêm: [DOSE0") for t in texts)
    assert all("[DOSE" not in r[1] for r in block["values"][1:])  # "Lỗi": identity only

    doses = one_based(dose_columns(table))
    fills = {c: v for c, v in marked(book).items() if c[0] not in font_rows}
    assert fills == {c: v for c, v in cli_fills.items() if c[0] not in font_rows}
    dose_fills = {c: v for c, v in fills.items() if c[1] in doses}
    assert ERROR in dose_fills.values() and WARNING in dose_fills.values()
    header = {c: v for c, v in painted(actions(book)).items() if v == HEADER_COLOUR}
    assert set(header) == {(table.header_row, status_col + k) for k in range(4)}
    # nothing written into the list: one values block, right of every dose column
    assert status_col > max(doses)
    assert out.vaccination["ERROR"] >= 1 and out.vaccination["WARNING"] >= 1
    assert "Mũi tiêm: " in alerts(book)[-1] and "cột «Mũi tiêm»" in alerts(book)[-1]


def test_one_row_per_dose_marks_every_row_of_the_person(long) -> None:
    path, values = long
    book = remote(values)
    buttons.validate_sheet(book, today=TODAY)
    table = read_table(path)
    assert table.dose_layout and table.dose_layout.long and table.person_rows
    copy = validate_file(path, path.with_name("kiem-tra.xlsx"), today=TODAY).output
    cli_values, cli_fills = annotated(copy, table.header_row)
    fills = marked(book)
    assert fills == cli_fills
    # her ID on each of her three rows; dose 2's date (row 6) and dose 3's (row 8) red,
    # dose 3's vaccine (row 8) yellow; the unknown vaccine of row 9 red
    assert {(r, 5) for r in (4, 6, 8)} <= fills.keys()
    assert fills[(6, 8)] == fills[(8, 8)] == ERROR
    assert fills[(8, 9)] == WARNING and fills[(9, 9)] == ERROR
    assert len(fills) == 3 + 4
    assert not {(5, c) for c in range(1, 12)} & fills.keys()  # Nguyễn Văn An is right
    block = status_block(book)
    assert block["start_column"] + 1 == 12 and block["values"][0] == HEADERS4
    rows = block["values"]
    assert rows[4 - 3][3] == (
        "Sai thông tin mũi tiêm: [DOSE002] Mũi 2: ngày tiêm ở tương lai.; [DOSE104] Mũi 3: "
        "tên vắc xin «Astra» là tên gọi khác của AstraZeneca; Nền tảng ghi «AstraZeneca». "
        "Gợi ý: AstraZeneca; [DOSE008] Mũi 3: ngày tiêm (15/03/2022) trước ngày tiêm mũi 2 "
        "(22/09/2030).")
    assert rows[5 - 3] == ["Đúng", "", "", "Đúng"]
    assert rows[6 - 3] == rows[8 - 3] == ["", "", "", ""]  # her other rows: no status
    assert [[v or "" for v in r[11:15]] for r in cli_values[3:9]] == rows[1:]


def test_rerun_replaces_the_block_and_clears_a_fixed_dose(long) -> None:
    _path, values = long
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    before = marked(first)
    data = replay_values(payload(values), actions(first))
    again = xw.Book(json=data)
    out = buttons.validate_sheet(again, today=TODAY)
    block = status_block(again)
    assert (block["start_column"] + 1, block["values"][0]) == (12, HEADERS4)
    assert block["values"] == status_block(first)["values"]
    assert out.cleared == 0 and marked(again) == before
    # the user corrects dose 2's year: its red and dose 3's go, the rest stays
    data = replay_values(payload(values), actions(first))
    data["sheets"][0]["values"][5][7] = "22/09/2021"
    third = xw.Book(json=data)
    out = buttons.validate_sheet(third, today=TODAY)
    fills = painted(actions(third))
    assert fills[(6, 8)] is None and fills[(8, 8)] is None and out.cleared == 2
    assert fills[(8, 9)] == WARNING
    assert status_block(third)["values"][1][3].startswith("Cần xem lại mũi tiêm: [DOSE104]")


def test_rerun_of_a_wide_list_finds_its_own_block(wide) -> None:
    _path, values = wide
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    data = replay_values(payload(values), actions(first))
    second = xw.Book(json=data)
    out = buttons.validate_sheet(second, today=TODAY)
    one, two = status_block(first), status_block(second)
    assert (two["start_row"], two["start_column"]) == (one["start_row"], one["start_column"])
    assert len(two["values"][0]) == 4 and out.cleared == 0
    assert marked(second) == marked(first)


def test_old_marks_from_status_are_the_cells_coloured(wide, long) -> None:
    """Where Excel cannot report fills, the cells named by the status block (codes in
    «Lỗi» and «Mũi tiêm», dose numbers in their messages) are exactly those coloured."""
    for _path, values in (wide, long):
        book = remote(values)
        buttons.validate_sheet(book, today=TODAY)
        data = replay_values(payload(values), actions(book))
        sent = data["sheets"][0]["values"]
        grid = Grid(1, 1, [[v if v != "" else None for v in r] for r in sent])
        found = locate_list(grid, sheet_name=SHEET)
        assert found.status_found and found.status_width == 4
        records = validate_table(found.table, TODAY).records
        coloured = {c for c, v in painted(actions(book)).items() if v in (ERROR, WARNING)}
        doses = found.mark_columns() - set(found.field_columns().values())
        assert {c for c in coloured if c[1] in doses}  # dose cells among them
        assert marks.old_marks_from_status(found, records) == coloured


def test_every_dose_message_names_its_dose() -> None:
    """Old dose marks are found from "[DOSEnnn] Mũi N" in the status texts."""
    dose_rules = [r for r in all_rules() if is_dose_field(r.field)]
    assert len(dose_rules) >= 15
    assert all(r.message_vi.startswith("Mũi {n}") for r in dose_rules)


def test_an_old_three_column_block_becomes_four(long) -> None:
    """A block an earlier version wrote (three columns, dose codes in «Lỗi»): replaced in
    place by the four columns, the dose cell it named red cleared once right."""
    path, values = long
    table = read_table(path)
    result = validate_table(table, TODAY)
    rows = [list(r) + [None] * 3 for r in values]
    rows[2][11:14] = STATUS_HEADERS
    for rec in result.records:
        rows[rec.row - 1][11:14] = status_cells(rec)
    assert "[DOSE002] Mũi 2" in rows[3][12]
    rows[5][7] = "22/09/2021"  # dose 2 corrected since
    book = remote(rows)
    out = buttons.validate_sheet(book, today=TODAY)
    block = status_block(book)
    assert (block["start_column"] + 1, block["values"][0]) == (12, HEADERS4)
    fills = painted(actions(book))
    assert fills[(6, 8)] is None and fills[(8, 8)] is None and out.cleared == 2
    assert fills[(8, 9)] == WARNING


def test_a_dose_column_right_of_an_old_trio_is_never_overwritten(tmp_path: Path) -> None:
    """An old trio followed by the list's dose columns is not the tool's block to widen:
    the new block goes right of the doses, the doses stay as they are."""
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn",
              *STATUS_HEADERS, "Tên vắc xin mũi 1", "Ngày tiêm mũi 1"]
    values = [header,
              [1, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1", "Đúng", None,
               None, "Pfizer", "07/03/2021"]]
    book = remote(values)
    buttons.validate_sheet(book, today=TODAY)
    block = status_block(book)
    assert (block["start_column"] + 1, block["values"][0]) == (12, HEADERS4)
    assert block["values"][1][3].startswith("Sai thông tin mũi tiêm: [DOSE003] Mũi 1:")
    assert marked(book) == {(2, 11): ERROR}


# --------------------------------------------------------------------------- clear


def test_clear_removes_dose_marks_and_the_four_columns(long) -> None:
    _path, values = long
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    coloured = set(marked(first))
    assert {(6, 8), (8, 8), (8, 9), (9, 9)} <= coloured
    data = replay_values(payload(values), actions(first))
    book = xw.Book(json=data)
    out = buttons.clear_marks(book)
    fills = painted(actions(book))
    assert set(fills) == coloured and set(fills.values()) == {None}
    [clear] = [a for a in actions(book) if a["func"] == "rangeClear"]
    assert (clear["start_row"] + 1, clear["start_column"] + 1) == (3, 12)
    assert (clear["row_count"], clear["column_count"]) == (9 - 3 + 1, 4)
    assert not [a for a in actions(book) if a["func"] == "setValues"]
    assert out.cleared == len(coloured)
    assert "bốn cột «Phân loại», «Lỗi», «Gợi ý sửa», «Mũi tiêm»" in alerts(book)[-1]


def test_clear_after_a_wide_run_removes_every_mark(wide) -> None:
    path, values = wide
    first = remote(values)
    buttons.validate_sheet(first, today=TODAY)
    coloured = set(marked(first))
    doses = one_based(dose_columns(read_table(path)))
    assert {c for c in coloured if c[1] in doses}
    book = xw.Book(json=replay_values(payload(values), actions(first)))
    buttons.clear_marks(book)
    fills = painted(actions(book))
    assert set(fills) == coloured and set(fills.values()) == {None}


# --------------------------------------------------------------------------- fixes


def test_apply_fixes_writes_the_platform_spelling_of_an_alias(long) -> None:
    _path, values = long
    book = remote(values, selection="A8:K9")  # Hoa's third dose, Cường's unknown vaccine
    out = buttons.apply_fixes(book, today=TODAY)
    acts = actions(book)
    writes = {(a["start_row"] + 1, a["start_column"] + 1): a["values"] for a in acts
              if a["func"] == "setValues" and a["start_column"] < 11}
    # only the certain one: "Vắc xin TQ" has no certain spelling and is left as it is
    assert writes == {(8, 9): [["AstraZeneca"]]} and out.fixes == 1
    fills = painted(acts)
    assert fills[(8, 9)] == FIXED and fills[(9, 9)] == ERROR
    assert fills[(4, 5)] == ERROR  # her ID: no certain fix, still red on her rows
    status = status_block_at(book, 12)
    assert status[4 - 3][3] == (
        "Đã sửa: Mũi 3 - Tên vắc xin «Astra» → «AstraZeneca»; Sai thông tin mũi tiêm: "
        "[DOSE002] Mũi 2: ngày tiêm ở tương lai.; [DOSE008] Mũi 3: ngày tiêm (15/03/2022) "
        "trước ngày tiêm mũi 2 (22/09/2030).")
    # "Xóa đánh dấu" afterwards removes the green too (found from «Mũi tiêm»)
    cleared = xw.Book(json=replay_values(payload(values), acts))
    buttons.clear_marks(cleared)
    assert painted(actions(cleared))[(8, 9)] is None


def status_block_at(book: xw.Book, col: int) -> list[list[str]]:
    [block] = [a for a in actions(book) if a["func"] == "setValues"
               and a["start_column"] + 1 == col]
    return block["values"]


def test_identity_fix_on_every_row_of_the_person(tmp_path: Path) -> None:
    """A one-row-per-dose person whose name has a double space: fixed on each of her rows
    (else her rows would no longer be one person), reported once."""
    name = "Trần  Thị Bình"
    values = [LONG_HEADER,
              [1, name, "31/12/1985", "Nữ", "001185012345", "Thôn 2", 1, "01/09/2021",
               "Pfizer", "P1", "TYT"],
              [2, name, "31/12/1985", "Nữ", "001185012345", "Thôn 2", 2, "22/09/2021",
               "Pfizer", "P2", "TYT"]]
    book = remote(values, selection="B3")
    out = buttons.apply_fixes(book, today=TODAY)
    acts = actions(book)
    assert out.fixes == 2
    assert status_block_at(book, 2) == [["Trần Thị Bình"], ["Trần Thị Bình"]]
    fills = painted(acts)
    assert fills[(2, 2)] == FIXED and fills[(3, 2)] == FIXED
    status = status_block_at(book, 12)
    assert status[1] == ["Đúng", "", "Đã sửa: Họ và tên «Trần  Thị Bình» → «Trần Thị Bình»",
                         "Đúng"]
    cleared = xw.Book(json=replay_values(payload(values), acts))
    buttons.clear_marks(cleared)
    fills = painted(actions(cleared))
    assert fills[(2, 2)] is None and fills[(3, 2)] is None


def test_station_aliases_come_from_the_settings_sheet(long) -> None:
    """«Tên gọi khác của vắc xin» on the book's «Cài đặt» sheet: "Vắc xin TQ" is then the
    station's spelling of Vero Cell (a warning with its certain fix, not an error)."""
    _path, values = long
    data = payload(values)
    settings = [[LABELS_VI["vaccine_aliases"], "Vắc xin TQ = Vero Cell"]]
    data["sheets"].append({"name": SETTINGS_SHEET, "values": settings, "pictures": [],
                           "tables": []})
    book = xw.Book(json=data)
    buttons.validate_sheet(book, today=TODAY)
    rows = status_block(book)["values"]
    assert rows[9 - 3][3] == (
        "Cần xem lại mũi tiêm: [DOSE104] Mũi 1: tên vắc xin «Vắc xin TQ» là tên gọi khác của "
        "Vero Cell; Nền tảng ghi «Vero Cell». Gợi ý: Vero Cell")
    assert marked(book)[(9, 9)] == WARNING


def test_a_guessed_vaccine_name_is_never_applied() -> None:
    """DOSE012 shows the one vaccine a name contains ("Vắc xin Pfizer (Mỹ)" → Pfizer) for
    staff to confirm; "Áp dụng gợi ý sửa" leaves it, and fixes the alias beside it."""
    values = [["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn",
               "Tên vắc xin mũi 1", "Ngày tiêm mũi 1", "Tên vắc xin mũi 2", "Ngày tiêm mũi 2"],
              [1, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1",
               "Vắc xin Pfizer (Mỹ)", "01/09/2021", "Comirnaty", "22/09/2021"]]
    book = remote(values, selection="A2")
    out = buttons.apply_fixes(book, today=TODAY)
    assert out.fixes == 1
    assert status_block_at(book, 9) == [["Pfizer"]]
    assert not [a for a in actions(book) if a["func"] == "setValues"
                and a["start_column"] + 1 == 7]
    rows = status_block_at(book, 11)
    assert rows[1][3].startswith("Đã sửa: Mũi 2 - Tên vắc xin «Comirnaty» → «Pfizer»; Sai "
                                 "thông tin mũi tiêm: [DOSE012] Mũi 1:")
    assert rows[1][3].endswith("Gợi ý: Pfizer")
    assert painted(actions(book))[(2, 7)] == ERROR
