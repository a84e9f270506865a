"""A signature block under a list without a "Tổng cộng" row ends the list (issue 9, item 4).

Every workbook is written here as staff lay them out: a title block, a header, records, a
blank row, then the signers' block (titles, "(Ký, ghi rõ họ tên)", the date line, names),
with words of the block falling in the ID, date or sex columns, in merged cells, and as
.xls converted by LibreOffice. No mocks.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter

from tests.conftest import soffice_convert
from vaxclean_xl.cli import main
from vaxclean_xl.io.reader import read_table

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"]
# columns: A STT, B name, C date of birth, D sex, E ID number, F hamlet
PEOPLE = [
    [1, "Nguyễn Văn Phúc", dt.datetime(1990, 1, 1), "Nam", "001090001001", "Thôn Đông"],
    [2, "Trần Thị Quý", dt.datetime(1991, 2, 2), "Nữ", "001191001002", "Thôn Đông"],
    [3, "Lê Văn Sơn", "12/03/1970", "Nam", "Không có", "Thôn Tây"],
    [4, "Đinh Thị Uyên", dt.datetime(1993, 3, 3), "Nữ", "001193001004", "Thôn Tây"],
]
FIRST = 7  # Excel row of the first record (title block rows 1-4, header row 6)
RECORD_ROWS = [FIRST + i for i in range(len(PEOPLE))]


def _workbook(path: Path, block: list[tuple[int, list]], *,
              merged: list[tuple[int, int, int, str]] = (),
              extra_people: list[list] = ()) -> Path:
    """The list with ``block`` rows (offset from the row after the last record) under it;
    ``merged`` = (row offset, first col, last col, text) merged cells of the block."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:C1", "SỞ Y TẾ TỈNH BẮC NINH")
    ws.merge_range("D1:F1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.merge_range("A2:C2", "TRẠM Y TẾ XÃ TÂN LẬP")
    ws.merge_range("D2:F2", "Độc lập - Tự do - Hạnh phúc")
    ws.merge_range("A4:F4", "DANH SÁCH ĐỐI TƯỢNG TIÊM VẮC XIN PHÒNG COVID-19")
    ws.write_row(5, 0, HEADER)
    people = [*PEOPLE, *extra_people]
    for r, values in enumerate(people, start=FIRST - 1):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, date)
            elif value is not None:
                ws.write(r, c, value)
    after = FIRST - 1 + len(people)  # 0-based row just under the last record
    for offset, values in block:
        for c, value in enumerate(values):
            if value is not None:
                ws.write(after + offset, c, value)
    for offset, c1, c2, text in merged:
        ws.merge_range(after + offset, c1, after + offset, c2, text)
    wb.close()
    return path


