"""Reading doses: dose columns found by header text in the three layouts lists have (the
import template's groups, flat headers, one row per dose), on real files written here
(XlsxWriter, csv) or converted by LibreOffice; no mocks."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from tests.conftest import soffice_convert
from vaxclean_xl.core.model import DoseLayout
from vaxclean_xl.io.reader import read_table, table_from_rows
from vaxclean_xl.io.reader.doses import find_doses

D = dt.datetime

# --------------------------------------------------------------------------- builders


def _write(ws, first_row: int, rows: list[list], date_fmt) -> None:
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(first_row + r, c, value, date_fmt)
            else:
                ws.write(first_row + r, c, value)


TEMPLATE_VERTICAL = [
    "#", "Họ và tên (*)", "Ngày sinh dạng dd/mm/yyyy (*)", "Giới tính (*) (0:nam, 1:nữ)",
    "Mã nhóm đối tượng ưu tiên (*) (Tham khảo PL2)", "Đơn vị công tác",
    "Số điện thoại(*) (Tối thiểu 10 số)", "Số CMT/CCCD (Loại 8/9/12 số)",
    "Số thẻ bảo hiểm y tế (Mã thẻ 10/15 ký tự)",
]
TEMPLATE_ADDRESS = ["Tỉnh/Thành phố", "Mã Tỉnh/Thành phố (*)", "Quận/Huyện",
                    "Mã Quận/Huyện (*)", "Xã/Phường", "Mã Xã/Phường (*)", "Địa chỉ chi tiết"]
DOSE_SUB = ["Ngày tiêm dạng\ndd/mm/yyyy (*)", "Lô vắc xin(*)",
            "Địa điểm tiêm (*)\n(Tham khảo PL4)"]
GROUPS = ["Mũi 1", "Mũi 2", "Mũi 3 (nhắc lại)"]


def make_template(path: Path) -> Path:
    """The platform's PL1 template: notes in rows 1-5, header rows 7-8 (merged groups
    "Mũi 1", "Mũi 2", "Mũi 3 (nhắc lại)", each after its "Tên vắc xin"), data from row 9,
    then a "Tổng cộng" row and a signature block."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("PL1_Danh sach doi tuong tiem")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write("A1", "Chú ý:")
    ws.write("A2", "Các cột có dấu (*) màu đỏ là bắt buộc nhập")
    ws.write("A3", "Địa điểm tiêm nhập Mã cơ sở KCB của cơ sở tiêm, tham khảo tại PL4")
    for c, text in enumerate(TEMPLATE_VERTICAL):
        ws.merge_range(6, c, 7, c, text)
    ws.merge_range(6, 9, 6, 15, "Nơi ở tạm trú (hiện tại) (*) (Tham khảo PL3)")
    ws.write_row(7, 9, TEMPLATE_ADDRESS)
    col = 16
    for group in GROUPS:  # Q, U, Y: "Tên vắc xin"; R-T, V-X, Z-AB: the group
        ws.merge_range(6, col, 7, col, "Tên vắc xin (*) (Tham khảo PL5)")
        ws.merge_range(6, col + 1, 6, col + 3, group)
        ws.write_row(7, col + 1, DOSE_SUB)
        col += 4
    ws.merge_range(6, col, 7, col, "Ghi chú")
    ws.merge_range(6, col + 1, 7, col + 1, "Kết quả import (không điền ô này)")
    address = ["Bắc Ninh", "27", "Tiên Du", "260", "Tân Lập", "09319", "Thôn 1"]
    _write(ws, 8, [
        [1, "Đỗ Văn Hải", "01/02/1980", 0, "9", "", "0912000444", "027080000444", "",
         *address, "AstraZeneca", D(2021, 8, 1), "A1234", "12345",
         "Pfizer", "15/10/2021", "FF0001", "12345", "Moderna", D(2022, 3, 1), "M01", "12345"],
        [2, "Ngô Thị Hoa", "15/08/1992", 1, "9", "", "0912000555", "027192000555", "",
         *address, "Vero Cell", D(2021, 9, 1), "V01", "12345", "Verocell", D(2021, 9, 29),
         "V02", "12345"],
        ["Tổng cộng", None, None, None, None, None, None, "2 người"],
        [],
        [None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, None, "TRƯỞNG TRẠM"],
        [None, "Nguyễn Thị Lập"],
    ], fmt)
    wb.close()
    return path


