"""Round trips of the formats export-import and edit-list write: the worklist
(``formats.worklist``) and the import file's report (``formats.import_report``); what a
writer puts in, its reader gives back, also from the commands' real outputs."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import openpyxl
import pytest

from vaxclean_xl.commands.edit_list import edit_list
from vaxclean_xl.commands.export_import import export_import
from vaxclean_xl.core.model import Category
from vaxclean_xl.formats import import_report as R
from vaxclean_xl.formats import worklist as W
from vaxclean_xl.sample import generate_sample
from vaxclean_xl.settings import Settings

TODAY = _dt.date(2024, 5, 1)
SETTINGS = Settings(commune="Xuân Lập", station="Trạm Y tế xã Xuân Lập")


def _recoverable(row: W.WorklistRow) -> tuple:
    """What a worklist says in its cells (colours aside)."""
    return (row.source_row, row.hamlet, row.current, row.corrected, row.problems,
            row.remarks, row.done)


def _worklist_rows() -> list[W.WorklistRow]:
    four = dict.fromkeys(W.EDIT_FIELDS, "")
    return [
        W.WorklistRow(12, "Thôn 2", {**four, "full_name": "nguyen van  a", "dob": "01/02/1990",
                                     "sex": "nam", "id_number": "038090001234"},
                      {**four, "full_name": "Nguyễn Văn A", "dob": "01/02/1990", "sex": "Nam",
                       "id_number": "038090001234"},
                      "Họ tên viết thường.", changed={"full_name"}),
        W.WorklistRow(7, "Thôn 10", {**four, "dob": "31/02/1990", "id_number": "12345"},
                      dict(four), "Ngày sinh không có thật.\nSố CCCD/CMND sai độ dài.",
                      remarks=["Chờ xác minh: Ngày sinh, Số CCCD/CMND.", "Dòng hai."],
                      missing={"dob", "id_number"}, done=True),
    ]


@pytest.mark.parametrize("basis", [W.BASIS_NONE, W.BASIS_BASELINE, W.BASIS_LOG])
def test_worklist_round_trip(tmp_path: Path, basis: str) -> None:
    written = W.Worklist(_worklist_rows(), basis)
    path = tmp_path / "w.xlsx"
    W.write_worklist(path, written, settings=SETTINGS, today=TODAY)
    back = W.read_worklist(path)
    assert back is not None and back.basis == basis
    assert [_recoverable(r) for r in back.rows] == [_recoverable(r) for r in written.rows]


def test_worklist_empty_and_not_a_worklist(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    W.write_worklist(path, W.Worklist([]), settings=SETTINGS, today=TODAY)
    assert W.read_worklist(path) == W.Worklist([], W.BASIS_NONE)
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = W.SHEET
    wb.active["A1"] = "Dòng"
    wb.save(other)
    assert W.read_worklist(other) is None


def test_worklist_written_by_edit_list_reads_back_with_staff_marks(tmp_path: Path) -> None:
    src = tmp_path / "goc.xlsx"
    generate_sample(src, rows=120, seed=3, today=TODAY)
    outcome = edit_list(src, tmp_path / "sua.xlsx", today=TODAY, settings=SETTINGS)
    assert outcome.rows
    wb = openpyxl.load_workbook(outcome.output)
    ws = wb[W.SHEET]
    ws.cell(W.FIRST_ROW, W.DONE_COL + 1).value = "có"  # staff mark the first row done
    wb.save(outcome.output)
    back = W.read_worklist(outcome.output)
    assert back is not None and back.basis == outcome.basis
    assert [r.source_row for r in back.rows] == [r.source_row for r in outcome.rows]
    assert [r.done for r in back.rows] == [True] + [False] * (len(outcome.rows) - 1)
    for got, made in zip(back.rows, outcome.rows, strict=True):
        made.done = got.done
        assert _recoverable(got) == _recoverable(made)


def test_import_report_round_trip(tmp_path: Path) -> None:
    report = R.ImportReport(
        list_name="danh-sach.gop.xlsx", import_name="danh-sach.import.xlsx",
        template="mau-nen-tang.xlsx", sheet="Danh sách (1)", baseline="goc.json",
        not_eligible=[R.NotEligible(14, Category.NO_ID, ("ID001",), "Phạm Thị Dung",
                                    ("Số CCCD/CMND: Thiếu số.",)),
                      R.NotEligible(20, Category.BAD_PERSONAL_INFO, ("DOB002", "SEX001"),
                                    "Đặng Văn Hùng", ("Ngày sinh: sai.", "Giới tính: trống."))],
        out_of_scope=5, empty_columns={"K Nhóm ưu tiên": 3, "M Vắc xin mũi 1": 2},
        warnings=["Mẫu đã có 2 dòng dữ liệu dưới tiêu đề.", "Lưu ý thứ hai."],
        written=[R.WrittenRow(9, 11, "Trần Thị Bình"), R.WrittenRow(10, 12, "Lê Văn Cường")])
    path = tmp_path / "r.baocao.xlsx"
    R.write_import_report(path, report)
    assert R.read_import_report(path) == report


def test_import_report_without_baseline_or_rows(tmp_path: Path) -> None:
    report = R.ImportReport("a.xlsx", "a.import.xlsx", "platform-2021", "Sheet1", "")
    path = tmp_path / "r.xlsx"
    R.write_import_report(path, report)
    assert R.read_import_report(path) == report


def test_import_report_written_by_export_import(tmp_path: Path) -> None:
    src = tmp_path / "goc.xlsx"
    generate_sample(src, rows=120, seed=5, today=TODAY)
    outcome = export_import(src, tmp_path / "goc.import.xlsx", today=TODAY)
    assert outcome.written_rows and outcome.not_eligible
    back = R.read_import_report(outcome.report)
    assert back.list_name == src.name and back.import_name == outcome.output.name
    assert (back.template, back.sheet, back.baseline) == (outcome.spec, outcome.sheet, "")
    assert [(w.row, w.import_row) for w in back.written] == outcome.written_rows
    assert back.not_eligible == outcome.not_eligible
    assert back.warnings == outcome.warnings
    assert back.empty_columns == {outcome.labels[c]: n for c, n in outcome.empty_columns.items()}


def test_import_report_without_rows_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = R.SHEET_WRITTEN
    wb.active["A1"] = "Họ và tên"
    wb.save(path)
    with pytest.raises(R.NotAnImportReport, match="không có cột"):
        R.read_import_report(path)