# a blank row (offset 0), then the block; no "Tổng cộng" row anywhere
TITLES_IN_ID_COLUMN = [
    (1, [None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG TRẠM", None]),
    (2, [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)", None]),
    (5, [None, "Nguyễn Thị Lập", None, None, "Trần Văn Trưởng", None]),
]
DATE_LINE_IN_ID_COLUMN = [
    (1, [None, None, None, None, "Tân Lập, ngày 10 tháng 3 năm 2022", None]),
    (2, [None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG TRẠM", None]),
    (3, [None, "(Ký, ghi rõ họ tên)", None, None, "(ký tên, đóng dấu)", None]),
    (6, [None, "Nguyễn Thị Lập", None, None, "Trần Văn Trưởng", None]),
]
BLANK_DATE_LINE_IN_DOB_COLUMN = [
    (1, [None, None, "Ngày …… tháng …… năm ……", None, None, None]),
    (2, [None, "Người lập", "Thủ trưởng đơn vị", None, None, None]),
    (5, [None, "Phạm Văn Người", "Đào Thị Thủ", "Nữ", None, None]),
]
# four titles across the row (more than the three cells a lone title row may hold)
WIDE_TITLE_ROW = [
    (1, ["NGƯỜI LẬP BIỂU", None, "KẾ TOÁN", "XÁC NHẬN", "TRƯỞNG TRẠM", "THỦ TRƯỞNG ĐƠN VỊ"]),
    (4, ["Nguyễn Thị Lập", None, "Hà Thị Toán", "Nam", "Trần Văn Trưởng", "Thôn Đông"]),
]
# merged cells: the title over A:C (STT, name, date), the other over E:F (ID, hamlet)
MERGED = [(1, 0, 2, "NGƯỜI LẬP BIỂU"), (1, 4, 5, "TRƯỞNG TRẠM"),
          (2, 0, 2, "(Ký, ghi rõ họ tên)"), (2, 4, 5, "(Ký, ghi rõ họ tên)"),
          (5, 0, 2, "Nguyễn Thị Lập"), (5, 4, 5, "Trần Văn Trưởng")]


@pytest.mark.parametrize("block", [TITLES_IN_ID_COLUMN, DATE_LINE_IN_ID_COLUMN,
                                   BLANK_DATE_LINE_IN_DOB_COLUMN, WIDE_TITLE_ROW],
                         ids=["titles-in-id", "date-line-in-id", "date-line-in-dob", "wide"])
def test_signature_block_ends_the_list(tmp_path: Path, block) -> None:
    table = read_table(_workbook(tmp_path / "ds.xlsx", block))
    assert [n for n, _ in table.rows] == RECORD_ROWS
    assert table.last_data_row == RECORD_ROWS[-1]


def test_merged_signature_block_ends_the_list(tmp_path: Path) -> None:
    table = read_table(_workbook(tmp_path / "ds.xlsx", [], merged=MERGED))
    assert [n for n, _ in table.rows] == RECORD_ROWS


def test_merged_signature_block_in_xls(tmp_path: Path) -> None:
    xls = soffice_convert(_workbook(tmp_path / "ds.xlsx", TITLES_IN_ID_COLUMN, merged=[
        (7, 0, 2, "Tân Lập, ngày 10 tháng 3 năm 2022")]), "xls", tmp_path / "xls",
        timeout=180)
    table = read_table(xls)
    assert table.source_format == "xls"
    assert [n for n, _ in table.rows] == RECORD_ROWS


def test_people_whose_cells_look_like_titles_stay_records(tmp_path: Path) -> None:
    """A real record has a date of birth, an ID number or a sex: never a signature row."""
    look_alikes = [
        [5, "Trưởng Văn Trạm", dt.datetime(1950, 5, 5), "Nam", "Xác nhận sau", "Thôn Tây"],
        [6, "Người Lập", None, "Nữ", "Chưa có", "Thôn Tây"],
        [7, "Ngô Thị Ký", "01/01/1962", None, "(Ký tên)", "Thôn Tây"],
    ]
    table = read_table(_workbook(tmp_path / "ds.xlsx", TITLES_IN_ID_COLUMN,
                                 extra_people=look_alikes))
    rows = RECORD_ROWS + [RECORD_ROWS[-1] + i for i in (1, 2, 3)]
    assert [n for n, _ in table.rows] == rows
    assert [row[1] for _, row in table.rows[-3:]] == [
        "Trưởng Văn Trạm", "Người Lập", "Ngô Thị Ký"]


def test_split_sends_no_signer_to_an_unknown_hamlet(tmp_path: Path, capsys) -> None:
    src = _workbook(tmp_path / "ds.xlsx", DATE_LINE_IN_ID_COLUMN)
    out = tmp_path / "thon"
    assert main(["split", str(src), "-d", str(out), "--all"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "Thon-Dong.xlsx", "Thon-Tay.xlsx", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert sorted(r["row"] for h in manifest["hamlets"] for r in h["records"]) == RECORD_ROWS


def test_validate_counts_only_people(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "ds.xlsx", TITLES_IN_ID_COLUMN, merged=MERGED[2:4])
    report = tmp_path / "r.json"
    main(["validate", str(src), "-o", str(tmp_path / "out.xlsx"), "--json", str(report)])
    data = json.loads(report.read_text("utf-8"))
    assert len(data["records"]) == len(PEOPLE)