TEMPLATE_WIDE = {
    1: {"vaccine": 16, "date": 17, "lot": 18, "site": 19},
    2: {"vaccine": 20, "date": 21, "lot": 22, "site": 23},
    3: {"vaccine": 24, "date": 25, "lot": 26, "site": 27},
}

FLAT_HEADER = [
    "STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Ngày tiêm mũi 1", "Mũi 1 - Vắc xin",
    "Số lô mũi 1", "Nơi tiêm mũi 1", "Loại vắc xin M2", "Ngày tiêm M2", "Số lô mũi 2",
    "Mũi nhắc lại", "Vắc xin nhắc lại", "Nơi tiêm mũi 4", "Ngày tiêm mũi 4", "Ghi chú",
]


def make_flat(path: Path) -> Path:
    """One header row, every dose column named with its dose; a "Tổng cộng" row after."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:F1", "DANH SÁCH TIÊM CHỦNG VẮC XIN COVID-19")
    _write(ws, 2, [
        FLAT_HEADER,
        [1, "Lê Văn Cường", D(1970, 3, 12), "036070001234", D(2021, 7, 1), "Astra", "L1",
         "TYT Tân Lập", "AZ", D(2021, 9, 30), "L2", D(2022, 1, 5), "Pfizer", "", None],
        [2, "Trần Thị Bình", D(1985, 12, 31), "001185012345", "02/08/2021", "Sinopharm",
         "S1", "TYT", "Vero Cell", "30/08/2021", "S2"],
        ["Tổng cộng", None, None, "2"],
    ], fmt)
    wb.close()
    return path


FLAT_WIDE = {
    1: {"date": 4, "vaccine": 5, "lot": 6, "site": 7},
    2: {"vaccine": 8, "date": 9, "lot": 10},
    3: {"date": 11, "vaccine": 12},
    4: {"site": 13, "date": 14},
}

LONG_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn", "Mũi thứ",
               "Ngày tiêm", "Tên vắc xin", "Số lô", "Nơi tiêm"]


def make_long(path: Path, *, number: bool = True) -> Path:
    """One row per dose; a person's rows need not follow each other; namesakes with
    another date of birth stay apart; "Tổng cộng" and a signature block under the rows."""
    header = LONG_HEADER if number else [h for h in LONG_HEADER if h != "Mũi thứ"]
    an = ["Nguyễn Văn An", D(1990, 5, 1), "Nam", "001090012345", "Thôn 1"]
    binh = ["Trần Thị Bình", D(1985, 12, 31), "Nữ", "001185012345", "Thôn 2"]
    an2 = ["Nguyễn Văn An", D(1991, 6, 2), "Nam", "", "Thôn 3"]  # a namesake
    doses = [
        (an, 1, D(2021, 8, 1), "AstraZeneca", "A1", "TYT"),
        (an, 2, D(2021, 10, 1), "AstraZeneca", "A2", "TYT"),
        (binh, 1, "01/09/2021", "Pfizer", "P1", "TYT"),
        (an2, 1, D(2021, 9, 3), "Moderna", "M1", "TYT"),
        (["  Nguyễn Văn An ", D(1990, 5, 1), "Nam", "001090012345", "Thôn 1"], 3,
         D(2022, 2, 1), "Pfizer", "P9", "TYT"),  # same person, spaces around the name
        (binh, 2, "22/09/2021", "Pfizer", "P2", "TYT"),
    ]
    rows = []
    for i, (who, n, date, vaccine, lot, site) in enumerate(doses, 1):
        rows.append([i, *who, *([n] if number else []), date, vaccine, lot, site])
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Lịch sử tiêm")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:H1", "DANH SÁCH NGƯỜI ĐÃ TIÊM VẮC XIN PHÒNG COVID-19")
    _write(ws, 2, [header, *rows, ["Tổng cộng: 6 mũi"], [],
                   [None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG TRẠM"],
                   [None, "(Ký, ghi rõ họ tên)"], [], [None, "Lê Thị Lập"]], fmt)
    wb.close()
    return path


# --------------------------------------------------------------------------- template


def test_template_groups_with_merged_header(tmp_path: Path) -> None:
    table = read_table(make_template(tmp_path / "mau.xlsx"))
    assert (table.header_row, table.first_data_row, table.last_data_row) == (8, 9, 10)
    assert [r for r, _ in table.rows] == [9, 10]
    assert table.dose_layout == DoseLayout(wide=TEMPLATE_WIDE)
    assert table.person_rows == {}
    # the identity columns are read as before, none of them taken for a dose
    assert table.columns["dob"] == 2 and table.columns["id_number"] == 7
    row = dict(table.rows)[9]
    assert row[TEMPLATE_WIDE[2]["vaccine"]] == "Pfizer"
    assert row[TEMPLATE_WIDE[2]["date"]] == "15/10/2021"
    assert row[TEMPLATE_WIDE[3]["lot"]] == "M01"


def test_template_as_xls_through_libreoffice(tmp_path: Path) -> None:
    src = make_template(tmp_path / "mau.xlsx")
    table = read_table(soffice_convert(src, "xls", tmp_path / "xls", timeout=180))
    assert table.source_format == "xls"
    assert [r for r, _ in table.rows] == [9, 10]
    assert table.dose_layout == DoseLayout(wide=TEMPLATE_WIDE)


def test_template_as_ods_through_libreoffice(tmp_path: Path) -> None:
    src = make_template(tmp_path / "mau.xlsx")
    table = read_table(soffice_convert(src, "ods", tmp_path / "ods", timeout=180))
    assert [r for r, _ in table.rows] == [9, 10]
    assert table.dose_layout == DoseLayout(wide=TEMPLATE_WIDE)


def test_template_groups_in_csv_without_merges(tmp_path: Path) -> None:
    """Merges lost (csv, unmerged by hand): the group text starts its run of sub-headers."""
    upper = ["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Tên vắc xin", "Mũi 1", "", "",
             "Tên vắc xin", "Mũi 2", "", ""]
    lower = ["", "", "", "", "", "Ngày tiêm", "Lô vắc xin", "Địa điểm tiêm", "",
             "Ngày tiêm", "Lô vắc xin", "Địa điểm tiêm"]
    data = ["1", "Lưu Văn Tài", "01/01/1990", "001090000001", "AZ", "01/08/2021", "A1",
            "12345", "AZ", "01/10/2021", "A2", "12345"]
    path = tmp_path / "mau.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([upper, lower, data])
    table = read_table(path)
    assert (table.header_row, [r for r, _ in table.rows]) == (2, [3])
    assert table.dose_layout == DoseLayout(wide={
        1: {"vaccine": 4, "date": 5, "lot": 6, "site": 7},
        2: {"vaccine": 8, "date": 9, "lot": 10, "site": 11},
    })


# --------------------------------------------------------------------------- flat


def test_flat_headers_name_dose_and_part(tmp_path: Path) -> None:
    table = read_table(make_flat(tmp_path / "flat.xlsx"))
    assert (table.header_row, [r for r, _ in table.rows]) == (3, [4, 5])
    assert table.dose_layout == DoseLayout(wide=FLAT_WIDE)
    assert table.columns == {"full_name": 1, "dob": 2, "id_number": 3}
    assert table.person_rows == {}


def test_flat_headers_from_rows_in_memory() -> None:
    """An open Excel sheet's values (the ribbon) find the same dose columns."""
    rows = [FLAT_HEADER, [1, "Lê Văn Cường", "12/03/1970", "036070001234", "01/07/2021",
                          "Astra", "L1", "TYT", "AZ", "30/09/2021", "L2"]]
    table = table_from_rows(rows, top=1, left=1, max_col=len(FLAT_HEADER) - 1, sheet="DS")
    assert table.dose_layout == DoseLayout(wide=FLAT_WIDE)


