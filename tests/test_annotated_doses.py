"""Dose findings everywhere the record goes (issue 11): the annotated workbook marks the dose
cells and says the doses' status in its own column and summary tables; merge shows the same
dose marks as validate; the edit worklist lists the dose errors. Real files, no mocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import openpyxl.utils
import xlsxwriter

from tests.conftest import edit_hamlet_file
from vaxclean_xl.commands.edit_list import edit_list
from vaxclean_xl.commands.merge import merge_files
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.model import is_dose_field
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS
from vaxclean_xl.formats import worklist as WL
from vaxclean_xl.sample import generate_sample

TODAY = dt.date(2022, 8, 1)
WIDE_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn",
               "Tên vắc xin mũi 1", "Ngày tiêm mũi 1", "Tên vắc xin mũi 2", "Ngày tiêm mũi 2"]
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def write_list(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    for r, values in enumerate([header, *rows]):
        ws.write_row(r, 0, values)
    wb.close()
    return path


def wide_list(path: Path) -> Path:
    """Row 2 right; row 3 a first dose the day before the campaign began (DOSE003); row 4
    a first dose on that very day (no finding); row 5 no dose; row 6 an identity error
    (an ID of 5 digits) with right doses."""
    return write_list(path, WIDE_HEADER, [
        [1, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1",
         "Pfizer", "01/09/2021", "Pfizer", "22/09/2021"],
        [2, "Trần Thị Bình", "31/12/1985", "Nữ", "001185012345", "Thôn 1",
         "Pfizer", "07/03/2021", "Pfizer", "22/09/2021"],
        [3, "Phạm Thị Dung", "01/01/1960", "Nữ", "001160012345", "Thôn 2",
         "AstraZeneca", "08/03/2021", "AstraZeneca", "10/06/2021"],
        [4, "Lê Văn Cường", "12/03/1970", "Nam", "036070001234", "Thôn 2", "", "", "", ""],
        [5, "Hoàng Văn Hải", "02/02/1980", "Nam", "12345", "Thôn 2",
         "Pfizer", "01/09/2021", "Pfizer", "22/09/2021"],
    ])


def sheet_cells(path: Path) -> tuple[list[list[object]], dict[str, tuple[str, str]]]:
    """The first sheet's values and its marked cells: reference -> (fill, note)."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    marks = {c.coordinate: (c.fill.fgColor.rgb, c.comment.text)
             for row in ws.iter_rows() for c in row if c.comment}
    return values, marks


def summary_rows(path: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    return [[v for v in r if v is not None] for r in ws.iter_rows(values_only=True)]


def test_dose_cells_marked_status_column_and_summary(tmp_path: Path) -> None:
    out = validate_file(wide_list(tmp_path / "ds.xlsx"), today=TODAY).output
    values, marks = sheet_cells(out)
    assert values[0][10:] == [*STATUS_HEADERS, DOSE_STATUS_HEADER]
    # the dose a day early: its date cell red with its note; the day itself: no mark
    fill, note = marks["H3"]
    assert fill == RED and note.startswith("[DOSE003] Mũi 1:")
    assert not {"H4", "G4", "H2"} & marks.keys()
    assert values[1][10:] == ["Đúng", None, None, "Đúng"]
    assert values[2][10] == "Đúng" and values[2][11] is None  # identity still right
    assert values[2][13].startswith("Sai thông tin mũi tiêm: [DOSE003] Mũi 1:")
    assert values[4][13] == "Chưa ghi mũi tiêm nào"
    # identity findings stay in "Lỗi", without the doses
    assert values[5][10] != "Đúng" and "DOSE" not in (values[5][11] or "")
    assert values[5][13] == "Đúng"
    rows = summary_rows(out)
    rules = rows.index(["Số lỗi theo quy tắc"])
    doses = rows.index(["Mũi tiêm: số lỗi theo quy tắc"])
    assert all("DOSE" not in str(r[0]) for r in rows[rules:doses] if r)
    assert ["DOSE003", "Lỗi", rows[doses + 2][2], 1] == rows[doses + 2]
    status = rows.index(["Mũi tiêm: số người theo tình trạng"])
    assert rows[status + 2:status + 6] == [["Sai thông tin mũi tiêm", 1],
                                           ["Cần xem lại mũi tiêm", 0], ["Đúng", 3],
                                           ["Chưa ghi mũi tiêm nào", 1]]
    # the identity groups count people as before: one bad ID, four right
    assert rows[rows.index(["Nhóm", "Số bản ghi"]) + 4] == ["Đúng", 4]


def test_run_on_its_own_output_rewrites_the_block(tmp_path: Path) -> None:
    first = validate_file(wide_list(tmp_path / "ds.xlsx"), today=TODAY)
    again = validate_file(first.output, output=tmp_path / "lai.xlsx", today=TODAY)
    assert again.table.dose_layout == first.table.dose_layout  # "Mũi tiêm" is no dose column
    values, marks = sheet_cells(again.output)
    assert values[0][10:] == [*STATUS_HEADERS, DOSE_STATUS_HEADER]
    assert sheet_cells(first.output) == (values, marks)


def test_list_without_doses_keeps_three_status_columns(tmp_path: Path) -> None:
    header = WIDE_HEADER[:6]
    src = write_list(tmp_path / "ds.xlsx", header,
                     [[1, "Nguyễn Văn An", "05/06/1990", "Nam", "12345", "Thôn 1"]])
    out = validate_file(src, today=TODAY).output
    values, _ = sheet_cells(out)
    assert values[0][6:] == STATUS_HEADERS
    rows = summary_rows(out)
    assert not any("Mũi tiêm" in str(r[0]) for r in rows if r)


LONG_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn", "Mũi thứ",
               "Ngày tiêm", "Tên vắc xin"]


