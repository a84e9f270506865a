"""Reader tests: every fixture is a real file written here (XlsxWriter, openpyxl, csv) or an
.xls/.ods converted by LibreOffice headless; no mocks."""

from __future__ import annotations

import csv
import datetime as dt
import os
import unicodedata
from pathlib import Path

import pytest
import xlsxwriter

from tests.conftest import soffice_convert as _soffice_convert
from vaxclean_xl.errors import InputError
from vaxclean_xl.io.reader import (
    Table,
    column_index,
    column_letter,
    is_numbering_token,
    match_header,
    read_table,
)
from vaxclean_xl.io.reader import fonts as reader_fonts

DATE = {"num_format": "dd/mm/yyyy"}


# --------------------------------------------------------------------------- helpers


def soffice_convert(src: Path, fmt: str) -> Path:
    """Convert with LibreOffice headless; skip if missing (fail on CI)."""
    return _soffice_convert(src, fmt, src.parent / f"conv-{fmt}", timeout=180)


def record_rows(table: Table) -> list[int]:
    return [number for number, _ in table.rows]


def cell(table: Table, number: int, fld: str):
    row = dict(table.rows)[number]
    return row[table.columns[fld]]


def write_rows(ws, first_row: int, rows: list[list], date_fmt=None, first_col: int = 0) -> None:
    """Write values (0-based first_row); datetimes get a date format."""
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(first_row + r, first_col + c, value, date_fmt)
            else:
                ws.write(first_row + r, first_col + c, value)


# --------------------------------------------------------------------------- layouts


def make_plain(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    fmt = wb.add_format(DATE)
    write_rows(
        ws,
        0,
        [
            ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại",
             "Thôn/Xóm", "Số thẻ BHYT", "Ngày tiêm"],
            [1, "Nguyễn Văn An", dt.datetime(1990, 5, 1), "Nam", 1090012345, "0912345678",
             "Thôn 1", "HC4010012345678", dt.datetime(2021, 9, 1)],
            [2, "Trần Thị Bình", dt.datetime(1985, 12, 31), "Nữ", "001185012345", "0987654321",
             "Thôn 2", "", dt.datetime(2021, 9, 2)],
            [3, "Lê Văn Cường", "12/03/1970", "Nam", 36070001234.0, "", "Thôn 3", "", ""],
        ],
        fmt,
    )
    wb.close()
    return path


def make_official(path: Path) -> Path:
    """Title block, merged title, header in row 6 (with newlines), numbering row 7."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách")
    fmt = wb.add_format(DATE)
    ws.merge_range("A1:C1", "SỞ Y TẾ TỈNH BẮC NINH")
    ws.merge_range("E1:I1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.merge_range("A2:C2", "TRẠM Y TẾ XÃ TÂN LẬP")
    ws.merge_range("E2:I2", "Độc lập - Tự do - Hạnh phúc")
    ws.merge_range("A4:I4", "DANH SÁCH ĐỐI TƯỢNG TIÊM VẮC XIN PHÒNG COVID-19")
    write_rows(
        ws,
        5,
        [
            ["STT", "Họ và tên\n(*)", "Ngày tháng\nnăm sinh", "Giới\ntính", "Số CMND/\nCCCD",
             "Số điện thoại", "Nơi ở hiện tại", "Ngày tiêm", "Ghi chú"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"],
            [1, "Phạm Thị Dung", dt.datetime(2001, 1, 2), "Nữ", "027301000111", "0911000111",
             "Thôn Đông", dt.datetime(2021, 10, 1), ""],
            [2, "Hoàng Văn Em", dt.datetime(1960, 6, 7), "Nam", "027060000222", "", "Thôn Tây",
             dt.datetime(2021, 10, 1), "Đã tiêm"],
            [3, "Vũ Thị Giang", dt.datetime(1999, 9, 9), "Nữ", "", "0933000333", "Thôn Nam",
             dt.datetime(2021, 10, 2), ""],
        ],
        fmt,
    )
    wb.close()
    return path


def make_platform(path: Path) -> Path:
    """Two-row merged header like the national platform template (rows 7-8, data row 9)."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Mẫu nhập")
    ws.merge_range("A1:N1", "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG VẮC XIN PHÒNG COVID-19")
    ws.write("A3", "Đơn vị: Trạm Y tế xã Tân Lập")
    vertical = [
        "STT", "Họ và tên (*)", "Ngày sinh dạng dd/mm/yyyy (*)",
        "Giới tính (*) (0:nam, 1:nữ)", "Số điện thoại(*) (Tối thiểu 10 số)",
        "Số CMT/CCCD (Loại 8/9/12 số)", "Mã nhóm đối tượng ưu tiên", "Số thẻ BHYT",
    ]
    for c, text in enumerate(vertical):
        ws.merge_range(6, c, 7, c, text)
    ws.merge_range(6, 8, 6, 12, "Nơi ở tạm trú (hiện tại)")
    sub = ["Mã Tỉnh/Thành phố", "Tỉnh/Thành phố", "Mã Xã/Phường", "Xã/Phường",
           "Địa chỉ chi tiết"]
    for c, text in enumerate(sub, start=8):
        ws.write(7, c, text)
    ws.merge_range(6, 13, 7, 13, "Ngày tiêm")
    write_rows(
        ws,
        8,
        [
            [1, "Đỗ Văn Hải", "01/02/1980", 0, "0912000444", 27080000444, 5, "", "27",
             "Bắc Ninh", "09319", "Xã Tân Lập", "Thôn 1", "01/10/2021"],
            [2, "Ngô Thị Hoa", "15/08/1992", 1, "0912000555", 27192000555, 7, "", "27",
             "Bắc Ninh", "09319", "Xã Tân Lập", "Thôn 2", "01/10/2021"],
        ],
    )
    wb.close()
    return path