def test_additional_dose_is_dose_3_and_a_booster_follows_it() -> None:
    texts = {0: "Họ và tên", 1: "Ngày sinh", 2: "Mũi 1", 3: "Mũi 2", 4: "Mũi bổ sung",
             5: "Mũi nhắc lại", 6: "Mũi nhắc lại lần 2"}
    layout = find_doses(texts, {}, [0, 1])
    assert layout == DoseLayout(wide={1: {"date": 2}, 2: {"date": 3}, 3: {"date": 4},
                                      4: {"date": 5}, 5: {"date": 6}}, additional=3)
    alone = find_doses({0: "Họ và tên", 1: "Mũi nhắc lại", 2: "Mũi nhắc lại lần 2",
                        3: "Mũi bổ sung - Vắc xin"}, {}, [0])
    assert alone == DoseLayout(wide={3: {"vaccine": 3}, 4: {"date": 1}, 5: {"date": 2}},
                               additional=3)
    boosters = find_doses({0: "Họ và tên", 1: "Mũi nhắc lại", 2: "Mũi nhắc lại lần 2"}, {}, [0])
    assert boosters == DoseLayout(wide={3: {"date": 1}, 4: {"date": 2}})


@pytest.mark.parametrize(("text", "expected"), [
    ("Ngày tiêm mũi 1", (1, "date")),
    ("NGAY TIEM MUI 2", (2, "date")),
    ("Mũi 1 - Vắc xin", (1, "vaccine")),
    ("Loại vắc xin M2", (2, "vaccine")),
    ("Số lô mũi 3", (3, "lot")),
    ("Nơi tiêm mũi 4", (4, "site")),
    ("Mũi thứ hai - Ngày tiêm", (2, "date")),
    ("Mũi 3 (nhắc lại)", (3, "date")),
    ("Vắc xin mũi\nnhắc lại", (3, "vaccine")),
    ("Ngày tiêm mũi nhắc lại lần 2", (4, "date")),
    ("Mũi 4 nhắc lại lần 2 - Số lô", (4, "lot")),
])
def test_flat_dose_header(text: str, expected: tuple[int, str]) -> None:
    layout = find_doses({0: "Họ và tên", 1: text}, {}, [0])
    assert layout is not None
    assert layout.wide == {expected[0]: {expected[1]: 1}}