def test_one_row_per_dose_marks_every_row_of_the_person(tmp_path: Path) -> None:
    bad_id = ["Ngô Thị Hoa", "15/08/1992", "Nữ", "12345", "Thôn 1"]
    src = write_list(tmp_path / "ds.xlsx", LONG_HEADER, [
        [1, *bad_id, 1, "01/09/2021", "Pfizer"],
        [2, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1", 1, "01/09/2021",
         "Pfizer"],
        [3, *bad_id, 2, "22/09/2030", "Pfizer"],  # in the future: DOSE002 on its own row
    ])
    outcome = validate_file(src, today=TODAY)
    values, marks = sheet_cells(outcome.output)
    assert marks["E2"][0] == RED and marks["E4"][0] == RED  # the ID, on both of her rows
    assert marks["E2"][1] == marks["E4"][1]
    assert "E3" not in marks
    assert marks["H4"][0] == RED and "[DOSE002] Mũi 2" in marks["H4"][1]
    assert "H2" not in marks
    assert values[1][12].startswith("Sai thông tin mũi tiêm: [DOSE002]")


def dose_findings(records) -> set[tuple[int, str, str, str]]:
    return {(f.row, f.field, f.code, f.message) for rec in records for f in rec.findings
            if is_dose_field(f.field)}


def test_merge_keeps_the_dose_findings_of_validate(tmp_path: Path) -> None:
    """A sample list with histories (some with dose errors), split, one hamlet note, merged:
    MERGED's dose findings, marks and "Mũi tiêm" cells are those validate gives MERGED."""
    src = tmp_path / "ds.xlsx"
    generate_sample(src, rows=60, seed=3, today=TODAY)
    split = split_file(src, tmp_path / "chia", today=TODAY)
    file_of = {rec.row: f.path for f in split.files for rec in f.records}
    row = min(file_of)
    edit_hamlet_file(file_of[row], {row: {"Ghi chú của thôn": "Đã chuyển đi"}})
    merged = merge_files(src, [tmp_path / "chia"], tmp_path / "gop.xlsx", today=TODAY)
    again = validate_file(merged.output, tmp_path / "gop.kiemtra.xlsx", today=TODAY)
    found = dose_findings(merged.result.records)
    assert found and any(code < "DOSE1" for _, _, code, _ in found)  # errors among them
    assert found == dose_findings(again.result.records)
    m_values, m_marks = sheet_cells(merged.output)
    v_values, v_marks = sheet_cells(again.output)
    dose_cols = {c for parts in merged.table.dose_layout.wide.values() for c in parts.values()}
    letters = {openpyxl.utils.get_column_letter(c + 1) for c in dose_cols}

    def on_doses(marks: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        return {ref: m for ref, m in marks.items() if ref.rstrip("0123456789") in letters}

    assert on_doses(m_marks) and on_doses(m_marks) == on_doses(v_marks)
    header_row = merged.table.header_row
    heads = m_values[header_row - 1]
    c = heads.index(STATUS_HEADERS[0])
    assert heads[c:] == [*STATUS_HEADERS, DOSE_STATUS_HEADER, "Ghi chú của thôn"]
    # validate on MERGED rewrites the same block, the note column kept after it
    assert v_values[header_row - 1][c:] == heads[c:]
    assert [r[c + 3] for r in m_values[header_row:]] == [r[c + 3] for r in v_values[header_row:]]
    assert "Đã chuyển đi" in [r[c + 4] for r in m_values[header_row:]]


def test_edit_worklist_lists_the_dose_errors(tmp_path: Path) -> None:
    outcome = edit_list(wide_list(tmp_path / "ds.xlsx"), today=TODAY)
    [dose] = outcome.doses  # the dose a day early; the one on the day itself is right
    assert (dose.source_row, dose.dose, dose.part, dose.current) == (3, 1, "Ngày tiêm",
                                                                      "07/03/2021")
    assert dose.problem.startswith("Mũi 1: ngày tiêm trước 08/03/2021")
    assert (dose.full_name, dose.dob, dose.id_number, dose.hamlet) == (
        "Trần Thị Bình", "31/12/1985", "001185012345", "Thôn 1")
    wb = openpyxl.load_workbook(outcome.output)
    assert wb.sheetnames == [WL.SHEET, WL.DOSE_SHEET]
    ws = wb[WL.DOSE_SHEET]
    head = [c.value for c in ws[WL.HEADER_ROW]]
    assert head == list(WL.DOSE_HEADERS)
    line = [c.value for c in ws[WL.FIRST_ROW]]
    right = head.index(WL.RIGHT_VALUE_HEADER)
    assert line[right] is None and line[-1] == "Chưa" and line[1] == 3
    # staff tick it and write the right date: read back
    ws.cell(WL.FIRST_ROW, right + 1, "07/04/2021")
    ws.cell(WL.FIRST_ROW, len(head), "Có")
    wb.save(tmp_path / "da-sua.xlsx")
    [back] = WL.read_dose_edits(tmp_path / "da-sua.xlsx")
    assert back.done and (back.source_row, back.dose, back.current) == (3, 1, "07/03/2021")


def test_edit_worklist_without_doses_has_no_dose_sheet(tmp_path: Path) -> None:
    src = write_list(tmp_path / "ds.xlsx", WIDE_HEADER[:6],
                     [[1, "Nguyễn Văn An", "05/06/1990", "Nam", "001090123456", "Thôn 1"]])
    outcome = edit_list(src, today=TODAY)
    assert outcome.doses == []
    assert openpyxl.load_workbook(outcome.output).sheetnames == [WL.SHEET]
    assert WL.read_dose_edits(outcome.output) == []
