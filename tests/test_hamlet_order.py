"""Hamlets are listed in Vietnamese, natural order in every output that lists them: split's
files and manifest, validate's summary sheet, the police list's groups, the progress report
and the edit worklist ("Thôn 2" before "Thôn 10", "Thắng" before "Thượng", "Dưới" before
"Đông"; records without a hamlet last)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from vaxclean_xl.commands.edit_list import edit_list
from vaxclean_xl.commands.police_list import police_list
from vaxclean_xl.commands.progress import progress
from vaxclean_xl.commands.split import split_file
from vaxclean_xl.commands.validate import validate_file
from vaxclean_xl.core.validate import NO_HAMLET
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.annotated_list import SUMMARY_SHEET

TODAY = dt.date(2026, 1, 15)
# In the list in an order that no code-point sort turns into the right one.
LISTED = ["Thôn 10", "Thượng", "", "Thôn 2", "Đông", "Thắng", "Dưới"]
EXPECTED = ["Dưới", "Đông", "Thắng", "Thôn 2", "Thôn 10", "Thượng", NO_HAMLET]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
         "Vũ Thị Giang", "Đặng Văn Hải"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A list whose every record has a wrong date of birth (year only: BAD_PERSONAL_INFO),
    two per hamlet, validated with its report beside it."""
    d = tmp_path_factory.mktemp("hamlet-order")
    src = d / "danh-sach.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Danh sách")
    text = wb.add_format({"num_format": "@"})
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND",
                        "Thôn/Xóm"])
    for i in range(2 * len(LISTED)):
        year = 1950 + i
        sex = "Nam" if i % 2 == 0 else "Nữ"
        digit = "0" if sex == "Nam" else "1"
        ws.write_number(i + 1, 0, i + 1)
        ws.write_string(i + 1, 1, NAMES[i % len(NAMES)])
        ws.write_string(i + 1, 2, str(year), text)
        ws.write_string(i + 1, 3, sex)
        ws.write_string(i + 1, 4, f"001{digit}{year % 100:02d}{i:06d}", text)
        ws.write_string(i + 1, 5, LISTED[i % len(LISTED)])
    wb.close()
    validate_file(src, d / "danh-sach.kiemtra.xlsx", d / "danh-sach.json", today=TODAY)
    return d


def test_split_files_and_manifest_in_order(folder):
    outcome = split_file(folder / "danh-sach.xlsx", folder / "gui-thon", today=TODAY)
    assert [f.hamlet for f in outcome.files] == EXPECTED
    manifest = json.loads(outcome.manifest.read_text("utf-8"))
    assert [h["hamlet"] for h in manifest["hamlets"]] == EXPECTED
    assert manifest["hamlets"][-1]["file"] == "Chua-ro-thon.xlsx"


def test_validate_summary_rows_in_order(folder):
    ws = openpyxl.load_workbook(folder / "danh-sach.kiemtra.xlsx")[SUMMARY_SHEET]
    col_a = [c.value for c in ws["A"]]
    start = col_a.index("Thôn/xóm") + 1
    rows = col_a[start:start + len(EXPECTED)]
    assert rows == EXPECTED
    assert all(ws.cell(start + 1 + i, ws.max_column).value is not None
               for i in range(len(EXPECTED)))


def test_police_list_groups_in_order(folder):
    out = police_list(folder / "danh-sach.xlsx", folder / "cong-an.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(out.output)[P.DATA_SHEET]
    groups = [m.group(1) for c in ws["B"]
              if isinstance(c.value, str)
              and (m := re.fullmatch(r"Thôn/ấp: (.+) \(\d+ người\)", c.value))]
    assert groups == EXPECTED


def test_edit_worklist_rows_in_order(folder):
    out = edit_list(folder / "danh-sach.xlsx", folder / "sua-tay.xlsx", today=TODAY)
    hamlets = [r.hamlet for r in out.rows]
    assert list(dict.fromkeys(hamlets)) == EXPECTED


def test_progress_rows_in_order(folder):
    split_file(folder / "danh-sach.xlsx", folder / "gui-thon", today=TODAY)  # reused
    out = progress([folder], folder / "tien-do.xlsx")
    wb = openpyxl.load_workbook(out.output)
    ws = wb.worksheets[0]
    col_a = [c.value for c in ws["A"]]
    start = col_a.index("Thôn/xóm") + 1  # two header rows
    rows = [v for v in col_a[start:col_a.index("Tổng cộng")] if v is not None]
    assert rows == EXPECTED