@pytest.mark.parametrize("text", [
    "Ngày sinh", "Ngày cấp", "Số mũi đã tiêm", "Số mũi", "Ghi chú", "Tên vắc xin",
    "Địa điểm tiêm (*) (Tham khảo PL4)", "Mã nhóm đối tượng ưu tiên (Tham khảo PL2)",
    "Ngày tiêm", "Đã tiêm mũi 1", "Ngày hẹn tiêm mũi 2", "Ngày tiêm mũi 2 (dự kiến)",
    "Ngày đăng ký tiêm mũi 3", "Ghi chú mũi 1",
])
def test_not_a_wide_dose_column(text: str) -> None:
    """On its own, none of these is a dose column ("PL4" is no dose 4, a count of doses
    is no dose number, a lone "Ngày tiêm" is the day of a session)."""
    assert find_doses({0: "Họ và tên", 1: text}, {}, [0]) is None


def test_group_number_and_loose_sub_headers() -> None:
    """Under a group "Mũi 2", short sub-headers ("Ngày", "Loại", "Lô", "Nơi tiêm") name
    the parts; the same texts without a group are not doses."""
    texts = {0: "Họ và tên", 1: "Ngày", 2: "Loại", 3: "Lô", 4: "Nơi tiêm"}
    groups = {c: "Mũi 2" for c in (1, 2, 3, 4)}
    assert find_doses(texts, groups, [0]) == DoseLayout(
        wide={2: {"date": 1, "vaccine": 2, "lot": 3, "site": 4}})
    assert find_doses({0: "Họ và tên", 1: "Ngày", 2: "Loại", 3: "Lô"}, {}, [0]) is None


