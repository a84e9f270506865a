"""`vaxclean validate` end to end through the real CLI entry point: exit codes, messages,
outputs, and that the input is never touched."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import sha256_of, soffice_convert
from vaxclean_xl.cli import main

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "SĐT", "Thôn/Xóm"]
ROWS = [
    ["Nguyễn Văn An", "01/05/1990", "Nam", "001090123456", "0912345678", "Xóm 1"],
    ["Tèo", "1985", "x", "Không có", "01682345678", ""],
    ["Lê Thị Bình", "01/01/1991", "Nữ", 40191123456, "", "Xóm 2"],
    ["Phạm Văn Cường", "03/03/1980", "Nam", "001080123456", "0987654321", "Xóm 2"],
]


def make_list(path: Path, rows=ROWS, *, dropdown: bool = True) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách")
    bold = wb.add_format({"bold": True, "font_name": "Times New Roman"})
    ws.merge_range("A1:G1", "TRẠM Y TẾ XÃ AN BÌNH", bold)
    ws.merge_range("A2:G2", "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19", bold)
    ws.write_row(3, 0, HEADERS, bold)
    ws.set_column("B:B", 28)
    for r, row in enumerate(rows):
        ws.write_number(4 + r, 0, r + 1)
        for c, v in enumerate(row):
            ws.write(4 + r, c + 1, v)
    end = 4 + len(rows)
    ws.write(end + 2, 1, "NGƯỜI LẬP BIỂU")
    ws.write(end + 3, 1, "(Ký, ghi rõ họ tên)")
    ws.write(end + 6, 1, "Trần Thị Lập")
    if dropdown:
        ws.data_validation(4, 3, end, 3, {"validate": "list", "source": ["Nam", "Nữ"]})
    ws.conditional_format(4, 0, end, 0, {"type": "cell", "criteria": ">", "value": 100,
                                         "format": bold})
    other = wb.add_worksheet("Ghi chú")
    other.write("A1", "Không sửa trang này")
    wb.define_name("DanhSach", f"='Danh sách'!$A$4:$G${end}")
    wb.close()
    return path


def test_validate_writes_outputs_and_exit_1(tmp_path, capsys):
    src = make_list(tmp_path / "ds.xlsx")
    before = sha256_of(src)
    code = main(["validate", str(src), "--json", str(tmp_path / "r.json")])
    assert code == 1
    assert sha256_of(src) == before  # input untouched
    out = tmp_path / "ds.kiemtra.xlsx"
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["schema"] == "vaxclean.validation/1"
    assert report["source"] == {"path": str(src), "sheet": "Danh sách", "header_row": 4,
                                "first_data_row": 5, "last_data_row": 8}
    assert report["columns"] == {"full_name": "B", "dob": "C", "sex": "D", "id_number": "E",
                                 "phone": "F", "hamlet": "G"}
    assert report["summary"] == {"records": 4, "OK": 2, "NO_ID": 1, "BAD_ID_FORMAT": 1,
                                 "BAD_PERSONAL_INFO": 0, "warnings": 2}
    assert [r["row"] for r in report["records"]] == [5, 6, 7, 8]
    lost_zero = next(f for f in report["records"][2]["findings"] if f["code"] == "ID005")
    assert lost_zero == {"field": "id_number", "code": "ID005", "severity": "error",
                         "message": lost_zero["message"], "value": "40191123456",
                         "suggestion": "040191123456"}
    # annotated workbook: status columns, fills, notes, summary sheet, user's features kept
    wb = openpyxl.load_workbook(out)
    ws = wb["Danh sách"]
    assert [ws.cell(4, c).value for c in (8, 9, 10)] == ["Phân loại", "Lỗi", "Gợi ý sửa"]
    assert ws["H5"].value == "Đúng" and ws["H6"].value == "Không có số CCCD/CMND"
    assert "040191123456" in ws["J7"].value
    assert ws["E7"].fill.fgColor.rgb.endswith("FFC7CE")  # error red
    assert "ID005" in ws["E7"].comment.text
    assert ws["F6"].fill.fgColor.rgb.endswith("FFEB9C")  # warning yellow (old prefix)
    assert ws["B5"].fill.fgColor.rgb in (None, "00000000")  # OK record untouched
    assert ws["B4"].font.name == "Times New Roman" and ws["B4"].font.bold
    assert wb.sheetnames == ["Danh sách", "Ghi chú", "Tổng hợp"]
    assert "DanhSach" in wb.defined_names
    assert ws.data_validations.dataValidation[0].formula1 == '"Nam,Nữ"'
    assert ws.conditional_formatting  # the user's conditional format survived
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    summary = wb["Tổng hợp"]
    values = [c for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "Không có số CCCD/CMND" in values
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    printed = capsys.readouterr().out
    assert "Đã kiểm tra 4 bản ghi" in printed and "ds.kiemtra.xlsx" in printed


def test_clean_list_exit_0(tmp_path):
    src = make_list(tmp_path / "ok.xlsx", rows=[ROWS[0], ROWS[3]])
    assert main(["validate", str(src), "-q"]) == 0
    assert (tmp_path / "ok.kiemtra.xlsx").exists()


def test_csv_and_xls_inputs_give_xlsx_copy(tmp_path):
    src = tmp_path / "ds.csv"
    lines = [",".join(HEADERS)] + [
        ",".join([str(i + 1)] + [str(v) for v in row]) for i, row in enumerate(ROWS)]
    src.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8"))
    assert main(["validate", str(src), "-o", str(tmp_path / "csv.xlsx"), "-q"]) == 1
    ws = openpyxl.load_workbook(tmp_path / "csv.xlsx").active
    assert ws["B2"].value == "Nguyễn Văn An" and ws["E2"].value == "001090123456"
    assert ws["H1"].value == "Phân loại" and ws["H3"].value == "Không có số CCCD/CMND"
    assert ws["E2"].number_format == "@"


@pytest.mark.libreoffice
def test_xls_input(tmp_path):
    xlsx = make_list(tmp_path / "src.xlsx")
    xls = soffice_convert(xlsx, "xls", tmp_path / "xls")
    out = tmp_path / "from-xls.xlsx"
    assert main(["validate", str(xls), "-o", str(out), "-q"]) == 1
    ws = openpyxl.load_workbook(out)["Danh sách"]
    assert ws["H6"].value == "Không có số CCCD/CMND"
    assert ws["E7"].fill.fgColor.rgb.endswith("FFC7CE")


@pytest.mark.libreoffice
def test_annotated_workbook_opens_in_libreoffice(tmp_path):
    src = make_list(tmp_path / "ds.xlsx")
    assert main(["validate", str(src), "-q"]) == 1
    back = soffice_convert(tmp_path / "ds.kiemtra.xlsx", "ods", tmp_path / "lo")
    # read LibreOffice's own re-save: values, dropdown and sheets are all there
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(back))
    assert wb.sheet_names == ["Danh sách", "Ghi chú", "Tổng hợp"]
    rows = wb.get_sheet_by_name("Danh sách").to_python(skip_empty_area=False)
    assert rows[5][7] == "Không có số CCCD/CMND"
    with zipfile.ZipFile(back) as z:
        content = z.read("content.xml").decode("utf-8")
    assert "table:content-validation" in content  # the dropdown survived


def _only(tmp_path: Path) -> set[str]:
    return {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("make,needle", [
    (lambda p: None, "Không tìm thấy tệp"),
    (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "bị hỏng"),
    (lambda p: p.write_bytes(b""), None),
])
def test_bad_inputs_exit_2_nothing_written(tmp_path, capsys, make, needle):
    src = tmp_path / "in.xlsx"
    make(src)
    before = _only(tmp_path)
    assert main(["validate", str(src), "--json", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and err.count("\n") == 1 and "Traceback" not in err
    if needle:
        assert needle in err
    assert _only(tmp_path) == before


def test_password_protected_exit_2(tmp_path, capsys):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_list(tmp_path / "plain.xlsx")
    enc = tmp_path / "enc.xlsx"
    with open(plain, "rb") as fi, open(enc, "wb") as fo:
        OOXMLFile(fi).encrypt("matkhau", fo)
    assert main(["validate", str(enc)]) == 2
    assert "mật khẩu" in capsys.readouterr().err
    assert not (tmp_path / "enc.kiemtra.xlsx").exists()


def test_no_header_exit_2(tmp_path, capsys):
    wb = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    wb.add_worksheet().write_column(0, 0, ["a", "b", "c"])
    wb.close()
    assert main(["validate", str(tmp_path / "x.xlsx")]) == 2
    assert "tiêu đề" in capsys.readouterr().err


def test_output_equal_to_input_refused(tmp_path, capsys):
    src = make_list(tmp_path / "ds.xlsx")
    before = sha256_of(src)
    assert main(["validate", str(src), "-o", str(src)]) == 2
    assert "trùng với tệp đầu vào" in capsys.readouterr().err
    assert sha256_of(src) == before


def test_map_override(tmp_path):
    src = make_list(tmp_path / "ds.xlsx")
    main(["validate", str(src), "--map", "phone=G", "--map", "hamlet=F", "-q",
          "--json", str(tmp_path / "r.json")])
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["columns"]["phone"] == "G" and report["columns"]["hamlet"] == "F"


def test_progress_bar_only_for_big_lists(tmp_path, capsys):
    rows = [["Nguyễn Văn An", dt.datetime(1990, 5, 1), "Nam", f"001090{i:06d}", "", "Xóm 1"]
            for i in range(20_500)]
    src = make_list(tmp_path / "big.xlsx", rows=rows, dropdown=False)
    main(["validate", str(src), "-o", str(tmp_path / "o.xlsx")])
    assert "Đang kiểm tra" in capsys.readouterr().err
    main(["validate", str(src), "-o", str(tmp_path / "o2.xlsx"), "--quiet"])
    assert capsys.readouterr().err == ""


def test_two_digit_year_suggested_from_the_cccd(tmp_path):
    rows = [["Hoàng Văn Bốn", "19/10/47", "Nam", "001047000123", "", "Xóm 1"],
            ["Hoàng Thị Năm", "19/10/47", "Nữ", "001148000124", "", "Xóm 1"]]  # CCCD: 1948
    src = make_list(tmp_path / "ds.xlsx", rows=rows)
    out, report = tmp_path / "kq.xlsx", tmp_path / "r.json"
    assert main(["validate", str(src), "-o", str(out), "--json", str(report), "-q"]) == 1
    records = json.loads(report.read_text("utf-8"))["records"]
    dob = [[(f["code"], f["suggestion"]) for f in r["findings"] if f["field"] == "dob"]
           for r in records]
    assert dob == [[("DOB006", "19/10/1947")], [("DOB006", None)]]
    ws = openpyxl.load_workbook(out)["Danh sách"]
    texts = [str(c.value) for row in ws.iter_rows(min_row=5, max_row=6) for c in row if c.value]
    assert any("19/10/1947" in t for t in texts)
    assert ws.cell(5, 3).value == "19/10/47"  # the user's cell is not changed


# --- the options every command that reads a list shares (--sheet, --map) ------------------

def test_merge_reads_original_with_sheet_and_map(tmp_path, capsys):
    src = make_list(tmp_path / "ds.xlsx")
    back = tmp_path / "tra-ve"
    back.mkdir()
    make_list(back / "khong-phai-tep-thon.xlsx")  # read, then refused: not a hamlet file
    args = ["merge", str(src), str(back), "-o", str(tmp_path / "gop.xlsx")]
    assert main([*args, "--sheet", "Không có"]) == 2
    assert "Không có trang tính «Không có» trong tệp" in capsys.readouterr().err
    assert main([*args, "--map", "id_number=ZZ"]) == 2
    assert "Ghép cột không hợp lệ: không có cột «ZZ»" in capsys.readouterr().err
    # ORIGINAL read from the sheet named: the merge goes on to the returned file
    assert main([*args, "--sheet", "Danh sách", "--map", "id_number=E"]) == 2
    assert "Không có tệp trả về nào gộp được" in capsys.readouterr().err
    assert not (tmp_path / "gop.xlsx").exists()


@pytest.mark.parametrize("command", [["validate"], ["split", "-d", "thon"], ["police-list"],
                                     ["export-import"], ["edit-list"]])
def test_sheet_and_map_reach_every_command_that_reads_a_list(tmp_path, capsys, command):
    src = make_list(tmp_path / "ds.xlsx")
    before = set(tmp_path.iterdir())
    name, *rest = command
    args = [name, str(src), *(str(tmp_path / a) if a == "thon" else a for a in rest)]
    assert main([*args, "--sheet", "Không có"]) == 2
    assert "Không có trang tính «Không có» trong tệp" in capsys.readouterr().err
    assert main([*args, "--map", "id_number=ZZ"]) == 2
    assert "Ghép cột không hợp lệ: không có cột «ZZ»" in capsys.readouterr().err
    assert set(tmp_path.iterdir()) == before