def make_offset_hidden(path: Path) -> Path:
    """Column A empty, header in row 3 from column B, column D hidden."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    fmt = wb.add_format(DATE)
    ws.set_column("D:D", None, None, {"hidden": True})
    write_rows(
        ws,
        2,
        [
            ["Họ tên", "Ngày sinh", "Số CCCD", "Giới tính", "SĐT"],
            ["Bùi Văn Khoa", dt.datetime(1975, 3, 4), "001075000666", "Nam", "0900000666"],
            ["Mai Thị Lan", dt.datetime(1988, 7, 8), "001188000777", "Nữ", ""],
        ],
        fmt,
        first_col=1,
    )
    wb.close()
    return path


def make_ascii_upper(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    write_rows(
        ws,
        1,
        [
            ["TT", "HO VA TEN", "NGAY SINH", "GIOI TINH", "SO CCCD", "DIA CHI", "SO THE BHYT"],
            [1, "Nguyen Van Minh", "02/02/1990", "NAM", "001090000888", "Xom 3", "GD4"],
            [2, "Tran Thi Nga", "03/03/1991", "NU", "001191000999", "Xom 4", ""],
        ],
    )
    wb.close()
    return path


def make_footer(path: Path) -> Path:
    """Blank rows inside, a record without name, a total row and a signature block."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    fmt = wb.add_format(DATE)
    rows: dict[int, list] = {
        1: ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn"],
        2: [1, "Nguyễn Văn Phúc", dt.datetime(1990, 1, 1), "Nam", "001090001001", "Thôn 1"],
        3: [2, "Trần Thị Quý", dt.datetime(1991, 2, 2), "Nữ", "001191001002", "Thôn 1"],
        # 4: empty row inside the list
        5: [3, "Tống Văn Sơn", None, None, None, "Thôn 2"],  # name only: still a record
        6: [4, "", None, "Nam", "001092001004", "Thôn 2"],  # no name but an ID: a record
        7: [5, None, None, None, None, "Thôn 3"],  # only the hamlet: not a record
        # 8: empty
        9: [6, "Đinh Thị Uyên", dt.datetime(1993, 3, 3), "Nữ", "", "Thôn 3"],
        10: ["Tổng cộng: 6 người", None, None, None, None, None],
        # 11: empty
        12: [None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG TRẠM", None],
        13: [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)", None],
        16: [None, "Nguyễn Thị Lập", None, None, "Trần Văn Trưởng", None],
    }
    for number, values in rows.items():
        write_rows(ws, number - 1, [values], fmt)
    wb.close()
    return path


# --------------------------------------------------------------------------- layout tests


def test_plain_header_row_1(tmp_path: Path) -> None:
    table = read_table(make_plain(tmp_path / "plain.xlsx"))
    assert table.source_format == "xlsx"
    assert table.sheet == "DS"
    assert (table.header_row, table.first_data_row, table.last_data_row) == (1, 2, 4)
    assert table.columns == {
        "full_name": 1, "dob": 2, "sex": 3, "id_number": 4, "phone": 5, "hamlet": 6,
        "insurance_number": 7,
    }
    assert table.headers[0] == "STT" and table.headers[8] == "Ngày tiêm"
    assert record_rows(table) == [2, 3, 4]
    assert table.max_col == 8
    assert all(len(row) == 9 for _, row in table.rows)
    assert cell(table, 2, "full_name") == "Nguyễn Văn An"
    assert cell(table, 2, "dob") in (dt.date(1990, 5, 1), dt.datetime(1990, 5, 1))
    assert cell(table, 4, "dob") == "12/03/1970"
    # IDs stored as numbers come back as numbers (the normaliser turns them into digits).
    ident = cell(table, 2, "id_number")
    assert isinstance(ident, int | float) and ident == 1090012345
    assert cell(table, 3, "id_number") == "001185012345"
    assert cell(table, 4, "id_number") == 36070001234
    assert table.name_fonts == {}


def test_official_layout_title_block_and_numbering_row(tmp_path: Path) -> None:
    table = read_table(make_official(tmp_path / "official.xlsx"))
    assert table.header_row == 6
    assert table.first_data_row == 8  # the "(1) (2) …" row is skipped
    assert record_rows(table) == [8, 9, 10]
    assert table.columns == {
        "full_name": 1, "dob": 2, "sex": 3, "id_number": 4, "phone": 5, "address": 6,
    }
    assert "dob" not in {f for f, c in table.columns.items() if c == 7}  # "Ngày tiêm"
    assert table.headers[2] == "Ngày tháng\nnăm sinh"
    assert cell(table, 10, "id_number") == ""


def test_platform_two_row_merged_header(tmp_path: Path) -> None:
    table = read_table(make_platform(tmp_path / "platform.xlsx"))
    assert table.header_row == 8
    assert table.first_data_row == 9
    assert record_rows(table) == [9, 10]
    assert table.columns == {
        "full_name": 1, "dob": 2, "sex": 3, "id_number": 5, "phone": 4, "address": 12,
        "insurance_number": 7, "priority_group": 6, "ward": 11, "province": 9,
    }
    # Upper texts for vertically merged columns, lower texts under the group cell.
    assert table.headers[1] == "Họ và tên (*)"
    assert table.headers[8] == "Mã Tỉnh/Thành phố"
    assert table.headers[13] == "Ngày tiêm"
    assert cell(table, 9, "sex") == 0 and cell(table, 10, "sex") == 1
    assert cell(table, 9, "id_number") == 27080000444


def make_platform_codes(path: Path) -> Path:
    """Group cell over code-only sub-headers: the header is still the lower row."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    for c, text in enumerate(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"]):
        ws.merge_range(3, c, 4, c, text)
    ws.merge_range(3, 5, 3, 7, "Nơi ở tạm trú (hiện tại)")
    ws.write_row(4, 5, ["Mã Tỉnh/Thành phố", "Mã Quận/Huyện", "Mã Xã/Phường"])
    ws.write_row(5, 0, [1, "Đỗ Văn Hải", "01/02/1980", 0, "027080000444", "27", "256", "09319"])
    wb.close()
    return path


def test_group_over_code_columns(tmp_path: Path) -> None:
    table = read_table(make_platform_codes(tmp_path / "codes.xlsx"))
    assert (table.header_row, record_rows(table)) == (5, [6])
    assert table.columns == {"full_name": 1, "dob": 2, "sex": 3, "id_number": 4}
    assert table.headers[5] == "Mã Tỉnh/Thành phố"


def test_group_over_code_columns_ods_without_merge_info(tmp_path: Path) -> None:
    ods = soffice_convert(make_platform_codes(tmp_path / "codes.xlsx"), "ods")
    table = read_table(ods)
    assert (table.header_row, record_rows(table)) == (5, [6])
    assert "address" not in table.columns


def test_two_row_header_in_csv(tmp_path: Path) -> None:
    rows = [
        ["STT", "Họ và tên", "Ngày sinh", "Nơi ở hiện tại", "", ""],
        ["", "", "", "Tỉnh/Thành phố", "Xã/Phường", "Thôn/Xóm"],
        ["1", "Lưu Văn Tài", "01/01/1990", "Bắc Ninh", "Tân Lập", "Thôn 1"],
    ]
    table = read_table(write_csv(tmp_path / "two.csv", ",", "utf-8", rows))
    assert (table.header_row, record_rows(table)) == (2, [3])
    assert table.columns == {
        "full_name": 1, "dob": 2, "hamlet": 5, "ward": 4, "province": 3,
    }


def test_empty_column_a_and_hidden_column(tmp_path: Path) -> None:
    table = read_table(make_offset_hidden(tmp_path / "offset.xlsx"))
    assert table.header_row == 3
    assert record_rows(table) == [4, 5]
    assert table.columns == {"full_name": 1, "dob": 2, "id_number": 3, "sex": 4, "phone": 5}
    assert table.max_col == 5
    number, row = table.rows[0]
    assert len(row) == 6 and row[0] == "" and row[1] == "Bùi Văn Khoa"
    assert row[3] == "001075000666"  # the hidden column is read
    assert table.headers == {1: "Họ tên", 2: "Ngày sinh", 3: "Số CCCD", 4: "Giới tính", 5: "SĐT"}


def test_used_range_starting_at_c5_keeps_excel_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "c5.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(
        ws,
        4,
        [["Họ và tên", "Ngày sinh", "CCCD"], [], ["Hồ Văn Thắng", "01/01/1990", "001"]],
        first_col=2,
    )
    wb.close()
    table = read_table(path)
    assert (table.header_row, table.first_data_row, table.last_data_row) == (5, 7, 7)
    assert table.columns == {"full_name": 2, "dob": 3, "id_number": 4}
    assert table.max_col == 4
    assert table.rows == [(7, ["", "", "Hồ Văn Thắng", "01/01/1990", "001"])]


def test_header_without_diacritics_upper_case(tmp_path: Path) -> None:
    table = read_table(make_ascii_upper(tmp_path / "ascii.xlsx"))
    assert table.header_row == 2
    assert record_rows(table) == [3, 4]
    assert table.columns == {
        "full_name": 1, "dob": 2, "sex": 3, "id_number": 4, "address": 5,
        "insurance_number": 6,
    }


def test_blank_rows_total_row_and_signature_block(tmp_path: Path) -> None:
    table = read_table(make_footer(tmp_path / "footer.xlsx"))
    assert record_rows(table) == [2, 3, 5, 6, 9]
    assert (table.first_data_row, table.last_data_row) == (2, 9)
    assert cell(table, 6, "full_name") == ""
    assert cell(table, 5, "full_name") == "Tống Văn Sơn"


def test_signature_without_total_row(tmp_path: Path) -> None:
    path = tmp_path / "sig.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        ["Họ và tên", "Năm sinh", "Giới", "CCCD"],
        ["Lý Văn Tâm", 1970, "Nam", "001070002001"],
        ["Cao Thị Thu", 1980, "Nữ", "001180002002"],
        [None, None, "Tân Lập, ngày 10 tháng 3 năm 2022", None],
        [None, "Trạm trưởng", None, None],
        [None, "Hà Văn Trạm", None, None],
    ])
    wb.close()
    table = read_table(path)
    assert record_rows(table) == [2, 3]


def test_lone_name_after_two_blank_rows_is_footer(tmp_path: Path) -> None:
    path = tmp_path / "gap.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        ["Họ và tên", "Ngày sinh", "Số CCCD", "Số điện thoại"],
        ["Lý Văn Tâm", "01/01/1970", "001070002001", "0911111111"],
        ["Cao Thị Thu", "", "", "0922222222"],  # name + phone: a record
        [],
        [],
        ["Hà Văn Ký", None, None, None],  # lone name after 2 blank rows: the signer
        ["Cao Văn Sau", "02/02/1972", "001072002009", ""],
    ])
    wb.close()
    table = read_table(path)
    assert record_rows(table) == [2, 3]


def test_job_or_place_names_do_not_end_the_list(tmp_path: Path) -> None:
    path = tmp_path / "jobs.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        ["Thôn", "Họ và tên", "Ngày sinh", "Số CCCD", "Nghề nghiệp"],
        ["Cộng Hòa", "Lý Văn Tâm", "01/01/1970", "001070002001", "Nông dân"],
        ["Cộng Hòa", "Cao Thị Thu", "", "", "Kế toán"],  # no dob/ID: still a record
        ["Tổng Hợp", "", "", "", "Nông dân"],  # not a record, not a total row
        ["Đông", "Hà Văn Giám", "02/02/1972", "001072002009", "Trưởng trạm"],
    ])
    wb.close()
    assert record_rows(read_table(path)) == [2, 3, 5]


def test_repeated_header_row_is_not_a_record(tmp_path: Path) -> None:
    path = tmp_path / "repeat.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        ["Họ và tên", "Ngày sinh", "Số CCCD"],
        ["Lý Văn Tâm", "01/01/1970", "001070002001"],
        ["Họ và tên", "Ngày sinh", "Số CCCD"],
        ["Cao Thị Thu", "02/02/1971", "001171002002"],
    ])
    wb.close()
    assert record_rows(read_table(path)) == [2, 4]


def test_sheet_choice_skips_sheets_without_header_and_hidden(tmp_path: Path) -> None:
    path = tmp_path / "multi.xlsx"
    wb = xlsxwriter.Workbook(path)
    guide = wb.add_worksheet("Hướng dẫn")
    guide.write("A1", "Nhập mỗi người một dòng; Họ và tên viết có dấu.")
    hidden = wb.add_worksheet("Ẩn")
    write_rows(hidden, 0, [["Họ và tên", "Ngày sinh", "Giới tính", "CCCD", "SĐT", "Thôn"],
                           ["X", "01/01/2000", "Nam", "1", "2", "3"]])
    hidden.hide()
    few = wb.add_worksheet("Ít cột")
    write_rows(few, 0, [["Họ và tên", "Giới tính"], ["Lâm Văn A", "Nam"]])
    main = wb.add_worksheet("Danh sách")
    write_rows(main, 0, [["Họ và tên", "Ngày sinh", "Giới tính", "CCCD"],
                         ["Lâm Văn B", "01/01/2000", "Nam", "001200000001"]])
    wb.close()
    table = read_table(path)
    assert table.sheet == "Danh sách"
    assert read_table(path, sheet="Ít cột").columns == {"full_name": 0, "sex": 1}
    assert read_table(path, sheet="Ẩn").sheet == "Ẩn"  # explicit choice may be hidden


# --------------------------------------------------------------------------- .xls / .ods


def test_xls_converted_by_libreoffice(tmp_path: Path) -> None:
    xls = soffice_convert(make_official(tmp_path / "official.xlsx"), "xls")
    table = read_table(xls)
    assert table.source_format == "xls"
    assert (table.header_row, table.first_data_row) == (6, 8)
    assert record_rows(table) == [8, 9, 10]
    assert cell(table, 8, "full_name") == "Phạm Thị Dung"
    assert table.name_fonts == {}


def test_xls_two_row_header_and_footer(tmp_path: Path) -> None:
    platform = read_table(soffice_convert(make_platform(tmp_path / "platform.xlsx"), "xls"))
    assert (platform.header_row, record_rows(platform)) == (8, [9, 10])
    assert platform.columns["province"] == 9
    footer = read_table(soffice_convert(make_footer(tmp_path / "footer.xlsx"), "xls"))
    assert record_rows(footer) == [2, 3, 5, 6, 9]


def test_ods_converted_by_libreoffice(tmp_path: Path) -> None:
    ods = soffice_convert(make_platform(tmp_path / "platform.xlsx"), "ods")
    table = read_table(ods)
    assert table.source_format == "ods"
    assert (table.header_row, record_rows(table)) == (8, [9, 10])


def test_misnamed_xlsx_content_with_xls_suffix(tmp_path: Path) -> None:
    real = make_plain(tmp_path / "plain.xlsx")
    fake = tmp_path / "plain.xls"
    fake.write_bytes(real.read_bytes())
    table = read_table(fake)
    assert table.source_format == "xlsx"
    assert record_rows(table) == [2, 3, 4]


# --------------------------------------------------------------------------- csv

CSV_ROWS = [
    ["DANH SÁCH NGƯỜI TIÊM"],
    [],
    ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Địa chỉ"],
    ["1", "Nguyễn Văn Phước", "01/01/1990", "Nam", "001090003001", "Thôn 1, xã Tân Lập"],
    ["2", "Trần Thị Hồng", "02/02/1991", "Nữ", "001191003002", "Thôn 2, xã Tân Lập"],
]


def write_csv(path: Path, delimiter: str, encoding: str, rows=CSV_ROWS) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8-sig"), (",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8")],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, delimiter: str, encoding: str) -> None:
    table = read_table(write_csv(tmp_path / "ds.csv", delimiter, encoding))
    assert table.source_format == "csv"
    assert table.header_row == 3
    assert record_rows(table) == [4, 5]
    assert table.columns == {"full_name": 1, "dob": 2, "sex": 3, "id_number": 4, "address": 5}
    assert cell(table, 4, "full_name") == "Nguyễn Văn Phước"
    assert cell(table, 4, "address") == "Thôn 1, xã Tân Lập"
    assert cell(table, 5, "id_number") == "001191003002"  # csv cells stay text


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed vowels, combining tone marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        rest = []
        for mark in marks:
            combined = unicodedata.normalize("NFC", base + mark)
            try:
                combined.encode("cp1258")
                base = combined
            except UnicodeEncodeError:
                rest.append(mark)
        out.append((base + "".join(rest)).encode("cp1258"))
    return b"".join(out)


def test_csv_cp1258_is_decoded_and_nfc(tmp_path: Path) -> None:
    text = "Họ và tên;Ngày sinh;Số CCCD\r\nNguyễn Thị Diệp;01/01/1990;001190004001\r\n"
    path = tmp_path / "cp1258.csv"
    path.write_bytes(_cp1258(text))
    table = read_table(path)
    assert cell(table, 2, "full_name") == "Nguyễn Thị Diệp"
    assert unicodedata.is_normalized("NFC", cell(table, 2, "full_name"))


def test_nfd_strings_in_xlsx_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "nfd.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        [unicodedata.normalize("NFD", "Họ và tên"), "Ngày sinh", "CCCD"],
        [unicodedata.normalize("NFD", "Đặng Thị Ngọc"), "01/01/1990", "001190005001"],
    ])
    wb.close()
    table = read_table(path)
    assert cell(table, 2, "full_name") == "Đặng Thị Ngọc"
    assert table.headers[0] == "Họ và tên"


# --------------------------------------------------------------------------- mapping


def make_unusual(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [
        ["DANH SÁCH"],
        ["Số TT", "Người được tiêm", "NS", "Mã số", "Điện thoại", "ĐT nhà"],
        [1, "Kiều Văn Lợi", "01/01/1980", "001080006001", "0911000001", "0241000001"],
        [2, "Kiều Thị Mận", "02/02/1982", "001182006002", "0911000002", ""],
    ])
    wb.close()
    return path


def test_mapping_by_header_text_when_detection_fails(tmp_path: Path) -> None:
    path = make_unusual(tmp_path / "unusual.xlsx")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.code == "E106"
    table = read_table(path, mapping={"full_name": "Người được tiêm", "id_number": "Mã số"})
    assert table.header_row == 2
    assert record_rows(table) == [3, 4]
    assert table.columns["full_name"] == 1 and table.columns["id_number"] == 3
    assert table.columns["dob"] == 2 and table.columns["phone"] == 4


def test_mapping_by_letter_and_override(tmp_path: Path) -> None:
    path = make_unusual(tmp_path / "unusual.xlsx")
    table = read_table(path, mapping={"full_name": "B", "id_number": "d", "phone": "F"})
    assert table.header_row == 2  # first row with text in column B
    assert table.columns["phone"] == 5  # overrides the detected "Điện thoại"
    assert record_rows(table) == [3, 4]
    plain = read_table(make_plain(tmp_path / "plain.xlsx"), mapping={"phone": "Thôn/Xóm"})
    assert plain.columns["phone"] == 6 and "hamlet" not in plain.columns


def test_mapping_errors(tmp_path: Path) -> None:
    path = make_plain(tmp_path / "plain.xlsx")
    with pytest.raises(InputError) as info:
        read_table(path, mapping={"ten": "B"})
    assert info.value.code == "E108"
    with pytest.raises(InputError) as info:
        read_table(path, mapping={"phone": "ZZ"})
    assert info.value.code == "E108" and "ZZ" in info.value.message
    with pytest.raises(InputError) as info:
        read_table(path, mapping={"phone": "Cột không có"})
    assert info.value.code == "E108"


# --------------------------------------------------------------------------- fonts


@pytest.mark.parametrize("block", [1 << 22, 777, 300, 333, 500])  # one block; rows cut
def test_legacy_font_fills_name_fonts(tmp_path: Path, block: int,  # across many blocks
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_fonts, "FONT_SCAN_BLOCK", block)
    path = tmp_path / "tcvn3.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    vn = wb.add_format({"font_name": ".VnTime"})
    ws.write_row(0, 0, ["Hä vµ tªn", "Ngµy sinh", "Sè CCCD"], vn)
    ws.write(1, 0, "NguyÔn V¨n An", vn)
    ws.write(1, 1, "01/01/1990")
    ws.write(1, 2, "001190007001")
    ws.write(2, 0, "Trần Văn Bình")  # default font (Calibri): Unicode
    ws.write(2, 1, "02/02/1991")
    ws.write(3, 0, "Hµ V¨n Lª")  # 8-bit text in the default font (Calibri)
    ws.write(3, 1, "03/03/1992")
    # every other row (Excel writes no empty row: row numbers jump), enough for several
    # blocks of the streamed sheet XML; manual page breaks (<rowBreaks> after the rows)
    for r in range(4, 4000, 2):
        legacy = r % 100 == 0
        ws.write(r, 0, "NguyÔn V¨n An" if legacy else "Lê Thị Hoa" + " x" * 40,
                 vn if r % 200 == 0 else None)
        ws.write(r, 1, "04/04/1993")
    ws.set_h_pagebreaks([3, 1000, 2000])
    wb.close()
    # The TCVN3 header cannot be recognised: map the columns by letter.
    table = read_table(path, mapping={"full_name": "A", "dob": "B", "id_number": "C"})
    assert table.header_row == 1
    assert record_rows(table)[:3] == [2, 3, 4]
    # Only names that may be 8-bit legacy text get their font looked up: a Unicode name
    # ("ầ", "ă" cannot be 8-bit) does not need one, wherever it is in the sheet.
    expected = {2: ".VnTime", 4: "Calibri"}
    expected |= {r + 1: ".VnTime" if r % 200 == 0 else "Calibri" for r in range(100, 4000, 100)}
    assert table.name_fonts == expected


def test_no_name_fonts_without_legacy_font(tmp_path: Path) -> None:
    assert read_table(make_official(tmp_path / "o.xlsx")).name_fonts == {}


# --------------------------------------------------------------------------- errors


def _error(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        read_table(path, **kwargs)
    err = info.value
    assert "Traceback" not in err.message and "\n" not in err.message
    return err


def test_error_missing_file(tmp_path: Path) -> None:
    err = _error(tmp_path / "khong-co.xlsx")
    assert err.code == "E101" and "Không tìm thấy tệp" in err.message


def test_error_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "ds.txt"
    path.write_text("Họ và tên\tNgày sinh\n", encoding="utf-8")
    err = _error(path)
    assert err.code == "E102" and "không được hỗ trợ" in err.message


def test_error_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    assert _error(path).code == "E103"
    garbage = tmp_path / "rac.xlsx"
    garbage.write_bytes(os.urandom(3000).replace(b"\xd0", b"\x00"))
    err = _error(garbage)
    assert err.code == "E103" and "bị hỏng" in err.message
    real = make_plain(tmp_path / "plain.xlsx").read_bytes()
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(real[: len(real) // 2])
    assert _error(truncated).code == "E103"


def test_error_html_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><table><tr><td>Họ và tên</td></tr></table></html>", "utf-8")
    assert _error(path).code == "E102"


def test_error_password_protected(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_plain(tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("matkhau", out)
    err = _error(locked)
    assert err.code == "E104" and "mật khẩu" in err.message
    assert "matkhau" not in err.message


def test_error_empty_workbook_and_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Trống")
    wb.close()
    err = _error(path)
    assert err.code == "E105" and "không có dữ liệu" in err.message
    zero = tmp_path / "zero.csv"
    zero.write_bytes(b"")
    assert _error(zero).code == "E105"
    blank_csv = tmp_path / "blank.csv"
    blank_csv.write_text(";;\n;;\n", "utf-8")
    assert _error(blank_csv).code == "E105"


def test_error_no_header(tmp_path: Path) -> None:
    path = tmp_path / "noheader.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    write_rows(ws, 0, [["Tên vắc xin", "Lô", "Ngày tiêm"], ["AstraZeneca", "A1", "01/10/2021"]])
    wb.close()
    err = _error(path)
    assert err.code == "E106"
    assert "Họ và tên" in err.message and "Ngày sinh" in err.message
    assert "AstraZeneca" not in err.message


def test_error_sheet_not_found(tmp_path: Path) -> None:
    err = _error(make_plain(tmp_path / "plain.xlsx"), sheet="Không có")
    assert err.code == "E107" and "«DS»" in err.message


# --------------------------------------------------------------------------- helpers/units


def test_column_letters_round_trip() -> None:
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA"
    assert column_letter(701) == "ZZ" and column_letter(702) == "AAA"
    for i in (0, 1, 25, 26, 27, 51, 52, 700, 701, 702, 16383):
        assert column_index(column_letter(i)) == i
    assert column_index("ab") == 27
    with pytest.raises(ValueError):
        column_index("A1")
    with pytest.raises(ValueError):
        column_letter(-1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Họ và tên", "full_name"), ("Họ tên", "full_name"), ("HỌ VÀ TÊN", "full_name"),
        ("Họ tên người tiêm", "full_name"), ("Tên đối tượng", "full_name"),
        ("Họ và tên\n(*)", "full_name"), ("  họ   và tên  ", "full_name"),
        ("Ngày sinh", "dob"), ("Ngày tháng năm sinh", "dob"), ("Năm sinh", "dob"),
        ("Ngày sinh dạng dd/mm/yyyy (*)", "dob"), ("NGAY SINH", "dob"),
        ("Giới tính", "sex"), ("Giới", "sex"), ("Phái", "sex"),
        ("Giới tính (*) (0:nam, 1:nữ)", "sex"),
        ("Số CMND/CCCD", "id_number"), ("CCCD/CMT", "id_number"), ("Số CMT/CCCD", "id_number"),
        ("CMND", "id_number"), ("CCCD", "id_number"), ("Số định danh", "id_number"),
        ("Mã định danh", "id_number"), ("Số định danh cá nhân", "id_number"),
        ("Số CMT/CCCD (Loại 8/9/12 số)", "id_number"), ("Số CMND / CCCD", "id_number"),
        ("Số điện thoại", "phone"), ("SĐT", "phone"), ("ĐT", "phone"), ("Điện thoại", "phone"),
        ("Số điện thoại(*) (Tối thiểu 10 số)", "phone"),
        ("Thôn/Xóm", "hamlet"), ("Xóm", "hamlet"), ("Ấp", "hamlet"), ("Thôn", "hamlet"),
        ("Tổ dân phố", "hamlet"), ("TDP", "hamlet"), ("Khu phố", "hamlet"), ("Bản", "hamlet"),
        ("Thôn/Tổ", "hamlet"), ("Tổ", "hamlet"), ("Khóm", "hamlet"), ("Buôn", "hamlet"),
        ("Làng", "hamlet"),
        ("Địa chỉ", "address"), ("Địa chỉ chi tiết", "address"), ("Nơi ở", "address"),
        ("Nơi ở hiện tại", "address"), ("Nơi ở tạm trú (hiện tại)", "address"),
        ("Số thẻ BHYT", "insurance_number"), ("BHYT", "insurance_number"),
        ("Mã thẻ BHYT", "insurance_number"), ("Số thẻ bảo hiểm y tế", "insurance_number"),
        ("Nhóm ưu tiên", "priority_group"), ("Nhóm đối tượng", "priority_group"),
        ("Mã nhóm đối tượng ưu tiên", "priority_group"),
        ("Xã/Phường", "ward"), ("Xã", "ward"), ("Phường", "ward"),
        ("Quận/Huyện", "district"), ("Huyện", "district"),
        ("Tỉnh/Thành phố", "province"), ("Tỉnh", "province"),
    ],
)
def test_header_synonyms(text: str, expected: str) -> None:
    hit = match_header(text)
    assert hit is not None and hit[0] == expected, (text, hit)


@pytest.mark.parametrize(
    "text",
    [
        "STT", "TT", "#", "Ngày tiêm", "Ngày tiêm mũi 1", "Mã Tỉnh/Thành phố", "Mã Xã/Phường",
        "Mã Quận/Huyện", "Ghi chú", "Tình trạng tiêm", "Ngày cấp CCCD", "Nơi cấp CMND",
        "Dân tộc", "DT", "Quan hệ với chủ hộ", "Họ tên mẹ/người giám hộ", "Tên vắc xin",
        "Tổ chức", "Nghề nghiệp", "",
    ],
)
def test_header_non_fields(text: str) -> None:
    assert match_header(text) is None, text


def test_header_look_alikes() -> None:
    assert match_header("Số thẻ BHYT")[0] == "insurance_number"
    assert match_header("Địa chỉ (xã/phường)")[0] == "address"
    assert match_header("Xã/Phường")[0] == "ward"


def test_numbering_tokens() -> None:
    assert all(is_numbering_token(v) for v in (1, 2.0, "(3)", "4", "[5]", "A", "(B)"))
    assert not any(is_numbering_token(v) for v in ("Họ", 12345678, "(12345)", True, 1.5))


# --------------------------------------------------------------------------- size


@pytest.mark.slow
def test_large_sheet_is_read_in_one_pass(tmp_path: Path) -> None:
    n = 100_000
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "SĐT"])
    for i in range(1, n + 1):
        ws.write_row(i, 0, [i, f"Nguyễn Văn {i}", "01/01/1990", "Nam", 1000000000 + i, ""])
    wb.close()
    table = read_table(path)
    assert len(table.rows) == n
    assert (table.first_data_row, table.last_data_row) == (2, n + 1)


def test_name_fonts_fast_scan_equals_openpyxl(tmp_path):
    """The streaming font scan gives what openpyxl reports, cell for cell."""
    from vaxclean_xl.io import reader
    from vaxclean_xl.io.reader import fonts
    from vaxclean_xl.sample import generate_sample

    path = tmp_path / "legacy.xlsx"
    generate_sample(path, rows=400, seed=5)
    table = reader.read_table(path)
    col = table.columns["full_name"]
    fast = fonts._name_fonts_xml(path, table.sheet, col, {r for r, _ in table.rows})
    slow = fonts._name_fonts_openpyxl(path, table.sheet, col, table.rows)
    assert fast == slow and len(fast) == len(table.rows)
    assert {".VnTime", "VNI-Times"} & set(fast.values())


def test_total_row_with_counts_in_mapped_columns_ends_the_list(tmp_path):
    """A 'Tổng cộng' row often carries counts under other columns (even the date's)."""
    import xlsxwriter as _xw

    from vaxclean_xl.io.reader import read_table

    path = tmp_path / "total.xlsx"
    wb = _xw.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Số CCCD"])
    ws.write_row(1, 0, [1, "Nguyễn Văn An", "01/05/1990", "001090123456"])
    ws.write_row(2, 0, [2, "Cộng Văn Bình", "02/05/1990", "001090123457"])
    ws.write_row(3, 0, ["Tổng cộng", "", 2, 2])
    ws.write_row(5, 1, ["NGƯỜI LẬP BIỂU"])
    wb.close()
    table = read_table(path)
    assert [r for r, _ in table.rows] == [2, 3]


# --------------------------------------------------------------------------- other sheets


def make_two_lists(path: Path, *, status_column: bool = False) -> Path:
    """A guide sheet, two hamlets' lists (the first one longer) and an empty template."""
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Hướng dẫn").write("A1", "Mỗi thôn một trang; Họ và tên viết có dấu.")
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"]
    first = wb.add_worksheet("Thôn 1")
    write_rows(first, 0, [header + (["Phân loại"] if status_column else []),
                          [1, "Lâm Văn Bảy", "01/01/1960", "Nam", "001060000001"],
                          [2, "Lâm Thị Tám", "02/02/1962", "Nữ", "001162000002"],
                          [3, "Lò Văn Chín", "03/03/1963", "Nam", ""]])
    second = wb.add_worksheet("Bổ sung từ thôn" if status_column else "Thôn 2")
    write_rows(second, 0, [header, [1, "Hà Thị Mười", "04/04/1964", "Nữ", "001164000004"]])
    wb.add_worksheet("Mẫu trống").write_row(0, 0, header)  # a header without records
    wb.close()
    return path


def test_another_sheet_with_a_list_is_named_with_sheet_option(tmp_path: Path) -> None:
    from vaxclean_xl import notices

    path = make_two_lists(tmp_path / "ds.xlsx")
    with notices.collect() as seen:
        table = read_table(path)
    assert table.sheet == "Thôn 1" and record_rows(table) == [2, 3, 4]
    assert seen == ["Tệp «ds.xlsx»: đã đọc danh sách ở trang «Thôn 1»; trang «Thôn 2» cũng có "
                    'danh sách nhưng không được đọc. Muốn đọc trang khác, thêm --sheet "Thôn 2".']
    with notices.collect() as seen:
        assert read_table(path, sheet="Thôn 2").sheet == "Thôn 2"
    assert seen == []  # the user chose


@pytest.mark.usefixtures("log_dir")
def test_other_list_notice_reaches_stderr_without_personal_data(tmp_path: Path, capsys) -> None:
    from vaxclean_xl.cli import main

    path = make_two_lists(tmp_path / "ds.xlsx")
    assert main(["validate", str(path), "-o", str(tmp_path / "kq.xlsx"), "-q"]) in (0, 1)
    err = capsys.readouterr().err
    assert err.startswith("Lưu ý: Tệp «ds.xlsx»: đã đọc danh sách ở trang «Thôn 1»;")
    assert '--sheet "Thôn 2"' in err
    assert not any(word in err for word in ("Lâm", "Mười", "001", "1960"))


def test_no_other_list_notice_on_the_tools_own_output(tmp_path: Path) -> None:
    """A list with the "Phân loại" status column was written by this tool: its other sheets
    are its reports ("Bổ sung từ thôn"), not lists the user meant."""
    from vaxclean_xl import notices

    with notices.collect() as seen:
        table = read_table(make_two_lists(tmp_path / "gop.xlsx", status_column=True))
    assert table.sheet == "Thôn 1" and seen == []