def test_identity_columns_are_never_doses() -> None:
    """A column read (or mapped) as an identity field is not a dose's."""
    texts = {0: "Họ và tên", 1: "Ngày tiêm mũi 1", 2: "Vắc xin mũi 1"}
    assert find_doses(texts, {}, [0, 1]) == DoseLayout(wide={1: {"vaccine": 2}})


# --------------------------------------------------------------------------- one row per dose


def test_one_row_per_dose_groups_rows_of_a_person(tmp_path: Path) -> None:
    table = read_table(make_long(tmp_path / "long.xlsx"))
    assert table.dose_layout == DoseLayout(
        long={"date": 7, "vaccine": 8, "lot": 9, "site": 10, "number": 6})
    assert table.columns["dob"] == 2  # "Ngày tiêm" is not "Ngày sinh"
    assert (table.header_row, table.first_data_row, table.last_data_row) == (3, 4, 9)
    assert [r for r, _ in table.rows] == [4, 6, 7]  # An, Bình, An's namesake
    assert {first: [r for r, _ in rows] for first, rows in table.person_rows.items()} == {
        4: [4, 5, 8], 6: [6, 9], 7: [7],
    }
    assert [v[6] for _r, v in table.person_rows[4]] == [1, 2, 3]
    assert dict(table.rows)[4] is table.person_rows[4][0][1]


def test_one_row_per_dose_without_number_column(tmp_path: Path) -> None:
    table = read_table(make_long(tmp_path / "long.xlsx", number=False))
    assert table.dose_layout == DoseLayout(
        long={"date": 6, "vaccine": 7, "lot": 8, "site": 9})
    assert [r for r, _ in table.rows] == [4, 6, 7]
    assert [r for r, _ in table.person_rows[4]] == [4, 5, 8]


def test_one_row_per_dose_as_xls(tmp_path: Path) -> None:
    xls = soffice_convert(make_long(tmp_path / "long.xlsx"), "xls", tmp_path / "xls",
                          timeout=180)
    table = read_table(xls)
    assert [r for r, _ in table.rows] == [4, 6, 7]
    assert [r for r, _ in table.person_rows[6]] == [6, 9]


def test_person_without_dob_or_id_is_not_grouped_by_name_alone(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([
            ["Họ và tên", "Ngày sinh", "Số CCCD", "Mũi số", "Ngày tiêm", "Vắc xin"],
            ["Phạm Văn Tú", "", "", "1", "01/08/2021", "Pfizer"],
            ["Phạm Văn Tú", "", "", "1", "03/08/2021", "Pfizer"],
            ["Phạm Văn Tú", "", "001090000009", "1", "01/08/2021", "Pfizer"],
            ["Phạm Văn Tú", "", "001090000009", "2", "01/09/2021", "Pfizer"],
        ])
    table = read_table(path)
    assert table.dose_layout == DoseLayout(long={"date": 4, "vaccine": 5, "number": 3})
    assert [r for r, _ in table.rows] == [2, 3, 4]
    assert [r for r, _ in table.person_rows[4]] == [4, 5]


# --------------------------------------------------------------------------- no doses


def test_session_date_alone_is_not_a_dose_history(tmp_path: Path) -> None:
    """A list with only "Ngày tiêm" (left of "Ngày sinh") reads exactly as before."""
    path = tmp_path / "buoi-tiem.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    _write(ws, 0, [
        ["STT", "Ngày tiêm", "Họ và tên", "Ngày sinh", "Số CCCD"],
        [1, D(2021, 10, 1), "Vũ Thị Giang", D(1999, 9, 9), "027199000333"],
        [2, D(2021, 10, 1), "Vũ Thị Giang", D(1999, 9, 9), "027199000333"],
    ], fmt)
    wb.close()
    table = read_table(path)
    assert table.columns == {"full_name": 2, "dob": 3, "id_number": 4}
    assert table.dose_layout is None and table.person_rows == {}
    assert [r for r, _ in table.rows] == [2, 3]  # a repeated person stays two rows


def test_one_row_per_dose_with_person_cells_merged_down(tmp_path: Path) -> None:
    """The person's cells merged over their dose rows: the rows under the first, with
    only dose cells, continue that person; "Tổng cộng" and the signers still end the list;
    a row with only dose cells after a blank row is no one's."""
    path = tmp_path / "gop-o.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("DS")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Mũi số", "Ngày tiêm",
                        "Vắc xin", "Số lô"])
    for c, (first, value) in enumerate([(1, 1), (1, "Hà Văn Tùng"), (1, "02/03/1960"),
                                        (1, "001060000123")]):
        ws.merge_range(first, c, first + 2, c, value)
    for c, value in enumerate([2, "Hà Thị Lụa", "04/05/1962", "001162000456"]):
        ws.merge_range(4, c, 5, c, value)
    _write(ws, 1, [
        [None, None, None, None, 1, D(2021, 8, 1), "AstraZeneca", "A1"],
        [None, None, None, None, 2, D(2021, 10, 20), "AstraZeneca", "A2"],
        [None, None, None, None, 3, D(2022, 3, 1), "Pfizer", "P3"],
        [None, None, None, None, 1, D(2021, 8, 2), "Vero Cell", "V1"],
        [None, None, None, None, 2, D(2021, 9, 1), "Vero Cell", "V2"],
        [],
        [None, None, None, None, 3, D(2022, 3, 2), "Pfizer", "P4"],
        ["Tổng cộng", None, None, "2 người"],
        [None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG TRẠM"],
    ], fmt)
    wb.close()
    table = read_table(path)
    assert table.dose_layout == DoseLayout(long={"date": 5, "vaccine": 6, "lot": 7,
                                                 "number": 4})
    assert [r for r, _ in table.rows] == [2, 5]
    assert {first: [r for r, _ in rows] for first, rows in table.person_rows.items()} == {
        2: [2, 3, 4], 5: [5, 6]}
    assert table.last_data_row == 6


def test_unnumbered_vaccine_column_joins_the_dose_beside_it() -> None:
    """"Tên vắc xin" belongs to the group on its right (the template's order), else to the
    one on its left when that dose has no vaccine yet; far from any group it is no dose's."""
    groups = {1: "Mũi 1", 2: "Mũi 1"}
    texts = {0: "Họ và tên", 1: "Ngày tiêm", 2: "Số lô", 3: "Tên vắc xin", 5: "Tên vắc xin"}
    assert find_doses(texts, groups, [0]) == DoseLayout(
        wide={1: {"date": 1, "lot": 2, "vaccine": 3}})


def test_a_second_column_for_the_same_dose_cell_is_named() -> None:
    """Two "Ngày tiêm mũi 1" columns: the first is read and the user is told which one, not
    left to find a date "missing" that sits in the second (found by a fuzzing review)."""
    from vaxclean_xl.notices import collect

    texts = {0: "Họ và tên", 7: "Ngày tiêm mũi 1", 8: "Mũi 1 - Vắc xin", 9: "Ngày tiêm mũi 1"}
    with collect() as said:
        layout = find_doses(texts, {}, [0])
    assert layout == DoseLayout(wide={1: {"date": 7, "vaccine": 8}})
    assert said == ["Cột J cũng là «Ngày tiêm» của mũi 1 như cột H; chỉ đọc cột H, hãy gộp "
                    "hai cột nếu cả hai có dữ liệu."]
